//! Type identification by content (magic bytes), with the name's extension only as a tiebreak
//! for text formats (scripts are text, so `x.vbs` and `x.txt` differ by name alone).

use crate::names;

/// A file type, identified by content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileType {
    /// PDF document.
    Pdf,
    /// Office Open XML (docx, xlsm, pptm…): a zip with `[Content_Types].xml`.
    Ooxml,
    /// OLE2 compound file (doc, xls, ppt, msg, vbaProject.bin).
    Ole,
    /// Rich Text Format.
    Rtf,
    /// Zip archive.
    Zip,
    /// RAR archive.
    Rar,
    /// 7-Zip archive.
    SevenZip,
    /// gzip stream.
    Gzip,
    /// xz stream (LZMA2).
    Xz,
    /// bzip2 stream.
    Bzip2,
    /// Zstandard stream.
    Zstd,
    /// POSIX tar archive.
    Tar,
    /// LHA/LZH archive (LHA, LhaPlus, Lhaca: long the Japanese archive format).
    Lzh,
    /// Disk image: ISO 9660 / UDF (members walked), VHD/VHDX or raw FAT image (identified).
    Iso,
    /// Windows shortcut.
    Lnk,
    /// Windows executable (MZ/PE).
    Pe,
    /// ELF executable.
    Elf,
    /// HTML page.
    Html,
    /// Script (js, vbs, hta, wsf, ps1, bat, cmd…).
    Script,
    /// Image (png, jpeg, gif, bmp, webp, tiff).
    Image,
    /// Plain text.
    Text,
    /// Anything else.
    Unknown,
}

impl FileType {
    /// The id used in JSON (`pdf`, `ooxml`, `7z`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Ooxml => "ooxml",
            FileType::Ole => "ole",
            FileType::Rtf => "rtf",
            FileType::Zip => "zip",
            FileType::Rar => "rar",
            FileType::SevenZip => "7z",
            FileType::Gzip => "gzip",
            FileType::Xz => "xz",
            FileType::Bzip2 => "bzip2",
            FileType::Zstd => "zstd",
            FileType::Tar => "tar",
            FileType::Lzh => "lzh",
            FileType::Iso => "iso",
            FileType::Lnk => "lnk",
            FileType::Pe => "pe",
            FileType::Elf => "elf",
            FileType::Html => "html",
            FileType::Script => "script",
            FileType::Image => "image",
            FileType::Text => "text",
            FileType::Unknown => "unknown",
        }
    }

    /// True for archives whose members are walked.
    pub fn is_container(self) -> bool {
        matches!(
            self,
            FileType::Zip
                | FileType::Gzip
                | FileType::Xz
                | FileType::Bzip2
                | FileType::Zstd
                | FileType::Tar
                | FileType::Lzh
                | FileType::Rar
                | FileType::SevenZip
                | FileType::Iso
        )
    }

    /// True for executables and scripts.
    pub fn is_executable(self) -> bool {
        matches!(
            self,
            FileType::Pe | FileType::Elf | FileType::Script | FileType::Lnk
        )
    }

    /// The types an extension claims (empty: the extension claims nothing we check).
    pub fn claimed_by(ext: &str) -> &'static [FileType] {
        use FileType::*;
        match ext {
            "pdf" => &[Pdf],
            "doc" | "xls" | "ppt" | "msg" | "dot" | "xlt" | "pps" => &[Ole, Rtf, Html],
            "docx" | "docm" | "dotx" | "dotm" | "xlsx" | "xlsm" | "xltm" | "xlsb" | "pptx"
            | "pptm" | "ppsm" | "ppsx" => &[Ooxml, Zip],
            "rtf" => &[Rtf],
            "zip" => &[Zip, Ooxml],
            "rar" => &[Rar],
            "7z" => &[SevenZip],
            "gz" | "tgz" => &[Gzip],
            "xz" | "txz" => &[Xz],
            "bz2" | "tbz" | "tbz2" => &[Bzip2],
            "zst" | "tzst" => &[Zstd],
            "tar" => &[Tar],
            "lzh" | "lha" => &[Lzh],
            "iso" | "img" => &[Iso],
            "lnk" => &[Lnk],
            "exe" | "dll" | "scr" | "sys" | "cpl" | "com" => &[Pe],
            "html" | "htm" | "xhtml" => &[Html],
            "js" | "vbs" | "vbe" | "jse" | "wsf" | "ps1" | "bat" | "cmd" | "hta" => &[Script, Html],
            "png" | "jpg" | "jpeg" | "gif" | "bmp" | "webp" | "tif" | "tiff" => &[Image],
            "txt" | "csv" | "log" => &[Text],
            _ => &[],
        }
    }
}

fn starts(data: &[u8], magic: &[u8]) -> bool {
    data.len() >= magic.len() && &data[..magic.len()] == magic
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    // memchr's search, not a compare at every window (a call each): every file read by any
    // area goes through here, most of them several times.
    memchr::memmem::find(hay, needle)
}

/// An LHA/LZH archive's first header: its method (`-lh5-`, `-lz5-`, `-pm2-`, …) at offset 2
/// and a header level from 0 to 3 at offset 20 (level 0 and 1 headers start with their
/// size, which is at least that of their fixed part).
pub fn is_lzh(data: &[u8]) -> bool {
    let (Some(m), Some(&level)) = (data.get(2..7), data.get(20)) else {
        return false;
    };
    let method = m[0] == b'-'
        && m[4] == b'-'
        && matches!(
            (m[1], m[2], m[3]),
            (b'l', b'h', b'0'..=b'7' | b'd' | b'x')
                | (b'l', b'z', b's' | b'4' | b'5')
                | (b'p', b'm', b'0'..=b'2')
        );
    method
        && match level {
            0 | 1 => data[0] >= 22,
            2 | 3 => true,
            _ => false,
        }
}

