#![no_main]
// pii scan on one file read from disk (kizuki_pii::fuzzing::scan_file): the readers that
// stream from a file (compressed streams, tar, zip a member at a time, SQLite, raw images,
// mbox); crates/pii/tests/fuzz_corpus.rs replays the seeds.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = kizuki_pii::fuzzing::scan_file(data);
});
