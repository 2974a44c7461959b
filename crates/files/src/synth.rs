//! Deterministic synthetic samples: the golden corpus, the demo's e-ticket, fuzz seeds and the
//! benchmark corpus all come from here. Payloads are inert (`app.alert(1)`, `MsgBox`, `calc`
//! strings that are never run); executables are 64-byte stubs that are not runnable programs.
//!
//! Every generator is a pure function of its arguments (and of [`kizuki_core::rng::Rng`] seeds),
//! so the bytes never change between runs or platforms.

use std::io::{Cursor, Write};

use kizuki_core::rng::Rng;

/// One generated sample.
#[derive(Clone, Debug)]
pub struct Sample {
    /// Case id (file stem in testdata/).
    pub case: &'static str,
    /// The file name the sample is analysed under (may carry a double extension or bidi control).
    pub name: String,
    /// The bytes.
    pub data: Vec<u8>,
}

fn sample(case: &'static str, name: impl Into<String>, data: Vec<u8>) -> Sample {
    Sample {
        case,
        name: name.into(),
        data,
    }
}

/// Zlib compression (for PDF FlateDecode streams).
pub fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// A small PDF writer with a correct cross-reference table.
#[derive(Default)]
pub struct PdfBuilder {
    objs: Vec<Vec<u8>>,
    trailer_extra: String,
}

impl PdfBuilder {
    /// A new, empty document.
    pub fn new() -> Self {
        PdfBuilder::default()
    }

    /// Reserves the next object number.
    pub fn next_id(&self) -> usize {
        self.objs.len() + 1
    }

    /// Adds an object with this body; returns its number.
    pub fn obj(&mut self, body: &str) -> usize {
        self.objs.push(body.as_bytes().to_vec());
        self.objs.len()
    }

    /// Adds a stream object (`extra` goes into its dictionary besides /Length).
    pub fn stream(&mut self, extra: &str, data: &[u8]) -> usize {
        let mut b = format!("<< /Length {} {extra} >>\nstream\n", data.len()).into_bytes();
        b.extend_from_slice(data);
        b.extend_from_slice(b"\nendstream");
        self.objs.push(b);
        self.objs.len()
    }

    /// Adds an object stream holding `bodies` (compressed); returns the ids of the objects
    /// inside (they are numbered after the stream object itself).
    pub fn object_stream(&mut self, bodies: &[&str]) -> Vec<usize> {
        let first_id = self.objs.len() + 2;
        let mut header = String::new();
        let mut content = String::new();
        for (i, b) in bodies.iter().enumerate() {
            header.push_str(&format!("{} {} ", first_id + i, content.len()));
            content.push_str(b);
            content.push('\n');
        }
        let first = header.len();
        let data = zlib(format!("{header}{content}").as_bytes());
        self.stream(
            &format!(
                "/Type /ObjStm /N {} /First {first} /Filter /FlateDecode",
                bodies.len()
            ),
            &data,
        );
        // Placeholders keep the numbering (free entries in the xref).
        let ids: Vec<usize> = (0..bodies.len()).map(|i| first_id + i).collect();
        for _ in bodies {
            self.objs.push(Vec::new());
        }
        ids
    }

    /// Extra trailer entries (`/Encrypt 9 0 R`).
    pub fn trailer(&mut self, extra: &str) {
        self.trailer_extra = extra.to_string();
    }

    /// Serialises with `root` as the catalog.
    pub fn finish(&self, root: usize) -> Vec<u8> {
        let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in self.objs.iter().enumerate() {
            if body.is_empty() {
                offsets.push(None);
                continue;
            }
            offsets.push(Some(out.len()));
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", self.objs.len() + 1).as_bytes(),
        );
        for o in offsets {
            match o {
                Some(off) => out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes()),
                None => out.extend_from_slice(b"0000000000 65535 f \n"),
            }
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root {root} 0 R {} >>\nstartxref\n{xref}\n%%EOF\n",
                self.objs.len() + 1,
                self.trailer_extra
            )
            .as_bytes(),
        );
        out
    }
}

/// A one-page text PDF; `catalog_extra` goes into the catalog, `page_extra` into the page.
pub fn pdf_text_with(lines: &[&str], catalog_extra: &str, b: &mut PdfBuilder) -> usize {
    let font = b.obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    let mut content = String::from("BT /F1 12 Tf 72 720 Td 14 TL\n");
    for l in lines {
        content.push_str(&format!(
            "({}) Tj T*\n",
            l.replace('(', "[").replace(')', "]")
        ));
    }
    content.push_str("ET\n");
    let contents = b.stream("/Filter /FlateDecode", &zlib(content.as_bytes()));
    let pages_id = b.next_id() + 1;
    let page = b.obj(&format!(
        "<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 612 792] /Contents {contents} 0 R /Resources << /Font << /F1 {font} 0 R >> >> >>"
    ));
    let pages = b.obj(&format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>"));
    debug_assert_eq!(pages, pages_id);
    b.obj(&format!(
        "<< /Type /Catalog /Pages {pages} 0 R /OpenAction [{page} 0 R /Fit] {catalog_extra} >>"
    ))
}

/// A benign one-page text PDF (has a harmless page-fit /OpenAction, as many real PDFs do).
pub fn pdf_text(lines: &[&str]) -> Vec<u8> {
    let mut b = PdfBuilder::new();
    let root = pdf_text_with(lines, "", &mut b);
    b.finish(root)
}

/// The reference incident's e-ticket: a text page and an /OpenAction that runs JavaScript from
/// a compressed stream (inert `app.alert`).
pub fn pdf_eticket(passenger: &str) -> Vec<u8> {
    let mut b = PdfBuilder::new();
    let js = b.stream(
        "/Filter /FlateDecode",
        &zlib(b"// inert test payload\nvar t = 'e-ticket';\napp.alert('kizuki inert sample: ' + t);\n"),
    );
    let action = b.obj(&format!("<< /Type /Action /S /JavaScript /JS {js} 0 R >>"));
    let mut c = PdfBuilder::new();
    std::mem::swap(&mut b, &mut c);
    let mut b = c;
    let font = b.obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    let text = format!(
        "BT /F1 12 Tf 72 720 Td 14 TL\n(E-TICKET / ITINERARY RECEIPT) Tj T*\n(Passenger: {passenger}) Tj T*\n(Flight: PA 123  Tokyo NRT - Beijing PEK) Tj T*\nET\n"
    );
    let contents = b.stream("/Filter /FlateDecode", &zlib(text.as_bytes()));
    let page = b.obj(&format!(
        "<< /Type /Page /Parent {} 0 R /MediaBox [0 0 612 792] /Contents {contents} 0 R /Resources << /Font << /F1 {font} 0 R >> >> >>",
        b.next_id() + 1
    ));
    let pages = b.obj(&format!("<< /Type /Pages /Kids [{page} 0 R] /Count 1 >>"));
    let root = b.obj(&format!(
        "<< /Type /Catalog /Pages {pages} 0 R /OpenAction {action} 0 R >>"
    ));
    b.finish(root)
}

/// Zip entries: `(name, data)`, deflated unless `stored`.
pub fn zip(entries: &[(&str, &[u8])], stored: bool) -> Vec<u8> {
    zip_with(entries, stored)
}

/// Zip with ZipCrypto-encrypted, stored entries ("PPAP"). Written here rather than with the zip
/// crate because its encryption header is random and the corpus must be byte-identical.
pub fn zip_encrypted(entries: &[(&str, &[u8])], password: &str) -> Vec<u8> {
    let raw: Vec<RawEntry> = entries
        .iter()
        .enumerate()
        .map(|(i, (name, data))| {
            let crc = crc32(data);
            let mut keys = ZipCryptoKeys::new(password.as_bytes());
            let mut header = [0u8; 12];
            let mut rng = Rng::new(0x5050_4150 + i as u64);
            for b in header.iter_mut().take(11) {
                *b = rng.below(256) as u8;
            }
            header[11] = (crc >> 24) as u8;
            let mut enc = Vec::with_capacity(12 + data.len());
            for &b in header.iter().chain(data.iter()) {
                enc.push(keys.encrypt(b));
            }
            RawEntry {
                name: name.as_bytes().to_vec(),
                method: 0,
                flags: 0x0801,
                crc,
                declared: data.len() as u32,
                data: enc,
            }
        })
        .collect();
    raw_zip(&raw)
}

/// A zip of stored members whose names are the bytes given, without the UTF-8 flag: what
/// Explorer on a Japanese Windows writes (CP932 names), or an old Unix zip (EUC-JP).
pub fn zip_raw_names(entries: &[(&[u8], &[u8])]) -> Vec<u8> {
    let raw: Vec<RawEntry> = entries
        .iter()
        .map(|(name, data)| RawEntry {
            name: name.to_vec(),
            method: 0,
            flags: 0,
            crc: crc32(data),
            declared: data.len() as u32,
            data: data.to_vec(),
        })
        .collect();
    raw_zip(&raw)
}

fn crc_table() -> [u32; 256] {
    let mut t = [0u32; 256];
    for (i, e) in t.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *e = c;
    }
    t
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(data);
    c.sum()
}

