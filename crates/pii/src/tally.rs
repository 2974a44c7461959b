//! Counting what one object holds, and the report printed for it.

use std::collections::BTreeMap;

use kizuki_core::hll::Registers;
use kizuki_core::report::Style;
use kizuki_core::{Category, Report, Text, mask};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Samples kept per category.
pub const SAMPLES: usize = 3;
/// Distinct values counted exactly per category; beyond, a HyperLogLog sketch (2^14
/// registers, about 1 % error) takes over, so memory stays bounded whatever the input.
pub const DISTINCT_EXACT: usize = 1 << 16;
const HLL_BITS: u32 = 14;

/// Distinct count: exact while small, then HyperLogLog registers (`kizuki_core::hll`).
///
/// The exact values are hashes pushed to a vector, sorted and deduplicated when it holds
/// twice [`DISTINCT_EXACT`] and at the end, rather than kept in a hash set: a set of tens of
/// thousands of keys misses the cache on nearly every insert, a push does not. The result is
/// what a set would give: the exact count below the limit, and at or above it the registers
/// fed with every hash (they do not depend on the order).
#[derive(Debug, Default)]
struct Distinct {
    exact: Vec<u64>,
    hll: Option<Registers>,
}

impl Distinct {
    #[inline]
    fn insert(&mut self, h: u64) {
        if let Some(regs) = &mut self.hll {
            regs.insert(h);
            return;
        }
        self.exact.push(h);
        if self.exact.len() >= 2 * DISTINCT_EXACT {
            self.compact();
        }
    }

    /// Deduplicates the exact values; switches to the registers at the limit.
    #[cold]
    fn compact(&mut self) {
        self.exact.sort_unstable();
        self.exact.dedup();
        if self.exact.len() >= DISTINCT_EXACT {
            let mut regs = Registers::new(HLL_BITS);
            for h in std::mem::take(&mut self.exact) {
                regs.insert(h);
            }
            self.hll = Some(regs);
        }
    }

    /// Adds the values of `other` (counted apart, on a later part of the object): the
    /// result is what inserting them here would give.
    fn merge(&mut self, other: Distinct) {
        match other.hll {
            Some(regs) => {
                // Both sets together hold at least as many values as `other`: registers.
                let mine = self.hll.get_or_insert_with(|| Registers::new(HLL_BITS));
                for h in std::mem::take(&mut self.exact) {
                    mine.insert(h);
                }
                mine.merge(&regs);
            }
            None => {
                for h in other.exact {
                    self.insert(h);
                }
            }
        }
    }

    fn len(&mut self) -> u64 {
        if self.hll.is_none() {
            self.compact();
        }
        match &self.hll {
            Some(regs) => regs.estimate(),
            None => self.exact.len() as u64,
        }
    }
}

/// The categories to look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatSet(u16);

impl CatSet {
    /// Every category.
    pub fn all() -> Self {
        CatSet((1 << Category::ALL.len()) - 1)
    }
    /// Only these (all when empty).
    pub fn of(cats: &[Category]) -> Self {
        if cats.is_empty() {
            return Self::all();
        }
        CatSet(cats.iter().fold(0, |a, c| a | 1 << idx(*c)))
    }
    /// Is `c` wanted?
    pub fn has(self, c: Category) -> bool {
        self.0 & (1 << idx(c)) != 0
    }
}

/// The position of `c` in [`Category::ALL`] (a match, not a search: it runs per value).
fn idx(c: Category) -> usize {
    use Category as C;
    match c {
        C::NameKanji => 0,
        C::NameKana => 1,
        C::NameRomaji => 2,
        C::Gender => 3,
        C::BirthDate => 4,
        C::Email => 5,
        C::PostalCode => 6,
        C::Address => 7,
        C::Phone => 8,
        C::PassportNumber => 9,
        C::PassportIssueDate => 10,
        C::MyNumber => 11,
        C::CreditCard => 12,
        C::BankAccount => 13,
    }
}

/// Counts, samples and distinct values of one object.
#[derive(Debug)]
pub struct Tally {
    cats: CatSet,
    counts: [u64; 14],
    samples: [Vec<String>; 14],
    distinct: [Distinct; 14],
    /// At most this many persons: the rows of an object that is a table.
    rows: Option<u64>,
}

