//! Objects: files, directories, archive members and sheets, each turned into one
//! [`ObjectReport`].
//!
//! A compressed file (gzip, xz, bzip2, Zstandard) of text, a table, a dump or a raw image is
//! read as it decompresses, whatever its size, its ratio capped ([`Scanner::scan_file`]).
//! Containers (zip, 7z, tar, ISO images, compressed streams of anything else, nested, and
//! zip-based documents other than spreadsheets) are walked by `kizuki_files`' capped walker
//! ([`kizuki_files::walk_members_reporting`]) with the caps of `[files]` (depth, members,
//! total decompressed size, ratio); every cap it reaches or member it cannot read becomes an
//! [`Item::Failed`]. Spreadsheets (xlsx) are read whole with calamine.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use kizuki_core::Category;
use kizuki_core::config::Config;
use kizuki_files::FileType;
use kizuki_files::names::{Legacy, stored_name, zip_legacy};

use crate::Error;
use crate::decode;
use crate::resume::{Ledger, LedgerError, Stamp};
use crate::spread::Spread;
use crate::table::{self, Table};
use crate::tally::{CatSet, ObjectReport, Tally};
use crate::text;

/// Scan options.
#[derive(Clone, Debug)]
pub struct Options {
    /// Categories to look for.
    pub categories: CatSet,
    /// Show sample values unmasked.
    pub reveal: bool,
    /// Report an object only when it holds at least this many values (at least 1).
    pub min_count: u64,
    /// Maximum container nesting depth.
    pub max_depth: u32,
    /// Maximum members read from one container.
    pub max_members: u32,
    /// Maximum bytes decompressed from one top-level file, all members together.
    pub max_total_size: u64,
    /// Maximum decompression ratio of one member.
    pub max_ratio: u32,
    /// Passwords tried on encrypted archives (zip: ZipCrypto and AES; 7z: AES), as `[files]`
    /// passwords and `--password` give them: the attacker's archive whose password was
    /// found in a command history. Never printed, logged or recorded.
    pub passwords: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options::from_config(&Config::default())
    }
}

impl Options {
    /// Options from the configuration (`[pii]` and the caps of `[files]`).
    pub fn from_config(cfg: &Config) -> Self {
        Options {
            categories: CatSet::of(&cfg.pii.categories),
            reveal: false,
            min_count: cfg.pii.min_count.unwrap_or(1).max(1),
            max_depth: cfg.files.max_depth,
            max_members: cfg.files.max_members,
            max_total_size: cfg.files.max_total_size,
            max_ratio: cfg.files.max_ratio,
            passwords: cfg.files.passwords.clone(),
        }
    }

    /// Restricts the categories (empty: all).
    pub fn with_categories(mut self, cats: &[Category]) -> Self {
        self.categories = CatSet::of(cats);
        self
    }
}

/// One result of a scan: an object holding personal data, or an input that failed.
#[derive(Debug)]
pub enum Item {
    /// An object with at least `min_count` values.
    Found(ObjectReport),
    /// An input that could not be read.
    Failed {
        /// Its path.
        path: String,
        /// Why.
        error: Error,
    },
}

/// Files taken ahead of the last one given at most ([`Scanner::scan_paths`]): bounds the
/// results held to be given in order while a large file is read. (Small in unit tests, which
/// thus reach it.)
const AHEAD: usize = if cfg!(test) { 3 } else { 4096 };

/// What [`Scanner::scan_paths`] gives, in order.
enum Task {
    /// An error met walking a directory.
    Failed(Item),
    /// A file.
    File(PathBuf),
}

/// A walk of a container through `kizuki_files`, given its callbacks: is this member read
/// whole, a member, a problem ([`Scanner::walked`]).
type Walk<'w> = dyn FnMut(
        &dyn Fn(&str, &[u8]) -> bool,
        &mut dyn FnMut(&str, &[u8]) -> bool,
        &mut dyn FnMut(&str, &kizuki_core::Finding),
    ) -> Result<(), kizuki_files::Error>
    + 'w;

/// Is `path` a later volume of a RAR archive in volumes whose first volume is in `listed`
/// (by their names, and the first's header says it is a volume)? Then it is read with the
/// first ([`Scanner::scan_rar_volumes`]), not on its own.
fn later_volume(path: &Path, listed: &std::collections::HashSet<PathBuf>) -> bool {
    let Some(first) = kizuki_files::rar::first_volume(path).filter(|f| listed.contains(f)) else {
        return false;
    };
    File::open(&first)
        .and_then(|f| kizuki_core::io::read_capped(f.take(64), 64))
        .is_ok_and(|head| head.is_some_and(|h| kizuki_files::rar::is_volume(&h)))
        && kizuki_files::rar::volume_names(&first).is_some_and(|v| v.iter().any(|p| p == path))
}

/// What a reader did with a file.
enum Outcome {
    /// Read it (its stamp taken before, with a ledger), giving these items.
    Read(Option<Stamp>, Vec<Item>),
    /// Found it in the ledger as it is: its items are there.
    Recorded(Stamp),
}

/// Gives the items of a scan's tasks in their order ([`Scanner::scan_paths_resuming`]): the
/// `k`-th file once a reader is done with it, recorded in the ledger when it was read.
struct Giver<'a> {
    tasks: std::collections::VecDeque<Task>,
    /// What the readers did with files, by the files' ranks.
    waiting: HashMap<usize, Outcome>,
    /// Files given.
    read: usize,
    ledger: Option<&'a mut Ledger>,
    files: &'a mut (dyn FnMut(u64, u64) + Send),
    emit: &'a mut (dyn FnMut(Item) + Send),
    total: u64,
    /// The ledger could not be written: nothing more is given.
    error: Option<LedgerError>,
}

impl Giver<'_> {
    /// Gives every task that is ready, in order.
    fn give(&mut self, scanner: &Scanner) {
        while self.error.is_none() {
            let path = match self.tasks.front() {
                None => return,
                Some(Task::Failed(_)) => {
                    if let Some(Task::Failed(item)) = self.tasks.pop_front() {
                        (self.emit)(item);
                    }
                    continue;
                }
                Some(Task::File(path)) => path,
            };
            let Some(outcome) = self.waiting.remove(&self.read) else {
                return;
            };
            let label = path.display().to_string();
            let (items, record) = match outcome {
                Outcome::Read(stamp, items) => (items, stamp),
                Outcome::Recorded(stamp) => match self
                    .ledger
                    .as_deref_mut()
                    .and_then(|l| l.lookup(&label, stamp))
                {
                    Some(items) => (items, None),
                    // Its row did not match after all (a twin of its 64-bit key, or a row
                    // gone bad): read it here.
                    None => (scanner.scan_file_guarded(path, None), Some(stamp)),
                },
            };
            // Recorded before it is given: a crash between the two gives it on the next run,
            // from the ledger.
            if let (Some(l), Some(stamp)) = (self.ledger.as_deref_mut(), record)
                && let Err(e) = l.record(&label, stamp, &items)
            {
                self.error = Some(e);
                return;
            }
            self.tasks.pop_front();
            self.read += 1;
            for item in items {
                (self.emit)(item);
            }
            (self.files)(self.read as u64, self.total);
        }
    }
}

/// The scanner.
#[derive(Clone, Debug)]
pub struct Scanner {
    opts: Options,
    /// PostgreSQL catalogs read, by database directory ([`Scanner::scan_pg_file`]).
    pg_catalogs: Arc<std::sync::Mutex<HashMap<PathBuf, Option<Arc<crate::pgcatalog::Catalog>>>>>,
    /// pg_dump directory archives' tables of contents read, by directory.
    pg_tocs: Arc<std::sync::Mutex<HashMap<PathBuf, Option<Arc<crate::pgdump::Toc>>>>>,
    /// InnoDB data dictionaries read, by MySQL/MariaDB data directory.
    innodb_dicts: Arc<std::sync::Mutex<HashMap<PathBuf, Option<Arc<crate::innodb::Dict>>>>>,
    /// Bytes of disk images carved, and the sizes of the images begun ([`Scanner::images`]).
    images: Arc<(AtomicU64, AtomicU64)>,
    /// Files found in a disk image are copied out up to this size ([`SQLITE_CARVE_CAP`];
    /// smaller in unit tests).
    copy_cap: u64,
    /// Bytes read of the large files streamed (texts, tables, dumps, compressed files, tar
    /// and zip archives), and the sizes of those begun ([`Scanner::large_files`]).
    large: Arc<(AtomicU64, AtomicU64)>,
    /// A file streamed is large from this size on ([`LARGE_FILE`]; 0 in unit tests).
    large_from: u64,
    /// The mail files of a scan, whose password candidates (by sender) are read when an
    /// encrypted attachment of one of them first needs them ([`MailPasswords`]): PPAP across
    /// `.eml` files and Maildir messages.
    mail_passwords: Arc<MailPasswords>,
}

/// The mail files of a scan and, once an encrypted attachment of one asks for them, the
/// password candidates they carry by sender ([`MailPasswords::of`]).
#[derive(Debug, Default)]
struct MailPasswords {
    files: Vec<PathBuf>,
    read: std::sync::OnceLock<HashMap<String, Vec<String>>>,
}

impl MailPasswords {
    /// The mail files among `files`: a `.eml` name, or a Maildir's (`cur/`, `new/`); none
    /// when fewer than two (nothing to pair).
    fn among(files: &[PathBuf]) -> Self {
        let mailish = |p: &&PathBuf| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_ascii_lowercase());
            let parent = p
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned());
            name.is_some_and(|n| n.ends_with(".eml"))
                || matches!(parent.as_deref(), Some("cur" | "new"))
        };
        let files: Vec<PathBuf> = files.iter().filter(mailish).cloned().collect();
        MailPasswords {
            files: if files.len() < 2 { Vec::new() } else { files },
            read: std::sync::OnceLock::new(),
        }
    }

    /// The candidates `from` (lower case) sent. The mail files are read the first time any
    /// sender is asked for (a scan without encrypted attachments never reads them twice):
    /// those of at most [`MAIL_PASSWORD_FILE`] bytes without attachments (the second mail of
    /// a PPAP pair, `パスワード：…`), kept as [`crate::mail::keep_passwords`] keeps them. One
    /// after the other on the asking thread (not on rayon's: a reader may ask from within a
    /// rayon job, and the others wait for the first).
    fn of(&self, from: &str) -> Option<&Vec<String>> {
        if self.files.is_empty() {
            return None;
        }
        self.read
            .get_or_init(|| {
                let mut by = HashMap::new();
                for p in &self.files {
                    if let Some((from, found)) = password_mail(p) {
                        crate::mail::keep_passwords(&mut by, from, found);
                    }
                }
                by
            })
            .get(from)
    }
}

/// The sender and password candidates of the mail file `p`, if it is a message of at most
/// [`MAIL_PASSWORD_FILE`] bytes without attachments that gives some.
fn password_mail(p: &Path) -> Option<(String, Vec<String>)> {
    let f = File::open(p).ok()?;
    if f.metadata().ok()?.len() > MAIL_PASSWORD_FILE {
        return None;
    }
    let raw = kizuki_core::io::read_capped(f, MAIL_PASSWORD_FILE).ok()??;
    let lower = p.to_string_lossy().to_ascii_lowercase();
    if !crate::mail::is_message(&lower, &raw) {
        return None;
    }
    crate::mail::nested(|| {
        let msg = mail_parser::MessageParser::default().parse(&raw[..])?;
        if !crate::mail::attachments(&msg).is_empty() {
            return None;
        }
        let from = msg.from()?.first()?.address()?.to_ascii_lowercase();
        let (text, _) = crate::mail::text_of(&msg);
        let found = kizuki_mail::content::password_candidates(&text);
        (!found.is_empty()).then_some((from, found))
    })
    .flatten()
}

/// Mail files larger than this are not read for passwords ([`MailPasswords`]): a
/// password mail is a few lines.
pub const MAIL_PASSWORD_FILE: u64 = 1 << 20;

/// A streamed file this large counts in [`Scanner::large_files`]: the progress display tells
/// how far it is read (a restored dump of tens of gigabytes is one file read for an hour).
pub const LARGE_FILE: u64 = 256 << 20;

/// A file being streamed, its bytes read counted ([`Scanner::large_files`]).
struct Progressed<'a, R> {
    inner: R,
    done: &'a AtomicU64,
    /// Bytes counted, up to the file's size.
    read: u64,
    size: u64,
}

impl<R: Read> Read for Progressed<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let k = (n as u64).min(self.size - self.read);
        self.read += k;
        self.done.fetch_add(k, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Progressed<'_, R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.inner.seek(to)
    }
}

impl<R> Drop for Progressed<'_, R> {
    /// Done with it (read to its end, or stopped: a bomb, an error): all of it counts.
    fn drop(&mut self) {
        self.done
            .fetch_add(self.size - self.read, Ordering::Relaxed);
    }
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner::new(Options::default())
    }
}

impl Scanner {
    /// A scanner with these options.
    pub fn new(opts: Options) -> Self {
        Scanner {
            opts,
            pg_catalogs: Arc::default(),
            pg_tocs: Arc::default(),
            innodb_dicts: Arc::default(),
            images: Arc::default(),
            copy_cap: SQLITE_CARVE_CAP,
            large: Arc::default(),
            large_from: LARGE_FILE,
            mail_passwords: Arc::default(),
        }
    }

    /// How far the large files begun so far are read (those of [`LARGE_FILE`] bytes and
    /// more that are streamed: texts, tables, dumps, compressed files, tar and zip archives):
    /// bytes read and their sizes, for a progress display to poll. Disk images count in
    /// [`Scanner::images`].
    pub fn large_files(&self) -> (u64, u64) {
        (
            self.large.0.load(Ordering::Relaxed),
            self.large.1.load(Ordering::Relaxed),
        )
    }

