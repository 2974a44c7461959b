//! PowerPoint 97-2003 presentations (`.ppt`, MS-PPT): the text of their slides, notes and
//! outlines, and the OLE objects embedded in them (a worksheet pasted into a slide; the
//! presentation's own VBA project, which PowerPoint stores as one of them, compressed, not
//! as a storage of the compound file as Word and Excel do).
//!
//! For `pii scan`: carved, a `.ppt` gave nothing of its text that a table reader could place and, worse, the
//! theme PowerPoint 2007 and later store inside every `.ppt` (a zip of DrawingML parts)
//! was found and read as XML records whose `@name` column holds layout names (`Blank`,
//! `Title Only`) counted as names in romaji. Here the presentation is read as PowerPoint
//! reads it: the `Current User` stream points at the last edit (`UserEditAtom`), whose
//! persist directory, merged with those of the edits before it (a presentation saved
//! incrementally keeps every version of what changed), gives the objects that are live;
//! each is walked as a tree of records for its text atoms (`TextCharsAtom`, UTF-16;
//! `TextBytesAtom`, the low bytes of UTF-16) and its embedded objects (`ExOleObjStg`,
//! zlib-compressed compound files). A stream whose edit chain does not resolve (damaged,
//! carved) is walked record by record from its start. Masters are skipped (their
//! placeholder prompts are the same in every file). No crate reads this format; what is
//! needed of it is small and written here.
//!
//! Caps: the stream is read within the `[files]` total-size cap, as is each object
//! inflated; records nest at most [`MAX_DEPTH`] deep, an edit chain is at most
//! [`MAX_EDITS`] long, at most [`MAX_OBJECTS`] embedded objects are kept.

use kizuki_core::le::{u16_at, u32_at};
use std::io::{Cursor, Read};

use cfb::CompoundFile;

/// A presentation's text and embedded objects.
#[derive(Debug, Default)]
pub struct Show {
    /// The text atoms as lines (paragraphs), in the order of the live objects.
    pub text: String,
    /// Embedded objects: a name (`object1`, …) and the compound file.
    pub objects: Vec<(String, Vec<u8>)>,
    /// What could not be read (an object that does not inflate, past a cap).
    pub errors: Vec<String>,
    /// Bytes of embedded objects kept (all of them within the cap).
    held: usize,
}

/// Deepest nesting of containers followed.
pub const MAX_DEPTH: usize = 32;
/// Most edits (`UserEditAtom`s) followed back from the last.
pub const MAX_EDITS: usize = 1024;
/// Most embedded objects kept.
pub const MAX_OBJECTS: usize = 256;

const TEXT_CHARS: u16 = 0x0FA0;
const TEXT_BYTES: u16 = 0x0FA8;
const EX_OLE_OBJ_STG: u16 = 0x1011;
/// `UserEditAtom`: an edit's record.
pub const USER_EDIT: u16 = 0x0FF5;
/// `PersistDirectoryAtom`: where an edit's persistent objects are.
pub const PERSIST_DIRECTORY: u16 = 0x1772;
const MAIN_MASTER: u16 = 0x03F8;
/// The CurrentUserAtom's token of a presentation not encrypted.
pub const NOT_ENCRYPTED: u32 = 0xE391C05F;

/// Why a presentation could not be read.
#[derive(Debug)]
pub enum Error {
    /// Its stream is larger than the cap.
    Cap(String),
    /// Its stream cannot be read.
    Read(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Cap(e) | Error::Read(e) => f.write_str(e),
        }
    }
}

/// Reads a PowerPoint 97-2003 presentation within `cap` bytes; `None` when `data` is not
/// one (no `PowerPoint Document` stream).
pub fn read(data: &[u8], cap: u64) -> Option<Result<Show, Error>> {
    let mut comp = CompoundFile::open(Cursor::new(data)).ok()?;
    if !comp.is_stream("/PowerPoint Document") {
        return None;
    }
    let s = match comp.open_stream("/PowerPoint Document") {
        Ok(s) => s,
        Err(e) => return Some(Err(Error::Read(format!("PowerPoint Document: {e}")))),
    };
    let doc = match kizuki_core::io::read_capped(s, cap) {
        Ok(Some(d)) => d,
        Ok(None) => {
            return Some(Err(Error::Cap(format!(
                "PowerPoint Document larger than {cap} bytes"
            ))));
        }
        Err(e) => return Some(Err(Error::Read(format!("PowerPoint Document: {e}")))),
    };
    // The last edit, as the Current User stream gives it (a missing or damaged stream: the
    // records are walked from the start).
    let current = comp
        .open_stream("/Current User")
        .ok()
        .and_then(|s| kizuki_core::io::read_capped(s.take(64), 64).ok().flatten())
        .filter(|u| u32_at(u, 12) == Some(NOT_ENCRYPTED))
        .and_then(|u| u32_at(&u, 16));
    let live = current.and_then(|at| live_objects(&doc, at as usize));
    let mut show = Show::default();
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    match live {
        Some(offsets) => {
            for at in offsets {
                walk(&doc, at, doc.len(), 0, cap, &mut show);
            }
        }
        None => {
            // Top-level records one after the other.
            let mut at = 0;
            while let Some((_, _, len)) = header(&doc, at) {
                walk(&doc, at, doc.len(), 0, cap, &mut show);
                at += 8 + len;
            }
        }
    }
    Some(Ok(show))
}

