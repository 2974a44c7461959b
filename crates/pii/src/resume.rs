//! A scan that survives its own end: the ledger of `kizuki pii scan --resume STATE`.
//!
//! Scanning a file share or a restored disk takes hours; a crash, a reboot or Ctrl-C must not
//! throw that work away. The ledger is an SQLite database (WAL journal) with one row per
//! finished file: its path as the scan names it, its size and modification time, and the
//! items it gave (as JSON: the reports, masked as printed, and the failed items). A file's row
//! is committed right after its items are printed, so a crash loses at most the files being
//! read at that moment. A later run with the same ledger does not read a file whose row
//! matches its size and modification time: it prints the recorded items in their place, so
//! its output is what one uninterrupted run prints, and no file is read twice or skipped. A
//! file changed since is read again; a file that could not be opened or read (`cannot read`)
//! is not recorded, so it is tried again.
//!
//! A ledger belongs to one scan: the options (categories, `--reveal`, `--min-count`, the
//! `[files]` caps) and kizuki's version are stored with it, and a run with others refuses it
//! rather than mix results. The ledger holds what the output holds (masked samples unless
//! `--reveal`), never more; it is created readable by its owner only.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::scan::{Item, Options};
use crate::tally::ObjectReport;

/// An error opening or writing the ledger: the scan stops (going on would lose the record).
#[derive(Debug, thiserror::Error)]
#[error("{path}: {msg}")]
pub struct LedgerError {
    /// The ledger file.
    pub path: PathBuf,
    /// What went wrong.
    pub msg: String,
}

/// A file's identity as the ledger knows it: a file with another size or modification time
/// is read again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    size: u64,
    mtime_ns: i64,
}

impl Stamp {
    /// As stored in the ledger: `(size, mtime_ns)`.
    fn stored(self) -> (i64, i64) {
        (i64::try_from(self.size).unwrap_or(i64::MAX), self.mtime_ns)
    }

    /// Whether this is the stamp stored as `(size, mtime_ns)`.
    fn is(self, row: (i64, i64)) -> bool {
        self.stored() == row
    }

    /// The stamp of the file at `path` now, if it can be read.
    pub fn of(path: &Path) -> Option<Stamp> {
        let m = std::fs::metadata(path).ok()?;
        let mtime_ns = m
            .modified()
            .ok()
            .and_then(|t| match t.duration_since(UNIX_EPOCH) {
                Ok(d) => i64::try_from(d.as_nanos()).ok(),
                Err(e) => i64::try_from(e.duration().as_nanos()).ok().map(|n| -n),
            })
            .unwrap_or(0);
        Some(Stamp {
            size: m.len(),
            mtime_ns,
        })
    }
}

/// The files a ledger has ([`Ledger::done`]).
pub struct Done(HashSet<u64>);

impl Done {
    /// Whether the file `label` is recorded with this stamp (almost surely: 64-bit keys).
    pub fn has(&self, label: &str, stamp: Stamp) -> bool {
        self.0.contains(&key(label, stamp.stored()))
    }
}

/// The key of a file's row in [`Done`].
fn key(label: &str, (size, mtime_ns): (i64, i64)) -> u64 {
    let mut h = crate::tally::hash_bytes(label.as_bytes(), false);
    for v in [size, mtime_ns] {
        h = (h ^ v as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^= h >> 29;
    }
    h
}

/// An item as the ledger stores it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Stored {
    Found(ObjectReport),
    Failed { path: String, error: String },
}

impl Stored {
    /// The item it was.
    fn item(self) -> Item {
        match self {
            Stored::Found(r) => Item::Found(r),
            Stored::Failed { path, error } => Item::Failed {
                path,
                error: crate::Error::Recorded(error),
            },
        }
    }
}

/// The ledger of one scan.
pub struct Ledger {
    conn: Connection,
    path: PathBuf,
    /// Files recorded by this run.
    pub recorded: u64,
    /// Files whose items came from the ledger.
    pub replayed: u64,
    /// Segments of images recorded by this run.
    pub parts_recorded: u64,
    /// Segments of images taken from the ledger.
    pub parts_replayed: u64,
    /// Test hook: abort the process (as a crash would) once this many files are recorded.
    crash_after: Option<u64>,
    /// Rows written since the last commit, and when that was: rows are committed together,
    /// a few times a second (a crash loses the files read since, which are read again).
    pending: u64,
    committed: Instant,
}

