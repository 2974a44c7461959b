//! pg_dump's custom-format archives (`pg_dump -Fc`, the format most PostgreSQL backups are
//! kept in; `PGDMP` then the format byte 1): a header, a table of contents (one entry per
//! object, a table's data entry with the `COPY t (columns) FROM stdin;` that restores it) and
//! the data blocks, each table's `COPY` rows in chunks, compressed with zlib (the default),
//! lz4 or Zstandard (PostgreSQL 16 on), or not. Every table's rows go through the same reader
//! as a plain `pg_dump`'s `COPY` blocks ([`crate::sql`]): the archive reads like the plain SQL
//! dump of the same database, `table.column`.
//!
//! Why by hand: the one crate (pgarchive) allocates whatever a length in the file asks (a
//! hostile archive aborts the process) and reads a table's data by seeking to its offset, so
//! not from an archive member or a compressed stream; the format is a page of code
//! (`pg_backup_archiver.c`, `pg_backup_custom.c`). Read here as a stream, block by block: the
//! data blocks come in the order they were written, which needs no offsets.

use std::io::{self, BufRead, Read};
use std::rc::Rc;

use std::cell::Cell;

use kizuki_core::Category;

use crate::sql::Dump;
use crate::tally::Tally;

/// The archive formats' byte for the custom format.
const CUSTOM: u8 = 1;
/// Data block kinds.
const BLK_DATA: u8 = 1;
const BLK_BLOBS: u8 = 3;
/// The longest string of the table of contents read (a view's or function's definition).
const MAX_STR: usize = 64 << 20;
/// Entries of the table of contents (a database of 100,000 tables has a few hundred
/// thousand).
const MAX_ENTRIES: i64 = 10_000_000;
/// The longest data chunk (pg_dump writes 4 KiB to 1 MiB).
const MAX_CHUNK: i64 = 1 << 30;
/// A `COPY` row longer than this is cut (the SQL reader scans rows over 16 KiB as text).
const MAX_LINE: u64 = 16 << 20;

/// Does `head` start a custom-format archive?
pub fn is_custom(head: &[u8]) -> bool {
    head.starts_with(b"PGDMP")
        && head.get(5) == Some(&1)
        && head.get(8).is_some_and(|s| (1..=8).contains(s))
        && head.get(9).is_some_and(|s| (1..=8).contains(s))
        && head.get(10) == Some(&CUSTOM)
}

/// What an archive held (up to where it broke off, if it did).
pub(crate) struct Archive {
    pub records: u64,
    pub columns: Vec<(String, Category)>,
    pub encoding: &'static str,
    /// Why it was not read to its end.
    pub error: Option<io::Error>,
}

/// The largest large object (`lo_import`ed file) handed on whole; larger ones are cut.
pub const MAX_BLOB: u64 = 64 << 20;

/// How data blocks are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    None,
    Zlib,
    Lz4,
    Zstd,
}

/// The archive's integers and strings as pg_dump writes them (`WriteInt`: a sign byte, then
/// `int_size` bytes from the lowest; `WriteStr`: a length, -1 for NULL, then the bytes).
struct Fields<'a> {
    r: &'a mut dyn BufRead,
    int_size: usize,
}

fn bad(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("pg_dump archive: {what}"),
    )
}

/// An archive's first 11 bytes (magic, version, sizes, format), when `want` takes them.
fn start(r: &mut dyn Read, want: fn(&[u8]) -> bool, not: &str) -> io::Result<[u8; 11]> {
    let mut head = [0u8; 11];
    r.read_exact(&mut head)?;
    if want(&head) { Ok(head) } else { Err(bad(not)) }
}

impl<'a> Fields<'a> {
    /// The fields after `head`, read from `r`.
    fn new(r: &'a mut dyn BufRead, head: &[u8; 11]) -> Self {
        Fields {
            r,
            int_size: usize::from(head[8]),
        }
    }
}