/// A fast 64-bit hash of a key (FNV-1a over 8-byte words, the last one overlapping, then a
/// SplitMix64 finaliser), of `b` in ASCII upper case when `upper`: only for counting distinct
/// values, not for anything adversarial (a flood of colliding keys would only make the
/// estimate low). It runs for every value counted, so it reads words, not bytes.
pub(crate) fn hash_bytes(b: &[u8], upper: bool) -> u64 {
    let word = |w: u64| if upper { ascii_upper(w) } else { w };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ b.len() as u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        h = (h ^ word(u64::from_le_bytes(a))).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // The last eight bytes (overlapping the words before: the length is in the seed), or
        // the short key's bytes; no variable-length copy, which would call `memcpy`.
        let last = match b.len().checked_sub(8).and_then(|i| b.get(i..)) {
            Some(t) => {
                let mut a = [0u8; 8];
                a.copy_from_slice(t);
                u64::from_le_bytes(a)
            }
            None => rest
                .iter()
                .rev()
                .fold(0u64, |w, x| (w << 8) | u64::from(*x)),
        };
        h = (h ^ word(last)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// The eight bytes of `w` in ASCII upper case (SWAR: bytes `a`..=`z` lose 0x20; every other
/// byte, including those above 0x7F, is left as it is).
fn ascii_upper(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low7 = w & !HIGH;
    // High bit of each byte: its low seven bits are >= `a`, and > `z`.
    let ge_a = low7 + ONES * u64::from(0x80 - b'a');
    let gt_z = low7 + ONES * u64::from(0x80 - b'z' - 1);
    let lower = ge_a & !gt_z & !w & HIGH;
    w ^ (lower >> 2)
}

/// Categories whose distinct values count towards the persons estimate.
pub fn tracks_distinct(c: Category) -> bool {
    matches!(
        c,
        Category::Email
            | Category::Phone
            | Category::NameKanji
            | Category::NameKana
            | Category::NameRomaji
            | Category::PassportNumber
            | Category::MyNumber
            | Category::BankAccount
    )
}

impl Tally {
    /// An empty tally for the wanted categories.
    pub fn new(cats: CatSet) -> Self {
        Tally {
            cats,
            counts: [0; 14],
            samples: Default::default(),
            distinct: Default::default(),
            rows: None,
        }
    }

    /// The categories this tally counts.
    pub fn categories(&self) -> CatSet {
        self.cats
    }

    /// The object is a table whose rows hold `rows` persons at most (a person a row, or as
    /// many as a row has name columns: [`crate::table::Table::person_rows`]; called once per
    /// table, the tables of a database add up): a second phone or e-mail column (`電話番号`,
    /// `携帯電話`) does not double the persons estimate.
    pub fn persons_at_most(&mut self, rows: u64) {
        self.rows = Some(self.rows.unwrap_or(0).saturating_add(rows));
    }

    /// Is `c` wanted?
    pub fn wants(&self, c: Category) -> bool {
        self.cats.has(c)
    }

    /// Counts one value. `key` is its normalised form for the distinct count.
    pub fn add(&mut self, c: Category, value: &str, key: &str) {
        self.add_keyed(c, value, key.as_bytes(), false);
    }

    /// Counts one value whose distinct key is `key` in ASCII upper case (no allocation).
    pub fn add_upper(&mut self, c: Category, value: &str, key: &str) {
        self.add_keyed(c, value, key.as_bytes(), true);
    }

    #[inline]
    fn add_keyed(&mut self, c: Category, value: &str, key: &[u8], upper: bool) {
        if !self.cats.has(c) {
            return;
        }
        let i = idx(c);
        self.counts[i] += 1;
        if self.samples[i].len() < SAMPLES {
            self.sample(i, value);
        }
        if tracks_distinct(c) {
            self.distinct[i].insert(hash_bytes(key, upper));
        }
    }

    /// Keeps `value` as a sample of category `i` unless it is one already (out of line: the
    /// samples of most categories fill at their first values).
    #[inline(never)]
    fn sample(&mut self, i: usize, value: &str) {
        let v = crate::value::trim(value);
        // Inline compares: a category with fewer distinct values than samples (genders)
        // compares every value it counts.
        let seen = |s: &String| {
            s.len() == v.len() && crate::tables::has_prefix(s.as_bytes(), v.as_bytes())
        };
        if let Some(samples) = self.samples.get_mut(i)
            && !samples.iter().any(seen)
        {
            samples.push(v.to_string());
        }
    }

    /// Adds what `other` counted on the part of the object that follows what this tally
    /// counted (a chunk read on another thread): counts, samples and distinct values come out
    /// as if this tally had counted that part itself.
    pub fn merge(&mut self, other: Tally) {
        let Tally {
            counts,
            samples,
            distinct,
            rows,
            ..
        } = other;
        for (i, n) in counts.iter().enumerate() {
            self.counts[i] += n;
        }
        // `other` kept the first distinct values of its part; of those, the first ones this
        // tally lacks are the ones it would have kept.
        for (i, s) in samples.into_iter().enumerate() {
            for v in s {
                if self.samples[i].len() >= SAMPLES {
                    break;
                }
                self.sample(i, &v);
            }
        }
        for (i, d) in distinct.into_iter().enumerate() {
            self.distinct[i].merge(d);
        }
        if let Some(r) = rows {
            self.persons_at_most(r);
        }
    }

    /// Total values counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Count of one category.
    pub fn count(&self, c: Category) -> u64 {
        self.counts[idx(c)]
    }

    /// `text` (which this tally counted alone: a mail's subject) with each value found in it
    /// masked, or `None` when a value cannot be told where it is (more values than samples,
    /// a sample that is not a part of it as written).
    pub(crate) fn mask_in(&self, text: &str) -> Option<String> {
        let mut out = text.to_string();
        for (i, c) in Category::ALL.iter().enumerate() {
            let samples = &self.samples[i];
            if self.counts[i] > samples.len() as u64 {
                return None;
            }
            for v in samples {
                if !out.contains(v.as_str()) {
                    return None;
                }
                out = out.replace(v.as_str(), &mask::mask(*c, v));
            }
        }
        Some(out)
    }

    /// Builds the report; samples are masked unless `reveal`.
    pub fn report(
        mut self,
        path: String,
        encoding: Option<&str>,
        records: Option<u64>,
        columns: Vec<(String, Category)>,
        reveal: bool,
    ) -> ObjectReport {
        let mut categories = BTreeMap::new();
        let mut samples = BTreeMap::new();
        for (i, c) in Category::ALL.iter().enumerate() {
            if self.counts[i] > 0 {
                categories.insert(*c, self.counts[i]);
                let s: Vec<String> = self.samples[i]
                    .iter()
                    .map(|v| if reveal { v.clone() } else { mask::mask(*c, v) })
                    .collect();
                samples.insert(*c, s);
            }
        }
        let distinct = self
            .distinct
            .iter_mut()
            .map(Distinct::len)
            .max()
            .unwrap_or(0);
        let persons_estimate = if distinct > 0 {
            distinct.min(self.rows.filter(|r| *r > 0).unwrap_or(u64::MAX))
        } else if self.total() > 0 {
            // Only attributes without identity (dates, genders, addresses): one person per
            // record at most, at least one person.
            records
                .unwrap_or(1)
                .min(self.counts.iter().copied().max().unwrap_or(1))
                .max(1)
        } else {
            0
        };
        ObjectReport {
            path,
            encoding: encoding.map(str::to_string),
            records,
            categories,
            // The columns of the categories asked for, as the counts are.
            columns: Columns(
                columns
                    .into_iter()
                    .filter(|(_, c)| self.cats.has(*c))
                    .collect(),
            ),
            samples,
            persons_estimate,
        }
    }
}

/// Header -> category, in column order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns(pub Vec<(String, Category)>);

impl<'de> Deserialize<'de> for Columns {
    /// In the order written, duplicate headers kept (a map in JSON, as it is printed).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Columns;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of column headers to categories")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Columns, A::Error> {
                let mut v = Vec::new();
                while let Some(e) = m.next_entry()? {
                    v.push(e);
                }
                Ok(Columns(v))
            }
        }
        d.deserialize_map(V)
    }
}

