//! The analyses: merged partial states in, ranked findings out.

use std::net::IpAddr;

use rayon::prelude::*;
use serde_json::{Map, Value, json};

use crate::finding::{Kind, NetFinding};
use crate::policy::Policy;
use crate::state::{Map as HMap, PairState, Partial, Via};
use crate::stats::{quantile, regularity, rfc3339, sorted};

/// Thresholds of the analyses: the `[net.thresholds]` section itself (defaults follow RITA
/// where it has one), so the configuration and the analyses share one definition.
pub type Thresholds = kizuki_core::config::NetThresholds;

/// Factor applied to allow-listed destinations.
const ALLOW_FACTOR: f64 = 0.3;

fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

struct Ctx<'a> {
    p: &'a Policy,
    t: &'a Thresholds,
    first: f64,
    last: f64,
    total_sources: usize,
    /// dst → (distinct internal sources, first seen)
    dst_info: HMap<IpAddr, (u32, f64)>,
    /// name → (distinct sources, first seen)
    name_info: HMap<&'a str, (u32, f64)>,
    /// address → a name it was resolved from
    resolved: HMap<IpAddr, String>,
    connected: HMap<IpAddr, ()>,
}

impl Ctx<'_> {
    /// Prevalence and first-seen modifiers; returns (factor, evidence).
    /// The factor of [`Ctx::modifiers`] without its evidence.
    fn modifier_factor(&self, srcs: u32, first_seen: f64) -> f64 {
        let mut scratch = None;
        self.modifiers_into(srcs, first_seen, &mut scratch)
    }

    fn modifiers(&self, srcs: u32, first_seen: f64, ev: &mut Map<String, Value>) -> f64 {
        self.modifiers_into(srcs, first_seen, &mut Some(ev))
    }

    fn modifiers_into(
        &self,
        srcs: u32,
        first_seen: f64,
        ev: &mut Option<&mut Map<String, Value>>,
    ) -> f64 {
        // Share of the *other* internal hosts that talk to it too: 0 for a lone host. Below ten
        // other hosts a share says little, so the denominator is at least ten.
        let others = self.total_sources.saturating_sub(1).max(10) as f64;
        let prevalence = (f64::from(srcs.saturating_sub(1)) / others).min(1.0);
        let mut f = 1.0 - 0.75 * prevalence;
        if let Some(ev) = ev.as_mut() {
            ev.insert("prevalence".into(), json!(r3(prevalence)));
        }
        let span = (self.last - self.first).max(1.0);
        if first_seen > self.first + 0.1 * span {
            f *= 1.05;
            if let Some(ev) = ev.as_mut() {
                ev.insert("first_seen_new".into(), json!(true));
            }
        }
        f
    }

    /// Is the destination allow-listed (by address, or by the name it was resolved from)?
    fn ip_is_allowed(&self, ip: IpAddr) -> bool {
        self.p.ip_allowed(ip)
            || self
                .resolved
                .get(&ip)
                .is_some_and(|n| self.p.name_allowed(n))
    }

    fn allowed_ip(&self, ip: IpAddr, ev: &mut Map<String, Value>) -> bool {
        let a = self.ip_is_allowed(ip);
        if a {
            ev.insert("allow_listed".into(), json!(true));
        }
        a
    }
}

