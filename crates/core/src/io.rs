//! Capped reading: every read of hostile input goes through here.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::Error;

/// Default cap for one file read into memory (256 MiB). Larger inputs are streamed by the
/// areas that can (net, pii) or reported as too large.
pub const DEFAULT_MAX_FILE: u64 = 256 * 1024 * 1024;

/// Reads until `buf` is full or the input ends (retrying interrupted reads); the bytes read.
/// Short only at the end of the input.
pub fn read_full<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads at most `cap` bytes; `Ok(None)` when the input holds more than `cap`.
pub fn read_capped<R: Read>(reader: R, cap: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut limited = reader.take(cap.saturating_add(1));
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let n = limited.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    if buf.len() as u64 > cap {
        return Ok(None);
    }
    Ok(Some(buf))
}

/// Reads a whole file under a cap, with errors that name the path.
pub fn read_file_capped(path: &Path, cap: u64) -> Result<Vec<u8>, Error> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    match read_capped(f, cap).map_err(|e| Error::io(path, e))? {
        Some(v) => Ok(v),
        None => Err(Error::Limit {
            what: "file size",
            limit: cap,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_is_exact() {
        let data = vec![7u8; 1000];
        assert_eq!(read_capped(&data[..], 1000).unwrap().unwrap().len(), 1000);
        assert!(read_capped(&data[..], 999).unwrap().is_none());
        assert!(read_capped(&b""[..], 0).unwrap().unwrap().is_empty());
    }

    #[test]
    fn file_errors_name_the_path() {
        let e = read_file_capped(Path::new("/nonexistent/kizuki"), 10).unwrap_err();
        assert!(e.to_string().starts_with("/nonexistent/kizuki: "), "{e}");
    }
}