/// The traditional PKWARE stream cipher (APPNOTE 6.1), for writing test archives only.
struct ZipCryptoKeys {
    k: [u32; 3],
    table: [u32; 256],
}

impl ZipCryptoKeys {
    fn new(password: &[u8]) -> Self {
        let mut z = ZipCryptoKeys {
            k: [0x1234_5678, 0x2345_6789, 0x3456_7890],
            table: crc_table(),
        };
        for &b in password {
            z.update(b);
        }
        z
    }

    fn crc_step(&self, c: u32, b: u8) -> u32 {
        (c >> 8) ^ self.table[((c ^ u32::from(b)) & 0xff) as usize]
    }

    fn update(&mut self, b: u8) {
        self.k[0] = self.crc_step(self.k[0], b);
        self.k[1] = self.k[1]
            .wrapping_add(self.k[0] & 0xff)
            .wrapping_mul(134_775_813)
            .wrapping_add(1);
        self.k[2] = self.crc_step(self.k[2], (self.k[1] >> 24) as u8);
    }

    fn encrypt(&mut self, plain: u8) -> u8 {
        let t = (self.k[2] | 2) as u16;
        let ks = (t.wrapping_mul(t ^ 1) >> 8) as u8;
        self.update(plain);
        plain ^ ks
    }
}

/// One member of a hand-written zip.
struct RawEntry {
    name: Vec<u8>,
    method: u16,
    flags: u16,
    crc: u32,
    declared: u32,
    data: Vec<u8>,
}

fn raw_zip(entries: &[RawEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let off = out.len() as u32;
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&e.flags.to_le_bytes());
            v.extend_from_slice(&e.method.to_le_bytes());
            v.extend_from_slice(&[0, 0, 0x21, 0]);
            v.extend_from_slice(&e.crc.to_le_bytes());
            v.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            v.extend_from_slice(&e.declared.to_le_bytes());
            v.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
        };
        out.extend_from_slice(b"PK\x03\x04\x14\x00");
        common(&mut out);
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&e.data);
        central.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00");
        common(&mut central);
        central.extend_from_slice(&[0; 10]);
        central.extend_from_slice(&off.to_le_bytes());
        central.extend_from_slice(&e.name);
    }
    let cd_off = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_off.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn zip_with(entries: &[(&str, &[u8])], stored: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let method = if stored {
        zip::CompressionMethod::Stored
    } else {
        zip::CompressionMethod::Deflated
    };
    for (name, data) in entries {
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(zip::DateTime::default());
        if w.start_file(*name, opts).is_err() || w.write_all(data).is_err() {
            return Vec::new();
        }
    }
    w.finish().map(Cursor::into_inner).unwrap_or_default()
}

/// A zip of `n` members whose headers each declare `declared` bytes from a few compressed
/// bytes (the "1 KB zip that expands to 10 GB" of the issue: 10 × 1 GiB).
pub fn zip_bomb_declared(n: usize, declared: u32) -> Vec<u8> {
    let comp = {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let _ = e.write_all(&[0u8; 1024]);
        e.finish().unwrap_or_default()
    };
    let crc = crc32(&[0u8; 1024]);
    let raw: Vec<RawEntry> = (0..n)
        .map(|i| RawEntry {
            name: format!("z{i}").into_bytes(),
            method: 8,
            flags: 0,
            crc,
            declared,
            data: comp.clone(),
        })
        .collect();
    raw_zip(&raw)
}

/// A zip with one deflated member whose headers declare `declared` bytes whatever the data
/// really expands to (the lying-header bomb).
pub fn zip_lying(name: &str, data: &[u8], declared: u32) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = e.write_all(data);
    let comp = e.finish().unwrap_or_default();
    raw_zip(&[RawEntry {
        name: name.as_bytes().to_vec(),
        method: 8,
        flags: 0,
        crc: crc32(data),
        declared,
        data: comp,
    }])
}

/// A zip nested `depth` times around a text file.
pub fn zip_nested(depth: usize) -> Vec<u8> {
    let mut cur = b"innermost\n".to_vec();
    let mut name = "payload.txt".to_string();
    for i in 0..depth {
        cur = zip(&[(&name, &cur)], true);
        name = format!("level{}.zip", depth - i);
    }
    cur
}

/// An OLE2 compound file; `vba` puts a VBA module with this source into `Macros/VBA`;
/// `equation` sets the Equation Editor CLSID on the root.
pub fn ole(vba: Option<&str>, equation: bool) -> Vec<u8> {
    fn build(vba: Option<&str>, equation: bool) -> std::io::Result<Vec<u8>> {
        let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new()))?;
        if equation {
            let u = uuid::Uuid::from_u128(0x0002CE02_0000_0000_C000_000000000046);
            cf.set_storage_clsid("/", u)?;
            let mut s = cf.create_stream("/Equation Native")?;
            s.write_all(&[0x1C, 0, 0, 0, 2, 0, 0xC8, 0xA7, 0x5C, 0, 0xC4, 0xEE, 0x5B])?;
        } else {
            let mut s = cf.create_stream("/WordDocument")?;
            s.write_all(&[0xEC, 0xA5, 0xC1, 0x00, 0, 0, 0, 0])?;
        }
        if let Some(src) = vba {
            cf.create_storage("/Macros")?;
            cf.create_storage("/Macros/VBA")?;
            let mut d = cf.create_stream("/Macros/VBA/dir")?;
            d.write_all(&crate::office::compress_vba_literal(
                b"\x01\x00\x04\x00\x00\x00\x01\x00\x00\x00",
            ))?;
            drop(d);
            let mut m = cf.create_stream("/Macros/VBA/ThisDocument")?;
            m.write_all(&[0u8; 16])?;
            m.write_all(&crate::office::compress_vba_literal(src.as_bytes()))?;
        }
        // Fixed timestamps: the bytes must not depend on the clock.
        let epoch = std::time::SystemTime::UNIX_EPOCH;
        let mut storages = vec!["/"];
        if vba.is_some() {
            storages.extend(["/Macros", "/Macros/VBA"]);
        }
        for p in storages {
            cf.set_created_time(p, epoch)?;
            cf.set_modified_time(p, epoch)?;
        }
        cf.flush()?;
        Ok(cf.into_inner().into_inner())
    }
    build(vba, equation).unwrap_or_default()
}

