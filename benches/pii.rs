//! Micro-benchmarks of pii scan: one generated CSV (UTF-8 and CP932) and free text, in memory.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kizuki_pii::Scanner;
use kizuki_pii::synth::{self, Form};

fn scan(c: &mut Criterion) {
    let scanner = Scanner::default();
    let mut g = c.benchmark_group("pii");
    for (name, form, enc) in [
        ("csv_utf8", Form::Csv, encoding_rs::UTF_8),
        ("csv_cp932", Form::Csv, encoding_rs::SHIFT_JIS),
        ("text_utf8", Form::Text, encoding_rs::UTF_8),
    ] {
        let data = synth::persons_file(1, 5_000, form, enc).data;
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| scanner.scan_bytes(black_box(name), black_box(&data)))
        });
    }
    let logs = synth::decoys_text(2, 20_000).into_bytes();
    g.throughput(Throughput::Bytes(logs.len() as u64));
    g.bench_function("decoy_log", |b| {
        b.iter(|| scanner.scan_bytes(black_box("app.log"), black_box(&logs)))
    });
    g.finish();
}

criterion_group!(benches, scan);
criterion_main!(benches);
