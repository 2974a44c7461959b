#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = kizuki_core::Config::parse(s, std::path::Path::new("fuzz.toml"));
    }
});
