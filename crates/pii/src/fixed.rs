//! Fixed-width records (固定長): the exports of mainframes, AS/400s and COBOL batch jobs
//! that Japanese core systems still write, and that lie on file shares and servers beside
//! the CSVs. A record is a line of one width, each field at its place, padded with spaces
//! (full-width `　` in kanji fields), with no delimiter; numbers often abut (`2` `19800412`
//! `5030105`: sex code, birth date, postal code). As free text almost nothing in them is
//! found: no keyword, no boundary between the fields.
//!
//! The layout is inferred from the first lines. Written by hand: no crate infers one, and
//! pandas' `read_fwf` finds only columns of spaces between fields, which abutting fields lack.
//! 1. The width: nearly all lines equally wide, counted as the file's encoding counts
//!    ([`Metric`]: Shift_JIS bytes, a kanji two and ASCII or half-width kana one; EUC-JP;
//!    UTF-8 bytes; characters).
//! 2. Zones of ASCII and of Japanese characters, cut where the characters at a place change
//!    in most lines; places where a field seems to start: a character in most lines where the
//!    place before is padding in many, or in none.
//! 3. The fields: per zone, the cut into fields whose values validate (a name, an address,
//!    an email, a phone, a postal code, a date, a passport number, a sex code) that covers
//!    most of it; what no such field covers is left as fields of unknown content.
//!
//! The records are then the rows of a [`Table`] (its header found as in a CSV, when the
//! first line is one), its columns named by their places in the record (`8-27`: the first and
//! the last, counted as in 1.). A line of another width (a title, a trailer) is text. A text
//! whose first lines give no such layout, or one with no field of a person, is no table of
//! fixed width.

use crate::table::Table;
use crate::tally::Tally;
use crate::{text, value};
use kizuki_core::Category;

/// Lines read to infer the layout (of the first chunk): enough to see a field that few
/// records fill (the passport numbers of one customer in a thousand).
const SAMPLE_LINES: usize = 4096;
/// Values of a field validated at most to judge it (the first ones filled, after those of
/// lines with a character where few have one: at most [`MAX_RARE`]).
const JUDGED: usize = 256;
const MAX_RARE: usize = 512;
/// No offset: a place inside a wide character.
const INSIDE: u32 = u32::MAX;
/// Lines needed at least.
const MIN_LINES: usize = 8;
/// Record widths considered.
const MIN_WIDTH: usize = 16;
const MAX_WIDTH: usize = 1024;
/// Field lengths of values of one length, written without padding (sex code, postal code,
/// date, passport number, My Number). Phone numbers are of two lengths, so padded: a field
/// of them ends where the next one starts; ten digits out of a longer number (a timestamp's
/// `0312101010`) would often make a phone number.
const FIXED_LENGTHS: [usize; 5] = [1, 7, 8, 9, 12];
/// Places where a field seems to start that a field from one place may end at: the next ones.
const MAX_ENDS: usize = 8;
/// Values validated at most to infer a layout (about a second on hostile lines, whose every
/// place seems to start a field; a few hundredths on records).
const MAX_CHECKS: usize = 2_000_000;

/// How a record's width counts a character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Metric {
    /// Shift_JIS (CP932) bytes: ASCII and half-width katakana one, the rest two.
    Sjis,
    /// EUC-JP bytes: ASCII one, the rest two (half-width katakana too, with its `SS2`).
    Euc,
    /// UTF-8 bytes.
    Utf8,
    /// Characters (UTF-16 code units, for the characters of the BMP).
    Chars,
}

impl Metric {
    const ALL: [Metric; 4] = [Metric::Sjis, Metric::Euc, Metric::Utf8, Metric::Chars];

    fn width(self, c: char) -> usize {
        match self {
            Metric::Sjis if c.is_ascii() || ('\u{FF61}'..='\u{FF9F}').contains(&c) => 1,
            Metric::Euc if c.is_ascii() => 1,
            Metric::Sjis | Metric::Euc => 2,
            Metric::Utf8 => c.len_utf8(),
            Metric::Chars => 1,
        }
    }

    /// [`Self::line_width`] of `l` in each metric of [`Self::ALL`], in one pass.
    fn widths(l: &str) -> [usize; 4] {
        let (mut sjis, mut euc, mut chars) = (0, 0, 0);
        for c in l.chars() {
            sjis += Metric::Sjis.width(c);
            euc += Metric::Euc.width(c);
            chars += 1;
        }
        [sjis, euc, l.len(), chars]
    }

    fn line_width(self, l: &str) -> usize {
        match self {
            Metric::Utf8 => l.len(),
            _ => l.chars().map(|c| self.width(c)).sum(),
        }
    }

    /// The width of the character led by `b[i]`, and its length in bytes.
    #[inline]
    fn step(self, b: &[u8], i: usize) -> (usize, usize) {
        let x = b.get(i).copied().unwrap_or(0);
        if x < 0x80 {
            return (1, 1);
        }
        let len = match x {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0.. => 4,
            _ => 1,
        };
        let w = match self {
            Metric::Utf8 => len,
            Metric::Chars => 1,
            Metric::Euc => 2,
            // Half-width katakana, U+FF61..=U+FF9F: `EF BD A1`..=`EF BE 9F`.
            Metric::Sjis => match (x, b.get(i + 1), b.get(i + 2)) {
                (0xEF, Some(0xBD), Some(0xA1..=0xBF)) | (0xEF, Some(0xBE), Some(0x80..=0x9F)) => 1,
                _ => 2,
            },
        };
        (w, len)
    }

    /// The byte offsets in `line` of the places `starts` (ascending, the first 0) and of
    /// its end, into `out`, in one pass over its bytes (it runs for every record); `false`
    /// when the line is not `width` wide or a place falls inside a character.
    fn offsets(self, line: &str, starts: &[usize], width: usize, out: &mut Vec<usize>) -> bool {
        out.clear();
        let b = line.as_bytes();
        let (mut i, mut pos, mut k) = (0, 0, 0);
        let mut next = starts.first().copied().unwrap_or(usize::MAX);
        while i < b.len() {
            if pos >= next {
                if pos > next {
                    return false;
                }
                out.push(i);
                k += 1;
                next = starts.get(k).copied().unwrap_or(usize::MAX);
                continue;
            }
            let (w, len) = self.step(b, i);
            pos += w;
            i += len;
        }
        if pos != width {
            return false;
        }
        // Fields empty at the end.
        while next == pos {
            out.push(b.len());
            k += 1;
            next = starts.get(k).copied().unwrap_or(usize::MAX);
        }
        out.push(b.len());
        k == starts.len()
    }
}

