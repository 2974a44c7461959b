//! Micro-benchmarks of core: scoring findings and masking values.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use kizuki_core::mask::mask;
use kizuki_core::{Category, Finding, Scoring, Severity};

fn scoring(c: &mut Criterion) {
    let findings: Vec<Finding> = (0..64)
        .map(|i| Finding::new(format!("rule.r{}", i % 16), Severity::ALL[i % 5], "detail"))
        .collect();
    let s = Scoring::default();
    c.bench_function("assess_64_findings", |b| {
        b.iter(|| s.assess(black_box(&findings)))
    });
}

fn masking(c: &mut Criterion) {
    c.bench_function("mask_email", |b| {
        b.iter(|| mask(Category::Email, black_box("yamada.taro@example.co.jp")))
    });
    c.bench_function("mask_phone", |b| {
        b.iter(|| mask(Category::Phone, black_box("090-1234-5678")))
    });
}

criterion_group!(benches, scoring, masking);
criterion_main!(benches);
