//! Inputs: a message file, an mbox, a Maildir, a directory of messages, or standard input.
//!
//! Every message is handed to a callback as `(source, bytes)` as soon as it is read, so a
//! large mbox is never held in memory: the splitter keeps one message (at most
//! [`crate::Limits::max_message`] bytes; a larger one is skipped with an error) and one line
//! buffer of at most 64 KiB. It is hand-written because `mail_parser::mailbox::mbox` has no
//! size cap. `>From ` quoting (mboxrd) is undone.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::Error;

/// What the callback gets: a message, or an error for one input or one message.
pub type Item = Result<(String, Vec<u8>), Error>;

/// True when the start of a file looks like an mbox (`From ` line first).
pub fn looks_like_mbox(head: &[u8]) -> bool {
    head.starts_with(b"From ")
}

/// Walks one command-line path; `-` is standard input. The callback returns `false` to stop.
pub fn walk(path: &Path, max_message: u64, f: &mut dyn FnMut(Item) -> bool) {
    if path == Path::new("-") {
        let stdin = std::io::stdin();
        read_stream("-", BufReader::new(stdin.lock()), max_message, f);
        return;
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(source) => {
            f(Err(Error::Io {
                path: path.to_path_buf(),
                source,
            }));
            return;
        }
    };
    if meta.is_dir() {
        for p in dir_messages(path, f) {
            if !file(&p, max_message, f) {
                return;
            }
        }
    } else {
        file(path, max_message, f);
    }
}