impl Fields<'_> {
    fn byte(&mut self) -> io::Result<u8> {
        let mut b = [0u8];
        self.r.read_exact(&mut b)?;
        Ok(b[0])
    }

    fn int(&mut self) -> io::Result<i64> {
        let sign = self.byte()?;
        let mut v: i64 = 0;
        for i in 0..self.int_size {
            let b = i64::from(self.byte()?);
            if i < 8 {
                v |= b << (8 * i);
            }
        }
        Ok(if sign != 0 { v.wrapping_neg() } else { v })
    }

    fn string(&mut self) -> io::Result<Option<Vec<u8>>> {
        let n = self.int()?;
        if n < 0 {
            return Ok(None);
        }
        let n = usize::try_from(n).map_err(|_| bad("string length"))?;
        if n > MAX_STR {
            return Err(bad("string longer than 64 MiB"));
        }
        let mut s = vec![0u8; n];
        self.r.read_exact(&mut s)?;
        Ok(Some(s))
    }

    fn text(&mut self) -> io::Result<String> {
        Ok(self
            .string()?
            .map(|s| String::from_utf8_lossy(&s).into_owned())
            .unwrap_or_default())
    }
}

/// One table's data: its `COPY` statement (`None`: an entry without one), in the
/// database's encoding (its column names may be kanji).
#[derive(Debug)]
struct Entry {
    id: i64,
    copy: Option<Vec<u8>>,
}

/// Reads an archive from `r` (after the check of [`is_custom`]) into `tally`; each large
/// object (a file stored in the database) goes to `blob` with its oid, at most [`MAX_BLOB`]
/// bytes of it. `max_ratio` bounds the data decompressed to that many times what was read
/// (past the first MiB).
pub(crate) fn read(
    r: &mut dyn Read,
    tally: &mut Tally,
    max_ratio: u64,
    blob: &mut dyn FnMut(i64, &[u8]),
) -> Archive {
    let mut dump = Dump::default();
    let mut encoding: &'static encoding_rs::Encoding = encoding_rs::UTF_8;
    let error = read_into(
        r,
        max_ratio,
        blob,
        &mut |line, enc| {
            let text = enc.decode_without_bom_handling(line).0;
            dump.line(&text, tally);
        },
        false,
        &mut encoding,
    )
    .err();
    let (records, columns) = dump.finish(tally);
    Archive {
        records,
        columns,
        encoding: name_of(encoding),
        error,
    }
}

/// An encoding's name as reports give it.
fn name_of(e: &'static encoding_rs::Encoding) -> &'static str {
    if e == encoding_rs::UTF_8 {
        "UTF-8"
    } else {
        e.name()
    }
}

/// Reads an archive from `r` as the text of the plain SQL dump of the same database (`COPY`
/// statements, their rows, `\\.`), in pieces as they decompress (a character may be cut
/// between two) into `text` with the encoding they are in; large objects go to `blob`. Returns the database's encoding and why it
/// stopped early, if it did.
pub(crate) fn read_as_sql(
    r: &mut dyn Read,
    max_ratio: u64,
    blob: &mut dyn FnMut(i64, &[u8]),
    text: &mut dyn FnMut(&[u8], &'static encoding_rs::Encoding),
) -> (&'static str, Option<io::Error>) {
    let mut encoding: &'static encoding_rs::Encoding = encoding_rs::UTF_8;
    let error = read_into(r, max_ratio, blob, text, true, &mut encoding).err();
    (name_of(encoding), error)
}

/// What the header and table of contents of an archive (any format) say.
#[derive(Debug)]
pub(crate) struct Toc {
    method: Method,
    /// Tables' data entries.
    entries: Vec<Entry>,
    /// The database's encoding (its `ENCODING` entry).
    pub encoding: &'static encoding_rs::Encoding,
}

impl Toc {
    /// The `COPY` statement of data entry `id`, as stored (in the database's encoding).
    fn raw_copy(&self, id: i64) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|e| e.id == id)
            .and_then(|e| e.copy.as_deref())
    }

    /// The `COPY` statement of data entry `id`, decoded.
    pub fn copy(&self, id: i64) -> Option<String> {
        self.raw_copy(id)
            .map(|c| self.encoding.decode_without_bom_handling(c).0.into_owned())
    }

    /// The encoding's name as reports give it.
    pub fn encoding_name(&self) -> &'static str {
        name_of(self.encoding)
    }
}

/// Does `head` start the table of contents of a directory or tar archive (`toc.dat`)?
pub fn is_toc(head: &[u8]) -> bool {
    head.starts_with(b"PGDMP") && matches!(head.get(10), Some(&TAR | &DIRECTORY))
}