/// How long recorded rows wait to be committed at most.
const COMMIT_EVERY: Duration = Duration::from_millis(250);

impl Ledger {
    /// Opens the ledger at `path`, creating it when missing; refuses one made with other
    /// options or by another version.
    pub fn open(path: &Path, opts: &Options) -> Result<Ledger, LedgerError> {
        let err = |msg: String| LedgerError {
            path: path.to_path_buf(),
            msg,
        };
        let sql = |e: rusqlite::Error| err(e.to_string());
        if !path.exists() {
            create_private(path).map_err(|e| err(format!("cannot create: {e}")))?;
        }
        let conn = Connection::open(path).map_err(sql)?;
        // One scan at a time: the lock is taken now and held until the ledger is closed
        // (a second scan on the same ledger would read every file again beside the first).
        let open_err = |e: rusqlite::Error| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                err("in use by another scan (one scan at a time on a ledger)".into())
            }
            Some(rusqlite::ErrorCode::NotADatabase) => err(format!(
                "not a kizuki ledger (an SQLite database made by --resume): {e}"
            )),
            _ => err(e.to_string()),
        };
        conn.execute_batch(
            "PRAGMA locking_mode=EXCLUSIVE; PRAGMA busy_timeout=0; BEGIN EXCLUSIVE; COMMIT;",
        )
        .map_err(open_err)?;
        // Another SQLite database (given by mistake: evidence, an application's store) is
        // left as it is: nothing is written to it.
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .and_then(|mut st| {
                st.query_map([], |r| r.get(0))?
                    .collect::<Result<Vec<String>, _>>()
            })
            .map_err(open_err)?;
        let ours = ["meta", "done", "part"];
        if tables.iter().any(|n| !ours.contains(&n.as_str())) {
            return Err(err(
                "not a kizuki ledger: an SQLite database with tables of its own (left as it is)"
                    .into(),
            ));
        }
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
             CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS done(path TEXT PRIMARY KEY, size INTEGER NOT NULL,
                 mtime_ns INTEGER NOT NULL, items TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS part(path TEXT NOT NULL, size INTEGER NOT NULL,
                 mtime_ns INTEGER NOT NULL, start INTEGER NOT NULL, stop INTEGER NOT NULL,
                 items TEXT NOT NULL, PRIMARY KEY(path, start));",
        )
        .map_err(open_err)?;
        let scan = fingerprint(opts);
        let stored: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'scan'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql)?;
        match stored {
            Some(s) if s != scan => {
                // What differs, as `reveal false` (the ledger's) against `reveal true`.
                let theirs: Vec<&str> = s.split("; ").collect();
                let differs: Vec<String> = scan
                    .split("; ")
                    .zip(s.split("; "))
                    .filter(|(mine, theirs)| mine != theirs)
                    .map(|(mine, theirs)| format!("{theirs} there, {mine} here"))
                    .collect();
                let differs = if differs.is_empty() || theirs.len() != scan.split("; ").count() {
                    format!("{s} there")
                } else {
                    differs.join("; ")
                };
                return Err(err(format!(
                    "this ledger belongs to another scan ({differs}): resume with the options \
                     it was made with, or give a new file"
                )));
            }
            Some(_) => {}
            None => {
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES ('scan', ?1)",
                    params![scan],
                )
                .map_err(sql)?;
            }
        }
        let crash_after = std::env::var("KIZUKI_TEST_CRASH_AFTER")
            .ok()
            .and_then(|v| v.parse().ok());
        Ok(Ledger {
            conn,
            path: path.to_path_buf(),
            recorded: 0,
            replayed: 0,
            parts_recorded: 0,
            parts_replayed: 0,
            crash_after,
            pending: 0,
            committed: Instant::now(),
        })
    }

    /// The files recorded, with their stamps, as a set the readers look in without the
    /// ledger (8 bytes a file: a million files take 16 MB; a file found there is checked
    /// against its row when its items are taken, [`Ledger::lookup`]).
    pub fn done(&self) -> Done {
        let mut set = HashSet::new();
        let rows = self
            .conn
            .prepare("SELECT path, size, mtime_ns FROM done")
            .and_then(|mut st| {
                st.query_map([], |r| {
                    Ok(key(
                        &r.get::<_, String>(0)?,
                        (r.get::<_, i64>(1)?, r.get::<_, i64>(2)?),
                    ))
                })?
                .collect::<Result<Vec<u64>, _>>()
            });
        match rows {
            Ok(keys) => set.extend(keys),
            // Nothing taken from the ledger: every file is read (and recorded again).
            Err(e) => tracing::warn!(error = %e, "cannot list the files the ledger has"),
        }
        Done(set)
    }

    /// Whether `file` is the ledger itself or one of its journal files (a ledger kept inside
    /// the directory being scanned is not scanned: it changes as the scan goes).
    pub fn is_own(&self, file: &Path) -> bool {
        let (Some(name), Some(own)) = (file.file_name(), self.path.file_name()) else {
            return false;
        };
        let (name, own) = (name.to_string_lossy(), own.to_string_lossy());
        let journal = name
            .strip_prefix(own.as_ref())
            .is_some_and(|rest| ["", "-wal", "-shm", "-journal"].contains(&rest));
        journal && dir_of(file).is_some_and(|d| dir_of(&self.path) == Some(d))
    }

    /// The items recorded for the file `label` when it still has this stamp.
    pub fn lookup(&mut self, label: &str, stamp: Stamp) -> Option<Vec<Item>> {
        let row: Option<(i64, i64, String)> = self
            .conn
            .prepare_cached("SELECT size, mtime_ns, items FROM done WHERE path = ?1")
            .and_then(|mut st| {
                st.query_row(params![label], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()
            })
            .ok()
            .flatten();
        let (size, mtime_ns, items) = row?;
        if !stamp.is((size, mtime_ns)) {
            return None;
        }
        let stored: Vec<Stored> = serde_json::from_str(&items).ok()?;
        self.replayed += 1;
        Some(stored.into_iter().map(Stored::item).collect())
    }

    /// Records the file `label` (read with this stamp) as finished with these items. A file
    /// that could not be read is not recorded: the next run tries it again.
    pub fn record(&mut self, label: &str, stamp: Stamp, items: &[Item]) -> Result<(), LedgerError> {
        if items.iter().any(|i| {
            matches!(
                i,
                Item::Failed {
                    error: crate::Error::Io { .. },
                    ..
                }
            )
        }) {
            return Ok(());
        }
        let json = self.json(items)?;
        let (size, _) = stamp.stored();
        self.begin()?;
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO done(path, size, mtime_ns, items) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut st| st.execute(params![label, size, stamp.mtime_ns, json]))
            .map_err(|e| self.error(e.to_string()))?;
        // Its segments, if it is an image, are of no more use.
        self.conn
            .prepare_cached("DELETE FROM part WHERE path = ?1")
            .and_then(|mut st| st.execute(params![label]))
            .map_err(|e| self.error(e.to_string()))?;
        self.recorded += 1;
        self.wrote()
    }

    /// The segments of the image `label` (with this stamp) recorded by an earlier run, one
    /// after the other from its start: where each starts and stops, and its items.
    pub fn parts(&mut self, label: &str, stamp: Stamp) -> Vec<(u64, u64, Vec<Item>)> {
        let (size, mtime_ns) = stamp.stored();
        let rows: Vec<(i64, i64, String)> = self
            .conn
            .prepare_cached(
                "SELECT start, stop, items FROM part WHERE path = ?1 AND size = ?2 \
                 AND mtime_ns = ?3 ORDER BY start",
            )
            .and_then(|mut st| {
                st.query_map(params![label, size, mtime_ns], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect()
            })
            .unwrap_or_default();
        let mut out = Vec::new();
        let mut at = 0u64;
        for (start, stop, items) in rows {
            let (Ok(start), Ok(stop)) = (u64::try_from(start), u64::try_from(stop)) else {
                break;
            };
            let Some(items) = (start == at && stop > start)
                .then(|| serde_json::from_str::<Vec<Stored>>(&items).ok())
                .flatten()
            else {
                break;
            };
            out.push((start, stop, items.into_iter().map(Stored::item).collect()));
            at = stop;
        }
        self.parts_replayed += out.len() as u64;
        out
    }

    /// Records a segment of the image `label` (read with this stamp), from `start` to `stop`,
    /// as carved with these items.
    pub fn record_part(
        &mut self,
        label: &str,
        stamp: Stamp,
        (start, stop): (u64, u64),
        items: &[Item],
    ) -> Result<(), LedgerError> {
        let json = self.json(items)?;
        let (size, mtime_ns) = stamp.stored();
        let int = |x: u64| i64::try_from(x).map_err(|e| self.error(e.to_string()));
        let (start, stop) = (int(start)?, int(stop)?);
        self.begin()?;
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO part(path, size, mtime_ns, start, stop, items) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut st| st.execute(params![label, size, mtime_ns, start, stop, json]))
            .map_err(|e| self.error(e.to_string()))?;
        self.parts_recorded += 1;
        self.wrote()
    }

    /// Items as the ledger keeps them.
    fn json(&self, items: &[Item]) -> Result<String, LedgerError> {
        let stored: Vec<Stored> = items
            .iter()
            .map(|i| match i {
                Item::Found(r) => Stored::Found(r.clone()),
                Item::Failed { path, error } => Stored::Failed {
                    path: path.clone(),
                    error: error.to_string(),
                },
            })
            .collect();
        serde_json::to_string(&stored).map_err(|e| self.error(e.to_string()))
    }

    /// Opens a transaction for the rows that follow, unless one is open.
    fn begin(&mut self) -> Result<(), LedgerError> {
        if self.pending == 0 {
            self.conn
                .execute_batch("BEGIN")
                .map_err(|e| self.error(e.to_string()))?;
            self.committed = Instant::now();
        }
        Ok(())
    }

    /// A row written: committed with the others a few times a second.
    fn wrote(&mut self) -> Result<(), LedgerError> {
        self.pending += 1;
        let crash = self
            .crash_after
            .is_some_and(|n| self.recorded + self.parts_recorded >= n);
        if crash || self.committed.elapsed() >= COMMIT_EVERY {
            self.commit()?;
        }
        if crash {
            // As a crash right after a commit would: no destructor, nothing flushed.
            std::process::abort();
        }
        Ok(())
    }

    /// Commits the rows recorded since the last commit (also done when the ledger is dropped,
    /// without a word on failure).
    pub fn commit(&mut self) -> Result<(), LedgerError> {
        if self.pending > 0 {
            self.pending = 0;
            self.conn
                .execute_batch("COMMIT")
                .map_err(|e| self.error(e.to_string()))?;
        }
        Ok(())
    }

    fn error(&self, msg: String) -> LedgerError {
        LedgerError {
            path: self.path.clone(),
            msg,
        }
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        if let Err(e) = self.commit() {
            tracing::warn!(error = %e, "the ledger's last rows are not committed");
        }
    }
}