    /// `r`, the file at `path` being streamed, counted in [`Scanner::large_files`] when it
    /// is large (`size` bytes; else none counted).
    fn progressed<R: Read>(&self, r: R, size: u64) -> Progressed<'_, R> {
        let size = if size >= self.large_from.max(1) {
            size
        } else {
            0
        };
        self.large.1.fetch_add(size, Ordering::Relaxed);
        Progressed {
            inner: r,
            done: &self.large.0,
            read: 0,
            size,
        }
    }

    /// How far the disk images begun so far are carved: bytes carved, and their sizes (a
    /// progress display polls it: an image is one file that takes hours). Segments taken
    /// from a ledger count as carved.
    pub fn images(&self) -> (u64, u64) {
        (
            self.images.0.load(Ordering::Relaxed),
            self.images.1.load(Ordering::Relaxed),
        )
    }

    /// Scans files and directories (directories recursively, in parallel); items come out in
    /// path order, each file's as soon as it and the files before it are read.
    pub fn scan_paths(&self, paths: &[PathBuf], emit: &mut (dyn FnMut(Item) + Send)) {
        // Without a ledger nothing can fail but the items themselves.
        let _ = self.scan_paths_resuming(paths, None, &mut |_, _| {}, emit);
    }

    /// [`Scanner::scan_paths`] with a ledger ([`crate::resume`]): files it records as read
    /// (unchanged since) are not read again, their recorded items are given in their place;
    /// each file read is recorded as its items are given. Stops at the first error writing
    /// the ledger (the scan could not be resumed past it). `files` is told the files given so
    /// far and the files in all (known once the directories are walked) as each is given.
    pub fn scan_paths_resuming(
        &self,
        paths: &[PathBuf],
        ledger: Option<&mut Ledger>,
        files: &mut (dyn FnMut(u64, u64) + Send),
        emit: &mut (dyn FnMut(Item) + Send),
    ) -> Result<(), LedgerError> {
        // The work in output order: the errors of a directory's walk, then its files.
        let mut tasks: Vec<Task> = Vec::new();
        for p in paths {
            if p.is_dir() {
                let mut files = Vec::new();
                for entry in ignore::WalkBuilder::new(p)
                    .standard_filters(false)
                    .follow_links(false)
                    .build()
                {
                    match entry {
                        Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                            files.push(e.into_path());
                        }
                        Ok(_) => {}
                        Err(e) => tasks.push(Task::Failed(Item::Failed {
                            path: p.display().to_string(),
                            error: Error::Walk(e.to_string()),
                        })),
                    }
                }
                files.sort();
                tasks.extend(files.into_iter().map(Task::File));
            } else {
                tasks.push(Task::File(p.clone()));
            }
        }
        // A RAR archive's later volumes are read with its first, when it is among the files.
        let listed: std::collections::HashSet<PathBuf> = tasks
            .iter()
            .filter_map(|t| match t {
                Task::File(p) => Some(p.clone()),
                Task::Failed(_) => None,
            })
            .collect();
        tasks.retain(|t| !matches!(t, Task::File(p) if later_volume(p, &listed)));
        // The files to read, in order (not the ledger's own files).
        if let Some(l) = ledger.as_deref() {
            tasks.retain(|t| !matches!(t, Task::File(path) if l.is_own(path)));
        }
        let todo: Vec<PathBuf> = tasks
            .iter()
            .filter_map(|t| match t {
                Task::File(path) => Some(path.clone()),
                Task::Failed(_) => None,
            })
            .collect();
        // The mail files, whose passwords open the encrypted attachments of the others.
        let mut scanner = self.clone();
        scanner.mail_passwords = Arc::new(MailPasswords::among(&todo));
        let scanner = &scanner;
        // The files the ledger has: the readers take their items from it instead.
        let done = ledger.as_deref().map(Ledger::done);
        let total = todo.len() as u64;
        files(0, total);
        let giver = std::sync::Mutex::new(Giver {
            tasks: tasks.into_iter().collect(),
            waiting: HashMap::new(),
            read: 0,
            ledger,
            files,
            emit,
            total,
            error: None,
        });
        let next = AtomicUsize::new(0);
        // Files read and given (`Giver::read`), for the readers to see without the lock.
        let given = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        // Told when files are given (or the ledger failed): readers held back by `AHEAD` wait
        // on it.
        let moved = std::sync::Condvar::new();
        let give = |k: Option<(usize, Outcome)>| {
            let mut g = giver
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some((k, items)) = k {
                g.waiting.insert(k, items);
            }
            let before = g.read;
            g.give(self);
            given.store(g.read, Ordering::Release);
            if g.error.is_some() {
                stop.store(true, Ordering::Release);
            }
            if g.read != before || g.error.is_some() {
                moved.notify_all();
            }
        };
        // The readers: each takes the next file in order (so results wait little to be given
        // in order), at most `AHEAD` files past the last one given, and gives what is ready
        // in order when it has read one (no thread waits to give: one more would take turns
        // with the readers on every file). This thread is one of them. Threads of their own,
        // not rayon jobs: a reader waits on rayon work of its own (a text read apart), and a
        // waiting rayon thread runs other jobs, which could be another reader's loop held
        // back by `AHEAD` behind that very file.
        let reader = || {
            loop {
                let k = next.fetch_add(1, Ordering::AcqRel);
                let Some(path) = todo.get(k) else { return };
                if k >= given.load(Ordering::Acquire) + AHEAD {
                    let mut g = giver
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    while k >= g.read + AHEAD && g.error.is_none() {
                        g = moved
                            .wait(g)
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                    }
                }
                if stop.load(Ordering::Acquire) {
                    return;
                }
                let outcome = match &done {
                    Some(done) => {
                        let stamp = Stamp::of(path);
                        let label = path.display().to_string();
                        match stamp {
                            Some(s) if done.has(&label, s) => Outcome::Recorded(s),
                            Some(s) => {
                                // An image is recorded a segment at a time as it is carved.
                                let parts = LedgerParts {
                                    giver: &giver,
                                    label,
                                    stamp: s,
                                    stop: &stop,
                                    moved: &moved,
                                };
                                Outcome::Read(stamp, scanner.scan_file_guarded(path, Some(&parts)))
                            }
                            None => Outcome::Read(stamp, scanner.scan_file_guarded(path, None)),
                        }
                    }
                    None => Outcome::Read(None, scanner.scan_file_guarded(path, None)),
                };
                give(Some((k, outcome)));
            }
        };
        give(None);
        let threads = rayon::current_num_threads().clamp(1, todo.len().max(1));
        std::thread::scope(|s| {
            for _ in 1..threads {
                s.spawn(reader);
            }
            reader();
        });
        give(None);
        let mut g = giver
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match (g.error.take(), g.ledger.as_deref_mut()) {
            (Some(e), _) => Err(e),
            (None, Some(l)) => l.commit(),
            (None, None) => Ok(()),
        }
    }

    /// [`Scanner::scan_file`], a panic (a bug) turned into the file's failed item so the scan
    /// goes on; its message is not shown, as it may quote the file.
    fn scan_file_guarded(&self, path: &Path, parts: Option<&dyn Parts>) -> Vec<Item> {
        crate::guarded(|| self.scan_file_in(path, parts)).unwrap_or_else(|_| {
            vec![Item::Failed {
                path: path.display().to_string(),
                error: Error::Read("kizuki failed on this file (a bug: please report it)".into()),
            }]
        })
    }

    /// Scans one file (a container yields one item per member holding personal data).
    pub fn scan_file(&self, path: &Path) -> Vec<Item> {
        self.scan_file_in(path, None)
    }

    /// [`Scanner::scan_file`]; an image is recorded in `parts` a segment at a time, and
    /// resumed after the segments recorded there.
    fn scan_file_in(&self, path: &Path, parts: Option<&dyn Parts>) -> Vec<Item> {
        let label = path.display().to_string();
        let mut out = Vec::new();
        let res = (|| -> Result<(), Error> {
            let io_err = |source| Error::Io {
                path: path.to_path_buf(),
                source,
            };
            if server_help_table(path) {
                return Ok(());
            }
            let mut f = File::open(path).map_err(io_err)?;
            let mut head = vec![0u8; decode::HEAD];
            let n = kizuki_core::io::read_full(&mut f, &mut head).map_err(io_err)?;
            head.truncate(n);
            // A table's data file of a pg_dump directory archive (`3001.dat.gz`, its columns
            // in `toc.dat` beside it).
            if self.scan_pgdump_data(path, &label, &mut out)
                || self.scan_tab_data(path, &label, &head, &mut out)
            {
                return Ok(());
            }
            // A compressed file (`.gz`, `.xz`, `.bz2`, `.zst`) of text, a table, a dump or a
            // raw image is read as it is decompressed, whatever its size; other contents (an
            // archive, a document) go to the walker below.
            if self.scan_compressed(path, &label, &head, &mut out)? {
                return Ok(());
            }
            // Databases and raw images are read from the file again, by what knows them.
            if head.starts_with(crate::sqlite::MAGIC) {
                drop(f);
                self.scan_sqlite(path, &label, &mut out);
                return Ok(());
            }
            // A database's write-ahead log and rollback journal are read with it (above).
            if log_of_database(path, "-wal") && crate::wal::is_wal(&head)
                || log_of_database(path, "-journal")
            {
                return Ok(());
            }
            // An Expert Witness image (`case.E01`, `case.E02`…): read from its first segment,
            // which reads the others, as the disk it holds.
            if let Some(segment) = crate::e01::segment(&head) {
                drop(f);
                if segment != 1 {
                    let first = ["E01", "e01", "Ex01", "ex01"]
                        .iter()
                        .any(|e| path.with_extension(e).is_file());
                    return if first {
                        Ok(())
                    } else {
                        Err(Error::Read(format!(
                            "segment {segment} of an EWF image whose first segment (.E01) is not beside it"
                        )))
                    };
                }
                // Opened once (its segments' sections walked once), read from every thread.
                let media = crate::e01::open(path).map_err(io_err)?;
                let size = media.len();
                let open = |at| -> io::Result<Box<dyn Read>> { Ok(Box::new(media.view(at))) };
                return self
                    .scan_image(
                        &label,
                        size,
                        &open,
                        crate::spread::threads(),
                        parts,
                        &mut out,
                    )
                    .map_err(io_err);
            }
            if crate::carve::is_raw_image(&head, &label) {
                return self
                    .scan_image_file(path, &label, f, parts, &mut out)
                    .map_err(io_err);
            }
            // An Outlook data file: its blocks decoded, read at their offsets.
            if crate::pst::is_pst(&head) {
                let len = f.metadata().map_err(io_err)?.len();
                self.scan_pst(&label, &crate::pst::FileAt::new(f), len, &mut out);
                return Ok(());
            }
            // Mail is read as messages: their bodies decoded, their attachments as files.
            if crate::mail::is_mbox(&head) {
                let mut r = io::BufReader::new(Cursor::new(head).chain(f));
                self.scan_mbox(&label, &mut r, &mut out);
                return Ok(());
            }
            if crate::mail::is_message(&label.to_ascii_lowercase(), &head) {
                let cap = self.opts.max_total_size;
                let Some(data) = kizuki_core::io::read_capped(Cursor::new(head).chain(&mut f), cap)
                    .map_err(io_err)?
                else {
                    return Err(Error::Cap(format!("message larger than {cap} bytes")));
                };
                self.scan_message(&label, &data, &mut out);
                return Ok(());
            }
            // Containers, zip-based documents and OLE files (xls, doc…) are read whole
            // (within the size cap) and handed to the walker (which also opens ISO images,
            // and lists RAR and 7z members it cannot read); a spreadsheet among them goes to
            // calamine.
            let t = kizuki_files::sniff::sniff(&head, &label);
            // An HTML page is read whole for its tables, unless it is larger than the cap:
            // then it is streamed as text, as before.
            let html = (t == FileType::Html || is_html_name(&label) && has_tag(&head))
                && f.metadata()
                    .is_ok_and(|m| m.len() <= self.opts.max_total_size);
            // So are RTF (its text is all escapes), TNEF (`winmail.dat`, binary) and base64
            // files (an archive encoded for the way out).
            let whole = matches!(t, FileType::Ooxml | FileType::Ole | FileType::Pdf)
                || html
                || crate::rtf::is_rtf(&head)
                || crate::tnef::is_tnef(&head)
                || crate::b64::is_encoded(&head);
            let size = f.metadata().map_or(0, |m| m.len());
            if t == FileType::Tar {
                let catalogs = tar_pg_catalogs(path, self.opts.max_members);
                self.scan_tar_with(
                    &label,
                    &mut Cursor::new(head).chain(self.progressed(f, size)),
                    1,
                    &catalogs,
                    &mut out,
                );
                return Ok(());
            }
            if t == FileType::Zip
                && !is_xlsx(&label, &head)
                && self.scan_zip(path, &label, &mut out)
            {
                return Ok(());
            }
            // The first volume of a RAR archive in volumes, its later ones beside it: the set
            // is read together (a member split over two comes out whole).
            if t == FileType::Rar
                && kizuki_files::rar::is_volume(&head)
                && let Some(volumes) = kizuki_files::rar::volume_names(path)
            {
                drop(f);
                return self.scan_rar_volumes(&label, &volumes, &mut out);
            }
            if t.is_container() || whole {
                let cap = self.opts.max_total_size;
                let Some(data) = kizuki_core::io::read_capped(Cursor::new(head).chain(&mut f), cap)
                    .map_err(io_err)?
                else {
                    return Err(Error::Cap(format!("container larger than {cap} bytes")));
                };
                self.scan_bytes_in(&label, &data, &mut out);
                Ok(())
            } else if crate::pgheap::is_wal_segment(&head) {
                // PostgreSQL's write-ahead log: the rows it logged are carved, and reported as
                // one object for the segment (its records run a row's text in many pieces).
                drop(f);
                let mut open = || -> io::Result<Box<dyn Read>> { Ok(Box::new(File::open(path)?)) };
                let mut carved = Vec::new();
                let res = self.scan_raw(&label, &mut open, false, &mut carved);
                out.extend(merged(&label, carved));
                res.map_err(io_err)
            } else if crate::pgheap::is_heap(&head) {
                self.scan_pg_file(path, &label, &head, f, &mut out)
                    .map_err(io_err)
            } else if crate::innodb::is_tablespace(&head)
                && self.scan_innodb_file(path, &label, &head, &f, &mut out)
            {
                Ok(())
            } else if carvable(&head, t) {
                self.scan_image_file(path, &label, f, parts, &mut out)
                    .map_err(io_err)
            } else {
                let mut r = self.progressed(f, size);
                self.scan_stream(&label, &head, &mut r, &mut out)
                    .map_err(io_err)
            }
        })();
        if let Err(error) = res {
            out.push(Item::Failed { path: label, error });
        }
        out
    }

    /// Reads a compressed file whose content is streamed: text, a table, a dump or a raw
    /// image (`server.dd.gz`), as `file.csv.gz!file.csv`. False when the file is not
    /// compressed or its content is read whole by the walker (an archive, a document, a
    /// database, a mail). The decompressed size is not capped (memory stays that of a
    /// stream), but its ratio to the compressed bytes read is, as in the walker: a bomb ends
    /// as an error after what it held so far is reported, and so does a broken stream.
    fn scan_compressed(
        &self,
        path: &Path,
        label: &str,
        file_head: &[u8],
        out: &mut Vec<Item>,
    ) -> Result<bool, Error> {
        let ft = kizuki_files::sniff::sniff(file_head, label);
        if !matches!(
            ft,
            FileType::Gzip | FileType::Xz | FileType::Bzip2 | FileType::Zstd
        ) {
            return Ok(false);
        }
        // The ratio cap, raised for a disk image (below) once its head is read.
        let ratio = Cell::new(u64::from(self.opts.max_ratio.max(1)));
        let stop: Rc<RefCell<Option<Error>>> = Rc::default();
        // The file's compressed bytes count as it is read (once: a disk image in it is
        // opened again).
        let counted = Cell::new(false);
        let open = || -> io::Result<Box<dyn Read + '_>> {
            let read = Rc::new(Cell::new(0u64));
            let file = File::open(path)?;
            let size = match counted.replace(true) {
                false => file.metadata().map_or(0, |m| m.len()),
                true => 0,
            };
            let raw = kizuki_files::archive::Counting::new(
                io::BufReader::new(self.progressed(file, size)),
                read.clone(),
            );
            let decoder = kizuki_files::archive::stream_decoder(ft, raw)
                .ok_or_else(|| io::Error::other("not a compressed stream"))?;
            Ok(Box::new(Guarded {
                inner: decoder,
                read,
                written: 0,
                ratio: ratio.get(),
                stop: stop.clone(),
            }))
        };
        let mut r = open().map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut head = vec![0u8; decode::HEAD];
        let n = kizuki_core::io::read_full(&mut r, &mut head).unwrap_or(0);
        head.truncate(n);
        if stop.borrow().is_some() {
            // Broken or a bomb from the start: the walker reports it.
            return Ok(false);
        }
        let member = kizuki_files::archive::stream_member_name(label, ft, file_head);
        let name = format!("{label}!{member}");
        if crate::carve::is_raw_image(&head, &member) {
            drop(r);
            // `dd if=/dev/sda | gzip`, the way a server's disk is taken over ssh: its runs of
            // zeros (unused space, inode tables not yet written) deflate about 1000:1, so a
            // disk mostly empty passes the cap. Ten times the cap lets gzip's bound
            // (1032:1) through and still stops the bombs of formats without one.
            ratio.set(ratio.get().saturating_mul(10));
            let mut open = || open();
            self.scan_raw(&name, &mut open, false, out)
                .map_err(|e| Error::Read(e.to_string()))?;
        } else if kizuki_files::sniff::sniff(&head, &member) == FileType::Tar {
            self.scan_tar(&name, &mut Cursor::new(head).chain(&mut r), 2, out);
        } else if streams(&head, &member) {
            self.scan_stream(&name, &head, &mut r, out)
                .map_err(|e| Error::Read(e.to_string()))?;
        } else {
            return Ok(false);
        }
        if let Some(error) = stop.take() {
            out.push(Item::Failed { path: name, error });
        }
        Ok(true)
    }

    /// Reads a tar archive as it streams (a server's backup of gigabytes, `backup.tar.gz`):
    /// a member of text, a table or a dump as it streams, whatever its size; any other
    /// member read whole up to the container cap and walked as the walker would
    /// (`a.tar!dir/x.csv`, `a.tar!dir/b.zip!x.csv`). At most `max_members` members. `depth`:
    /// the containers its members are in (the tar, and a compressed stream around it).
    fn scan_tar(&self, name: &str, r: &mut dyn Read, depth: u32, out: &mut Vec<Item>) {
        self.scan_tar_with(name, r, depth, &HashMap::new(), out);
    }

    /// [`Scanner::scan_tar`] with the PostgreSQL catalogs of its database directories
    /// (`base/16384`, as [`tar_pg_catalogs`] read them): their table files are read with
    /// their columns named and typed (values out of line are not: the TOAST table is
    /// another member).
    fn scan_tar_with(
        &self,
        name: &str,
        r: &mut dyn Read,
        depth: u32,
        catalogs: &HashMap<String, crate::pgcatalog::Catalog>,
        out: &mut Vec<Item>,
    ) {
        let failed = |path: &str, error| Item::Failed {
            path: path.to_string(),
            error,
        };
        let mut ar = tar::Archive::new(r);
        let entries = match ar.entries() {
            Ok(e) => e,
            Err(e) => return out.push(failed(name, Error::Read(format!("tar: {e}")))),
        };
        let max = self.opts.max_members as usize;
        // A pg_dump tar archive (`-Ft`): its `toc.dat` comes first and names the columns of
        // the data files after it (`3001.dat`), in its directory.
        let mut toc: Option<(String, crate::pgdump::Toc)> = None;
        for (count, entry) in entries.enumerate() {
            if count >= max {
                out.push(failed(name, Error::Cap(format!("more than {max} members"))));
                break;
            }
            let mut e = match entry {
                Ok(e) => e,
                Err(e) => {
                    out.push(failed(name, Error::Read(format!("tar entry: {e}"))));
                    break;
                }
            };
            if !e.header().entry_type().is_file() {
                continue;
            }
            let member = stored_name(&e.path_bytes(), Legacy::Unix);
            let path = format!("{name}!{member}");
            let mut head = vec![0u8; decode::HEAD];
            let n = match kizuki_core::io::read_full(&mut e, &mut head) {
                Ok(n) => n,
                Err(e) => {
                    out.push(failed(&path, Error::Read(e.to_string())));
                    break;
                }
            };
            head.truncate(n);
            let (dir, file) = member.rsplit_once('/').unwrap_or(("", &member));
            if let Some(rel) = catalogs
                .get(dir)
                .zip(crate::pgcatalog::node_of(file))
                .and_then(|(c, node)| c.relation(node))
                .filter(|_| crate::pgheap::is_heap(&head) && !crate::pgheap::is_catalog(&path))
            {
                if rel.kind != b't' {
                    let r = &mut Cursor::new(&head).chain(&mut e);
                    match crate::pgheap::read(r, self.opts.categories, rel.schema(None)) {
                        Ok(heap) => self.report_pg(&path, heap, out),
                        Err(e) => {
                            out.push(failed(&path, Error::Read(e.to_string())));
                            break;
                        }
                    }
                }
                continue;
            }
            if file == "toc.dat" && crate::pgdump::is_toc(&head) {
                toc = crate::pgdump::read_toc(&mut Cursor::new(&head).chain(&mut e))
                    .ok()
                    .map(|t| (dir.to_string(), t));
                continue;
            }
            if let Some((d, t)) = &toc
                && d == dir
                && let Some((id, ext)) = crate::pgdump::data_file(file)
                && matches!(ext, "" | ".gz")
                && let Some(copy) = t.copy(id)
            {
                let read = Rc::new(Cell::new(0u64));
                let raw = kizuki_files::archive::Counting::new(
                    Cursor::new(&head).chain(&mut e),
                    read.clone(),
                );
                let (data, ratio): (Box<dyn Read + '_>, u64) = if ext.is_empty() {
                    (Box::new(raw), u64::MAX)
                } else {
                    (
                        Box::new(flate2::read::MultiGzDecoder::new(raw)),
                        u64::from(self.opts.max_ratio.max(1)),
                    )
                };
                let stop: Rc<RefCell<Option<Error>>> = Rc::default();
                let mut data = Guarded {
                    inner: data,
                    read,
                    written: 0,
                    ratio,
                    stop: stop.clone(),
                };
                let mut tally = Tally::new(self.opts.categories);
                let res = crate::pgdump::read_data_file(&mut data, &copy, t.encoding, &mut tally);
                let stopped = stop.borrow_mut().take();
                match res {
                    Ok((records, columns)) => self.push_report(
                        out,
                        tally,
                        path.clone(),
                        Some(t.encoding_name()),
                        Some(records),
                        columns,
                    ),
                    Err(e) => {
                        out.push(failed(&path, Error::Read(e.to_string())));
                        break;
                    }
                }
                if let Some(error) = stopped {
                    out.push(failed(&path, error));
                }
                continue;
            }
            if streams(&head, &member) && !crate::carve::is_raw_image(&head, &member) {
                if let Err(e) = self.scan_stream(&path, &head, &mut e, out) {
                    out.push(failed(&path, Error::Read(e.to_string())));
                    break;
                }
                continue;
            }
            let cap = self.opts.max_total_size;
            match kizuki_core::io::read_capped(Cursor::new(head).chain(&mut e), cap) {
                Ok(Some(data)) => self.scan_member(&path, &data, depth, out),
                // The rest of the member is skipped by the next entry.
                Ok(None) => out.push(failed(
                    &path,
                    Error::Cap(format!("member larger than {cap} bytes")),
                )),
                Err(e) => {
                    out.push(failed(&path, Error::Read(e.to_string())));
                    break;
                }
            }
        }
    }

    /// Reads a zip archive from its file, a member at a time (a restored table of gigabytes
    /// zipped, `顧客.zip` of 300 MB that holds 1.5 GB): a member of text, a table or a dump
    /// as it decompresses, whatever its size, its ratio to its compressed size capped as in
    /// the walker; any other member read whole up to the container cap and walked. An
    /// encrypted member is opened with the first password given that fits (ZipCrypto or AES),
    /// else told (an encrypted archive of gigabytes is not read into memory to say so). False
    /// (the walker reads it whole) for a zip-based document (OpenDocument, EPUB) or one the
    /// zip reader rejects.
    fn scan_zip(&self, path: &Path, name: &str, out: &mut Vec<Item>) -> bool {
        let failed = |path: &str, error| Item::Failed {
            path: path.to_string(),
            error,
        };
        let Ok(file) = File::open(path) else {
            return false;
        };
        let size = file.metadata().map_or(0, |m| m.len());
        let Ok(mut za) = zip::ZipArchive::new(io::BufReader::new(self.progressed(file, size)))
        else {
            return false;
        };
        let passwords = &self.opts.passwords;
        if za.index_for_name("mimetype").is_some() {
            return false;
        }
        let max = self.opts.max_members as usize;
        if za.len() > max {
            out.push(failed(
                name,
                Error::Cap(format!(
                    "{} members; only the first {max} are read",
                    za.len()
                )),
            ));
        }
        let ratio = u64::from(self.opts.max_ratio.max(1));
        for i in 0..za.len().min(max) {
            // The password that opens an encrypted member (its check bytes: a wrong one that
            // passes them, 1 in 256 with ZipCrypto, fails the member's CRC as it is read).
            let mut key = None;
            if za.by_index_raw(i).is_ok_and(|f| f.encrypted()) {
                key = passwords
                    .iter()
                    .find(|p| za.by_index_decrypt(i, p.as_bytes()).is_ok());
                if key.is_none() {
                    let mname = za.by_index_raw(i).map_or_else(
                        |_| format!("#{i}"),
                        |f| stored_name(f.name_raw(), zip_legacy(f.system())),
                    );
                    let why = if passwords.is_empty() {
                        "encrypted: give its password with --password"
                    } else {
                        "encrypted: none of the passwords given opens it (--password)"
                    };
                    out.push(failed(&format!("{name}!{mname}"), Error::Read(why.into())));
                    continue;
                }
            }
            let opened = match key {
                Some(p) => za.by_index_decrypt(i, p.as_bytes()),
                None => za.by_index(i),
            };
            let member = match opened {
                Ok(f) if f.is_dir() => continue,
                Ok(f) => f,
                Err(e) => {
                    out.push(failed(&format!("{name}!#{i}"), Error::Read(e.to_string())));
                    continue;
                }
            };
            let mname = stored_name(member.name_raw(), zip_legacy(member.system()));
            let path = format!("{name}!{mname}");
            // The compressed size a member declares is the most the reader takes from the
            // archive for it; no more than the archive holds.
            let stop: Rc<RefCell<Option<Error>>> = Rc::default();
            let mut r = Guarded {
                read: Rc::new(Cell::new(member.compressed_size().min(size))),
                inner: member,
                written: 0,
                ratio,
                stop: stop.clone(),
            };
            let mut head = vec![0u8; decode::HEAD];
            let n = kizuki_core::io::read_full(&mut r, &mut head).unwrap_or(0);
            head.truncate(n);
            if stop.borrow().is_none() && streams(&head, &mname) && !is_xlsx(&mname, &head) {
                if let Err(e) = self.scan_stream(&path, &head, &mut r, out) {
                    out.push(failed(&path, Error::Read(e.to_string())));
                }
            } else if stop.borrow().is_none() {
                let cap = self.opts.max_total_size;
                match kizuki_core::io::read_capped(Cursor::new(head).chain(&mut r), cap) {
                    Ok(Some(data)) if stop.borrow().is_none() => {
                        self.scan_member(&path, &data, 1, out);
                    }
                    Ok(Some(_)) => {}
                    Ok(None) => out.push(failed(
                        &path,
                        Error::Cap(format!("member larger than {cap} bytes")),
                    )),
                    Err(e) => out.push(failed(&path, Error::Read(e.to_string()))),
                }
            }
            if let Some(error) = stop.take() {
                out.push(failed(&path, error));
            }
        }
        true
    }

    /// Scans an object held in memory (`name` gives its path and extension).
    pub fn scan_bytes(&self, name: &str, data: &[u8]) -> Vec<Item> {
        let mut out = Vec::new();
        self.scan_bytes_in(name, data, &mut out);
        out
    }

    /// The caps of the container walker: those of `[files]`. No time cap: reading members
    /// is bounded by the size caps, and scanning them is linear in what was read.
    fn walker_options(&self) -> kizuki_files::Options {
        kizuki_files::Options {
            max_depth: self.opts.max_depth,
            max_members: self.opts.max_members,
            max_total_size: self.opts.max_total_size,
            max_ratio: self.opts.max_ratio.max(1),
            max_time: std::time::Duration::from_secs(7 * 24 * 3600),
            passwords: self.opts.passwords.clone(),
            ..kizuki_files::Options::default()
        }
    }

    /// Scans an object and, when it is a container, its members (through the walker).
    fn scan_bytes_in(&self, name: &str, data: &[u8], out: &mut Vec<Item>) {
        self.scan_member(name, data, 0, out);
    }

    /// [`Self::scan_bytes_in`] on a member read from `depth` containers as they streamed
    /// ([`Self::scan_tar`], [`Self::scan_zip`]): the nesting cap counts them.
    fn scan_member(&self, name: &str, data: &[u8], depth: u32, out: &mut Vec<Item>) {
        self.scan_member_as(name, data, depth, true, out);
    }

    /// [`Self::scan_member`]; `raw_back` as in [`Self::scan_nested_as`].
    fn scan_member_as(
        &self,
        name: &str,
        data: &[u8],
        depth: u32,
        raw_back: bool,
        out: &mut Vec<Item>,
    ) {
        let opts = self.walker_options();
        self.walked(name, raw_back, out, &mut |whole, f, problem| {
            kizuki_files::walk_members_reporting_at(name, data, depth, &opts, whole, f, problem)
        });
    }

    /// Reads a RAR archive in volumes (`x.part1.rar`, `x.part2.rar`…, the first's name
    /// `name`), read whole within the size cap, through the walker: its members under the
    /// first volume's name.
    fn scan_rar_volumes(
        &self,
        name: &str,
        volumes: &[PathBuf],
        out: &mut Vec<Item>,
    ) -> Result<(), Error> {
        let cap = self.opts.max_total_size;
        let mut left = cap;
        let mut data = Vec::new();
        for v in volumes {
            let io_err = |source| Error::Io {
                path: v.clone(),
                source,
            };
            let f = File::open(v).map_err(io_err)?;
            let Some(d) = kizuki_core::io::read_capped(f, left).map_err(io_err)? else {
                return Err(Error::Cap(format!("RAR volumes larger than {cap} bytes")));
            };
            left -= d.len() as u64;
            data.push(d);
        }
        let volumes: Vec<&[u8]> = data.iter().map(Vec::as_slice).collect();
        let opts = self.walker_options();
        self.walked(name, true, out, &mut |whole, f, problem| {
            kizuki_files::walk_rar_volumes_reporting(name, &volumes, &opts, whole, f, problem)
        });
        Ok(())
    }

    /// Scans what a walk of the container `name` hands over (`walk`, given the callbacks: is
    /// this member read whole, a member, a problem), its problems as error items; `raw_back`
    /// as in [`Self::scan_nested_as`].
    fn walked(&self, name: &str, raw_back: bool, out: &mut Vec<Item>, walk: &mut Walk<'_>) {
        let mut problems = Vec::new();
        let whole = |n: &str, d: &[u8]| is_xlsx(n, d);
        let res = walk(
            &whole,
            &mut |path, bytes| {
                // The container itself, handed back when no member of it opens.
                if raw_back || path != name {
                    self.scan_leaf(path, bytes, out);
                }
                true
            },
            &mut |path, finding| {
                let error = match finding.rule.as_ref() {
                    "archive.too_deep"
                    | "archive.too_many_members"
                    | "archive.bomb"
                    | "file.limit" => Error::Cap(finding.detail.clone()),
                    "archive.password_opened" => return,
                    "archive.encrypted" if self.opts.passwords.is_empty() => Error::Locked(
                        format!("{}: give its password with --password", finding.detail),
                    ),
                    "archive.encrypted" => Error::Locked(finding.detail.clone()),
                    _ => Error::Read(finding.detail.clone()),
                };
                let path = match finding.location.as_ref().and_then(|l| l.member.as_ref()) {
                    Some(m) => format!("{path}!{m}"),
                    None => path.to_string(),
                };
                problems.push(Item::Failed { path, error });
            },
        );
        if let Err(e) = res {
            problems.push(Item::Failed {
                path: name.to_string(),
                error: Error::Read(e.to_string()),
            });
        }
        out.extend(problems);
    }

    /// Scans one object that the walker hands over: a spreadsheet, or text and tables.
    fn scan_leaf(&self, name: &str, data: &[u8], out: &mut Vec<Item>) {
        if is_xlsx(name, data) {
            if let Err(error) = self.scan_xlsx(name, data, out) {
                out.push(Item::Failed {
                    path: name.to_string(),
                    error,
                });
            }
            return;
        }
        let head = &data[..data.len().min(decode::HEAD)];
        if data.starts_with(crate::sqlite::MAGIC) {
            let mut tally = Tally::new(self.opts.categories);
            let db = crate::sqlite::scan_bytes(data, &mut tally);
            self.report_sqlite(name, tally, db, out);
            return;
        }
        // A MySQL 8 table file in an archive (a data directory packed): it describes itself.
        if let Some((_, ps)) = crate::innodb::space_of(head)
            && self.scan_mysql8(data, ps, name, out)
        {
            return;
        }
        if crate::pst::is_pst(head) {
            self.scan_pst(name, &crate::pst::Bytes(data), data.len() as u64, out);
            return;
        }
        if data.starts_with(&crate::sheet::OLE_MAGIC) {
            self.scan_ole(name, data, out);
            return;
        }
        if crate::rtf::is_rtf(head) {
            self.scan_rtf(name, data, out);
            return;
        }
        if crate::tnef::is_tnef(head)
            && let Some(m) = crate::tnef::read(data, self.opts.max_total_size)
        {
            self.scan_msg(name, m, out);
            return;
        }
        // An EnCase image packed in an archive (evidence handed over as a zip or a tar):
        // read when it is whole in one segment; the segments of a split image are read
        // together only from files, side by side.
        if let Some(segment) = crate::e01::segment(head) {
            let r = if segment == 1 {
                let mut open = || -> io::Result<Box<dyn Read + '_>> {
                    Ok(Box::new(crate::e01::open_bytes(data)?))
                };
                self.scan_raw(name, &mut open, true, out)
            } else {
                Err(io::Error::other(format!(
                    "segment {segment} of an EWF image in an archive: the segments of a split image are read together from files only"
                )))
            };
            if let Err(e) = r {
                out.push(Item::Failed {
                    path: name.to_string(),
                    error: Error::Read(e.to_string()),
                });
            }
            return;
        }
        if crate::carve::is_raw_image(head, name) {
            self.carve_bytes(name, data, out);
            return;
        }
        if let Some(dialect) = crate::doc::dialect(name) {
            let mut tally = Tally::new(self.opts.categories);
            let doc = crate::doc::read(data, dialect, &mut tally);
            let (records, columns) = crate::doc::scan(&doc, &mut tally);
            let path = name.to_string();
            self.push_report(out, tally, path, Some(doc.encoding), records, columns);
            if let Some(e) = doc.error {
                out.push(Item::Failed {
                    path: name.to_string(),
                    error: Error::Read(e),
                });
            }
            return;
        }
        if memchr::memmem::find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
            match crate::pdf::text(data, self.opts.max_total_size, &self.opts.passwords) {
                // No page text: an image-only PDF, or text that mentions `%PDF-` near its
                // start (the sniffer's rule, as PDF readers accept a header anywhere in the
                // first kilobyte): read as text.
                Ok(t) if t.text.trim().is_empty() && t.tables.is_empty() => {
                    self.scan_text_item(name, data, out)
                }
                Ok(t) => {
                    let mut tally = Tally::new(self.opts.categories);
                    text::scan(&t.text, &mut tally);
                    let (records, columns) = crate::table::read_tables(t.tables, &mut tally);
                    self.push_report(out, tally, name.to_string(), None, records, columns);
                }
                Err(error) => out.push(Item::Failed {
                    path: name.to_string(),
                    error,
                }),
            }
            return;
        }
        if is_html_name(name) && has_tag(head)
            || kizuki_files::sniff::sniff(head, name) == FileType::Html
        {
            self.scan_html(name, data, out);
            return;
        }
        if crate::mail::is_mbox(head) {
            self.scan_mbox(name, &mut Cursor::new(data), out);
            return;
        }
        if crate::mail::is_message(&name.to_ascii_lowercase(), head) {
            self.scan_message(name, data, out);
            return;
        }
        // A staged archive encoded for the way out: decoded and scanned as the file it is.
        if crate::b64::is_encoded(head)
            && let Some(decoded) = crate::b64::decode(data)
        {
            self.scan_nested(format!("{name}!base64"), &decoded, "encodings", out);
            return;
        }
        if carvable(head, kizuki_files::sniff::sniff(head, name)) && !crate::pgheap::is_heap(head) {
            self.carve_bytes(name, data, out);
            return;
        }
        self.scan_text_item(name, data, out);
    }

    /// Reads a workbook's sheets ([`crate::sheet`]): an item per sheet holding personal data,
    /// a failed item per sheet that could not be read.
    fn scan_xlsx(&self, name: &str, data: &[u8], out: &mut Vec<Item>) -> Result<(), Error> {
        crate::sheet::check_package(data, self.opts.max_total_size, self.opts.max_ratio)
            .map_err(Error::Cap)?;
        let sheets = if crate::sheet::is_xlsb(data) {
            crate::sheet::xlsb(data, self.opts.categories)
        } else {
            crate::sheet::xlsx(data, self.opts.categories)
        }
        .map_err(Error::Read)?;
        self.push_sheets(name, sheets, out);
        Ok(())
    }

    /// An OLE compound file: a workbook (xls) is read sheet by sheet, an Outlook message
    /// ([`crate::msg`]) as a message, a Word 97-2003 document ([`crate::word`]) as text
    /// with its tables, a PowerPoint 97-2003 presentation ([`kizuki_files::ppt`]) as text with its
    /// embedded objects; anything else (Word 95: its text is a code page's) is carved like a
    /// raw image, regions named `file!@OFFSET`.
    fn scan_ole(&self, name: &str, data: &[u8], out: &mut Vec<Item>) {
        if self.read_ole(name, data, out) {
            return;
        }
        self.carve_bytes(name, data, out);
    }

    /// Reads a compound file that is an Outlook message, a Word 97-2003 document or a
    /// workbook, then the objects embedded in it (an Excel table pasted into a report as an
    /// object: `report.doc!ObjectPool/_1234!Sheet1`); `false` (nothing added) when it is
    /// none of them, or too damaged to open.
    fn read_ole(&self, name: &str, data: &[u8], out: &mut Vec<Item>) -> bool {
        if !self.read_ole_document(name, data, out) {
            return false;
        }
        let (objects, errors) = crate::ole::embedded(data, self.opts.max_total_size);
        for (path, bytes) in objects {
            // An object holding objects nests through here.
            self.scan_nested(format!("{name}!{path}"), &bytes, "objects", out);
        }
        for e in errors {
            out.push(Item::Failed {
                path: name.to_string(),
                error: Error::Read(e),
            });
        }
        true
    }

    /// An Office document encrypted with a password: an OOXML package ([`kizuki_files::
    /// offcrypto`]: "Encrypt with Password" in Excel, Word or PowerPoint 2007 and later) or a
    /// Word or Excel 97-2003 document encrypted with RC4 ([`kizuki_files::bincrypt`]); opened
    /// with a password given (`--password`) or Excel's built-in one: read as the document it
    /// holds, under its own name (`book.xlsx!Sheet1`); one that none opens is an error item
    /// that says so.
    fn read_encrypted(&self, name: &str, found: Result<Locked<'_>, String>, out: &mut Vec<Item>) {
        use kizuki_files::offcrypto::Opened;
        // No time cap on a scan; the rounds of a key are (10,000,000 at most per password).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3600);
        let error = match found {
            Err(e) => Error::Read(format!(
                "Office document encrypted with a password, not read: {e}"
            )),
            Ok(enc) => match enc.open(&self.opts.passwords, deadline) {
                Ok(Opened::Plain { data, .. }) => {
                    self.scan_nested_as(
                        name.to_string(),
                        &data,
                        1,
                        true,
                        "encrypted documents",
                        out,
                    );
                    return;
                }
                Ok(Opened::NoPassword) if self.opts.passwords.is_empty() => Error::Locked(format!(
                    "Office document encrypted with a password ({}): give its password with --password",
                    enc.describe()
                )),
                Ok(Opened::NoPassword) => Error::Locked(format!(
                    "Office document encrypted with a password ({}): none of the passwords given opens it (--password)",
                    enc.describe()
                )),
                Ok(Opened::OutOfTime) => Error::Read(format!(
                    "Office document encrypted with a password ({}): the passwords given were not all tried within an hour",
                    enc.describe()
                )),
                Err(e) => Error::Read(format!(
                    "Office document encrypted with a password ({}), its password found, not decrypted: {e}",
                    enc.describe()
                )),
            },
        };
        out.push(Item::Failed {
            path: name.to_string(),
            error,
        });
    }

    /// The document of [`Scanner::read_ole`].
    fn read_ole_document(&self, name: &str, data: &[u8], out: &mut Vec<Item>) -> bool {
        if let Some(found) = kizuki_files::offcrypto::find(data, self.opts.max_total_size) {
            self.read_encrypted(name, found.map(Locked::Package), out);
            return true;
        }
        if let Some(found) = kizuki_files::bincrypt::find(data) {
            self.read_encrypted(name, found.map(|b| Locked::Binary(b, data)), out);
            return true;
        }
        if let Some(m) = crate::msg::read(data, self.opts.max_total_size) {
            self.scan_msg(name, m, out);
            return true;
        }
        match crate::word::read(data, self.opts.max_total_size) {
            Some(Ok(doc)) => {
                self.report_text(name, &doc.text, &[], doc.encoding, out);
                return true;
            }
            Some(Err(error)) => {
                out.push(Item::Failed {
                    path: name.to_string(),
                    error,
                });
                return true;
            }
            None => {}
        }
        match kizuki_files::ppt::read(data, self.opts.max_total_size) {
            Some(Ok(show)) => {
                self.report_text(name, &show.text, &[], "UTF-16LE", out);
                for (path, bytes) in show.objects {
                    self.scan_nested(format!("{name}!{path}"), &bytes, "objects", out);
                }
                for e in show.errors {
                    out.push(Item::Failed {
                        path: name.to_string(),
                        error: Error::Read(e),
                    });
                }
                return true;
            }
            Some(Err(e)) => {
                out.push(Item::Failed {
                    path: name.to_string(),
                    error: match e {
                        kizuki_files::ppt::Error::Cap(e) => Error::Cap(e),
                        kizuki_files::ppt::Error::Read(e) => Error::Read(e),
                    },
                });
                return true;
            }
            None => {}
        }
        let Ok(Some(stream)) = crate::sheet::workbook_stream(data, self.opts.max_total_size) else {
            return false;
        };
        let checked = crate::sheet::check_biff(&stream);
        // calamine reads its own copy: ours goes before it does.
        drop(stream);
        match checked.and_then(|()| crate::sheet::xls(data, self.opts.categories)) {
            Ok(sheets) => self.push_sheets(name, sheets, out),
            Err(e) => out.push(Item::Failed {
                path: name.to_string(),
                error: Error::Read(e),
            }),
        }
        true
    }

    /// An HTML page ([`crate::doc::read_html`]) in its encoding: tables as tables, the rest as
    /// text.
    fn scan_html(&self, name: &str, data: &[u8], out: &mut Vec<Item>) {
        let head = &data[..data.len().min(decode::HEAD)];
        let Some(enc) = decode::html_declared(head).or_else(|| decode::detect(head)) else {
            return;
        };
        let mut html = String::new();
        let mut rest = &data[head.len()..];
        if let Err(e) = decode::decode_chunks(enc, head, &mut rest, &mut |c| html.push_str(c)) {
            out.push(Item::Failed {
                path: name.to_string(),
                error: Error::Read(e.to_string()),
            });
            return;
        }
        let mut tally = Tally::new(self.opts.categories);
        let doc = crate::doc::read_html(&html, &mut tally);
        let (records, columns) = crate::doc::scan(&doc, &mut tally);
        let path = name.to_string();
        self.push_report(out, tally, path, Some(decode::name(enc)), records, columns);
    }

    /// Splits an mbox into its messages (`box#N`), each read by [`Scanner::scan_message`].
    fn scan_mbox(&self, name: &str, r: &mut dyn io::BufRead, out: &mut Vec<Item>) {
        let mut ppap = Ppap::default();
        kizuki_mail::input::mbox(name, r, self.opts.max_total_size, &mut |item| {
            match item {
                Ok((src, raw)) => self.scan_message_in(&src, &raw, Some(&mut ppap), out),
                Err(e) => out.push(Item::Failed {
                    path: name.to_string(),
                    error: Error::Read(e.to_string()),
                }),
            }
            true
        });
    }

    /// A message ([`crate::mail`]): its correspondents, subject and text bodies as one object,
    /// its attachments as files. One that does not parse, or is nested too deep, is text.
    fn scan_message(&self, src: &str, raw: &[u8], out: &mut Vec<Item>) {
        self.scan_message_in(src, raw, None, out);
    }

    /// [`Self::scan_message`], one of a mailbox's: with `ppap`, an encrypted attachment no
    /// password given opens is read with the passwords its sender's mails carry ([`Ppap`]).
    fn scan_message_in(
        &self,
        src: &str,
        raw: &[u8],
        mut ppap: Option<&mut Ppap>,
        out: &mut Vec<Item>,
    ) {
        let read = crate::mail::nested(|| {
            let Some(msg) = mail_parser::MessageParser::default().parse(raw) else {
                return false;
            };
            let (text, html) = crate::mail::text_of(&msg);
            let charset = crate::mail::charset(&msg);
            let enc = charset.as_deref().unwrap_or("UTF-8");
            self.report_text(src, &text, &html, enc, out);
            let sender = msg
                .from()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .map(str::to_ascii_lowercase);
            let attachments = crate::mail::attachments(&msg);
            for (name, data, is_message) in &attachments {
                let path = format!("{src}!{name}");
                if *is_message {
                    self.scan_message(&path, data, out);
                    continue;
                }
                let mut items = Vec::new();
                self.scan_bytes_in(&path, data, &mut items);
                if let (Some(p), Some(from)) = (ppap.as_deref_mut(), sender.as_deref())
                    && locked(&items)
                {
                    p.read(self, from, &path, data, &mut items);
                }
                // A mail file of a directory: the passwords its sender's other mail files carry.
                if locked(&items)
                    && let Some(found) = sender.as_deref().and_then(|f| self.mail_passwords.of(f))
                {
                    let mut again = Vec::new();
                    self.with_passwords(found)
                        .scan_bytes_in(&path, data, &mut again);
                    if !locked(&again) {
                        items = again;
                    }
                }
                out.extend(items);
            }
            // A mail without attachments may carry the password of one sent before or after.
            if attachments.is_empty()
                && let (Some(p), Some(from)) = (ppap, sender.as_deref())
            {
                let found = kizuki_mail::content::password_candidates(&text);
                if !found.is_empty() {
                    p.given(self, from, found, out);
                }
            }
            true
        });
        if read != Some(true) {
            self.scan_text_item(src, raw, out);
        }
    }

    /// This scanner with `extra` passwords after its own.
    fn with_passwords(&self, extra: &[String]) -> Scanner {
        let mut s = self.clone();
        s.opts.passwords.extend(extra.iter().cloned());
        s
    }

    /// Reports a text (a message's correspondents, subject and bodies; a document's
    /// paragraphs: free text, a range pasted from a spreadsheet, a query's output or a
    /// document's table rows in it read as a table) and HTML pages (their tables as tables).
    fn report_text(&self, src: &str, text: &str, html: &[&str], enc: &str, out: &mut Vec<Item>) {
        let mut tally = Tally::new(self.opts.categories);
        let mut blocks = crate::client::Blocks::with_commas();
        blocks.chunk(text, &mut tally);
        let (mut records, mut columns) = blocks.finish(&mut tally);
        add_html(html.iter().copied(), &mut tally, &mut records, &mut columns);
        self.push_report(out, tally, src.to_string(), Some(enc), records, columns);
    }

    /// An Outlook message ([`crate::msg`]): its text, then its attachments as files and its
    /// attached messages as messages, then what could not be read.
    fn scan_msg(&self, src: &str, m: crate::msg::Message, out: &mut Vec<Item>) {
        let html: Vec<&str> = m.html.as_deref().into_iter().collect();
        self.report_text(src, &m.text, &html, m.encoding, out);
        for a in m.attachments {
            match a.body {
                // A `.msg` attached as a file nests through here.
                crate::msg::Body::File(data) => {
                    self.scan_nested(format!("{src}!{}", a.name), &data, "messages", out);
                }
                // Named by its display name: most often its subject, masked as one.
                crate::msg::Body::Message(inner) => {
                    self.scan_msg(&format!("{src}!{}", self.mail_label(&a.name)), inner, out);
                }
            }
        }
        for error in m.errors {
            out.push(Item::Failed {
                path: src.to_string(),
                error,
            });
        }
    }

    /// An Outlook data file ([`crate::pst`]): its text as one object (the persons estimate
    /// covers the mailbox; the HTML or RTF body of mails without a plain one with it), then its
    /// attachments as files (`box.pst!subject!name`, or `box.pst!@OFFSET`), then the strings
    /// only its free space holds (`box.pst!(deleted)`), then what could not be read.
    fn scan_pst(&self, name: &str, src: &dyn crate::pst::At, len: u64, out: &mut Vec<Item>) {
        match crate::pst::Pst::open(src, len) {
            Ok(pst) => self.read_pst(name, &pst, len, out),
            Err(e) => out.push(Item::Failed {
                path: name.to_string(),
                error: Error::Read(format!("Outlook data file: {e}")),
            }),
        }
    }

    /// An attachment's place in a mailbox, `subject!file name` (or an attached item's name,
    /// its subject), with the personal data its subject holds masked unless the values are
    /// revealed (`山田 太郎様 ご注文の件` names a customer: output is no second leak). A subject
    /// whose values cannot all be placed is `(subject masked)`.
    fn mail_label(&self, p: &str) -> String {
        if self.opts.reveal {
            return p.to_string();
        }
        let (subject, file) = p.split_once('!').unwrap_or((p, ""));
        let mut tally = Tally::new(CatSet::all());
        text::scan(subject, &mut tally);
        let subject = tally
            .mask_in(subject)
            .unwrap_or_else(|| "(subject masked)".into());
        if file.is_empty() {
            subject
        } else {
            format!("{subject}!{file}")
        }
    }

    /// Reads the opened Outlook data file `pst` of `len` bytes ([`Scanner::scan_pst`]).
    fn read_pst(&self, name: &str, pst: &crate::pst::Pst, len: u64, out: &mut Vec<Item>) {
        let failed = |out: &mut Vec<Item>, e: String| {
            out.push(Item::Failed {
                path: name.to_string(),
                error: Error::Read(format!("Outlook data file: {e}")),
            });
        };
        let cap = self.opts.max_total_size;
        // A text read as lines of one object, with HTML pages (bodies without a plain one).
        let count =
            |r: &mut dyn Read, html: &[String], path: String, enc: &str, out: &mut Vec<Item>| {
                let mut tally = Tally::new(self.opts.categories);
                let mut head = vec![0u8; decode::HEAD];
                let scanned = kizuki_core::io::read_full(r, &mut head).and_then(|n| {
                    head.truncate(n);
                    // Named as a text: the strings are lines, not a table's rows.
                    scan_into("mailbox.txt", &head, r, &mut tally, None)
                });
                match scanned {
                    Ok(found) => {
                        let (mut records, mut columns) =
                            found.map_or((None, Vec::new()), |f| (f.records, f.columns));
                        let pages = html.iter().map(String::as_str);
                        add_html(pages, &mut tally, &mut records, &mut columns);
                        self.push_report(out, tally, path, Some(enc), records, columns);
                    }
                    Err(e) => failed(out, e.to_string()),
                }
            };
        // The mails' attachments' names, and the HTML bodies of those without a plain one.
        let known = pst.attachments(len);
        let mut text = crate::pst::Text::new(pst, cap);
        let enc = {
            // The encoding is known once the strings are read; the report is pushed after.
            let mut live = Vec::new();
            // The text of RTF bodies (mails with no other) follows the strings.
            let rtf = known.rtf.join("\n").into_bytes();
            let mut all = (&mut text).chain(Cursor::new(rtf));
            count(&mut all, &known.html, name.to_string(), "", &mut live);
            let enc = text.encoding();
            for item in &mut live {
                if let Item::Found(r) = item {
                    r.encoding = Some(enc.to_string());
                }
            }
            out.extend(live);
            enc
        };
        // An attachment that no password given opens is read with the passwords its
        // sender's mails without attachments carry (PPAP: the password sent in the next
        // mail), from anywhere in the file.
        let attachment = |path: String, at: Option<&String>, data: &[u8], out: &mut Vec<Item>| {
            let mut items = Vec::new();
            self.scan_nested(path.clone(), data, "messages", &mut items);
            if locked(&items)
                && let Some(p) = at
                    .and_then(|a| known.senders.get(a))
                    .and_then(|from| known.passwords.get(from))
            {
                items.clear();
                self.with_passwords(p)
                    .scan_nested(path, data, "messages", &mut items);
            }
            out.extend(items);
        };
        // Attachments, named by their mail's subject and their file name when the mail says.
        for s in std::mem::take(&mut text.files) {
            let data = pst.read_stream(&s, cap);
            let at = known.named.get(&s.id());
            let path = match at {
                Some(p) => format!("{name}!{}", self.mail_label(p)),
                None => format!("{name}!@{}", s.offset()),
            };
            attachment(path, at, &data, out);
        }
        // Small attachments kept in their mail's heap (those that are text were read with
        // the rest of the text).
        for (p, data) in &known.inline {
            if !pst.is_string(data) {
                let path = format!("{name}!{}", self.mail_label(p));
                attachment(path, Some(p), data, out);
            }
        }
        // Mails deleted, whose blocks are still in the file's free space: the strings only
        // they hold.
        let mut deleted = crate::pst::Deleted::new(pst, len, std::mem::take(&mut text.seen));
        count(&mut deleted, &[], format!("{name}!(deleted)"), enc, out);
        if known.html_capped {
            out.push(Item::Failed {
                path: name.to_string(),
                error: Error::Cap(format!(
                    "Outlook data file: HTML and RTF bodies of mails without a plain one beyond {} MiB skipped",
                    crate::pst::MAX_HTML >> 20
                )),
            });
        }
        if pst.exhausted() {
            out.push(Item::Failed {
                path: name.to_string(),
                error: Error::Cap(format!(
                    "Outlook data file: read {} times its size (its data trees share blocks); the rest is skipped",
                    crate::pst::READ_FACTOR
                )),
            });
        }
        if pst.damaged() > 0 {
            failed(
                out,
                format!("{} damaged pages or blocks skipped", pst.damaged()),
            );
        }
    }

    /// Scans `data`, found inside the object being read (an attachment, an embedded object,
    /// a decoded file), as a file at `path`, one level deeper: nesting of any kind
    /// (`what`: messages, objects, encodings) is bounded as messages are
    /// ([`crate::mail::MAX_DEPTH`]), through archives too.
    fn scan_nested(&self, path: String, data: &[u8], what: &str, out: &mut Vec<Item>) {
        self.scan_nested_as(path, data, 0, true, what, out);
    }

    /// [`Self::scan_nested`] on a file read out of `depth` containers already (a file found
    /// in an image: one level, as an archive's member is); `raw_back`: when `data` is a
    /// container none of whose members opens, its own bytes are read (as a damaged
    /// archive's are: carved), else not (an encrypted member's archive: its bytes hold
    /// nothing but what the password hides).
    fn scan_nested_as(
        &self,
        path: String,
        data: &[u8],
        depth: u32,
        raw_back: bool,
        what: &str,
        out: &mut Vec<Item>,
    ) {
        if crate::mail::nested(|| self.scan_member_as(&path, data, depth, raw_back, out)).is_none()
        {
            out.push(Item::Failed {
                path,
                error: Error::Cap(format!(
                    "{what} nested more than {} deep",
                    crate::mail::MAX_DEPTH
                )),
            });
        }
    }

    /// An RTF document ([`crate::rtf`]): its text, its table rows read as a table's.
    fn scan_rtf(&self, name: &str, data: &[u8], out: &mut Vec<Item>) {
        let cap = usize::try_from(self.opts.max_total_size).unwrap_or(usize::MAX);
        let doc = crate::rtf::read(data, cap);
        self.report_text(name, &doc.text, &[], doc.encoding, out);
    }

    /// Scans bytes held in memory as text or a table.
    fn scan_text_item(&self, name: &str, data: &[u8], out: &mut Vec<Item>) {
        let head = &data[..data.len().min(decode::HEAD)];
        let mut rest = &data[head.len()..];
        if let Err(e) = self.scan_stream(name, head, &mut rest, out) {
            out.push(Item::Failed {
                path: name.to_string(),
                error: Error::Read(e.to_string()),
            });
        }
    }

    fn push_sheets(&self, name: &str, sheets: Vec<crate::sheet::Sheet>, out: &mut Vec<Item>) {
        for sheet in sheets {
            let path = format!("{name}!{}", sheet.name);
            match sheet.result {
                Ok((tally, records, columns)) => {
                    self.push_report(out, tally, path, None, Some(records), columns);
                }
                Err(e) => out.push(Item::Failed {
                    path,
                    error: Error::Read(e),
                }),
            }
        }
    }

    /// Reads an SQLite database's tables ([`crate::sqlite`]): one item for the database, and
    /// a failed item per table (or for the file) that could not be read.
    /// A PostgreSQL table file ([`crate::pgheap`]): its rows, and its deleted rows as an
    /// object of their own (`file!(deleted)`), as a SQLite database's.
    fn scan_pg(&self, name: &str, r: &mut dyn Read, out: &mut Vec<Item>) -> io::Result<()> {
        let heap = crate::pgheap::read(r, self.opts.categories, None)?;
        self.report_pg(name, heap, out);
        Ok(())
    }

    /// A PostgreSQL table file on disk: named and typed by the catalog of its database's
    /// directory when that is beside it (with its values out of line from its TOAST table),
    /// else as [`Scanner::scan_pg`] reads one alone. A TOAST table's own file is read with
    /// its table, the catalog's files not at all.
    fn scan_pg_file(
        &self,
        path: &Path,
        label: &str,
        head: &[u8],
        f: File,
        out: &mut Vec<Item>,
    ) -> io::Result<()> {
        if crate::pgheap::is_catalog(label) {
            return Ok(());
        }
        let mut r = Cursor::new(head).chain(f);
        let (Some(dir), Some(node)) = (
            path.parent(),
            path.file_name()
                .and_then(|n| n.to_str())
                .and_then(crate::pgcatalog::node_of),
        ) else {
            return self.scan_pg(label, &mut r, out);
        };
        let catalog = cached(&self.pg_catalogs, dir, || {
            crate::pgcatalog::Catalog::load(dir)
        });
        let Some(rel) = catalog.as_deref().and_then(|c| c.relation(node)) else {
            return self.scan_pg(label, &mut r, out);
        };
        if rel.kind == b't' {
            return Ok(());
        }
        let toast = match rel.toast {
            Some(t) => crate::pgcatalog::Toast::load(dir, t)?,
            None => None,
        };
        let heap = crate::pgheap::read(&mut r, self.opts.categories, rel.schema(toast.as_ref()))?;
        self.report_pg(label, heap, out);
        if let Some(t) = toast.filter(|t| t.dropped > 0) {
            out.push(Item::Failed {
                path: label.to_string(),
                error: Error::Cap(format!(
                    "PostgreSQL TOAST table: {} chunks past {} MiB not read",
                    t.dropped,
                    crate::pgcatalog::TOAST_CAP >> 20
                )),
            });
        }
        Ok(())
    }

    /// An InnoDB tablespace (`shop/customers.ibd`) read as its table, with the data
    /// dictionary of the system tablespace (`ibdata1`) in the data directory above it
    /// ([`crate::innodb`]): an item for its rows, one for rows deleted (marked, or purged
    /// and on a page's free list), and error items for rows or values not read. The system
    /// tablespace gives the tables kept in it. `false` when the dictionary is not at hand or
    /// does not describe the file (a system tablespace without tables of users, undo logs,
    /// a lone file, ROW_FORMAT=COMPRESSED): the file is then carved.
    fn scan_innodb_file(
        &self,
        path: &Path,
        label: &str,
        head: &[u8],
        f: &File,
        out: &mut Vec<Item>,
    ) -> bool {
        let Some((space, ps)) = crate::innodb::space_of(head) else {
            return false;
        };
        if space == 0 {
            // The system tablespace: the tables kept in it (`innodb_file_per_table=0`), each
            // an object, `ibdata1!shop/customers`; with none, it is carved (undo logs).
            let Some(dict) = crate::innodb::Dict::read(f) else {
                return false;
            };
            let defs = dict.system_tables();
            if defs.is_empty() {
                return false;
            }
            let spaces = crate::innodb::read_all(f, ps, &defs, self.opts.categories);
            for (def, s) in defs.iter().zip(spaces) {
                if s.pages > 0 {
                    self.report_innodb(&format!("{label}!{}", def.name), s, out);
                }
            }
            return true;
        }
        if self.scan_mysql8(f, ps, label, out) {
            return true;
        }
        let Some(datadir) = path.parent().and_then(Path::parent) else {
            return false;
        };
        let dict = cached(&self.innodb_dicts, datadir, || {
            crate::innodb::Dict::load(&datadir.join("ibdata1"))
        });
        // Else the `.cfg` of an export beside the file (`FLUSH TABLES … FOR EXPORT`,
        // `mariabackup --export`).
        let cfg = || {
            let f = File::open(path.with_extension("cfg")).ok()?;
            let b = kizuki_core::io::read_capped(f, crate::innodb::CFG_CAP).ok()??;
            crate::innodb::from_cfg(&b)
        };
        let shared = dict
            .as_deref()
            .map(|d| d.tables_in(space))
            .unwrap_or_default();
        if shared.len() > 1 {
            // A general tablespace of MySQL 5.7 (`CREATE TABLESPACE`): its tables, each an
            // object, `ts1.ibd!shop/customers`.
            let spaces = crate::innodb::read_all(f, ps, &shared, self.opts.categories);
            if spaces.iter().all(|s| s.pages == 0) {
                return false;
            }
            for (def, s) in shared.iter().zip(spaces) {
                if s.pages > 0 {
                    self.report_innodb(&format!("{label}!{}", def.name), s, out);
                }
            }
            return true;
        }
        // Else the `.frm` beside it (MariaDB, MySQL up to 5.7), with the clustered index
        // the file's own page 3 is the root of.
        let frm = || {
            let index = crate::innodb::clustered_index(f, ps)?;
            // A partition's file (`t#P#p0.ibd`) is described by its table's `t.frm`.
            let stem = path.file_stem()?.to_string_lossy();
            let table = ["#P#", "#p#"]
                .iter()
                .fold(stem.as_ref(), |t, sep| t.split(sep).next().unwrap_or(t));
            let file = File::open(path.with_file_name(format!("{table}.frm"))).ok()?;
            let b = kizuki_core::io::read_capped(file, crate::innodb::FRM_CAP).ok()??;
            let db = datadir_name(path);
            crate::innodb::from_frm(&b, &format!("{db}/{table}"), index)
        };
        let described;
        let def = match shared.first() {
            Some(d) => *d,
            None => match cfg().or_else(frm) {
                Some(d) => {
                    described = d;
                    &described
                }
                None => return false,
            },
        };
        let s = crate::innodb::read(f, ps, def, self.opts.categories);
        if s.pages == 0 {
            return false;
        }
        self.report_innodb(label, s, out);
        true
    }

    /// A MySQL 8 tablespace `src` (pages of `ps` bytes), which describes each table in it
    /// (SDI): one table, or the tables of a general tablespace or of `mysql.ibd`, each an
    /// object then (`mysql.ibd!mysql/user`). `false`: no such description, or no page of
    /// the tables it describes.
    fn scan_mysql8(
        &self,
        src: &(impl crate::innodb::Pages + ?Sized),
        ps: usize,
        label: &str,
        out: &mut Vec<Item>,
    ) -> bool {
        let described = crate::innodb::from_sdi(src, ps);
        if described.is_empty() {
            return false;
        }
        // MySQL 8 keeps its help tables in `mysql.ibd`: documentation, not read.
        let defs: Vec<&crate::innodb::TableDef> =
            described.iter().filter(|d| !help_table(&d.name)).collect();
        if defs.is_empty() {
            return true;
        }
        let spaces = crate::innodb::read_all(src, ps, &defs, self.opts.categories);
        if spaces.iter().all(|s| s.pages == 0) {
            return false;
        }
        let alone = defs.len() == 1 && described.len() == 1;
        for (def, s) in defs.iter().zip(spaces) {
            if alone {
                self.report_innodb(label, s, out);
            } else if s.pages > 0 {
                self.report_innodb(&format!("{label}!{}", def.name), s, out);
            }
        }
        true
    }

    /// The items of an InnoDB table read: its rows, its deleted rows (`!(deleted)`), and
    /// error items for rows or values not read.
    fn report_innodb(&self, label: &str, s: crate::innodb::Space, out: &mut Vec<Item>) {
        let mut errors = Vec::new();
        if s.unread > 0 {
            errors.push(Error::Read(format!(
                "InnoDB table file: {} rows not read (a format of MariaDB's instant ALTER TABLE, or records that do not parse)",
                s.unread
            )));
        }
        if s.extern_missing > 0 {
            errors.push(Error::Cap(format!(
                "InnoDB table file: {} long values kept out of their rows not read (past {} MiB, or their pages missing)",
                s.extern_missing,
                crate::innodb::EXTERN_CAP >> 20
            )));
        }
        let file = TableFile {
            table: Some(s.table),
            encoding: s.encoding,
            live: s.live,
            dead: s.dead,
            persons_by_rows: true,
        };
        self.report_table_file(label, file, errors, out);
    }

    /// The items of a database's table file read (PostgreSQL's, InnoDB's): its live rows,
    /// its deleted rows apart (`label!(deleted)`) when there are some, then `errors`.
    fn report_table_file(
        &self,
        label: &str,
        mut file: TableFile,
        errors: Vec<Error>,
        out: &mut Vec<Item>,
    ) {
        let enc = Some(file.encoding);
        let qualified = |cols: Vec<(String, Category)>| match &file.table {
            Some(t) => cols
                .into_iter()
                .map(|(c, cat)| (format!("{t}.{c}"), cat))
                .collect(),
            None => cols,
        };
        for (part, path) in [
            (&mut file.live, label.to_string()),
            (&mut file.dead, format!("{label}!(deleted)")),
        ] {
            let (records, columns) = part.finish();
            if records == 0 && path != label {
                continue;
            }
            if file.persons_by_rows {
                part.tally.persons_at_most(part.table.person_rows());
            }
            let tally = std::mem::replace(&mut part.tally, Tally::new(self.opts.categories));
            self.push_report(out, tally, path, enc, Some(records), qualified(columns));
        }
        out.extend(errors.into_iter().map(|error| Item::Failed {
            path: label.to_string(),
            error,
        }));
    }

    /// A pg_dump custom-format archive ([`crate::pgdump`]): one item for its tables, the
    /// items of the files stored in it as large objects (`backup.dump!lo/16401`), and an
    /// error item after them when it breaks off or passes a cap. With more than one thread
    /// it is read as [`Scanner::pgdump_piped`] reads it (the same items).
    fn scan_pgdump(&self, name: &str, r: &mut dyn Read, out: &mut Vec<Item>) {
        let mut objects = Vec::new();
        let mut blob = |oid: i64, data: &[u8]| {
            self.scan_nested(
                format!("{name}!lo/{oid}"),
                data,
                "large objects",
                &mut objects,
            );
        };
        let ratio = u64::from(self.opts.max_ratio.max(1));
        let (read, encoding, error) = if crate::spread::threads() > 1 {
            self.pgdump_piped(name, r, ratio, &mut blob)
        } else {
            let mut tally = Tally::new(self.opts.categories);
            let a = crate::pgdump::read(r, &mut tally, ratio, &mut blob);
            (Ok((tally, Some(a.records), a.columns)), a.encoding, a.error)
        };
        match read {
            Ok((tally, records, columns)) => self.push_report(
                out,
                tally,
                name.to_string(),
                Some(encoding),
                records,
                columns,
            ),
            Err(e) => out.push(Item::Failed {
                path: name.to_string(),
                error: Error::Read(e.to_string()),
            }),
        }
        out.extend(objects);
        if let Some(e) = error {
            out.push(Item::Failed {
                path: name.to_string(),
                error: Error::Read(e.to_string()),
            });
        }
    }

    /// A pg_dump archive read and decompressed on this thread while another reads the SQL
    /// text it makes (in UTF-8) as a plain dump is read, its chunks on every core
    /// ([`crate::spread`]): what that reader counted (or why it failed), the archive's
    /// encoding, and why the archive broke off, if it did.
    fn pgdump_piped(
        &self,
        name: &str,
        r: &mut dyn Read,
        ratio: u64,
        blob: &mut dyn FnMut(i64, &[u8]),
    ) -> (PgdumpRead, &'static str, Option<io::Error>) {
        let cats = self.opts.categories;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        std::thread::scope(|s| {
            let consumer = std::thread::Builder::new()
                .name("kizuki-pgdump".into())
                .spawn_scoped(s, move || -> PgdumpRead {
                    crate::quiet_thread();
                    let mut r = crate::carve::Received::new(rx);
                    let mut head = vec![0u8; decode::HEAD];
                    let n = kizuki_core::io::read_full(&mut r, &mut head)?;
                    head.truncate(n);
                    let mut tally = Tally::new(cats);
                    let found = scan_into(name, &head, &mut r, &mut tally, None)?;
                    let (records, columns) =
                        found.map_or((Some(0), Vec::new()), |f| (f.records, f.columns));
                    Ok((tally, records, columns))
                });
            let mut block: Vec<u8> = b"-- PostgreSQL database dump\n\n".to_vec();
            let mut tx = Some(tx);
            // Another encoding than UTF-8 is decoded as a stream: pieces cut characters.
            let mut decoder: Option<encoding_rs::Decoder> = None;
            let mut text = String::new();
            let mut emit = |piece: &[u8], enc: &'static encoding_rs::Encoding| {
                if enc == encoding_rs::UTF_8 {
                    block.extend_from_slice(piece);
                } else {
                    let d = decoder.get_or_insert_with(|| enc.new_decoder_without_bom_handling());
                    text.clear();
                    text.reserve(
                        d.max_utf8_buffer_length(piece.len())
                            .unwrap_or(piece.len() * 3),
                    );
                    let _ = d.decode_to_string(piece, &mut text, false);
                    block.extend_from_slice(text.as_bytes());
                }
                if block.len() >= 1 << 20
                    && let Some(t) = &tx
                    && t.send(std::mem::take(&mut block)).is_err()
                {
                    // The reader stopped (an error it reports): the archive is read on.
                    tx = None;
                }
            };
            let (encoding, error) = crate::pgdump::read_as_sql(r, ratio, blob, &mut emit);
            if let Some(t) = tx.take() {
                let _ = t.send(block);
            }
            let read = match consumer {
                Ok(h) => h.join().unwrap_or_else(|_| {
                    Err(io::Error::other("the reader of the archive's rows failed"))
                }),
                Err(e) => Err(e),
            };
            (read, encoding, error)
        })
    }

    /// A data file of a pg_dump directory archive (`pg_dump -Fd`: `toc.dat` and a file per
    /// table, `3001.dat`, `.dat.gz`, `.dat.lz4` or `.dat.zst`): its rows read as the `COPY`
    /// statement `toc.dat` gives them (named columns, the database's encoding). `false` when
    /// `path` is no such file, or no table of contents beside it names it.
    fn scan_pgdump_data(&self, path: &Path, label: &str, out: &mut Vec<Item>) -> bool {
        let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
            return false;
        };
        let (Some((id, ext)), Some(dir)) = (crate::pgdump::data_file(file), path.parent()) else {
            return false;
        };
        // `None`: lz4 (a frame), which the walker does not know.
        let ft = match ext {
            "" => Some(FileType::Unknown),
            ".gz" => Some(FileType::Gzip),
            ".zst" => Some(FileType::Zstd),
            ".lz4" => None,
            _ => return false,
        };
        let toc = cached(&self.pg_tocs, dir, || {
            let mut f = File::open(dir.join("toc.dat")).ok()?;
            crate::pgdump::read_toc(&mut f).ok()
        });
        let Some((toc, copy)) = toc.and_then(|t| t.copy(id).map(|c| (t, c))) else {
            return false;
        };
        let stop: Rc<RefCell<Option<Error>>> = Rc::default();
        let mut tally = Tally::new(self.opts.categories);
        let res = (|| -> io::Result<(u64, Vec<(String, Category)>)> {
            let read = Rc::new(Cell::new(0u64));
            let raw = kizuki_files::archive::Counting::new(
                io::BufReader::new(File::open(path)?),
                read.clone(),
            );
            let data: Box<dyn Read> = match ft {
                Some(FileType::Unknown) => Box::new(raw),
                None => Box::new(lz4_flex::frame::FrameDecoder::new(raw)),
                Some(ft) => kizuki_files::archive::stream_decoder(ft, raw)
                    .ok_or_else(|| io::Error::other("not a compressed stream"))?,
            };
            let mut data = Guarded {
                inner: data,
                read,
                written: 0,
                ratio: if ft == Some(FileType::Unknown) {
                    u64::MAX
                } else {
                    u64::from(self.opts.max_ratio.max(1))
                },
                stop: stop.clone(),
            };
            crate::pgdump::read_data_file(&mut data, &copy, toc.encoding, &mut tally)
        })();
        self.report_rows(out, tally, label, toc.encoding_name(), res);
        if let Some(error) = stop.borrow_mut().take() {
            out.push(Item::Failed {
                path: label.to_string(),
                error,
            });
        }
        true
    }

    /// A table's data file of `mysqldump --tab` (`customers.txt`: tab-separated rows
    /// without a header, `\N` for NULL, backslash escapes) with its `customers.sql` beside
    /// it (the `CREATE TABLE`): the rows read under the table's columns, as a dump's. `false`
    /// when `path` is no such file (no `.sql` beside it defining the table of its name with
    /// as many columns as its first row has cells, or not a text in an encoding whose lines
    /// end in a line feed byte).
    fn scan_tab_data(&self, path: &Path, label: &str, head: &[u8], out: &mut Vec<Item>) -> bool {
        if path
            .extension()
            .is_none_or(|e| !e.eq_ignore_ascii_case("txt"))
        {
            return false;
        }
        let Some(encoding) = decode::detect(head).filter(|e| e.is_ascii_compatible()) else {
            return false;
        };
        // The definition: a few KiB (read up to 1 MiB; a larger `.sql` is no such file).
        let Ok(Some(sql)) = File::open(path.with_extension("sql"))
            .and_then(|f| kizuki_core::io::read_capped(f, 1 << 20))
        else {
            return false;
        };
        let sql = encoding.decode_without_bom_handling(&sql).0;
        let mut tally = Tally::new(self.opts.categories);
        let mut dump = crate::sql::Dump::default();
        let defines = sql.lines().any(|l| {
            let l = l.trim_start();
            l.len() >= 12 && l[..12].eq_ignore_ascii_case("CREATE TABLE")
        });
        if !defines {
            return false;
        }
        for line in sql.lines() {
            dump.line(line, &mut tally);
        }
        // mysqldump's pair: the table's name is the files', and a row has a cell per column
        // (a `notes.txt` beside a `schema.sql` is a text, read as one).
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let first = head.split(|b| *b == b'\n').next().unwrap_or(&[]);
        let cells = first.iter().filter(|b| **b == b'\t').count() + 1;
        let Some(name) = dump
            .first_table()
            .filter(|(n, cols)| *n == stem && *cols == cells)
            .map(|(n, _)| n.to_string())
        else {
            return false;
        };
        let copy = format!("COPY `{name}` FROM stdin;");
        let res = File::open(path).and_then(|mut f| {
            crate::pgdump::read_rows_into(dump, &mut f, &copy, encoding, &mut tally)
        });
        self.report_rows(out, tally, label, encoding.name(), res);
        true
    }

    /// The item of a table's rows read (`res`: its records and columns), or the error that
    /// stopped them.
    fn report_rows(
        &self,
        out: &mut Vec<Item>,
        tally: Tally,
        label: &str,
        encoding: &str,
        res: io::Result<(u64, Vec<(String, Category)>)>,
    ) {
        match res {
            Ok((records, columns)) => self.push_report(
                out,
                tally,
                label.to_string(),
                Some(encoding),
                Some(records),
                columns,
            ),
            Err(e) => out.push(Item::Failed {
                path: label.to_string(),
                error: Error::Read(e.to_string()),
            }),
        }
    }

    /// The items of a PostgreSQL table file read.
    fn report_pg(&self, name: &str, heap: crate::pgheap::Heap, out: &mut Vec<Item>) {
        let mut errors = Vec::new();
        if heap.unread > 0 {
            errors.push(Error::Read(format!(
                "PostgreSQL table file: {} rows whose columns could not be told apart were not read",
                heap.unread
            )));
        }
        if heap.out_of_line > 0 {
            errors.push(Error::Read(format!(
                "PostgreSQL table file: {} values stored out of line (TOAST) not read: no TOAST table beside it, or lz4",
                heap.out_of_line
            )));
        }
        let file = TableFile {
            table: heap.table,
            encoding: heap.encoding,
            live: heap.live,
            dead: heap.dead,
            persons_by_rows: false,
        };
        self.report_table_file(name, file, errors, out);
    }

    fn scan_sqlite(&self, path: &Path, label: &str, out: &mut Vec<Item>) {
        let mut tally = Tally::new(self.opts.categories);
        let db = crate::sqlite::scan(path, &mut tally);
        self.report_sqlite(label, tally, db, out);
    }

    /// One item for a database, and a failed item per table (or for the file) not read.
    fn report_sqlite(
        &self,
        label: &str,
        tally: Tally,
        db: rusqlite::Result<crate::sqlite::Db>,
        out: &mut Vec<Item>,
    ) {
        match db {
            Ok(db) => {
                if let Some(e) = db.wal_error {
                    out.push(Item::Failed {
                        path: format!("{label}-wal"),
                        error: Error::Read(format!("write-ahead log not read: {e}")),
                    });
                }
                self.push_report(
                    out,
                    tally,
                    label.to_string(),
                    None,
                    Some(db.records),
                    db.columns,
                );
                // Its deleted rows: an object of their own, beside the live ones.
                if let Some(del) = db.deleted {
                    let path = format!("{label}!(deleted)");
                    if del.capped {
                        out.push(Item::Failed {
                            path: path.clone(),
                            error: Error::Cap(format!(
                                "deleted rows: recovery stopped at {} rows",
                                del.records
                            )),
                        });
                    }
                    self.push_report(out, del.tally, path, None, Some(del.records), del.columns);
                }
                for (table, e) in db.errors {
                    out.push(Item::Failed {
                        path: format!("{label}!{table}"),
                        error: Error::Read(e),
                    });
                }
            }
            Err(e) => out.push(Item::Failed {
                path: label.to_string(),
                error: Error::Read(format!("SQLite database: {e}")),
            }),
        }
    }

    fn push_report(
        &self,
        out: &mut Vec<Item>,
        tally: Tally,
        path: String,
        encoding: Option<&str>,
        records: Option<u64>,
        columns: Vec<(String, Category)>,
    ) {
        if tally.total() >= self.opts.min_count {
            out.push(Item::Found(tally.report(
                path,
                encoding,
                records,
                columns,
                self.opts.reveal,
            )));
        }
    }

    /// Scans a text or table read from `r` after its first bytes `head` into `out`: its
    /// report (none when binary, or below `min_count`), then what the files encoded in its
    /// values hold (`x.jsonl!#12!顧客.csv`).
    pub fn scan_stream(
        &self,
        name: &str,
        head: &[u8],
        r: &mut dyn Read,
        out: &mut Vec<Item>,
    ) -> io::Result<()> {
        // A PostgreSQL table file (binary: no text decoder would take it), from a data
        // directory or a `pg_basebackup` archive.
        if crate::pgheap::is_heap(head) {
            if crate::pgheap::is_catalog(name) {
                return Ok(());
            }
            return self.scan_pg(name, &mut Cursor::new(head).chain(r), out);
        }
        // A pg_dump archive (`-Fc`): its tables as a SQL dump's.
        if crate::pgdump::is_custom(head) {
            self.scan_pgdump(name, &mut Cursor::new(head).chain(r), out);
            return Ok(());
        }
        let mut tally = Tally::new(self.opts.categories);
        let nested = |path: &str, data: &[u8]| {
            let mut items = Vec::new();
            self.scan_nested(path.to_string(), data, "encoded values", &mut items);
            items
        };
        let Some(found) = scan_into(name, head, r, &mut tally, Some(&nested))? else {
            return Ok(());
        };
        if tally.total() >= self.opts.min_count {
            out.push(Item::Found(tally.report(
                name.to_string(),
                Some(found.encoding),
                found.records,
                found.columns,
                self.opts.reveal,
            )));
        }
        out.extend(found.nested);
        Ok(())
    }

    /// [`Scanner::scan_raw`] on bytes in memory (read twice: rereading costs nothing); an
    /// error becomes a failed item.
    fn carve_bytes(&self, name: &str, data: &[u8], out: &mut Vec<Item>) {
        let mut open = || -> io::Result<Box<dyn Read + '_>> { Ok(Box::new(data)) };
        if let Err(e) = self.scan_raw(name, &mut open, true, out) {
            out.push(Item::Failed {
                path: name.to_string(),
                error: Error::Read(e.to_string()),
            });
        }
    }

    /// Carves the text out of a raw disk or memory image ([`crate::carve`]): one item per
    /// region holding personal data, named `image!@OFFSET`, in the order of the offsets.
    /// `open` gives the image from its start: it is read twice (byte encodings, then UTF-16).
    fn scan_raw<'a>(
        &self,
        name: &str,
        open: &mut dyn FnMut() -> io::Result<Box<dyn Read + 'a>>,
        in_memory: bool,
        out: &mut Vec<Item>,
    ) -> io::Result<()> {
        let tee = !in_memory && crate::spread::threads() > 1;
        // A stream: from its start only (the carving's passes); an offset is refused.
        let span = self.carve_span(
            name,
            &mut |x| {
                if x == 0 {
                    open()
                } else {
                    Err(io::Error::new(
                        io::ErrorKind::Unsupported,
                        "a stream is read from its start only",
                    ))
                }
            },
            0,
            None,
            tee,
        )?;
        out.extend(span.found.into_iter().flat_map(|(_, items)| items));
        Ok(())
    }

    /// [`Scanner::scan_raw`] for an image that can be read from any offset (a file on disk,
    /// an EnCase image) of `size` bytes: carved in segments of [`SEGMENT`], on every thread,
    /// each from the first rest point of its own ([`crate::carve::rest_after`]) to the first
    /// rest point after its end. The segments are joined in order: a segment's items stand
    /// from where the one before it ended on, if it was at rest there as well (it was not in
    /// the middle of a database it copies out); else that stretch is carved again from there.
    /// The items are those of one carving from the start, object for object.
    fn scan_image(
        &self,
        name: &str,
        size: u64,
        open: &(dyn Fn(u64) -> io::Result<Box<dyn Read>> + Sync),
        workers: usize,
        parts: Option<&dyn Parts>,
        out: &mut Vec<Item>,
    ) -> io::Result<()> {
        // Carved so far (of `size`), for [`Scanner::images`]; all of it once done, or failed.
        let (carved, total) = (&self.images.0, &self.images.1);
        total.fetch_add(size, Ordering::Relaxed);
        let counted = std::sync::atomic::AtomicU64::new(0);
        let count = |to: u64| {
            let to = to.min(size);
            let before = counted.fetch_max(to, Ordering::Relaxed);
            carved.fetch_add(to.saturating_sub(before), Ordering::Relaxed);
        };
        let res = (|| -> io::Result<()> {
            // What an earlier run recorded of it: carving goes on where that ends.
            let mut first = 0u64;
            for (_, stop, items) in parts.map(|p| p.recorded()).unwrap_or_default() {
                out.extend(items);
                first = stop;
            }
            count(first);
            if first >= size && first > 0 {
                return Ok(());
            }
            let segments = size.div_ceil(SEGMENT).max(1);
            let threads = crate::spread::threads();
            // The nominal end of the segment that holds `at`: a span carved from `at` stops at
            // the first rest point after it.
            let end_of = |at: u64| Some((at / SEGMENT + 1) * SEGMENT).filter(|b| *b < size);
            // The items of a span from `at` on, recorded before they are given.
            let mut give = |span: Span, at: u64| -> io::Result<u64> {
                let items: Vec<Item> = span
                    .found
                    .into_iter()
                    .filter(|(start, _)| *start >= at)
                    .flat_map(|(_, items)| items)
                    .collect();
                if let Some(p) = parts
                    && span.stop < size
                    && !p.record((at, span.stop), &items)
                {
                    return Err(io::Error::other("the ledger could not be written"));
                }
                out.extend(items);
                count(span.stop);
                Ok(span.stop)
            };
            let j0 = first / SEGMENT;
            let workers = workers.min(usize::try_from(segments - j0).unwrap_or(usize::MAX));
            if workers <= 1 {
                // One segment after the other, each from where the one before it stopped.
                let mut at = first;
                while at < size {
                    let span =
                        self.carve_span(name, &mut |x| open(x), at, end_of(at), threads > 1)?;
                    at = give(span, at)?;
                }
                return Ok(());
            }
            // Segment `j`, carved by itself from its first rest point: `None` when it holds none
            // (the one before it runs on through it). The first one starts where the ledger's
            // segments stop.
            let carve = |j: u64| -> io::Result<Option<Span>> {
                let b = j * SEGMENT;
                let from = if j == j0 {
                    Some(first)
                } else {
                    let mut r = open(b - crate::carve::SECTOR)?;
                    crate::carve::rest_after(&mut r, b, (b + SEGMENT).min(size))?
                };
                match from {
                    Some(from) => self
                        .carve_span(name, &mut |x| open(x), from, end_of(b), true)
                        .map(Some),
                    None => Ok(None),
                }
            };
            // The segments carved and not yet joined: workers keep at most `AHEAD` past the
            // last one joined (a crafted EnCase image may claim any size; the work done ahead
            // of a long stretch without a rest point is wasted).
            struct Carved {
                next: u64,
                joined: u64,
                done: HashMap<u64, io::Result<Option<Span>>>,
                cancel: bool,
            }
            let ahead = 2 * workers as u64 + 2;
            let state = std::sync::Mutex::new(Carved {
                next: j0,
                joined: j0,
                done: HashMap::new(),
                cancel: false,
            });
            let lock = || {
                state
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            };
            let moved = std::sync::Condvar::new();
            let wait = |g| {
                moved
                    .wait(g)
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            };
            // Files found in the image are read on the workers as deep as on this thread.
            let depth = crate::mail::depth();
            std::thread::scope(|s| -> io::Result<()> {
                let work = || {
                    crate::quiet_thread();
                    crate::mail::set_depth(depth);
                    loop {
                        let j = {
                            let mut g = lock();
                            loop {
                                if g.cancel || g.next >= segments {
                                    return;
                                }
                                if g.next < g.joined + ahead {
                                    g.next += 1;
                                    break g.next - 1;
                                }
                                g = wait(g);
                            }
                        };
                        let got = crate::guarded(|| carve(j)).unwrap_or_else(|_| {
                            Err(io::Error::other(
                                "kizuki failed on this image (a bug: please report it)",
                            ))
                        });
                        lock().done.insert(j, got);
                        moved.notify_all();
                    }
                };
                for _ in 0..workers {
                    let spawned = std::thread::Builder::new()
                        .name("kizuki-segments".into())
                        .spawn_scoped(s, work);
                    if let Err(e) = spawned {
                        lock().cancel = true;
                        moved.notify_all();
                        return Err(e);
                    }
                }
                // Joined in order, as each is carved.
                let mut at = first;
                let res = (|| -> io::Result<()> {
                    for j in j0..segments {
                        let got = {
                            let mut g = lock();
                            loop {
                                if let Some(got) = g.done.remove(&j) {
                                    g.joined = j + 1;
                                    break got;
                                }
                                g = wait(g);
                            }
                        };
                        moved.notify_all();
                        let span = got?;
                        let Some(span) = span.filter(|s| s.stop > at) else {
                            // No rest point in it, or carved through by the one before it.
                            continue;
                        };
                        let span = if span.from <= at && !crate::sqlite::busy_at(&span.copies, at) {
                            span
                        } else {
                            // It was copying a file out where the one before it stopped: carved
                            // again from there.
                            #[cfg(test)]
                            REDONE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            self.carve_span(name, &mut |x| open(x), at, end_of(at), false)?
                        };
                        at = give(span, at)?;
                        if at >= size {
                            break;
                        }
                    }
                    // (A segment after the last one joined always goes on from its end; should
                    // none, the rest is carved here.)
                    while at < size {
                        let span =
                            self.carve_span(name, &mut |x| open(x), at, end_of(at), false)?;
                        at = give(span, at)?;
                    }
                    Ok(())
                })();
                lock().cancel = true;
                moved.notify_all();
                res
            })
        })();
        count(size);
        res
    }

    /// [`Scanner::scan_image`] for the file `path` (opened as `f`), on every thread.
    fn scan_image_file(
        &self,
        path: &Path,
        label: &str,
        f: File,
        parts: Option<&dyn Parts>,
        out: &mut Vec<Item>,
    ) -> io::Result<()> {
        let size = f.metadata()?.len();
        drop(f);
        let open = |at| open_at(path, at);
        self.scan_image(label, size, &open, crate::spread::threads(), parts, out)
    }

    /// Carves an image from offset `from` (0 or a rest point) to its end, or to the first rest
    /// point at or after `stop_after`. `open` gives the image from an offset; with `tee`, the
    /// UTF-16 pass reads a copy of what the byte pass reads, on a thread of its own (an EnCase
    /// image or a compressed stream is inflated once, a disk read once); else the image is
    /// read again for it.
    fn carve_span<'a>(
        &self,
        name: &str,
        open: &mut dyn FnMut(u64) -> io::Result<Box<dyn Read + 'a>>,
        from: u64,
        stop_after: Option<u64>,
        tee: bool,
    ) -> io::Result<Span> {
        let cats = self.opts.categories;
        let report = |region: crate::carve::Region| {
            let mut items = Vec::new();
            self.push_report(
                &mut items,
                region.tally,
                format!("{name}!@{}", region.start),
                Some(region.encoding),
                region.records,
                region.columns,
            );
            (!items.is_empty()).then_some((region.start, items))
        };
        let mut found: Vec<(u64, Vec<Item>)> = Vec::new();
        // SQLite databases and compound files (Word, Excel, Outlook) stored in one piece are
        // copied out on the first pass and read as what they are, one at a time: as text,
        // a database's pages run its values together, and a document's cells and a mail's
        // attachments lose their structure.
        let mut dbs: Vec<(u64, u64, Vec<Item>)> = Vec::new();
        let mut on_db = |kind: crate::sqlite::Spotted, at: u64, mut db: Vec<u8>| {
            let path = format!("{name}!@{at}");
            let mut items = Vec::new();
            match kind {
                crate::sqlite::Spotted::Sqlite => {
                    let mut tally = Tally::new(self.opts.categories);
                    // A copy SQLite cannot read (a fragmented file, overwritten pages) is
                    // left to the text carver.
                    let Ok(read) = crate::sqlite::scan_bytes(&db, &mut tally) else {
                        return;
                    };
                    self.report_sqlite(&path, tally, Ok(read), &mut items);
                }
                crate::sqlite::Spotted::Postgres => {
                    // Pages with no row read (none with rows, or none whose columns could be
                    // told apart) are left to the text carver.
                    let Ok(heap) = crate::pgheap::read(&mut &db[..], self.opts.categories, None)
                    else {
                        return;
                    };
                    if !heap.has_rows() {
                        return;
                    }
                    self.report_pg(&path, heap, &mut items);
                }
                crate::sqlite::Spotted::Innodb => {
                    // A MySQL 8 table's file (a dropped table's, deleted: its blocks keep
                    // it): read as the file is; one that does not read is carved.
                    let Some((_, ps)) = crate::innodb::mysql8_size(&db) else {
                        return;
                    };
                    if !self.scan_mysql8(&db[..], ps, &path, &mut items) {
                        return;
                    }
                }
                crate::sqlite::Spotted::Pst => {
                    // A mailbox (deleted, or an OST cache): read as the file is. A copy that
                    // does not open (a fragmented file, one cut by the image's end) is
                    // carved, and told: its blocks are most often scrambled, so the carver
                    // finds nothing in them, and a file system tool may still copy it whole.
                    let src = crate::pst::Bytes(&db);
                    let (len, size) = (db.len() as u64, crate::pst::size(&db).unwrap_or(0));
                    match crate::pst::Pst::open_found(&src, len) {
                        Ok(pst) => {
                            if len < size {
                                items.push(Item::Failed {
                                    path: path.clone(),
                                    error: Error::Read(format!(
                                        "Outlook data file of {size} bytes by its header, cut by the image's end after {len}: read as far as it goes"
                                    )),
                                });
                            }
                            self.read_pst(&path, &pst, len, &mut items);
                        }
                        Err(e) => {
                            items.push(Item::Failed {
                                path,
                                error: Error::Read(if len < size {
                                    format!("Outlook data file of {size} bytes by its header, cut by the image's end after {len} ({e}): carved")
                                } else {
                                    format!("Outlook data file of {size} bytes by its header, not stored in one piece here ({e}): carved")
                                }),
                            });
                            // An empty span: the carver's regions in it stand.
                            dbs.push((at, at, items));
                            return;
                        }
                    }
                }
                crate::sqlite::Spotted::SevenZip => {
                    // A 7z archive stored in one piece (the staged archive, deleted): read as
                    // the file is, its members under it. One that does not open (a fragmented
                    // file) gives what the walker tells of it, as a file would. Nested as
                    // any file in a file (an image in it holds such archives in turn).
                    self.scan_nested_as(path, &db, 1, true, "files in images", &mut items);
                }
                crate::sqlite::Spotted::Lzh { cut } | crate::sqlite::Spotted::Rar { cut } => {
                    // An LZH or RAR archive, copied up to its end mark: read as a 7z archive
                    // is. One whose members end before it (a header overwritten, a fragmented
                    // file, the image's end) is told when what it gave holds personal data.
                    self.scan_nested_as(path.clone(), &db, 1, true, "files in images", &mut items);
                    if cut && !items.is_empty() {
                        items.push(Item::Failed {
                            path,
                            error: Error::Read(
                                "its members end before the archive's end mark (a header \
                                 overwritten, or a fragmented file): read as far as they go"
                                    .into(),
                            ),
                        });
                    }
                }
                crate::sqlite::Spotted::Unzipped {
                    name: member,
                    end,
                    cut,
                    encrypted,
                } => {
                    // A zip member (a workbook's part, an archive's file) or a gzip file,
                    // decompressed: read as the file it is, under its name. Its compressed
                    // bytes hold no text (a stored member's text is read here: the carver's
                    // regions in it give way). An archive rebuilt from its members is named by
                    // its offset alone.
                    let path = if member.is_empty() {
                        path
                    } else {
                        format!("{path}!{}", member.replace('!', "_"))
                    };
                    self.scan_nested_as(
                        path.clone(),
                        &db,
                        1,
                        !encrypted,
                        "files in images",
                        &mut items,
                    );
                    if let Some(why) = cut
                        && !items.is_empty()
                    {
                        items.push(Item::Failed {
                            path,
                            error: Error::Read(format!("{why}: read as far as it goes")),
                        });
                    }
                    dbs.push((at, end, items));
                    return;
                }
                crate::sqlite::Spotted::Ole => {
                    db.truncate(crate::ole::used_len(&db));
                    // Neither a mail, a document nor a workbook (a presentation), or too
                    // damaged to open: carved.
                    if !self.read_ole(&path, &db, &mut items) {
                        return;
                    }
                }
            }
            dbs.push((at, at + db.len() as u64, items));
        };
        let (too_large, copies, stop, utf16) = std::thread::scope(|s| -> io::Result<_> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
            let second = tee
                .then(|| {
                    std::thread::Builder::new()
                        .name("kizuki-utf16".into())
                        .spawn_scoped(s, || {
                            crate::quiet_thread();
                            let mut found = Vec::new();
                            let mut r = crate::carve::Received::new(rx);
                            crate::carve::regions_utf16(&mut r, from, cats, &mut |reg| {
                                found.extend(report(reg));
                            })
                            .map(|()| found)
                        })
                        .ok()
                })
                .flatten();
            let mut spot = crate::sqlite::Spotter::new(open(from)?, self.copy_cap, &mut on_db)
                .stopping(from, stop_after);
            // The copy for the UTF-16 pass is taken above the spotter: it ends where the
            // spotter stops.
            let mut tee =
                crate::carve::Tee::new(Box::new(&mut spot), second.is_some().then_some(tx));
            let first = crate::carve::regions(&mut tee, from, cats, &mut |reg| {
                found.extend(report(reg));
            });
            // On an error the other pass ends where the copy ends; its regions are dropped
            // with the error.
            let first = match first {
                Ok(()) => tee.finish(),
                Err(e) => {
                    drop(tee);
                    Err(e)
                }
            };
            let too_large = std::mem::take(&mut spot.too_large);
            let copies = std::mem::take(&mut spot.copies);
            let stop = spot.stopped;
            drop(spot);
            let utf16 = second.map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            first?;
            Ok((too_large, copies, stop, utf16))
        })?;
        match utf16 {
            Some(regions) => found.extend(regions?),
            None => {
                let r = open(from)?;
                let mut r: Box<dyn Read + 'a> = match stop {
                    Some(y) => Box::new(r.take(y - from)),
                    None => r,
                };
                crate::carve::regions_utf16(&mut r, from, cats, &mut |reg| {
                    found.extend(report(reg));
                })?;
            }
        }
        for (at, end, items) in dbs {
            found.retain(|(start, _)| !(at..end).contains(start));
            if !items.is_empty() {
                found.push((at, items));
            }
        }
        for (kind, at, size) in too_large {
            // An Outlook data file too large to copy out (a mailbox exported whole: gigabytes)
            // is read in place, where the image can be read at offsets (on disk, raw or
            // EnCase); its blocks are not carved besides, in this span.
            if kind == crate::sqlite::Spotted::Pst {
                let src = ImageAt {
                    open: std::cell::RefCell::new(&mut *open),
                    base: at,
                };
                if let Ok(pst) = crate::pst::Pst::open_found(&src, size) {
                    let mut items = Vec::new();
                    self.read_pst(&format!("{name}!@{at}"), &pst, size, &mut items);
                    found.retain(|(start, _)| !(at..at.saturating_add(size)).contains(start));
                    found.push((at, items));
                    continue;
                }
            }
            let what = match kind {
                crate::sqlite::Spotted::Sqlite => "SQLite database",
                crate::sqlite::Spotted::Ole => "compound file (its FAT's reach)",
                // Handed on in pieces of the cap: never too large.
                crate::sqlite::Spotted::Postgres => "PostgreSQL pages",
                crate::sqlite::Spotted::Innodb => "MySQL 8 tablespace",
                crate::sqlite::Spotted::SevenZip => "7z archive",
                crate::sqlite::Spotted::Lzh { .. } => "LZH archive",
                crate::sqlite::Spotted::Rar { .. } => "RAR archive",
                crate::sqlite::Spotted::Pst => "Outlook data file",
                // Decompressed as they pass, never copied whole: never too large.
                crate::sqlite::Spotted::Unzipped { .. } => "compressed file",
            };
            found.push((
                at,
                vec![Item::Failed {
                    path: format!("{name}!@{at}"),
                    // No cap of the configuration: what is copied out of an image is
                    // bounded here. The way to read it whole is to copy it out.
                    error: Error::Read(format!(
                        "{what} of {size} bytes, more than the {} copied out of an image: carved as text; copy it out (dd skip={at} count={size} iflag=skip_bytes,count_bytes) to read it whole",
                        self.copy_cap
                    )),
                }],
            ));
        }
        found.sort_by_key(|(start, _)| *start);
        Ok(Span {
            from,
            stop: stop.unwrap_or(u64::MAX),
            found,
            copies,
        })
    }
}