/// Runs every analysis on merged state and returns findings sorted by score, descending.
pub fn analyse(mut s: Partial, p: &Policy, t: &Thresholds) -> Vec<NetFinding> {
    let t0 = std::time::Instant::now();
    // Only pairs with enough connections for a beacon score need their timestamps sorted.
    s.pairs.finish_all(t.beacon_min_conns);
    s.names.finish_all(t.beacon_min_conns);
    let t1 = std::time::Instant::now();

    let mut ctx = Ctx {
        p,
        t,
        first: s.first,
        last: s.last,
        total_sources: internal_sources(&s, p),
        dst_info: HMap::default(),
        name_info: HMap::default(),
        resolved: HMap::default(),
        connected: HMap::default(),
    };
    for ((src, dst), st) in s.pairs.iter() {
        if st.conns == 0 && st.open_max == 0.0 {
            continue;
        }
        ctx.connected.insert(*dst, ());
        let e = ctx.dst_info.entry(*dst).or_insert((0, f64::INFINITY));
        if p.is_internal(*src) {
            e.0 += 1;
        }
        e.1 = e.1.min(st.first);
    }
    for (_, name, _, st) in s.names.iter() {
        let e = ctx.name_info.entry(name).or_insert((0, f64::INFINITY));
        e.0 += 1;
        e.1 = e.1.min(st.first);
    }
    for (dom, d) in &s.dns {
        for a in &d.answers {
            ctx.resolved.entry(*a).or_insert_with(|| dom.clone());
        }
    }
    let t2 = std::time::Instant::now();
    let mut out = Vec::new();
    pair_findings(&ctx, &s, &mut out);
    let t3 = std::time::Instant::now();
    name_findings(&ctx, &s, &mut out);
    dns_findings(&ctx, &s, &mut out);
    intel_name_findings(&s, &mut out);
    let t4 = std::time::Instant::now();
    drop(ctx);
    drop(s);
    tracing::debug!(
        candidates = out.len(),
        finish_ms = (t1 - t0).as_millis() as u64,
        context_ms = (t2 - t1).as_millis() as u64,
        pairs_ms = (t3 - t2).as_millis() as u64,
        other_ms = (t4 - t3).as_millis() as u64,
        drop_ms = t4.elapsed().as_millis() as u64,
        "net analysis phases"
    );
    out.retain(|f| f.score >= t.min_score);
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.kind.cmp(&b.kind))
            .then_with(|| a.src.cmp(&b.src))
            .then_with(|| a.dst.cmp(&b.dst))
    });
    out
}

/// Internal hosts seen as sources (the population of the prevalence modifier), derived from
/// the pair keys rather than tracked per row.
fn internal_sources(s: &Partial, p: &Policy) -> usize {
    let mut set: HMap<IpAddr, ()> = HMap::default();
    let srcs = s
        .pairs
        .keys()
        .map(|k| k.0)
        .chain(s.names.iter().map(|k| k.0))
        .chain(s.dns.values().flat_map(|d| d.srcs.iter().copied()));
    for ip in srcs {
        if p.is_internal(ip) {
            set.insert(ip, ());
        }
    }
    set.len()
}

fn finding(
    kind: Kind,
    src: String,
    dst: String,
    score: f64,
    st: &PairState,
    evidence: Map<String, Value>,
) -> NetFinding {
    NetFinding {
        kind,
        src,
        dst,
        score: r3(score.clamp(0.0, 1.0)),
        first_seen: rfc3339(st.first),
        last_seen: rfc3339(st.last),
        connections: st.conns,
        bytes_out: st.bytes_out,
        bytes_in: st.bytes_in,
        evidence,
    }
}

fn pair_findings(ctx: &Ctx<'_>, s: &Partial, out: &mut Vec<NetFinding>) {
    // Per-source baseline of bytes out for exfiltration, for the sources that have a pair
    // over the exfiltration threshold (the only ones that use it).
    let mut per_src: HMap<IpAddr, Vec<f64>> = HMap::default();
    for ((src, _), st) in s.pairs.iter() {
        if st.bytes_out >= ctx.t.exfil_min_bytes {
            per_src.entry(*src).or_default();
        }
    }
    if !per_src.is_empty() {
        for ((src, _), st) in s.pairs.iter() {
            if let Some(v) = per_src.get_mut(src) {
                v.push(st.bytes_out as f64);
            }
        }
    }
    // Only pairs that can produce a finding are scored (most pairs are a few connections).
    let keys: Vec<(&(IpAddr, IpAddr), &PairState)> = s
        .pairs
        .iter()
        .filter(|((src, dst), st)| may_find(ctx, *src, *dst, st))
        .collect();
    tracing::debug!(pairs = s.pairs.len(), scored = keys.len(), "pairs to score");
    // Pairs are independent: score them in parallel (the output is sorted afterwards).
    let found: Vec<NetFinding> = keys
        .par_iter()
        .flat_map_iter(|(key, st)| pair_one(ctx, &per_src, **key, st))
        .collect();
    out.extend(found);
}

