//! Holder crate for the criterion benchmarks in this folder (`cargo bench -p kizuki-benches`).
#![forbid(unsafe_code)]