/// An image read at offsets from `base` through `open`, which gives it from any offset (an
/// image on disk, raw or EnCase; a stream read from its start only fails at others).
struct ImageAt<'o, 'a> {
    open: std::cell::RefCell<&'o mut dyn FnMut(u64) -> io::Result<Box<dyn Read + 'a>>>,
    base: u64,
}

impl crate::pst::At for ImageAt<'_, '_> {
    fn read_at(&self, off: u64, buf: &mut [u8]) -> io::Result<()> {
        let at = self
            .base
            .checked_add(off)
            .ok_or_else(|| io::Error::other("offset past the image"))?;
        let mut open = self.open.try_borrow_mut().map_err(io::Error::other)?;
        (*open)(at)?.read_exact(buf)
    }
}

/// A file read from offset `at` on.
fn open_at(path: &Path, at: u64) -> io::Result<Box<dyn Read>> {
    use std::io::Seek as _;
    let mut f = File::open(path)?;
    f.seek(io::SeekFrom::Start(at))?;
    Ok(Box::new(f))
}

/// Images larger than this are carved in segments of this size, on every thread
/// ([`Scanner::scan_image`]).
#[cfg(not(test))]
const SEGMENT: u64 = 64 << 20;
#[cfg(test)]
const SEGMENT: u64 = 64 << 10;