/// Can this pair produce any finding of [`pair_one`]? (A cheap test of each finding's own
/// entry condition; false only when none can fire.)
fn may_find(ctx: &Ctx<'_>, src: IpAddr, dst: IpAddr, st: &PairState) -> bool {
    let t = ctx.t;
    if st.conns == 0 && st.open_max == 0.0 {
        return false;
    }
    st.conns >= t.beacon_min_conns.min(t.strobe_per_day)
        || st.dur_max.max(st.open_max) >= t.long_min_secs
        || st.bytes_out >= t.exfil_min_bytes
        || ctx.p.denied_role(src).is_some()
        || ctx.p.intel_ip(dst)
}

fn pair_one(
    ctx: &Ctx<'_>,
    per_src: &HMap<IpAddr, Vec<f64>>,
    (src, dst): (IpAddr, IpAddr),
    st: &PairState,
) -> Vec<NetFinding> {
    let t = ctx.t;
    let mut out = Vec::new();
    {
        if st.conns == 0 && st.open_max == 0.0 {
            return out;
        }
        let (srcs, dst_first) = ctx.dst_info.get(&dst).copied().unwrap_or((1, st.first));
        // Scores first: most scored pairs end below `min_score`, and their evidence and
        // names would only be built to be dropped.
        let passes = |score: f64| r3(score.clamp(0.0, 1.0)) >= t.min_score;
        let modf0 = ctx.modifier_factor(srcs, dst_first)
            * if ctx.ip_is_allowed(dst) {
                ALLOW_FACTOR
            } else {
                1.0
            };
        let days0 = ((st.last - st.first) / 86_400.0).max(1.0);
        let strobe0 = st.conns as f64 >= t.strobe_per_day as f64 * days0;
        // A beacon score is at most 1: where the modifiers alone keep it below `min_score`
        // (common destinations), it is not computed.
        let beacon = if !strobe0 && st.conns >= t.beacon_min_conns && passes(modf0) {
            beacon_score(st, ctx.first, ctx.last, true)
        } else {
            None
        };
        let longest0 = st.dur_max.max(st.open_max);
        let long0 = longest0 >= t.long_min_secs
            && passes(
                (0.5 + 0.5 * ((longest0 / t.long_min_secs).ln() / 24f64.ln()).min(1.0)) * modf0,
            );
        let any = ctx.p.denied_role(src).is_some()
            || ctx.p.intel_ip(dst)
            || (strobe0 && passes(0.8 * modf0))
            || beacon.as_ref().is_some_and(|(b, _)| passes(b * modf0))
            || long0
            || st.bytes_out >= t.exfil_min_bytes;
        if !any {
            return out;
        }
        let mut base = Map::new();
        if let Some(n) = ctx.resolved.get(&dst) {
            base.insert("dst_name".into(), json!(n));
        }
        if st.failed > 0 {
            base.insert("failed_handshakes".into(), json!(st.failed));
        }
        let allowed = ctx.allowed_ip(dst, &mut base);
        let allow = if allowed { ALLOW_FACTOR } else { 1.0 };
        let (src_s, dst_s) = (src.to_string(), dst.to_string());

        // egress_violation
        if let Some(role) = ctx.p.denied_role(src) {
            let mut ev = base.clone();
            ev.insert("role".into(), json!(role));
            let score =
                (0.9 + 0.1 * (st.conns as f64 / 10.0).min(1.0)) * if allowed { 0.5 } else { 1.0 };
            out.push(finding(
                Kind::EgressViolation,
                src_s.clone(),
                dst_s.clone(),
                score,
                st,
                ev,
            ));
        }
        // threat_intel
        if ctx.p.intel_ip(dst) {
            let mut ev = base.clone();
            ev.insert("indicator".into(), json!(dst_s));
            ev.insert("via".into(), json!("conn"));
            out.push(finding(
                Kind::ThreatIntel,
                src_s.clone(),
                dst_s.clone(),
                0.95,
                st,
                ev,
            ));
        }
        let mut ev = base.clone();
        let modf = ctx.modifiers(srcs, dst_first, &mut ev) * allow;
        // strobe
        let days = ((st.last - st.first) / 86_400.0).max(1.0);
        let strobe = st.conns as f64 >= t.strobe_per_day as f64 * days;
        if strobe {
            let mut e = ev.clone();
            e.insert("conns_per_day".into(), json!(r3(st.conns as f64 / days)));
            out.push(finding(
                Kind::Strobe,
                src_s.clone(),
                dst_s.clone(),
                0.8 * modf,
                st,
                e,
            ));
        } else if let Some((score, e)) = beacon {
            {
                let mut e2 = ev.clone();
                e2.extend(e);
                out.push(finding(
                    Kind::Beacon,
                    src_s.clone(),
                    dst_s.clone(),
                    score * modf,
                    st,
                    e2,
                ));
            }
        }
        // long_connection
        let longest = st.dur_max.max(st.open_max);
        if longest >= t.long_min_secs {
            let mut e = ev.clone();
            e.insert("longest_secs".into(), json!(r3(longest)));
            e.insert("total_secs".into(), json!(r3(st.dur_sum + st.open_max)));
            e.insert("open".into(), json!(st.open_max > st.dur_max));
            let score = 0.5 + 0.5 * ((longest / t.long_min_secs).ln() / 24f64.ln()).min(1.0);
            out.push(finding(
                Kind::LongConnection,
                src_s.clone(),
                dst_s.clone(),
                score * modf,
                st,
                e,
            ));
        }
        // exfiltration
        if st.bytes_out >= t.exfil_min_bytes {
            let ratio = st.bytes_out as f64 / (st.bytes_in as f64 + 1.0);
            let others: Vec<f64> = per_src
                .get(&src)
                .map(|v| {
                    v.iter()
                        .copied()
                        .filter(|&b| b != st.bytes_out as f64)
                        .collect()
                })
                .unwrap_or_default();
            let so = sorted(&others);
            let (med, mad) = if so.len() >= 3 {
                crate::stats::median_mad(&so)
            } else {
                (0.0, 0.0)
            };
            let limit = (med + 6.0 * 1.4826 * mad).max(10.0 * med);
            let x = st.bytes_out as f64;
            if ratio >= t.exfil_min_ratio && x > limit {
                let mut e = ev.clone();
                e.insert("baseline_median".into(), json!(r3(med)));
                e.insert("baseline_mad".into(), json!(r3(mad)));
                e.insert("out_in_ratio".into(), json!(r3(ratio)));
                let score = 0.6
                    + 0.2 * (x / t.exfil_min_bytes as f64).log10().clamp(0.0, 1.0)
                    + 0.2 * (ratio.log10() / 2.0).clamp(0.0, 1.0);
                out.push(finding(
                    Kind::Exfiltration,
                    src_s.clone(),
                    dst_s.clone(),
                    score * modf,
                    st,
                    e,
                ));
            }
        }
    }
    out
}

