//! An SQLite database's write-ahead log (`app.db-wal`): the committed pages it holds that the
//! database file does not have yet.
//!
//! A database in WAL mode keeps its latest transactions in the `-wal` file beside it until a
//! checkpoint copies them into the database: a live application's last thousands of rows
//! (SQLite checkpoints every 1,000 pages by default) are only there. SQLite itself reads the
//! log only through a shared-memory index (`-shm`) that it creates beside the database, which
//! would write into the evidence; opening the file `immutable`, as [`crate::sqlite`] does,
//! ignores the log. So the log is read here, by its documented format
//! (<https://www.sqlite.org/fileformat2.html#the_write_ahead_log>): a 32-byte header, then
//! frames of a 24-byte header and one page, each salted with the header's salts and checked
//! by a running checksum. The frames up to the last valid commit frame are the database's
//! committed state; later ones are an unfinished transaction, and a frame whose salt or
//! checksum is wrong ends the log (what SQLite's own recovery does).
//!
//! The database to read is then a copy made in a temporary file: the database file with each
//! page's latest committed frame written over it, cut to the commit's size, and marked as a
//! rollback-journal database so SQLite does not look for a log beside the copy. Memory stays
//! bounded (pages are copied one at a time); disk use is the database's size.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The first four bytes of a log: checksums of little-endian (…82) or big-endian (…83) words.
const MAGIC_LE: u32 = 0x377f_0682;
const MAGIC_BE: u32 = 0x377f_0683;
const HEADER: usize = 32;
const FRAME_HEADER: usize = 24;

/// Does `head` start like a write-ahead log?
pub(crate) fn is_wal(head: &[u8]) -> bool {
    head.get(..4)
        .is_some_and(|m| matches!(be32(m), MAGIC_LE | MAGIC_BE))
}

/// The log beside a database file: its path with `-wal` appended.
pub(crate) fn beside(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

/// SQLite's log checksum over `data` (a multiple of 8 bytes), continuing from `s`.
fn checksum(big_endian: bool, data: &[u8], mut s: (u32, u32)) -> (u32, u32) {
    for w in data.chunks_exact(8) {
        let (x0, x1) = if big_endian {
            (be32(&w[..4]), be32(&w[4..]))
        } else {
            (
                u32::from_le_bytes([w[0], w[1], w[2], w[3]]),
                u32::from_le_bytes([w[4], w[5], w[6], w[7]]),
            )
        };
        s.0 = s.0.wrapping_add(x0).wrapping_add(s.1);
        s.1 = s.1.wrapping_add(x1).wrapping_add(s.0);
    }
    s
}

/// What a log holds of the committed state.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Committed {
    pub page_size: usize,
    /// The database's size in pages after the last commit.
    pub pages: u32,
    /// Each page's latest committed frame: page number → the byte offset of its data in the
    /// log.
    pub frames: HashMap<u32, u64>,
    /// Frames after the last commit (an unfinished transaction), or cut off by a bad salt or
    /// checksum: not applied.
    pub uncommitted: u64,
}

/// Reads a log's frames and keeps those of committed transactions. `None` when the log is
/// empty, not a log, or holds no commit. `db_pages`: the database file's size in pages. A
/// log only grows a database by pages it writes, so a frame of a page beyond the database
/// and every frame before it, or a commit of more pages, ends the log (a crafted log could
/// otherwise have a copy of terabytes made, or read).
pub(crate) fn committed(r: &mut impl Read, db_pages: u64) -> io::Result<Option<Committed>> {
    let mut h = [0u8; HEADER];
    if kizuki_core::io::read_full(r, &mut h)? < HEADER || !is_wal(&h) {
        return Ok(None);
    }
    let big_endian = be32(&h[..4]) == MAGIC_BE;
    let page_size = be32(&h[8..12]) as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Ok(None);
    }
    let mut sum = checksum(big_endian, &h[..24], (0, 0));
    if sum != (be32(&h[24..28]), be32(&h[28..32])) {
        return Ok(None);
    }
    let salt = &h[16..24];
    let mut out = Committed {
        page_size,
        ..Committed::default()
    };
    // Frames since the last commit: page → offset, applied when a commit frame comes.
    let mut pending: Vec<(u32, u64)> = Vec::new();
    let mut page = vec![0u8; page_size];
    let mut fh = [0u8; FRAME_HEADER];
    let mut offset = HEADER as u64;
    loop {
        if kizuki_core::io::read_full(r, &mut fh)? < FRAME_HEADER
            || kizuki_core::io::read_full(r, &mut page)? < page_size
        {
            break;
        }
        let pgno = be32(&fh[..4]);
        let frames = (offset - HEADER as u64) / (FRAME_HEADER + page_size) as u64 + 1;
        let most = db_pages.saturating_add(frames);
        if pgno == 0 || u64::from(pgno) > most || fh[8..16] != *salt {
            break;
        }
        let s = checksum(big_endian, &page, checksum(big_endian, &fh[..8], sum));
        if s != (be32(&fh[16..20]), be32(&fh[20..24])) {
            break;
        }
        sum = s;
        pending.push((pgno, offset + FRAME_HEADER as u64));
        offset += (FRAME_HEADER + page_size) as u64;
        let commit = be32(&fh[4..8]);
        if u64::from(commit) > most {
            break;
        }
        if commit != 0 {
            out.frames.extend(pending.drain(..));
            out.pages = commit;
        }
    }
    out.uncommitted = pending.len() as u64;
    Ok((out.pages > 0).then_some(out))
}