/// Messages of a directory: Maildir `cur/` and `new/` (a Maildir's `tmp/` is skipped), else
/// every regular file below it (recursively, sorted, hidden files skipped).
fn dir_messages(dir: &Path, f: &mut dyn FnMut(Item) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let is_maildir = dir.join("cur").is_dir() || dir.join("new").is_dir();
    let mut stack: Vec<PathBuf> = if is_maildir {
        vec![dir.join("cur"), dir.join("new")]
    } else {
        vec![dir.to_path_buf()]
    };
    let mut visited = 0usize;
    while let Some(d) = stack.pop() {
        visited += 1;
        if visited > 100_000 {
            break;
        }
        let rd = match std::fs::read_dir(&d) {
            Ok(r) => r,
            Err(source) => {
                if d.exists() {
                    f(Err(Error::Io { path: d, source }));
                }
                continue;
            }
        };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            let hidden = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            let Ok(m) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if m.is_dir() {
                if !(is_maildir && p.file_name().is_some_and(|n| n == "tmp")) {
                    stack.push(p);
                }
            } else if m.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// One file: an mbox (streamed) or a single message.
fn file(path: &Path, max_message: u64, f: &mut dyn FnMut(Item) -> bool) -> bool {
    let shown = path.display().to_string();
    let fh = match File::open(path) {
        Ok(h) => h,
        Err(source) => {
            return f(Err(Error::Io {
                path: path.to_path_buf(),
                source,
            }));
        }
    };
    read_stream(
        &shown,
        BufReader::with_capacity(64 * 1024, fh),
        max_message,
        f,
    )
}

/// Reads a stream: an mbox when it starts with `From `, else one message.
pub fn read_stream<R: BufRead>(
    name: &str,
    mut r: R,
    max_message: u64,
    f: &mut dyn FnMut(Item) -> bool,
) -> bool {
    let head = match r.fill_buf() {
        Ok(h) => h,
        Err(source) => {
            return f(Err(Error::Io {
                path: name.into(),
                source,
            }));
        }
    };
    if looks_like_mbox(head) {
        return mbox(name, r, max_message, f);
    }
    match kizuki_core::io::read_capped(r, max_message) {
        Ok(Some(bytes)) => f(Ok((name.to_string(), bytes))),
        Ok(None) => f(Err(Error::TooLarge {
            what: format!("message {name}"),
            limit: max_message,
        })),
        Err(source) => f(Err(Error::Io {
            path: name.into(),
            source,
        })),
    }
}

const MAX_LINE: usize = 64 * 1024;

/// Splits an mbox stream into messages (`name#1`, `name#2`, …).
pub fn mbox<R: BufRead>(
    name: &str,
    mut r: R,
    max_message: u64,
    f: &mut dyn FnMut(Item) -> bool,
) -> bool {
    let mut n = 0usize;
    let mut cur: Vec<u8> = Vec::new();
    let mut over = false;
    let mut started = false;
    let mut line: Vec<u8> = Vec::with_capacity(1024);
    let mut at_line_start = true;
    let emit = |n: usize, cur: &mut Vec<u8>, over: bool, f: &mut dyn FnMut(Item) -> bool| -> bool {
        let src = format!("{name}#{n}");
        let item = if over {
            Err(Error::TooLarge {
                what: format!("message {src}"),
                limit: max_message,
            })
        } else {
            Ok((src, std::mem::take(cur)))
        };
        cur.clear();
        f(item)
    };
    loop {
        line.clear();
        // Read one line, at most MAX_LINE bytes (a longer line is passed on in pieces).
        let mut complete = false;
        while line.len() < MAX_LINE {
            let buf = match r.fill_buf() {
                Ok(b) => b,
                Err(source) => {
                    return f(Err(Error::Io {
                        path: name.into(),
                        source,
                    }));
                }
            };
            if buf.is_empty() {
                break;
            }
            let want = MAX_LINE - line.len();
            let take = buf.len().min(want);
            match buf[..take].iter().position(|&b| b == b'\n') {
                Some(i) => {
                    line.extend_from_slice(&buf[..=i]);
                    r.consume(i + 1);
                    complete = true;
                    break;
                }
                None => {
                    line.extend_from_slice(&buf[..take]);
                    r.consume(take);
                }
            }
        }
        if line.is_empty() {
            break;
        }
        let starts_message = at_line_start && line.starts_with(b"From ");
        if starts_message {
            if started && !emit(n, &mut cur, over, f) {
                return false;
            }
            started = true;
            n += 1;
            over = false;
        } else if started && !over {
            let body: &[u8] = if at_line_start && line.starts_with(b">") {
                let q = line.iter().position(|&b| b != b'>').unwrap_or(line.len());
                if line[q..].starts_with(b"From ") {
                    &line[1..]
                } else {
                    &line
                }
            } else {
                &line
            };
            if (cur.len() + body.len()) as u64 > max_message {
                over = true;
                cur = Vec::new();
            } else {
                cur.extend_from_slice(body);
            }
        }
        at_line_start = complete;
    }
    if started {
        return emit(n, &mut cur, over, f);
    }
    true
}

/// Reads everything from a reader under a cap (for tests and small inputs).
pub fn read_all<R: Read>(r: R, cap: u64) -> std::io::Result<Option<Vec<u8>>> {
    kizuki_core::io::read_capped(r, cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(data: &[u8], cap: u64) -> Vec<Result<(String, Vec<u8>), String>> {
        let mut v = Vec::new();
        read_stream("box", data, cap, &mut |i| {
            v.push(i.map_err(|e| e.to_string()));
            true
        });
        v
    }

    #[test]
    fn mbox_splits_and_unquotes() {
        let data = b"From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\n>From here\nbody\n\nFrom c@d Tue Jan  2 00:00:00 2024\r\nSubject: two\r\n\r\nx\r\n";
        let v = collect(data, 1 << 20);
        assert_eq!(v.len(), 2);
        let (s1, m1) = v[0].as_ref().unwrap();
        assert_eq!(s1, "box#1");
        assert_eq!(m1, b"Subject: one\n\nFrom here\nbody\n\n");
        assert_eq!(v[1].as_ref().unwrap().0, "box#2");
    }

    #[test]
    fn oversized_message_is_an_error_and_the_next_one_still_comes() {
        let mut data = b"From a Mon Jan  1 00:00:00 2024\nSubject: big\n\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', 200_000));
        data.extend_from_slice(b"\nFrom b Mon Jan  1 00:00:00 2024\nSubject: small\n\nok\n");
        let v = collect(&data, 1000);
        assert_eq!(v.len(), 2);
        assert!(v[0].as_ref().unwrap_err().contains("box#1"));
        assert_eq!(v[1].as_ref().unwrap().1, b"Subject: small\n\nok\n");
    }

    #[test]
    fn single_message_and_maildir() {
        let v = collect(b"Subject: x\n\nhi\n", 100);
        assert_eq!(v[0].as_ref().unwrap().0, "box");
        let d = tempfile::tempdir().unwrap();
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(d.path().join(sub)).unwrap();
            std::fs::write(d.path().join(sub).join("1.host"), b"Subject: s\n\nb\n").unwrap();
        }
        let mut names = Vec::new();
        walk(d.path(), 1 << 20, &mut |i| {
            names.push(i.unwrap().0);
            true
        });
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.iter().all(|n| !n.ends_with("tmp/1.host")));
    }
}