/// The tar and directory formats' bytes.
const TAR: u8 = 3;
const DIRECTORY: u8 = 5;

/// Reads an archive's header and table of contents from `f` (its first 11 bytes, `head`,
/// read already).
fn toc(f: &mut Fields<'_>, head: &[u8; 11]) -> io::Result<Toc> {
    let version = (head[5], head[6]);
    let (off_size, format) = (usize::from(head[9]), head[10]);
    if !((1, 10)..=(1, 16)).contains(&version) {
        return Err(bad(&format!(
            "version 1.{} (pg_dump 8.0 to 17 write 1.10 to 1.16)",
            version.1
        )));
    }
    let method = if version >= (1, 15) {
        match f.byte()? {
            0 => Method::None,
            1 => Method::Zlib,
            2 => Method::Lz4,
            3 => Method::Zstd,
            m => return Err(bad(&format!("compression method {m}"))),
        }
    } else if f.int()? != 0 {
        Method::Zlib
    } else {
        Method::None
    };
    // The time it was made (7 integers), the database's name, the server's and pg_dump's
    // versions.
    for _ in 0..7 {
        f.int()?;
    }
    for _ in 0..3 {
        f.string()?;
    }
    let count = f.int()?;
    if !(0..=MAX_ENTRIES).contains(&count) {
        return Err(bad("table of contents"));
    }
    let mut entries = Vec::new();
    let mut encoding = encoding_rs::UTF_8;
    for _ in 0..count {
        let id = f.int()?;
        f.int()?; // hadDumper
        f.string()?; // tableoid
        f.string()?; // oid
        f.string()?; // tag
        let desc = f.text()?;
        if version >= (1, 11) {
            f.int()?; // section
        }
        let defn = f.text()?;
        f.string()?; // dropStmt
        let copy = f.string()?;
        f.string()?; // namespace
        f.string()?; // tablespace
        if version >= (1, 14) {
            f.string()?; // tableam
        }
        if version >= (1, 16) {
            f.int()?; // relkind
        }
        f.string()?; // owner
        f.string()?; // "false": with oids
        // Dependencies, up to a NULL.
        let mut deps = 0;
        while f.string()?.is_some() {
            deps += 1;
            if deps > MAX_ENTRIES {
                return Err(bad("dependencies"));
            }
        }
        // The format's own: where the data is (custom: a flag, then `off_size` bytes; tar
        // and directory: the data file's name).
        if format == CUSTOM {
            for _ in 0..=off_size {
                f.byte()?;
            }
        } else {
            f.string()?;
        }
        if desc == "ENCODING" {
            encoding = client_encoding(&defn);
        }
        if desc == "TABLE DATA" {
            entries.push(Entry { id, copy });
        }
    }
    Ok(Toc {
        method,
        entries,
        encoding,
    })
}

/// The table of contents of a directory or tar archive (`toc.dat`, read from `r`).
pub(crate) fn read_toc(r: &mut dyn Read) -> io::Result<Toc> {
    let mut br = io::BufReader::with_capacity(64 * 1024, r);
    let head = start(&mut br, is_toc, "not a table of contents")?;
    toc(&mut Fields::new(&mut br, &head), &head)
}

/// The entry id and compression suffix (`""`, `.gz`, `.lz4`, `.zst`) of a data file's name
/// in a directory or tar archive (`3001.dat.gz`).
pub fn data_file(name: &str) -> Option<(i64, &str)> {
    let (id, ext) = name.split_once(".dat")?;
    let id = id.parse().ok()?;
    matches!(ext, "" | ".gz" | ".lz4" | ".zst").then_some((id, ext))
}

/// Reads one data file of a directory or tar archive (`3001.dat`, decompressed already) as
/// the rows of `copy` (the `COPY` statement its entry gives) into `tally`: its records and
/// columns.
pub(crate) fn read_data_file(
    r: &mut dyn Read,
    copy: &str,
    encoding: &'static encoding_rs::Encoding,
    tally: &mut Tally,
) -> io::Result<(u64, Vec<(String, Category)>)> {
    read_rows_into(Dump::default(), r, copy, encoding, tally)
}