/// An Excel 97-2003 workbook (BIFF8) of one sheet holding `cells` in its first column as
/// text; `vba` puts a VBA module with this source into `_VBA_PROJECT_CUR/VBA`, as Excel
/// stores a workbook's macros.
pub fn xls(cells: &[&str], vba: Option<&str>) -> Vec<u8> {
    fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&(data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
    }
    let bof = |dt: u16| [&[0u8, 6][..], &dt.to_le_bytes(), &[0; 12]].concat();
    let mut b = Vec::new();
    record(&mut b, 0x0809, &bof(5));
    record(&mut b, 0x00E1, &[0xB0, 0x04]);
    record(&mut b, 0x0042, &1200u16.to_le_bytes());
    let entry = b.len() + 4;
    record(
        &mut b,
        0x0085,
        &[0, 0, 0, 0, 0, 0, 6, 0, b'S', b'h', b'e', b'e', b't', b'1'],
    );
    record(&mut b, 0x000A, &[]);
    let sheet = b.len() as u32;
    b[entry..entry + 4].copy_from_slice(&sheet.to_le_bytes());
    record(&mut b, 0x0809, &bof(0x10));
    for (r, text) in cells.iter().enumerate() {
        let u: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut label = [(r as u16).to_le_bytes(), [0, 0], [0, 0]].concat();
        label.extend_from_slice(&((u.len() / 2) as u16).to_le_bytes());
        label.push(1);
        label.extend_from_slice(&u);
        record(&mut b, 0x0204, &label);
    }
    record(&mut b, 0x000A, &[]);
    let build = || -> std::io::Result<Vec<u8>> {
        let mut cf =
            cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
        cf.create_stream("/Workbook")?.write_all(&b)?;
        let mut storages = vec!["/"];
        if let Some(src) = vba {
            cf.create_storage("/_VBA_PROJECT_CUR")?;
            cf.create_storage("/_VBA_PROJECT_CUR/VBA")?;
            cf.create_stream("/_VBA_PROJECT_CUR/VBA/dir")?.write_all(
                &crate::office::compress_vba_literal(b"\x01\x00\x04\x00\x00\x00\x01\x00\x00\x00"),
            )?;
            let mut m = cf.create_stream("/_VBA_PROJECT_CUR/VBA/ThisWorkbook")?;
            m.write_all(&[0u8; 16])?;
            m.write_all(&crate::office::compress_vba_literal(src.as_bytes()))?;
            storages.extend(["/_VBA_PROJECT_CUR", "/_VBA_PROJECT_CUR/VBA"]);
        }
        // Fixed timestamps: the bytes must not depend on the clock.
        let epoch = std::time::SystemTime::UNIX_EPOCH;
        for p in storages {
            cf.set_created_time(p, epoch)?;
            cf.set_modified_time(p, epoch)?;
        }
        cf.flush()?;
        Ok(cf.into_inner().into_inner())
    };
    build().unwrap_or_default()
}

/// A VBA project's storage as PowerPoint 97-2003 keeps it (an embedded compound file whose
/// root holds `VBA/dir`, the modules and `PROJECT`), with one module of source `src`.
pub fn vba_project(src: &str) -> Vec<u8> {
    let build = || -> std::io::Result<Vec<u8>> {
        let mut cf =
            cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
        cf.create_storage("/VBA")?;
        cf.create_stream("/VBA/dir")?
            .write_all(&crate::office::compress_vba_literal(
                b"\x01\x00\x04\x00\x00\x00\x01\x00\x00\x00",
            ))?;
        let mut m = cf.create_stream("/VBA/Module1")?;
        m.write_all(&[0u8; 16])?;
        m.write_all(&crate::office::compress_vba_literal(src.as_bytes()))?;
        drop(m);
        cf.create_stream("/PROJECT")?
            .write_all(b"Module=Module1\r\nName=\"VBAProject\"\r\n")?;
        let epoch = std::time::SystemTime::UNIX_EPOCH;
        for p in ["/", "/VBA"] {
            cf.set_created_time(p, epoch)?;
            cf.set_modified_time(p, epoch)?;
        }
        cf.flush()?;
        Ok(cf.into_inner().into_inner())
    };
    build().unwrap_or_default()
}

/// A PowerPoint macro run when its slide show opens (inert).
pub const VBA_AUTO_OPEN_PPT: &str = "Attribute VB_Name = \"Module1\"\r\nSub Auto_Open()\r\n    Dim s\r\n    s = \"calc.exe\"\r\n    Shell s, 0\r\nEnd Sub\r\n";

/// An Excel macro run when its workbook opens (inert: the command is a string that does
/// nothing).
pub const VBA_AUTO_OPEN_XLS: &str = "Attribute VB_Name = \"ThisWorkbook\"\r\nSub Auto_Open()\r\n    Dim s\r\n    s = \"calc.exe\"\r\n    Shell s, 0\r\nEnd Sub\r\n";

/// The VBA source of a malicious-style macro (inert: the command is a string that does nothing).
pub const VBA_AUTO_SHELL: &str = "Attribute VB_Name = \"ThisDocument\"\r\nSub AutoOpen()\r\n    Dim s\r\n    s = \"calc.exe\"\r\n    Shell s, 0\r\nEnd Sub\r\n";
/// A harmless macro that is not run automatically.
pub const VBA_PLAIN: &str = "Attribute VB_Name = \"Module1\"\r\nSub FormatTable()\r\n    Selection.Font.Bold = True\r\nEnd Sub\r\n";

/// An OOXML word document. `parts` are extra `(path, bytes)` members; `doc_rels` extra
/// relationships of the main part; `body` the paragraph XML.
pub fn docx(
    body: &str,
    doc_rels: &str,
    settings_rels: Option<&str>,
    parts: &[(&str, Vec<u8>)],
) -> Vec<u8> {
    let ct = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    );
    let drels = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>{doc_rels}</Relationships>"#
    );
    let settings = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:zoom w:percent="100"/></w:settings>"#;
    let mut entries: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), ct.as_bytes().to_vec()),
        ("_rels/.rels".into(), rels.as_bytes().to_vec()),
        ("word/document.xml".into(), doc.into_bytes()),
        ("word/_rels/document.xml.rels".into(), drels.into_bytes()),
        ("word/settings.xml".into(), settings.as_bytes().to_vec()),
    ];
    if let Some(sr) = settings_rels {
        entries.push((
            "word/_rels/settings.xml.rels".into(),
            format!(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{sr}</Relationships>"#).into_bytes(),
        ));
    }
    for (p, b) in parts {
        entries.push(((*p).to_string(), b.clone()));
    }
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    zip(&refs, false)
}

/// A plain paragraph.
pub fn para(text: &str) -> String {
    format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
}

/// A plain spreadsheet (xlsx) with `rows` rows of generated numbers.
pub fn xlsx(rows: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let ct = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    let wb = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    let wbrels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for r in 1..=rows {
        sheet.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}"><v>{}</v></c><c r="B{r}"><v>{}</v></c></row>"#,
            rng.below(100_000),
            rng.below(1000)
        ));
    }
    sheet.push_str("</sheetData></worksheet>");
    zip(
        &[
            ("[Content_Types].xml", ct.as_bytes()),
            ("_rels/.rels", rels.as_bytes()),
            ("xl/workbook.xml", wb.as_bytes()),
            ("xl/_rels/workbook.xml.rels", wbrels.as_bytes()),
            ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
        ],
        false,
    )
}

