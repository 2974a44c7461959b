//! Mergeable partial states: what one file (or one worker, or one machine) knows about each
//! pair. Every field merges associatively — counters add, first/last take min/max, timestamp
//! buffers concatenate under a cap, hour histograms add, HyperLogLogs union — so the same
//! states can be built per file in parallel here, or as `-State`/`-Merge` aggregates on a
//! distributed engine (see docs/architecture.md).

use std::collections::HashMap;
use std::net::IpAddr;

use foldhash::fast::RandomState;

use crate::policy::Policy;
use crate::read::{Conn, Dns, Named, Record};
use crate::stats::{Hll, entropy, hash64};

/// Timestamps kept per pair; beyond it only counters grow (strobes need no timestamps).
pub const TS_CAP: usize = 50_000;
const SRC_CAP: usize = 256;
const ANSWER_CAP: usize = 64;
const SAMPLE_CAP: usize = 3;

/// A hash map with a fast hasher.
pub type Map<K, V> = HashMap<K, V, RandomState>;

/// What is known about one (src, dst) or (src, name) pair.
#[derive(Clone, Debug)]
pub struct PairState {
    /// Connections (failed handshakes excluded).
    pub conns: u64,
    /// Failed handshakes (REJ/S0…), not analysed.
    pub failed: u64,
    /// Payload bytes out.
    pub bytes_out: u64,
    /// Payload bytes in.
    pub bytes_in: u64,
    /// Earliest time.
    pub first: f64,
    /// Latest time (start + duration).
    pub last: f64,
    /// Summed duration of finished connections.
    pub dur_sum: f64,
    /// Longest finished connection.
    pub dur_max: f64,
    /// Longest still-open connection (open_conn.log).
    pub open_max: f64,
    /// Bytes out / in of that open connection's latest snapshot (added by `finish`).
    pub open_bytes: (u64, u64),
    /// Start times, capped at [`TS_CAP`].
    pub ts: Vec<f64>,
    /// Originator bytes per connection, parallel to `ts`.
    pub sizes: Vec<u32>,
    /// Connections per absolute hour (hours since the epoch), derived by [`PairState::finish`].
    pub hours: Vec<(u32, u32)>,
}

impl Default for PairState {
    fn default() -> Self {
        Hot::new(0, 0).state()
    }
}

impl PairState {
    /// Adds the latest open-connection snapshot's bytes to the totals (the part of
    /// [`PairState::finish`] every pair needs; sorting and the histogram only matter to
    /// pairs whose timing is scored).
    pub fn finish_bytes(&mut self) {
        self.bytes_out = self.bytes_out.saturating_add(self.open_bytes.0);
        self.bytes_in = self.bytes_in.saturating_add(self.open_bytes.1);
        self.open_bytes = (0, 0);
    }

    /// Sorts the buffers (timestamps with their sizes) and derives the hour histogram from the
    /// timestamps (a pair past the cap is a strobe, whose histogram is not needed).
    pub fn finish(&mut self) {
        self.finish_bytes();
        if self.sizes.len() != self.ts.len() {
            self.sizes.clear();
            self.ts.sort_by(f64::total_cmp);
        } else if !self.ts.is_sorted() {
            let mut both: Vec<(f64, u32)> = self
                .ts
                .iter()
                .copied()
                .zip(self.sizes.iter().copied())
                .collect();
            both.sort_by(|a, b| a.0.total_cmp(&b.0));
            self.ts = both.iter().map(|x| x.0).collect();
            self.sizes = both.iter().map(|x| x.1).collect();
        }
        let mut out: Vec<(u32, u32)> = Vec::new();
        for &t in &self.ts {
            let h = (t / 3600.0) as u32;
            match out.last_mut() {
                Some((lh, lc)) if *lh == h => *lc += 1,
                _ => out.push((h, 1)),
            }
        }
        self.hours = out;
    }
}

