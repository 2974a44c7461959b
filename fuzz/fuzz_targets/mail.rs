#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(a) = kizuki_mail::Analyzer::new(kizuki_mail::Options::default()) { a.analyze("fuzz", data); }
});