/// Identifies `data`; `name` is only used to tell scripts from plain text.
pub fn sniff(data: &[u8], name: &str) -> FileType {
    let head = &data[..data.len().min(1024)];
    if starts(data, b"%PDF-") {
        return FileType::Pdf;
    }
    if starts(data, b"PK\x03\x04") || starts(data, b"PK\x05\x06") || starts(data, b"PK\x07\x08") {
        let probe = &data[..data.len().min(64 * 1024)];
        if find(probe, b"[Content_Types].xml").is_some() {
            return FileType::Ooxml;
        }
        return FileType::Zip;
    }
    if starts(data, b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return FileType::Ole;
    }
    if starts(data, b"{\\rt") {
        return FileType::Rtf;
    }
    // RAR 1.5 to 7, and RAR 1.3-1.4's own mark (DOS archives of the early 1990s).
    if starts(data, b"Rar!\x1A\x07") || starts(data, b"RE~^") {
        return FileType::Rar;
    }
    if starts(data, b"7z\xBC\xAF\x27\x1C") {
        return FileType::SevenZip;
    }
    if starts(data, b"\x1F\x8B") {
        return FileType::Gzip;
    }
    if starts(data, b"\xFD7zXZ\x00") {
        return FileType::Xz;
    }
    // `BZh` and a block size digit, then a block's magic (the digits of pi) or the end of
    // an empty stream's (those of sqrt(pi)).
    if data.len() >= 10
        && starts(data, b"BZh")
        && (b'1'..=b'9').contains(&data[3])
        && matches!(
            &data[4..10],
            b"\x31\x41\x59\x26\x53\x59" | b"\x17\x72\x45\x38\x50\x90"
        )
    {
        return FileType::Bzip2;
    }
    if starts(data, b"\x28\xB5\x2F\xFD") {
        return FileType::Zstd;
    }
    if data.len() >= 262 && &data[257..262] == b"ustar" {
        return FileType::Tar;
    }
    if is_lzh(data) {
        return FileType::Lzh;
    }
    if data.len() >= 0x8006 && matches!(&data[0x8001..0x8006], b"CD001" | b"BEA01") {
        return FileType::Iso;
    }
    // Other disk images: VHD (footer copy at the start of dynamic disks), VHDX, and raw FAT
    // images (boot signature plus a FAT file-system label).
    if starts(data, b"conectix")
        || starts(data, b"vhdxfile")
        || (data.len() >= 512
            && data[510..512] == [0x55, 0xAA]
            && (&data[54..59] == b"FAT12"
                || &data[54..59] == b"FAT16"
                || &data[82..87] == b"FAT32"))
    {
        return FileType::Iso;
    }
    if starts(data, b"L\x00\x00\x00\x01\x14\x02\x00") {
        return FileType::Lnk;
    }
    if starts(data, b"MZ") {
        return FileType::Pe;
    }
    if starts(data, b"\x7FELF") {
        return FileType::Elf;
    }
    // Readers accept a PDF header anywhere in the first kilobyte (pdfid does too).
    if find(head, b"%PDF-").is_some() {
        return FileType::Pdf;
    }
    if starts(data, b"\x89PNG")
        || starts(data, b"\xFF\xD8\xFF")
        || starts(data, b"GIF8")
        || starts(data, b"BM")
        || starts(data, b"II*\x00")
        || starts(data, b"MM\x00*")
        || (starts(data, b"RIFF") && data.len() >= 12 && &data[8..12] == b"WEBP")
    {
        return FileType::Image;
    }
    let ext = names::extension(name).unwrap_or_default();
    let textual = head
        .iter()
        .all(|&b| b >= 0x20 || matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
        || starts(data, b"\xEF\xBB\xBF")
        || starts(data, b"\xFF\xFE");
    if matches!(
        ext.as_str(),
        "js" | "jse" | "vbs" | "vbe" | "wsf" | "wsh" | "ps1" | "psm1" | "bat" | "cmd" | "hta"
    ) && textual
    {
        return FileType::Script;
    }
    if textual {
        let lower: Vec<u8> = head.iter().take(512).map(u8::to_ascii_lowercase).collect();
        let l = &lower[..];
        if find(l, b"<!doctype html").is_some()
            || find(l, b"<html").is_some()
            || find(l, b"<head").is_some()
            || find(l, b"<body").is_some()
            || find(l, b"<form").is_some()
            || find(l, b"<script").is_some()
        {
            return FileType::Html;
        }
        if starts(l, b"#!/bin/sh") || starts(l, b"#!/bin/bash") || starts(l, b"@echo off") {
            return FileType::Script;
        }
        return FileType::Text;
    }
    FileType::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_wins_over_extension() {
        assert_eq!(sniff(b"%PDF-1.7\n", "a.txt"), FileType::Pdf);
        assert_eq!(sniff(b"MZ\x90\x00", "ticket.pdf"), FileType::Pe);
        assert_eq!(sniff(b"WScript.Echo 1\n", "a.vbs"), FileType::Script);
        assert_eq!(sniff(b"hello\n", "a.txt"), FileType::Text);
        assert_eq!(sniff(b"<html><form>", "a.htm"), FileType::Html);
        assert_eq!(sniff(&[0u8, 1, 2, 3], "x"), FileType::Unknown);
        assert_eq!(sniff(b"", "x"), FileType::Text);
    }
}