fn name_findings(ctx: &Ctx<'_>, s: &Partial, out: &mut Vec<NetFinding>) {
    let t = ctx.t;
    let keys: Vec<(IpAddr, &str, Via, &PairState)> = s
        .names
        .iter()
        .filter(|(_, _, _, st)| st.conns >= t.beacon_min_conns)
        .collect();
    // As for IP pairs: scores first, in parallel; evidence only for what passes `min_score`.
    let passes = |score: f64| r3(score.clamp(0.0, 1.0)) >= t.min_score;
    let found: Vec<NetFinding> = keys
        .par_iter()
        .filter_map(|&(src, name, via, st)| {
            let days = ((st.last - st.first) / 86_400.0).max(1.0);
            if st.conns as f64 >= t.strobe_per_day as f64 * days {
                return None;
            }
            let allowed = ctx.p.name_allowed(name);
            let (srcs, first) = ctx.name_info.get(name).copied().unwrap_or((1, st.first));
            let allow = if allowed { ALLOW_FACTOR } else { 1.0 };
            let modf = ctx.modifier_factor(srcs, first) * allow;
            if !passes(modf) {
                return None;
            }
            let (score, e) = beacon_score(st, ctx.first, ctx.last, false)?;
            if !passes(score * modf) {
                return None;
            }
            let mut ev = Map::new();
            ev.insert(
                "via".into(),
                json!(if via == Via::Sni { "sni" } else { "host" }),
            );
            if allowed {
                ev.insert("allow_listed".into(), json!(true));
            }
            ctx.modifiers(srcs, first, &mut ev); // the same factor, now with its evidence
            ev.extend(e);
            Some(finding(
                Kind::Beacon,
                src.to_string(),
                name.to_string(),
                score * modf,
                st,
                ev,
            ))
        })
        .collect();
    out.extend(found);
}

