//! Zeek log readers: TSV (as Zeek writes it) and JSON lines, plain or gzip, auto-detected.
//!
//! A reader streams a file in 256 KiB chunks, splits lines with `memchr` and hands each parsed
//! record to a callback; nothing loads a whole file. Malformed rows (wrong column count, bad
//! timestamp or address, over-long line, invalid JSON) are counted per file and skipped; a
//! broken gzip stream ends the file with an error but keeps what was read before it.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use serde::Deserialize;

use crate::stats::parse_time;

/// The longest line accepted; longer lines are malformed.
pub const MAX_LINE: usize = 1 << 20;
/// The most bytes inflated from one gzip file (a bomb guard).
pub const MAX_INFLATED: u64 = 64 << 30;
/// The most bytes inflated per compressed byte (Zeek logs compress 10-30×; bombs 1000×).
pub const MAX_RATIO: u64 = 200;

/// Inflated-size cap for `compressed` bytes of gzip.
fn inflate_cap(compressed: u64) -> u64 {
    compressed
        .saturating_mul(MAX_RATIO)
        .clamp(64 << 20, MAX_INFLATED)
}

/// A reader that fails (instead of silently stopping) past a byte cap.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::other(format!(
                    "inflated size over the cap (ratio {MAX_RATIO}x, at most {MAX_INFLATED} bytes): a gzip bomb?"
                ))),
            };
        }
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let k = self.inner.read(&mut buf[..n])?;
        self.left -= k as u64;
        Ok(k)
    }
}
const CHUNK: usize = 256 << 10;

/// The Zeek logs kizuki reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// conn.log: one line per finished connection.
    Conn,
    /// open_conn.log (activecm/zeek-open-connections): connections still open.
    OpenConn,
    /// dns.log.
    Dns,
    /// ssl.log (TLS SNI).
    Ssl,
    /// http.log (Host header).
    Http,
    /// Suricata eve.json: flow, dns (queries), tls (SNI) and http (hostname) events.
    Eve,
}

impl LogKind {
    /// From a Zeek `#path` value or a file-name stem.
    pub fn from_name(s: &str) -> Option<LogKind> {
        Some(match s {
            "conn" => LogKind::Conn,
            "open_conn" => LogKind::OpenConn,
            "dns" => LogKind::Dns,
            "ssl" => LogKind::Ssl,
            "http" => LogKind::Http,
            "eve" => LogKind::Eve,
            _ => return None,
        })
    }

    /// The log name.
    pub fn as_str(self) -> &'static str {
        match self {
            LogKind::Conn => "conn",
            LogKind::OpenConn => "open_conn",
            LogKind::Dns => "dns",
            LogKind::Ssl => "ssl",
            LogKind::Http => "http",
            LogKind::Eve => "eve",
        }
    }

    /// The kind a file name announces: `conn.log`, `conn.10:00:00-11:00:00.log.gz`,
    /// `dns.log.labeled` (the stem before the first dot).
    pub fn from_file_name(p: &Path) -> Option<LogKind> {
        let name = p.file_name()?.to_str()?;
        LogKind::from_name(name.split('.').next()?)
    }
}

/// A connection (conn.log or open_conn.log).
#[derive(Clone, Debug, PartialEq)]
pub struct Conn {
    /// Start time, epoch seconds.
    pub ts: f64,
    /// Originator.
    pub src: IpAddr,
    /// Responder.
    pub dst: IpAddr,
    /// Responder port.
    pub dport: u16,
    /// Duration in seconds (0 when unset).
    pub duration: f64,
    /// Payload bytes from the originator.
    pub orig_bytes: u64,
    /// Payload bytes from the responder.
    pub resp_bytes: u64,
    /// The handshake failed (conn_state REJ, S0 or another configured state).
    pub failed: bool,
    /// From open_conn.log: still open.
    pub open: bool,
}

/// A DNS query.
#[derive(Clone, Debug, PartialEq)]
pub struct Dns<'a> {
    /// Time.
    pub ts: f64,
    /// The querying host.
    pub src: IpAddr,
    /// The query name, lower case (borrowed from the line when it already is).
    pub query: Cow<'a, str>,
    /// Addresses in the answers.
    pub answers: Vec<IpAddr>,
}

/// A TLS server name or HTTP host seen from a client.
#[derive(Clone, Debug, PartialEq)]
pub struct Named<'a> {
    /// Time.
    pub ts: f64,
    /// Client.
    pub src: IpAddr,
    /// Server (or proxy) address.
    pub dst: IpAddr,
    /// SNI or Host, lower case, without port.
    pub name: Cow<'a, str>,
}

/// One parsed record; names borrow from the reader's buffer (no allocation per row), see
/// [`Record::into_owned`] to keep one.
#[derive(Clone, Debug, PartialEq)]
pub enum Record<'a> {
    /// conn / open_conn.
    Conn(Conn),
    /// dns.
    Dns(Dns<'a>),
    /// ssl (SNI).
    Sni(Named<'a>),
    /// http (Host).
    Host(Named<'a>),
}

impl Record<'_> {
    /// A copy that owns its names.
    pub fn into_owned(self) -> Record<'static> {
        let own = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        match self {
            Record::Conn(c) => Record::Conn(c),
            Record::Dns(d) => Record::Dns(Dns {
                ts: d.ts,
                src: d.src,
                query: own(d.query),
                answers: d.answers,
            }),
            Record::Sni(n) => Record::Sni(Named {
                ts: n.ts,
                src: n.src,
                dst: n.dst,
                name: own(n.name),
            }),
            Record::Host(n) => Record::Host(Named {
                ts: n.ts,
                src: n.src,
                dst: n.dst,
                name: own(n.name),
            }),
        }
    }

    /// The record's time.
    pub fn ts(&self) -> f64 {
        match self {
            Record::Conn(c) => c.ts,
            Record::Dns(d) => d.ts,
            Record::Sni(n) | Record::Host(n) => n.ts,
        }
    }
}