/// [`read_data_file`] into a dump that knows its tables already (a `CREATE TABLE` read):
/// a `COPY` statement without columns then takes the table's.
pub(crate) fn read_rows_into(
    mut dump: Dump,
    r: &mut dyn Read,
    copy: &str,
    encoding: &'static encoding_rs::Encoding,
    tally: &mut Tally,
) -> io::Result<(u64, Vec<(String, Category)>)> {
    dump.line(copy, tally);
    let read = Cell::new(0u64);
    let res = lines(r, &read, Method::None, 1, &mut |l| {
        let text = encoding.decode_without_bom_handling(l).0;
        dump.line(&text, tally);
    });
    dump.line("\\.", tally);
    let out = dump.finish(tally);
    res.map(|()| out)
}

fn read_into(
    r: &mut dyn Read,
    max_ratio: u64,
    blob: &mut dyn FnMut(i64, &[u8]),
    emit: &mut dyn FnMut(&[u8], &'static encoding_rs::Encoding),
    whole: bool,
    encoding: &mut &'static encoding_rs::Encoding,
) -> io::Result<()> {
    let mut br = io::BufReader::with_capacity(64 * 1024, r);
    let head = start(&mut br, is_custom, "not a custom-format archive")?;
    let mut f = Fields::new(&mut br, &head);
    let toc = toc(&mut f, &head)?;
    *encoding = toc.encoding;
    let method = toc.method;
    let encoding = *encoding;
    loop {
        let kind = match f.byte() {
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        };
        let id = f.int()?;
        match kind {
            BLK_DATA => {
                // A block of no table known: its rows are still read, as text (lines
                // outside a `COPY` block).
                let copy = toc.raw_copy(id);
                if let Some(c) = copy {
                    emit(c, encoding);
                    if !c.ends_with(b"\n") {
                        emit(b"\n", encoding);
                    }
                }
                if whole {
                    // The rows as they decompress (the reader of the text splits them); a
                    // last row without its line end is given one.
                    let mut last = b'\n';
                    blocks(&mut f, method, max_ratio, &mut |b| {
                        last = b.last().copied().unwrap_or(last);
                        emit(b, encoding);
                    })?;
                    if last != b'\n' {
                        emit(b"\n", encoding);
                    }
                } else {
                    rows(&mut f, method, max_ratio, &mut |l| emit(l, encoding))?;
                }
                if copy.is_some() {
                    emit(b"\\.\n", encoding);
                }
            }
            BLK_BLOBS => loop {
                // Large objects: an oid, then its data, up to an oid of 0.
                let oid = f.int()?;
                if oid == 0 {
                    break;
                }
                let data = bytes(&mut f, method, max_ratio)?;
                blob(oid, &data);
            },
            k => return Err(bad(&format!("data block of kind {k}"))),
        }
    }
    Ok(())
}

/// The data decompressed from `chunks` (its reader), checked against `max_ratio` as it
/// comes.
fn decompressed<'a>(
    chunks: &'a mut Chunks<'_, '_>,
    method: Method,
) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match method {
        Method::None => Box::new(chunks),
        Method::Zlib => Box::new(flate2::read::ZlibDecoder::new(chunks)),
        Method::Lz4 => Box::new(lz4_flex::frame::FrameDecoder::new(chunks)),
        Method::Zstd => {
            kizuki_files::archive::stream_decoder(kizuki_files::sniff::FileType::Zstd, chunks)
                .ok_or_else(|| bad("zstd"))?
        }
    })
}

/// One large object's bytes, at most [`MAX_BLOB`] (the rest read and dropped).
fn bytes(f: &mut Fields<'_>, method: Method, max_ratio: u64) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let most = usize::try_from(MAX_BLOB).unwrap_or(usize::MAX);
    blocks(f, method, max_ratio, &mut |b| {
        let room = most.saturating_sub(out.len());
        out.extend_from_slice(&b[..b.len().min(room)]);
    })?;
    Ok(out)
}

/// One data block's chunks, decompressed, in pieces of up to 64 KiB into `piece`; then
/// what the decompressor left of the chunks, read up to their end.
fn blocks(
    f: &mut Fields<'_>,
    method: Method,
    max_ratio: u64,
    piece: &mut dyn FnMut(&[u8]),
) -> io::Result<()> {
    decompressing(f, method, &mut |data, read| {
        let mut buf = vec![0u8; 64 * 1024];
        let mut written = 0u64;
        loop {
            let n = data.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            written += n as u64;
            ratio_check(method, written, read.get(), max_ratio)?;
            piece(&buf[..n]);
        }
    })
}