/// A record's header at `at`: version, instance, type, length (the length within `d`).
fn header(d: &[u8], at: usize) -> Option<(u16, u16, usize)> {
    let vi = u16_at(d, at)?;
    let kind = u16_at(d, at + 2)?;
    let len = u32_at(d, at + 4)? as usize;
    (at.checked_add(8)?.checked_add(len)? <= d.len()).then_some((vi, kind, len))
}

/// The offsets of the live persistent objects, in the order of their ids.
fn live_objects(d: &[u8], at: usize) -> Option<Vec<usize>> {
    let mut offsets: Vec<usize> = persist_map(d, at)?.into_values().collect();
    offsets.dedup();
    Some(offsets)
}

/// The live persistent objects' offsets by id: the persist directories of the edit
/// (`UserEditAtom`) at `at` in the `PowerPoint Document` stream `d` and of those before it,
/// the newer entry of an id kept. `None` when the chain does not resolve.
pub fn persist_map(d: &[u8], mut at: usize) -> Option<std::collections::BTreeMap<u32, usize>> {
    let mut ids = std::collections::BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for _ in 0..MAX_EDITS {
        if !seen.insert(at) {
            break;
        }
        let (_, kind, len) = header(d, at)?;
        if kind != USER_EDIT || len < 28 {
            return None;
        }
        let body = at + 8;
        let last = u32_at(d, body + 8)? as usize;
        let dir = u32_at(d, body + 12)? as usize;
        let (_, dkind, dlen) = header(d, dir)?;
        if dkind != PERSIST_DIRECTORY {
            return None;
        }
        // Entries: a 20-bit first id and a 12-bit count, then that many offsets.
        let entries = d.get(dir + 8..dir + 8 + dlen)?;
        let mut k = 0;
        while let Some(e) = u32_at(entries, k) {
            let (first, n) = (e & 0xF_FFFF, (e >> 20) as usize);
            for j in 0..n {
                let off = u32_at(entries, k + 4 + 4 * j)? as usize;
                ids.entry(first + j as u32).or_insert(off);
            }
            k += 4 + 4 * n;
        }
        if last == 0 {
            break;
        }
        at = last;
    }
    Some(ids)
}

/// The `Current User` stream's token (encrypted or not) and the offset of the last edit.
pub fn current_user(user: &[u8]) -> Option<(u32, usize)> {
    Some((u32_at(user, 12)?, u32_at(user, 16)? as usize))
}

/// The CurrentUserAtom's token of an encrypted presentation.
pub const ENCRYPTED: u32 = 0xF3D1C4DF;
/// A record's header at `at` in `d`: version and instance, type, length (within `d`).
pub fn record(d: &[u8], at: usize) -> Option<(u16, u16, usize)> {
    header(d, at)
}

/// Walks the record at `at` (within `end`): its text atoms to lines, its embedded objects
/// kept; containers followed `depth` deep.
fn walk(d: &[u8], at: usize, end: usize, depth: usize, cap: usize, show: &mut Show) {
    let Some((vi, kind, len)) = header(d, at).filter(|h| at + 8 + h.2 <= end) else {
        return;
    };
    let body = &d[at + 8..at + 8 + len];
    if vi & 0x0F == 0x0F {
        if kind == MAIN_MASTER || depth >= MAX_DEPTH {
            return;
        }
        let mut k = 0;
        while let Some((_, _, n)) = header(body, k) {
            walk(d, at + 8 + k, at + 8 + len, depth + 1, cap, show);
            k += 8 + n;
        }
        return;
    }
    let line = match kind {
        TEXT_CHARS => encoding_rs::UTF_16LE
            .decode_without_bom_handling(body)
            .0
            .into_owned(),
        TEXT_BYTES => body.iter().map(|&b| char::from(b)).collect(),
        EX_OLE_OBJ_STG => {
            object(body, vi >> 4 == 1, cap, show);
            return;
        }
        _ => return,
    };
    if show.text.len() + line.len() >= cap {
        return;
    }
    // Paragraphs end with CR; a line break within one is a vertical tab.
    for p in line.split(['\r', '\u{b}']) {
        if !p.trim().is_empty() {
            show.text.push_str(p);
            show.text.push('\n');
        }
    }
}

/// An embedded object's storage (`compressed`: a 32-bit size, then zlib).
fn object(body: &[u8], compressed: bool, cap: usize, show: &mut Show) {
    if show.objects.len() >= MAX_OBJECTS {
        show.errors.push(format!(
            "more than {MAX_OBJECTS} embedded objects: the rest skipped"
        ));
        return;
    }
    let name = format!("object{}", show.objects.len() + 1);
    let cap = cap.saturating_sub(show.held);
    let data = if compressed {
        let Some(size) = u32_at(body, 0) else {
            return;
        };
        if size as usize > cap {
            show.errors.push(format!(
                "{name}: declares {size} bytes, more than {cap}: not inflated"
            ));
            return;
        }
        let z = flate2::read::ZlibDecoder::new(&body[4..]);
        match kizuki_core::io::read_capped(z, cap as u64) {
            Ok(Some(v)) => v,
            Ok(None) => {
                show.errors
                    .push(format!("{name}: more than {cap} bytes inflated"));
                return;
            }
            Err(e) => {
                show.errors.push(format!("{name}: {e}"));
                return;
            }
        }
    } else if body.len() > cap {
        show.errors
            .push(format!("{name}: more than {cap} bytes: skipped"));
        return;
    } else {
        body.to_vec()
    };
    show.held += data.len();
    show.objects.push((name, data));
}
