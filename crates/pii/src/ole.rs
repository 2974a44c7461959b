//! OLE compound files found at a sector boundary of a raw image (a deleted `.doc`, `.xls` or
//! `.msg` whose blocks are still there): how many bytes to copy out, and how many of them
//! the file uses.
//!
//! A compound file's header does not give its size, but it gives its sector size and the
//! number of its FAT sectors, which bound it: each FAT entry addresses one sector. The copy
//! of that many bytes is trimmed to the last sector its FAT marks used, so the carver's
//! regions after it (another file's) stand.

use crate::sheet::OLE_MAGIC;

/// Unused sector.
const FREESECT: u32 = 0xFFFF_FFFF;
/// End of a chain (also "no DIFAT sector").
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;

/// Little-endian integers at an offset ([`kizuki_core::le`]), for the readers of this crate.
pub(crate) use kizuki_core::le::{u16_at, u32_at, u64_at};

/// UTF-16LE bytes as text (an odd last byte dropped, unpaired surrogates replaced): the
/// strings of Outlook items and TNEF.
pub(crate) fn utf16le(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// The sector size of the compound file whose header starts `h` (512 for version 3, 4096
/// for version 4), if `h` is one.
fn sector_size(h: &[u8]) -> Option<u64> {
    if !h.starts_with(&OLE_MAGIC) || u16_at(h, 0x1C) != Some(0xFFFE) {
        return None;
    }
    match (u16_at(h, 0x1A)?, u16_at(h, 0x1E)?) {
        (3, 9) => Some(512),
        (4, 12) => Some(4096),
        _ => None,
    }
}

/// The most bytes the compound file whose header (its first 512 bytes at least) is `h` can
/// hold: its header sector and every sector its FAT sectors address.
pub fn size_bound(h: &[u8]) -> Option<u64> {
    let ss = sector_size(h)?;
    let fat_sectors = u64::from(u32_at(h, 0x2C)?);
    if fat_sectors == 0 {
        return None;
    }
    Some(ss + fat_sectors * (ss / 4) * ss)
}

/// The FAT sectors the header lists (its first 109; `None` when there are more, in a DIFAT
/// chain: a file of more than 7 MB of 512-byte sectors), in FAT order, and the sector size.
fn fat_sectors(h: &[u8]) -> Option<(Vec<usize>, usize)> {
    let ss = sector_size(h)? as usize;
    if u32_at(h, 0x44).is_some_and(|d| d != ENDOFCHAIN && d != FREESECT) {
        return None;
    }
    let fats = (0..109)
        .map_while(|k| u32_at(h, 0x4C + 4 * k).filter(|f| *f < ENDOFCHAIN))
        .map(|f| f as usize)
        .collect();
    Some((fats, ss))
}

/// The byte after the last FAT sector the header lists: once a copy is that long, its
/// [`fat_end`] is known.
pub fn fat_sectors_end(h: &[u8]) -> Option<usize> {
    let (fats, ss) = fat_sectors(h)?;
    Some((fats.iter().max()? + 2) * ss)
}

/// The end of the last sector the FAT marks used (the file's size), once `data` holds the
/// FAT sectors.
pub fn fat_end(data: &[u8]) -> Option<usize> {
    let (fats, ss) = fat_sectors(data)?;
    let mut last = None;
    for (k, fat) in fats.iter().enumerate() {
        let at = (fat + 1) * ss;
        let sector = data.get(at..at + ss)?;
        for (i, e) in sector.chunks_exact(4).enumerate() {
            if u32::from_le_bytes([e[0], e[1], e[2], e[3]]) != FREESECT {
                last = Some(k * (ss / 4) + i);
            }
        }
    }
    Some((last? + 2) * ss)
}

/// How many bytes of `data` (a compound file's copy, maybe with what followed it) the file
/// uses: up to the last sector its FAT marks used; all of `data` when that is not known.
pub fn used_len(data: &[u8]) -> usize {
    fat_end(data).map_or(data.len(), |e| e.min(data.len()))
}

/// Streams that make a storage a document of its own: an Office 2007+ package (a zip), an
/// Excel 97 or 95 workbook, a Word 97 document.
const PACKAGE: &str = "Package";
const DOCUMENTS: [&str; 3] = ["Workbook", "Book", "WordDocument"];
/// Most embedded objects read from one compound file.
pub const MAX_EMBEDDED: usize = 256;

/// An object embedded in a compound file: its path there (`ObjectPool/_1234`,
/// `ObjectPool/_1234/Package.xlsx`) and its bytes as a file.
pub type Embedded = (String, Vec<u8>);

/// The objects embedded in a compound file (an Excel table pasted as an object into a Word
/// report, an Office document attached to an Outlook item as an OLE object): each storage
/// below the root that holds a document of its own. A `Package` stream is the zip of an
/// Office 2007+ document, taken as it is (named for its kind: `Package.xlsx`); a storage with
/// a `Workbook`, `Book` or `WordDocument` stream is copied into a compound file of its own.
/// Within `cap` bytes in all and [`MAX_EMBEDDED`] objects; what could not be read is an
/// error beside them.
pub fn embedded(data: &[u8], cap: u64) -> (Vec<Embedded>, Vec<String>) {
    let (mut out, mut errors) = (Vec::new(), Vec::new());
    let Ok(mut comp) = cfb::CompoundFile::open(std::io::Cursor::new(data)) else {
        return (out, errors);
    };
    let storages: Vec<std::path::PathBuf> = comp
        .walk()
        .filter(|e| e.is_storage() && !e.is_root())
        .map(|e| e.path().to_path_buf())
        // An Outlook item's attachments are read with the item ([`crate::msg`]).
        .filter(|p| {
            !p.components().any(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .starts_with("__attach_version1.0_")
            })
        })
        .filter(|p| {
            DOCUMENTS
                .iter()
                .chain([&PACKAGE])
                .any(|d| comp.is_stream(p.join(d)))
        })
        .collect();
    let mut budget = cap;
    // An object inside another one is read with it.
    let mut taken: Vec<&std::path::PathBuf> = Vec::new();
    for dir in &storages {
        if out.len() >= MAX_EMBEDDED {
            errors.push(format!(
                "more than {MAX_EMBEDDED} embedded objects: the rest not read"
            ));
            break;
        }
        if taken.iter().any(|t| dir.starts_with(t)) {
            continue;
        }
        taken.push(dir);
        let name = dir.to_string_lossy().trim_start_matches('/').to_string();
        let r = if comp.is_stream(dir.join(PACKAGE)) {
            read(&mut comp, &dir.join(PACKAGE), &mut budget).map(|zip| {
                let kind = ["xl/", "word/", "ppt/"]
                    .iter()
                    .zip([".xlsx", ".docx", ".pptx"])
                    .find(|(k, _)| memchr::memmem::find(&zip, k.as_bytes()).is_some())
                    .map_or(".zip", |(_, e)| e);
                (format!("{name}/{PACKAGE}{kind}"), zip)
            })
        } else {
            copy_storage(&mut comp, dir, &mut budget).map(|f| (name.clone(), f))
        };
        match r {
            Ok(e) => out.push(e),
            Err(e) => {
                errors.push(format!("{name}: {e}"));
                if budget == 0 {
                    break;
                }
            }
        }
    }
    (out, errors)
}

