#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = kizuki_mail::Analyzer::new(kizuki_mail::Options::default()).analyze("fuzz", data);
});
