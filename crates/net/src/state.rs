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
        PairState {
            conns: 0,
            failed: 0,
            bytes_out: 0,
            bytes_in: 0,
            first: f64::INFINITY,
            last: f64::NEG_INFINITY,
            dur_sum: 0.0,
            dur_max: 0.0,
            open_max: 0.0,
            open_bytes: (0, 0),
            ts: Vec::new(),
            sizes: Vec::new(),
            hours: Vec::new(),
        }
    }
}

impl PairState {
    fn add(&mut self, ts: f64, dur: f64, out: u64, inb: u64) {
        self.conns += 1;
        self.bytes_out = self.bytes_out.saturating_add(out);
        self.bytes_in = self.bytes_in.saturating_add(inb);
        self.first = self.first.min(ts);
        self.last = self.last.max(ts + dur);
        if self.ts.len() < TS_CAP {
            self.ts.push(ts);
            self.sizes.push(out.min(u64::from(u32::MAX)) as u32);
        }
    }

    /// Merges another partial state of the same pair.
    pub fn merge(&mut self, o: PairState) {
        self.conns += o.conns;
        self.failed += o.failed;
        self.bytes_out = self.bytes_out.saturating_add(o.bytes_out);
        self.bytes_in = self.bytes_in.saturating_add(o.bytes_in);
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        self.dur_sum += o.dur_sum;
        self.dur_max = self.dur_max.max(o.dur_max);
        if o.open_max > self.open_max {
            self.open_max = o.open_max;
            self.open_bytes = o.open_bytes;
        }
        let room = TS_CAP.saturating_sub(self.ts.len());
        self.ts.extend(o.ts.iter().take(room));
        let room = TS_CAP.saturating_sub(self.sizes.len());
        self.sizes.extend(o.sizes.iter().take(room));
    }

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

/// The (src, dst) pair table: a small hash index (pair → slot) into a vector of states, so
/// growing the table moves small index entries, not whole states. IPv4 pairs (nearly all)
/// are keyed by one 64-bit integer: 16-byte index entries keep more of the index in cache
/// than two 128-bit keys did (the lookup is memory-bound).
#[derive(Debug, Default)]
pub struct PairTable {
    v4: Map<u64, u32>,
    other: Map<(u128, u128), u32>,
    states: Vec<((IpAddr, IpAddr), PairState)>,
}

impl PairTable {
    fn slot(&self, src: IpAddr, dst: IpAddr) -> Option<u32> {
        match (v4(src), v4(dst)) {
            (IpAddr::V4(a), IpAddr::V4(b)) => self.v4.get(&key64(a, b)).copied(),
            _ => self.other.get(&(key128(src), key128(dst))).copied(),
        }
    }

    /// The state of a pair, created empty when new.
    pub fn entry(&mut self, src: IpAddr, dst: IpAddr) -> &mut PairState {
        let n = self.states.len();
        let i = match (v4(src), v4(dst)) {
            (IpAddr::V4(a), IpAddr::V4(b)) => *self.v4.entry(key64(a, b)).or_insert(n as u32),
            _ => *self
                .other
                .entry((key128(src), key128(dst)))
                .or_insert(n as u32),
        } as usize;
        if i == n {
            self.states.push(((src, dst), PairState::default()));
        }
        &mut self.states[i].1
    }

    /// The state of a pair.
    pub fn get(&self, src: IpAddr, dst: IpAddr) -> Option<&PairState> {
        let i = self.slot(src, dst)?;
        self.states.get(i as usize).map(|x| &x.1)
    }

    /// Pairs.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Every pair and its state.
    pub fn iter(&self) -> impl Iterator<Item = (&(IpAddr, IpAddr), &PairState)> {
        self.states.iter().map(|(k, v)| (k, v))
    }

    /// Finishes every state in parallel: [`PairState::finish`] for pairs with at least
    /// `timed` connections (their timing is scored), [`PairState::finish_bytes`] for the rest.
    pub fn finish_all(&mut self, timed: u64) {
        use rayon::prelude::*;
        self.states.par_iter_mut().for_each(|(_, st)| {
            if st.conns >= timed {
                st.finish();
            } else {
                st.finish_bytes();
            }
        });
    }

    /// Every state, mutable.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut PairState> {
        self.states.iter_mut().map(|(_, v)| v)
    }