fn dns_findings(ctx: &Ctx<'_>, s: &Partial, out: &mut Vec<NetFinding>) {
    let mut doms: Vec<&String> = s.dns.keys().collect();
    doms.sort();
    for dom in doms {
        let Some(d) = s.dns.get(dom) else { continue };
        let unique = d.names.count();
        if unique < ctx.t.dns_min_unique {
            continue;
        }
        let n = d.uniq_added.max(1) as f64;
        let ent = d.entropy_sum / n;
        let len = d.len_sum as f64 / n;
        let never = !d.answers.iter().any(|a| ctx.connected.contains_key(a));
        let mut score = ((unique as f64).log10() / 4.0).min(1.0)
            + 0.15 * ((ent - 2.0) / 1.5).clamp(0.0, 1.0)
            + 0.1 * ((len - 20.0) / 30.0).clamp(0.0, 1.0)
            + if never { 0.1 } else { 0.0 };
        let mut ev = Map::new();
        ev.insert("unique_names".into(), json!(unique));
        ev.insert("mean_entropy".into(), json!(r3(ent)));
        ev.insert("mean_length".into(), json!(r3(len)));
        ev.insert("max_length".into(), json!(d.len_max));
        ev.insert("never_connected".into(), json!(never));
        ev.insert("hosts".into(), json!(d.srcs.len()));
        ev.insert("examples".into(), json!(d.samples));
        if ctx.p.name_allowed(dom) {
            score *= ALLOW_FACTOR;
            ev.insert("allow_listed".into(), json!(true));
        }
        let srcs = d.srcs.len() as u32;
        score *= ctx.modifiers(srcs, d.first, &mut ev);
        let src = d.srcs.first().map(ToString::to_string).unwrap_or_default();
        out.push(NetFinding {
            kind: Kind::DnsTunnel,
            src,
            dst: dom.clone(),
            score: r3(score.clamp(0.0, 1.0)),
            first_seen: rfc3339(d.first),
            last_seen: rfc3339(d.last),
            connections: d.queries,
            bytes_out: 0,
            bytes_in: 0,
            evidence: ev,
        });
    }
}

fn intel_name_findings(s: &Partial, out: &mut Vec<NetFinding>) {
    let mut keys: Vec<&(IpAddr, String)> = s.intel.keys().collect();
    keys.sort();
    for key in keys {
        let Some(h) = s.intel.get(key) else { continue };
        let mut ev = Map::new();
        ev.insert("indicator".into(), json!(key.1));
        ev.insert("via".into(), json!(h.via));
        out.push(NetFinding {
            kind: Kind::ThreatIntel,
            src: key.0.to_string(),
            dst: key.1.clone(),
            score: 0.95,
            first_seen: rfc3339(h.first),
            last_seen: rfc3339(h.last),
            connections: h.count,
            bytes_out: 0,
            bytes_in: 0,
            evidence: ev,
        });
    }
}

/// The beacon score of a pair: RITA's average of timing, data-size, histogram and duration
/// scores, or the periodicity score when it is higher (slow beacons).
pub fn beacon_score(
    st: &PairState,
    first: f64,
    last: f64,
    sizes: bool,
) -> Option<(f64, Map<String, Value>)> {
    if st.ts.len() < 3 {
        return None;
    }
    let deltas: Vec<f64> = st.ts.windows(2).map(|w| w[1] - w[0]).collect();
    let d = sorted(&deltas);
    let ts_score = regularity(&d);
    let mut parts = vec![ts_score];
    let mut ev = Map::new();
    ev.insert("ts_score".into(), json!(r3(ts_score)));
    ev.insert("interval_median".into(), json!(r3(quantile(&d, 0.5))));
    if sizes && st.sizes.iter().any(|&x| x > 0) {
        let sz = sorted(&st.sizes.iter().map(|&x| f64::from(x)).collect::<Vec<_>>());
        let mode = quantile(&sz, 0.5);
        let small = (1.0 - mode / 65_535.0).clamp(0.0, 1.0);
        let ds = (2.0 * regularity(&sz) + small) / 3.0;
        ev.insert("ds_score".into(), json!(r3(ds)));
        parts.push(ds);
    }
    let hist = hist_score(st);
    ev.insert("hist_score".into(), json!(r3(hist)));
    parts.push(hist);
    let dur = dur_score(st, first, last);
    ev.insert("dur_score".into(), json!(r3(dur)));
    parts.push(dur);
    let rita = parts.iter().sum::<f64>() / parts.len() as f64;
    ev.insert("rita_score".into(), json!(r3(rita)));
    let per = periodicity(&deltas, &d);
    ev.insert("periodicity".into(), json!(r3(per)));
    let per_score = per * (st.ts.len() as f64 / 24.0).min(1.0) * 0.95;
    Some((rita.max(per_score), ev))
}

