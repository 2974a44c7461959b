#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| kizuki_files::fuzzing::zip(data));
