//! Counting what one object holds, and the report printed for it.

use std::collections::{BTreeMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};

use kizuki_core::report::Style;
use kizuki_core::{Category, Report, Text, mask};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// Samples kept per category.
pub const SAMPLES: usize = 3;
/// Distinct values remembered per category for the persons estimate (memory cap: the
/// estimate is a lower bound beyond it).
pub const DISTINCT_CAP: usize = 1 << 20;

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

fn idx(c: Category) -> usize {
    Category::ALL.iter().position(|x| *x == c).unwrap_or(0)
}

/// Counts, samples and distinct values of one object.
#[derive(Debug)]
pub struct Tally {
    cats: CatSet,
    counts: [u64; 14],
    samples: [Vec<String>; 14],
    distinct: [HashSet<u64>; 14],
    hasher: std::collections::hash_map::RandomState,
}

fn tracks_distinct(c: Category) -> bool {
    matches!(
        c,
        Category::Email
            | Category::Phone
            | Category::NameKanji
            | Category::NameKana
            | Category::NameRomaji
            | Category::PassportNumber
            | Category::MyNumber
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
            hasher: std::collections::hash_map::RandomState::new(),
        }
    }

    /// Is `c` wanted?
    pub fn wants(&self, c: Category) -> bool {
        self.cats.has(c)
    }

    /// Counts one value. `key` is its normalised form for the distinct count.
    pub fn add(&mut self, c: Category, value: &str, key: &str) {
        if !self.cats.has(c) {
            return;
        }
        let i = idx(c);
        self.counts[i] += 1;
        let v = value.trim();
        if self.samples[i].len() < SAMPLES && !self.samples[i].iter().any(|s| s == v) {
            self.samples[i].push(v.to_string());
        }
        if tracks_distinct(c) && self.distinct[i].len() < DISTINCT_CAP {
            let mut h = self.hasher.build_hasher();
            key.hash(&mut h);
            self.distinct[i].insert(h.finish());
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

    /// Builds the report; samples are masked unless `reveal`.
    pub fn report(
        self,
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
            .iter()
            .map(|d| d.len() as u64)
            .max()
            .unwrap_or(0);
        let persons_estimate = if distinct > 0 {
            distinct
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
            columns: Columns(columns),
            samples,
            persons_estimate,
        }
    }
}

/// Header -> category, in column order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns(pub Vec<(String, Category)>);

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
#[derive(Clone, Debug, Serialize)]
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
    /// numbers: the largest of them).
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
