#![no_main]
// Decoders and detectors of pii scan: encoding detection, containers, tables, free text, and
// the same bytes carved as a raw image and read as document XML.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let scanner = kizuki_pii::Scanner::default();
    let _ = scanner.scan_bytes("fuzz.csv", data);
    let _ = scanner.scan_bytes("fuzz.img", data);
    // As a file of records (fixed-width layout inference, Zengin transfers).
    let _ = scanner.scan_bytes("fuzz.dat", data);
    // The same bytes as the text parts of Word and OpenDocument packages.
    let _ = scanner.scan_bytes("fuzz.docx!word/document.xml", data);
    let _ = scanner.scan_bytes("fuzz.odt!content.xml", data);
    // As a message (MIME parts, attachments scanned as files).
    let _ = scanner.scan_bytes("fuzz.eml", data);
    // As an HTML page (tags, tables, character references).
    let _ = scanner.scan_bytes("fuzz.html", data);
    // As a PDF (the text of its pages).
    let mut pdf = b"%PDF-1.7\n".to_vec();
    pdf.extend_from_slice(data);
    let _ = scanner.scan_bytes("fuzz.pdf", &pdf);
});