/// What a place in a line holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Pad,
    Ascii,
    Japanese,
    /// The rest of a wide character that starts before.
    Rest,
}

/// A record layout: the width and the fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    metric: Metric,
    width: usize,
    /// Where each field starts (the first at 0); a field runs to the next one's start.
    starts: Vec<usize>,
    /// What each field was found to hold, for a table without a header ([`Table::fixed`]).
    hints: Vec<Option<Category>>,
    /// The records follow one another without line ends ([`infer_unlined`]).
    unlined: bool,
}

impl Layout {
    /// The columns' names: their first and last places, from 1 (`8-27`).
    fn names(&self) -> Vec<String> {
        self.starts
            .iter()
            .enumerate()
            .map(|(k, s)| {
                let end = self.starts.get(k + 1).copied().unwrap_or(self.width);
                format!("{}-{}", s + 1, end)
            })
            .collect()
    }

    /// What cuts the text into records, when they follow one another without line ends.
    pub fn framer(&self) -> Option<Framer> {
        self.unlined.then(|| Framer::new(self.metric, self.width))
    }
}

/// The lines of the head of a text, as read for the layout.
struct Sample<'a> {
    lines: Vec<&'a str>,
    /// Per line: the byte offset of each place where a character starts ([`INSIDE`] inside
    /// a wide character), and of the end.
    offs: Vec<Vec<u32>>,
    /// Per line: what each place holds.
    classes: Vec<Vec<Class>>,
    /// The lines in the order their values are judged, the first `rare` ones all.
    order: Vec<usize>,
    rare: usize,
}

impl<'a> Sample<'a> {
    fn new(lines: Vec<&'a str>, metric: Metric, width: usize) -> Self {
        let mut offs = Vec::with_capacity(lines.len());
        let mut classes = Vec::with_capacity(lines.len());
        for l in &lines {
            let mut o = vec![INSIDE; width + 1];
            let mut cl = vec![Class::Pad; width];
            let mut pos = 0;
            for (i, c) in l.char_indices() {
                let w = metric.width(c);
                let class = match c {
                    ' ' | '\u{3000}' => Class::Pad,
                    c if c.is_ascii() => Class::Ascii,
                    _ => Class::Japanese,
                };
                if let Some(slot) = o.get_mut(pos) {
                    *slot = u32::try_from(i).unwrap_or(INSIDE);
                }
                for k in 0..w {
                    if let Some(slot) = cl.get_mut(pos + k) {
                        *slot = if k == 0 || class == Class::Pad {
                            class
                        } else {
                            Class::Rest
                        };
                    }
                }
                pos += w;
            }
            if let Some(slot) = o.get_mut(width) {
                *slot = u32::try_from(l.len()).unwrap_or(INSIDE);
            }
            offs.push(o);
            classes.push(cl);
        }
        let order = (0..lines.len()).collect();
        Sample {
            lines,
            offs,
            classes,
            order,
            rare: 0,
        }
    }

    /// The trimmed value of line `r` between places `from` and `to`; `None` when either
    /// falls inside a character.
    fn cell(&self, r: usize, from: usize, to: usize) -> Option<&'a str> {
        let o = self.offs.get(r)?;
        let (a, b) = (*o.get(from)?, *o.get(to)?);
        if a == INSIDE || b == INSIDE {
            return None;
        }
        Some(value::trim(self.lines.get(r)?.get(a as usize..b as usize)?))
    }

    /// Lines in which a character starts at place `p` (or the record ends there).
    fn aligned(&self, p: usize) -> usize {
        self.offs
            .iter()
            .filter(|o| o.get(p).is_some_and(|x| *x != INSIDE))
            .count()
    }
}

/// What a field's values were found to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Label {
    Cat(Category),
    Date,
    SexCode,
}

/// Whether the values of a field between `from` and `to` validate, and as what: most of
/// them (60 %) one category; a field holding values in few lines needs two at least; the
/// values of rare lines and the first [`JUDGED`] others decide. With the label, the per
/// mille of the values that validate. Zeros alone (`00000000`) are no value: mainframes
/// write them for a date or a code left blank.
fn label(s: &Sample, from: usize, to: usize) -> Option<(Label, usize)> {
    let mut filled = 0;
    let mut votes: Vec<(Label, usize)> = Vec::new();
    let (mut ones, mut twos, mut codes, mut changes) = (0, 0, 0, 0);
    let mut last = None;
    for (k, &r) in s.order.iter().enumerate() {
        if filled >= JUDGED && k >= s.rare {
            break;
        }
        // A value cut inside a character is no value of this field.
        let Some(c) = s.cell(r, from, to) else {
            filled += 1;
            continue;
        };
        if to - from == 1 && !c.is_empty() {
            filled += 1;
            changes += usize::from(last.is_some_and(|l| l != c));
            last = Some(c);
            match c {
                "1" => ones += 1,
                "2" => twos += 1,
                "0" | "9" => codes += 1,
                _ => {}
            }
            continue;
        }
        if c.bytes().all(|b| b == b'0') {
            continue;
        }
        filled += 1;
        let l = match value::classify_cell(c) {
            Some(cat) => Some(Label::Cat(cat)),
            None if value::date(c).is_some() => Some(Label::Date),
            None => None,
        };
        if let Some(l) = l {
            match votes.iter_mut().find(|v| v.0 == l) {
                Some(v) => v.1 += 1,
                None => votes.push((l, 1)),
            }
        }
    }
    if filled < 2 {
        return None;
    }
    if to - from == 1 {
        // Sex codes (ISO 5218): both sexes among them, nearly all 1 or 2 and the rest 0 or 9
        // (a header's letter aside), changing from record to record (not a digit of numbers
        // counted up: `00010100`, `00010200`).
        let ok = (ones + twos) * 10 >= filled * 9
            && ones * 20 >= filled
            && twos * 20 >= filled
            && (ones + twos + codes) * 50 >= filled * 49
            && changes * 5 >= filled;
        return ok.then_some((Label::SexCode, (ones + twos) * 1000 / filled));
    }
    let (l, k) = votes.into_iter().max_by_key(|v| v.1)?;
    (k * 10 >= filled * 6).then_some((l, k * 1000 / filled))
}