/// A shortcut whose target is `target` with `args` (unicode strings).
pub fn lnk(target: &str, args: &str, icon: &str) -> Vec<u8> {
    let mut d = vec![0u8; 0x4C];
    d[0] = 0x4C;
    d[4..20].copy_from_slice(&[
        0x01, 0x14, 0x02, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46,
    ]);
    let flags: u32 = 0x2 | 0x20 | 0x40 | 0x80;
    d[0x14..0x18].copy_from_slice(&flags.to_le_bytes());
    // LinkInfo with a local base path.
    let mut info = vec![0u8; 28];
    let base_off = 28u32;
    info.extend_from_slice(target.as_bytes());
    info.push(0);
    info.push(0);
    let size = info.len() as u32;
    info[0..4].copy_from_slice(&size.to_le_bytes());
    info[4..8].copy_from_slice(&28u32.to_le_bytes());
    info[8..12].copy_from_slice(&1u32.to_le_bytes());
    info[16..20].copy_from_slice(&base_off.to_le_bytes());
    info[24..28].copy_from_slice(&(size - 1).to_le_bytes());
    d.extend_from_slice(&info);
    for s in [args, icon] {
        let units: Vec<u16> = s.encode_utf16().collect();
        d.extend_from_slice(&(units.len() as u16).to_le_bytes());
        for u in units {
            d.extend_from_slice(&u.to_le_bytes());
        }
    }
    d.extend_from_slice(&[0, 0, 0, 0]);
    d
}

/// A minimal ISO 9660 image holding `files` in its root directory.
pub fn iso(files: &[(&str, &[u8])]) -> Vec<u8> {
    const S: usize = 2048;
    let mut sectors: Vec<Vec<u8>> = vec![vec![0u8; S]; 16];
    let root_lba = 18usize;
    let mut file_lba = root_lba + 1;
    let mut root = Vec::new();
    let rec = |lba: usize, len: usize, flags: u8, name: &[u8]| -> Vec<u8> {
        let mut r = vec![0u8; 33];
        r[2..6].copy_from_slice(&(lba as u32).to_le_bytes());
        r[6..10].copy_from_slice(&(lba as u32).to_be_bytes());
        r[10..14].copy_from_slice(&(len as u32).to_le_bytes());
        r[14..18].copy_from_slice(&(len as u32).to_be_bytes());
        r[25] = flags;
        r[28] = 1;
        r[32] = name.len() as u8;
        r.extend_from_slice(name);
        if r.len() % 2 == 1 {
            r.push(0);
        }
        r[0] = r.len() as u8;
        r
    };
    root.extend(rec(root_lba, S, 2, &[0]));
    root.extend(rec(root_lba, S, 2, &[1]));
    let mut data_sectors = Vec::new();
    for (name, data) in files {
        let n = format!("{};1", name.to_ascii_uppercase());
        root.extend(rec(file_lba, data.len(), 0, n.as_bytes()));
        let count = data.len().div_ceil(S).max(1);
        let mut buf = data.to_vec();
        buf.resize(count * S, 0);
        data_sectors.push(buf);
        file_lba += count;
    }
    root.resize(S, 0);
    let mut pvd = vec![0u8; S];
    pvd[0] = 1;
    pvd[1..6].copy_from_slice(b"CD001");
    pvd[6] = 1;
    pvd[156..156 + 34].copy_from_slice(&rec(root_lba, S, 2, &[0])[..34]);
    sectors.push(pvd);
    let mut term = vec![0u8; S];
    term[0] = 255;
    term[1..6].copy_from_slice(b"CD001");
    sectors.push(term);
    sectors.push(root);
    let mut out: Vec<u8> = sectors.concat();
    for d in data_sectors {
        out.extend(d);
    }
    out
}

/// A gzip stream of `data`.
pub fn gzip(name: &str, data: &[u8]) -> Vec<u8> {
    let mut e = flate2::GzBuilder::new()
        .filename(name)
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// A tar archive of `files`.
pub fn tar(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_entry_type(tar::EntryType::Regular);
        if h.set_path(name).is_err() {
            continue;
        }
        h.set_cksum();
        let _ = b.append(&h, *data);
    }
    b.into_inner().unwrap_or_default()
}

/// A 64-byte MZ stub (not a runnable program).
pub fn pe_stub() -> Vec<u8> {
    let mut d = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    d.resize(60, 0);
    d.extend_from_slice(&[0x40, 0, 0, 0]);
    d.extend_from_slice(b"PE\0\0inert kizuki test stub");
    d
}