/// 24 hour-of-day bins: 1 - coefficient of variation, or the fit of a two-level (active /
/// asleep) model when that is better, so that sleep windows do not hide a beacon.
fn hist_score(st: &PairState) -> f64 {
    let mut bins = [0f64; 24];
    for &(h, c) in &st.hours {
        bins[(h % 24) as usize] += f64::from(c);
    }
    let mean = bins.iter().sum::<f64>() / 24.0;
    if mean <= 0.0 {
        return 0.0;
    }
    let var = bins.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / 24.0;
    let cv = var.sqrt() / mean;
    let flat = (1.0 - cv).max(0.0);
    // Two levels split at the largest gap of the sorted counts.
    let mut s = bins;
    s.sort_by(f64::total_cmp);
    let (mut gap, mut at) = (0.0, 0);
    for i in 1..24 {
        if s[i] - s[i - 1] > gap {
            gap = s[i] - s[i - 1];
            at = i;
        }
    }
    if at == 0 {
        return 1.0;
    }
    let fit_group = |g: &[f64]| -> usize {
        let m = quantile(g, 0.5);
        g.iter()
            .filter(|&&x| (x - m).abs() <= (0.25 * m).max(1.0))
            .count()
    };
    let fit = (fit_group(&s[..at]) + fit_group(&s[at..])) as f64 / 24.0;
    // A burst in a few hours is not a sleeping beacon: need most hours active.
    let active = (24 - at) as f64 / 24.0;
    let bimodal = if active >= 0.5 {
        fit
    } else {
        fit * active * 2.0
    };
    flat.max(bimodal)
}

/// Coverage of the dataset's time span, or the longest run of consecutive active hours over
/// 24, whichever is larger.
fn dur_score(st: &PairState, first: f64, last: f64) -> f64 {
    let span = (last - first).max(1.0);
    let coverage = ((st.last.min(last) - st.first.max(first)) / span).clamp(0.0, 1.0);
    let (mut best, mut run, mut prev) = (0u32, 0u32, None::<u32>);
    for &(h, _) in &st.hours {
        run = if prev.is_some_and(|p| p + 1 == h) {
            run + 1
        } else {
            1
        };
        best = best.max(run);
        prev = Some(h);
    }
    let hours_span = (span / 3600.0).clamp(1.0, 24.0);
    coverage.max((f64::from(best) / hours_span).min(1.0))
}

