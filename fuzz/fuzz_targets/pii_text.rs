#![no_main]
// The free-text detectors and the single-value validators on arbitrary text
// (kizuki_pii::fuzzing::text).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kizuki_pii::fuzzing::text(data);
});