/// Lines read first, to tell whether a text is of one width.
const FIRST_LINES: usize = 64;

/// The whole lines of `head`, line ends and empty lines left out.
fn lines_of(head: &str) -> impl Iterator<Item = &str> {
    head.trim_start_matches('\u{feff}')
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .map(|l| l.trim_end_matches(['\n', '\r']))
        .filter(|l| !l.is_empty())
}

/// The metric and width that nearly all of `lines` have (without tabs: a TSV's lines are
/// no records of fixed width), if any.
fn first_width(lines: &[&str]) -> Option<(Metric, usize)> {
    if lines.len() < MIN_LINES
        || lines.iter().filter(|l| l.contains('\t')).count() * 10 > lines.len()
    {
        return None;
    }
    // Every line's width in every metric, in one pass over its characters (this runs on the
    // head of every text, most of them no records: four passes were most of its time).
    let widths: Vec<[usize; 4]> = lines.iter().map(|l| Metric::widths(l)).collect();
    Metric::ALL.into_iter().enumerate().find_map(|(k, m)| {
        // The width nine lines in ten have, if one does: the majority (a vote), counted.
        let (mut mode, mut votes) = (0, 0usize);
        for w in &widths {
            if votes == 0 {
                (mode, votes) = (w[k], 1);
            } else if w[k] == mode {
                votes += 1;
            } else {
                votes -= 1;
            }
        }
        let same = widths.iter().filter(|w| w[k] == mode).count();
        (same * 10 >= widths.len() * 9 && (MIN_WIDTH..=MAX_WIDTH).contains(&mode))
            .then_some((m, mode))
    })
}

/// Whether the first lines of `head` are of one width, or too few to tell: records of
/// fixed width, maybe, whose layout is better inferred from more lines than a head holds.
pub fn one_width(head: &str) -> bool {
    let lines: Vec<&str> = lines_of(head).take(FIRST_LINES).collect();
    lines.len() < MIN_LINES || first_width(&lines).is_some()
}

/// Infers the layout of the records at the head of a text; `None` when its lines are no
/// records of one width with a field of a person.
pub fn infer(head: &str) -> Option<Layout> {
    let mut all = lines_of(head);
    // The first lines decide at little cost whether the text is of one width (most are not).
    let mut lines: Vec<&str> = all.by_ref().take(FIRST_LINES).collect();
    let (metric, width) = first_width(&lines)?;
    lines.extend(all.take(SAMPLE_LINES - lines.len()));
    let same = lines
        .iter()
        .filter(|l| metric.line_width(l) == width)
        .count();
    if same * 10 < lines.len() * 9 {
        return None;
    }
    lines.retain(|l| metric.line_width(l) == width);
    let mut s = Sample::new(lines, metric, width);
    let n = s.lines.len();
    // Per place: lines with a character starting there, with any character there (the rest
    // of a wide one too), with an ASCII character there.
    let mut starts = vec![0usize; width];
    let mut filled = vec![0usize; width];
    let mut ascii = vec![0usize; width];
    for cl in &s.classes {
        for (p, c) in cl.iter().enumerate() {
            match c {
                Class::Pad => continue,
                Class::Ascii => {
                    ascii[p] += 1;
                    starts[p] += 1;
                }
                Class::Japanese => starts[p] += 1,
                Class::Rest => {}
            }
            filled[p] += 1;
        }
    }
    // Lines with a character at a place few lines fill come first in the values judged: a
    // field few records fill, or what follows a field in them (a passport number after an
    // e-mail), is judged by them. The rarest first: the lines of a field few records fill
    // before those of a long address's last places.
    let rarity: Vec<usize> = s
        .classes
        .iter()
        .map(|cl| {
            cl.iter()
                .zip(&filled)
                .filter(|(c, _)| **c != Class::Pad)
                .map(|(_, f)| *f)
                .min()
                .unwrap_or(n)
        })
        .collect();
    let mut rare: Vec<usize> = (0..n).filter(|r| rarity[*r] * 20 <= n).collect();
    rare.sort_by_key(|r| (rarity[*r], *r));
    rare.truncate(MAX_RARE);
    let mut first = vec![false; n];
    for r in &rare {
        first[*r] = true;
    }
    s.rare = rare.len();
    s.order = rare;
    s.order.extend((0..n).filter(|r| !first[*r]));
    let aligned: Vec<bool> = (0..=width).map(|p| s.aligned(p) * 100 >= n * 99).collect();
    // Zones: places of ASCII and of Japanese characters; a place few lines fill belongs to
    // the zone before it (the end of a long field).
    let mut zones: Vec<(usize, bool)> = Vec::new();
    for p in 0..width {
        if filled[p] * 10 < n || !aligned[p] {
            continue;
        }
        let is_ascii = ascii[p] * 2 > filled[p];
        match zones.last() {
            Some(z) if z.1 == is_ascii => {}
            _ => zones.push((if zones.is_empty() { 0 } else { p }, is_ascii)),
        }
    }
    if zones.is_empty() {
        return None;
    }
    // Places where a field seems to start: most lines have a character where the place
    // before is padding in many, or some lines have one where nearly no line has one before
    // (a field few records fill after one that is never full).
    let cut: Vec<bool> = (0..width)
        .map(|p| {
            p > 0
                && aligned[p]
                && (starts[p] * 10 >= n * 3 && filled[p - 1] + n / 4 <= starts[p]
                    || filled[p - 1] * 200 <= n && starts[p] >= 2 && starts[p] > 2 * filled[p - 1])
        })
        .collect();
    let mut fields: Vec<(usize, Option<Label>)> = Vec::new();
    let mut budget = MAX_CHECKS / n.max(1);
    for (k, &(zs, is_ascii)) in zones.iter().enumerate() {
        let ze = zones.get(k + 1).map_or(width, |z| z.0);
        fields.extend(cut_zone(
            &s,
            (zs, ze),
            is_ascii,
            (&aligned, &cut),
            &mut budget,
        ));
    }
    // A name field whose values repeat as a code's do (one value in every record of a
    // repeating pattern: `]uﾗ]uﾗ…`) holds no persons.
    for k in 0..fields.len() {
        let to = fields.get(k + 1).map_or(width, |f| f.0);
        if let (from, Some(Label::Cat(c))) = fields[k] {
            let cells: Vec<&str> = (0..s.lines.len())
                .filter_map(|r| s.cell(r, from, to))
                .filter(|c| !c.is_empty())
                .collect();
            if crate::table::names_unlike_persons(c, &cells) {
                fields[k].1 = None;
            }
        }
    }
    let person = fields
        .iter()
        .any(|f| matches!(f.1, Some(Label::Cat(c)) if crate::table::identifies(c)));
    if !person {
        return None;
    }
    let hints = hints(&s, &fields, width);
    Some(Layout {
        metric,
        width,
        starts: fields.iter().map(|f| f.0).collect(),
        hints,
        unlined: false,
    })
}

