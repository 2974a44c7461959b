//! Replays the checked-in fuzz seed corpus (fuzz/corpus/<target>/) through the functions the
//! fuzz targets call, plus truncated and bit-flipped variants of each seed.

use std::path::PathBuf;

use kizuki_core::rng::Rng;
use kizuki_files::fuzzing::TARGETS;

#[test]
fn fuzz_seeds_replay_without_panics() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let mut ran = 0;
    let mut rng = Rng::new(7);
    for (name, f) in TARGETS {
        let dir = root.join(name);
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        assert!(!entries.is_empty(), "no seeds for {name}");
        for p in entries {
            let data = std::fs::read(&p).unwrap();
            f(&data);
            f(&data[..data.len() / 2]);
            let mut flipped = data.clone();
            for _ in 0..8 {
                if !flipped.is_empty() {
                    let i = rng.below(flipped.len() as u64) as usize;
                    flipped[i] ^= 1 << rng.below(8);
                }
            }
            f(&flipped);
            ran += 1;
        }
    }
    assert!(ran > 0);
}
