#![no_main]
// Decoders and detectors of pii scan: encoding detection, containers, tables, free text, and
// the same bytes carved as a raw image.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let scanner = kizuki_pii::Scanner::default();
    let _ = scanner.scan_bytes("fuzz.csv", data);
    let _ = scanner.scan_bytes("fuzz.img", data);
});
