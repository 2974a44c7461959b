//! Micro-benchmarks of kizuki-files: the analyser over a mixed corpus, and the PDF byte scan.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kizuki_files::{Analyzer, Options, pdf, synth};

fn analyze_mixed(c: &mut Criterion) {
    let corpus = synth::bench_corpus(42, 60);
    let bytes: usize = corpus.iter().map(|(_, d)| d.len()).sum();
    let a = Analyzer::new(Options::default()).expect("analyzer");
    let mut g = c.benchmark_group("files");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("analyze_mixed_60", |b| {
        b.iter(|| {
            for (name, data) in &corpus {
                black_box(a.analyze_bytes(name, data, &[]));
            }
        })
    });
    let pdfs: Vec<_> = corpus.iter().filter(|(n, _)| n.ends_with(".pdf")).collect();
    let pbytes: usize = pdfs.iter().map(|(_, d)| d.len()).sum();
    g.throughput(Throughput::Bytes(pbytes as u64));
    g.bench_function("pdfid_scan", |b| {
        b.iter(|| {
            for (_, data) in &pdfs {
                black_box(pdf::pdfid(data));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, analyze_mixed);
criterion_main!(benches);