/// The directory holding `p`, canonical (`.` for a bare file name).
fn dir_of(p: &Path) -> Option<PathBuf> {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.canonicalize().ok(),
        _ => Path::new(".").canonicalize().ok(),
    }
}

/// What makes two runs the same scan: the options that change the output, and the version.
fn fingerprint(opts: &Options) -> String {
    // Passwords open archives (more output): their number counts, never the passwords.
    let passwords = match opts.passwords.len() {
        0 => String::new(),
        n => format!("; passwords {n}"),
    };
    format!(
        "kizuki {}; categories {}; reveal {}; min-count {}; caps {}/{}/{}/{}",
        env!("CARGO_PKG_VERSION"),
        kizuki_core::Category::ALL
            .iter()
            .filter(|c| opts.categories.has(**c))
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(","),
        opts.reveal,
        opts.min_count,
        opts.max_depth,
        opts.max_members,
        opts.max_total_size,
        opts.max_ratio
    ) + &passwords
}

/// Creates an empty ledger file readable and writable by its owner only (it holds paths and
/// samples; SQLite gives its journal files the same permissions).
fn create_private(path: &Path) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scanner;
    use crate::scan::printed;

    #[test]
    fn items_come_back_as_they_were_given() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.csv");
        // Two columns under one header (kept both, in order), and a failed member.
        let csv =
            "名,名,電話番号\n山田 太郎,山田 花子,090-1234-5678\n佐藤 一郎,佐藤 次郎,03-1234-5678\n";
        std::fs::write(&file, csv).unwrap();
        let mut items = Scanner::default().scan_bytes("x.csv", csv.as_bytes());
        items.push(Item::Failed {
            path: "x.zip!y.csv".into(),
            error: crate::Error::Cap("depth 4".into()),
        });
        let opts = Options::default();
        let mut l = Ledger::open(&dir.path().join("state.db"), &opts).unwrap();
        let stamp = Stamp::of(&file).unwrap();
        assert!(!l.done().has("x.csv", stamp));
        l.record("x.csv", stamp, &items).unwrap();
        assert!(l.done().has("x.csv", stamp));
        let back = l.lookup("x.csv", stamp).unwrap();
        assert_eq!(printed(&back), printed(&items));
        assert!(printed(&items)[0].contains(r#""columns":{"名":"name_kanji","名":"name_kanji""#));
        // One scan at a time.
        let err = Ledger::open(&dir.path().join("state.db"), &opts)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("in use by another scan"), "{err}");
        // Opened again, by the same scan: the same items.
        drop(l);
        let mut l = Ledger::open(&dir.path().join("state.db"), &opts).unwrap();
        assert_eq!(printed(&l.lookup("x.csv", stamp).unwrap()), printed(&items));

        // A file with another size or time is not given.
        std::fs::write(&file, format!("{csv}鈴木 一,鈴木 二,080-1111-2222\n")).unwrap();
        let now = Stamp::of(&file).unwrap();
        assert_ne!(now, stamp);
        assert!(!l.done().has("x.csv", now) && l.lookup("x.csv", now).is_none());

        // A file that could not be read is not recorded.
        let failed = [Item::Failed {
            path: "gone.csv".into(),
            error: crate::Error::Io {
                path: "gone.csv".into(),
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            },
        }];
        l.record("gone.csv", now, &failed).unwrap();
        assert!(!l.done().has("gone.csv", now));
        // (Counted since it was opened again: nothing recorded, one file given.)
        assert_eq!((l.recorded, l.replayed), (0, 1));

        // Segments of an image: given back chained from its start, for its stamp only; the
        // image recorded whole drops them.
        l.record_part("d.img", now, (0, 4096), &items).unwrap();
        l.record_part("d.img", now, (4096, 9216), &[]).unwrap();
        l.record_part("d.img", now, (20_480, 30_720), &items)
            .unwrap();
        let parts = l.parts("d.img", now);
        let spans: Vec<(u64, u64)> = parts.iter().map(|(a, b, _)| (*a, *b)).collect();
        assert_eq!(
            spans,
            [(0, 4096), (4096, 9216)],
            "the third does not follow"
        );
        assert_eq!(printed(&parts[0].2), printed(&items));
        assert!(parts[1].2.is_empty());
        assert!(l.parts("d.img", stamp).is_empty());
        assert_eq!((l.parts_recorded, l.parts_replayed), (3, 2));
        l.record("d.img", now, &items).unwrap();
        assert!(l.parts("d.img", now).is_empty());

        // Another scan's options: refused.
        drop(l);
        let other = Options {
            min_count: 5,
            ..Options::default()
        };
        let err = Ledger::open(&dir.path().join("state.db"), &other)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("min-count 1 there, min-count 5 here"), "{err}");
        // Not a ledger.
        std::fs::write(dir.path().join("junk"), "not a database").unwrap();
        let err = Ledger::open(&dir.path().join("junk"), &opts)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("junk") && err.contains("not a kizuki ledger"),
            "{err}"
        );
        // Another SQLite database: refused, and not written to.
        let app = dir.path().join("app.sqlite");
        rusqlite::Connection::open(&app)
            .unwrap()
            .execute_batch("CREATE TABLE users(name TEXT); INSERT INTO users VALUES ('x');")
            .unwrap();
        let before = std::fs::read(&app).unwrap();
        let err = Ledger::open(&app, &opts).err().unwrap().to_string();
        assert!(err.contains("tables of its own"), "{err}");
        assert_eq!(std::fs::read(&app).unwrap(), before);
        assert!(!dir.path().join("app.sqlite-wal").exists());
    }
}