/// Where the segments of an image are recorded as they are carved (the ledger of a scan,
/// [`crate::resume`]), so that a scan cut off goes on inside the image.
pub(crate) trait Parts: Sync {
    /// The segments recorded, one after the other from the image's start: where each starts
    /// and stops, and its items.
    fn recorded(&self) -> Vec<(u64, u64, Vec<Item>)>;
    /// Records a segment; `false` when the ledger failed (the scan stops).
    fn record(&self, span: (u64, u64), items: &[Item]) -> bool;
}

/// [`Parts`] in the ledger of [`Scanner::scan_paths_resuming`].
struct LedgerParts<'g, 'a> {
    giver: &'g std::sync::Mutex<Giver<'a>>,
    label: String,
    stamp: Stamp,
    stop: &'g AtomicBool,
    moved: &'g std::sync::Condvar,
}

impl Parts for LedgerParts<'_, '_> {
    fn recorded(&self) -> Vec<(u64, u64, Vec<Item>)> {
        let mut g = self
            .giver
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.ledger
            .as_deref_mut()
            .map(|l| l.parts(&self.label, self.stamp))
            .unwrap_or_default()
    }

    fn record(&self, span: (u64, u64), items: &[Item]) -> bool {
        let mut g = self
            .giver
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(l) = g.ledger.as_deref_mut() else {
            return true;
        };
        match l.record_part(&self.label, self.stamp, span, items) {
            Ok(()) => true,
            Err(e) => {
                g.error = Some(e);
                self.stop.store(true, Ordering::Release);
                self.moved.notify_all();
                false
            }
        }
    }
}

