//! File-name checks: double extensions (also hidden behind padding spaces), Unicode bidi
//! controls, executable extensions, and the type mismatch between name and content.

use kizuki_core::Severity;

use crate::Out;
use crate::sniff::FileType;

/// Extensions Windows runs or opens with an interpreter.
pub const EXECUTABLE_EXTENSIONS: &[&str] = &[
    "exe", "scr", "com", "pif", "cpl", "msi", "msp", "dll", "bat", "cmd", "vbs", "vbe", "js",
    "jse", "wsf", "wsh", "hta", "ps1", "psm1", "lnk", "jar", "reg", "iso", "img", "vhd", "vhdx",
    "appx", "msix", "chm", "url", "scf",
];

/// Extensions of documents a victim expects (the decoy part of `invoice.pdf.exe`).
const DOCUMENT_EXTENSIONS: &[&str] = &[
    "pdf", "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "rtf", "txt", "jpg",
    "jpeg", "png", "gif", "zip", "csv", "htm", "html",
];

/// Unicode bidirectional controls that can reverse the visible order of a name.
pub const BIDI_CONTROLS: &[char] = &[
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
];

/// The lowercased last extension of a file name (after the last `/`, `\` or `!`).
pub fn extension(name: &str) -> Option<String> {
    let base = base_name(name);
    let (stem, ext) = base.rsplit_once('.')?;
    if stem.is_empty() || ext.is_empty() || ext.len() > 8 {
        return None;
    }
    Some(ext.trim().to_ascii_lowercase())
}

/// The last path component.
pub fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\', '!']).next().unwrap_or(name)
}

/// True when the extension is one Windows executes.
pub fn is_executable_extension(ext: &str) -> bool {
    EXECUTABLE_EXTENSIONS.contains(&ext)
}

/// Runs the name checks on `name` (one path component) knowing the content type `ft`.
pub(crate) fn check(name: &str, ft: FileType, out: &mut Out) {
    let base = base_name(name);
    if let Some(c) = base.chars().find(|c| BIDI_CONTROLS.contains(c)) {
        out.add(
            "name.bidi_control",
            Severity::Critical,
            format!(
                "name contains bidi control U+{:04X}: shown to the user as '{}'",
                c as u32,
                visual(base)
            ),
        );
    }
    let parts: Vec<&str> = base.split('.').collect();
    if parts.len() >= 3 {
        let last = parts[parts.len() - 1].trim().to_ascii_lowercase();
        let prev_raw = parts[parts.len() - 2];
        let prev = prev_raw.trim().to_ascii_lowercase();
        let padded = prev_raw.len() != prev_raw.trim_end().len() || prev_raw.ends_with('_');
        if is_executable_extension(&last) && DOCUMENT_EXTENSIONS.contains(&prev.as_str()) {
            out.add(
                "name.double_extension",
                Severity::Critical,
                format!(
                    "'.{prev}' decoy before the real extension '.{last}'{}",
                    if padded { " (padded with spaces)" } else { "" }
                ),
            );
        }
    } else if parts.len() == 2 {
        // `invoice.pdf      .exe` style padding without a second dot is covered above; a long run
        // of spaces before the extension alone is also a trick.
        let stem = parts[0];
        let last = parts[1].trim().to_ascii_lowercase();
        if stem.ends_with("   ") && is_executable_extension(&last) {
            out.add(
                "name.double_extension",
                Severity::High,
                format!("spaces pad the real extension '.{last}' out of view"),
            );
        }
    }
    if let Some(ext) = extension(base) {
        let claimed = FileType::claimed_by(&ext);
        if !claimed.is_empty()
            && !claimed.contains(&ft)
            && (ft != FileType::Text || !claimed.contains(&FileType::Script))
            && ft != FileType::Unknown
        {
            let sev = if ft.is_executable() {
                Severity::Critical
            } else {
                Severity::Medium
            };
            out.add(
                "type.mismatch",
                sev,
                format!("name says .{ext} but the content is {}", ft.as_str()),
            );
        }
    }
}

/// The name as a user sees it after a right-to-left override: the run after U+202E reversed.
fn visual(name: &str) -> String {
    match name.split_once('\u{202E}') {
        Some((a, b)) => {
            let rev: String = b
                .chars()
                .filter(|c| !BIDI_CONTROLS.contains(c))
                .rev()
                .collect();
            format!("{a}{rev}")
        }
        None => name
            .chars()
            .filter(|c| !BIDI_CONTROLS.contains(c))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(name: &str, ft: FileType) -> Vec<String> {
        let mut out = Out::default();
        check(name, ft, &mut out);
        out.findings.iter().map(|f| f.rule.to_string()).collect()
    }

    #[test]
    fn double_and_padded_extensions() {
        assert_eq!(
            rules("invoice.pdf.exe", FileType::Pe),
            ["name.double_extension"]
        );
        assert_eq!(
            rules("invoice.pdf      .exe", FileType::Pe),
            ["name.double_extension"]
        );
        assert!(rules("report.2016.pdf", FileType::Pdf).is_empty());
        assert!(rules("archive.tar.gz", FileType::Gzip).is_empty());
    }

    #[test]
    fn bidi_is_critical_and_shown_visually() {
        let mut out = Out::default();
        check("ticket\u{202E}fdp.exe", FileType::Pe, &mut out);
        assert_eq!(out.findings[0].rule, "name.bidi_control");
        assert!(
            out.findings[0].detail.contains("ticketexe.pdf"),
            "{}",
            out.findings[0].detail
        );
    }

    #[test]
    fn mismatch() {
        assert_eq!(rules("ticket.pdf", FileType::Pe), ["type.mismatch"]);
        assert!(rules("a.docx", FileType::Ooxml).is_empty());
        assert!(rules("a.txt", FileType::Text).is_empty());
    }
}