/// An IPv4-mapped IPv6 address as the IPv4 address it maps (one pair either way).
fn v4(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(a) => a.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn key64(src: std::net::Ipv4Addr, dst: std::net::Ipv4Addr) -> u64 {
    (u64::from(u32::from(src)) << 32) | u64::from(u32::from(dst))
}

/// An address as 128 bits (IPv4 mapped into IPv6), a cheap hash key.
fn key128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(a.to_ipv6_mapped()),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// Shards of the pair table: 2^6. A pair's shard comes from its hash, so the workers' tables
/// split into the same disjoint shards and are merged shard by shard in parallel.
const SHARD_BITS: u32 = 6;
const SHARDS: usize = 1 << SHARD_BITS;
/// Samples per log chunk (chunks instead of one growing vector: no copying on growth and at
/// most one partly filled chunk per shard).
const CHUNK: usize = 8192;

/// The counters a conn row updates, kept together (80 bytes) so that a row touches one hash
/// bucket and nothing else scattered: timestamps go to the shard's sequential log instead of
/// a vector per pair.
#[derive(Clone, Debug)]
struct Hot {
    /// The IPv4 pair key (src << 32 | dst); unused for other pairs.
    key: u64,
    /// The pair's number within its shard (what its log samples carry).
    slot: u32,
    conns: u64,
    failed: u64,
    bytes_out: u64,
    bytes_in: u64,
    first: f64,
    last: f64,
    dur_sum: f64,
    dur_max: f64,
}

impl Hot {
    fn new(key: u64, slot: u32) -> Self {
        Hot {
            key,
            slot,
            conns: 0,
            failed: 0,
            bytes_out: 0,
            bytes_in: 0,
            first: f64::INFINITY,
            last: f64::NEG_INFINITY,
            dur_sum: 0.0,
            dur_max: 0.0,
        }
    }

    fn merge(&mut self, o: &Hot) {
        self.conns += o.conns;
        self.failed += o.failed;
        self.bytes_out = self.bytes_out.saturating_add(o.bytes_out);
        self.bytes_in = self.bytes_in.saturating_add(o.bytes_in);
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        self.dur_sum += o.dur_sum;
        self.dur_max = self.dur_max.max(o.dur_max);
    }

    fn state(&self) -> PairState {
        PairState {
            conns: self.conns,
            failed: self.failed,
            bytes_out: self.bytes_out,
            bytes_in: self.bytes_in,
            first: self.first,
            last: self.last,
            dur_sum: self.dur_sum,
            dur_max: self.dur_max,
            open_max: 0.0,
            open_bytes: (0, 0),
            ts: Vec::new(),
            sizes: Vec::new(),
            hours: Vec::new(),
        }
    }
}

/// What one row adds to a pair: a connection (conn.log), a still-open one (open_conn.log), a
/// failed handshake, or a TLS/HTTP event of a name pair (no bytes or duration).
#[derive(Clone, Copy, Debug, Default)]
struct Ev {
    ts: f64,
    duration: f64,
    orig_bytes: u64,
    resp_bytes: u64,
    failed: bool,
    open: bool,
}

/// One connection's time and originator bytes, tagged with its pair's slot.
#[derive(Clone, Copy, Debug)]
struct Sample {
    slot: u32,
    size: u32,
    ts: f64,
}

/// The latest snapshot of a pair's longest still-open connection: (duration, bytes out, in).
type Open = (f64, u64, u64);

/// One shard of one worker's pairs.
#[derive(Debug, Default)]
struct Shard {
    v4: hashbrown::HashTable<Hot>,
    other: Map<(u128, u128), Hot>,
    /// Open connections by slot (rare: only open_conn.log rows).
    open: Map<u32, Open>,
    /// Slots handed out.
    next: u32,
    /// Timestamps and sizes of finished connections, up to [`TS_CAP`] per pair.
    log: Vec<Vec<Sample>>,
}

/// A pair's key: one 64-bit integer for IPv4 pairs (nearly all), two 128-bit ones otherwise.
#[derive(Clone, Copy, Debug)]
enum PairKey {
    V4(u64),
    Other(u128, u128),
}

impl PairKey {
    fn new(src: IpAddr, dst: IpAddr) -> Self {
        match (v4(src), v4(dst)) {
            (IpAddr::V4(a), IpAddr::V4(b)) => PairKey::V4(key64(a, b)),
            _ => PairKey::Other(key128(src), key128(dst)),
        }
    }

    fn hash(self) -> u64 {
        use std::hash::BuildHasher;
        static STATE: std::sync::OnceLock<RandomState> = std::sync::OnceLock::new();
        let s = STATE.get_or_init(RandomState::default);
        match self {
            PairKey::V4(k) => s.hash_one(k),
            PairKey::Other(a, b) => s.hash_one((a, b)),
        }
    }
}

fn hash_v4(h: &Hot) -> u64 {
    PairKey::V4(h.key).hash()
}

fn ip_of(k: u128) -> IpAddr {
    let a = std::net::Ipv6Addr::from(k);
    a.to_ipv4_mapped().map_or(IpAddr::V6(a), IpAddr::V4)
}

impl Shard {
    /// The hot counters of a pair, created when new. `hash` is the key's [`PairKey::hash`],
    /// which the IPv4 table needs (it stores no hasher); the map of other pairs hashes its
    /// own keys and ignores it.
    fn hot(&mut self, key: PairKey, hash: u64) -> &mut Hot {
        let next = self.next;
        let (h, new) = match key {
            PairKey::V4(k) => {
                let e = self.v4.entry(hash, |h| h.key == k, hash_v4);
                let new = matches!(e, hashbrown::hash_table::Entry::Vacant(_));
                (e.or_insert_with(|| Hot::new(k, next)).into_mut(), new)
            }
            PairKey::Other(a, b) => {
                let mut new = false;
                let h = self.other.entry((a, b)).or_insert_with(|| {
                    new = true;
                    Hot::new(0, next)
                });
                (h, new)
            }
        };
        if new {
            self.next += 1;
        }
        h
    }

    fn add(&mut self, key: PairKey, hash: u64, c: &Ev) {
        let h = self.hot(key, hash);
        if c.failed {
            h.failed += 1;
            h.first = h.first.min(c.ts);
            h.last = h.last.max(c.ts);
            return;
        }
        if c.open {
            // open_conn.log repeats a session with a growing duration: keep the longest and
            // count it once toward the bytes (its latest snapshot).
            let slot = h.slot;
            if c.duration > self.open.get(&slot).map_or(0.0, |o| o.0) {
                let h = self.hot(key, hash);
                h.first = h.first.min(c.ts);
                h.last = h.last.max(c.ts + c.duration);
                self.open
                    .insert(slot, (c.duration, c.orig_bytes, c.resp_bytes));
            }
            return;
        }
        h.conns += 1;
        h.bytes_out = h.bytes_out.saturating_add(c.orig_bytes);
        h.bytes_in = h.bytes_in.saturating_add(c.resp_bytes);
        h.first = h.first.min(c.ts);
        h.last = h.last.max(c.ts + c.duration);
        h.dur_sum += c.duration;
        h.dur_max = h.dur_max.max(c.duration);
        if h.conns <= TS_CAP as u64 {
            let s = Sample {
                slot: h.slot,
                size: c.orig_bytes.min(u64::from(u32::MAX)) as u32,
                ts: c.ts,
            };
            match self.log.last_mut() {
                Some(v) if v.len() < CHUNK => v.push(s),
                _ => {
                    let mut v = Vec::with_capacity(CHUNK);
                    v.push(s);
                    self.log.push(v);
                }
            }
        }
    }

    /// Folds another worker's shard into this one; returns its slot → this shard's slot.
    fn absorb(&mut self, o: &mut Shard) -> Vec<u32> {
        let mut remap = vec![0u32; o.next as usize];
        for h in o.v4.drain() {
            let hash = hash_v4(&h);
            let t = self.hot(PairKey::V4(h.key), hash);
            t.merge(&h);
            remap[h.slot as usize] = t.slot;
        }
        for ((a, b), h) in o.other.drain() {
            let t = self.hot(PairKey::Other(a, b), 0); // hash unused for these
            t.merge(&h);
            remap[h.slot as usize] = t.slot;
        }
        for (slot, x) in o.open.drain() {
            let s = remap[slot as usize];
            let e = self.open.entry(s).or_insert(x);
            if x.0 > e.0 {
                *e = x;
            }
        }
        remap
    }

    /// Merges the same shard of every worker and finishes its pairs: pairs with at least
    /// `timed` connections get their sorted timestamps, sizes and hour histogram.
    fn finish(mut parts: Vec<Shard>, timed: u64) -> Vec<((IpAddr, IpAddr), PairState)> {
        let Some(mut base) = parts.pop() else {
            return Vec::new();
        };
        let mut logs = vec![(None, std::mem::take(&mut base.log))];
        for mut p in parts {
            let remap = base.absorb(&mut p);
            logs.push((Some(remap), p.log));
        }
        let none = (IpAddr::V4(0.into()), IpAddr::V4(0.into()));
        let mut out = vec![(none, PairState::default()); base.next as usize];
        for h in base.v4.iter() {
            let (a, b) = ((h.key >> 32) as u32, h.key as u32);
            out[h.slot as usize] = ((IpAddr::V4(a.into()), IpAddr::V4(b.into())), h.state());
        }
        for (&(a, b), h) in &base.other {
            out[h.slot as usize] = ((ip_of(a), ip_of(b)), h.state());
        }
        for (&slot, &(d, o, i)) in &base.open {
            let st = &mut out[slot as usize].1;
            st.open_max = d;
            st.open_bytes = (o, i);
        }
        drop(base);
        let slot = |remap: &Option<Vec<u32>>, s: u32| match remap {
            Some(r) => r[s as usize] as usize,
            None => s as usize,
        };
        let mut counts = vec![0u32; out.len()];
        for (remap, chunks) in &logs {
            for s in chunks.iter().flatten() {
                let i = slot(remap, s.slot);
                if out[i].1.conns >= timed {
                    counts[i] += 1;
                }
            }
        }
        for (i, (_, st)) in out.iter_mut().enumerate() {
            let n = (counts[i] as usize).min(TS_CAP);
            if n > 0 {
                st.ts.reserve_exact(n);
                st.sizes.reserve_exact(n);
            }
        }
        for (remap, chunks) in logs {
            for s in chunks.into_iter().flatten() {
                let st = &mut out[slot(&remap, s.slot)].1;
                if st.conns >= timed && st.ts.len() < TS_CAP {
                    st.ts.push(s.ts);
                    st.sizes.push(s.size);
                }
            }
        }
        for (_, st) in &mut out {
            if st.conns >= timed {
                st.finish();
            } else {
                st.finish_bytes();
            }
        }
        out
    }
}

/// The (src, dst) pair table. While reading, each worker's table is [`SHARDS`] shards of hot
/// counters plus sequential timestamp logs; merging tables only collects them, and
/// [`PairTable::finish_all`] merges shard by shard in parallel into finished [`PairState`]s.
#[derive(Debug, Default)]
pub struct PairTable {
    /// Per worker, its shards.
    parts: Vec<Vec<Shard>>,
    /// Finished pairs, per shard.
    done: Vec<Vec<((IpAddr, IpAddr), PairState)>>,
    /// Rows not yet applied (see [`PairTable::flush`]).
    pending: Vec<(PairKey, Ev)>,
}

/// Rows applied to the table at a time.
const BATCH: usize = 256;

impl PairTable {
    /// Adds a connection to its pair (an external destination; the caller filters).
    pub fn add(&mut self, c: &Conn) {
        let ev = Ev {
            ts: c.ts,
            duration: c.duration,
            orig_bytes: c.orig_bytes,
            resp_bytes: c.resp_bytes,
            failed: c.failed,
            open: c.open,
        };
        self.add_key(PairKey::new(c.src, c.dst), &ev);
    }

    fn add_key(&mut self, key: PairKey, ev: &Ev) {
        self.pending.push((key, *ev));
        if self.pending.len() >= BATCH {
            self.flush();
        }
    }

    /// Applies the pending rows. A pair's lookup nearly always misses the cache (the tables
    /// outgrow it); applied in a tight loop of independent lookups, the misses overlap instead
    /// of each waiting behind the parsing of a row.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        if self.parts.is_empty() {
            self.parts
                .push((0..SHARDS).map(|_| Shard::default()).collect());
        }
        let mut hashes = [0u64; BATCH];
        for (h, (k, _)) in hashes.iter_mut().zip(&self.pending) {
            *h = k.hash();
        }
        let shards = &mut self.parts[0];
        for (i, (key, ev)) in self.pending.drain(..).enumerate() {
            let hash = hashes.get(i).copied().unwrap_or_else(|| key.hash());
            shards[(hash >> (64 - SHARD_BITS)) as usize].add(key, hash, &ev);
        }
    }

    /// Pairs (finished tables; before [`PairTable::finish_all`], an upper bound).
    pub fn len(&self) -> usize {
        if self.done.is_empty() {
            self.parts.iter().flatten().map(|s| s.next as usize).sum()
        } else {
            self.done.iter().map(Vec::len).sum()
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every finished pair and its state.
    pub fn iter(&self) -> impl Iterator<Item = (&(IpAddr, IpAddr), &PairState)> {
        self.done.iter().flatten().map(|(k, v)| (k, v))
    }

    /// Merges every worker's shards (in parallel, shard by shard) into finished states:
    /// [`PairState::finish`] for pairs with at least `timed` connections (their timing is
    /// scored), [`PairState::finish_bytes`] for the rest.
    pub fn finish_all(&mut self, timed: u64) {
        use rayon::prelude::*;
        self.flush();
        let mut parts = std::mem::take(&mut self.parts);
        let by_shard: Vec<Vec<Shard>> = (0..SHARDS)
            .map(|i| {
                parts
                    .iter_mut()
                    .filter_map(|w| w.get_mut(i).map(std::mem::take))
                    .collect()
            })
            .collect();
        drop(parts);
        let done: Vec<_> = by_shard
            .into_par_iter()
            .map(|p| Shard::finish(p, timed))
            .collect();
        self.done.extend(done);
    }

    /// Every pair.
    pub fn keys(&self) -> impl Iterator<Item = &(IpAddr, IpAddr)> {
        self.iter().map(|(k, _)| k)
    }

    /// Merges another worker's table into this one (cheap: the shards are merged by
    /// [`PairTable::finish_all`]).
    pub fn merge(&mut self, mut o: PairTable) {
        self.flush();
        o.flush();
        self.parts.extend(o.parts);
        self.done.extend(o.done);
    }
}

/// The (src, TLS SNI / HTTP Host name) pairs: the same sharded table as the IP pairs, keyed by
/// the source and a 64-bit hash of the name (with the log it came from), and the names once
/// each. A name pair's state has times only (no bytes or durations).
#[derive(Debug, Default)]
pub struct NameTable {
    pairs: PairTable,
    names: Map<u64, Box<str>>,
}

fn name_key(src: IpAddr, hash: u64, via: Via) -> PairKey {
    PairKey::Other(
        key128(src),
        (u128::from(hash) << 1) | u128::from(via == Via::Host),
    )
}

impl NameTable {
    fn add(&mut self, src: IpAddr, name: &str, via: Via, ts: f64) {
        let h = hash64(name.as_bytes());
        let ev = Ev {
            ts,
            ..Ev::default()
        };
        self.pairs.add_key(name_key(src, h, via), &ev);
        self.names.entry(h).or_insert_with(|| name.into());
    }

    /// Merges another worker's names (cheap until [`NameTable::finish_all`]).
    pub fn merge(&mut self, o: NameTable) {
        self.pairs.merge(o.pairs);
        for (h, n) in o.names {
            self.names.entry(h).or_insert(n);
        }
    }

    /// Finishes every pair (see [`PairTable::finish_all`]).
    pub fn finish_all(&mut self, timed: u64) {
        self.pairs.finish_all(timed);
    }

    /// Every finished (src, name, via) and its state.
    pub fn iter(&self) -> impl Iterator<Item = (IpAddr, &str, Via, &PairState)> {
        self.pairs.iter().filter_map(|(&(src, k), st)| {
            let k = key128(k);
            let via = if k & 1 == 1 { Via::Host } else { Via::Sni };
            let name = self.names.get(&((k >> 1) as u64))?;
            Some((src, name.as_ref(), via, st))
        })
    }

    /// Pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}

/// What is known about one registered domain in DNS.
#[derive(Clone, Debug, Default)]
pub struct DnsState {
    /// Queries.
    pub queries: u64,
    /// Distinct query names.
    pub names: Hll,
    /// Querying hosts (capped).
    pub srcs: Vec<IpAddr>,
    /// Queries summed below (the denominator of the means).
    pub uniq_added: u64,
    /// Sum of the entropy of the subdomain part.
    pub entropy_sum: f64,
    /// Sum of query-name lengths.
    pub len_sum: u64,
    /// Longest query name.
    pub len_max: u64,
    /// Addresses it resolved to (capped).
    pub answers: Vec<IpAddr>,
    /// First query.
    pub first: f64,
    /// Last query.
    pub last: f64,
    /// A few example names (longest first).
    pub samples: Vec<String>,
}

impl DnsState {
    fn merge(&mut self, o: DnsState) {
        if self.queries == 0 {
            self.first = o.first;
            self.last = o.last;
        }
        self.queries += o.queries;
        self.names.merge(&o.names);
        for s in o.srcs {
            push_capped(&mut self.srcs, s, SRC_CAP);
        }
        self.uniq_added += o.uniq_added;
        self.entropy_sum += o.entropy_sum;
        self.len_sum += o.len_sum;
        self.len_max = self.len_max.max(o.len_max);
        for a in o.answers {
            push_capped(&mut self.answers, a, ANSWER_CAP);
        }
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        for s in o.samples {
            self.sample(s);
        }
    }

    fn sample(&mut self, s: String) {
        if self.samples.contains(&s) {
            return;
        }
        self.samples.push(s);
        self.samples
            .sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        self.samples.truncate(SAMPLE_CAP);
    }
}

fn push_capped<T: PartialEq>(v: &mut Vec<T>, x: T, cap: usize) {
    if v.len() < cap && !v.contains(&x) {
        v.push(x);
    }
}

/// A threat-intel match on a name (DNS, SNI, Host).
#[derive(Clone, Debug)]
pub struct IntelHit {
    /// Matches.
    pub count: u64,
    /// First.
    pub first: f64,
    /// Last.
    pub last: f64,
    /// Which log saw it.
    pub via: &'static str,
}

/// Whether a name pair came from TLS SNI or an HTTP Host header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Via {
    /// ssl.log server_name.
    Sni,
    /// http.log host.
    Host,
}

/// Everything one worker learnt; merge workers with [`Partial::merge`].
#[derive(Debug, Default)]
pub struct Partial {
    /// IP pairs whose destination is external.
    pub pairs: PairTable,
    /// (src, name, via) pairs from SNI and Host.
    pub names: NameTable,
    /// Registered domain → DNS state.
    pub dns: Map<String, DnsState>,
    /// (src, intel indicator) → hit.
    pub intel: Map<(IpAddr, String), IntelHit>,
    /// Earliest record.
    pub first: f64,
    /// Latest record.
    pub last: f64,
}

/// Time filter.
#[derive(Clone, Copy, Debug, Default)]
pub struct Window {
    /// Keep records at or after.
    pub since: Option<f64>,
    /// Keep records before.
    pub until: Option<f64>,
}

impl Partial {
    /// An empty state.
    pub fn new() -> Self {
        Partial {
            first: f64::INFINITY,
            last: f64::NEG_INFINITY,
            ..Partial::default()
        }
    }

    /// Adds one record.
    pub fn add(&mut self, r: Record, p: &Policy, w: Window) {
        let ts = r.ts();
        if w.since.is_some_and(|s| ts < s) || w.until.is_some_and(|u| ts >= u) {
            return;
        }
        self.first = self.first.min(ts);
        self.last = self.last.max(ts);
        match r {
            Record::Conn(c) => self.conn(c, p),
            Record::Dns(d) => self.dns(d, p),
            Record::Sni(n) => self.named(n, Via::Sni, p),
            Record::Host(n) => self.named(n, Via::Host, p),
        }
    }

    fn conn(&mut self, c: Conn, p: &Policy) {
        if !p.is_external(c.dst) || c.src == c.dst {
            return;
        }
        self.pairs.add(&c);
    }

    fn dns(&mut self, d: Dns, p: &Policy) {
        if d.query.is_empty() {
            return;
        }
        if let Some(ind) = p.intel_name(&d.query) {
            self.intel_hit(d.src, ind.to_string(), d.ts, "dns");
        }
        let Some(reg) = registered_domain(&d.query) else {
            return;
        };
        // Looked up by &str first: a key is allocated only for a new domain.
        if !self.dns.contains_key(reg) {
            let st = DnsState {
                first: d.ts,
                last: d.ts,
                ..DnsState::default()
            };
            self.dns.insert(reg.to_string(), st);
        }
        let Some(st) = self.dns.get_mut(reg) else {
            return;
        };
        st.queries += 1;
        st.first = st.first.min(d.ts);
        st.last = st.last.max(d.ts);
        push_capped(&mut st.srcs, d.src, SRC_CAP);
        for a in d.answers {
            push_capped(&mut st.answers, a, ANSWER_CAP);
        }
        let sub = d
            .query
            .len()
            .checked_sub(reg.len() + 1)
            .and_then(|n| d.query.get(..n))
            .unwrap_or("");
        st.names.add(hash64(d.query.as_bytes()));
        // Sums over every query (not only new names) so that the result does not depend on
        // the order in which workers saw the queries.
        st.uniq_added += 1;
        st.entropy_sum += entropy(sub.replace('.', "").as_bytes());
        st.len_sum += d.query.len() as u64;
        st.len_max = st.len_max.max(d.query.len() as u64);
        let better =
            |s: &String| s.len() < d.query.len() || (s.len() == d.query.len() && **s > *d.query);
        if st.samples.len() < SAMPLE_CAP || st.samples.last().is_some_and(better) {
            st.sample(d.query.to_string());
        }
    }

    fn named(&mut self, n: Named, via: Via, p: &Policy) {
        if let Some(ind) = p.intel_name(&n.name) {
            let v = if via == Via::Sni { "ssl" } else { "http" };
            self.intel_hit(n.src, ind.to_string(), n.ts, v);
        }
        if n.name.parse::<IpAddr>().is_ok() {
            return;
        }
        self.names.add(n.src, &n.name, via, n.ts);
    }

    fn intel_hit(&mut self, src: IpAddr, ind: String, ts: f64, via: &'static str) {
        let h = self.intel.entry((src, ind)).or_insert(IntelHit {
            count: 0,
            first: ts,
            last: ts,
            via,
        });
        h.count += 1;
        h.first = h.first.min(ts);
        h.last = h.last.max(ts);
    }

    /// Merges another worker's state into this one.
    pub fn merge(&mut self, o: Partial) {
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        self.pairs.merge(o.pairs);
        self.names.merge(o.names);
        merge_map(&mut self.dns, o.dns, DnsState::merge);
        merge_map(&mut self.intel, o.intel, |a, b| {
            a.count += b.count;
            a.first = a.first.min(b.first);
            a.last = a.last.max(b.last);
        });
    }
}

fn merge_map<K: std::hash::Hash + Eq, V>(
    a: &mut Map<K, V>,
    mut b: Map<K, V>,
    f: impl Fn(&mut V, V),
) {
    if a.len() < b.len() {
        std::mem::swap(a, &mut b);
    }
    for (k, v) in b {
        match a.get_mut(&k) {
            Some(x) => f(x, v),
            None => {
                a.insert(k, v);
            }
        }
    }
}

/// The registered domain (public suffix + one label) of a name, via the public suffix list.
pub fn registered_domain(name: &str) -> Option<&str> {
    let d = psl::domain(name.as_bytes())?;
    if !d.suffix().is_known() && !name.contains('.') {
        return None;
    }
    std::str::from_utf8(d.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_domains() {
        assert_eq!(
            registered_domain("a.b.example.co.uk"),
            Some("example.co.uk")
        );
        assert_eq!(
            registered_domain("x.y.update-check.example"),
            Some("update-check.example")
        );
        assert_eq!(registered_domain("localhost"), None);
    }

    fn conn(ts: f64, dst: &str, out: u64) -> Conn {
        Conn {
            ts,
            src: "10.0.0.1".parse().unwrap(),
            dst: dst.parse().unwrap(),
            dport: 443,
            duration: 1.0,
            orig_bytes: out,
            resp_bytes: 2 * out,
            failed: false,
            open: false,
        }
    }

    fn finished(mut t: PairTable) -> Vec<((IpAddr, IpAddr), PairState)> {
        t.finish_all(1);
        let mut v: Vec<_> = t.iter().map(|(k, st)| (*k, st.clone())).collect();
        v.sort_by_key(|(k, _)| *k);
        v
    }

    #[test]
    fn merge_is_order_independent() {
        let rows = [
            conn(10.0, "203.0.113.5", 5),
            conn(7200.0, "203.0.113.5", 7),
            conn(5.0, "203.0.113.5", 1),
            conn(6.0, "2001:db8::1", 3),
            conn(8.0, "::ffff:198.51.100.7", 4),
        ];
        let mut failed = conn(1.0, "203.0.113.5", 0);
        failed.failed = true;
        let mut open = conn(2.0, "198.51.100.7", 9);
        open.open = true;
        open.duration = 50_000.0;
        // One table with everything, and two "workers" that saw the rows split and in
        // another order.
        let mut one = PairTable::default();
        for r in rows.iter().chain([&failed, &open]) {
            one.add(r);
        }
        let (mut a, mut b) = (PairTable::default(), PairTable::default());
        for (i, r) in rows.iter().rev().chain([&open, &failed]).enumerate() {
            if i % 2 == 0 { a.add(r) } else { b.add(r) }
        }
        b.merge(a);
        let (x, y) = (finished(one), finished(b));
        assert_eq!(x.len(), 3, "an IPv4-mapped address is its IPv4 pair");
        for ((kx, sx), (ky, sy)) in x.iter().zip(&y) {
            assert_eq!(kx, ky);
            assert_eq!(
                (&sx.ts, &sx.sizes, &sx.hours),
                (&sy.ts, &sy.sizes, &sy.hours)
            );
            assert_eq!(
                (
                    sx.conns,
                    sx.failed,
                    sx.bytes_out,
                    sx.bytes_in,
                    sx.first,
                    sx.last,
                    sx.open_max
                ),
                (
                    sy.conns,
                    sy.failed,
                    sy.bytes_out,
                    sy.bytes_in,
                    sy.first,
                    sy.last,
                    sy.open_max
                )
            );
        }
        let (_, st) = x
            .iter()
            .find(|(k, _)| k.1 == "203.0.113.5".parse::<IpAddr>().unwrap())
            .unwrap();
        assert_eq!(st.ts, vec![5.0, 10.0, 7200.0]);
        assert_eq!(st.sizes, vec![1, 5, 7]);
        assert_eq!(st.hours, vec![(0, 2), (2, 1)]);
        assert_eq!(
            (st.conns, st.failed, st.bytes_out, st.first, st.last),
            (3, 1, 13, 1.0, 7201.0)
        );
        let (_, st) = x
            .iter()
            .find(|(k, _)| k.1 == "198.51.100.7".parse::<IpAddr>().unwrap())
            .unwrap();
        assert_eq!(
            (st.conns, st.open_max, st.bytes_out, st.bytes_in),
            (1, 50_000.0, 13, 26)
        );
    }
}