/// The database at `db` with the committed frames of its log at `wal` applied, as a
/// temporary file SQLite can open `immutable`; `None` when the log holds no commit (or is
/// not a log).
pub(crate) fn apply(
    db: &Path,
    wal: &Path,
) -> io::Result<Option<(tempfile::NamedTempFile, Committed)>> {
    let mut log = File::open(wal)?;
    let db_len = std::fs::metadata(db)?.len();
    // The page size is the log's; a database file's size in its pages, rounded up.
    let mut head = [0u8; 12];
    let n = kizuki_core::io::read_full(&mut log, &mut head)?;
    let page = if n == 12 {
        u64::from(be32(&head[8..12])).max(512)
    } else {
        512
    };
    log.seek(SeekFrom::Start(0))?;
    let Some(c) = committed(&mut BufReader::new(&mut log), db_len.div_ceil(page))? else {
        return Ok(None);
    };
    let mut tmp = tempfile::Builder::new().prefix("kizuki-wal-").tempfile()?;
    io::copy(&mut File::open(db)?, tmp.as_file_mut())?;
    let f = tmp.as_file_mut();
    let mut page = vec![0u8; c.page_size];
    let mut frames: Vec<(u32, u64)> = c.frames.iter().map(|(p, o)| (*p, *o)).collect();
    frames.sort_unstable();
    for (pgno, at) in frames {
        if pgno > c.pages {
            continue;
        }
        log.seek(SeekFrom::Start(at))?;
        log.read_exact(&mut page)?;
        f.seek(SeekFrom::Start(u64::from(pgno - 1) * c.page_size as u64))?;
        f.write_all(&page)?;
    }
    f.set_len(u64::from(c.pages) * c.page_size as u64)?;
    // File format versions 1/1: a rollback-journal database (2/2 is WAL mode).
    f.seek(SeekFrom::Start(18))?;
    f.write_all(&[1, 1])?;
    f.flush()?;
    Ok(Some((tmp, c)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A database in WAL mode whose last rows are only in its log: made by SQLite, the log
    /// copied while the connection still holds it.
    pub(crate) fn db_with_rows_in_log(dir: &Path, in_db: usize, in_log: usize) -> PathBuf {
        let src = dir.join("src.db");
        let conn = rusqlite::Connection::open(&src).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;
             CREATE TABLE customers(id INTEGER PRIMARY KEY, 氏名 TEXT, メール TEXT);",
        )
        .unwrap();
        let add = |from: usize, n: usize| {
            for i in from..from + n {
                conn.execute(
                    "INSERT INTO customers VALUES (NULL, '山田 太郎', ?)",
                    [format!("taro{i}@example.com")],
                )
                .unwrap();
            }
        };
        add(0, in_db);
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        add(in_db, in_log);
        let out = dir.join("app.db");
        std::fs::copy(&src, &out).unwrap();
        std::fs::copy(beside(&src), beside(&out)).unwrap();
        out
    }

    fn count(path: &Path) -> i64 {
        let conn = rusqlite::Connection::open_with_flags(
            format!("file:{}?mode=ro&immutable=1", path.display()),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
        )
        .unwrap();
        conn.query_row("SELECT count(*) FROM customers", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn applies_committed_frames_and_leaves_the_log_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = db_with_rows_in_log(dir.path(), 30, 70);
        // The file alone: the rows of the log are not there.
        assert_eq!(count(&db), 30);
        let log_before = std::fs::read(beside(&db)).unwrap();
        let db_before = std::fs::read(&db).unwrap();
        let (tmp, c) = apply(&db, &beside(&db)).unwrap().unwrap();
        assert_eq!(count(tmp.path()), 100);
        assert_eq!(c.uncommitted, 0);
        assert_eq!(std::fs::read(beside(&db)).unwrap(), log_before);
        assert_eq!(std::fs::read(&db).unwrap(), db_before);
    }

    /// A log as SQLite writes one, of frames (page number, commit size, page), with valid
    /// salts and checksums: what a crafted log can claim.
    fn forge(page_size: usize, frames: &[(u32, u32, Vec<u8>)]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&MAGIC_LE.to_be_bytes());
        out.extend_from_slice(&3_007_000u32.to_be_bytes());
        out.extend_from_slice(&(page_size as u32).to_be_bytes());
        out.extend_from_slice(&[0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
        let mut sum = checksum(false, &out, (0, 0));
        out.extend_from_slice(&sum.0.to_be_bytes());
        out.extend_from_slice(&sum.1.to_be_bytes());
        for (pgno, commit, page) in frames {
            let mut fh = Vec::new();
            fh.extend_from_slice(&pgno.to_be_bytes());
            fh.extend_from_slice(&commit.to_be_bytes());
            sum = checksum(false, page, checksum(false, &fh, sum));
            fh.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
            fh.extend_from_slice(&sum.0.to_be_bytes());
            fh.extend_from_slice(&sum.1.to_be_bytes());
            out.extend_from_slice(&fh);
            out.extend_from_slice(page);
        }
        out
    }

    #[test]
    fn a_forged_log_cannot_grow_the_copy_past_what_it_writes() {
        let dir = tempfile::tempdir().unwrap();
        let db = db_with_rows_in_log(dir.path(), 5, 0);
        let pages = std::fs::metadata(&db).unwrap().len() / 4096;
        let page = std::fs::read(&db).unwrap()[..4096].to_vec();
        // A valid commit, then a page four billion pages on (committed by the frame after
        // it), or a commit of 2^32-1 pages: the log ends before them.
        let n = pages as u32;
        for bad in [(4_000_000_000, 0), (1, u32::MAX)] {
            let log = forge(
                4096,
                &[
                    (1, n, page.clone()),
                    (bad.0, bad.1, page.clone()),
                    (1, n, page.clone()),
                ],
            );
            let c = committed(&mut log.as_slice(), pages).unwrap().unwrap();
            assert_eq!((c.pages, c.frames.len()), (pages as u32, 1), "{bad:?}");
            std::fs::write(beside(&db), &log).unwrap();
            let (tmp, _) = apply(&db, &beside(&db)).unwrap().unwrap();
            assert_eq!(std::fs::metadata(tmp.path()).unwrap().len(), pages * 4096);
            assert_eq!(count(tmp.path()), 5);
        }
        // A log that grows the database by the pages it writes is fine.
        let log = forge(4096, &[(pages as u32 + 1, pages as u32 + 1, vec![0; 4096])]);
        assert_eq!(
            committed(&mut log.as_slice(), pages)
                .unwrap()
                .unwrap()
                .pages,
            pages as u32 + 1
        );
    }

    #[test]
    fn stops_at_a_torn_frame_and_keeps_earlier_commits() {
        let dir = tempfile::tempdir().unwrap();
        let db = db_with_rows_in_log(dir.path(), 10, 40);
        let log = std::fs::read(beside(&db)).unwrap();
        let whole = committed(&mut log.as_slice(), 10).unwrap().unwrap();
        // One commit frame per insert (autocommit): cut the log inside its last frame, and
        // corrupt a byte of the frame before: both end the log there.
        let frame = FRAME_HEADER + whole.page_size;
        let frames = (log.len() - HEADER) / frame;
        assert!(frames >= 40, "{frames}");
        let rows = |log: &[u8]| {
            std::fs::write(beside(&db), log).unwrap();
            let (tmp, c) = apply(&db, &beside(&db)).unwrap().unwrap();
            (count(tmp.path()), c)
        };
        assert_eq!(rows(&log).0, 50);
        // The last insert lost, its frame cut; the earlier ones kept.
        assert_eq!(rows(&log[..log.len() - 100]).0, 49);
        let mut bad = log.clone();
        let last_but_one = HEADER + (frames - 2) * frame + FRAME_HEADER + 7;
        bad[last_but_one] ^= 1;
        // Every insert but the last two is there; the last frame, valid itself, comes after
        // the break and is not applied.
        let (n, c) = rows(&bad);
        assert_eq!((n, c.uncommitted), (48, 0));
        // Not a log, or no commit: nothing.
        assert_eq!(committed(&mut &b"SQLite format 3\0"[..], 10).unwrap(), None);
        assert_eq!(committed(&mut &log[..HEADER], 10).unwrap(), None);
        let mut salt = log.clone();
        salt[HEADER + 8] ^= 1;
        assert_eq!(committed(&mut salt.as_slice(), 10).unwrap(), None);
    }
}
