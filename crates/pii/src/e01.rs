//! Expert Witness images (EnCase `.E01`, split over `.E02`, `.E03`…; EWF2 `.Ex01`): the form
//! in which a forensic firm hands over a server's disk. Read with the `ewf` crate (Apache-2.0,
//! pure Rust) as the disk's bytes in order, which [`crate::carve`] scans as any raw image.
//!
//! The image's own tables are hostile input: before the reader allocates for a chunk, its
//! size on disk and its place are checked here. A chunk takes at most [`MAX_CHUNK`] bytes
//! decoded (EnCase, FTK Imager, Guymager and ewfacquire write 32 KiB by default), at most
//! twice that on disk, and the chunks of a segment lie in order on it, one after another
//! (so no two chunks share their bytes: decoding can expand a file no more than deflate
//! itself, about 1000:1).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use ewf::{EwfReader, SegmentSource};

/// The largest chunk read (2048 sectors of 512 bytes). The reader keeps its last 100
/// chunks decoded: 100 MiB at most.
pub const MAX_CHUNK: u64 = 1 << 20;

const EVF1: [u8; 8] = *b"EVF\x09\x0d\x0a\xff\x00";
const EVF2: [u8; 8] = *b"EVF2\x0d\x0a\x81\x00";

/// The segment number of an EWF segment file of a disk image, from its first bytes: `1` for
/// `case.E01` (which reads the others with it), `2` for `case.E02`… `None`: no such file.
pub fn segment(head: &[u8]) -> Option<u32> {
    if head.starts_with(&EVF1) {
        let b = head.get(9..11)?;
        Some(u32::from(u16::from_le_bytes([b[0], b[1]])))
    } else if head.starts_with(&EVF2) {
        let b = head.get(12..16)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    } else {
        None
    }
}

/// The media of an image, read in order.
pub struct Media {
    /// Shared by the views of the image ([`Media::view`]): it reads at any offset from any
    /// thread.
    r: std::sync::Arc<EwfReader>,
    pos: u64,
    /// The last chunk checked (its index).
    last: Option<usize>,
    /// Where the chunks lie in their segments.
    order: Order,
}

/// The offset of the last chunk read in each segment: a chunk must lie after it. (Only the
/// chunk before in the same segment is not enough: the chunks of an image of several crafted
/// segments could alternate between two, each pointing again at a chunk already read.)
#[derive(Default)]
struct Order {
    last: std::collections::BTreeMap<usize, u64>,
}

impl Order {
    /// Takes a chunk at `offset` of segment `seg`; `Err` with the offset it must pass when it
    /// is not after the segment's last one.
    fn place(&mut self, seg: usize, offset: u64) -> Result<(), u64> {
        match self.last.insert(seg, offset) {
            Some(o) if offset <= o => {
                self.last.insert(seg, o);
                Err(o)
            }
            _ => Ok(()),
        }
    }
}

/// Opens the image whose first segment is `path`. Segments named as EnCase names them
/// (`case.E01`, `case.E02`…, `case.Ex01`…) are found beside it; a first segment under
/// another name is read alone (an image of one segment).
pub fn open(path: &Path) -> io::Result<Media> {
    let named = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("e01") || e.eq_ignore_ascii_case("ex01"));
    let r = if named {
        EwfReader::open_lazy(path)
    } else {
        EwfReader::open_lazy_from_sources(vec![SegmentSource::File(File::open(path)?)])
    }
    .map_err(|e| io::Error::other(format!("EWF image: {e}")))?;
    media(r)
}

/// Opens an image of one segment held in memory (a member of an archive: its other
/// segments, if it has any, are not beside it, and its missing chunks end the read in an
/// error).
pub fn open_bytes(data: &[u8]) -> io::Result<Media> {
    let r = EwfReader::open_lazy_from_sources(vec![SegmentSource::Mem(std::sync::Arc::from(data))])
        .map_err(|e| io::Error::other(format!("EWF image: {e}")))?;
    media(r)
}

