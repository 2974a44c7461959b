//! Micro-benchmark of the mail analyser on the generated mixed corpus (one in five an attack),
//! offline DNS verification on. Reports messages per second on one core.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kizuki_core::Config;
use kizuki_mail::{Analyzer, DnsMode, DnsRecords, Options, synth};

fn analyzer(dns: bool) -> Analyzer {
    let cfg = Config::parse(synth::CONFIG, std::path::Path::new("kizuki.toml")).expect("config");
    let mut opts = Options::from_config(&cfg);
    if dns {
        let r = DnsRecords::parse(&synth::dns_records()).expect("records");
        opts.dns = DnsMode::Records(Arc::new(r));
    }
    Analyzer::new(opts).expect("analyzer")
}

fn mail(c: &mut Criterion) {
    let msgs = synth::mixed(200, 0x0062_656e_6368);
    let mut g = c.benchmark_group("mail");
    g.throughput(Throughput::Elements(msgs.len() as u64));
    for (name, dns) in [("mixed_200_no_dns", false), ("mixed_200_offline_dns", true)] {
        let an = analyzer(dns);
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut s = an.session();
                for (i, m) in msgs.iter().enumerate() {
                    black_box(s.scan(&i.to_string(), m));
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, mail);
criterion_main!(benches);