/// Places of a text without line ends compared to find its records' width.
const PERIOD_PLACES: usize = 16 * 1024;
/// Places compared first for every shift ([`periods`]).
const ROUGH_PLACES: usize = 2048;
/// Bytes of a text's head without a line end for it to be a text without line ends.
const UNLINED_HEAD: usize = 64 * 1024;

/// Infers the layout of records that follow one another without line ends (a mainframe's
/// data set copied as it is, `RECFM=F`; a batch job's output written with no line end),
/// as [`infer`] does for lines once the text is cut at a width [`periods`] finds.
pub fn infer_unlined(head: &str) -> Option<Layout> {
    let start = head.trim_start_matches('\u{feff}');
    let first = &start[..crate::scan::floor_boundary(start, UNLINED_HEAD)];
    // A line end in the head (other than at its very end): lines, not such records.
    if first.trim_end_matches(['\n', '\r']).contains('\n') {
        return None;
    }
    // The likeliest two (the same records counted in another metric score a little less).
    periods(start)
        .into_iter()
        .take(2)
        .find_map(|(metric, width)| {
            let mut framer = Framer::new(metric, width);
            // Enough of the text for the lines the layout is inferred from (a place is at most
            // three bytes of UTF-8: a half-width katakana counted as one Shift_JIS byte).
            let sample = &start[..crate::scan::floor_boundary(start, SAMPLE_LINES * width * 3)];
            let layout = infer(&framer.frame(sample))?;
            (layout.metric == metric && layout.width == width).then_some(Layout {
                unlined: true,
                ..layout
            })
        })
}

/// What each place of `text` holds, for [`periods`], at most `most` places: padding, a
/// digit, another ASCII character, the start of a wide character, the rest of one.
fn place_classes(text: &str, metric: Metric, most: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(most);
    for c in text.chars() {
        if out.len() >= most {
            break;
        }
        let class = match c {
            ' ' | '\u{3000}' => 0,
            '0'..='9' => 1,
            c if c.is_ascii() => 2,
            _ => 3,
        };
        out.push(class);
        for _ in 1..metric.width(c) {
            out.push(if class == 0 { 0 } else { 4 });
        }
    }
    out.truncate(most);
    out
}

/// The metrics and widths records that follow one another may have, the likeliest first:
/// per metric, the shift at which the places of the head hold the same kind of character
/// most often (the smallest such shift: its multiples do as well), if it stands out from
/// the others. Records' fields sit at the same places, so most places repeat at the
/// record's width (seven in eight in generated customer records, whose names, addresses and
/// e-mails vary in length); in prose, CSV or base64 no shift stands out (at most a third of
/// the places more than the mean), in a log's lines glued together hardly.
fn periods(text: &str) -> Vec<(Metric, usize)> {
    let mut found: Vec<(usize, Metric, usize)> = Vec::new();
    for metric in Metric::ALL {
        let cls = place_classes(text, metric, PERIOD_PLACES + MAX_WIDTH);
        // Enough places for MIN_LINES records at least.
        let widest = (cls.len() / MIN_LINES).min(MAX_WIDTH);
        if widest < MIN_WIDTH {
            continue;
        }
        // Per mille of places holding what the place a width before holds, over `most`
        // places at most.
        let score = |w: usize, most: usize| {
            let n = (cls.len() - w).min(most);
            let (a, b) = (
                cls.get(..n).unwrap_or(&[]),
                cls.get(w..w + n).unwrap_or(&[]),
            );
            same_places(a, b) * 1000 / n.max(1)
        };
        // Every shift over the first places, then those near the best over all of them
        // (records: the width's multiples; a tenth of the work when the shifts differ).
        let rough: Vec<usize> = (MIN_WIDTH..=widest)
            .map(|w| score(w, ROUGH_PLACES))
            .collect();
        let rough_top = rough.iter().copied().max().unwrap_or(0);
        let mean = rough.iter().sum::<usize>() / rough.len().max(1);
        let near: Vec<(usize, usize)> = (MIN_WIDTH..=widest)
            .zip(&rough)
            .filter(|(_, r)| **r + 100 >= rough_top)
            .map(|(w, _)| (w, score(w, PERIOD_PLACES)))
            .collect();
        let top = near.iter().map(|n| n.1).max().unwrap_or(0);
        if top < 700 || top < mean + 300 {
            continue;
        }
        // Its multiples score about as well (a few records' comparisons more or less); other
        // shifts, even one place off, a tenth less at least.
        if let Some(&(w, _)) = near.iter().find(|n| n.1 + 40 >= top) {
            found.push((top, metric, w));
        }
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().map(|(_, m, w)| (m, w)).collect()
}

/// The places where `a` and `b` hold the same, eight at a time (the count over every
/// shift is most of the cost of [`periods`]; a byte at a time, a test's debug build took 57 ms
/// for ten records). Per byte lane, a 1 where the places differ, summed over up to 255
/// words before the lanes are added up (plain adds, which the compiler turns into vector
/// ones).
fn same_places(a: &[u8], b: &[u8]) -> usize {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let word = |c: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        u64::from_le_bytes(w)
    };
    let n = a.len().min(b.len());
    let (a, b) = (a.get(..n).unwrap_or(&[]), b.get(..n).unwrap_or(&[]));
    let mut differ = 0;
    for (xa, ya) in a.chunks(8 * 255).zip(b.chunks(8 * 255)) {
        let (mut xs, mut ys) = (xa.chunks_exact(8), ya.chunks_exact(8));
        let mut lanes = 0u64;
        for (x, y) in (&mut xs).zip(&mut ys) {
            let v = word(x) ^ word(y);
            // The high bit of each byte that is not zero, moved to the lane's low bit.
            lanes += ((((v & LOW7) + LOW7) | v) & !LOW7) >> 7;
        }
        differ += lanes
            .to_le_bytes()
            .iter()
            .map(|l| usize::from(*l))
            .sum::<usize>();
        differ += xs
            .remainder()
            .iter()
            .zip(ys.remainder())
            .filter(|(x, y)| x != y)
            .count();
    }
    n - differ
}