/// What reads a data block decompressed, given the count of compressed bytes read so far.
type BlockReader<'a> = dyn FnMut(&mut dyn Read, &Cell<u64>) -> io::Result<()> + 'a;

/// Runs `body` on one data block's chunks decompressed, then reads what the decompressor
/// left of the chunks (a stream's trailer) up to their end.
fn decompressing(f: &mut Fields<'_>, method: Method, body: &mut BlockReader<'_>) -> io::Result<()> {
    let read = Rc::new(Cell::new(0u64));
    let mut chunks = Chunks {
        f,
        left: 0,
        done: false,
        read: read.clone(),
    };
    {
        let mut data = decompressed(&mut chunks, method)?;
        body(&mut data, &read)?;
    }
    io::copy(&mut chunks, &mut io::sink())?;
    Ok(())
}

/// Fails once `written` bytes decompressed from `read` pass `max_ratio` times them (past
/// the first MiB).
fn ratio_check(method: Method, written: u64, read: u64, max_ratio: u64) -> io::Result<()> {
    if method != Method::None && written > (read + (1 << 20)).saturating_mul(max_ratio) {
        return Err(bad(&format!(
            "data decompresses past {max_ratio} times its size"
        )));
    }
    Ok(())
}

/// The encoding of `SET client_encoding = 'EUC_JP';` (UTF-8 unless Japanese).
fn client_encoding(defn: &str) -> &'static encoding_rs::Encoding {
    let upper = defn.to_ascii_uppercase();
    if upper.contains("'EUC_JP'") || upper.contains("'EUC_JIS_2004'") {
        encoding_rs::EUC_JP
    } else if upper.contains("'SJIS'") || upper.contains("'SHIFT_JIS_2004'") {
        encoding_rs::SHIFT_JIS
    } else {
        encoding_rs::UTF_8
    }
}

/// The chunks of one data block (a length, the bytes, up to a length of 0), read as one
/// stream; `read` counts the bytes.
struct Chunks<'a, 'b> {
    f: &'a mut Fields<'b>,
    left: usize,
    done: bool,
    read: Rc<Cell<u64>>,
}

impl Read for Chunks<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.left == 0 {
            if self.done {
                return Ok(0);
            }
            let n = self.f.int()?;
            if n == 0 {
                self.done = true;
                return Ok(0);
            }
            if !(1..=MAX_CHUNK).contains(&n) {
                return Err(bad("data chunk length"));
            }
            self.left = usize::try_from(n).map_err(|_| bad("data chunk length"))?;
        }
        let k = buf.len().min(self.left);
        let got = self.f.r.read(&mut buf[..k])?;
        if got == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.left -= got;
        self.read.set(self.read.get() + got as u64);
        Ok(got)
    }
}

/// Reads one data block's chunks, decompressed, a line at a time (its line end included)
/// into `line`.
fn rows(
    f: &mut Fields<'_>,
    method: Method,
    max_ratio: u64,
    line: &mut dyn FnMut(&[u8]),
) -> io::Result<()> {
    decompressing(f, method, &mut |data, read| {
        lines(data, read, method, max_ratio, line)
    })
}