/// Checks the chunk size of an image opened.
fn media(r: EwfReader) -> io::Result<Media> {
    let cs = r.chunk_size();
    if cs == 0 || cs > MAX_CHUNK {
        return Err(io::Error::other(format!(
            "EWF image: chunks of {cs} bytes (at most {MAX_CHUNK} are read)"
        )));
    }
    Ok(Media {
        r: std::sync::Arc::new(r),
        pos: 0,
        last: None,
        order: Order::default(),
    })
}

impl Media {
    /// The size of the media.
    pub fn len(&self) -> u64 {
        self.r.total_size()
    }

    /// The media read from offset `at` on, by a reader of its own (its chunks checked as
    /// they are read from there), over the same image opened once.
    pub fn view(&self, at: u64) -> Media {
        Media {
            r: std::sync::Arc::clone(&self.r),
            pos: at,
            last: None,
            order: Order::default(),
        }
    }

    /// Is the media empty?
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks chunk `idx` before it is read: its size on disk, and its place after the chunks
    /// before it in the same segment.
    fn check(&mut self, idx: usize) -> io::Result<()> {
        if self.last == Some(idx) {
            return Ok(());
        }
        let cs = self.r.chunk_size();
        let have = self.r.chunk_count();
        if idx >= have {
            return Err(io::Error::other(format!(
                "EWF image: {have} of its {} chunks found (a segment after the last one read is missing or cut short)",
                self.r.total_size().div_ceil(cs)
            )));
        }
        let (offset, size, _, seg) = self
            .r
            .debug_chunk(idx)
            .map_err(|e| io::Error::other(format!("EWF chunk {idx}: {e}")))?;
        if size > 2 * cs {
            return Err(io::Error::other(format!(
                "EWF chunk {idx}: {size} bytes on disk for {cs} bytes"
            )));
        }
        if let Err(o) = self.order.place(seg, offset) {
            return Err(io::Error::other(format!(
                "EWF chunk {idx}: at offset {offset} of its segment, not after the chunk before it ({o})"
            )));
        }
        self.last = Some(idx);
        Ok(())
    }
}

impl Read for Media {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let total = self.r.total_size();
        if self.pos >= total || buf.is_empty() {
            return Ok(0);
        }
        // One chunk at a time: each is checked before the reader decodes it.
        let cs = self.r.chunk_size();
        let idx = usize::try_from(self.pos / cs).map_err(io::Error::other)?;
        self.check(idx)?;
        let in_chunk = cs - self.pos % cs;
        let n = (buf.len() as u64).min(in_chunk).min(total - self.pos) as usize;
        let got = self
            .r
            .read_at(&mut buf[..n], self.pos)
            .map_err(|e| io::Error::other(format!("EWF chunk {idx}: {e}")))?;
        self.pos += got as u64;
        Ok(got)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_lie_in_order_in_each_segment() {
        let mut o = Order::default();
        // Two segments in turns, each in order: fine.
        for (seg, at) in [(0, 100), (1, 100), (0, 200), (1, 150), (2, 0), (0, 201)] {
            assert_eq!(o.place(seg, at), Ok(()), "{seg} {at}");
        }
        // Back in a segment after another's chunk: the chunk read again is refused.
        assert_eq!(o.place(1, 150), Err(150));
        assert_eq!(o.place(0, 120), Err(201));
        // The refusal leaves the segment's last offset as it was.
        assert_eq!(o.place(0, 202), Ok(()));
    }

    #[test]
    fn segments_are_known_by_their_header() {
        let mut e01 = EVF1.to_vec();
        e01.extend_from_slice(&[1, 3, 0, 0, 0]);
        assert_eq!(segment(&e01), Some(3));
        let mut ex01 = EVF2.to_vec();
        ex01.extend_from_slice(&[2, 1, 1, 0, 1, 0, 0, 0]);
        assert_eq!(segment(&ex01), Some(1));
        assert_eq!(segment(&EVF1), None, "cut before its number");
        assert_eq!(segment(b"LVF\x09\x0d\x0a\xff\x00\x01\x01\x00"), None);
    }
}