pub(crate) type Comp<'a> = cfb::CompoundFile<std::io::Cursor<&'a [u8]>>;

/// A stream's bytes, within the budget.
fn read(comp: &mut Comp<'_>, path: &std::path::Path, budget: &mut u64) -> Result<Vec<u8>, String> {
    let s = comp.open_stream(path).map_err(|e| e.to_string())?;
    match kizuki_core::io::read_capped(s, *budget) {
        Ok(Some(v)) => {
            *budget -= v.len() as u64;
            Ok(v)
        }
        Ok(None) => {
            *budget = 0;
            Err("embedded objects larger than the size cap".into())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The streams of storage `dir`, with its storages, as a compound file of their own.
pub(crate) fn copy_storage(
    comp: &mut Comp<'_>,
    dir: &std::path::Path,
    budget: &mut u64,
) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let entries: Vec<(std::path::PathBuf, bool)> = comp
        .walk_storage(dir)
        .map_err(|e| e.to_string())?
        .filter(|e| e.path() != dir)
        .map(|e| (e.path().to_path_buf(), e.is_stream()))
        .collect();
    let mut out =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, std::io::Cursor::new(Vec::new()))
            .map_err(|e| e.to_string())?;
    for (path, is_stream) in entries {
        let Ok(rel) = path.strip_prefix(dir) else {
            continue;
        };
        let to = std::path::Path::new("/").join(rel);
        if is_stream {
            let bytes = read(comp, &path, budget)?;
            out.create_stream(&to)
                .and_then(|mut s| s.write_all(&bytes))
                .map_err(|e| e.to_string())?;
        } else {
            out.create_storage(&to).map_err(|e| e.to_string())?;
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(out.into_inner().into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compound_file_is_bounded_by_its_fat_and_trimmed_to_its_sectors() {
        let file = crate::synth::ole_of(&[("/Workbook", &[7u8; 20_000])]).unwrap();
        let bound = size_bound(&file).unwrap() as usize;
        assert!(bound >= file.len(), "{bound} {}", file.len());
        let mut copy = file.clone();
        copy.resize(bound, 0x5A);
        assert_eq!(used_len(&copy), file.len());
        assert_eq!(used_len(&file), file.len());
        // Known as soon as the FAT sectors are in.
        let known = fat_sectors_end(&file).unwrap();
        assert!(known <= file.len());
        assert_eq!(fat_end(&copy[..known]), Some(file.len()));
        assert_eq!(size_bound(b"not a compound file"), None);
        let mut v4 = file.clone();
        v4[0x1A] = 4;
        assert_eq!(size_bound(&v4), None);
    }
}