    /// Every pair.
    pub fn keys(&self) -> impl Iterator<Item = &(IpAddr, IpAddr)> {
        self.states.iter().map(|(k, _)| k)
    }

    /// Merges another table into this one.
    pub fn merge(&mut self, mut o: PairTable) {
        if self.len() < o.len() {
            std::mem::swap(self, &mut o);
        }
        for ((src, dst), st) in o.states {
            self.entry(src, dst).merge(st);
        }
    }
}

/// The lean state of a (src, TLS SNI / HTTP Host) pair: only times are known.
#[derive(Clone, Debug)]
pub struct NameState {
    /// The name.
    pub name: Box<str>,
    /// Events.
    pub conns: u64,
    /// Earliest.
    pub first: f64,
    /// Latest.
    pub last: f64,
    /// Times, capped at [`TS_CAP`].
    pub ts: Vec<f64>,
}

impl NameState {
    fn new(name: &str) -> Self {
        NameState {
            name: name.into(),
            conns: 0,
            first: f64::INFINITY,
            last: f64::NEG_INFINITY,
            ts: Vec::new(),
        }
    }

    fn add(&mut self, ts: f64) {
        self.conns += 1;
        self.first = self.first.min(ts);
        self.last = self.last.max(ts);
        if self.ts.len() < TS_CAP {
            self.ts.push(ts);
        }
    }

    fn merge(&mut self, o: NameState) {
        self.conns += o.conns;
        self.first = self.first.min(o.first);
        self.last = self.last.max(o.last);
        let room = TS_CAP.saturating_sub(self.ts.len());
        self.ts.extend(o.ts.iter().take(room));
    }

    /// The equivalent finished [`PairState`] (no bytes), for scoring.
    pub fn to_pair(&self) -> PairState {
        let mut p = PairState {
            conns: self.conns,
            first: self.first,
            last: self.last,
            ts: self.ts.clone(),
            ..PairState::default()
        };
        p.finish();
        p
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
    /// (src, 64-bit hash of the name, via) → state: pairs from SNI and Host.
    pub names: Map<(IpAddr, u64, Via), NameState>,
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
        let st = self.pairs.entry(c.src, c.dst);
        if c.failed {
            st.failed += 1;
            st.first = st.first.min(c.ts);
            st.last = st.last.max(c.ts);
            return;
        }
        if c.open {
            // open_conn.log repeats a session with a growing duration: keep the longest and
            // count it once toward the bytes (its latest snapshot).
            if c.duration > st.open_max {
                st.open_max = c.duration;
                st.first = st.first.min(c.ts);
                st.last = st.last.max(c.ts + c.duration);
                st.open_bytes = (c.orig_bytes, c.resp_bytes);
            }
            return;
        }
        st.dur_sum += c.duration;
        st.dur_max = st.dur_max.max(c.duration);
        st.add(c.ts, c.duration, c.orig_bytes, c.resp_bytes);
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
        let st = self.dns.entry(reg.to_string()).or_insert_with(|| DnsState {
            first: d.ts,
            last: d.ts,
            ..DnsState::default()
        });
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
        // Keyed by a 64-bit hash of the name: no allocation per row; the name is stored once.
        let e = self
            .names
            .entry((n.src, hash64(n.name.as_bytes()), via))
            .or_insert_with(|| NameState::new(&n.name));
        e.add(n.ts);
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
        merge_map(&mut self.names, o.names, NameState::merge);
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

    #[test]
    fn merge_is_order_independent() {
        let mut a = PairState::default();
        let mut b = PairState::default();
        a.add(10.0, 1.0, 5, 6);
        b.add(3600.0 * 2.0, 1.0, 7, 8);
        a.add(5.0, 0.0, 1, 1);
        let mut x = a.clone();
        x.merge(b.clone());
        x.finish();
        let mut y = b;
        y.merge(a);
        y.finish();
        assert_eq!(x.ts, y.ts);
        assert_eq!(x.sizes, y.sizes);
        assert_eq!(x.hours, y.hours);
        assert_eq!(
            (x.conns, x.bytes_out, x.first, x.last),
            (y.conns, y.bytes_out, y.first, y.last)
        );
        assert_eq!(x.hours, vec![(0, 2), (2, 1)]);
    }
}