/// Segments carved again (the unit tests check that they were).
#[cfg(test)]
static REDONE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// What carving a stretch of an image gave ([`Scanner::carve_span`]).
struct Span {
    /// Where it began (0 or a rest point).
    from: u64,
    /// Where it ended: a rest point, or `u64::MAX` at the image's end.
    stop: u64,
    /// Items by their object's offset, in order.
    found: Vec<(u64, Vec<Item>)>,
    /// The files copied out of it ([`crate::sqlite::Spotter::copies`]).
    copies: Vec<(u64, u64)>,
}

/// What [`scan_into`] saw of a text.
pub(crate) struct Scanned {
    /// The detected encoding's name.
    pub encoding: &'static str,
    /// Data rows when the text was a table.
    pub records: Option<u64>,
    /// The table's classified columns.
    pub columns: Vec<(String, Category)>,
    /// What the files found encoded in its values hold ([`Nested`]).
    pub nested: Vec<Item>,
}

/// Scans a file found inside a text (a record's value in base64) at a path: the scanner's
/// [`Scanner::scan_nested`].
pub(crate) type Nested<'a> = dyn Fn(&str, &[u8]) -> Vec<Item> + Sync + 'a;

/// Scans a text or table read from `r` after its first bytes `head` into `tally`. `None`:
/// binary data (nothing was read). Files found encoded in its values are scanned by
/// `nested` (or not looked for without it).
pub(crate) fn scan_into(
    name: &str,
    head: &[u8],
    r: &mut dyn Read,
    tally: &mut Tally,
    nested: Option<&Nested<'_>>,
) -> io::Result<Option<Scanned>> {
    let Some(enc) = decode::detect(head) else {
        return Ok(None);
    };
    // Long texts and tables are read on every thread, chunks at a time ([`crate::spread`]).
    let threads = crate::spread::threads();
    let _busy = crate::spread::Busy::new();
    let mut reading = Some(Reading::new(name, threads));
    if let Some(r) = &mut reading {
        r.nested = nested;
    }
    let mut tally = Some(tally);
    let (records, columns, nested) = std::thread::scope(|s| {
        // With more than one thread, from its third chunk on, a text is decoded on this
        // thread while another reads it (and reads it apart on the chunk pool, when it may):
        // decoding (a sixth of the work in Shift_JIS) and the reads from the file go on while
        // a batch is counted. Small texts (most) spawn no thread.
        let mut handed = None;
        let mut chunks = 0;
        let decoded = decode::decode_chunks(enc, head, r, &mut |chunk: &str| {
            chunks += 1;
            if handed.is_none()
                && threads > 1
                && chunks == 3
                && let Some(batch) = reading.as_ref().map(Reading::batch)
            {
                // The reading goes to the thread once it runs: if no thread can be made,
                // it goes on here.
                let (give, given) = std::sync::mpsc::sync_channel::<(Reading, &mut Tally)>(1);
                let (tx, rx) = std::sync::mpsc::sync_channel::<String>(batch);
                // Files found in values are scanned on that thread, as deep as on this one.
                let depth = crate::mail::depth();
                let spawned = std::thread::Builder::new()
                    .name("kizuki-text".into())
                    .spawn_scoped(s, move || {
                        crate::quiet_thread();
                        crate::mail::set_depth(depth);
                        let Ok((mut reading, tally)) = given.recv() else {
                            return (None, Vec::new(), Vec::new());
                        };
                        for chunk in rx {
                            reading.chunk(Cow::Owned(chunk), tally);
                        }
                        reading.finish(tally)
                    });
                if let Ok(thread) = spawned
                    && let (Some(r), Some(t)) = (reading.take(), tally.take())
                {
                    match give.send((r, t)) {
                        Ok(()) => handed = Some((tx, thread)),
                        Err(std::sync::mpsc::SendError((r, t))) => {
                            reading = Some(r);
                            tally = Some(t);
                        }
                    }
                }
            }
            match (&handed, &mut reading, &mut tally) {
                // A send fails only when the reader is gone (it panicked: resumed below).
                (Some((tx, _)), _, _) => {
                    let _ = tx.send(chunk.to_owned());
                }
                (None, Some(reading), Some(tally)) => reading.chunk(Cow::Borrowed(chunk), tally),
                _ => {}
            }
        });
        let found = match (handed, reading, tally) {
            (Some((tx, reader)), _, _) => {
                drop(tx);
                reader
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p))
            }
            (None, Some(reading), Some(tally)) => reading.finish(tally),
            _ => (None, Vec::new(), Vec::new()),
        };
        decoded.map(|()| found)
    })?;
    Ok(Some(Scanned {
        encoding: decode::name(enc),
        records,
        columns,
        nested,
    }))
}