/// Reading options.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// conn_state values that count as failed handshakes (default REJ, S0).
    pub failed_states: Vec<String>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            failed_states: vec!["REJ".into(), "S0".into()],
        }
    }
}

/// Input format of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Zeek TSV with `#` headers.
    Tsv,
    /// One JSON object per line.
    Json,
}

/// What reading one file gave.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FileStats {
    /// The file.
    pub path: PathBuf,
    /// Its log kind, when known.
    pub kind: Option<LogKind>,
    /// Its format, when detected.
    pub format: Option<Format>,
    /// Gzip-compressed.
    pub gzip: bool,
    /// Records parsed.
    pub records: u64,
    /// Rows with the wrong number of columns.
    pub bad_columns: u64,
    /// Rows whose timestamp is not a time.
    pub bad_timestamps: u64,
    /// Rows with another defect (bad address, bad JSON, over-long line, missing field).
    pub bad_other: u64,
    /// An error that ended reading early (truncated gzip, I/O).
    pub error: Option<String>,
}

impl FileStats {
    /// All malformed rows.
    pub fn malformed(&self) -> u64 {
        self.bad_columns + self.bad_timestamps + self.bad_other
    }
}

/// Finds the log files under `paths` (folders recursively, sorted), keeping the kinds kizuki
/// reads. Files named explicitly are always kept (their kind is sniffed).
pub fn discover(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let md = std::fs::metadata(p)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?;
        if md.is_dir() {
            walk(p, &mut out, 0)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: u32) -> io::Result<()> {
    if depth > 16 {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let Ok(ft) = std::fs::symlink_metadata(&p).map(|m| m.file_type()) else {
            continue;
        };
        if ft.is_dir() {
            walk(&p, out, depth + 1)?;
        } else if (ft.is_file() || (ft.is_symlink() && p.is_file()))
            && LogKind::from_file_name(&p).is_some()
        {
            // Symlinks to files are followed; symlinked folders are not (no loops).
            out.push(p);
        }
    }
    Ok(())
}

/// Reads one file, calling `each` per record.
pub fn read_file(path: &Path, opts: &ReadOptions, each: &mut dyn FnMut(Record<'_>)) -> FileStats {
    let mut st = FileStats {
        path: path.to_path_buf(),
        kind: LogKind::from_file_name(path),
        format: None,
        gzip: false,
        records: 0,
        bad_columns: 0,
        bad_timestamps: 0,
        bad_other: 0,
        error: None,
    };
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            st.error = Some(format!("cannot open: {e}"));
            return st;
        }
    };
    let mut magic = [0u8; 2];
    let n = kizuki_core::io::read_full(&mut f, &mut magic).unwrap_or(0);
    let head = io::Cursor::new(magic[..n].to_vec());
    st.gzip = n == 2 && magic == [0x1f, 0x8b];
    let r: Box<dyn Read> = if st.gzip {
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        Box::new(Capped {
            inner: MultiGzDecoder::new(head.chain(f)),
            left: inflate_cap(size),
        })
    } else {
        Box::new(head.chain(f))
    };
    read_stream(r, opts, &mut st, each);
    st
}

