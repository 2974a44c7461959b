//! Small robust statistics, a HyperLogLog and time helpers.

use kizuki_core::hll::Registers;

/// Quantile of a sorted slice (linear interpolation); 0 for an empty slice.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let (a, b) = (sorted[lo], sorted[hi.min(sorted.len() - 1)]);
    a + (b - a) * (pos - lo as f64)
}

/// Sorts a copy with a total order.
pub fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s
}

/// Median and median absolute deviation of a sorted slice.
pub fn median_mad(sorted_v: &[f64]) -> (f64, f64) {
    let m = quantile(sorted_v, 0.5);
    let dev = sorted(&sorted_v.iter().map(|x| (x - m).abs()).collect::<Vec<_>>());
    (m, quantile(&dev, 0.5))
}

/// Bowley (quartile) skewness of a sorted slice, in -1..=1; 0 when the quartiles coincide.
pub fn bowley(sorted_v: &[f64]) -> f64 {
    let (q1, q2, q3) = (
        quantile(sorted_v, 0.25),
        quantile(sorted_v, 0.5),
        quantile(sorted_v, 0.75),
    );
    let den = q3 - q1;
    if den <= f64::EPSILON || q2 == q1 || q2 == q3 {
        return 0.0;
    }
    ((q3 + q1 - 2.0 * q2) / den).clamp(-1.0, 1.0)
}

/// RITA's two-part regularity score of a distribution: `1 - |bowley|` and `1 - MAD/median`,
/// averaged.
pub fn regularity(sorted_v: &[f64]) -> f64 {
    if sorted_v.len() < 3 {
        return 0.0;
    }
    let skew = 1.0 - bowley(sorted_v).abs();
    let (m, mad) = median_mad(sorted_v);
    let madm = if m <= 0.0 {
        if mad <= 0.0 { 1.0 } else { 0.0 }
    } else {
        (1.0 - mad / m).max(0.0)
    };
    (skew + madm) / 2.0
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

const HLL_P: u32 = 10;
const HLL_SPARSE: usize = 256;

/// A HyperLogLog distinct counter (precision 10, ~3% error), exact while small: it keeps up to
/// 256 hashes and only then switches to 1 KiB of registers (`kizuki_core::hll`). Merging is a
/// union.
#[derive(Clone, Debug, Default)]
pub struct Hll {
    sparse: Vec<u64>,
    dense: Option<Registers>,
}

impl Hll {
    /// Adds a 64-bit hash of an item; true when the counter changed (a new item, or for the
    /// dense form a raised register).
    pub fn add(&mut self, h: u64) -> bool {
        if let Some(d) = self.dense.as_mut() {
            return d.insert(h);
        }
        match self.sparse.binary_search(&h) {
            Ok(_) => false,
            Err(pos) => {
                self.sparse.insert(pos, h);
                if self.sparse.len() > HLL_SPARSE {
                    self.densify();
                }
                true
            }
        }
    }

    fn densify(&mut self) {
        let mut d = Registers::new(HLL_P);
        for &h in &self.sparse {
            d.insert(h);
        }
        self.sparse = Vec::new();
        self.dense = Some(d);
    }

    /// Union with another counter.
    pub fn merge(&mut self, other: &Hll) {
        match &other.dense {
            Some(od) => {
                if self.dense.is_none() {
                    self.densify();
                }
                if let Some(d) = self.dense.as_mut() {
                    d.merge(od);
                }
            }
            None => {
                for &h in &other.sparse {
                    self.add(h);
                }
            }
        }
    }

    /// The estimated number of distinct items.
    pub fn count(&self) -> u64 {
        match &self.dense {
            Some(d) => d.estimate(),
            None => self.sparse.len() as u64,
        }
    }
}

/// A 64-bit hash for HyperLogLog (stable across runs: fixed seed).
pub fn hash64(b: &[u8]) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = foldhash::quality::FixedState::with_seed(0x6b69_7a75).build_hasher();
    h.write(b);
    h.finish()
}

use kizuki_core::civil::civil_from_days;
pub use kizuki_core::civil::days_from_civil;

/// RFC 3339 UTC with milliseconds: `2016-03-19T01:02:03.456Z`.
pub fn rfc3339(ts: f64) -> String {
    let ms = (ts * 1000.0).round() as i64;
    let secs = ms.div_euclid(1000);
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        ms.rem_euclid(1000)
    )
}

/// Parses a time: epoch seconds (`1458345600.5`), a date (`2016-03-19`, UTC midnight) or an
/// RFC 3339 / ISO 8601 date-time (`2016-03-19T10:00:00Z`, `…+09:00`, fraction allowed).
pub fn parse_time(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Ok(v) = s.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if !t.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    let mut t = (days_from_civil(y, mo, d) * 86_400) as f64;
    if b.len() == 10 {
        return Some(t);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || se > 60 {
        return None;
    }
    t += (h * 3600 + mi * 60 + se) as f64;
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let start = i;
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        t += s.get(start..i)?.parse::<f64>().ok()?;
    }
    match b.get(i) {
        None | Some(b'Z' | b'z') if i + 1 >= b.len() => Some(t),
        Some(&sign @ (b'+' | b'-')) => {
            // `+09:00` (RFC 3339) or `+0900` (Suricata, ISO 8601 basic).
            let m = if b.get(i + 3) == Some(&b':') {
                i + 4
            } else {
                i + 3
            };
            if b.len() != m + 2 {
                return None;
            }
            let (oh, om) = (num(i + 1..i + 3)?, num(m..m + 2)?);
            let off = (oh * 3600 + om * 60) as f64;
            Some(if sign == b'+' { t - off } else { t + off })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robust_stats() {
        let v = sorted(&[1.0, 2.0, 3.0, 4.0, 100.0]);
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(median_mad(&v), (3.0, 1.0));
        let even = sorted(&[300.0; 20]);
        assert_eq!(regularity(&even), 1.0);
        assert!(bowley(&sorted(&[1.0, 1.1, 1.2, 5.0, 9.0])) > 0.5);
    }

    #[test]
    fn hll_is_exact_when_small_and_close_when_large() {
        let mut a = Hll::default();
        for i in 0..200u32 {
            a.add(hash64(&i.to_le_bytes()));
            a.add(hash64(&i.to_le_bytes()));
        }
        assert_eq!(a.count(), 200);
        let mut b = Hll::default();
        for i in 0..50_000u32 {
            b.add(hash64(&i.to_le_bytes()));
        }
        let n = b.count() as f64;
        assert!((n - 50_000.0).abs() < 5_000.0, "{n}");
        a.merge(&b);
        assert!(a.count() >= 45_000);
    }

    #[test]
    fn time_round_trip() {
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00.000Z");
        let t = parse_time("2016-03-19T10:00:00.5Z").unwrap();
        assert_eq!(rfc3339(t), "2016-03-19T10:00:00.500Z");
        assert_eq!(parse_time("2016-03-19T19:00:00+09:00"), Some(t - 0.5));
        assert_eq!(parse_time("2016-03-19T19:00:00.5+0900"), Some(t));
        assert_eq!(parse_time("2016-03-19T05:00:00-0500"), Some(t - 0.5));
        assert!(parse_time("2016-03-19T19:00:00+09:00x").is_none());
        assert!(parse_time("2016-03-19T19:00:00+090").is_none());
        assert_eq!(parse_time("2016-03-19"), Some(1_458_345_600.0));
        assert!(parse_time("yesterday").is_none());
        assert!(parse_time("2016-13-01").is_none());
    }
}
