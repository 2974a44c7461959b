#![no_main]
// Decoders and detectors of pii scan: encoding detection, containers, tables, free text.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = kizuki_pii::Scanner::default().scan_bytes("fuzz.csv", data);
});