/// Reads records from bytes in memory (fuzzing, benches); gzip is detected as for files.
pub fn read_bytes(data: &[u8], opts: &ReadOptions, each: &mut dyn FnMut(Record<'_>)) -> FileStats {
    let mut st = FileStats {
        path: PathBuf::new(),
        kind: None,
        format: None,
        gzip: data.starts_with(&[0x1f, 0x8b]),
        records: 0,
        bad_columns: 0,
        bad_timestamps: 0,
        bad_other: 0,
        error: None,
    };
    if st.gzip {
        let inner = MultiGzDecoder::new(data);
        let left = inflate_cap(data.len() as u64);
        read_stream(Capped { inner, left }, opts, &mut st, each);
    } else {
        read_stream(data, opts, &mut st, each);
    }
    st
}

/// Reads records from any byte stream (used by [`read_file`], the fuzz target and benches).
pub fn read_stream(
    mut r: impl Read,
    opts: &ReadOptions,
    st: &mut FileStats,
    each: &mut dyn FnMut(Record<'_>),
) {
    let mut p = LineParser::new(st.kind, opts);
    let mut buf = vec![0u8; CHUNK];
    let mut start = 0; // unprocessed bytes begin here
    let mut end = 0; // and end here
    let mut skipping = false; // inside an over-long line
    loop {
        if end == buf.len() {
            if start > 0 {
                buf.copy_within(start..end, 0);
                end -= start;
                start = 0;
            } else if buf.len() < MAX_LINE {
                buf.resize((buf.len() * 2).min(MAX_LINE), 0);
            } else {
                // One line fills the largest buffer: drop it.
                st.bad_other += 1;
                skipping = true;
                start = 0;
                end = 0;
            }
        }
        let n = match r.read(&mut buf[end..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                st.error = Some(format!("read error after {} records: {e}", st.records));
                break;
            }
        };
        let scan_from = end;
        end += n;
        let mut pos = start;
        for nl in memchr::memchr_iter(b'\n', &buf[scan_from..end]) {
            let nl = scan_from + nl;
            if skipping {
                skipping = false;
            } else {
                p.line(&buf[pos..nl], st, each);
            }
            pos = nl + 1;
        }
        start = pos;
    }
    // After a read error the tail is a fragment of a row, not a row.
    if start < end && !skipping && st.error.is_none() {
        p.line(&buf[start..end], st, each);
    }
    st.kind = p.kind.or(st.kind);
    st.format = p.format;
}

/// Column positions of the fields kizuki uses, from a TSV `#fields` line.
#[derive(Clone, Debug, Default)]
struct Cols {
    n: usize,
    ts: Option<usize>,
    src: Option<usize>,
    dst: Option<usize>,
    dport: Option<usize>,
    duration: Option<usize>,
    orig_bytes: Option<usize>,
    resp_bytes: Option<usize>,
    state: Option<usize>,
    query: Option<usize>,
    answers: Option<usize>,
    name: Option<usize>,
    max: usize,
}

struct LineParser<'o> {
    kind: Option<LogKind>,
    format: Option<Format>,
    opts: &'o ReadOptions,
    sep: u8,
    set_sep: u8,
    cols: Option<Cols>,
    fields: Vec<(usize, usize)>,
}

impl<'o> LineParser<'o> {
    fn new(kind: Option<LogKind>, opts: &'o ReadOptions) -> Self {
        LineParser {
            kind,
            format: None,
            opts,
            sep: b'\t',
            set_sep: b',',
            cols: None,
            fields: Vec::with_capacity(32),
        }
    }

    fn line(&mut self, line: &[u8], st: &mut FileStats, each: &mut dyn FnMut(Record<'_>)) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return;
        }
        if line[0] == b'#' {
            self.header(line);
            return;
        }
        if self.format.is_none() {
            self.format = Some(if line[0] == b'{' {
                Format::Json
            } else {
                Format::Tsv
            });
        }
        let rec = match self.format {
            Some(Format::Json) => self.json(line, st),
            _ => self.tsv(line, st),
        };
        if let Some(r) = rec {
            st.records += 1;
            each(r);
        }
    }

    fn header(&mut self, line: &[u8]) {
        self.format = Some(Format::Tsv);
        let Ok(s) = std::str::from_utf8(line) else {
            return;
        };
        if let Some(v) = s.strip_prefix("#separator ") {
            self.sep = unescape(v).unwrap_or(b'\t');
            return;
        }
        let sep = char::from(self.sep);
        let mut it = s.split(sep);
        let key = it.next().unwrap_or("");
        match key {
            "#set_separator" => self.set_sep = it.next().and_then(unescape).unwrap_or(b','),
            "#path" => {
                if let Some(k) = it.next().and_then(LogKind::from_name) {
                    self.kind = Some(k);
                }
            }
            "#fields" => {
                let names: Vec<&str> = it.collect();
                let pos = |n: &str| names.iter().position(|x| *x == n);
                let mut c = Cols {
                    n: names.len(),
                    ts: pos("ts"),
                    src: pos("id.orig_h"),
                    dst: pos("id.resp_h"),
                    dport: pos("id.resp_p"),
                    duration: pos("duration"),
                    orig_bytes: pos("orig_bytes"),
                    resp_bytes: pos("resp_bytes"),
                    state: pos("conn_state"),
                    query: pos("query"),
                    answers: pos("answers"),
                    name: pos("server_name").or_else(|| pos("host")),
                    max: 0,
                };
                c.max = [
                    c.ts,
                    c.src,
                    c.dst,
                    c.dport,
                    c.duration,
                    c.orig_bytes,
                    c.resp_bytes,
                    c.state,
                    c.query,
                    c.answers,
                    c.name,
                ]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(0);
                self.cols = Some(c);
            }
            _ => {}
        }
    }

    fn tsv<'l>(&mut self, line: &'l [u8], st: &mut FileStats) -> Option<Record<'l>> {
        let Some(cols) = &self.cols else {
            st.bad_other += 1; // data before any #fields header
            return None;
        };
        kizuki_core::split::fields(line, self.sep, &mut self.fields);
        if self.fields.len() != cols.n {
            st.bad_columns += 1;
            return None;
        }
        let fields = &self.fields;
        let f = |i: Option<usize>| -> Option<&'l [u8]> {
            let (a, b) = *fields.get(i?)?;
            let v = &line[a..b];
            (v != b"-" && v != b"(empty)").then_some(v)
        };
        let Some(ts) = f(cols.ts).and_then(parse_ts) else {
            st.bad_timestamps += 1;
            return None;
        };
        let Some(src) = f(cols.src).and_then(parse_ip) else {
            st.bad_other += 1;
            return None;
        };
        let kind = self.kind;
        let dst = f(cols.dst).and_then(parse_ip);
        let rec = match kind {
            Some(LogKind::Conn | LogKind::OpenConn) => {
                let Some(dst) = dst else {
                    st.bad_other += 1;
                    return None;
                };
                let state = f(cols.state).unwrap_or(b"");
                Record::Conn(Conn {
                    ts,
                    src,
                    dst,
                    dport: f(cols.dport).and_then(parse_num).unwrap_or(0) as u16,
                    duration: f(cols.duration).and_then(parse_f64).unwrap_or(0.0),
                    orig_bytes: f(cols.orig_bytes).and_then(parse_num).unwrap_or(0),
                    resp_bytes: f(cols.resp_bytes).and_then(parse_num).unwrap_or(0),
                    failed: self.failed(state),
                    open: kind == Some(LogKind::OpenConn),
                })
            }
            Some(LogKind::Dns) => {
                let query = f(cols.query).map(lower).unwrap_or_default();
                let answers = f(cols.answers)
                    .map(|v| {
                        v.split(|&b| b == self.set_sep)
                            .filter_map(parse_ip)
                            .take(64)
                            .collect()
                    })
                    .unwrap_or_default();
                Record::Dns(Dns {
                    ts,
                    src,
                    query,
                    answers,
                })
            }
            Some(k @ (LogKind::Ssl | LogKind::Http)) => {
                let (Some(dst), Some(name)) = (dst, f(cols.name).map(host_name)) else {
                    return None;
                };
                named(k, ts, src, dst, name)?
            }
            Some(LogKind::Eve) | None => {
                st.bad_other += 1;
                return None;
            }
        };
        Some(rec)
    }

    fn failed(&self, state: &[u8]) -> bool {
        !state.is_empty()
            && self
                .opts
                .failed_states
                .iter()
                .any(|s| s.as_bytes() == state)
    }

    fn json<'l>(&mut self, line: &'l [u8], st: &mut FileStats) -> Option<Record<'l>> {
        if self.kind == Some(LogKind::Eve)
            || (self.kind.is_none() && memchr::memmem::find(line, b"\"event_type\"").is_some())
        {
            self.kind = Some(LogKind::Eve);
            return self.eve(line, st);
        }
        let j: JsonRow = match serde_json::from_slice(line) {
            Ok(j) => j,
            Err(_) => {
                st.bad_other += 1;
                return None;
            }
        };
        if self.kind.is_none() {
            self.kind = if j.query.is_some() {
                Some(LogKind::Dns)
            } else if j.server_name.is_some() {
                Some(LogKind::Ssl)
            } else if j.host.is_some() || j.method.is_some() {
                Some(LogKind::Http)
            } else if j.conn_state.is_some() || j.proto.is_some() {
                Some(LogKind::Conn)
            } else {
                None
            };
        }
        let ts = match &j.ts {
            Some(JsonTs::Num(v)) if v.is_finite() && *v >= 0.0 => *v,
            Some(JsonTs::Str(s)) => match parse_time(s) {
                Some(v) => v,
                None => {
                    st.bad_timestamps += 1;
                    return None;
                }
            },
            _ => {
                st.bad_timestamps += 1;
                return None;
            }
        };
        let Some(src) = j.orig_h.as_deref().and_then(|s| s.parse().ok()) else {
            st.bad_other += 1;
            return None;
        };
        let dst: Option<IpAddr> = j.resp_h.as_deref().and_then(|s| s.parse().ok());
        let kind = self.kind;
        match kind {
            Some(LogKind::Conn | LogKind::OpenConn) => {
                let Some(dst) = dst else {
                    st.bad_other += 1;
                    return None;
                };
                let failed = j
                    .conn_state
                    .as_deref()
                    .is_some_and(|s| self.failed(s.as_bytes()));
                Some(Record::Conn(Conn {
                    ts,
                    src,
                    dst,
                    dport: j.resp_p.unwrap_or(0) as u16,
                    duration: j.duration.filter(|d| d.is_finite()).unwrap_or(0.0).max(0.0),
                    orig_bytes: j.orig_bytes.unwrap_or(0),
                    resp_bytes: j.resp_bytes.unwrap_or(0),
                    failed,
                    open: kind == Some(LogKind::OpenConn),
                }))
            }
            Some(LogKind::Dns) => Some(Record::Dns(Dns {
                ts,
                src,
                query: Cow::Owned(
                    j.query
                        .as_deref()
                        .map(|q| lower(q.as_bytes()).into_owned())
                        .unwrap_or_default(),
                ),
                answers: j
                    .answers
                    .iter()
                    .filter_map(|a| a.parse().ok())
                    .take(64)
                    .collect(),
            })),
            Some(k @ (LogKind::Ssl | LogKind::Http)) => {
                let name = j
                    .server_name
                    .as_deref()
                    .or(j.host.as_deref())
                    .map(|n| host_name(n.as_bytes()).into_owned())?;
                named(k, ts, src, dst?, Cow::Owned(name))
            }
            Some(LogKind::Eve) | None => {
                st.bad_other += 1;
                None
            }
        }
    }

    /// One Suricata eve.json event. Flows become connections (start time, duration from
    /// start to end, bytes to server and to client — IP bytes, where Zeek counts payload; a
    /// TCP flow with no packet back counts as Zeek's `S0` against `[net] failed_states`); DNS
    /// queries, TLS SNI and HTTP hostnames become what the Zeek logs give. Other event types
    /// (alerts, stats, DNS answers…) are skipped, not counted as malformed.
    fn eve<'l>(&mut self, line: &'l [u8], st: &mut FileStats) -> Option<Record<'l>> {
        let e: EveRow = match serde_json::from_slice(line) {
            Ok(e) => e,
            Err(_) => {
                st.bad_other += 1;
                return None;
            }
        };
        let ts = e.timestamp.as_deref().and_then(parse_time);
        let src: Option<IpAddr> = e.src_ip.as_deref().and_then(|s| s.parse().ok());
        let dst: Option<IpAddr> = e.dest_ip.as_deref().and_then(|s| s.parse().ok());
        let kind = e.event_type.as_deref().unwrap_or("");
        if !matches!(kind, "flow" | "dns" | "tls" | "http") {
            return None;
        }
        let Some(ts) = ts else {
            st.bad_timestamps += 1;
            return None;
        };
        let (Some(src), Some(dst)) = (src, dst) else {
            st.bad_other += 1;
            return None;
        };
        match kind {
            "flow" => {
                let f = e.flow.unwrap_or_default();
                let start = f.start.as_deref().and_then(parse_time).unwrap_or(ts);
                let end = f.end.as_deref().and_then(parse_time).unwrap_or(start);
                let tcp = e
                    .proto
                    .as_deref()
                    .is_some_and(|p| p.eq_ignore_ascii_case("tcp"));
                let no_reply = f.pkts_toclient == Some(0);
                Some(Record::Conn(Conn {
                    ts: start,
                    src,
                    dst,
                    dport: e.dest_port.unwrap_or(0) as u16,
                    duration: (end - start).max(0.0),
                    orig_bytes: f.bytes_toserver.unwrap_or(0),
                    resp_bytes: f.bytes_toclient.unwrap_or(0),
                    failed: tcp && no_reply && self.failed(b"S0"),
                    open: false,
                }))
            }
            "dns" => {
                let d = e.dns?;
                // eve v1 logs `"type":"query"`, v2+ `"type":"request"` (or the query
                // under `queries` in v3); answers are separate events.
                if !matches!(d.kind.as_deref(), Some("query" | "request") | None) {
                    return None;
                }
                let name = d
                    .rrname
                    .or_else(|| d.queries.into_iter().find_map(|q| q.rrname))?;
                Some(Record::Dns(Dns {
                    ts,
                    src,
                    query: Cow::Owned(lower(name.as_bytes()).into_owned()),
                    answers: Vec::new(),
                }))
            }
            "tls" => {
                let name = host_name(e.tls?.sni?.as_bytes()).into_owned();
                named(LogKind::Ssl, ts, src, dst, Cow::Owned(name))
            }
            _ => {
                let name = host_name(e.http?.hostname?.as_bytes()).into_owned();
                named(LogKind::Http, ts, src, dst, Cow::Owned(name))
            }
        }
    }
}