/// Cuts records that follow one another into lines of a text, a line end after each; a
/// record cut by the end of a chunk is kept for the next one.
pub struct Framer {
    metric: Metric,
    width: usize,
    /// Places of the record read so far.
    pos: usize,
    /// The record cut by the end of the last chunk.
    rest: String,
}

impl Framer {
    /// Records of `width` places of `metric`, from the start of a text.
    fn new(metric: Metric, width: usize) -> Self {
        Framer {
            metric,
            width,
            pos: 0,
            rest: String::new(),
        }
    }

    /// The records of `chunk` (after the one cut before it), a line each.
    pub fn frame(&mut self, chunk: &str) -> String {
        let mut out = String::with_capacity(self.rest.len() + chunk.len() * 9 / 8 + 2);
        out.push_str(&self.rest);
        self.rest.clear();
        let b = chunk.as_bytes();
        let (mut i, mut from) = (0, 0);
        while i < b.len() {
            let (w, len) = self.metric.step(b, i);
            i += len;
            self.pos += w;
            if self.pos >= self.width {
                // A wide character over the record's end (no record of this layout): this
                // line is wider, the next one narrower, and the records after are in step.
                out.push_str(chunk.get(from..i).unwrap_or(""));
                out.push('\n');
                from = i;
                self.pos -= self.width;
            }
        }
        self.rest.push_str(chunk.get(from..).unwrap_or(""));
        out
    }

    /// What follows the last whole record (a cut record, a line end, an end-of-file mark).
    pub fn finish(&mut self) -> String {
        self.pos = 0;
        std::mem::take(&mut self.rest)
    }
}

/// What the fields hold, as a table without a header takes it (the layout saw more lines
/// than the table classifies its columns by: a field few records fill): the categories the
/// fields validated as, sex codes, and of the dates,
/// the passport's issue date (the one nearest the passport number of those from 1990 on
/// that are only where a passport number is: some records lack the date) and the birth
/// date (the earliest of the rest, born before 2010 in the middle); other dates (an
/// update's, an order's) are no person's.
fn hints(s: &Sample, fields: &[(usize, Option<Label>)], width: usize) -> Vec<Option<Category>> {
    let end = |k: usize| fields.get(k + 1).map_or(width, |f| f.0);
    let filled = |k: usize| -> Vec<bool> {
        (0..s.lines.len())
            .map(|r| {
                s.cell(r, fields[k].0, end(k))
                    .is_some_and(|c| !c.bytes().all(|b| b == b'0'))
            })
            .collect()
    };
    let passport_at = fields
        .iter()
        .position(|f| f.1 == Some(Label::Cat(Category::PassportNumber)));
    let passport = passport_at.map(filled);
    let mut issue: Option<(usize, i32)> = None;
    let mut hints: Vec<Option<Category>> = fields
        .iter()
        .map(|f| match f.1 {
            Some(Label::SexCode) => Some(Category::Gender),
            // `男`/`女`, `M`/`F`: the table's own check takes them.
            Some(Label::Cat(Category::Gender)) | Some(Label::Date) | None => None,
            Some(Label::Cat(c)) => Some(c),
        })
        .collect();
    let mut dates: Vec<(usize, i32)> = Vec::new();
    for (k, f) in fields.iter().enumerate() {
        if f.1 != Some(Label::Date) {
            continue;
        }
        let mut years: Vec<i32> = (0..s.lines.len())
            .filter_map(|r| s.cell(r, f.0, end(k)).and_then(value::date))
            .map(|d| d.0)
            .collect();
        years.sort_unstable();
        let year = years.get(years.len() / 2).copied().unwrap_or(0);
        let with_passport = passport.as_ref().is_some_and(|p| {
            let mine = filled(k);
            let dates = mine.iter().filter(|d| **d).count();
            let alone = mine.iter().zip(p).filter(|(d, p)| **d && !**p).count();
            alone * 10 <= dates
        });
        let near = |k: usize| passport_at.map_or(0, |p| k.abs_diff(p));
        if with_passport && year >= 1990 && issue.is_none_or(|i| near(k) < near(i.0)) {
            if let Some(other) = issue.replace((k, year)) {
                dates.push(other);
            }
        } else {
            dates.push((k, year));
        }
    }
    if let Some((i, _)) = issue {
        hints[i] = Some(Category::PassportIssueDate);
    }
    if let Some(&(k, year)) = dates.iter().min_by_key(|d| d.1)
        && year < 2010
    {
        hints[k] = Some(Category::BirthDate);
    }
    hints
}