/// Share of intervals that sit within ±30 % of a whole multiple (1..=4) of the median
/// interval: a slow beacon that misses some call-backs or sleeps still scores high, random
/// browsing does not.
fn periodicity(deltas: &[f64], sorted_d: &[f64]) -> f64 {
    let m = quantile(sorted_d, 0.5);
    if m < 1.0 || deltas.is_empty() {
        return 0.0;
    }
    let ok = deltas
        .iter()
        .filter(|&&d| {
            let k = (d / m).round();
            (1.0..=4.0).contains(&k) && (d - k * m).abs() <= 0.3 * m
        })
        .count();
    // Long gaps (sleep windows) are neither for nor against.
    let sleeps = deltas.iter().filter(|&&d| d > 4.5 * m).count();
    let n = deltas.len() - sleeps;
    if n == 0 {
        return 0.0;
    }
    ok as f64 / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use kizuki_core::rng::Rng;

    fn pair(ts: &[f64], size: u32) -> PairState {
        let mut st = PairState::default();
        for &t in ts {
            st.conns += 1;
            st.first = st.first.min(t);
            st.last = st.last.max(t);
            st.ts.push(t);
            st.sizes.push(size);
            let h = (t / 3600.0) as u32;
            match st.hours.last_mut() {
                Some((lh, c)) if *lh == h => *c += 1,
                _ => st.hours.push((h, 1)),
            }
        }
        st.finish();
        st
    }

    #[test]
    fn jittered_beacon_with_sleep_scores_high_random_low() {
        let mut r = Rng::new(1);
        let mut ts = Vec::new();
        let mut t = 0.0;
        while t < 2.0 * 86_400.0 {
            let hour = (t / 3600.0) as u64 % 24;
            if hour >= 6 {
                ts.push(t);
            }
            t += 300.0 * (0.7 + 0.6 * r.unit());
        }
        let (b, _) = beacon_score(&pair(&ts, 420), 0.0, 2.0 * 86_400.0, true).unwrap();
        assert!(b > 0.85, "{b}");
        let mut rnd = Vec::new();
        let mut t = 0.0;
        while t < 2.0 * 86_400.0 {
            rnd.push(t);
            t += -300.0 * (1.0 - r.unit()).ln();
        }
        let sizes: Vec<u32> = (0..rnd.len()).map(|_| r.below(200_000) as u32).collect();
        let mut st = pair(&rnd, 0);
        st.sizes = sizes;
        let (x, _) = beacon_score(&st, 0.0, 2.0 * 86_400.0, true).unwrap();
        assert!(x < 0.75, "{x}");
        assert!(b > x + 0.15);
    }

    fn conn(ts: f64, src: &str, dst: &str, dur: f64, out: u64) -> crate::read::Record<'static> {
        crate::read::Record::Conn(crate::read::Conn {
            ts,
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            dport: 443,
            duration: dur,
            orig_bytes: out,
            resp_bytes: 100,
            failed: false,
            open: false,
        })
    }

    #[test]
    fn strobe_and_intel_and_allow_list() {
        let cfg = kizuki_core::config::NetConfig {
            allow_cidrs: vec!["198.51.100.0/24".into()],
            ..Default::default()
        };
        let mut p = Policy::new(&cfg).unwrap();
        p.add_intel("192.0.2.66");
        let mut s = Partial::new();
        let w = crate::state::Window::default();
        // 3,000 connections in an hour: a strobe at a threshold of 1,000 a day.
        for i in 0..3000 {
            s.add(
                conn(f64::from(i) * 1.2, "10.0.0.5", "203.0.113.9", 0.1, 60),
                &p,
                w,
            );
        }
        // A perfect beacon to an allow-listed network: scored down below the threshold.
        for i in 0..200 {
            s.add(
                conn(f64::from(i) * 300.0, "10.0.0.6", "198.51.100.4", 0.1, 60),
                &p,
                w,
            );
        }
        s.add(conn(10.0, "10.0.0.7", "192.0.2.66", 1.0, 10), &p, w);
        let t = Thresholds {
            strobe_per_day: 1000,
            ..Thresholds::default()
        };
        let f = analyse(s, &p, &t);
        let kinds: Vec<(Kind, &str)> = f.iter().map(|x| (x.kind, x.dst.as_str())).collect();
        assert!(kinds.contains(&(Kind::Strobe, "203.0.113.9")), "{kinds:?}");
        assert!(
            !kinds.contains(&(Kind::Beacon, "203.0.113.9")),
            "a strobe is not a beacon"
        );
        assert!(
            kinds.contains(&(Kind::ThreatIntel, "192.0.2.66")),
            "{kinds:?}"
        );
        assert!(
            !kinds.iter().any(|k| k.1 == "198.51.100.4"),
            "allow-listed: {kinds:?}"
        );
    }

    #[test]
    fn hourly_beacon_caught_by_periodicity() {
        let mut r = Rng::new(2);
        let ts: Vec<f64> = (0..48)
            .filter(|i| i % 7 != 3) // some missed call-backs
            .map(|i| f64::from(i) * 3600.0 + 200.0 * (r.unit() - 0.5))
            .collect();
        let (b, ev) = beacon_score(&pair(&ts, 0), 0.0, 48.0 * 3600.0, false).unwrap();
        assert!(b > 0.8, "{b} {ev:?}");
    }
}
