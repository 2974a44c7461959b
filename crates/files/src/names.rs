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

/// What a format's member names are when they are not UTF-8 and no Japanese code page reads
/// them ([`stored_name`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Legacy {
    /// Zip's default (APPNOTE 4.4.4): IBM PC code page 437.
    Cp437,
    /// gzip's (RFC 1952): ISO 8859-1, read as windows-1252 (its superset, as WHATWG reads it).
    Latin1,
    /// None stated, written on Windows (RAR 4): the bytes as UTF-8, with a replacement
    /// character where they are not.
    Unstated,
    /// None stated, written on Unix (tar): as [`Legacy::Unstated`], but EUC-JP, not CP932,
    /// where both read the bytes equally well.
    Unix,
}

/// A member's name from the bytes its archive stores: UTF-8 when they are; else Windows'
/// Japanese code page (CP932) or EUC-JP when one of them reads them as Japanese
/// ([`japanese_name`]); else the format's own default (`legacy`).
///
/// A zip made by Explorer on a Japanese Windows, LhaPlus or an old WinRAR writes its names in
/// CP932 without the UTF-8 flag; read as the code page 437 the format names, `顧客.csv`
/// becomes `î┌ïq.csv`. An investigator must see the name the user saw, and the name checks
/// must see its spaces (`請求書.pdf　　　.exe`).
pub fn stored_name(raw: &[u8], legacy: Legacy) -> String {
    if let Ok(s) = std::str::from_utf8(raw) {
        return s.to_string();
    }
    if let Some(s) = japanese_name(raw, legacy == Legacy::Unix) {
        return s;
    }
    match legacy {
        Legacy::Cp437 => raw
            .iter()
            .map(|&b| match b.checked_sub(0x80) {
                Some(i) => CP437_HIGH.chars().nth(usize::from(i)).unwrap_or('\u{FFFD}'),
                None => char::from(b),
            })
            .collect(),
        Legacy::Latin1 => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(raw)
            .0
            .into_owned(),
        Legacy::Unstated | Legacy::Unix => String::from_utf8_lossy(raw).into_owned(),
    }
}

/// How a zip's names are read when they are not UTF-8, by the system its entry says made it:
/// Unix (Info-ZIP on a Linux or Solaris server stores the bytes of its locale: EUC-JP on an
/// old Japanese one), else code page 437 (DOS and Windows; CP932 on a Japanese Windows).
pub fn zip_legacy(system: zip::System) -> Legacy {
    if system == zip::System::Unix {
        Legacy::Unix
    } else {
        Legacy::Cp437
    }
}

/// Code page 437's characters for the bytes 0x80 to 0xFF.
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐\
└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{A0}";

/// A name that is not UTF-8 read as Japanese: in CP932 (what Windows writes) or EUC-JP (old
/// Unix systems), whichever decodes it without error into more Japanese text (two
/// half-width kana count as one character). A decoding is Japanese when it holds a kanji, a
/// kana, or a run of two half-width kana (`ﾃﾞｰﾀ`), and nothing outside Japanese text but
/// ASCII and the symbols Japanese names use (`※`, `①`, `■`, `×`): code page 437's
/// `Müller` decodes in CP932 too, to `M〕ller`, which is not Japanese. Some European names
/// in code page 437 are valid CP932 with a kanji (`Crème`: `è` and `m` make one); read as
/// CP932 they come out wrong, as they do in the tools of a Japanese Windows, whose code page
/// this is.
///
/// Two bytes from 0xA1 to 0xDF are one kanji in EUC-JP and two half-width kana in CP932
/// (`ｸﾜｵﾒ` is EUC-JP's `顧客`): a name made only of those reads in CP932, the code page of
/// Windows, unless `unix` (then EUC-JP).
pub fn japanese_name(raw: &[u8], unix: bool) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    let order = if unix {
        [encoding_rs::EUC_JP, encoding_rs::SHIFT_JIS]
    } else {
        [encoding_rs::SHIFT_JIS, encoding_rs::EUC_JP]
    };
    for enc in order {
        let Some(s) = enc.decode_without_bom_handling_and_without_replacement(raw) else {
            continue;
        };
        let Some(score) = japanese_score(&s) else {
            continue;
        };
        if best.as_ref().is_none_or(|(b, _)| score > *b) {
            best = Some((score, s.into_owned()));
        }
    }
    best.map(|(_, s)| s)
}