/// The fields of the zone between `zs` and `ze`: the cut whose validated fields cover the
/// most places, each weighted by the share of its values that validate (a phone and the
/// email after it, abutting, validate better apart than as one email), then the fewest
/// fields (a name whole rather than its family and given names apart); places between them
/// form fields of unknown content, cut where a field seems to start.
/// `budget`: fields whose values may still be validated (when none is left, the rest of the
/// record is of unknown content).
fn cut_zone(
    s: &Sample,
    (zs, ze): (usize, usize),
    is_ascii: bool,
    (aligned, cut): (&[bool], &[bool]),
    budget: &mut usize,
) -> Vec<(usize, Option<Label>)> {
    // best[p - zs]: (places covered, in thousandths, -fields) of the best cut up to p, and
    // how it got there.
    type Step = (usize, Option<Label>);
    let len = ze - zs;
    let mut best: Vec<Option<((usize, isize), Step)>> = vec![None; len + 1];
    best[0] = Some(((0, 0), (zs, None)));
    let ends_at = |p: usize| p == ze || (p < ze && aligned.get(p).copied().unwrap_or(false));
    for i in zs..ze {
        let Some((score, step)) = best[i - zs] else {
            continue;
        };
        if !ends_at(i) {
            continue;
        }
        // A field of any length starts where one seems to, or after one that validated; of
        // one length, anywhere.
        let may_start = i == zs || cut.get(i).copied().unwrap_or(false) || step.1.is_some();
        let mut offer = |j: usize, sc: (usize, isize), step: Step| {
            let slot = &mut best[j - zs];
            if slot.is_none_or(|(old, _)| sc > old) {
                *slot = Some((sc, step));
            }
        };
        // A place of unknown content.
        if let Some(j) = (i + 1..=ze).find(|j| ends_at(*j)) {
            offer(j, score, (i, None));
        }
        // A field from here to a place where another seems to start, to the zone's end, or
        // of a length written without padding.
        let mut ends: Vec<usize> = Vec::new();
        if may_start {
            ends.extend((i + 1..ze).filter(|j| cut[*j]).take(MAX_ENDS));
            ends.push(ze);
        }
        if is_ascii {
            ends.extend(FIXED_LENGTHS.iter().map(|l| i + l).filter(|j| *j < ze));
        }
        ends.sort_unstable();
        ends.dedup();
        for j in ends {
            if !ends_at(j) || *budget == 0 {
                continue;
            }
            *budget -= 1;
            if let Some((l, per_mille)) = label(s, i, j) {
                offer(
                    j,
                    (score.0 + (j - i) * per_mille, score.1 - 1),
                    (i, Some(l)),
                );
            }
        }
    }
    // Back from the end: validated fields, and runs of unknown places cut where a field
    // seems to start.
    let mut steps = Vec::new();
    let mut p = ze;
    while p > zs {
        let Some((_, step)) = best[p - zs] else {
            break;
        };
        steps.push(step);
        p = step.0;
    }
    steps.reverse();
    let mut fields: Vec<(usize, Option<Label>)> = Vec::new();
    for (from, l) in steps {
        let open = matches!(fields.last(), Some((_, None)));
        if l.is_some() || !open || cut.get(from).copied().unwrap_or(false) {
            fields.push((from, l));
        }
    }
    fields
}

/// `s` without the padding around it (spaces and `　`), by its bytes: nearly every field
/// is padded, and the general trim goes the slow way for a value ending in a space.
fn unpad(s: &str) -> &str {
    let b = s.as_bytes();
    let (mut from, mut to) = (0, b.len());
    loop {
        match b.get(from..to) {
            Some([b' ', ..]) => from += 1,
            Some([0xE3, 0x80, 0x80, ..]) => from += 3,
            _ => break,
        }
    }
    loop {
        match b.get(from..to) {
            Some([.., b' ']) => to -= 1,
            Some([.., 0xE3, 0x80, 0x80]) => to -= 3,
            _ => break,
        }
    }
    // Cut at whole characters (ASCII spaces and U+3000 only).
    s.get(from..to).unwrap_or(s)
}

/// The records of a text of fixed width, read as rows of a table.
pub struct Fixed {
    layout: Layout,
    /// The rows' table.
    pub table: Table,
    offsets: Vec<usize>,
}

impl Fixed {
    /// A reader of records of `layout`.
    pub fn new(layout: Layout) -> Self {
        let table = Table::fixed(layout.names(), layout.hints.clone());
        Fixed {
            layout,
            table,
            offsets: Vec::new(),
        }
    }

    /// Reads lines of records (a line of another width is text).
    pub fn read(&mut self, chunk: &str, tally: &mut Tally) {
        let mut cells: Vec<&str> = Vec::with_capacity(self.layout.starts.len());
        for line in crate::scan::lines_inclusive(chunk) {
            let l = line.strip_suffix('\n').unwrap_or(line);
            let l = l.strip_suffix('\r').unwrap_or(l);
            if l.is_empty() {
                continue;
            }
            let (m, width) = (self.layout.metric, self.layout.width);
            if !m.offsets(l, &self.layout.starts, width, &mut self.offsets) {
                text::scan(l, tally);
                continue;
            }
            cells.clear();
            cells.extend(
                self.offsets
                    .windows(2)
                    .map(|w| l.get(w[0]..w[1]).map_or("", |c| value::trim(unpad(c)))),
            );
            self.table.push(&cells, tally);
        }
    }
}

/// Chunks of records read apart once the columns are classified: nothing carries over.
impl crate::spread::Reader for Fixed {
    fn fork(&self) -> Option<Self> {
        Some(Fixed {
            layout: self.layout.clone(),
            table: self.table.fork()?,
            offsets: Vec::new(),
        })
    }

    fn takes(&self, _fork: &Self) -> bool {
        true
    }

    fn read(&mut self, chunk: &str, tally: &mut Tally) {
        Fixed::read(self, chunk, tally);
    }