/// Lines of filler text for benign documents.
pub fn filler_lines(rng: &mut Rng, n: usize) -> Vec<String> {
    const WORDS: &[&str] = &[
        "itinerary",
        "flight",
        "departure",
        "arrival",
        "gate",
        "seat",
        "baggage",
        "fare",
        "booking",
        "reference",
        "passenger",
        "terminal",
        "meeting",
        "report",
        "quarterly",
        "schedule",
        "invoice",
        "total",
        "amount",
        "office",
    ];
    (0..n)
        .map(|_| {
            (0..8)
                .map(|_| *rng.pick(WORDS).unwrap_or(&"text"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The golden corpus: one sample per behaviour, benign ones first. Case ids starting with
/// `benign_` must come out clean.
pub fn corpus() -> Vec<Sample> {
    let mut rng = Rng::new(0x0066_696c_6573); // "files"
    let lines = filler_lines(&mut rng, 12);
    let l: Vec<&str> = lines.iter().map(String::as_str).collect();
    let text_pdf = pdf_text(&l);
    let mut v = Vec::new();

    // Benign.
    v.push(sample("benign_text_pdf", "itinerary.pdf", text_pdf.clone()));
    v.push(sample(
        "benign_docx",
        "minutes.docx",
        docx(
            &(para("Minutes of the weekly meeting.") + &para("Next meeting: Tuesday.")),
            "",
            None,
            &[],
        ),
    ));
    v.push(sample("benign_xlsx", "figures.xlsx", xlsx(20, 7)));
    let pdf2 = pdf_text(&["Second document", "nothing to see"]);
    v.push(sample(
        "benign_zip_of_pdfs",
        "documents.zip",
        zip(
            &[("a/itinerary.pdf", &text_pdf), ("a/receipt.pdf", &pdf2)],
            false,
        ),
    ));
    v.push(sample(
        "benign_text",
        "notes.txt",
        b"Shopping list: rice, tea, paper.\n".to_vec(),
    ));
    v.push(sample(
        "benign_tar_gz",
        "logs.tar.gz",
        gzip(
            "logs.tar",
            &tar(&[("logs/app.log", b"2016-03-15 started\n")]),
        ),
    ));
    v.push(sample(
        "benign_image",
        "photo.png",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec(),
    ));
    v.push(sample(
        "benign_html",
        "newsletter.html",
        b"<!DOCTYPE html><html><body><h1>News</h1><p>Spring timetable.</p></body></html>".to_vec(),
    ));

    // PDF.
    v.push(sample(
        "pdf_eticket_openaction_js",
        "北京行きのEチケット.pdf",
        pdf_eticket("YAMADA/TARO MR"),
    ));
    {
        let mut b = PdfBuilder::new();
        let act = b.obj("<< /S /Launch /Win << /F (cmd.exe) /P (/c echo inert) >> >>");
        let root = pdf_text_with(
            &["Launch sample"],
            &format!("/AA << /O {act} 0 R >>"),
            &mut b,
        );
        v.push(sample("pdf_launch", "launch.pdf", b.finish(root)));
    }
    {
        let mut b = PdfBuilder::new();
        let exe = pe_stub();
        let ef = b.stream("/Type /EmbeddedFile /Filter /FlateDecode", &zlib(&exe));
        let fs = b.obj(&format!(
            "<< /Type /Filespec /F (invoice.exe) /UF (invoice.exe) /EF << /F {ef} 0 R >> >>"
        ));
        let names = b.obj(&format!("<< /Names [(invoice.exe) {fs} 0 R] >>"));
        let root = pdf_text_with(
            &["See attachment"],
            &format!("/Names << /EmbeddedFiles {names} 0 R >>"),
            &mut b,
        );
        v.push(sample("pdf_embedded_exe", "statement.pdf", b.finish(root)));
    }
    {
        let mut b = PdfBuilder::new();
        let xfa = b.stream(
            "",
            b"<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"><template/></xdp:xdp>",
        );
        let form = b.obj(&format!("<< /Fields [] /XFA {xfa} 0 R >>"));
        let root = pdf_text_with(&["Form"], &format!("/AcroForm {form} 0 R"), &mut b);
        v.push(sample("pdf_xfa", "form.pdf", b.finish(root)));
    }
    {
        let mut b = PdfBuilder::new();
        let act = b.obj("<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>");
        let root = pdf_text_with(&["Obfuscated"], &format!("/Open#41ction {act} 0 R"), &mut b);
        v.push(sample("pdf_obfuscated_names", "scan.pdf", b.finish(root)));
    }
    {
        let mut b = PdfBuilder::new();
        let enc = b.obj("<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>");
        let root = pdf_text_with(&["Encrypted"], "", &mut b);
        b.trailer(&format!("/Encrypt {enc} 0 R /ID [<01><01>]"));
        v.push(sample("pdf_encrypted", "protected.pdf", b.finish(root)));
    }
    {
        // JavaScript inside a compressed object stream, with a dangerous API call.
        let mut b = PdfBuilder::new();
        let ids = b.object_stream(&[
            "<< /Type /Action /S /JavaScript /JS (var x = util.printf\\('%45000f', 1\\); app.alert\\(1\\);) >>",
        ]);
        let root = pdf_text_with(
            &["Object stream"],
            &format!("/OpenAction {} 0 R", ids[0]),
            &mut b,
        );
        v.push(sample(
            "pdf_objstm_js_exploit_api",
            "objstm.pdf",
            b.finish(root),
        ));
    }
    {
        // JavaScript in an ASCIIHex + Flate stream, with a URI action on a link.
        let mut b = PdfBuilder::new();
        let code = zlib(b"app.alert(1);");
        let hex: String = code.iter().map(|x| format!("{x:02x}")).collect::<String>() + ">";
        let js = b.stream("/Filter [/ASCIIHexDecode /FlateDecode]", hex.as_bytes());
        let act = b.obj(&format!("<< /S /JavaScript /JS {js} 0 R >>"));
        let uri = b.obj("<< /S /URI /URI (http://update-check.example/ticket) >>");
        let annot = b.obj(&format!("<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A {uri} 0 R /AA << /E {act} 0 R >> >>"));
        let root = pdf_text_with(&["Hex JS"], &format!("/Annots [{annot} 0 R]"), &mut b);
        v.push(sample("pdf_hex_flate_js_uri", "links.pdf", b.finish(root)));
    }
    {
        // References that loop: /OpenAction -> 1 -> 2 -> 1, /Next loops, /Length loops.
        let mut b = PdfBuilder::new();
        let a = b.next_id();
        b.obj(&format!("{} 0 R", a + 1));
        b.obj(&format!("{a} 0 R"));
        let n1 = b.next_id();
        b.obj(&format!(
            "<< /S /JavaScript /JS (app.alert\\(1\\)) /Next {} 0 R >>",
            n1 + 1
        ));
        b.obj(&format!("<< /S /GoTo /D [0 /Fit] /Next {n1} 0 R >>"));
        let root = pdf_text_with(
            &["Loop"],
            &format!("/OpenAction {n1} 0 R /Outlines {a} 0 R"),
            &mut b,
        );
        v.push(sample(
            "hostile_pdf_reference_loop",
            "loop.pdf",
            b.finish(root),
        ));
    }

    // Office.
    v.push(sample(
        "ole_vba_autoexec_shell",
        "order.doc",
        ole(Some(VBA_AUTO_SHELL), false),
    ));
    v.push(sample(
        "ole_vba_plain",
        "table-macro.doc",
        ole(Some(VBA_PLAIN), false),
    ));
    v.push(sample(
        "ole_equation_editor",
        "equation.doc",
        ole(None, true),
    ));
    v.push(sample(
        "docm_vba_autoexec",
        "invoice.docm",
        docx(
            &para("Enable content to view"),
            "",
            None,
            &[("word/vbaProject.bin", ole(Some(VBA_AUTO_SHELL), false))],
        ),
    ));
    v.push(sample(
        "docx_remote_template",
        "cv.docx",
        docx(
            &para("Curriculum vitae"),
            "",
            Some(r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://update-check.example/t.dotm" TargetMode="External"/>"#),
            &[],
        ),
    ));
    v.push(sample(
        "docx_dde",
        "quote.docx",
        docx(
            r#"<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> DDEAUTO c:\\windows\\system32\\cmd.exe "/k echo inert" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>"#,
            "",
            None,
            &[],
        ),
    ));
    v.push(sample(
        "docx_ole_equation",
        "formula.docx",
        docx(
            &para("Formula"),
            r#"<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject" Target="embeddings/oleObject1.bin"/>"#,
            None,
            &[("word/embeddings/oleObject1.bin", ole(None, true))],
        ),
    ));
    {
        let ole1 = {
            let mut o = vec![1, 5, 0, 0, 2, 0, 0, 0, 11, 0, 0, 0];
            o.extend_from_slice(b"Equation.3\0");
            o.extend_from_slice(&[0; 8]);
            o.extend_from_slice(&ole(None, true));
            o
        };
        let hex: String = ole1.iter().map(|b| format!("{b:02x}")).collect();
        let rtf = format!(
            "{{\\rtf1\\ansi{{\\object\\objemb\\objupdate{{\\*\\objclass Equation.3}}\\objw380\\objh260{{\\*\\objdata {hex}}}}}}}"
        );
        v.push(sample(
            "rtf_objdata_equation",
            "report.rtf",
            rtf.into_bytes(),
        ));
    }

    // Archives.
    let exe = pe_stub();
    v.push(sample(
        "zip_executable_inside",
        "photos.zip",
        zip(&[("photos/IMG_0412.jpg.exe", &exe)], false),
    ));
    v.push(sample(
        "zip_encrypted_ppap",
        "見積書.zip",
        zip_encrypted(&[("見積書.pdf", &text_pdf)], "Kz8x2QpW"),
    ));
    v.push(sample(
        "zip_bomb_declared_10g",
        "bomb.zip",
        zip_bomb_declared(10, 1 << 30),
    ));
    v.push(sample(
        "hostile_zip_nested_100",
        "nested.zip",
        zip_nested(100),
    ));
    v.push(sample(
        "iso_with_lnk",
        "invoice.iso",
        iso(&[(
            "invoice.lnk",
            &lnk(
                "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                "-nop -w hidden -c \"echo inert\"",
                "C:\\Program Files\\doc.pdf",
            ),
        )]),
    ));
    v.push(sample(
        "benign_rar_of_pdfs",
        "archive.rar",
        crate::rar::synth_rar5(&[("docs/itinerary.pdf", &text_pdf)], false),
    ));
    v.push(sample(
        "rar_encrypted_executable",
        "scan.rar",
        crate::rar::synth_rar5(&[("scan.pdf.exe", &pe_stub())], true),
    ));
    v.push(sample("vhd_image", "invoice.vhd", {
        let mut d = b"conectix".to_vec();
        d.resize(512, 0);
        d
    }));
    v.push(sample(
        "benign_7z_listing",
        "archive.7z",
        crate::sevenz::synth(&["docs/itinerary.pdf", "docs/notes.txt"], false),
    ));
    v.push(sample(
        "sevenz_encrypted_header",
        "請求書.7z",
        crate::sevenz::synth(&[], true),
    ));
    // Office documents encrypted with a password: Excel's built-in one (opens without a
    // prompt, hides the remote template from scanners), and one no candidate opens.
    let lure = docx(
        &para("Please see the attached invoice."),
        "",
        Some(
            r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://203.0.113.9/t.dotm" TargetMode="External"/>"#,
        ),
        &[],
    );
    v.push(sample(
        "office_default_password",
        "請求書.docx",
        office_encrypted(&lure, crate::offcrypto::DEFAULT_PASSWORD, 11),
    ));
    v.push(sample(
        "office_encrypted",
        "見積書.xlsx",
        office_encrypted(&xlsx(10, 3), "Mitsumori#2016", 12),
    ));
    // A PowerPoint 97-2003 presentation with a macro: its VBA project is a compressed
    // object among the records, not a storage of the compound file.
    v.push(sample(
        "ppt_vba_autoexec",
        "提案書.ppt",
        ppt(
            &["ご提案", "詳細は添付をご覧ください"],
            &[&vba_project(VBA_AUTO_OPEN_PPT)],
            None,
        )
        .unwrap_or_default(),
    ));
    // The Excel 97-2003 form of the same trick: a workbook with a macro run on opening,
    // encrypted with VelvetSweatshop (RC4 CryptoAPI); the macro storage stays plain.
    v.push(sample(
        "xls_default_password",
        "請求書.xls",
        binary_encrypted(
            &xls(&["請求書", "ご確認ください"], Some(VBA_AUTO_OPEN_XLS)),
            crate::offcrypto::DEFAULT_PASSWORD,
            true,
            13,
        )
        .unwrap_or_default(),
    ));

    // Executables, names, scripts, shortcuts, HTML.
    v.push(sample(
        "exe_double_extension",
        "invoice.pdf.exe",
        exe.clone(),
    ));
    v.push(sample(
        "exe_padded_double_extension",
        "invoice.pdf            .exe",
        exe.clone(),
    ));
    v.push(sample(
        "exe_bidi_name",
        "e-ticket\u{202E}fdp.scr",
        exe.clone(),
    ));
    v.push(sample("exe_named_pdf", "ticket.pdf", exe));
    v.push(sample(
        "elf",
        "tool",
        b"\x7fELF\x02\x01\x01\0inert".to_vec(),
    ));
    v.push(sample(
        "script_vbs",
        "readme.vbs",
        b"' inert\r\nWScript.Echo \"hello\"\r\n".to_vec(),
    ));
    v.push(sample(
        "lnk_powershell",
        "e-ticket.pdf.lnk",
        lnk(
            "C:\\Windows\\System32\\cmd.exe",
            "/c powershell -nop -c \"echo inert\"",
            "C:\\Windows\\System32\\shell32.dll",
        ),
    ));
    v.push(sample(
        "html_credential_form",
        "login.html",
        b"<html><body><form action=\"https://login.update-check.example/post\" method=\"post\"><input name=\"user\"><input type=\"password\" name=\"pw\"></form></body></html>".to_vec(),
    ));
    v.push(sample(
        "html_redirect",
        "ticket.htm",
        b"<html><head><meta http-equiv=\"refresh\" content=\"0;url=http://update-check.example/\"></head></html>".to_vec(),
    ));
    v
}

/// A mixed benchmark corpus of `n` files (`(name, bytes)`): text PDFs of 1-8 pages of text,
/// PDFs with JavaScript, docx, xlsx, OLE documents with macros and zips of PDFs. Deterministic.
pub fn bench_corpus(seed: u64, n: usize) -> Vec<(String, Vec<u8>)> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let kind = i % 6;
        let count = 40 + rng.below(300) as usize;
        let lines = filler_lines(&mut rng, count);
        let l: Vec<&str> = lines.iter().map(String::as_str).collect();
        let (name, data) = match kind {
            0 => {
                // A text page plus a photo-sized (incompressible) image stream.
                let size = 20_000 + rng.below(300_000) as usize;
                let img: Vec<u8> = (0..size).map(|_| rng.below(256) as u8).collect();
                let mut b = PdfBuilder::new();
                let im = b.stream(
                    "/Type /XObject /Subtype /Image /Width 640 /Height 480 /BitsPerComponent 8 /ColorSpace /DeviceRGB /Filter /DCTDecode",
                    &img,
                );
                let root = pdf_text_with(&l, &format!("/PieceInfo << /Img {im} 0 R >>"), &mut b);
                (format!("doc{i:05}.pdf"), b.finish(root))
            }
            1 => (format!("ticket{i:05}.pdf"), pdf_eticket("SAMPLE/TARO MR")),
            2 => {
                let body: String = l.iter().map(|x| para(x)).collect();
                (format!("memo{i:05}.docx"), docx(&body, "", None, &[]))
            }
            3 => (
                format!("sheet{i:05}.xlsx"),
                xlsx(50 + rng.below(400) as usize, i as u64),
            ),
            4 => {
                let src = format!("{VBA_AUTO_SHELL}' {}\r\n", l.join("\r\n' "));
                (format!("order{i:05}.doc"), ole(Some(&src), false))
            }
            _ => {
                let p = pdf_text(&l);
                (
                    format!("docs{i:05}.zip"),
                    zip(&[("a.pdf", &p), ("b.pdf", &p)], false),
                )
            }
        };
        out.push((name, data));
    }
    out
}

/// `package` (an OOXML document) encrypted with `password` as Office 2007 does it ("standard
/// encryption", MS-OFFCRYPTO 2.3.4.5: AES-128 in ECB, the key SHA-1 spun 50,000 times), in a
/// compound file's `EncryptionInfo` and `EncryptedPackage` streams; the salt from `seed`.
/// (Office 2010 and later write agile encryption: the tests make it with an independent
/// writer.)
pub fn office_encrypted(package: &[u8], password: &str, seed: u64) -> Vec<u8> {
    use aes::cipher::{BlockCipherEncrypt, KeyInit};
    use sha1::{Digest, Sha1};
    let mut rng = Rng::new(seed);
    let mut salt = [0u8; 16];
    let mut verifier = [0u8; 16];
    for b in salt.iter_mut().chain(verifier.iter_mut()) {
        *b = rng.below(256) as u8;
    }
    let pw: Vec<u8> = password.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut h = Sha1::new_with_prefix(salt)
        .chain_update(&pw)
        .finalize()
        .to_vec();
    for i in 0u32..50_000 {
        h = Sha1::new_with_prefix(i.to_le_bytes())
            .chain_update(&h)
            .finalize()
            .to_vec();
    }
    let fin = Sha1::new_with_prefix(&h)
        .chain_update(0u32.to_le_bytes())
        .finalize();
    let mut x1 = [0x36u8; 64];
    for (x, f) in x1.iter_mut().zip(fin.iter()) {
        *x ^= f;
    }
    let key = Sha1::digest(x1);
    let Ok(aes) = aes::Aes128::new_from_slice(&key[..16]) else {
        return Vec::new();
    };
    let ecb = |data: &[u8]| {
        let mut out = data.to_vec();
        out.resize(data.len().div_ceil(16) * 16, 0);
        let (blocks, _) = aes::Block::slice_as_chunks_mut(&mut out);
        aes.encrypt_blocks(blocks);
        out
    };
    let mut info = Vec::new();
    info.extend_from_slice(&[3, 0, 2, 0]);
    info.extend_from_slice(&0x24u32.to_le_bytes());
    let csp: Vec<u8> = "Microsoft Enhanced RSA and AES Cryptographic Provider\0"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut header = Vec::new();
    for v in [0x24u32, 0, 0x660E, 0x8004, 128, 0x18, 0, 0] {
        header.extend_from_slice(&v.to_le_bytes());
    }
    header.extend_from_slice(&csp);
    info.extend_from_slice(&(header.len() as u32).to_le_bytes());
    info.extend_from_slice(&header);
    info.extend_from_slice(&16u32.to_le_bytes());
    info.extend_from_slice(&salt);
    info.extend_from_slice(&ecb(&verifier));
    info.extend_from_slice(&20u32.to_le_bytes());
    info.extend_from_slice(&ecb(&Sha1::digest(verifier)));
    let mut enc = (package.len() as u64).to_le_bytes().to_vec();
    enc.extend_from_slice(&ecb(package));
    let build = || -> std::io::Result<Vec<u8>> {
        let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new()))?;
        cf.create_stream("/EncryptionInfo")?.write_all(&info)?;
        cf.create_stream("/EncryptedPackage")?.write_all(&enc)?;
        let epoch = std::time::SystemTime::UNIX_EPOCH;
        cf.set_created_time("/", epoch)?;
        cf.set_modified_time("/", epoch)?;
        cf.flush()?;
        Ok(cf.into_inner().into_inner())
    };
    build().unwrap_or_default()
}

/// `plain` (a PDF) encrypted by qpdf with `args` (`--encrypt USER OWNER BITS … --`, then any
/// other option), the /ID and AES IVs fixed (`--static-id`, `--static-aes-iv`), RC4 allowed:
/// an independent writer of every revision of the standard security handler, for the tests
/// (scripts/setup installs qpdf). qpdf's warnings about the input are dropped.
pub fn qpdf_encrypted(plain: &[u8], args: &[&str]) -> std::io::Result<Vec<u8>> {
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let src = std::env::temp_dir().join(format!("kizuki-qpdf-{}-{n}.pdf", std::process::id()));
    std::fs::write(&src, plain)?;
    let out = std::process::Command::new("qpdf")
        .args(["--static-id", "--static-aes-iv", "--allow-weak-crypto"])
        .args(args)
        .arg(&src)
        .arg("-")
        .stderr(std::process::Stdio::null())
        .output();
    let _ = std::fs::remove_file(&src);
    let out = out?;
    // 3: written with warnings (the tests' PDFs have no cross-reference table).
    match out.status.code() {
        Some(0 | 3) => Ok(out.stdout),
        _ => Err(std::io::Error::other(format!(
            "qpdf {args:?}: {}",
            out.status
        ))),
    }
}

/// `ole` (a Word, Excel or PowerPoint 97-2003 document, not encrypted) encrypted with
/// `password` as Office does it ([`crate::bincrypt`]): RC4 CryptoAPI with a 128-bit key
/// (Office 2003 and later; PowerPoint knows no other) or, without `cryptoapi`, Office
/// 97/2000's RC4; the salt and verifier from `seed`. PowerPoint (a presentation of [`ppt`]):
/// a new edit holding the encryption header, every live object encrypted by its persist id.
/// Excel: a FILEPASS record after the first BOF (each BOUNDSHEET's stream position moved
/// past it). Word: the encryption header at the start of the table stream (the FIB's
/// places in it moved past it) and the FIB marked encrypted. Checked once against
/// msoffcrypto-tool's decryption (docs/BENCHMARKS.md).
pub fn binary_encrypted(
    ole: &[u8],
    password: &str,
    cryptoapi: bool,
    seed: u64,
) -> std::io::Result<Vec<u8>> {
    use crate::bincrypt;
    let mut rng = Rng::new(seed);
    let mut salt = [0u8; 16];
    let mut verifier = [0u8; 16];
    for b in salt.iter_mut().chain(verifier.iter_mut()) {
        *b = rng.below(256) as u8;
    }
    let (header, keys) = bincrypt::header(password, cryptoapi, salt, verifier);
    let mut cf = cfb::CompoundFile::open(Cursor::new(ole))?;
    let mut read = |path: &str| -> std::io::Result<Vec<u8>> {
        let s = cf.open_stream(path)?;
        kizuki_core::io::read_capped(s, ole.len() as u64)?
            .ok_or_else(|| std::io::Error::other("cap"))
    };
    let u16_at = |d: &[u8], at: usize| usize::from(u16::from_le_bytes([d[at], d[at + 1]]));
    let mut streams: Vec<(String, Vec<u8>)> = Vec::new();
    if let Ok(mut doc) = read("/PowerPoint Document") {
        // Saved again whole, as PowerPoint saves an encrypted presentation (never
        // incrementally): the CryptSession10Container as a new persistent object, one persist
        // directory listing every live object and it, one edit naming it (no edit before it);
        // every other live object encrypted in place.
        let mut user = read("/Current User")?;
        let bad = || std::io::Error::other("not a presentation of synth::ppt");
        let (_, last) = crate::ppt::current_user(&user).ok_or_else(bad)?;
        let ids = crate::ppt::persist_map(&doc, last).ok_or_else(bad)?;
        let session = ids.keys().max().copied().unwrap_or(0) + 1;
        let record = |out: &mut Vec<u8>, vi: u16, typ: u16, body: &[u8]| {
            out.extend_from_slice(&vi.to_le_bytes());
            out.extend_from_slice(&typ.to_le_bytes());
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(body);
        };
        let at = doc.len() as u32;
        record(&mut doc, 0x000F, 0x2F14, &header);
        let dir = doc.len() as u32;
        let mut entries = Vec::new();
        for (id, off) in ids
            .iter()
            .map(|(i, o)| (*i, *o as u32))
            .chain([(session, at)])
        {
            entries.extend_from_slice(&(id | (1 << 20)).to_le_bytes());
            entries.extend_from_slice(&off.to_le_bytes());
        }
        record(&mut doc, 0, crate::ppt::PERSIST_DIRECTORY, &entries);
        let edit_at = doc.len() as u32;
        let mut edit = doc[last + 8..last + 8 + 28].to_vec();
        edit[8..12].copy_from_slice(&0u32.to_le_bytes());
        edit[12..16].copy_from_slice(&dir.to_le_bytes());
        edit[20..24].copy_from_slice(&(session + 1).to_le_bytes());
        edit.extend_from_slice(&session.to_le_bytes());
        record(&mut doc, 0, crate::ppt::USER_EDIT, &edit);
        bincrypt::presentation(&mut doc, edit_at as usize, session, &keys, false);
        user[12..16].copy_from_slice(&crate::ppt::ENCRYPTED.to_le_bytes());
        user[16..20].copy_from_slice(&edit_at.to_le_bytes());
        streams.push(("/PowerPoint Document".into(), doc));
        streams.push(("/Current User".into(), user));
    } else if let Ok(mut word) = read("/WordDocument") {
        let flags = u16_at(&word, bincrypt::FIB_FLAGS) as u16;
        let table = if flags & 0x0200 != 0 {
            "/1Table"
        } else {
            "/0Table"
        };
        let mut t = header.clone();
        t.extend(read(table)?);
        // FibRgFcLcb: after FibBase, csw, fibRgW, cslw, fibRgLw and cbRgFcLcb; every (fc,
        // lcb) pair of it places something in the table stream.
        let csw = u16_at(&word, 32);
        let cslw = u16_at(&word, 34 + 2 * csw);
        let at = 34 + 2 * csw + 2 + 4 * cslw;
        let pairs = u16_at(&word, at);
        for k in 0..pairs {
            let p = at + 2 + 8 * k;
            let (Some(fc), Some(lcb)) = (word.get(p..p + 4), word.get(p + 4..p + 8)) else {
                break;
            };
            if lcb != [0; 4] {
                let fc = u32::from_le_bytes([fc[0], fc[1], fc[2], fc[3]]) + header.len() as u32;
                word[p..p + 4].copy_from_slice(&fc.to_le_bytes());
            }
        }
        let flags = flags | bincrypt::F_ENCRYPTED;
        word[bincrypt::FIB_FLAGS..bincrypt::FIB_FLAGS + 2].copy_from_slice(&flags.to_le_bytes());
        word[bincrypt::FIB_LKEY..bincrypt::FIB_LKEY + 4]
            .copy_from_slice(&(header.len() as u32).to_le_bytes());
        keys.apply(&mut word, bincrypt::FIB_BASE, bincrypt::WORD_BLOCK);
        keys.apply(&mut t, header.len(), bincrypt::WORD_BLOCK);
        streams.push(("/WordDocument".into(), word));
        streams.push((table.into(), t));
        if let Ok(mut d) = read("/Data") {
            keys.apply(&mut d, 0, bincrypt::WORD_BLOCK);
            streams.push(("/Data".into(), d));
        }
    } else {
        let book = read("/Workbook")?;
        let bof = 4 + u16_at(&book, 2);
        let mut filepass = vec![0x2F, 0x00];
        filepass.extend_from_slice(&((header.len() + 2) as u16).to_le_bytes());
        filepass.extend_from_slice(&[1, 0]);
        filepass.extend_from_slice(&header);
        let mut out = book[..bof].to_vec();
        out.extend_from_slice(&filepass);
        out.extend_from_slice(&book[bof..]);
        let mut at = 0;
        while at + 4 <= out.len() {
            let len = u16_at(&out, at + 2);
            if u16_at(&out, at) == 0x0085 {
                let p = at + 4;
                let ply = u32::from_le_bytes([out[p], out[p + 1], out[p + 2], out[p + 3]])
                    + filepass.len() as u32;
                out[p..p + 4].copy_from_slice(&ply.to_le_bytes());
            }
            at += 4 + len;
        }
        bincrypt::workbook(&mut out, &keys, false);
        streams.push(("/Workbook".into(), out));
    }
    bincrypt::copy_with(&mut cf, ole.len() as u64, &mut streams)
}

/// A PowerPoint 97-2003 presentation (`.ppt`, MS-PPT) whose outline holds `paras` (one
/// slide each: UTF-16 text, or 8-bit when ASCII) and which embeds `objects` (compound files,
/// each zlib-compressed in an `ExOleObjStg`), as PowerPoint saves one: the `Current User`
/// stream pointing at the last edit, its persist directory listing the document and the
/// objects. `stale`: an older version of the document (its text in the stream, no longer
/// live) is written first, as an incremental save leaves it.
pub fn ppt(paras: &[&str], objects: &[&[u8]], stale: Option<&str>) -> std::io::Result<Vec<u8>> {
    fn record(out: &mut Vec<u8>, ver_inst: u16, typ: u16, body: &[u8]) {
        out.extend_from_slice(&ver_inst.to_le_bytes());
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(body);
    }
    let document = |paras: &[&str]| -> Vec<u8> {
        let mut list = Vec::new();
        for (i, p) in paras.iter().enumerate() {
            let mut persist = vec![0u8; 20];
            persist[..4].copy_from_slice(&(i as u32 + 100).to_le_bytes());
            record(&mut list, 0, 0x03F3, &persist);
            record(&mut list, 0, 0x0F9F, &1u32.to_le_bytes());
            let text = p.replace('\n', "\r");
            if text.is_ascii() {
                record(&mut list, 0, 0x0FA8, text.as_bytes());
            } else {
                let u: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
                record(&mut list, 0, 0x0FA0, &u);
            }
        }
        let mut doc = Vec::new();
        record(&mut doc, 0x000F, 0x0FF0, &list);
        let mut out = Vec::new();
        record(&mut out, 0x000F, 0x03E8, &doc);
        out
    };
    let mut stream = Vec::new();
    if let Some(old) = stale {
        stream.extend(document(&[old]));
    }
    let mut offsets = vec![stream.len() as u32];
    stream.extend(document(paras));
    for o in objects {
        offsets.push(stream.len() as u32);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(o)?;
        let mut body = (o.len() as u32).to_le_bytes().to_vec();
        body.extend(z.finish()?);
        record(&mut stream, 0x0010, 0x1011, &body);
    }
    let dir_at = stream.len() as u32;
    let mut dir = (1u32 | ((offsets.len() as u32) << 20))
        .to_le_bytes()
        .to_vec();
    for o in &offsets {
        dir.extend_from_slice(&o.to_le_bytes());
    }
    record(&mut stream, 0, 0x1772, &dir);
    let edit_at = stream.len() as u32;
    let mut edit = Vec::new();
    edit.extend_from_slice(&0x100u32.to_le_bytes());
    edit.extend_from_slice(&[0, 0, 3, 0]);
    edit.extend_from_slice(&0u32.to_le_bytes());
    edit.extend_from_slice(&dir_at.to_le_bytes());
    edit.extend_from_slice(&1u32.to_le_bytes());
    edit.extend_from_slice(&(offsets.len() as u32 + 1).to_le_bytes());
    edit.extend_from_slice(&[1, 0, 0, 0]);
    record(&mut stream, 0, 0x0FF5, &edit);
    let name = b"kizuki";
    let mut user = Vec::new();
    user.extend_from_slice(&0x14u32.to_le_bytes());
    user.extend_from_slice(&0xE391C05Fu32.to_le_bytes());
    user.extend_from_slice(&edit_at.to_le_bytes());
    user.extend_from_slice(&(name.len() as u16).to_le_bytes());
    user.extend_from_slice(&0x03F4u16.to_le_bytes());
    user.extend_from_slice(&[3, 0, 0, 0]);
    user.extend_from_slice(name);
    user.extend_from_slice(&8u32.to_le_bytes());
    let mut current = Vec::new();
    record(&mut current, 0, 0x0FF6, &user);
    let mut cf = cfb::CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
    cf.create_stream("/Current User")?.write_all(&current)?;
    cf.create_stream("/PowerPoint Document")?
        .write_all(&stream)?;
    let epoch = std::time::SystemTime::UNIX_EPOCH;
    cf.set_created_time("/", epoch)?;
    cf.set_modified_time("/", epoch)?;
    cf.flush()?;
    Ok(cf.into_inner().into_inner())
}