/// The lines of `data` (decompressed by `method` from the `read` bytes counted so far) into
/// `line`; a line over [`MAX_LINE`] is cut.
fn lines(
    data: &mut dyn Read,
    read: &Cell<u64>,
    method: Method,
    max_ratio: u64,
    line: &mut dyn FnMut(&[u8]),
) -> io::Result<()> {
    let mut lines = io::BufReader::with_capacity(64 * 1024, data);
    let mut buf = Vec::new();
    let mut written = 0u64;
    loop {
        buf.clear();
        let n = (&mut lines).take(MAX_LINE).read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        written += n as u64;
        ratio_check(method, written, read.get(), max_ratio)?;
        if buf.last() != Some(&b'\n') && n as u64 == MAX_LINE {
            // A row longer than the cap: the rest of it passed over.
            let mut rest = Vec::new();
            while (&mut lines).take(MAX_LINE).read_until(b'\n', &mut rest)? > 0
                && rest.last() != Some(&b'\n')
            {
                rest.clear();
            }
            buf.push(b'\n');
        }
        line(&buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::CatSet;
    use crate::{Item, Scanner};
    use std::io::Write;

    /// Writes archives as pg_dump does (`WriteInt`, `WriteStr`, the TOC, the blocks).
    struct W {
        out: Vec<u8>,
    }

    impl W {
        fn int(&mut self, v: i64) {
            self.out.push(u8::from(v < 0));
            self.out
                .extend_from_slice(&(v.unsigned_abs() as u32).to_le_bytes());
        }
        fn string(&mut self, s: Option<&str>) {
            match s {
                Some(s) => {
                    self.int(s.len() as i64);
                    self.out.extend_from_slice(s.as_bytes());
                }
                None => self.int(-1),
            }
        }
    }

    /// A table's data, in chunks of `chunk` bytes after compression.
    struct Table<'a> {
        id: i64,
        copy: &'a str,
        rows: Vec<u8>,
    }

    fn compress(method: Method, data: &[u8]) -> Vec<u8> {
        match method {
            Method::None => data.to_vec(),
            Method::Zlib => {
                let mut z =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                z.write_all(data).unwrap();
                z.finish().unwrap()
            }
            Method::Lz4 => {
                let mut e = lz4_flex::frame::FrameEncoder::new(Vec::new());
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            Method::Zstd => zstd::encode_all(data, 3).unwrap(),
        }
    }

    /// An archive of `version` (1.14: PostgreSQL 12 to 15, a compression level; 1.15 on: a
    /// method byte; 1.16: relkind) with an ENCODING entry, the tables' data entries and their
    /// blocks, and large objects `(oid, bytes)`.
    fn archive(
        minor: u8,
        method: Method,
        encoding: &str,
        tables: &[Table<'_>],
        blobs: &[(i64, &[u8])],
        chunk: usize,
    ) -> Vec<u8> {
        archive_of(CUSTOM, minor, method, encoding, tables, blobs, chunk)
    }

    /// [`archive`] in `format`: a directory or tar archive's `toc.dat` names each entry's
    /// data file where the custom format gives its offset (and has no data after it).
    fn archive_of(
        format: u8,
        minor: u8,
        method: Method,
        encoding: &str,
        tables: &[Table<'_>],
        blobs: &[(i64, &[u8])],
        chunk: usize,
    ) -> Vec<u8> {
        let mut w = W {
            out: b"PGDMP".to_vec(),
        };
        w.out.extend_from_slice(&[1, minor, 0, 4, 8, format]);
        if minor >= 15 {
            w.out.push(match method {
                Method::None => 0,
                Method::Zlib => 1,
                Method::Lz4 => 2,
                Method::Zstd => 3,
            });
        } else {
            w.int(if method == Method::None { 0 } else { -1 });
        }
        for v in [12, 30, 9, 6, 11, 126, 0] {
            w.int(v);
        }
        for s in ["crm", "15.8", "15.8"] {
            w.string(Some(s));
        }
        let defn = format!("SET client_encoding = '{encoding}';\n");
        let mut entries: Vec<(i64, &str, &str, Option<&str>)> =
            vec![(1, "ENCODING", defn.as_str(), None)];
        for t in tables {
            entries.push((t.id, "TABLE DATA", "", Some(t.copy)));
        }
        w.int(entries.len() as i64);
        for (id, desc, defn, copy) in &entries {
            w.int(*id);
            w.int(1);
            w.string(Some("0"));
            w.string(Some("0"));
            w.string(Some("customers"));
            w.string(Some(desc));
            w.int(3);
            w.string(Some(defn));
            w.string(Some(""));
            w.string(*copy);
            w.string(Some("public"));
            w.string(Some(""));
            if minor >= 14 {
                w.string(Some(""));
            }
            if minor >= 16 {
                w.int(i64::from(b'r'));
            }
            w.string(Some("postgres"));
            w.string(Some("false"));
            w.string(Some("7"));
            w.string(None);
            if format == CUSTOM {
                w.out.push(1);
                w.out.extend_from_slice(&[0; 8]);
            } else {
                w.string(copy.map(|_| format!("{id}.dat")).as_deref());
            }
        }
        if format != CUSTOM {
            return w.out;
        }
        let chunks = |w: &mut W, data: &[u8]| {
            for c in compress(method, data).chunks(chunk) {
                w.int(c.len() as i64);
                w.out.extend_from_slice(c);
            }
            w.int(0);
        };
        for t in tables {
            w.out.push(BLK_DATA);
            w.int(t.id);
            chunks(&mut w, &t.rows);
        }
        if !blobs.is_empty() {
            w.out.push(BLK_BLOBS);
            w.int(99);
            for (oid, data) in blobs {
                w.int(*oid);
                chunks(&mut w, data);
            }
            w.int(0);
        }
        w.out
    }

    /// `n` persons as `COPY` rows: id, name, a null, e-mail, phone (some with escapes).
    fn rows(n: usize) -> String {
        (0..n)
            .map(|i| {
                let note = if i % 4 == 0 {
                    "備考\\t改行\\nあり"
                } else {
                    ""
                };
                let name = [
                    "山田 太郎",
                    "佐藤 花子",
                    "鈴木 一郎",
                    "高橋 次郎",
                    "田中 美咲",
                ][i % 5];
                format!("{i}\t{name}\t\\N\tuser{i}@example.jp\t090-1234-{i:04}\t{note}\n")
            })
            .collect()
    }

    const COPY: &str =
        "COPY public.customers (id, 氏名, fax, メール, 電話番号, note) FROM stdin;\n";

    fn counts(a: &[u8]) -> (Archive, Tally) {
        let mut tally = Tally::new(CatSet::all());
        let got = read(&mut &a[..], &mut tally, 100, &mut |_, _| {});
        (got, tally)
    }

    #[test]
    fn archives_of_every_version_and_method_read_as_their_sql_dump() {
        for (minor, method) in [
            (14, Method::Zlib),
            (14, Method::None),
            (15, Method::Lz4),
            (16, Method::Zstd),
            (16, Method::Zlib),
        ] {
            for chunk in [7, 4096] {
                let t = Table {
                    id: 3,
                    copy: COPY,
                    rows: rows(200).into_bytes(),
                };
                let a = archive(minor, method, "UTF8", &[t], &[], chunk);
                assert!(is_custom(&a));
                let (got, tally) = counts(&a);
                assert!(got.error.is_none(), "{minor} {method:?}: {:?}", got.error);
                assert_eq!(got.records, 200, "{minor} {method:?}");
                assert_eq!(tally.count(Category::Email), 200);
                assert_eq!(tally.count(Category::Phone), 200);
                assert_eq!(tally.count(Category::NameKanji), 200);
                assert!(
                    got.columns
                        .contains(&("customers.メール".to_string(), Category::Email)),
                    "{:?}",
                    got.columns
                );
            }
        }
    }

    #[test]
    fn an_euc_jp_archive_and_large_objects() {
        let text = rows(100);
        let (euc, _, _) = encoding_rs::EUC_JP.encode(&text);
        let t = Table {
            id: 3,
            copy: COPY,
            rows: euc.into_owned(),
        };
        let csv = "氏名,メールアドレス\n山田 太郎,taro@example.jp\n佐藤 花子,hanako@example.jp\n";
        let a = archive(
            14,
            Method::Zlib,
            "EUC_JP",
            &[t],
            &[(16500, csv.as_bytes()), (16501, b"\x00\x01binary")],
            64,
        );
        let (got, tally) = counts(&a);
        assert_eq!((got.encoding, got.records), ("EUC-JP", 100));
        assert_eq!(tally.count(Category::NameKanji), 100);
        let items = Scanner::default().scan_bytes("backup.dump", &a);
        let paths: Vec<&str> = items
            .iter()
            .map(|i| match i {
                Item::Found(r) => r.path.as_str(),
                Item::Failed { path, .. } => path.as_str(),
            })
            .collect();
        assert_eq!(paths, ["backup.dump", "backup.dump!lo/16500"], "{items:?}");
    }

    /// The fuzz seed `pii_file/pgdump-custom`: a small zlib archive with a large object.
    /// `UPDATE_GOLDEN=1` writes it.
    #[test]
    fn the_fuzz_seed_is_current() {
        let t = Table {
            id: 3,
            copy: COPY,
            rows: rows(12).into_bytes(),
        };
        let csv = "氏名,メールアドレス\n山田 太郎,taro@example.jp\n";
        let seed = archive(
            16,
            Method::Zlib,
            "UTF8",
            &[t],
            &[(16500, csv.as_bytes())],
            100,
        );
        crate::fuzzing::check_file_seed("pgdump-custom", &seed);
    }

    #[test]
    fn data_files_of_directory_and_tar_archives_are_known_by_name() {
        assert_eq!(data_file("3001.dat"), Some((3001, "")));
        assert_eq!(data_file("3001.dat.gz"), Some((3001, ".gz")));
        assert_eq!(data_file("17.dat.zst"), Some((17, ".zst")));
        assert_eq!(data_file("17.dat.lz4"), Some((17, ".lz4")));
        for n in [
            "toc.dat",
            "blob_16500.dat.gz",
            "3001.data",
            "3001.dat.bz2",
            "x3001.dat",
        ] {
            assert_eq!(data_file(n), None, "{n}");
        }
        // A directory archive's table of contents: the data file's name after each entry.
        for format in [DIRECTORY, TAR] {
            let t = Table {
                id: 3,
                copy: COPY,
                rows: Vec::new(),
            };
            // (The writer writes UTF-8: the EUC-JP names of a real pg_dump are in the
            // integration test.)
            let toc = archive_of(format, 16, Method::Lz4, "UTF8", &[t], &[], 64);
            assert!(is_toc(&toc) && !is_custom(&toc));
            let got = read_toc(&mut &toc[..]).unwrap();
            assert_eq!(got.encoding_name(), "UTF-8");
            assert_eq!(got.copy(3).as_deref(), Some(COPY));
            assert_eq!(got.copy(4), None);
            // Cut anywhere: an error, no panic.
            for cut in (0..toc.len()).step_by(13) {
                assert!(read_toc(&mut &toc[..cut]).is_err());
            }
        }
        // A data file: its rows under the statement's columns, decoded.
        let text = rows(30);
        let (euc, _, _) = encoding_rs::EUC_JP.encode(&text);
        let mut tally = Tally::new(CatSet::all());
        let (records, cols) =
            read_data_file(&mut &euc[..], COPY, encoding_rs::EUC_JP, &mut tally).unwrap();
        assert_eq!(records, 30);
        assert_eq!(tally.count(Category::NameKanji), 30);
        assert!(cols.contains(&("customers.メール".to_string(), Category::Email)));
    }

    #[test]
    fn hostile_archives_end_in_an_error_after_what_they_held() {
        let t = || Table {
            id: 3,
            copy: COPY,
            rows: rows(100).into_bytes(),
        };
        let good = archive(14, Method::Zlib, "UTF8", &[t()], &[], 512);
        // Cut in the data: the rows before the cut are counted, and the error said.
        let (got, tally) = counts(&good[..good.len() - 300]);
        assert!(got.error.is_some());
        assert!(tally.count(Category::Email) > 0);
        // A string of 2^31 bytes asked for in the header: an error, nothing allocated.
        let mut huge = good[..11].to_vec();
        huge.extend_from_slice(&[0, 0, 0, 0, 0]);
        for _ in 0..7 {
            huge.extend_from_slice(&[0, 1, 0, 0, 0]);
        }
        huge.extend_from_slice(&[0, 0xFF, 0xFF, 0xFF, 0x7F]);
        huge.extend_from_slice(&[b'x'; 100]);
        let (got, _) = counts(&huge);
        assert!(got.error.unwrap().to_string().contains("64 MiB"));
        // A data block of empty lines, a thousand per compressed byte: stopped at the ratio
        // (2 here).
        let bomb = Table {
            id: 3,
            copy: COPY,
            rows: vec![b'\n'; 8 << 20],
        };
        let a = archive(14, Method::Zlib, "UTF8", &[bomb], &[], 1 << 16);
        let mut tally = Tally::new(CatSet::all());
        let got = read(&mut &a[..], &mut tally, 2, &mut |_, _| {});
        assert!(
            got.error.unwrap().to_string().contains("times its size"),
            "ratio"
        );
        // Another format byte, an int size over 8: not this format.
        let mut other = good.clone();
        other[10] = 3;
        assert!(!is_custom(&other));
        other[10] = CUSTOM;
        other[8] = 9;
        assert!(!is_custom(&other));
        // Flipped bytes everywhere: an error or a result, never a panic.
        for i in (11..good.len()).step_by(37) {
            let mut bad = good.clone();
            bad[i] ^= 0x5A;
            let _ = counts(&bad);
        }
    }
}
