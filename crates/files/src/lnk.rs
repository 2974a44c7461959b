//! Windows shortcuts (MS-SHLLINK): the target, arguments and working folder, and whether the
//! command line starts an interpreter (cmd, PowerShell, mshta, rundll32, …).

use kizuki_core::Severity;
use kizuki_core::le::{u16_at, u32_at};

use crate::Out;

/// Programs a shortcut attachment should never start.
pub const INTERPRETERS: &[&str] = &[
    "cmd.exe",
    "cmd ",
    "powershell",
    "pwsh",
    "mshta",
    "rundll32",
    "regsvr32",
    "wscript",
    "cscript",
    "certutil",
    "bitsadmin",
    "msiexec",
    "forfiles",
    "conhost",
    "curl.exe",
];

/// What a shortcut points at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Link {
    /// Target path (from LinkInfo, or strings of the ID list).
    pub target: String,
    /// Command-line arguments.
    pub arguments: String,
    /// Working folder.
    pub working_dir: String,
    /// Relative path.
    pub relative_path: String,
    /// Icon location (often set to a PDF icon to disguise the shortcut).
    pub icon: String,
}

fn cstr(d: &[u8], o: usize) -> String {
    let s = d.get(o..).unwrap_or(&[]);
    let end = memchr::memchr(0, s).unwrap_or(s.len()).min(1024);
    String::from_utf8_lossy(&s[..end]).into_owned()
}

/// Printable ASCII runs of at least 4 bytes (target names inside shell item IDs).
fn ascii_strings(d: &[u8]) -> Vec<String> {
    d.split(|&b| !(0x20..0x7f).contains(&b))
        .filter(|s| s.len() >= 4)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect()
}

/// Parses a shortcut (best effort; `None` when the header is not a shell link).
pub fn parse(d: &[u8]) -> Option<Link> {
    if u32_at(d, 0)? != 0x4C {
        return None;
    }
    let flags = u32_at(d, 0x14)?;
    let unicode = flags & 0x80 != 0;
    let mut pos = 0x4C;
    let mut link = Link::default();
    if flags & 0x1 != 0 {
        let n = u16_at(d, pos)? as usize;
        let idlist = d.get(pos + 2..(pos + 2 + n).min(d.len())).unwrap_or(&[]);
        let strings = ascii_strings(idlist);
        if let Some(s) = strings.iter().rev().find(|s| s.contains('.')) {
            link.target = s.clone();
        }
        pos += 2 + n;
    }
    if flags & 0x2 != 0 {
        let size = u32_at(d, pos)? as usize;
        let info = d.get(pos..(pos + size).min(d.len())).unwrap_or(&[]);
        if let Some(base) = u32_at(info, 16)
            && base > 0
        {
            let t = cstr(info, base as usize);
            if !t.is_empty() {
                link.target = t;
            }
        }
        pos += size.max(4);
    }
    let read = |present: bool, pos: &mut usize| -> String {
        if !present {
            return String::new();
        }
        let Some(count) = u16_at(d, *pos) else {
            return String::new();
        };
        let count = count as usize;
        *pos += 2;
        if unicode {
            let bytes = d.get(*pos..(*pos + count * 2).min(d.len())).unwrap_or(&[]);
            *pos += count * 2;
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        } else {
            let bytes = d.get(*pos..(*pos + count).min(d.len())).unwrap_or(&[]);
            *pos += count;
            String::from_utf8_lossy(bytes).into_owned()
        }
    };
    let _name = read(flags & 0x4 != 0, &mut pos);
    link.relative_path = read(flags & 0x8 != 0, &mut pos);
    link.working_dir = read(flags & 0x10 != 0, &mut pos);
    link.arguments = read(flags & 0x20 != 0, &mut pos);
    link.icon = read(flags & 0x40 != 0, &mut pos);
    if link.target.is_empty() {
        link.target = link.relative_path.clone();
    }
    Some(link)
}

/// Analyses a shortcut.
pub(crate) fn analyze(d: &[u8], out: &mut Out) {
    let Some(link) = parse(d) else {
        out.add("file.malformed", Severity::Info, "LNK: bad header");
        return;
    };
    let cmdline = format!("{} {}", link.target, link.arguments);
    let lower = cmdline.to_ascii_lowercase();
    let shown: String = cmdline.trim().chars().take(200).collect();
    if let Some(i) = INTERPRETERS.iter().find(|i| lower.contains(*i)) {
        out.add(
            "lnk.command",
            Severity::Critical,
            format!("shortcut starts {}: {shown}", i.trim()),
        );
    } else {
        out.add("lnk.file", Severity::Medium, format!("shortcut to {shown}"));
    }
}
