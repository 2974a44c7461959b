//! Micro-benchmarks of the Zeek readers: conn.log TSV and JSON lines, plain and gzip.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kizuki_net::read::{Format, read_bytes};
use kizuki_net::synth::{self, Layout, Plan};

fn conn_log(format: Format, gzip: bool) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut plan = Plan::office(3);
    plan.hours = 12;
    plan.hosts = 100;
    let layout = Layout {
        format,
        gzip,
        rotate: false,
    };
    let (files, _) = synth::write(&plan, dir.path(), layout).expect("generate");
    let conn = files
        .iter()
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("conn."))
        })
        .expect("conn log");
    std::fs::read(conn).expect("read")
}

fn readers(c: &mut Criterion) {
    let mut g = c.benchmark_group("zeek_conn");
    for (name, format, gzip) in [
        ("tsv", Format::Tsv, false),
        ("tsv_gz", Format::Tsv, true),
        ("json", Format::Json, false),
    ] {
        let data = conn_log(format, gzip);
        let mut rows = 0u64;
        read_bytes(&data, &Default::default(), &mut |_| rows += 1);
        g.throughput(Throughput::Elements(rows));
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut n = 0u64;
                read_bytes(black_box(&data), &Default::default(), &mut |_| n += 1);
                n
            })
        });
    }
    g.finish();
}

criterion_group!(benches, readers);
criterion_main!(benches);