/// A text read chunk by chunk (each ending at a line end), in the mode its name and first
/// chunk choose.
struct Reading<'n> {
    /// The text's path, and its name in lower case.
    path: String,
    lower: String,
    mode: Option<Mode>,
    table: Table,
    rows: Option<Rows>,
    /// Text chunks and table rows, read apart ([`crate::spread`]).
    text_spread: Spread<crate::client::Blocks>,
    rows_spread: Spread<Rows>,
    /// Statements and records of dumps and JSON Lines, read apart.
    dump_spread: Spread<crate::sql::Dump>,
    jsonl_spread: Spread<JsonLines>,
    jsonl: Option<JsonLines>,
    /// Records of fixed width, read apart.
    fixed: Option<crate::fixed::Fixed>,
    /// The first chunks of a text whose first lines are of one width, kept until a chunk's
    /// worth ([`crate::decode::CHUNK`]) is there: a layout is inferred from them all (a
    /// field few records fill shows in few lines; the first chunk is the 64 KiB head).
    waiting: String,
    /// The mode (and layout) the first chunk's probes chose when its lines are not of one
    /// width: [`Reading::read`] takes it rather than probe again.
    chosen: Option<(Mode, Option<crate::fixed::Layout>)>,
    fixed_spread: Spread<crate::fixed::Fixed>,
    /// Cuts records that follow one another without line ends into lines.
    framer: Option<crate::fixed::Framer>,
    dump: crate::sql::Dump,
    json: crate::json::Json,
    cards: crate::vcard::Cards,
    xml: crate::xml::Xml,
    zengin: crate::zengin::Zengin,
    blocks: crate::client::Blocks,
    /// Scans the files found encoded in values, and what they held.
    nested: Option<&'n Nested<'n>>,
    found: Vec<Item>,
}

impl<'n> Reading<'n> {
    /// Reading for `threads` threads.
    fn new(name: &str, threads: usize) -> Self {
        Reading {
            path: name.to_string(),
            lower: name.to_ascii_lowercase(),
            mode: None,
            table: Table::new(),
            rows: None,
            text_spread: Spread::with_threads(threads),
            rows_spread: Spread::with_threads(threads),
            dump_spread: Spread::with_threads(threads),
            jsonl_spread: Spread::with_threads(threads),
            jsonl: None,
            fixed: None,
            waiting: String::new(),
            chosen: None,
            framer: None,
            fixed_spread: Spread::with_threads(threads),
            dump: Default::default(),
            json: Default::default(),
            cards: Default::default(),
            xml: Default::default(),
            zengin: Default::default(),
            blocks: Default::default(),
            nested: None,
            found: Vec::new(),
        }
    }

    /// Scans the files found encoded in values so far (at most a chunk's or a batch's).
    fn scan_encoded(&mut self) {
        let mut files = std::mem::take(&mut self.json.recs.encoded.files);
        if let Some(r) = &mut self.jsonl {
            files.append(&mut r.encoded.files);
        }
        if let Some(scan) = self.nested {
            for (record, name, data) in files {
                let path = format!("{}!#{record}!{name}", self.path);
                self.found.extend(scan(&path, &data));
            }
        }
    }

    /// Chunks read apart at a time (0: none).
    fn batch(&self) -> usize {
        self.text_spread.size()
    }

    /// Reads the next chunk.
    fn chunk(&mut self, owned: Cow<'_, str>, tally: &mut Tally) {
        let mut wait = self.mode.is_none() && !self.waiting.is_empty();
        if self.mode.is_none() && !wait && owned.len() < crate::decode::CHUNK {
            let head = &owned[..floor_boundary(&owned, 64 * 1024)];
            let format = choose_format(&self.lower, head);
            if !may_be_fixed(&self.lower, head, format) {
                self.chosen = Some((format, None));
            } else if crate::fixed::one_width(&owned) {
                wait = true;
            } else {
                // What [`choose_mode`] would find: lines of several widths are no records of
                // fixed width ([`crate::fixed::infer`] finds none), but a first line longer
                // than the head may still be records without line ends.
                self.chosen = Some(match crate::fixed::infer_unlined(&owned) {
                    Some(layout) => (Mode::Fixed, Some(layout)),
                    None => (format, None),
                });
            }
        }
        if wait {
            self.waiting.push_str(&owned);
            if self.waiting.len() >= crate::decode::CHUNK {
                self.read_waiting(tally);
            }
            return;
        }
        self.read(owned, tally);
    }

    /// Reads the chunks kept in [`Reading::waiting`] as one.
    fn read_waiting(&mut self, tally: &mut Tally) {
        if !self.waiting.is_empty() {
            let text = std::mem::take(&mut self.waiting);
            self.read(Cow::Owned(text), tally);
        }
    }

    /// Reads a chunk now.
    fn read(&mut self, owned: Cow<'_, str>, tally: &mut Tally) {
        let chunk = owned.as_ref();
        let m = match self.mode {
            Some(m) => m,
            None => {
                let (m, layout) = self
                    .chosen
                    .take()
                    .unwrap_or_else(|| choose_mode(&self.lower, chunk));
                self.framer = layout.as_ref().and_then(crate::fixed::Layout::framer);
                self.fixed = layout.map(crate::fixed::Fixed::new);
                if matches!(m, Mode::Json | Mode::Jsonl | Mode::Vcard | Mode::Zengin) {
                    self.table = Table::named();
                }
                *self.mode.insert(m)
            }
        };
        let table = &mut self.table;
        match m {
            Mode::Text => self.text_spread.read(&mut self.blocks, owned, tally),
            Mode::Sql => self.dump_spread.read(&mut self.dump, owned, tally),
            Mode::Json => self.json.chunk(chunk, table, tally),
            Mode::Vcard => self.cards.chunk(chunk, table, tally),
            Mode::Xml => self.xml.chunk(chunk, tally),
            Mode::Zengin => self.zengin.chunk(chunk, table, tally),
            Mode::Fixed => {
                let owned = match &mut self.framer {
                    Some(f) => Cow::Owned(f.frame(chunk)),
                    None => owned,
                };
                if let Some(r) = &mut self.fixed {
                    self.fixed_spread.read(r, owned, tally);
                }
            }
            Mode::Jsonl => {
                let r = self.jsonl.get_or_insert_with(|| JsonLines {
                    table: std::mem::take(table),
                    keys: None,
                    encoded: Default::default(),
                });
                self.jsonl_spread.read(r, owned, tally);
            }
            Mode::Delimited(d) => {
                let r = self
                    .rows
                    .get_or_insert_with(|| Rows::new(d, std::mem::take(table)));
                self.rows_spread.read(r, owned, tally);
            }
        }
        self.scan_encoded();
    }

    /// Reads the chunks batched for reading apart.
    fn flush(&mut self, tally: &mut Tally) {
        match self.mode {
            Some(Mode::Text) => self.text_spread.flush(&mut self.blocks, tally),
            Some(Mode::Delimited(_)) => {
                if let Some(r) = &mut self.rows {
                    self.rows_spread.flush(r, tally);
                }
            }
            Some(Mode::Sql) => self.dump_spread.flush(&mut self.dump, tally),
            Some(Mode::Jsonl) => {
                if let Some(r) = &mut self.jsonl {
                    self.jsonl_spread.flush(r, tally);
                }
            }
            Some(Mode::Fixed) => {
                if let Some(r) = &mut self.fixed {
                    self.fixed_spread.flush(r, tally);
                }
            }
            _ => {}
        }
    }

    /// Ends the text: its records when it was a table (or held tables), their columns, and
    /// what the files encoded in its values held.
    fn finish(mut self, tally: &mut Tally) -> (Option<u64>, Vec<(String, Category)>, Vec<Item>) {
        self.read_waiting(tally);
        self.flush(tally);
        if let Some(f) = &mut self.framer {
            // What follows the last whole record.
            text::scan(&f.finish(), tally);
        }
        if matches!(self.mode, Some(Mode::Json)) {
            let table = match &mut self.jsonl {
                Some(r) => &mut r.table,
                None => &mut self.table,
            };
            self.json.finish_records(table, tally);
        }
        self.scan_encoded();
        let found = std::mem::take(&mut self.found);
        let (records, columns) = self.end(tally);
        (records, columns, found)
    }

    /// [`Reading::finish`] once the chunks are read and the encoded files scanned.
    fn end(mut self, tally: &mut Tally) -> (Option<u64>, Vec<(String, Category)>) {
        let mode = self.mode;
        let mut table = self.table;
        let pending = match self.rows {
            Some(r) => {
                table = r.table;
                r.pending
            }
            None => String::new(),
        };
        if let Some(r) = self.jsonl {
            table = r.table;
        }
        if let Some(r) = self.fixed {
            table = r.table;
        }
        let (mut json, mut xml) = (self.json, self.xml);
        let mut row_cols = Vec::new();
        match mode {
            Some(Mode::Json) => row_cols = json.finish(&mut table, tally),
            Some(Mode::Vcard) => self.cards.finish(&mut table, tally),
            Some(Mode::Zengin) => self.zengin.finish(tally),
            _ => {}
        }
        match mode {
            Some(Mode::Json) if json.records() == 0 && json.row_records == 0 => (None, row_cols),
            Some(Mode::Xml) => {
                let cols = xml.finish(tally);
                ((xml.records > 0).then_some(xml.records), cols)
            }
            Some(
                Mode::Delimited(_)
                | Mode::Jsonl
                | Mode::Json
                | Mode::Vcard
                | Mode::Zengin
                | Mode::Fixed,
            ) => {
                if !pending.is_empty() {
                    text::scan(&pending, tally);
                }
                let mut cols = table.finish(tally);
                cols.extend(row_cols);
                let records = table.records + json.row_records;
                tally.persons_at_most(table.person_rows() + json.row_records);
                (Some(records), cols)
            }
            Some(Mode::Sql) => {
                let (records, cols) = self.dump.finish(tally);
                (Some(records), cols)
            }
            Some(Mode::Text) => self.blocks.finish(tally),
            None => (None, Vec::new()),
        }
    }
}

/// The rows of a delimited text ([`Mode::Delimited`]).
struct Rows {
    delim: u8,
    table: Table,
    /// A row whose quoted field runs over a line end, with the lines read of it so far.
    pending: String,
    /// Field vectors for reuse.
    spare: Vec<Cow<'static, str>>,
}

impl Rows {
    fn new(delim: u8, table: Table) -> Self {
        Rows {
            delim,
            table,
            pending: String::new(),
            spare: Vec::with_capacity(16),
        }
    }
}

/// Chunks of rows read apart once the columns are classified: only a quoted field over a
/// line end carries over to the next chunk.
impl crate::spread::Reader for Rows {
    fn fork(&self) -> Option<Self> {
        Some(Rows::new(self.delim, self.table.fork()?))
    }

    fn takes(&self, _fork: &Self) -> bool {
        self.pending.is_empty()
    }

    fn read(&mut self, chunk: &str, tally: &mut Tally) {
        let (d, table) = (self.delim, &mut self.table);
        // One search of the chunk for quotes spares one per line when there are none (most
        // exports).
        let may_quote = memchr::memchr(b'"', chunk.as_bytes()).is_some();
        for line in lines_inclusive(chunk) {
            if self.pending.is_empty() && table.push_line(line, d, may_quote, tally) {
                continue;
            }
            let mut fields = recycle(std::mem::take(&mut self.spare));
            let joined;
            let l = if self.pending.is_empty() {
                line
            } else {
                self.pending.push_str(line);
                joined = std::mem::take(&mut self.pending);
                joined.as_str()
            };
            if table::split_into(l, d, &mut fields) {
                if !table::blank(&fields) {
                    table.push(&fields, tally);
                }
            } else if l.len() < table::MAX_ROW {
                self.pending = l.to_string();
            } else {
                text::scan(l, tally);
            }
            self.spare = recycle(fields);
        }
    }

    fn join(&mut self, fork: Self, counted: Tally, tally: &mut Tally) {
        self.table.records += fork.table.records;
        self.pending = fork.pending;
        tally.merge(counted);
    }
}

/// `str::split_inclusive('\n')` on the memchr crate's vector search (core's char search
/// is a generic loop; this runs once per row).
pub(crate) fn lines_inclusive(s: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', s.as_bytes())
        .map(Some)
        .chain(std::iter::once(None))
        .filter_map(move |nl| {
            let end = nl.map_or(s.len(), |i| i + 1);
            let line = s.get(start..end).filter(|l| !l.is_empty());
            start = end;
            line
        })
}

/// An emptied vector of fields with a new lifetime, keeping its allocation (collecting an
/// empty iterator into a vector of the same layout reuses the buffer): one allocation per
/// file instead of one per row.
fn recycle<'a>(mut v: Vec<Cow<'_, str>>) -> Vec<Cow<'a, str>> {
    v.clear();
    v.into_iter().map(|_| Cow::Borrowed("")).collect()
}

/// One JSON Lines line: an object's fields (nested keys as `a.b`, array elements as `a.0`, as
/// in [`crate::json`]) go to the table; anything else is free text.
/// The records of a JSON Lines text ([`Mode::Jsonl`]), an object a line.
struct JsonLines {
    table: Table,
    /// For a fork: the keys its table knew when forked.
    keys: Option<usize>,
    /// Files found in base64 in the records' values.
    encoded: crate::json::Encoded,
}

/// Lines of records read apart once the keys are classified; a fork that meets a key its
/// table lacks leaves its chunk to be read in order (the key's column comes in the order
/// one reader meets it).
impl crate::spread::Reader for JsonLines {
    fn fork(&self) -> Option<Self> {
        Some(JsonLines {
            table: self.table.fork()?,
            keys: Some(self.table.key_count()),
            encoded: Default::default(),
        })
    }

    fn takes(&self, fork: &Self) -> bool {
        fork.keys
            .is_some_and(|k| k == self.table.key_count() && k == fork.table.key_count())
    }

    fn read(&mut self, chunk: &str, tally: &mut Tally) {
        for line in chunk.lines() {
            jsonl_line(line, &mut self.table, &mut self.encoded, tally);
        }
    }

    fn join(&mut self, fork: Self, counted: Tally, tally: &mut Tally) {
        self.table.records += fork.table.records;
        self.encoded.join(fork.encoded);
        tally.merge(counted);
    }
}

fn jsonl_line(
    line: &str,
    table: &mut Table,
    encoded: &mut crate::json::Encoded,
    tally: &mut Tally,
) {
    let l = line.trim();
    if l.is_empty() {
        return;
    }
    let mut found = Vec::new();
    match crate::json::object_fields(l, &mut found, tally) {
        Some(fields) => {
            encoded.record(&fields, found);
            table.push_named(fields, tally);
        }
        None => text::scan(line, tally),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Text,
    /// A SQL dump ([`crate::sql`]).
    Sql,
    Jsonl,
    /// A JSON document ([`crate::json`]).
    Json,
    /// A vCard address book ([`crate::vcard`]).
    Vcard,
    /// An XML document ([`crate::xml`]).
    Xml,
    /// A Zengin bank transfer file ([`crate::zengin`]).
    Zengin,
    /// Records of fixed width ([`crate::fixed`]).
    Fixed,
    Delimited(u8),
}

/// The mode of a text by its name and first chunk, with the layout of its records when they
/// are of fixed width.
fn choose_mode(lower_name: &str, chunk: &str) -> (Mode, Option<crate::fixed::Layout>) {
    let head = &chunk[..floor_boundary(chunk, 64 * 1024)];
    let format = choose_format(lower_name, head);
    let mode = match format {
        // Lines of one width without delimiters: records of fixed width, when their fields
        // can be told.
        Mode::Text if may_be_fixed(lower_name, head, format) => {
            // The whole first chunk: a field few records fill shows in some of its lines.
            match crate::fixed::infer(chunk).or_else(|| crate::fixed::infer_unlined(chunk)) {
                Some(layout) => return (Mode::Fixed, Some(layout)),
                None => Mode::Text,
            }
        }
        m => m,
    };
    (mode, None)
}

/// Whether a text may hold records of fixed width: no other format its name or head says
/// (`format`, what [`choose_format`] chose for the head), no database client's table (whose
/// lines are of one width too).
fn may_be_fixed(lower_name: &str, head: &str, format: Mode) -> bool {
    !lower_name.ends_with(".csv")
        && format == Mode::Text
        && !crate::client::looks_boxed(head)
        && !crate::client::looks_vertical(head)
}

fn choose_format(lower_name: &str, head: &str) -> Mode {
    if lower_name.ends_with(".jsonl") || lower_name.ends_with(".ndjson") {
        return Mode::Jsonl;
    }
    if lower_name.ends_with(".vcf")
        || lower_name.ends_with(".vcard")
        || crate::vcard::looks_like(head)
    {
        return Mode::Vcard;
    }
    if crate::zengin::looks_like(head) {
        return Mode::Zengin;
    }
    let mut lines = head.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or("");
    // JSON Lines: an object per line, a second line too (a lone object on one line, or a
    // whole document on one line, `{"customers":[…]}`, is a document).
    if first.trim_start().starts_with('{')
        && lines
            .next()
            .is_some_and(|l| l.trim_start().starts_with('{'))
        && serde_json::from_str::<serde_json::Value>(first.trim()).is_ok_and(|v| v.is_object())
    {
        return Mode::Jsonl;
    }
    if lower_name.ends_with(".json") || crate::json::looks_like(head) {
        return Mode::Json;
    }
    if lower_name.ends_with(".xml") || crate::xml::looks_like(head) {
        return Mode::Xml;
    }
    if lower_name.ends_with(".sql") || crate::sql::looks_like(head) {
        return Mode::Sql;
    }
    // Database clients' tables are read by the text scanner's table reader
    // ([`crate::client::Blocks`]), wherever they are; at the start they are no delimited file.
    if crate::client::looks_boxed(head) || crate::client::looks_vertical(head) {
        return Mode::Text;
    }
    if lower_name.ends_with(".tsv") || lower_name.ends_with(".tab") {
        return Mode::Delimited(b'\t');
    }
    match table::sniff_delimiter(head) {
        Some(d) => Mode::Delimited(d),
        None if lower_name.ends_with(".csv") => Mode::Delimited(b','),
        None => Mode::Text,
    }
}

pub(crate) fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The largest SQLite database or compound file copied out of a raw image to be read as one
/// (it is held in memory twice: the copy and SQLite's, or calamine's); a larger one is carved
/// as text.
const SQLITE_CARVE_CAP: u64 = 128 << 20;

/// Is `path` (`app.db-wal`, `app.db-journal`: `suffix`) the write-ahead log or rollback
/// journal of an SQLite database beside it (`app.db`)?
fn log_of_database(path: &Path, suffix: &str) -> bool {
    let Some(db) = path
        .to_str()
        .and_then(|p| p.strip_suffix(suffix))
        .map(Path::new)
    else {
        return false;
    };
    let mut head = [0u8; 16];
    File::open(db)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == crate::sqlite::MAGIC)
}

/// Is this named as an HTML page?
fn is_html_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".html", ".htm", ".xhtml"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Does the head hold a tag (`<` then a letter, `/`, `!` or `?`; in UTF-16 too)? A file
/// named as a page without one is a text (a CSV saved as `.html`), not a page whose white
/// space collapses.
fn has_tag(head: &[u8]) -> bool {
    memchr::memchr_iter(b'<', head).any(|i| {
        let next = match head.get(i + 1) {
            Some(0) => head.get(i + 2),
            n => n,
        };
        next.is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?'))
    })
}

/// Is an object whose first bytes are `head` binary data of no format read here, whose text
/// is carved as a raw image's is ([`Scanner::scan_raw`]): a database's own files (MySQL's
/// InnoDB `.ibd`, SQL Server's `.mdf`, Oracle's `.dbf`, Access), an application's store, a
/// memory or core dump, a swap file: what bulk_extractor reads byte by byte too. Not
/// carved: text (read as text), the formats read as what they are (before this), executables
/// and libraries (their string tables: an author's address is no leak; a core dump is
/// carved), images, audio, video, fonts and compressed streams of formats not read, in which
/// no text lies in the clear.
fn carvable(head: &[u8], t: FileType) -> bool {
    let at = |(i, sig): &(usize, &[u8])| head.get(*i..*i + sig.len()) == Some(*sig);
    // An ELF core dump (`e_type` 4) holds a process's memory.
    let core = || head.starts_with(b"\x7FELF") && head.get(16) == Some(&4);
    // The sniffer's type first: a text (most files) is known without another look.
    (t == FileType::Unknown && !NOT_CARVED.iter().any(at) || t == FileType::Elf && core())
        && !head.is_empty()
        && decode::detect(head).is_none()
        // pg_dump's archives and tables of contents (`toc.dat`: no data in it).
        && !head.starts_with(b"PGDMP")
}