/// How Japanese `s` is: twice its full-width characters and once its half-width kana, once
/// a kana, a kanji or a run of half-width kana shows it is Japanese; `None` if it is not, or
/// if it holds a character Japanese names do not (Greek, Cyrillic, box drawing: what CP932
/// makes of bytes written in another code page).
fn japanese_score(s: &str) -> Option<usize> {
    let (mut wide, mut half_kana, mut run) = (0usize, 0usize, 0usize);
    let mut japanese = false;
    for c in s.chars() {
        let half = matches!(c, '\u{FF61}'..='\u{FF9F}');
        run = if half { run + 1 } else { 0 };
        japanese |= run >= 2;
        half_kana += usize::from(half);
        if half || c.is_ascii() {
            continue;
        }
        match c {
            '\u{3041}'..='\u{30FF}' // hiragana, katakana
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}' // CJK ideographs
            | '\u{3200}'..='\u{33FF}' => japanese = true, // `㈱`, `㍻`, `㌔`
            // Punctuation and full-width forms: Japanese, but one of them is what a byte of
            // code page 437 and the letter after it make (`ü` and `l`: `〕`).
            '\u{3000}'..='\u{3040}' | '\u{FF01}'..='\u{FF5E}' => {}
            '\u{A7}' | '\u{A8}' | '\u{B0}' | '\u{B1}' | '\u{B4}' | '\u{B6}' | '\u{D7}' | '\u{F7}'
            | '\u{2010}'..='\u{2026}'
            | '\u{2030}'
            | '\u{203B}'
            | '\u{2103}'
            | '\u{2116}'
            | '\u{2121}'
            | '\u{2160}'..='\u{217F}'
            | '\u{2190}'..='\u{21FF}'
            | '\u{2460}'..='\u{24FF}'
            | '\u{25A0}'..='\u{26FF}'
            | '\u{FFE0}'..='\u{FFE5}' => {}
            _ => return None,
        }
        wide += 1;
    }
    japanese.then_some(2 * wide + half_kana)
}

/// True when the extension is one Windows executes.
pub fn is_executable_extension(ext: &str) -> bool {
    EXECUTABLE_EXTENSIONS.contains(&ext)
}