/// The parts of a Suricata eve.json event kizuki uses.
#[derive(Deserialize, Default)]
struct EveRow {
    timestamp: Option<String>,
    event_type: Option<String>,
    src_ip: Option<String>,
    dest_ip: Option<String>,
    dest_port: Option<u64>,
    proto: Option<String>,
    flow: Option<EveFlow>,
    dns: Option<EveDns>,
    tls: Option<EveName>,
    http: Option<EveHost>,
}

#[derive(Deserialize, Default)]
struct EveFlow {
    pkts_toclient: Option<u64>,
    bytes_toserver: Option<u64>,
    bytes_toclient: Option<u64>,
    start: Option<String>,
    end: Option<String>,
}

#[derive(Deserialize, Default)]
struct EveDns {
    #[serde(rename = "type")]
    kind: Option<String>,
    rrname: Option<String>,
    #[serde(default)]
    queries: Vec<EveQuery>,
}

#[derive(Deserialize, Default)]
struct EveQuery {
    rrname: Option<String>,
}

#[derive(Deserialize, Default)]
struct EveName {
    sni: Option<String>,
}

#[derive(Deserialize, Default)]
struct EveHost {
    hostname: Option<String>,
}

fn named(k: LogKind, ts: f64, src: IpAddr, dst: IpAddr, name: Cow<'_, str>) -> Option<Record<'_>> {
    if name.is_empty() {
        return None;
    }
    let n = Named { ts, src, dst, name };
    Some(if k == LogKind::Ssl {
        Record::Sni(n)
    } else {
        Record::Host(n)
    })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum JsonTs {
    Num(f64),
    Str(String),
}

#[derive(Deserialize, Default)]
struct JsonRow {
    ts: Option<JsonTs>,
    #[serde(rename = "id.orig_h")]
    orig_h: Option<String>,
    #[serde(rename = "id.resp_h")]
    resp_h: Option<String>,
    #[serde(rename = "id.resp_p")]
    resp_p: Option<u64>,
    duration: Option<f64>,
    orig_bytes: Option<u64>,
    resp_bytes: Option<u64>,
    conn_state: Option<String>,
    proto: Option<String>,
    query: Option<String>,
    #[serde(default)]
    answers: Vec<String>,
    server_name: Option<String>,
    host: Option<String>,
    method: Option<String>,
}

/// `\x09` or a literal character.
fn unescape(v: &str) -> Option<u8> {
    let v = v.trim_end_matches(['\r', '\n']);
    if let Some(h) = v.strip_prefix("\\x") {
        return u8::from_str_radix(h.get(..2)?, 16).ok();
    }
    v.bytes().next()
}

fn parse_ts(v: &[u8]) -> Option<f64> {
    let t = parse_f64(v)?;
    (0.0..1.0e11).contains(&t).then_some(t)
}

fn parse_f64(v: &[u8]) -> Option<f64> {
    if let Some(x) = fast_decimal(v) {
        return Some(x);
    }
    // std's parser is exact (Eisel-Lemire), so TSV and JSON agree to the last bit.
    let x: f64 = std::str::from_utf8(v).ok()?.parse().ok()?;
    x.is_finite().then_some(x)
}

/// Clinger's fast path for the plain decimals Zeek writes (`1458345600.123456`, `0.0123`):
/// when the digits make an integer below 2^53 and there are at most 22 after the point, the
/// integer and the power of ten are exact doubles and one correctly rounded division gives
/// the correctly rounded value, the same bits as std's parser (a unit test checks it).
/// `None` for anything else, which goes to std.
fn fast_decimal(v: &[u8]) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    // One pass: digits into `m`, `point` = digits before the '.' (if any).
    if v.is_empty() || v.len() > 19 {
        return None;
    }
    let mut m: u64 = 0;
    let mut point = None;
    for (i, &b) in v.iter().enumerate() {
        if b.is_ascii_digit() {
            m = m * 10 + u64::from(b - b'0');
        } else if b == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    let frac = match point {
        Some(0) => return None,
        Some(i) => v.len() - i - 1,
        None if v.len() > 18 => return None,
        None => 0,
    };
    if m > 1 << 53 {
        return None;
    }
    Some(m as f64 / POW10.get(frac)?)
}

fn parse_num(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 19 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(v.iter().fold(0u64, |a, &b| a * 10 + u64::from(b - b'0')))
}

fn parse_ip(v: &[u8]) -> Option<IpAddr> {
    parse_ipv4(v)
        .map(|a| IpAddr::V4(a.into()))
        .or_else(|| std::str::from_utf8(v).ok()?.parse().ok())
}

/// Dotted-quad IPv4 without leading zeros (the std rule), the hot path of every row.
fn parse_ipv4(v: &[u8]) -> Option<u32> {
    if v.len() < 7 || v.len() > 15 {
        return None;
    }
    // One pass over the bytes: `n` the current part, `digits` its length.
    let (mut out, mut n, mut digits, mut parts) = (0u32, 0u32, 0u32, 0u32);
    for &b in v {
        if b.is_ascii_digit() {
            if digits > 0 && n == 0 {
                return None; // a leading zero
            }
            n = n * 10 + u32::from(b - b'0');
            digits += 1;
            if digits > 3 {
                return None;
            }
        } else if b == b'.' && digits > 0 && n <= 255 && parts < 3 {
            out = (out << 8) | n;
            parts += 1;
            (n, digits) = (0, 0);
        } else {
            return None;
        }
    }
    (parts == 3 && digits > 0 && n <= 255).then_some((out << 8) | n)
}

/// Lower case without a trailing dot, capped at 255 bytes; borrowed when nothing changes.
fn lower(v: &[u8]) -> Cow<'_, str> {
    let v = &v[..v.len().min(255)];
    let v = v.strip_suffix(b".").unwrap_or(v);
    match std::str::from_utf8(v) {
        Ok(s) if !s.bytes().any(|b| b.is_ascii_uppercase()) => Cow::Borrowed(s),
        _ => Cow::Owned(String::from_utf8_lossy(v).to_ascii_lowercase()),
    }
}

/// A Host header or SNI as a bare lower-case name (port and brackets removed).
fn host_name(v: &[u8]) -> Cow<'_, str> {
    let mut v = v;
    if let Some(rest) = v.strip_prefix(b"[") {
        v = rest.split(|&b| b == b']').next().unwrap_or(b"");
    } else if let Some(i) = memchr::memrchr(b':', v) {
        let (h, p) = (&v[..i], &v[i + 1..]);
        if !h.contains(&b':') && p.iter().all(u8::is_ascii_digit) {
            v = h;
        }
    }
    lower(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(data: &[u8], kind: Option<LogKind>) -> (Vec<Record<'static>>, FileStats) {
        let mut st = FileStats {
            path: "t".into(),
            kind,
            format: None,
            gzip: false,
            records: 0,
            bad_columns: 0,
            bad_timestamps: 0,
            bad_other: 0,
            error: None,
        };
        let mut v = Vec::new();
        read_stream(data, &ReadOptions::default(), &mut st, &mut |r| {
            v.push(r.into_owned())
        });
        (v, st)
    }

    const CONN: &str = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\ttunnel_parents\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tset[string]\n";

    #[test]
    fn fast_decimals_match_std_to_the_bit() {
        let mut r = kizuki_core::rng::Rng::new(7);
        for _ in 0..200_000 {
            let int = r.next_u64() % 10_000_000_000;
            let digits = (r.next_u64() % 9) as usize;
            let frac = r.next_u64() % 10u64.pow(digits as u32);
            let s = if digits == 0 {
                format!("{int}")
            } else {
                format!("{int}.{frac:0digits$}")
            };
            let want: f64 = s.parse().unwrap();
            assert_eq!(
                parse_f64(s.as_bytes()).map(f64::to_bits),
                Some(want.to_bits()),
                "{s}"
            );
        }
        for s in [
            "1.",
            "0.0",
            "9007199254740993",
            "1e5",
            "-1.5",
            ".5",
            "1.5.5",
            "12345678901234567.8",
        ] {
            let want: Option<f64> = s.parse().ok().filter(|x: &f64| x.is_finite());
            assert_eq!(
                parse_f64(s.as_bytes()).map(f64::to_bits),
                want.map(f64::to_bits),
                "{s}"
            );
        }
    }

    #[test]
    fn tsv_conn_with_unset_and_empty() {
        let data = format!(
            "{CONN}1.5\tC1\t10.0.0.1\t5\t8.8.8.8\t443\ttcp\t-\t-\t-\t-\tREJ\t(empty)\n2\tC2\t10.0.0.1\t5\t8.8.8.8\t443\ttcp\tssl\t3.25\t100\t2000\tSF\ta,b\n#close\tx\n"
        );
        let (v, st) = read(data.as_bytes(), None);
        assert_eq!(st.records, 2);
        assert_eq!(st.kind, Some(LogKind::Conn));
        let Record::Conn(c) = &v[1] else { panic!() };
        assert_eq!(
            (c.duration, c.orig_bytes, c.resp_bytes, c.failed),
            (3.25, 100, 2000, false)
        );
        let Record::Conn(c) = &v[0] else { panic!() };
        assert!(c.failed);
        assert_eq!(c.ts, 1.5);
    }

    #[test]
    fn malformed_rows_are_counted() {
        let data = format!(
            "{CONN}1\tC1\t10.0.0.1\t5\t8.8.8.8\n1\tC1\t10.0.0.1\t5\t8.8.8.8\t443\ttcp\t-\t-\t-\t-\tSF\t-\nxx\tC1\t10.0.0.1\t5\t8.8.8.8\t443\ttcp\t-\t-\t-\t-\tSF\t-\n1\tC1\tnot-ip\t5\t8.8.8.8\t443\ttcp\t-\t-\t-\t-\tSF\t-"
        );
        let (v, st) = read(data.as_bytes(), None);
        assert_eq!(v.len(), 1);
        assert_eq!((st.bad_columns, st.bad_timestamps, st.bad_other), (1, 1, 1));
    }

    #[test]
    fn json_lines() {
        let data = br#"{"ts":1.25,"uid":"C","id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"1.2.3.4","id.resp_p":53,"proto":"udp","query":"A.Example.COM","answers":["1.2.3.4","cname.example"]}
{"ts":"2024-04-21T10:00:00.5Z","id.orig_h":"10.0.0.1","id.resp_h":"1.2.3.4","query":"b.example.com"}
{not json
"#;
        let (v, st) = read(data, None);
        assert_eq!(st.records, 2);
        assert_eq!(st.bad_other, 1);
        let Record::Dns(d) = &v[0] else { panic!() };
        assert_eq!(d.query, "a.example.com");
        assert_eq!(d.answers, vec!["1.2.3.4".parse::<IpAddr>().unwrap()]);
        assert_eq!(v[1].ts(), 1_713_693_600.5);
    }

    #[test]
    fn mutated_seed_corpus_never_panics() {
        // A poor man's fuzz run over the checked-in seed corpus (fuzz/corpus/zeek).
        let seeds: [&[u8]; 4] = [
            include_bytes!("../../../fuzz/corpus/zeek/conn_malformed.log"),
            include_bytes!("../../../fuzz/corpus/zeek/dns.log"),
            include_bytes!("../../../fuzz/corpus/zeek/ssl_http.json"),
            include_bytes!("../../../fuzz/corpus/zeek/dns.log.gz"),
        ];
        let mut rng = kizuki_core::rng::Rng::new(5);
        for i in 0..3000 {
            let mut d = seeds[i % seeds.len()].to_vec();
            for _ in 0..1 + rng.below(8) {
                let pos = rng.below(d.len() as u64) as usize;
                match rng.below(3) {
                    0 => d[pos] = rng.below(256) as u8,
                    1 => d.truncate(pos),
                    _ => d.insert(pos, *rng.pick(b"\t\n#.,:-{}\"").unwrap_or(&b'x')),
                }
                if d.is_empty() {
                    break;
                }
            }
            let st = read_bytes(&d, &ReadOptions::default(), &mut |_| {});
            assert!(st.records <= d.len() as u64 + 1);
        }
    }

    #[test]
    fn gzip_bomb_is_capped() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b'\n'; 1 << 20];
        for _ in 0..80 {
            enc.write_all(&zeros).unwrap();
        }
        let gz = enc.finish().unwrap();
        assert!((gz.len() as u64) * MAX_RATIO < 80 << 20);
        let st = read_bytes(&gz, &ReadOptions::default(), &mut |_| {});
        assert!(st.error.as_deref().unwrap_or("").contains("cap"), "{st:?}");
    }

    #[test]
    fn ipv4_fast_path_agrees_with_std() {
        for s in [
            "1.2.3.4",
            "255.255.255.255",
            "0.0.0.0",
            "01.2.3.4",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "1..2.3",
            "a.b.c.d",
            "::1",
            "fe80::1%eth0",
            "1.2.3.4.",
            ".1.2.3",
            "1.2.3.04",
            "1.2.3.256",
            "10.0.0.1000",
            "1.2.3.",
            "9.9.9.9 ",
        ] {
            assert_eq!(parse_ip(s.as_bytes()), s.parse().ok(), "{s}");
        }
        // Random strings over digits and dots: the same verdict and value as std.
        let mut r = kizuki_core::rng::Rng::new(11);
        let alphabet = b"0125.9";
        for _ in 0..200_000 {
            let len = 1 + (r.next_u64() % 16) as usize;
            let s: String = (0..len)
                .map(|_| char::from(alphabet[(r.next_u64() % 6) as usize]))
                .collect();
            assert_eq!(parse_ip(s.as_bytes()), s.parse().ok(), "{s}");
        }
    }

    #[test]
    fn suricata_eve_events() {
        let eve = concat!(
            r#"{"timestamp":"2016-03-19T10:00:05.250000+0000","flow_id":1,"event_type":"flow","src_ip":"10.0.0.5","src_port":51000,"dest_ip":"203.0.113.9","dest_port":443,"proto":"TCP","app_proto":"tls","flow":{"pkts_toserver":6,"pkts_toclient":5,"bytes_toserver":900,"bytes_toclient":4000,"start":"2016-03-19T10:00:00.000000+0000","end":"2016-03-19T10:00:02.500000+0000","age":2,"state":"closed","reason":"timeout","alerted":false}}"#,
            "\n",
            r#"{"timestamp":"2016-03-19T10:01:00.000000+0000","event_type":"flow","src_ip":"10.0.0.5","dest_ip":"203.0.113.9","dest_port":443,"proto":"TCP","flow":{"pkts_toserver":2,"pkts_toclient":0,"bytes_toserver":120,"bytes_toclient":0,"start":"2016-03-19T10:01:00.000000+0000","end":"2016-03-19T10:01:03.000000+0000"}}"#,
            "\n",
            r#"{"timestamp":"2016-03-19T10:00:00.100000+0000","event_type":"dns","src_ip":"10.0.0.5","dest_ip":"10.0.0.1","proto":"UDP","dns":{"type":"query","id":1,"rrname":"A1B2.Tunnel.Example","rrtype":"TXT"}}"#,
            "\n",
            r#"{"timestamp":"2016-03-19T10:00:00.200000+0000","event_type":"dns","src_ip":"10.0.0.1","dest_ip":"10.0.0.5","proto":"UDP","dns":{"type":"answer","rrname":"a1b2.tunnel.example"}}"#,
            "\n",
            r#"{"timestamp":"2016-03-19T10:00:00.300000+0000","event_type":"dns","src_ip":"10.0.0.5","dest_ip":"10.0.0.1","proto":"UDP","dns":{"version":3,"type":"request","queries":[{"rrname":"www.example.org","rrtype":"A"}]}}"#,
            "\n",
            r#"{"timestamp":"2016-03-19T10:00:00.400000+0000","event_type":"tls","src_ip":"10.0.0.5","dest_ip":"203.0.113.9","dest_port":443,"proto":"TCP","tls":{"sni":"Update.Example.COM","version":"TLS 1.3"}}"#,
            "\n",
            r#"{"timestamp":"2016-03-19T10:00:00.500000+0000","event_type":"http","src_ip":"10.0.0.5","dest_ip":"203.0.113.9","dest_port":80,"proto":"TCP","http":{"hostname":"cdn.example.net","url":"/"}}"#,
            "\n",
            r#"{"timestamp":"2016-03-19T10:00:00.600000+0000","event_type":"alert","src_ip":"10.0.0.5","dest_ip":"203.0.113.9","alert":{"signature":"x"}}"#,
            "\n",
            r#"{"timestamp":"yesterday","event_type":"flow","src_ip":"10.0.0.5","dest_ip":"203.0.113.9","flow":{}}"#,
            "\n",
            r#"{"event_type":"flow","src_ip":"#,
            "\n",
        );
        let (recs, st) = read(eve.as_bytes(), None);
        assert_eq!(st.kind, Some(LogKind::Eve));
        assert_eq!((st.bad_timestamps, st.bad_other), (1, 1), "{st:?}");
        let t0 = 1_458_381_600.0;
        assert_eq!(
            recs[0],
            Record::Conn(Conn {
                ts: t0,
                src: "10.0.0.5".parse().unwrap(),
                dst: "203.0.113.9".parse().unwrap(),
                dport: 443,
                duration: 2.5,
                orig_bytes: 900,
                resp_bytes: 4000,
                failed: false,
                open: false,
            })
        );
        assert!(matches!(&recs[1], Record::Conn(c) if c.failed && c.duration == 3.0));
        assert!(matches!(&recs[2], Record::Dns(d) if d.query == "a1b2.tunnel.example"));
        assert!(matches!(&recs[3], Record::Dns(d) if d.query == "www.example.org"));
        assert!(matches!(&recs[4], Record::Sni(n) if n.name == "update.example.com"));
        assert!(matches!(&recs[5], Record::Host(n) if n.name == "cdn.example.net"));
        assert_eq!(recs.len(), 6, "the answer and the alert are skipped");
    }

    #[test]
    fn host_names() {
        assert_eq!(host_name(b"WWW.Example.com:443"), "www.example.com");
        assert_eq!(host_name(b"[::1]:80"), "::1");
        assert_eq!(host_name(b"fe80::1"), "fe80::1");
    }

    #[test]
    fn every_chunk_size_gives_the_same_records() {
        let data = format!(
            "{CONN}1\tC1\t10.0.0.1\t5\t8.8.8.8\t443\ttcp\t-\t-\t-\t-\tSF\t-\n2\tC1\t10.0.0.1\t5\t8.8.8.8\t443\ttcp\t-\t-\t-\t-\tSF\t-\n"
        );
        let (want, _) = read(data.as_bytes(), None);
        struct Slow<'a>(&'a [u8], usize);
        impl Read for Slow<'_> {
            fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
                let n = self.1.min(self.0.len()).min(b.len());
                b[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        for k in 1..40 {
            let mut st = read(b"", None).1;
            let mut v = Vec::new();
            read_stream(
                Slow(data.as_bytes(), k),
                &ReadOptions::default(),
                &mut st,
                &mut |r| v.push(r.into_owned()),
            );
            assert_eq!(v, want, "chunk {k}");
        }
    }
}