/// Signatures (offset, bytes) of what [`carvable`] leaves alone: video and audio (MP4/MOV,
/// Matroska, RIFF, MP3, Ogg, FLAC, MPEG, FLV, ASF), fonts, code (Java classes, WebAssembly,
/// Mach-O, `ar` archives of object files) and packed streams (LZ4, cabinets, git packs, LZMA,
/// lzip).
const NOT_CARVED: [(usize, &[u8]); 27] = [
    (4, b"ftyp"),
    (0, b"\x1A\x45\xDF\xA3"),
    (0, b"RIFF"),
    (0, b"ID3"),
    (0, b"OggS"),
    (0, b"fLaC"),
    (0, b"\x00\x00\x01\xBA"),
    (0, b"\x00\x00\x01\xB3"),
    (0, b"FLV"),
    (0, b"\x30\x26\xB2\x75"),
    (0, b"OTTO"),
    (0, b"\x00\x01\x00\x00\x00"),
    (0, b"wOFF"),
    (0, b"wOF2"),
    (0, b"ttcf"),
    (0, b"\xCA\xFE\xBA\xBE"),
    (0, b"\x00asm"),
    (0, b"\xCF\xFA\xED\xFE"),
    (0, b"\xCE\xFA\xED\xFE"),
    (0, b"\xFE\xED\xFA\xCF"),
    (0, b"\xFE\xED\xFA\xCE"),
    (0, b"!<arch>\n"),
    (0, b"\x04\x22\x4D\x18"),
    (0, b"MSCF"),
    (0, b"PACK"),
    (0, b"\x5D\x00\x00"),
    (0, b"LZIP"),
];

/// Is this zip a spreadsheet (read whole with calamine) rather than a container to walk?
fn is_xlsx(name: &str, head: &[u8]) -> bool {
    if !(head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")) {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xlsx")
        || lower.ends_with(".xlsm")
        || lower.ends_with(".xlsb")
        || memchr::memmem::find(&head[..head.len().min(4096)], b"xl/").is_some()
            && !lower.ends_with(".zip")
}

/// Counts HTML pages (a mail's HTML bodies) into `tally`, their tables' rows added to
/// `records` and their columns to `columns`.
fn add_html<'a>(
    pages: impl Iterator<Item = &'a str>,
    tally: &mut Tally,
    records: &mut Option<u64>,
    columns: &mut Vec<(String, Category)>,
) {
    for page in pages {
        let doc = crate::doc::read_html(page, tally);
        let (r, cols) = crate::doc::scan(&doc, tally);
        *records = match (*records, r) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        for c in cols {
            if !columns.contains(&c) {
                columns.push(c);
            }
        }
    }
}

/// Is an object whose first bytes are `head` read as a stream of text (a table, a dump, a
/// log), rather than whole (an archive, a document, a database, a mail, an encoded file)?
fn streams(head: &[u8], name: &str) -> bool {
    let t = kizuki_files::sniff::sniff(head, name);
    !(t.is_container()
        || crate::e01::segment(head).is_some()
        || matches!(
            t,
            FileType::Ooxml | FileType::Ole | FileType::Pdf | FileType::Html
        )
        || head.starts_with(crate::sqlite::MAGIC)
        || crate::mail::is_mbox(head)
        || crate::mail::is_message(&name.to_ascii_lowercase(), head)
        || is_html_name(name) && has_tag(head)
        || crate::rtf::is_rtf(head)
        || crate::tnef::is_tnef(head)
        || crate::b64::is_encoded(head)
        // Binary data carved (read whole, within the cap: the carver rereads it).
        || carvable(head, t) && !crate::pgheap::is_heap(head))
}

/// A database's table file read ([`Scanner::report_table_file`]): its table's name (the
/// columns' prefix), encoding, live and deleted rows, and whether the persons estimate is
/// capped by the rows' persons.
struct TableFile {
    table: Option<String>,
    encoding: &'static str,
    live: crate::pgheap::Part,
    dead: crate::pgheap::Part,
    persons_by_rows: bool,
}

/// What a reader of a pg_dump archive's rows counted: the tally, the records and the
/// classified columns.
type PgdumpRead = io::Result<(Tally, Option<u64>, Vec<(String, Category)>)>;

/// A MySQL or MariaDB server's help tables (`mysql/help_topic.MAD`, `.MYD`, `.ibd`, their
/// `.frm` beside them): the server's documentation, installed with it (its examples hold
/// names, e-mails and dates of no one), not read.
fn server_help_table(path: &Path) -> bool {
    let (Some(stem), Some(dir)) = (
        path.file_stem().and_then(|s| s.to_str()),
        path.parent().and_then(Path::file_name),
    ) else {
        return false;
    };
    help_table(&format!("{}/{stem}", dir.to_string_lossy())) && path.with_extension("frm").is_file()
}

/// Is `db/table` one of the server's help tables (`mysql/help_topic`...)?
fn help_table(name: &str) -> bool {
    matches!(
        name,
        "mysql/help_topic" | "mysql/help_category" | "mysql/help_keyword" | "mysql/help_relation"
    )
}

/// The name of the directory a file is in (a MySQL database's: `shop` of `shop/t.ibd`).
fn datadir_name(path: &Path) -> String {
    path.parent()
        .and_then(Path::file_name)
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// What is known of the directory `dir` (a database's catalog, a dump's table of contents),
/// made by `make` the first time one of its files is read, then shared.
fn cached<T>(
    cache: &std::sync::Mutex<HashMap<PathBuf, Option<Arc<T>>>>,
    dir: &Path,
    make: impl FnOnce() -> Option<T>,
) -> Option<Arc<T>> {
    let mut cache = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    cache
        .entry(dir.to_path_buf())
        .or_insert_with(|| make().map(Arc::new))
        .clone()
}

/// The PostgreSQL catalogs of the database directories in a tar on disk (a `pg_basebackup
/// -Ft` archive), by directory (`base/16384`): a first pass over its members' headers,
/// seeking past their data, that reads only the catalog's files (relation numbers under
/// 16384 and `pg_filenode.map`), each within the catalog cap, 256 MiB in all. Empty for
/// any other tar.
fn tar_pg_catalogs(path: &Path, max_members: u32) -> HashMap<String, crate::pgcatalog::Catalog> {
    let mut files: HashMap<String, HashMap<String, Vec<u8>>> = HashMap::new();
    let Ok(f) = File::open(path) else {
        return HashMap::new();
    };
    let mut ar = tar::Archive::new(f);
    let Ok(entries) = ar.entries_with_seek() else {
        return HashMap::new();
    };
    let mut total = 0u64;
    // A data directory's tar names its files from the start (`backup_label`, `PG_VERSION`,
    // `global/…`, `base/…`): any other tar is left after its first 64 members, not walked
    // to its end (a tar of a million files on a slow disk).
    let mut data_dir = false;
    let most = usize::try_from(max_members).unwrap_or(usize::MAX);
    for (i, entry) in entries.take(most).enumerate() {
        let Ok(mut e) = entry else {
            break;
        };
        let member = stored_name(&e.path_bytes(), Legacy::Unix);
        let m = member.trim_start_matches("./");
        data_dir |= ["backup_label", "PG_VERSION", "global/", "base/"]
            .iter()
            .any(|p| m.starts_with(p));
        if !data_dir && i >= 64 {
            return HashMap::new();
        }
        let Some((dir, file)) = member.rsplit_once('/') else {
            continue;
        };
        let in_base = dir
            .rsplit_once('/')
            .is_some_and(|(base, db)| base.ends_with("base") && db.parse::<u32>().is_ok());
        let catalog = file == "pg_filenode.map" || file.parse::<u32>().is_ok_and(|n| n < 16384);
        let size = e.size();
        if !in_base || !catalog || size > crate::pgcatalog::CATALOG_CAP {
            continue;
        }
        total += size;
        if total > 256 << 20 {
            break;
        }
        if let Ok(Some(data)) = kizuki_core::io::read_capped(&mut e, size) {
            files
                .entry(dir.to_string())
                .or_default()
                .insert(file.to_string(), data);
        }
    }
    files
        .into_iter()
        .filter_map(|(dir, f)| Some((dir, crate::pgcatalog::Catalog::from_files(&f)?)))
        .collect()
}

/// The objects carved from one file merged into one object `path` (categories and records
/// added, samples the first ones, columns all, persons the sum: the regions are different
/// rows), errors kept after it.
fn merged(path: &str, items: Vec<Item>) -> Vec<Item> {
    let mut one: Option<crate::tally::ObjectReport> = None;
    let mut failed = Vec::new();
    for item in items {
        let r = match item {
            Item::Found(r) => r,
            f @ Item::Failed { .. } => {
                failed.push(f);
                continue;
            }
        };
        let Some(m) = &mut one else {
            one = Some(crate::tally::ObjectReport {
                path: path.to_string(),
                ..r
            });
            continue;
        };
        for (c, n) in r.categories {
            *m.categories.entry(c).or_default() += n;
        }
        for (c, s) in r.samples {
            let mine = m.samples.entry(c).or_default();
            for v in s {
                if mine.len() < 3 && !mine.contains(&v) {
                    mine.push(v);
                }
            }
        }
        for col in r.columns.0 {
            if !m.columns.0.contains(&col) {
                m.columns.0.push(col);
            }
        }
        m.records = match (m.records, r.records) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        m.persons_estimate += r.persons_estimate;
    }
    one.map(Item::Found).into_iter().chain(failed).collect()
}

/// A decompressed stream that ends, keeping why in `stop`, where its decoder fails or its
/// output passes `ratio` times the compressed bytes read (past the first MiB): what came
/// before is scanned and reported, and the error after it.
struct Guarded<R> {
    inner: R,
    read: Rc<Cell<u64>>,
    written: u64,
    ratio: u64,
    stop: Rc<RefCell<Option<Error>>>,
}

impl<R: Read> Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stop.borrow().is_some() {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Ok(k) => {
                self.written += k as u64;
                if self.written > 1 << 20
                    && self.written > self.read.get().saturating_mul(self.ratio)
                {
                    *self.stop.borrow_mut() = Some(Error::Cap(format!(
                        "compressed stream expands more than {}:1",
                        self.ratio
                    )));
                    return Ok(0);
                }
                Ok(k)
            }
            Err(e) => {
                *self.stop.borrow_mut() = Some(Error::Read(format!("compressed stream: {e}")));
                Ok(0)
            }
        }
    }
}

/// Items as the tests compare them: an object's JSON line, or a failure's path and error.
#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test")]
pub(crate) fn printed(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| match i {
            Item::Found(r) => serde_json::to_string(r).unwrap(),
            Item::Failed { path, error } => format!("{path}: {error}"),
        })
        .collect()
}

/// The items of `disk.img` (`len` bytes, read through `open`) carved on `workers` threads.
#[cfg(test)]
fn imaged(
    scanner: &Scanner,
    open: &(dyn Fn(u64) -> io::Result<Box<dyn Read>> + Sync),
    len: u64,
    workers: usize,
) -> Vec<Item> {
    let mut items = Vec::new();
    scanner
        .scan_image("disk.img", len, open, workers, None, &mut items)
        .unwrap();
    items
}

/// Does a scan's result hold an encrypted object that no password given opened?
fn locked(items: &[Item]) -> bool {
    items.iter().any(|i| {
        matches!(
            i,
            Item::Failed {
                error: Error::Locked(_),
                ..
            }
        )
    })
}

/// Senders and candidate passwords kept, encrypted attachments kept waiting: at most this
/// many each.
const PPAP_KEEP: usize = 32;
/// Bytes of the attachments kept waiting for their password, at most.
const PPAP_KEEP_BYTES: usize = 64 << 20;

/// The passwords a mailbox's own mails carry, as `mail scan` pairs them ("PPAP": an
/// encrypted zip, workbook or PDF, its password in the same sender's mail before or after
/// it, `パスワード：…`; [`kizuki_mail::content::password_candidates`]), and the encrypted
/// attachments waiting for theirs. An attachment read again with a password found later
/// replaces what it gave (its error item) in the mailbox's results.
#[derive(Default)]
struct Ppap {
    /// A sender and the candidates of one of its mails without attachments.
    passwords: std::collections::VecDeque<(String, Vec<String>)>,
    /// A sender, the attachment's path and bytes.
    pending: std::collections::VecDeque<(String, String, Vec<u8>)>,
    bytes: usize,
}

impl Ppap {
    /// An attachment of `from` at `path` that gave `items`, one of them locked: read again
    /// with the passwords `from` sent before; kept for those it may send after.
    fn read(&mut self, s: &Scanner, from: &str, path: &str, data: &[u8], items: &mut Vec<Item>) {
        let known: Vec<String> = self
            .passwords
            .iter()
            .filter(|(f, _)| f == from)
            .flat_map(|(_, p)| p.iter().cloned())
            .collect();
        if !known.is_empty() {
            let again = s.with_passwords(&known).scan_bytes(path, data);
            if !locked(&again) {
                *items = again;
                return;
            }
        }
        if data.len() > PPAP_KEEP_BYTES {
            return;
        }
        self.bytes += data.len();
        self.pending
            .push_back((from.to_string(), path.to_string(), data.to_vec()));
        while self.pending.len() > PPAP_KEEP || self.bytes > PPAP_KEEP_BYTES {
            match self.pending.pop_front() {
                Some((_, _, d)) => self.bytes -= d.len(),
                None => break,
            }
        }
    }

    /// Password candidates `found` in a mail of `from`: the attachments of `from` waiting
    /// are read again with them; those that open replace what they gave in `out`.
    fn given(&mut self, s: &Scanner, from: &str, found: Vec<String>, out: &mut Vec<Item>) {
        let mut waiting = std::collections::VecDeque::new();
        for (f, path, data) in std::mem::take(&mut self.pending) {
            if f != from {
                waiting.push_back((f, path, data));
                continue;
            }
            let again = s.with_passwords(&found).scan_bytes(&path, &data);
            if locked(&again) {
                waiting.push_back((f, path, data));
                continue;
            }
            self.bytes -= data.len();
            let inner = format!("{path}!");
            out.retain(|i| {
                let p = match i {
                    Item::Found(r) => &r.path,
                    Item::Failed { path, .. } => path,
                };
                p != &path && !p.starts_with(&inner)
            });
            out.extend(again);
        }
        self.pending = waiting;
        self.passwords.push_back((from.to_string(), found));
        if self.passwords.len() > PPAP_KEEP {
            self.passwords.pop_front();
        }
    }
}

/// An Office document encrypted with a password, for [`Scanner::read_encrypted`].
enum Locked<'a> {
    /// An OOXML package in a compound file.
    Package(kizuki_files::offcrypto::Encrypted),
    /// A Word or Excel 97-2003 document, and its bytes.
    Binary(kizuki_files::bincrypt::Binary, &'a [u8]),
}