    fn join(&mut self, fork: Self, counted: Tally, tally: &mut Tally) {
        self.table.records += fork.table.records;
        tally.merge(counted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Item;
    use crate::scan::{Options, Scanner};
    use crate::synth::{Form, persons_text};
    use std::collections::BTreeMap;

    #[test]
    fn widths_in_one_pass_are_each_metrics_width() {
        for l in [
            "",
            "abc  123\n",
            "ﾔﾏﾀﾞ ﾀﾛｳ  山田　太郎 0312345678\r\n",
            "𠮷野家 ①② é",
        ] {
            let w = Metric::widths(l);
            for (k, m) in Metric::ALL.into_iter().enumerate() {
                assert_eq!(w[k], m.line_width(l), "{m:?} {l:?}");
            }
        }
    }

    /// The categories and columns `kizuki pii scan` reports for `data` named `name`.
    fn scan(name: &str, data: &[u8]) -> (BTreeMap<Category, u64>, Vec<(String, Category)>) {
        let mut counts = BTreeMap::new();
        let mut columns = Vec::new();
        for item in Scanner::new(Options::default()).scan_bytes(name, data) {
            match item {
                Item::Found(r) => {
                    counts.extend(r.categories);
                    columns.extend(r.columns.0);
                }
                Item::Failed { path, error } => panic!("{path}: {error}"),
            }
        }
        (counts, columns)
    }

    /// A pattern repeated without line ends (a test file of `X`s read as Base64 gives
    /// `]uﾗ` over and over, in Shift_JIS) has the period of records and a half-width
    /// kana where a name could be: one value in every record is no person's name.
    #[test]
    fn a_repeated_pattern_is_no_records_of_persons() {
        for unit in [&b"]u\xD7"[..], b"AB\xB1\xB2 ", b"\x83\x89\x83\x80,,"] {
            let data = unit.repeat(300_000 / unit.len());
            let (counts, columns) = scan("x.txt", &data);
            assert!(counts.is_empty(), "{unit:?}: {counts:?} {columns:?}");
        }
    }

    #[test]
    fn a_mainframe_export_is_read_by_its_fields() {
        let (text, truth) = persons_text(5, 400, Form::Fixed);
        let layout = infer(&text).expect("a layout");
        let names = layout.names();
        let (counts, columns) = scan("customers.dat", text.as_bytes());
        assert_eq!(counts, truth, "{names:?} {columns:?}");
    }

    /// A field that few records fill (passports: one customer in a hundred here, fewer in
    /// the reference incident) is found by the lines of the whole first chunk: its values
    /// count, and the e-mails before it stay whole.
    #[test]
    fn a_field_few_records_fill_is_found() {
        let (text, mut truth) = persons_text(8, 4000, Form::Fixed);
        let mut sparse = String::new();
        let mut kept = 0;
        let mut out = Vec::new();
        // The passport number and issue date: places 211..228 of 242.
        for (i, line) in text.split_inclusive("\r\n").enumerate() {
            let body = line.trim_end_matches("\r\n");
            assert!(Metric::Sjis.offsets(body, &[0, 211, 228], 242, &mut out));
            let (a, b) = (out[1], out[2]);
            if i % 100 == 0 || body[a..b].trim().is_empty() {
                kept += usize::from(!body[a..b].trim().is_empty());
                sparse.push_str(line);
            } else {
                sparse.push_str(&format!(
                    "{}{}{}\r\n",
                    &body[..a],
                    " ".repeat(17),
                    &body[b..]
                ));
            }
        }
        assert!(kept >= 8, "{kept}");
        truth.insert(Category::PassportNumber, kept as u64);
        truth.insert(Category::PassportIssueDate, kept as u64);
        let (counts, columns) = scan("customers.dat", sparse.as_bytes());
        assert_eq!(counts, truth, "{columns:?}");
    }

    /// `s` padded with spaces to `width` places counted as Shift_JIS counts them.
    fn pad(s: &str, width: usize) -> String {
        let w = Metric::Sjis.line_width(s);
        format!("{s}{}", " ".repeat(width.saturating_sub(w)))
    }

    /// A header line of the same width names the columns (and decides them, as in a CSV;
    /// the layout decides those it names no category of: `S`, `発行日`); a title above and a
    /// trailer below, of other widths, are text.
    #[test]
    fn a_header_names_the_columns_and_other_lines_are_text() {
        let (text, mut truth) = persons_text(6, 300, Form::Fixed);
        let header: String = [
            ("顧客番号", 8),
            ("氏名", 24),
            ("カナ", 20),
            ("S", 1),
            ("生年月日", 8),
            ("ZIP", 7),
            ("住所", 80),
            ("電話番号", 13),
            ("メールアドレス", 50),
            ("旅券番号", 9),
            ("発行日", 8),
            ("更新日時", 14),
        ]
        .iter()
        .map(|(h, w)| pad(h, *w))
        .collect();
        let file = format!(
            "顧客マスタ抽出 2024/03/31 照会 taro.yamada@example.jp\r\n{header}\r\n{text}TRAILER 300\r\n"
        );
        *truth.entry(Category::Email).or_insert(0) += 1;
        let (counts, columns) = scan("customers.dat", file.as_bytes());
        assert_eq!(counts, truth, "{columns:?}");
        for (h, c) in [
            ("氏名", Category::NameKanji),
            ("カナ", Category::NameKana),
            ("生年月日", Category::BirthDate),
            ("メールアドレス", Category::Email),
            ("旅券番号", Category::PassportNumber),
            ("S", Category::Gender),
            ("発行日", Category::PassportIssueDate),
        ] {
            assert!(columns.contains(&(h.to_string(), c)), "{h}: {columns:?}");
        }
    }

    /// Lines of one width that hold no records of persons have no layout, and are read as
    /// text: a hex dump of a persons CSV, a price list, prose wrapped at a width.
    #[test]
    fn other_texts_of_one_width_have_no_layout() {
        let (csv, _) = persons_text(7, 50, Form::Csv);
        let mut dump = String::new();
        for (k, chunk) in csv.as_bytes().chunks(16).enumerate() {
            let hex: Vec<String> = chunk
                .chunks(2)
                .map(|p| p.iter().map(|b| format!("{b:02x}")).collect())
                .collect();
            let ascii: String = chunk
                .iter()
                .map(|b| {
                    if b.is_ascii_graphic() {
                        char::from(*b)
                    } else {
                        '.'
                    }
                })
                .collect();
            dump.push_str(&format!(
                "{:08x}: {:<40} {ascii:<16}\n",
                k * 16,
                hex.join(" ")
            ));
        }
        let mut prices = String::new();
        for i in 0..40 {
            let item = ["特選米", "緑茶", "煎餅", "羊羹", "最中"][i % 5];
            prices.push_str(&format!("A{i:05}{}{:08}\r\n", pad(item, 20), 120 * (i + 1)));
        }
        let sentence = "本日の会議では次期システムの移行計画と運用体制について議論した。";
        let prose: String = sentence
            .repeat(20)
            .chars()
            .collect::<Vec<_>>()
            .chunks(30)
            .map(|c| format!("{}\n", c.iter().collect::<String>()))
            .collect();
        for (name, text) in [
            ("dump.txt", &dump),
            ("prices.dat", &prices),
            ("minutes.txt", &prose),
        ] {
            assert_eq!(infer(text), None, "{name}");
        }
    }

    /// Records that follow one another without line ends (a data set copied as it is) are
    /// read as the same records with them, in every encoding the records keep their width.
    #[test]
    fn records_without_line_ends_are_cut_at_their_width() {
        let (text, truth) = persons_text(9, 600, Form::Fixed);
        let glued = text.replace("\r\n", "");
        let layout = infer_unlined(&glued).expect("a layout");
        assert_eq!((layout.metric, layout.width), (Metric::Sjis, 242));
        assert_eq!(Some(layout.starts), infer(&text).map(|l| l.starts));
        for enc in [
            encoding_rs::SHIFT_JIS,
            encoding_rs::EUC_JP,
            encoding_rs::UTF_8,
        ] {
            let lined = scan("customers.dat", &crate::decode::encode(enc, &text));
            let unlined = scan("customers.dat", &crate::decode::encode(enc, &glued));
            assert_eq!(lined.0, truth, "{}", enc.name());
            assert_eq!(unlined, lined, "{}", enc.name());
        }
        // A cut record at the end is text (its address is found); an end-of-file mark is
        // nothing.
        let cut = format!("{glued}{}\u{1a}", &glued[..120]);
        let (counts, _) = scan(
            "customers.dat",
            &crate::decode::encode(encoding_rs::SHIFT_JIS, &cut),
        );
        assert!(
            counts[&Category::Address] > truth[&Category::Address],
            "{counts:?}"
        );
    }

    /// The records cut from a text do not depend on where its chunks end; a wide character
    /// over a record's end gives one line wider and one narrower, and the next in step.
    #[test]
    fn records_are_cut_alike_whatever_the_chunks() {
        let (text, _) = persons_text(10, 60, Form::Fixed);
        let glued = text.replace("\r\n", "");
        let framer = || Framer::new(Metric::Sjis, 242);
        let mut whole = framer();
        let all = whole.frame(&glued) + &whole.finish();
        assert_eq!(all.replace('\n', "\r\n"), text);
        let mut rng = kizuki_core::rng::Rng::new(4);
        for _ in 0..20 {
            let mut f = framer();
            let (mut out, mut at) = (String::new(), 0);
            while at < glued.len() {
                let mut to = (at + 1 + rng.below(3000) as usize).min(glued.len());
                while !glued.is_char_boundary(to) {
                    to += 1;
                }
                out.push_str(&f.frame(&glued[at..to]));
                at = to;
            }
            out.push_str(&f.finish());
            assert_eq!(out, all);
        }
        let mut f = Framer::new(Metric::Sjis, 3);
        assert_eq!(f.frame("ab漢cdefgh"), "ab漢\ncd\nefg\n");
        assert_eq!(f.finish(), "h");
    }

    /// Texts without line ends that are no records: prose, a CSV and a log glued together,
    /// base64.
    #[test]
    fn other_texts_without_line_ends_have_no_layout() {
        let sentence = "本日の会議では次期システムの移行計画と運用体制について議論した。";
        let (csv, _) = persons_text(11, 300, Form::Csv);
        let (log, _) = persons_text(12, 300, Form::Logs);
        let mut rng = kizuki_core::rng::Rng::new(5);
        let b64: String = (0..100_000)
            .map(|_| {
                let a = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                char::from(a[rng.below(64) as usize])
            })
            .collect();
        for (name, text) in [
            ("prose", sentence.repeat(400)),
            ("csv", csv.replace(['\r', '\n'], "")),
            ("log", log.replace(['\r', '\n'], "")),
            ("base64", b64),
        ] {
            assert_eq!(infer_unlined(&text), None, "{name}");
        }
    }

    #[test]
    fn padding_is_cut_off() {
        for (s, want) in [
            ("山田　太郎　　 ", "山田　太郎"),
            ("  TK1234567 ", "TK1234567"),
            ("　", ""),
            ("", ""),
            ("ｱ ", "ｱ"),
        ] {
            assert_eq!(unpad(s), want, "{s:?}");
        }
    }

    /// A layout's cut lands inside a wide character of a line: that line is text.
    #[test]
    fn places_inside_a_character_are_no_cut() {
        let mut out = Vec::new();
        assert!(Metric::Sjis.offsets("ab山田cd", &[0, 2, 6], 8, &mut out));
        assert_eq!(out, [0, 2, 8, 10]);
        assert!(!Metric::Sjis.offsets("ab山田cd", &[0, 3], 8, &mut out));
        assert!(!Metric::Sjis.offsets("ab山田cd", &[0, 2, 6], 9, &mut out));
        assert!(Metric::Sjis.offsets("ｱｲ山", &[0, 1, 2], 4, &mut out));
        assert_eq!(out, [0, 3, 6, 9]);
        assert!(Metric::Euc.offsets("ｱｲ山", &[0, 2, 4], 6, &mut out));
        assert!(Metric::Utf8.offsets("ab山田", &[0, 2, 5], 8, &mut out));
        assert_eq!(out, [0, 2, 5, 8]);
        assert!(Metric::Sjis.offsets("ab", &[0, 2], 2, &mut out));
        assert_eq!(out, [0, 2, 2]);
        assert!(Metric::Chars.offsets("山田太郎", &[0, 2], 4, &mut out));
        assert_eq!(out, [0, 6, 12]);
    }
}