impl Serialize for Columns {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// What one scanned object (a file, an archive member, a sheet) holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ObjectReport {
    /// The path; archive members as `a.zip!dir/x.csv`.
    pub path: String,
    /// The detected text encoding (`UTF-8`, `Shift_JIS`, `EUC-JP`, `ISO-2022-JP`, `UTF-16LE`,
    /// `UTF-16BE`), or `null` for spreadsheets.
    pub encoding: Option<String>,
    /// Data rows when tabular, else `null`.
    pub records: Option<u64>,
    /// Values found per category.
    pub categories: BTreeMap<Category, u64>,
    /// Column header (or `#N` without header) -> category, for tables.
    pub columns: Columns,
    /// Up to three sample values per category, masked unless revealed.
    pub samples: BTreeMap<Category, Vec<String>>,
    /// Distinct persons the object appears to hold (distinct e-mails, phones, names, passport
    /// numbers: the largest of them; exact up to 65,536, then estimated within about 1 %).
    pub persons_estimate: u64,
}

impl ObjectReport {
    /// Values found, all categories together.
    pub fn total(&self) -> u64 {
        self.categories.values().sum()
    }
}

impl Report for ObjectReport {
    fn is_hit(&self) -> bool {
        self.total() > 0
    }

    fn text(&self) -> Text {
        let mut t = Text::new();
        t.line()
            .push(Style::Path, self.path.clone())
            .cell()
            .push(
                Style::Dim,
                self.encoding.clone().unwrap_or_else(|| "-".into()),
            )
            .cell()
            .plain(match self.records {
                Some(r) => format!("{r} records"),
                None => "text".into(),
            })
            .cell()
            .plain(format!("~{} persons", self.persons_estimate));
        for (c, n) in &self.categories {
            let samples = self
                .samples
                .get(c)
                .map(|s| s.join(", "))
                .unwrap_or_default();
            t.line()
                .plain("  ")
                .push(Style::Rule, c.id())
                .cell()
                .plain(n.to_string())
                .cell()
                .push(Style::Dim, samples);
        }
        if !self.columns.0.is_empty() {
            let cols: Vec<String> = self
                .columns
                .0
                .iter()
                .map(|(h, c)| format!("{h}={}", c.id()))
                .collect();
            t.line()
                .plain("  columns: ")
                .push(Style::Dim, cols.join(" "));
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_upper_case_is_the_hash_of_the_upper_case_bytes() {
        let all: Vec<u8> = (0..=255u8).collect();
        for w in all.chunks(8) {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            let mut up = a;
            up.make_ascii_uppercase();
            assert_eq!(
                ascii_upper(u64::from_le_bytes(a)),
                u64::from_le_bytes(up),
                "{a:?}"
            );
        }
        for s in [
            "",
            "a",
            "Taro.Yamada@Example.CO.JP",
            "山田 太郎",
            "yamada taro@x",
        ] {
            assert_eq!(
                hash_bytes(s.as_bytes(), true),
                hash_bytes(s.to_ascii_uppercase().as_bytes(), false),
                "{s}"
            );
        }
        // The length counts: a key and the same key with NULs after it differ.
        assert_ne!(hash_bytes(b"ab", false), hash_bytes(b"ab\0", false));
    }

    /// The report of `values` counted by one tally, or by one tally per part (cut at
    /// `cuts`) merged in order.
    fn counted(values: &[(Category, String)], cuts: &[usize]) -> String {
        let mut parts = Vec::new();
        let mut from = 0;
        for &c in cuts.iter().chain([&values.len()]) {
            let mut t = Tally::new(CatSet::all());
            for (cat, v) in &values[from..c] {
                t.add_upper(*cat, v, v);
            }
            parts.push(t);
            from = c;
        }
        let mut parts = parts.into_iter();
        let mut all = parts.next().unwrap_or_else(|| Tally::new(CatSet::all()));
        for p in parts {
            all.merge(p);
        }
        let r = all.report("x".into(), None, None, Vec::new(), true);
        serde_json::to_string(&r).unwrap_or_default()
    }

    #[test]
    fn merged_tallies_count_what_one_tally_counts() {
        // Genders repeat (samples: the first distinct ones of the whole), e-mails pass the
        // exact limit (distinct: registers), names stay below it, phones repeat in turns.
        let mut values = Vec::new();
        for i in 0..300_000u64 {
            values.push((
                Category::Gender,
                ["男", "男", "女", "M"][(i % 4) as usize].to_string(),
            ));
            values.push((
                Category::Email,
                format!("u{}@example.jp", i * 7919 % 250_000),
            ));
            if i % 3 == 0 {
                values.push((Category::NameKanji, format!("山田{}", i % 40_000)));
            }
            if i % 5 == 0 {
                values.push((Category::Phone, format!("090{:08}", i % 1000)));
            }
        }
        let one = counted(&values, &[]);
        assert!(one.contains("\"persons_estimate\""), "{one}");
        // A part of its own above the exact limit, a part of one value, empty parts, parts
        // that each hold less than all the samples.
        for cuts in [
            vec![1],
            vec![2, 3, 3, 9],
            vec![100_000],
            vec![500, 400_000],
            (1..20).map(|k| k * 40_000).collect(),
        ] {
            assert_eq!(counted(&values, &cuts), one, "cuts {cuts:?}");
        }
    }

    #[test]
    fn distinct_is_exact_then_close() {
        let mut d = Distinct::default();
        for i in 0..1000u64 {
            d.insert(hash_bytes(i.to_string().as_bytes(), false));
            d.insert(hash_bytes(i.to_string().as_bytes(), false));
        }
        assert_eq!(d.len(), 1000);
        // Just below the limit, with repeats past the first compaction: still exact.
        for r in 0..3 {
            for i in 0..DISTINCT_EXACT as u64 - 1 {
                d.insert(hash_bytes(i.to_string().as_bytes(), false));
            }
            assert_eq!(d.len(), DISTINCT_EXACT as u64 - 1, "round {r}");
        }
        assert!(d.hll.is_none());
        for i in 0..300_000u64 {
            d.insert(hash_bytes(i.to_string().as_bytes(), false));
        }
        let n = d.len() as f64;
        assert!((n - 300_000.0).abs() < 300_000.0 * 0.03, "{n}");
    }
}