impl Locked<'_> {
    fn describe(&self) -> String {
        match self {
            Locked::Package(e) => e.describe(),
            Locked::Binary(b, _) => b.describe(),
        }
    }

    fn open(
        &self,
        passwords: &[String],
        deadline: std::time::Instant,
    ) -> Result<kizuki_files::offcrypto::Opened, String> {
        match self {
            Locked::Package(e) => e.open(passwords, deadline),
            Locked::Binary(b, data) => b.open(data, passwords),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The paths and records of the objects found.
    fn paths_and_records(items: &[Item]) -> Vec<(&str, Option<u64>)> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Found(o) => Some((o.path.as_str(), o.records)),
                _ => None,
            })
            .collect()
    }

    /// An image carved in segments on several threads gives the items of one carving from
    /// its start, object for object: text of every encoding across segment boundaries,
    /// stretches without a rest point, databases and mailboxes with sectors of zeros in them
    /// (a segment starts inside one), and databases whose copy runs over the start of another (the
    /// segment that spotted the other is carved again).
    /// A zip member stored with sectors of zeros in it, across the start of a segment: no
    /// segment stops inside it (its finder is busy), so every worker count reads it whole, as
    /// one carving does.
    #[test]
    fn a_segment_does_not_end_inside_a_member_being_decompressed() {
        use crate::synth::{self, Form};
        let dir = tempfile::tempdir().unwrap();
        let (csv, _) = synth::persons_text(13, 200, Form::Csv);
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file("padded.csv", opts).unwrap();
        let mut d = vec![0u8; 20_000];
        d.extend_from_slice(csv.as_bytes());
        std::io::Write::write_all(&mut w, &d).unwrap();
        let stored = w.finish().unwrap().into_inner();
        // Its header 4 KiB before the second segment, its zeros across the boundary.
        let mut img: Vec<u8> = (0..SEGMENT - 4096).map(|i| (i % 251) as u8 + 1).collect();
        img.extend_from_slice(&stored);
        img.resize(3 * SEGMENT as usize, 0);
        let path = dir.path().join("disk.img");
        std::fs::write(&path, &img).unwrap();
        let scanner = Scanner::default();
        let open = |at| open_at(&path, at);
        let want = imaged(&scanner, &open, img.len() as u64, 1);
        let at = SEGMENT - 4096;
        assert!(
            printed(&want)
                .iter()
                .any(|p| p.contains(&format!("disk.img!@{at}!padded.csv"))),
            "{want:?}"
        );
        for workers in [2, 3] {
            let items = imaged(&scanner, &open, img.len() as u64, workers);
            assert_eq!(printed(&items), printed(&want), "{workers} workers");
        }
    }

    /// Large files streamed count how far they are read (for the progress display): texts,
    /// compressed files, tar and zip archives, each its size once it is read, whatever
    /// ended it; small ones, or with the default threshold, none.
    #[test]
    fn large_files_count_as_they_are_read() {
        use crate::synth::{self, Form};
        let dir = tempfile::tempdir().unwrap();
        let (csv, _) = synth::persons_text(12, 300, Form::Csv);
        let gz = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut e, csv.as_bytes()).unwrap();
            e.finish().unwrap()
        };
        let tar = {
            let mut b = tar::Builder::new(Vec::new());
            let mut h = tar::Header::new_gnu();
            h.set_size(csv.len() as u64);
            h.set_cksum();
            b.append_data(&mut h, "list.csv", csv.as_bytes()).unwrap();
            b.into_inner().unwrap()
        };
        let zip = synth::zip_of(&[("list.csv", csv.as_bytes())]).unwrap();
        let mut broken = gz.clone();
        broken.truncate(gz.len() / 2);
        let files: [(&str, &[u8]); 5] = [
            ("list.csv", csv.as_bytes()),
            ("list.csv.gz", &gz),
            ("list.tar", &tar),
            ("list.zip", &zip),
            ("cut.csv.gz", &broken),
        ];
        let mut paths = Vec::new();
        let mut total = 0;
        for (n, d) in files {
            let p = dir.path().join(n);
            std::fs::write(&p, d).unwrap();
            total += d.len() as u64;
            paths.push(p);
        }
        let counted = Scanner {
            large_from: 0,
            ..Scanner::default()
        };
        let plain = Scanner::default();
        for p in &paths {
            let items = counted.scan_file(p);
            assert_eq!(
                printed(&items),
                printed(&plain.scan_file(p)),
                "{}",
                p.display()
            );
        }
        assert_eq!(counted.large_files(), (total, total));
        assert_eq!(plain.large_files(), (0, 0));
    }

    #[test]
    #[allow(clippy::unwrap_used, reason = "test")]
    fn an_image_carved_in_segments_gives_what_one_carving_gives() {
        use crate::synth::{self, Form};
        let dir = tempfile::tempdir().unwrap();
        let (csv, _) = synth::persons_text(3, 150, Form::Csv);
        let (notes, _) = synth::persons_text(4, 60, Form::Text);
        let sjis = encoding_rs::SHIFT_JIS.encode(&notes).0.into_owned();
        let utf16: Vec<u8> = notes.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let db = {
            let p = dir.path().join("p.db");
            let conn = rusqlite::Connection::open(&p).unwrap();
            synth::sqlite_persons(&conn, "persons", 5, 300).unwrap();
            drop(conn);
            std::fs::read(&p).unwrap()
        };
        assert!(
            db.chunks_exact(512)
                .skip(1)
                .any(|s| s.iter().all(|x| *x == 0)),
            "the database holds a sector of zeros"
        );
        // The same database claiming more pages than it has: its copy runs over the 1 KiB
        // of zeros that follow it and into the database after them, up to a sector of zeros
        // in that one (where the carving from the start is at rest, but a segment that
        // started in the first one's zeros and spotted the second is not).
        // A mailbox: its header's sector, then 16 KiB of zeros (rest points) before its pages.
        let (few, _) = synth::persons_text(6, 5, Form::Csv);
        let pst = crate::pst::write::file(&crate::pst::write::mailbox(&few, true));
        assert!(pst[1024..0x4000].iter().all(|x| *x == 0));
        // A zip of the CSV (anywhere), and the CSV gzipped (at a sector boundary).
        let zip = synth::zip_of(&[("顧客.csv", csv.as_bytes())]).unwrap();
        // A member stored (not deflated) with sectors of zeros in it: no rest point inside.
        let stored = {
            let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            w.start_file("padded.csv", opts).unwrap();
            let mut d = csv.clone().into_bytes();
            d.extend_from_slice(&[b' '; 5000]);
            d.extend(std::iter::repeat_n(0u8, 8192));
            std::io::Write::write_all(&mut w, &d).unwrap();
            w.finish().unwrap().into_inner()
        };
        let gz = {
            let mut e = flate2::GzBuilder::new()
                .filename("list.csv")
                .write(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut e, csv.as_bytes()).unwrap();
            e.finish().unwrap()
        };
        let mut zipped = Vec::new();
        let page = 4096;
        assert_eq!(&db[16..18], &[0x10, 0]);
        let second = db.len() + 1024;
        let zeros = db
            .chunks_exact(512)
            .enumerate()
            .filter(|(_, s)| s.iter().all(|x| *x == 0))
            .map(|(i, _)| second + i * 512);
        let end = zeros
            .map(|z| z / page * page)
            .find(|e| *e > second && *e < second + db.len() - 512)
            .unwrap();
        let mut big = db.clone();
        big[28..32].copy_from_slice(&u32::try_from(end / page).unwrap().to_be_bytes());
        let mut seed = 7u64;
        let mut rnd = move |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let before = REDONE.load(std::sync::atomic::Ordering::Relaxed);
        let scanner = Scanner::default();
        let path = dir.path().join("disk.img");
        let mut sizes = 0u64;
        let (mut mailboxes, mut seen, mut unzipped) = (Vec::new(), 0, 0);
        for round in 0..4 {
            let mut img: Vec<u8> = Vec::new();
            while img.len() < 500_000 {
                match rnd(11) {
                    0 => img.resize(img.len() + 512 * (1 + rnd(4) as usize), 0),
                    1 => {
                        let n = rnd(40_000) as usize;
                        img.extend((0..n).map(|_| rnd(255) as u8 + 1));
                    }
                    2 => img.extend_from_slice(csv.as_bytes()),
                    3 => img.extend_from_slice(&sjis),
                    4 => {
                        img.resize(img.len().next_multiple_of(2), 0);
                        img.extend_from_slice(&utf16);
                    }
                    5 => {
                        img.resize(img.len().next_multiple_of(512), 0x5A);
                        img.extend_from_slice(&db);
                    }
                    6 => {
                        img.resize(img.len().next_multiple_of(512), 0x5A);
                        mailboxes.push(format!("disk.img!@{}", img.len()));
                        img.extend_from_slice(&pst);
                    }
                    9 => {
                        zipped.push(format!("disk.img!@{}!顧客.csv", img.len()));
                        img.extend_from_slice(&zip);
                        if rnd(2) == 0 {
                            img.resize(img.len().next_multiple_of(512), 0x5A);
                            zipped.push(format!("disk.img!@{}!padded.csv", img.len()));
                            img.extend_from_slice(&stored);
                        }
                    }
                    10 => {
                        img.resize(img.len().next_multiple_of(512), 0x5A);
                        zipped.push(format!("disk.img!@{}!list.csv", img.len()));
                        img.extend_from_slice(&gz);
                    }
                    _ => {
                        img.resize(img.len().next_multiple_of(512), 0x5A);
                        img.extend_from_slice(&big);
                        img.resize(img.len() + 1024, 0);
                        img.extend_from_slice(&db);
                    }
                }
            }
            std::fs::write(&path, &img).unwrap();
            sizes += 3 * img.len() as u64;
            let open = |at| open_at(&path, at);
            let whole = scanner
                .carve_span("disk.img", &mut |x| open(x), 0, None, false)
                .unwrap();
            let whole: Vec<Item> = whole.found.into_iter().flat_map(|(_, i)| i).collect();
            assert!(whole.len() > 5, "round {round}: {}", whole.len());
            // Each mailbox read as one (its mails' e-mails and the sender's).
            for m in mailboxes.drain(..) {
                let found = whole.iter().any(|i| match i {
                    Item::Found(o) => {
                        o.path == m && o.categories.get(&Category::Email) == Some(&10)
                    }
                    Item::Failed { .. } => false,
                });
                assert!(found, "round {round}: {m}");
                seen += 1;
            }
            // Each zipped or gzipped list read as the CSV is, under its name.
            for z in zipped.drain(..) {
                let found = whole.iter().any(|i| match i {
                    Item::Found(o) => {
                        o.path == z
                            && o.records == Some(150)
                            && o.categories.get(&Category::Email) == Some(&150)
                    }
                    Item::Failed { .. } => false,
                });
                assert!(found, "round {round}: {z}: {whole:?}");
                unzipped += 1;
            }
            for workers in [1, 2, 4] {
                let items = imaged(&scanner, &open, img.len() as u64, workers);
                assert_eq!(
                    printed(&items),
                    printed(&whole),
                    "round {round}, {workers} workers"
                );
            }
        }
        assert!(REDONE.load(std::sync::atomic::Ordering::Relaxed) > before);
        assert!(seen > 0, "no mailbox in the images");
        assert!(unzipped > 0, "no zip or gzip file in the images");
        // Every image counted as carved to its end, once per scan.
        assert_eq!(scanner.images(), (sizes, sizes));
    }

    /// An Outlook data file larger than what is copied out of an image is read in place in an
    /// image on disk, on one thread or several (its blocks carved by no segment's span that
    /// spotted it); in an image read as a stream it is told too large.
    #[test]
    #[allow(clippy::unwrap_used, reason = "test")]
    fn a_large_mailbox_is_read_in_place_in_an_image_on_disk() {
        use crate::synth::{self, Form};
        let (csv, _) = synth::persons_text(21, 12, Form::Csv);
        let pst = crate::pst::write::file(&crate::pst::write::mailbox(&csv, true));
        let mut img = vec![0x5Au8; 4096];
        img.extend_from_slice(&pst);
        img.resize(img.len() + 8192, 0);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("disk.img");
        std::fs::write(&path, &img).unwrap();
        let scanner = Scanner {
            copy_cap: 64 << 10,
            ..Scanner::default()
        };
        assert!(pst.len() as u64 > scanner.copy_cap);
        let want: Vec<String> = printed(&Scanner::default().scan_bytes("box.pst", &pst))
            .iter()
            .map(|l| l.replace("\"box.pst", "\"disk.img!@4096"))
            .collect();
        assert!(want[0].contains("\"email\":24"), "{want:?}");
        let open = |at| open_at(&path, at);
        for workers in [1, 2] {
            let items = imaged(&scanner, &open, img.len() as u64, workers);
            assert_eq!(printed(&items), want, "{workers} workers");
        }
        let streamed = printed(&scanner.scan_bytes("disk.img", &img));
        let told = format!(
            "Outlook data file of {} bytes, more than the 65536 copied out of an image: carved as text; copy it out (dd skip=4096 count={0} iflag=skip_bytes,count_bytes)",
            pst.len()
        );
        assert_eq!(streamed.len(), 1, "{streamed:?}");
        assert!(
            streamed[0].starts_with("disk.img!@4096: ") && streamed[0].contains(&told),
            "{streamed:?}"
        );
    }

    /// A MySQL 8 table file packed in an archive is read as a table (it describes itself);
    /// its deleted row apart.
    #[test]
    #[allow(clippy::unwrap_used, reason = "test")]
    fn reads_a_mysql8_table_file_in_an_archive() {
        let ibd = crate::innodb::build::ibd8();
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(ibd.len() as u64);
        h.set_mode(0o640);
        h.set_cksum();
        b.append_data(&mut h, "var/lib/mysql/shop/customers.ibd", &ibd[..])
            .unwrap();
        let tar = b.into_inner().unwrap();
        let items = Scanner::default().scan_bytes("backup.tar", &tar);
        let found = paths_and_records(&items);
        assert_eq!(
            found,
            [
                ("backup.tar!var/lib/mysql/shop/customers.ibd", Some(3)),
                (
                    "backup.tar!var/lib/mysql/shop/customers.ibd!(deleted)",
                    Some(1)
                ),
            ],
            "{items:?}"
        );
    }

    /// A MySQL 8 table's file in a raw image (a dropped table's, its blocks not reused):
    /// copied out at its sector and read as the file is.
    #[test]
    fn reads_a_mysql8_table_file_in_a_raw_image() {
        let ibd = crate::innodb::build::ibd8();
        let mut image = vec![0u8; 65536];
        image.extend_from_slice(&ibd);
        image.resize(image.len() + 65536, 0);
        let items = Scanner::default().scan_bytes("disk.img", &image);
        let found = paths_and_records(&items);
        assert_eq!(
            found,
            [
                ("disk.img!@65536", Some(3)),
                ("disk.img!@65536!(deleted)", Some(1)),
            ],
            "{items:?}"
        );
    }

    /// The server's help tables are its documentation: not read in a data directory's
    /// `mysql` database (their `.frm` beside them); the same file elsewhere is.
    #[test]
    #[allow(clippy::unwrap_used, reason = "test")]
    fn server_help_tables_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let text = "Example: INSERT INTO t VALUES ('taro.yamada@example.jp', '090-1234-5678');\n";
        for db in ["mysql", "shop"] {
            std::fs::create_dir(dir.path().join(db)).unwrap();
            std::fs::write(dir.path().join(db).join("help_topic.MAD"), text.repeat(20)).unwrap();
            std::fs::write(dir.path().join(db).join("help_topic.frm"), [0xFE, 1]).unwrap();
        }
        let scanner = Scanner::default();
        let found = |p: &Path| {
            scanner
                .scan_file(p)
                .iter()
                .any(|i| matches!(i, Item::Found(_)))
        };
        assert!(!found(&dir.path().join("mysql/help_topic.MAD")));
        assert!(found(&dir.path().join("shop/help_topic.MAD")));
        std::fs::remove_file(dir.path().join("mysql/help_topic.frm")).unwrap();
        assert!(found(&dir.path().join("mysql/help_topic.MAD")));
        // MySQL 8 keeps them in `mysql.ibd`, which describes them.
        let help = crate::innodb::build::ibd8_named("mysql", "help_topic");
        assert!(scanner.scan_bytes("mysql.ibd", &help).is_empty());
        let other = crate::innodb::build::ibd8_named("mysql", "shop_users");
        assert!(!scanner.scan_bytes("mysql.ibd", &other).is_empty());
    }

    #[test]
    fn carved_regions_merge_into_one_object() {
        let report = |path: &str, email: u64, sample: &str, records: Option<u64>| {
            Item::Found(crate::tally::ObjectReport {
                path: path.to_string(),
                encoding: Some("UTF-8".into()),
                records,
                categories: [(Category::Email, email)].into_iter().collect(),
                columns: crate::tally::Columns(vec![("#2".into(), Category::Email)]),
                samples: [(Category::Email, vec![sample.to_string()])]
                    .into_iter()
                    .collect(),
                persons_estimate: email,
            })
        };
        let items = vec![
            report("wal!@10", 3, "a****@x.jp", None),
            Item::Failed {
                path: "wal".into(),
                error: Error::Read("cut".into()),
            },
            report("wal!@900", 4, "b****@x.jp", Some(4)),
            report("wal!@1900", 1, "a****@x.jp", None),
        ];
        let got = merged("wal", items);
        assert_eq!(got.len(), 2);
        let Item::Found(r) = &got[0] else {
            panic!("{got:?}")
        };
        assert_eq!(r.path, "wal");
        assert_eq!(r.categories[&Category::Email], 8);
        assert_eq!(r.samples[&Category::Email], ["a****@x.jp", "b****@x.jp"]);
        assert_eq!(
            (r.records, r.persons_estimate, r.columns.0.len()),
            (Some(4), 8, 1)
        );
        assert!(matches!(got[1], Item::Failed { .. }));
        assert!(merged("wal", Vec::new()).is_empty());
    }

    /// Reads `text` (named `name`) fed in pieces cut after the first line end at or after
    /// every `piece` bytes, chunks batched for `threads` threads: the report (revealed) with
    /// the paths and sizes of the files found encoded in its values, and the chunks joined
    /// and read again.
    /// JSON Lines as a document: `{"customers": [...]}`, then rows of values and a contact.
    fn json_doc(jsonl: &str) -> String {
        let records: Vec<&str> = jsonl.lines().filter(|l| !l.trim().is_empty()).collect();
        let mut doc = format!("{{\n  \"customers\": [\n{}\n  ],\n", records.join(",\n"));
        doc.push_str("  \"values\": [[\"氏名\", \"電話番号\"]");
        for i in 0..40 {
            doc.push_str(&format!(
                ",\n    [\"山田 太郎\", \"090-1234-{:04}\"]",
                1000 + i
            ));
        }
        doc.push_str("],\n  \"contact\": \"担当 support@example.com\"\n}\n");
        doc
    }

    fn read_in_pieces(name: &str, text: &str, piece: usize, threads: usize) -> (String, u64, u64) {
        let mut tally = Tally::new(CatSet::all());
        let mut reading = Reading::new(name, threads);
        let nested = |path: &str, data: &[u8]| {
            vec![Item::Failed {
                path: path.to_string(),
                error: Error::Cap(data.len().to_string()),
            }]
        };
        reading.nested = Some(&nested);
        reading.text_spread = Spread::unlimited(threads);
        reading.rows_spread = Spread::unlimited(threads);
        reading.dump_spread = Spread::unlimited(threads);
        reading.jsonl_spread = Spread::unlimited(threads);
        reading.fixed_spread = Spread::unlimited(threads);
        reading.json.spread = Some(Spread::unlimited(threads));
        let mut rest = text;
        while !rest.is_empty() {
            let at = floor_boundary(rest, piece.min(rest.len()));
            let cut =
                memchr::memchr(b'\n', &rest.as_bytes()[at..]).map_or(rest.len(), |k| at + k + 1);
            reading.chunk(Cow::Borrowed(&rest[..cut]), &mut tally);
            rest = &rest[cut..];
        }
        reading.flush(&mut tally);
        let joined = reading.text_spread.joined
            + reading.rows_spread.joined
            + reading.dump_spread.joined
            + reading.jsonl_spread.joined
            + reading.fixed_spread.joined
            + reading.json.spread.as_ref().map_or(0, |s| s.joined);
        let again = reading.text_spread.again
            + reading.rows_spread.again
            + reading.dump_spread.again
            + reading.jsonl_spread.again
            + reading.fixed_spread.again
            + reading.json.spread.as_ref().map_or(0, |s| s.again);
        let (records, columns, found) = reading.finish(&mut tally);
        let report = tally.report(name.into(), None, records, columns, true);
        let mut json = serde_json::to_string(&report).unwrap_or_default();
        for item in found {
            if let Item::Failed { path, error } = item {
                json.push_str(&format!("\n{path} {error}"));
            }
        }
        (json, joined, again)
    }

    /// Persons as JSON Lines, the records from the middle on with a key the ones before lack
    /// (`tel2`: a column first met after the columns were classified).
    fn jsonl_with_late_key(seed: u64, n: usize) -> String {
        let (text, _) = crate::synth::persons_text(seed, n, crate::synth::Form::Jsonl);
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            match line.strip_suffix('}') {
                Some(l) if i > n / 2 => {
                    out.push_str(&format!("{l},\"tel2\":\"090-1111-{:04}\"}}", i % 10_000));
                }
                _ => out.push_str(line),
            }
            out.push('\n');
        }
        out
    }

    /// A persons CSV whose address cell runs over a line end in every 37th row (a quoted
    /// field: the row carries over when a chunk ends inside it).
    fn csv_with_quoted_lines(seed: u64, n: usize) -> String {
        let (csv, _) = crate::synth::persons_text(seed, n, crate::synth::Form::Csv);
        let mut out = String::new();
        for (i, line) in csv.lines().enumerate() {
            let cells: Vec<&str> = line.split(',').collect();
            if i > 0 && i % 37 == 0 && cells.len() > 7 {
                let mut cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
                cells[7] = format!("\"{}\n{}号室\"", cells[7], i);
                out.push_str(&cells.join(","));
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
        out
    }

    /// Files are given in path order whatever the time each takes, with readers held back
    /// (`AHEAD` is 3 in tests) behind a large text read apart on rayon's threads: what each
    /// file gives alone, in order. (Readers are threads of their own: as rayon jobs, a reader
    /// waiting on a join ran another reader's loop above its file, which then waited for that
    /// file: a hang seen on 20,000 small files, too rare here to show.)
    #[test]
    fn files_are_given_in_order_as_they_are_read() {
        use crate::synth::{Form, persons_file};
        let dir = tempfile::tempdir().unwrap();
        let big = persons_file(7, 9_000, Form::Text, encoding_rs::UTF_8);
        assert!(big.data.len() > 2 << 20);
        std::fs::write(dir.path().join("a-big.txt"), &big.data).unwrap();
        for i in 0..24u64 {
            let f = persons_file(20 + i, 3 + i as usize, Form::Csv, encoding_rs::SHIFT_JIS);
            std::fs::create_dir_all(dir.path().join(format!("d{}", i % 3))).unwrap();
            std::fs::write(dir.path().join(format!("d{}/f{i:02}.csv", i % 3)), &f.data).unwrap();
        }
        std::fs::write(dir.path().join("z-none.txt"), "nothing here").unwrap();
        let line = |i: &Item| printed(std::slice::from_ref(i)).concat();
        let scanner = Scanner::default();
        let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(dir.path())
            .build()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .map(|e| e.into_path())
            .collect();
        files.sort();
        let alone: Vec<String> = files
            .iter()
            .flat_map(|f| scanner.scan_file(f))
            .map(|i| line(&i))
            .collect();
        assert_eq!(alone.len(), 25);
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut given = Vec::new();
            let mut counts = Vec::new();
            pool.install(|| {
                scanner
                    .scan_paths_resuming(
                        &[dir.path().to_path_buf()],
                        None,
                        &mut |n, total| counts.push((n, total)),
                        &mut |i| given.push(line(&i)),
                    )
                    .unwrap();
            });
            assert_eq!(given, alone, "{threads} threads");
            assert_eq!(counts.len(), 27);
            assert_eq!(counts.first(), Some(&(0, 26)));
            assert_eq!(counts.last(), Some(&(26, 26)));
        }
    }

    #[test]
    fn chunks_read_apart_count_what_one_thread_counts() {
        use crate::synth::{Dumped, Form, Printed, client_table, db_log, dump_of, persons_text};
        // Free text with client tables and logged statements between its paragraphs: tables
        // and statements cut by chunk ends carry over.
        let mut text = String::new();
        for k in 0..12u64 {
            text.push_str(&persons_text(100 + k, 60, Form::Text).0);
            let (csv, _) = persons_text(200 + k, 25, Form::Csv);
            let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
            let style = [Printed::Mysql, Printed::Psql, Printed::Markdown][k as usize % 3];
            text.push_str(&String::from_utf8_lossy(&client_table(&rows, style)));
            text.push_str(&db_log(300 + k, 20).0);
            text.push_str(&persons_text(400 + k, 40, Form::Memo).0);
        }
        // Tables only, two e-mails a row (a person a row at most: the rows cap the persons
        // estimate), with a run of tab-separated log lines between them that is no table and
        // holds no value (it must not count the values before it as text's when a chunk read
        // apart opened it).
        let mut tables = String::new();
        for k in 0..4 {
            let names: Vec<(String, String, String)> = (0..150)
                .map(|i| {
                    let (p, _) = persons_text(500 + k * 1000 + i, 1, Form::CsvNoHeader);
                    let name = p.split(',').next().unwrap_or("").to_string();
                    (
                        name,
                        format!("a{k}x{i}@example.jp"),
                        format!("b{k}x{i}@example.jp"),
                    )
                })
                .collect();
            let mut rows = vec![vec!["氏名", "メール", "携帯メール"]];
            rows.extend(
                names
                    .iter()
                    .map(|(n, a, b)| vec![n.as_str(), a.as_str(), b.as_str()]),
            );
            tables.push_str(&String::from_utf8_lossy(&client_table(
                &rows,
                Printed::Mysql,
            )));
            tables.push('\n');
            for _ in 0..40 {
                tables.push_str("-- the general log of the night follows --\n");
            }
            for i in 0..300 {
                tables.push_str(&format!(
                    "2024-03-15T10:{:02}:{:02}.123456Z\t   {k}{i} Query\tSELECT 1 FROM dual\n",
                    i / 60,
                    i % 60
                ));
            }
            tables.push('\n');
        }
        let cases = [
            ("tables.txt", tables),
            ("persons.csv", csv_with_quoted_lines(7, 4000)),
            ("persons.tsv", persons_text(8, 3000, Form::Tsv).0),
            ("bare.csv", persons_text(9, 3000, Form::CsvNoHeader).0),
            ("members.csv", persons_text(10, 3000, Form::Members).0),
            ("notes.txt", text),
            (
                "dump.sql",
                dump_of(&persons_text(11, 3000, Form::Csv).0, Dumped::Mysql),
            ),
            (
                "pg.sql",
                dump_of(&persons_text(12, 3000, Form::Csv).0, Dumped::Postgres),
            ),
            (
                "sqlite.sql",
                dump_of(&persons_text(13, 2000, Form::Csv).0, Dumped::Sqlite),
            ),
            (
                "pma.sql",
                dump_of(&persons_text(16, 3000, Form::Csv).0, Dumped::PhpMyAdmin),
            ),
            ("persons.jsonl", jsonl_with_late_key(14, 3000)),
            // A JSON document's records: objects (a key first met late), then rows of
            // values, then text; and records with files in base64.
            ("customers.json", persons_text(18, 3000, Form::Json).0),
            ("late.json", json_doc(&jsonl_with_late_key(19, 3000))),
            (
                "mails.json",
                json_doc(
                    &crate::synth::with_attachments(&persons_text(20, 1500, Form::Jsonl).0, 97, 20)
                        .0,
                ),
            ),
            // Kept whole until a chunk's worth, then read apart.
            ("customers.dat", persons_text(17, 5000, Form::Fixed).0),
            (
                "mails.jsonl",
                crate::synth::with_attachments(&persons_text(15, 1500, Form::Jsonl).0, 97, 15).0,
            ),
        ];
        for (name, text) in &cases {
            for piece in [700, 5000, 40_000] {
                let (one, _, _) = read_in_pieces(name, text, piece, 1);
                assert!(one.contains("\"name_kanji\""), "{name}: {one}");
                if *name == "mails.jsonl" {
                    // 15 attachments, named by their record; the zips by their key.
                    assert_eq!(one.matches("\nmails.jsonl!#").count(), 15, "{one}");
                    assert!(one.contains("\nmails.jsonl!#97!名簿-1.csv "), "{one}");
                    assert!(one.contains("\nmails.jsonl!#291!file "), "{one}");
                }
                let mut joined_any = false;
                for threads in [2, 3, 8] {
                    let (apart, joined, again) = read_in_pieces(name, text, piece, threads);
                    assert_eq!(apart, one, "{name}, pieces of {piece}, {threads} threads");
                    joined_any |= joined > 0;
                    if matches!(
                        *name,
                        "persons.csv" | "dump.sql" | "pma.sql" | "persons.jsonl" | "late.json"
                    ) && piece == 700
                    {
                        // A quoted row over a chunk end, a table defined, a key first met.
                        assert!(again > 0, "{name}: a chunk is read again");
                    }
                }
                // (On one core nothing is read apart.)
                assert!(
                    joined_any || crate::spread::threads() == 1,
                    "{name}, pieces of {piece}: chunks read apart: {one}"
                );
            }
        }
    }

    /// A disk image holding a persons CSV (bytes) and customer notes in UTF-16LE, between
    /// binary junk and zeros.
    fn image_of_both_passes() -> Vec<u8> {
        let (csv, _) = crate::synth::persons_text(5, 3000, crate::synth::Form::Csv);
        let (text, _) = crate::synth::persons_text(6, 3000, crate::synth::Form::Text);
        let junk = |n: u32| {
            (0..n).map(|i| {
                if i % 16 == 0 {
                    1
                } else {
                    (i * 7 % 251) as u8 + 4
                }
            })
        };
        let mut img = vec![0u8; 4096];
        img.extend(junk(30_000));
        img.resize(img.len().next_multiple_of(4096), 0);
        img.extend_from_slice(csv.as_bytes());
        img.resize(img.len().next_multiple_of(4096) + 8192, 0);
        img.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        img.extend(junk(20_000));
        img.resize(img.len() + 3 * (1 << 20), 0);
        img
    }

    #[test]
    fn an_image_is_read_once_for_both_passes() {
        let img = image_of_both_passes();
        let scanner = Scanner::new(Options {
            reveal: true,
            ..Options::default()
        });
        let run = |in_memory: bool| {
            let mut opens = 0;
            let mut open = || -> io::Result<Box<dyn Read + '_>> {
                opens += 1;
                Ok(Box::new(&img[..]))
            };
            let mut out = Vec::new();
            scanner
                .scan_raw("disk.img", &mut open, in_memory, &mut out)
                .unwrap();
            (format!("{out:?}"), opens)
        };
        let (again, twice) = run(true);
        let (once, opens) = run(false);
        assert_eq!(twice, 2);
        // On one thread (none to spare for the second pass) the image is read twice.
        assert_eq!(opens, if crate::spread::threads() > 1 { 1 } else { 2 });
        assert_eq!(once, again);
        // Both passes found their text: the CSV and the notes in UTF-16.
        assert!(
            once.contains("UTF-8") && once.contains("UTF-16LE"),
            "{once}"
        );
    }

    /// A source that fails after `ok` bytes.
    struct FailsAt<'a> {
        data: &'a [u8],
        ok: usize,
    }

    impl Read for FailsAt<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.ok == 0 {
                return Err(io::Error::other("bad sector"));
            }
            let n = out.len().min(self.ok).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            self.ok -= n;
            Ok(n)
        }
    }

    #[test]
    fn a_read_error_ends_both_passes_with_the_error() {
        let img = image_of_both_passes();
        let scanner = Scanner::new(Options::default());
        for ok in [0, 100, 70_000, img.len() / 2] {
            let mut open =
                || -> io::Result<Box<dyn Read + '_>> { Ok(Box::new(FailsAt { data: &img, ok })) };
            let mut out = Vec::new();
            let r = scanner.scan_raw("disk.img", &mut open, false, &mut out);
            assert_eq!(
                r.map_err(|e| e.to_string()),
                Err("bad sector".into()),
                "{ok}"
            );
            assert!(out.is_empty());
        }
    }

    #[test]
    fn lines_inclusive_is_split_inclusive() {
        for s in ["", "a", "a\n", "a\nb", "\n\n", "ア\nイ\r\n", "x\n\ny"] {
            let want: Vec<&str> = s.split_inclusive('\n').collect();
            assert_eq!(lines_inclusive(s).collect::<Vec<_>>(), want, "{s:?}");
        }
    }
}