/// `s` with full-width ASCII forms (`ｐｄｆ`, `．`) as their ASCII letters: NFKC for them.
fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
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
    // The real extension follows the last `.`; the decoy before it may be written in
    // full-width forms (`請求書．ｐｄｆ.exe`), which a Japanese font shows much as `.pdf`.
    if let Some((stem, last)) = base.rsplit_once('.') {
        let last = last.trim().to_ascii_lowercase();
        if let Some((_, prev_raw)) = stem.rsplit_once(['.', '\u{FF0E}']) {
            let prev = half_width(prev_raw).trim().to_ascii_lowercase();
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
        } else {
            // `invoice.pdf      .exe` style padding without a second dot is covered above; a
            // long run of spaces before the extension alone is also a trick.
            let padding = stem.chars().rev().take_while(|c| c.is_whitespace()).count();
            if padding >= 3 && is_executable_extension(&last) {
                out.add(
                    "name.double_extension",
                    Severity::High,
                    format!("spaces pad the real extension '.{last}' out of view"),
                );
            }
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
    fn full_width_decoys_are_decoys() {
        for n in [
            "請求書．ｐｄｆ.exe",
            "請求書.ＰＤＦ.exe",
            "見積書．ｄｏｃｘ\u{3000}\u{3000}.scr",
        ] {
            assert_eq!(rules(n, FileType::Pe), ["name.double_extension"], "{n}");
        }
        // A full-width dot before `exe` is no extension: Windows does not run it.
        assert!(
            !rules("請求書.pdf．exe", FileType::Pdf).contains(&"name.double_extension".to_string())
        );
        assert!(rules("報告書．2024.pdf", FileType::Pdf).is_empty());
    }

    #[test]
    fn ideographic_spaces_pad_an_extension_too() {
        assert_eq!(
            rules("請求書.pdf\u{3000}\u{3000}\u{3000}.exe", FileType::Pe),
            ["name.double_extension"]
        );
        assert_eq!(
            rules("請求書\u{3000}\u{3000}\u{3000}.exe", FileType::Pe),
            ["name.double_extension"]
        );
        assert!(rules("請求書\u{3000}.exe", FileType::Pe).is_empty());
    }

    /// Names as archives store them: UTF-8; CP932 and EUC-JP read as Japanese; code page
    /// 437, Latin-1 and undecodable bytes as their formats say.
    #[test]
    fn stored_names_are_read_in_the_code_page_that_wrote_them() {
        let sjis = |s: &str| encoding_rs::SHIFT_JIS.encode(s).0.into_owned();
        let euc = |s: &str| encoding_rs::EUC_JP.encode(s).0.into_owned();
        for name in [
            "顧客リスト/顧客.csv",
            "【重要】お客様情報※社外秘①.xlsx",
            "ﾃﾞｰﾀ/2024年度 名簿.txt",
            "ｶﾅ.csv",
            "請求書.pdf\u{3000}\u{3000}.exe",
            "㈱山田商事 ％割引表.csv",
        ] {
            assert_eq!(stored_name(&sjis(name), Legacy::Cp437), name, "CP932");
            if name != "ｶﾅ.csv" {
                assert_eq!(stored_name(&euc(name), Legacy::Unstated), name, "EUC-JP");
            }
            assert_eq!(stored_name(name.as_bytes(), Legacy::Cp437), name, "UTF-8");
        }
        // EUC-JP's `顧客` is four half-width kana in CP932 (`ｸﾜｵﾒ`), and CP932's `ｶﾅ` is
        // EUC-JP's `凝`: Windows' code page in zips, EUC-JP in tars.
        assert_eq!(stored_name(&euc("顧客.csv"), Legacy::Cp437), "ｸﾜｵﾒ.csv");
        assert_eq!(stored_name(&euc("顧客.csv"), Legacy::Unix), "顧客.csv");
        assert_eq!(stored_name(&sjis("ｶﾅ.csv"), Legacy::Unix), "凝.csv");
        assert_eq!(
            stored_name(&euc("顧客リスト.csv"), Legacy::Cp437),
            "顧客リスト.csv"
        );
        // Western names in code page 437 that CP932 or EUC-JP also decode are not Japanese.
        for (raw, want) in [
            (&b"M\x81ller.txt"[..], "Müller.txt"),
            (b"Espa\xa4a.doc", "España.doc"),
            (b"Gr\x81\xe1e.txt", "Grüße.txt"),
            (b"a\xff", "a\u{A0}"),
        ] {
            assert_eq!(stored_name(raw, Legacy::Cp437), want);
        }
        assert_eq!(stored_name(b"caf\xe9.log", Legacy::Latin1), "café.log");
        assert_eq!(
            stored_name(b"caf\xe9.log", Legacy::Unstated),
            "caf\u{FFFD}.log"
        );
    }

    /// The code page 437 table is the one the zip crate reads names with.
    #[test]
    fn code_page_437_reads_as_the_zip_crate_does() {
        // One high byte a member, after `x` (a lone byte decodes in no Japanese code page).
        let names: Vec<Vec<u8>> = (0x80..=0xFFu8).map(|b| vec![b'x', b]).collect();
        let entries: Vec<(&[u8], &[u8])> = names.iter().map(|n| (n.as_slice(), &b""[..])).collect();
        let zip = crate::synth::zip_raw_names(&entries);
        let mut za = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        for (i, raw) in names.iter().enumerate() {
            let f = za.by_index_raw(i).unwrap();
            assert_eq!(f.name_raw(), raw.as_slice());
            assert_eq!(
                stored_name(raw, Legacy::Cp437),
                f.name().unwrap(),
                "{raw:x?}"
            );
        }
    }

    #[test]
    fn mismatch() {
        assert_eq!(rules("ticket.pdf", FileType::Pe), ["type.mismatch"]);
        assert!(rules("a.docx", FileType::Ooxml).is_empty());
        assert!(rules("a.txt", FileType::Text).is_empty());
    }
}
