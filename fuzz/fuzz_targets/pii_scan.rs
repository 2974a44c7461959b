#![no_main]
// Decoders and detectors of pii scan: one object read as every kind the scanner tells by
// name (kizuki_pii::fuzzing::scan; crates/pii/tests/fuzz_corpus.rs replays the seeds).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = kizuki_pii::fuzzing::scan(data);
});
