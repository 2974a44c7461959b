//! JSON documents as API responses and NoSQL exports hold them (`[{…},{…}]`,
//! `{"customers":[{…}]}`, pretty-printed or on one line): the objects that are elements of an
//! array are records, counted as the rows of a table whose columns are their keys (nested
//! keys as `a.b`, array elements as `a.0`). Everything outside the records is free text.
//!
//! The document is split into records by a byte-level tokenizer that only tracks strings and
//! brackets, as the text streams by; each record is then parsed by serde_json. serde_json's
//! own streaming reads whole top-level values only, and a document is one value of any size.
//! Caps: records over [`MAX_RECORD`] bytes and anything nested over [`MAX_DEPTH`] go to the
//! text scanner instead.

use kizuki_core::Category;

use crate::spread::Spread;
use crate::table::Table;
use crate::tally::Tally;
use crate::text;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;

/// The largest record parsed as one; larger ones are scanned as text.
pub const MAX_RECORD: usize = 1 << 20;
/// Brackets deeper than this are not tracked (the rest is scanned as text).
pub const MAX_DEPTH: usize = 64;
/// Text outside records is scanned in pieces of about this size.
const OUTSIDE_PIECE: usize = 64 * 1024;
/// A document without records and at most this size is read as one record (a single object).
const SINGLE_RECORD: usize = 1 << 20;
/// Nesting taken apart inside a record (`a.b.c.d`); deeper values are scanned as text.
const FLATTEN_DEPTH: usize = 6;

/// Records gathered before they are read: about this many bytes, a chunk for
/// [`crate::spread`].
#[cfg(not(test))]
const RECORDS_CHUNK: usize = 1 << 20;
#[cfg(test)]
const RECORDS_CHUNK: usize = 16 << 10;

/// The state of a JSON document being read.
#[derive(Default)]
pub struct Json {
    /// Open brackets (`{` or `[`).
    stack: Vec<u8>,
    in_str: bool,
    esc: bool,
    /// The depth at which the record being read opened.
    rec_depth: Option<usize>,
    /// The record read so far; `spilled` when it outgrew [`MAX_RECORD`] (its bytes then go to
    /// the text scanner).
    rec: String,
    spilled: bool,
    /// Text outside records not scanned yet.
    outside: String,
    /// Whether any outside text was scanned already (the document is then no single record).
    scanned_outside: bool,
    /// Deeper than [`MAX_DEPTH`]: no more tracking; the rest is text.
    lost: bool,
    /// What the records count into.
    pub(crate) recs: Records,
    /// Records closed and not read yet, each as `LEN:` and its bytes (a netstring).
    batch: String,
    /// Batches of records read on every thread, once the table's columns are classified.
    pub(crate) spread: Option<Spread<Records>>,
    /// Data rows of the rows of values (their header excluded), known at [`Json::finish`].
    pub row_records: u64,
    /// Objects seen at the top level; from the second on, each is a record (objects written
    /// one after the other, pretty-printed: `jq .` of JSON Lines).
    top_objects: u64,
    /// The last string outside records (up to [`MAX_KEY`] bytes): the key of an object that
    /// opens in an object. `key_from`: where it started in the current piece while open.
    key: String,
    key_from: Option<usize>,
    /// The records were ended ([`Json::finish_records`]).
    finished: bool,
}

/// Files found encoded in base64 in the values of records (an attachment's `contentBytes` in
/// a mail API's export, a `data:` URI), held until the reader of the text scans them as files
/// of their own: at most one chunk's worth (or a batch's, for chunks read apart).
#[derive(Debug, Default)]
pub(crate) struct Encoded {
    /// Records read: the number of the record a file is found in.
    pub records: u64,
    /// Each file: the record it is in, its name (a sibling `name` or `filename` value, else
    /// its key) and its bytes.
    pub files: Vec<(u64, String, Vec<u8>)>,
}

/// `名簿.csv`, `data.tar.gz`: a name with an extension of one to five letters or digits.
fn is_file_name(n: &str) -> bool {
    n.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.trim().is_empty()
            && (1..=5).contains(&ext.len())
            && ext.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

impl Encoded {
    /// One more record, `found` the files in its values and `fields` its other fields.
    pub fn record(&mut self, fields: &Fields<'_>, found: Vec<(String, Vec<u8>)>) {
        self.records += 1;
        for (key, data) in found {
            // A file name beside the value (`attachments.0.name`), not a record's `name` (a
            // person's, which a path would show unmasked).
            let parent = key.rfind('.').map_or("", |i| &key[..=i]);
            let name = [
                "filename",
                "fileName",
                "file_name",
                "FileName",
                "name",
                "Name",
            ]
            .iter()
            .filter(|n| !parent.is_empty() || n.len() > 4)
            .find_map(|n| {
                fields
                    .iter()
                    .find(|(k, _)| k.strip_prefix(parent) == Some(n))
                    .map(|(_, v)| v.to_string())
            })
            .filter(|n| is_file_name(n))
            .unwrap_or_else(|| key.clone());
            self.files
                .push((self.records, crate::msg::member_name(&name), data));
        }
    }

    /// Takes in what a fork found in the records that follow these.
    pub fn join(&mut self, other: Encoded) {
        let before = self.records;
        self.files
            .extend(other.files.into_iter().map(|(r, n, d)| (before + r, n, d)));
        self.records += other.records;
    }
}

/// Keys longer than this are no record ids.
const MAX_KEY: usize = 128;

/// Whether an object's key names a record rather than a field: an id as Firebase writes
/// them (`-Mk3xQ…`, user ids of letters and digits) or PHP's `json_encode` of a keyed array
/// (`"1"`, `"1007"`), or an e-mail; not a word (`"address"`, `"settings"`). One word without
/// a digit is taken for a field.
fn id_like(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY
        && !key.bytes().any(|b| b.is_ascii_whitespace() || b == b'\\')
        && (key.starts_with('-') || key.bytes().any(|b| b.is_ascii_digit() || b == b'@'))
}

impl Json {
    /// Records handed to the table (all of them once the document is finished).
    pub fn records(&self) -> u64 {
        self.recs.records
    }

    /// Reads the next piece of the document.
    pub fn chunk(&mut self, chunk: &str, table: &mut Table, tally: &mut Tally) {
        if self.lost {
            self.settle(table, tally);
            text::scan(chunk, tally);
            return;
        }
        let b = chunk.as_bytes();
        // Start of the bytes not yet handed to the record or the outside text.
        let mut from = 0;
        let mut i = 0;
        while i < b.len() {
            let x = b[i];
            if self.in_str {
                if self.esc {
                    // The character after a backslash (which may end the previous piece).
                    self.esc = false;
                    i += 1;
                    continue;
                }
                // The next quote or backslash ends the run inside the string.
                match memchr::memchr2(b'"', b'\\', &b[i..]) {
                    None => {
                        i = b.len();
                        continue;
                    }
                    Some(k) => i += k,
                }
                if b[i] == b'\\' {
                    self.esc = true;
                } else {
                    self.in_str = false;
                    if let Some(k) = self.key_from.take() {
                        self.take_key(&chunk[k..i]);
                    }
                }
                i += 1;
                continue;
            }
            match x {
                b'"' => {
                    self.in_str = true;
                    if self.rec_depth.is_none() {
                        self.key.clear();
                        self.key_from = Some(i + 1);
                    }
                }
                b'{' | b'[' => {
                    if self.stack.len() >= MAX_DEPTH {
                        self.give_up(&chunk[from..], table, tally);
                        return;
                    }
                    if x == b'{' && self.stack.is_empty() {
                        self.push_outside(&chunk[from..i], table, tally);
                        from = i;
                        self.top_object(table, tally);
                    }
                    // A record: an object or array in an array, or an object under an id in
                    // an object (`"users": {"-Mk3xQ": {…}}`).
                    if self.rec_depth.is_none()
                        && match self.stack.last() {
                            Some(b'[') => true,
                            Some(b'{') => x == b'{' && id_like(&self.key),
                            _ => false,
                        }
                    {
                        self.push_outside(&chunk[from..i], table, tally);
                        from = i;
                        self.rec_depth = Some(self.stack.len());
                    }
                    self.stack.push(x);
                }
                b'}' | b']' => {
                    self.stack.pop();
                    if self.rec_depth == Some(self.stack.len()) {
                        self.push_record(&chunk[from..=i], table, tally);
                        from = i + 1;
                        self.end_record(table, tally);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        if let Some(k) = self.key_from {
            // A string open at the end of the piece: what there is of it, the rest next.
            self.take_key(&chunk[k..]);
            self.key_from = Some(0);
        }
        let rest = &chunk[from..];
        if self.rec_depth.is_some() {
            self.push_record(rest, table, tally);
        } else {
            self.push_outside(rest, table, tally);
        }
    }

    /// Adds a piece of the string being read outside records to [`Json::key`]; a string
    /// over [`MAX_KEY`] bytes is marked by one byte past the cap (no id is that long).
    fn take_key(&mut self, s: &str) {
        if self.key.len() + s.len() <= MAX_KEY {
            self.key.push_str(s);
        } else if self.key.len() <= MAX_KEY {
            self.key.clear();
            self.key.push_str(&" ".repeat(MAX_KEY + 1));
        }
    }

    /// An object starts at the top level. The second one makes the document a sequence of
    /// objects: the first, if it gave no records and its text is still held, becomes one, and
    /// this one and the next are read as records.
    fn top_object(&mut self, table: &mut Table, tally: &mut Tally) {
        self.top_objects += 1;
        if self.top_objects < 2 {
            return;
        }
        if self.top_objects == 2 {
            self.settle(table, tally);
        }
        if self.top_objects == 2 && self.recs.records == 0 && !self.scanned_outside {
            let first = std::mem::take(&mut self.outside);
            if matches!(serde_json::from_str::<Value>(&first), Ok(Value::Object(_))) {
                self.rec = first;
                self.end_record(table, tally);
            } else {
                text::scan(&first, tally);
                self.scanned_outside = true;
            }
        }
        self.rec_depth = Some(0);
    }

    /// The end of the document: the columns of its rows of values (its records' columns are
    /// `table`'s).
    pub fn finish(&mut self, table: &mut Table, tally: &mut Tally) -> Vec<(String, Category)> {
        self.finish_records(table, tally);
        let cols = self.recs.rows.finish(tally);
        self.row_records = self.recs.rows.records;
        cols
    }

    /// Ends the records (an unclosed one is text; a lone object is one record). Twice is once.
    pub(crate) fn finish_records(&mut self, table: &mut Table, tally: &mut Tally) {
        if self.finished {
            return;
        }
        self.finished = true;
        self.settle(table, tally);
        if self.rec_depth.is_some() {
            // An unclosed record: what there is of it is text.
            let rec = std::mem::take(&mut self.rec);
            text::scan(&rec, tally);
        }
        let outside = std::mem::take(&mut self.outside);
        // A lone object (`{"name": …, "email": …}`): one record.
        if self.recs.records == 0
            && self.recs.rows_pushed == 0
            && !self.scanned_outside
            && outside.len() <= SINGLE_RECORD
            && let Ok(Value::Object(_)) = serde_json::from_str::<Value>(&outside)
        {
            self.rec = outside;
            self.end_record(table, tally);
            self.settle(table, tally);
            return;
        }
        text::scan(&outside, tally);
    }

    fn push_outside(&mut self, s: &str, table: &mut Table, tally: &mut Tally) {
        self.outside.push_str(s);
        if self.outside.len() >= OUTSIDE_PIECE {
            self.settle(table, tally);
            // Cut after a line so that a value is not split (a line over the piece is cut
            // where it is).
            let cut = memchr::memrchr(b'\n', self.outside.as_bytes())
                .map_or(self.outside.len(), |k| k + 1);
            text::scan(&self.outside[..cut], tally);
            self.outside.drain(..cut);
            self.scanned_outside = true;
        }
    }

    fn push_record(&mut self, s: &str, table: &mut Table, tally: &mut Tally) {
        if self.spilled {
            text::scan(s, tally);
            return;
        }
        if self.rec.len() + s.len() > MAX_RECORD {
            self.settle(table, tally);
            let rec = std::mem::take(&mut self.rec);
            text::scan(&rec, tally);
            text::scan(s, tally);
            self.spilled = true;
            return;
        }
        self.rec.push_str(s);
    }

    /// A record has closed: it joins the batch of records to be read (now, or on every
    /// thread once the batch is full).
    fn end_record(&mut self, table: &mut Table, tally: &mut Tally) {
        self.rec_depth = None;
        let spilled = std::mem::take(&mut self.spilled);
        if spilled {
            self.rec.clear();
            return;
        }
        self.batch.push_str(&self.rec.len().to_string());
        self.batch.push(':');
        self.batch.push_str(&self.rec);
        self.rec.clear();
        if self.batch.len() >= RECORDS_CHUNK {
            self.read_batch(table, tally);
        }
    }

    /// Hands the batch of records to the reader of records (`table` is the table of their
    /// fields).
    fn read_batch(&mut self, table: &mut Table, tally: &mut Tally) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        let spread = self
            .spread
            .get_or_insert_with(|| Spread::with_threads(crate::spread::threads()));
        std::mem::swap(table, &mut self.recs.table);
        spread.read(&mut self.recs, std::borrow::Cow::Owned(batch), tally);
        std::mem::swap(table, &mut self.recs.table);
    }

    /// Reads every record closed so far, so that what is counted next comes after them (as
    /// one thread counts it: the samples are the first values in the document's order).
    fn settle(&mut self, table: &mut Table, tally: &mut Tally) {
        self.read_batch(table, tally);
        if let Some(spread) = &mut self.spread {
            std::mem::swap(table, &mut self.recs.table);
            spread.flush(&mut self.recs, tally);
            std::mem::swap(table, &mut self.recs.table);
        }
    }

    /// Nested too deep: what is buffered and the rest of the document are text.
    fn give_up(&mut self, rest: &str, table: &mut Table, tally: &mut Tally) {
        self.settle(table, tally);
        let rec = std::mem::take(&mut self.rec);
        if !self.spilled {
            text::scan(&rec, tally);
        }
        let outside = std::mem::take(&mut self.outside);
        text::scan(&outside, tally);
        text::scan(rest, tally);
        self.scanned_outside = true;
        self.rec_depth = None;
        self.lost = true;
    }
}

/// What the records of a document count into: the table of objects' fields (the caller's,
/// swapped in while records are read), the rows of arrays of values, the files encoded in
/// values. Records are read in batches (netstrings, [`Json::end_record`]), on every thread
/// once the table's columns are classified ([`crate::spread`]): a fork reads objects only,
/// and one that meets anything else (an array of values, a record that does not parse) or a
/// new key leaves its batch to be read in order.
#[derive(Default)]
pub(crate) struct Records {
    table: Table,
    /// Arrays of values inside an array (`"values": [["氏名", "電話"], ["山田 太郎", …]]`, as
    /// spreadsheet APIs return a sheet): rows by position, the header found as a CSV's is.
    rows: Table,
    /// Rows handed to `rows`.
    rows_pushed: u64,
    /// Records handed to the table.
    records: u64,
    /// Files found in base64 in the records' values, to be scanned.
    pub(crate) encoded: Encoded,
    /// For a fork: the keys its table knew when forked; and whether it met a record it does
    /// not read apart.
    keys: Option<usize>,
    spoiled: bool,
}

impl Records {
    /// One record's text.
    fn record(&mut self, rec: &str, tally: &mut Tally) {
        let mut found = Vec::new();
        if let Some(fields) = object_fields(rec, &mut found, tally) {
            self.encoded.record(&fields, found);
            self.table.push_named(fields, tally);
            self.records += 1;
            return;
        }
        if self.keys.is_some() {
            self.spoiled = true;
            return;
        }
        match serde_json::from_str::<Value>(rec) {
            Ok(Value::Array(items)) if items.iter().all(|v| !v.is_object() && !v.is_array()) => {
                let row: Vec<String> = items
                    .into_iter()
                    .map(|v| match v {
                        Value::String(s) => s,
                        Value::Null => String::new(),
                        v => v.to_string(),
                    })
                    .collect();
                self.rows.push(&row, tally);
                self.rows_pushed += 1;
            }
            _ => text::scan(rec, tally),
        }
    }
}

impl crate::spread::Reader for Records {
    fn fork(&self) -> Option<Self> {
        Some(Records {
            table: self.table.fork()?,
            keys: Some(self.table.key_count()),
            ..Records::default()
        })
    }

    fn takes(&self, fork: &Self) -> bool {
        !fork.spoiled
            && fork
                .keys
                .is_some_and(|k| k == self.table.key_count() && k == fork.table.key_count())
    }

    /// Reads a batch of records, each `LEN:` and its bytes.
    fn read(&mut self, chunk: &str, tally: &mut Tally) {
        let mut rest = chunk;
        while let Some((n, tail)) = rest.split_once(':') {
            let Some(rec) = n.parse::<usize>().ok().and_then(|n| tail.get(..n)) else {
                return;
            };
            rest = &tail[rec.len()..];
            self.record(rec, tally);
            if self.spoiled {
                return;
            }
        }
    }

    fn join(&mut self, fork: Self, counted: Tally, tally: &mut Tally) {
        self.table.records += fork.table.records;
        self.records += fork.records;
        self.encoded.join(fork.encoded);
        tally.merge(counted);
    }
}

/// A record's value as fields: scalars under their key, objects' fields as `key.sub`, array
/// elements as `key.0`, `key.1`; anything deeper than [`FLATTEN_DEPTH`] is scanned as text.
pub(crate) fn flatten(
    key: String,
    v: Value,
    depth: usize,
    fields: &mut Vec<(String, String)>,
    files: &mut Vec<(String, Vec<u8>)>,
    tally: &mut Tally,
) {
    match v {
        Value::String(s) => match crate::b64::value_bytes(&s) {
            Some(data) => files.push((key, data)),
            None => fields.push((key, s)),
        },
        Value::Number(n) => fields.push((key, n.to_string())),
        Value::Bool(_) | Value::Null => {}
        Value::Object(map) if depth < FLATTEN_DEPTH => {
            for (k, v) in map {
                flatten(format!("{key}.{k}"), v, depth + 1, fields, files, tally);
            }
        }
        Value::Array(items) if depth < FLATTEN_DEPTH => {
            for (n, v) in items.into_iter().enumerate() {
                flatten(format!("{key}.{n}"), v, depth + 1, fields, files, tally);
            }
        }
        deep => text::scan(&deep.to_string(), tally),
    }
}

/// The fields of `text` when it is one JSON object, as [`flatten`] gives them for the object
/// parsed as a [`Value`] (its keys in order, the last of duplicates), without building the
/// `Value`: keys and string values are borrowed from `text` unless they hold an escape, and
/// only nested objects and arrays are parsed as values. Values that are files in base64
/// ([`crate::b64::value_bytes`]) go to `files` (key, bytes) instead of the fields. `None`:
/// not an object (or not JSON).
/// A record of a JSON Lines export or of a document runs through this once; building the
/// map and a string per key and value was over half of reading one.
pub(crate) fn object_fields<'a>(
    text: &'a str,
    files: &mut Vec<(String, Vec<u8>)>,
    tally: &mut Tally,
) -> Option<Fields<'a>> {
    let Object(mut entries) = serde_json::from_str::<Object<'a>>(text).ok()?;
    // A map's order, the last value of a key kept (a stable sort keeps duplicates in order).
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut fields = Vec::with_capacity(entries.len());
    let mut it = entries.into_iter().peekable();
    while let Some((k, v)) = it.next() {
        if it.peek().is_some_and(|(next, _)| *next == k) {
            continue;
        }
        match v {
            Scalar::Text(s) => match crate::b64::value_bytes(&s) {
                Some(data) => files.push((k.into_owned(), data)),
                None => fields.push((k, s)),
            },
            Scalar::Skip => {}
            Scalar::Nested(v) => {
                let mut nested = Vec::new();
                flatten(k.into_owned(), v, 1, &mut nested, files, tally);
                fields.extend(
                    nested
                        .into_iter()
                        .map(|(k, v)| (Cow::Owned(k), Cow::Owned(v))),
                );
            }
        }
    }
    Some(fields)
}

/// A record's fields: key (`a.b` when nested) and value.
pub(crate) type Fields<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// A JSON object's entries as written.
struct Object<'a>(Vec<(Cow<'a, str>, Scalar<'a>)>);

/// An object's value: text (strings and numbers), nothing (`null`, booleans), or a nested
/// object or array.
enum Scalar<'a> {
    Text(Cow<'a, str>),
    Skip,
    Nested(Value),
}

/// A string, borrowed when it holds no escape.
struct Str<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Object<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Object<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object<'de>, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(16).min(64));
                while let Some(Str(k)) = map.next_key::<Str<'de>>()? {
                    entries.push((k, map.next_value::<Scalar<'de>>()?));
                }
                Ok(Object(entries))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Text(Cow::Owned(s)))
            }
            // Numbers as `Value` prints them.
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Text(Cow::Owned(n.to_string())))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Text(Cow::Owned(n.to_string())))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Scalar<'de>, E> {
                Ok(match serde_json::Number::from_f64(n) {
                    Some(n) => Scalar::Text(Cow::Owned(n.to_string())),
                    None => Scalar::Skip,
                })
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Skip)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Skip)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Scalar<'de>, A::Error> {
                Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Scalar::Nested)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Scalar<'de>, A::Error> {
                Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Scalar::Nested)
            }
        }
        d.deserialize_any(V)
    }
}

/// Whether a text that starts with `[` or `{` (after white space) looks like a JSON document:
/// the next token must be what JSON allows there (`[section]` of an INI file and `[INFO]` of
/// a log do not).
pub fn looks_like(head: &str) -> bool {
    let mut it = head.trim_start_matches('\u{feff}').trim_start().chars();
    let open = it.next();
    let next = it.find(|c| !c.is_whitespace());
    match (open, next) {
        (Some('{'), Some('"' | '}')) => true,
        // Not a number: `[2024-03-31 10:00] …` starts many logs.
        (Some('['), Some('{' | '[' | '"' | ']')) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::CatSet;

    #[test]
    fn object_fields_are_the_parsed_values_fields() {
        // What the record reader replaced: the whole record as a `Value`.
        let by_value = |l: &str, t: &mut Tally| match serde_json::from_str::<Value>(l) {
            Ok(Value::Object(map)) => {
                let mut f = Vec::new();
                for (k, v) in map {
                    flatten(k, v, 1, &mut f, &mut Vec::new(), t);
                }
                Some(f)
            }
            _ => None,
        };
        let mut lines: Vec<String> = [
            r#"{"b":1,"a":"x","b":"y"}"#,
            r#"{"name":"\u5c71\u7530 \u592a\u90ce","k\"ey":"v\n","tel":"090-1234-5678"}"#,
            r#"{"n":1.5e3,"m":-0,"big":12345678901234567890,"huge":123456789012345678901234,"f":0.1}"#,
            r#"{"ok":true,"none":null,"neg":-42,"e":"taro@example.jp"}"#,
            r#"{"n":{"z":1,"a":[1,{"b":"山田 太郎"}]},"a":[]}"#,
            r#"{"d":{"d":{"d":{"d":{"d":{"tel":"090-1234-5678"}}}}}}"#,
            r#"{"x":{"y":1},"x":"plain","x":{"z":"080-2345-6789"}}"#,
            r#"[1,2]"#,
            r#""str""#,
            r#"{}"#,
            r#"  {"a":"1"}  "#,
            r#"{"a":1} {"b":2}"#,
            r#"{"a":}"#,
            r#"{"a":"x"#,
            r#"{"a":"\ud83d\ude00","b":"\ud800"}"#,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let (jsonl, _) = crate::synth::persons_text(5, 200, crate::synth::Form::Jsonl);
        lines.extend(jsonl.lines().map(str::to_string));
        let mut rng = kizuki_core::rng::Rng::new(9);
        let bent: Vec<String> = lines
            .iter()
            .flat_map(|l| {
                (0..20)
                    .map(|_| {
                        String::from_utf8_lossy(&crate::synth::bend(&mut rng, l.as_bytes(), 2, 0.1))
                            .into_owned()
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        lines.extend(bent);
        let mut objects = 0;
        for l in &lines {
            let (mut a, mut b) = (Tally::new(CatSet::all()), Tally::new(CatSet::all()));
            let got = object_fields(l, &mut Vec::new(), &mut a).map(|f| {
                f.into_iter()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect::<Vec<_>>()
            });
            let want = by_value(l, &mut b);
            objects += usize::from(want.is_some());
            assert_eq!(got, want, "{l}");
            let report = |t: Tally| {
                serde_json::to_string(&t.report(String::new(), None, None, Vec::new(), true))
                    .unwrap_or_default()
            };
            assert_eq!(report(a), report(b), "{l}");
        }
        assert!(objects > 300, "{objects}");
    }

    fn read(doc: &str, piece: usize) -> (Table, Tally) {
        let mut table = Table::named();
        let mut tally = Tally::new(CatSet::all());
        let mut j = Json::default();
        for p in crate::pieces(doc, piece) {
            j.chunk(p, &mut table, &mut tally);
        }
        j.finish(&mut table, &mut tally);
        table.finish(&mut tally);
        assert_eq!(j.records(), table.records);
        (table, tally)
    }

    const DOC: &str = r#"{
  "exported": "2024-03-31",
  "customers": [
    {"id": 1, "name": "山田 太郎", "kana": "ヤマダ タロウ", "gender": "男",
     "birthday": "1980-04-01", "email": "taro@example.jp",
     "address": {"zip": "100-0001", "line": "東京都千代田区千代田1-1"},
     "phones": ["03-1234-5678", "090-1234-5678"], "note": "a } and a \" in a string"},
    {"id": 2, "name": "鈴木 花子", "kana": "スズキ ハナコ", "gender": "女",
     "birthday": "1985-12-31", "email": "hanako@example.jp",
     "address": {"zip": "530-0001", "line": "大阪府大阪市北区梅田1-1-1"},
     "phones": ["06-1234-5678"]}
  ],
  "contact": "担当 support@example.com"
}"#;

    #[test]
    fn records_are_the_objects_of_arrays_in_any_pieces() {
        for piece in [1, 7, 64, 1 << 20] {
            let (table, tally) = read(DOC, piece);
            assert_eq!(table.records, 2, "piece {piece}");
            crate::assert_counts(&tally, &crate::TWO_CUSTOMERS, &format!("piece {piece}"));
        }
    }

    /// The generator's API document: every planted value once (names split into `name.last`
    /// and `name.first` are joined, not counted twice), one record per person.
    #[test]
    fn a_generated_api_document_counts_every_value_once() {
        let (doc, truth) = crate::synth::persons_text(5, 200, crate::synth::Form::Json);
        let (table, tally) = read(&doc, 4096);
        assert_eq!(table.records, 200);
        for (c, n) in &truth {
            assert_eq!(tally.count(*c), *n, "{c}");
        }
        assert_eq!(tally.count(Category::NameKanji), 200);
    }

    /// The generator's document rewritten as a map keyed by id, as Firebase exports and PHP's
    /// `json_encode` of a keyed array write it (`{"users": {"-Mk0001": {…}, …}}`): a record
    /// per id, over the size read as one object too.
    #[test]
    fn maps_keyed_by_id_are_records() {
        for (n, piece) in [(200, 4096), (2_500, 65536)] {
            let (doc, truth) = crate::synth::persons_text(5, n, crate::synth::Form::Json);
            let Ok(Value::Object(mut top)) = serde_json::from_str::<Value>(&doc) else {
                panic!("generated document");
            };
            let Some(Value::Array(recs)) = top.remove("customers") else {
                panic!("customers");
            };
            let keyed: serde_json::Map<String, Value> = recs
                .into_iter()
                .enumerate()
                .map(|(i, r)| (format!("-Mk{i:05}xQ"), r))
                .collect();
            let doc = serde_json::to_string_pretty(&serde_json::json!({
                "users": keyed, "settings": {"theme": "dark", "limits": {"max": 10}}
            }))
            .unwrap_or_default();
            assert!(n < 1000 || doc.len() > SINGLE_RECORD, "{}", doc.len());
            let (table, tally) = read(&doc, piece);
            assert_eq!(table.records, n as u64, "{n}");
            for (c, want) in &truth {
                assert_eq!(tally.count(*c), *want, "{c}, {n}");
            }
            // PHP's numeric keys too, and the key itself is no field.
            let php = r#"{"data": {"1": {"name": "山田 太郎", "email": "taro@example.jp"},
                "7": {"name": "鈴木 花子", "email": "hanako@example.jp"}}}"#;
            let (table, tally) = read(php, 5);
            assert_eq!(table.records, 2);
            assert_eq!(tally.count(Category::NameKanji), 2);
            assert_eq!(tally.count(Category::Email), 2);
        }
    }

    /// Mail as Microsoft Graph exports it (`/me/messages`): each address an object of a name
    /// and an `address` beside it, under `from` and each recipient. The names are persons'
    /// (not e-mails, as the path's `emailAddress` would say), the `address` fields e-mails
    /// (not postal addresses, as the header alone would say), and a message holds a person for
    /// its sender and one for each recipient. The same in JSON Lines of `name` and `address`.
    #[test]
    fn mail_as_graph_exports_it_holds_its_senders_and_recipients() {
        let addr =
            |name: &str, a: &str| serde_json::json!({"emailAddress": {"name": name, "address": a}});
        let doc = serde_json::json!({"value": [
            {"subject": "会議", "from": addr("Yamada Taro", "taro.yamada@example.co.jp"),
                "toRecipients": [addr("Sato Hanako", "hanako.sato@example.co.jp")]},
            {"subject": "請求", "from": addr("Suzuki Ichiro", "ichiro@example.jp"),
                "toRecipients": [addr("Tanaka Jiro", "jiro.tanaka@example.jp")]}
        ]})
        .to_string();
        let items = crate::Scanner::default().scan_bytes("messages.json", doc.as_bytes());
        let Some(crate::Item::Found(r)) = items.first() else {
            panic!("{items:?}");
        };
        assert_eq!(r.categories.get(&Category::Email), Some(&4));
        assert_eq!(r.categories.get(&Category::NameRomaji), Some(&4));
        assert_eq!(
            r.columns.0.iter().find(|c| c.0 == "from.emailAddress.name"),
            Some(&("from.emailAddress.name".to_string(), Category::NameRomaji))
        );
        assert_eq!((r.records, r.persons_estimate), (Some(2), 4));
        // Without the names: still a sender and a recipient a message.
        let bare = doc.replace(r#""name":"#, r#""label":"#);
        let items = crate::Scanner::default().scan_bytes("messages.json", bare.as_bytes());
        let Some(crate::Item::Found(r)) = items.first() else {
            panic!("{items:?}");
        };
        assert_eq!((r.categories.len(), r.persons_estimate), (1, 4), "{r:?}");

        let lines = "{\"name\":\"Yamada Taro\",\"address\":\"taro.yamada@example.co.jp\"}\n\
            {\"name\":\"Sato Hanako\",\"address\":\"hanako.sato@example.co.jp\"}\n\
            {\"name\":\"Suzuki Ichiro\",\"address\":\"ichiro@example.jp\"}\n";
        let items = crate::Scanner::default().scan_bytes("contacts.jsonl", lines.as_bytes());
        let Some(crate::Item::Found(r)) = items.first() else {
            panic!("{items:?}");
        };
        assert_eq!(r.categories.get(&Category::Email), Some(&3));
        assert_eq!(r.categories.get(&Category::NameRomaji), Some(&3));
        assert_eq!(r.persons_estimate, 3);
        // A group's members (mail-parser's `Group.0.addresses.1.name`): names beside their
        // e-mails, no part of a postal address.
        let groups = r#"[{"Group": [{"name": "Staff", "addresses": [
            {"name": "Yamada Taro", "address": "taro@example.jp"},
            {"name": "Sato Hanako", "address": "hanako@example.jp"}]}]},
            {"Group": [{"name": "Sales", "addresses": [
            {"name": "Suzuki Ichiro", "address": "ichiro@example.jp"},
            {"name": "Tanaka Jiro", "address": "jiro@example.jp"},
            {"name": "", "address": "kenji@example.jp"}]}]}]"#;
        let items = crate::Scanner::default().scan_bytes("groups.json", groups.as_bytes());
        let Some(crate::Item::Found(r)) = items.first() else {
            panic!("{items:?}");
        };
        assert_eq!(r.categories.get(&Category::NameRomaji), Some(&4), "{r:?}");
        // (`Group.0.addresses.2.name` holds nothing: no address column either.)
        assert!(
            r.columns.0.iter().all(|(_, c)| *c != Category::Address),
            "{:?}",
            r.columns
        );
        // A shop's orders (Shopify's `shipping_address`): the recipient's name is a name,
        // no part of the address beside it.
        let orders = r#"[{"id": 1, "shipping_address": {"address1": "千代田1-1", "city": "千代田区",
            "name": "山田 太郎", "phone": "090-1234-5678", "province": "東京都", "zip": "100-0001"}},
            {"id": 2, "shipping_address": {"address1": "梅田1-1-3", "city": "大阪市北区",
            "name": "佐藤 花子", "phone": "080-2345-6789", "province": "大阪府", "zip": "530-0001"}}]"#;
        let items = crate::Scanner::default().scan_bytes("orders.json", orders.as_bytes());
        let Some(crate::Item::Found(r)) = items.first() else {
            panic!("{items:?}");
        };
        assert_eq!(r.categories.get(&Category::NameKanji), Some(&2), "{r:?}");
        assert_eq!(r.categories.get(&Category::Phone), Some(&2), "{r:?}");
        // Network addresses stay no one's.
        let hosts = "{\"host\":\"web1\",\"address\":\"10.0.0.1\"}\n\
            {\"host\":\"web2\",\"address\":\"10.0.0.2\"}\n";
        let items = crate::Scanner::default().scan_bytes("hosts.jsonl", hosts.as_bytes());
        assert!(items.is_empty(), "{items:?}");
    }

    /// Patients as FHIR holds them (HL7 FHIR R4 and JP Core, NDJSON of a bulk export and a
    /// Bundle): a name object for the kanji (`IDE`) and one for the reading (`SYL`), each
    /// with its `text`, `family` and `given` (an array). A patient is one person with one
    /// kanji name and one kana name; the name objects' `use` (`official`) and extension codes
    /// (`IDE`, a surname's spelling too) are no names.
    #[test]
    fn fhir_patients_are_persons_once_each() {
        let people = [
            (
                "山田",
                "太郎",
                "ヤマダ",
                "タロウ",
                "male",
                "1970-01-01",
                "0312345678",
            ),
            (
                "佐藤",
                "花子",
                "サトウ",
                "ハナコ",
                "female",
                "1985-05-20",
                "09012345678",
            ),
            (
                "鈴木",
                "一郎",
                "スズキ",
                "イチロウ",
                "male",
                "1990-12-03",
                "0667891234",
            ),
        ];
        let rep = |code: &str| {
            serde_json::json!([{"url":
            "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation", "valueCode": code}])
        };
        let patients: Vec<serde_json::Value> = people
            .iter()
            .enumerate()
            .map(|(i, (f, g, fk, gk, sex, born, tel))| {
                serde_json::json!({"resourceType": "Patient", "id": i.to_string(),
                    "name": [
                        {"extension": rep("IDE"), "use": "official", "text": format!("{f} {g}"),
                            "family": f, "given": [g]},
                        {"extension": rep("SYL"), "use": "official", "text": format!("{fk} {gk}"),
                            "family": fk, "given": [gk]}],
                    "telecom": [{"system": "phone", "value": tel, "use": "home"}],
                    "gender": sex, "birthDate": born,
                    "address": [{"text": "東京都新宿区歌舞伎町1-1-1", "postalCode": "1600021"}]})
            })
            .collect();
        let ndjson: String = patients.iter().map(|p| format!("{p}\n")).collect();
        let entries: Vec<serde_json::Value> = patients
            .iter()
            .map(|p| serde_json::json!({"fullUrl": "urn:uuid:x", "resource": p}))
            .collect();
        let bundle =
            serde_json::json!({"resourceType": "Bundle", "type": "collection", "entry": entries})
                .to_string();
        for (path, doc) in [("Patient.ndjson", ndjson), ("bundle.json", bundle)] {
            let items = crate::Scanner::default().scan_bytes(path, doc.as_bytes());
            let Some(crate::Item::Found(r)) = items.first() else {
                panic!("{items:?}");
            };
            use Category as C;
            for (c, n) in [
                (C::NameKanji, 3),
                (C::NameKana, 3),
                (C::Gender, 3),
                (C::BirthDate, 3),
                (C::Phone, 3),
                (C::PostalCode, 3),
                (C::Address, 3),
            ] {
                assert_eq!(r.categories.get(&c), Some(&n), "{path} {c}: {r:?}");
            }
            assert_eq!(r.categories.get(&C::NameRomaji), None, "{path}: {r:?}");
            assert_eq!((r.records, r.persons_estimate), (Some(3), 3), "{path}");
            assert!(
                r.columns
                    .0
                    .iter()
                    .all(|(h, _)| !h.ends_with("use") && !h.contains("extension")),
                "{path}: {:?}",
                r.columns
            );
        }
    }

    /// A field first seen after the columns were classified (documentation JSON: a method's
    /// `desc` in the sixtieth record only) is read as text, as is a field past the last
    /// column a table keeps.
    #[test]
    fn fields_seen_late_or_past_the_last_column_are_read() {
        let mut doc: String = (0..80)
            .map(|i| format!("{{\"id\": {i}, \"kind\": \"method\"}}\n"))
            .collect();
        doc.push_str(
            "{\"id\": 80, \"desc\": \"<p>Report to <code>mailto:pki@example.com</code>.</p>\"}\n",
        );
        let items = crate::Scanner::default().scan_bytes("api.jsonl", doc.as_bytes());
        let Some(crate::Item::Found(r)) = items.first() else {
            panic!("{items:?}");
        };
        assert_eq!(r.categories.get(&Category::Email), Some(&1), "{r:?}");

        let wide: serde_json::Map<String, serde_json::Value> = (0..crate::table::MAX_COLUMNS + 8)
            .map(|i| (format!("k{i:04}"), serde_json::Value::from(format!("v{i}"))))
            .chain([(
                "zz_last".to_string(),
                serde_json::Value::from("連絡先 taro@example.jp"),
            )])
            .collect();
        let doc = serde_json::Value::Object(wide).to_string();
        let items = crate::Scanner::default().scan_bytes("wide.json", doc.as_bytes());
        let Some(crate::Item::Found(r)) = items.first() else {
            panic!("{items:?}");
        };
        assert_eq!(r.categories.get(&Category::Email), Some(&1), "{r:?}");
    }

    /// A booking's guests, an array of objects in each record: a guest's family and given
    /// name (apart in the keys' sorted order: `firstName`, `firstNameKanji`, `gender`,
    /// `lastName`…) count once, joined; a record holds as many persons as guests.
    #[test]
    fn guests_in_a_record_are_persons_of_their_own() {
        let guest = |last: &str, first: &str, kl: &str, kf: &str| {
            serde_json::json!({"lastName": last, "firstName": first, "lastNameKanji": kl,
                "firstNameKanji": kf, "gender": "M", "birthDate": "1980-04-12"})
        };
        let doc = serde_json::json!({"reservations": [
            {"id": "R1", "guests": [guest("YAMADA", "TARO", "山田", "太郎"),
                guest("YAMADA", "HANAKO", "山田", "花子")], "contact": {"tel": "090-1234-5678"}},
            {"id": "R2", "guests": [guest("SATO", "JIRO", "佐藤", "次郎"),
                guest("SATO", "YOKO", "佐藤", "洋子"), guest("SATO", "KEN", "佐藤", "健")],
                "contact": {"tel": "080-2345-6789"}}
        ]})
        .to_string();
        let (table, tally) = read(&doc, 1 << 20);
        assert_eq!(table.records, 2);
        assert_eq!(tally.count(Category::NameKanji), 5);
        assert_eq!(tally.count(Category::NameRomaji), 5);
        let items = crate::Scanner::default().scan_bytes("bookings.json", doc.as_bytes());
        let Some(crate::Item::Found(r)) = items.first() else {
            panic!("{items:?}");
        };
        assert_eq!((r.records, r.persons_estimate), (Some(2), 5));
        // A customer's phones in an array are one person's still.
        let doc = r#"[{"name": "山田 太郎", "phones": ["03-1234-5678", "090-1234-5678"]},
            {"name": "鈴木 花子", "phones": ["06-1234-5678", "080-1234-5678"]}]"#;
        let items = crate::Scanner::default().scan_bytes("customers.json", doc.as_bytes());
        let Some(crate::Item::Found(r)) = items.first() else {
            panic!("{items:?}");
        };
        assert_eq!((r.records, r.persons_estimate), (Some(2), 2));
    }

    /// Documents that name things, as a format's test data and an API's manual hold them: a
    /// parsed mail's headers beside the addresses it holds, hosts, a build's targets, an
    /// API's sections. No person's name among them; the persons of a document are still
    /// found beside their other data.
    #[test]
    fn documents_that_name_things_hold_no_names() {
        let things = [
            r#"{"headers": [{"name": "X-Mailer", "value": "Foo 1.0"}, {"name": "date", "value": "x"},
                {"name": "to", "value": "doug@example.com"}, {"name": "X-Priority", "value": "3"}]}"#,
            r#"{"expected": {"by": {"Name": "mail.example.com"}, "helo": {"Name": "github.com"},
                "for": "user@example.com"}}"#,
            r#"{"reason": "compiler-artifact", "target": {"name": "cfg-if", "kind": ["lib"]}}"#,
            r#"{"expected": {"hostname": "example.net", "username": "me"}, "href": "http://example.net/"}"#,
            r#"{"miscs": [{"displayName": "Usage", "name": "usage"}, {"displayName": "Hello world"}]}"#,
            // A host named as a person may be (`mika`), hosts beside an address.
            r#"[{"hostname": "mika", "ip": "192.0.2.1"}, {"hostname": "kenji", "ip": "192.0.2.2"}]"#,
            r#"[{"name": "github.com", "email": "noreply@github.com"}, {"name": "mail.example.jp", "email": "postmaster@example.jp"}]"#,
            // A mail as mail-parser's tests print it parsed: the headers' own names under an
            // object named `name` (`headers.3.name.other`), a part's a record.
            r#"{"parts": [{"headers": [{"name": "date", "value": {"DateTime": {"year": 2022}}},
                {"name": "to", "value": {"Address": {"List": [{"name": null, "address": "a@example.com"}]}}},
                {"name": {"Other": "User-Agent"}, "value": {"Text": "Mutt/1.5"}},
                {"name": {"Other": "Precedence"}, "value": {"Text": "bulk"}},
                {"name": {"Other": "X-Mailer"}, "value": {"Text": "Foo"}}]},
                {"headers": [{"name": "date", "value": {"DateTime": {"year": 2023}}},
                {"name": "to", "value": {"Address": {"List": [{"name": null, "address": "b@example.com"}]}}},
                {"name": {"Other": "User-Agent"}, "value": {"Text": "Mutt/1.6"}},
                {"name": {"Other": "Envelope-To"}, "value": {"Text": "c@example.com"}},
                {"name": {"Other": "X-Priority"}, "value": {"Text": "3"}}]}]}"#,
            r#"[{"methods": [{"name": "todo"}, {"name": "skip"}]}, {"methods": [{"name": "todo"}, {"name": "only"}]}]"#,
            // Headers beside their addresses: the `value` column holds e-mails.
            r#"{"headers": [{"name": "X-Original-To", "value": "a@example.com"},
                {"name": "Delivered-To", "value": "b@example.com"}, {"name": "Reply-To", "value": "c@example.com"},
                {"name": "Return-Path", "value": "d@example.com"}]}"#,
        ];
        for doc in things {
            let items = crate::Scanner::default().scan_bytes("doc.json", doc.as_bytes());
            for item in &items {
                if let crate::Item::Found(r) = item {
                    assert!(
                        !r.categories
                            .keys()
                            .any(|c| matches!(c, Category::NameRomaji)),
                        "{doc}: {r:?}"
                    );
                }
            }
        }
        // A field named for headers is still read for what it holds (a report's copy of a
        // mail's header).
        let doc = r#"{"headers": "Received: from a (b [192.0.2.1])\n\tfor <rcpt@example.net>;\nFrom: \"Rolf B\" <info@example.org>\nTo: \"address\" <address@example.net>\nReply-To: <export@example.de>\n"}"#;
        let items = crate::Scanner::default().scan_bytes("report.json", doc.as_bytes());
        let Some(crate::Item::Found(r)) = items.first() else {
            panic!("{items:?}");
        };
        assert_eq!(r.categories.get(&Category::Email), Some(&4), "{r:?}");
        let doc = r#"{"members": [{"name": "John Smith", "email": "john@example.com"},
            {"name": "Mary Jones", "email": "mary@example.net"}], "owner": {"name": "Yamada Taro"}}"#;
        let items = crate::Scanner::default().scan_bytes("members.json", doc.as_bytes());
        let Some(crate::Item::Found(r)) = items.first() else {
            panic!("{items:?}");
        };
        assert_eq!(r.categories.get(&Category::NameRomaji), Some(&3), "{r:?}");
    }

    /// Objects one after the other, pretty-printed (`jq .` of JSON Lines): a record each.
    #[test]
    fn objects_in_sequence_are_records() {
        let one = "{\n  \"name\": \"山田 太郎\",\n  \"email\": \"taro@example.jp\"\n}\n";
        for piece in [3, 1 << 20] {
            let (table, tally) = read(&one.repeat(5), piece);
            assert_eq!(table.records, 5);
            assert_eq!(tally.count(Category::NameKanji), 5);
            assert_eq!(tally.count(Category::Email), 5);
        }
    }

    /// A sheet as a spreadsheet API returns it: rows of values, the header first.
    #[test]
    fn rows_of_values_are_a_table() {
        let doc = r#"{"range": "顧客!A1:C4", "values": [
            ["氏名", "電話番号", "生年月日"],
            ["山田 太郎", "03-1234-5678", "1980/04/01"],
            ["鈴木 花子", "090-1234-5678", null],
            ["佐藤 一郎", "06-1234-5678", "1975/01/02"]]}"#;
        for piece in [4, 1 << 20] {
            let mut table = Table::named();
            let mut tally = Tally::new(CatSet::all());
            let mut j = Json::default();
            for p in crate::pieces(doc, piece) {
                j.chunk(p, &mut table, &mut tally);
            }
            let cols = j.finish(&mut table, &mut tally);
            assert_eq!((j.records(), j.row_records), (0, 3));
            assert_eq!(tally.count(Category::NameKanji), 3);
            assert_eq!(tally.count(Category::Phone), 3);
            assert_eq!(tally.count(Category::BirthDate), 2);
            assert!(
                cols.contains(&("氏名".into(), Category::NameKanji)),
                "{cols:?}"
            );
        }
    }

    #[test]
    fn a_lone_object_is_one_record() {
        let (table, tally) = read(
            "{\n \"name\": \"山田 太郎\",\n \"email\": \"taro@example.jp\"\n}\n",
            5,
        );
        assert_eq!(table.records, 1);
        assert_eq!(tally.count(Category::NameKanji), 1);
        assert_eq!(tally.count(Category::Email), 1);
    }

    #[test]
    fn hostile_documents_fall_back_to_text() {
        // Deeper than the cap, unclosed, a record over the cap, brackets in strings.
        let deep = format!(
            "{}\"taro@example.jp\"{}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let (_, t) = read(&deep, 4096);
        assert_eq!(t.count(Category::Email), 1);
        let (_, t) = read("[{\"email\": \"taro@example.jp\", \"x\": [", 3);
        assert_eq!(t.count(Category::Email), 1);
        let big = format!(
            "[{{\"email\": \"taro@example.jp\", \"pad\": \"{}\"}}]",
            "x".repeat(MAX_RECORD + 10)
        );
        let (table, t) = read(&big, 65536);
        assert_eq!((table.records, t.count(Category::Email)), (0, 1));
        let (table, _) = read(r#"[{"a": "}]{[\"", "b": 1}, {"c": "]"}]"#, 2);
        assert_eq!(table.records, 2);
    }

    #[test]
    fn tells_json_from_ini_and_logs() {
        for t in [
            "[{\"a\":1}]",
            "  {\n  \"a\": 1}",
            "[\n  [1, 2]]",
            "[]",
            "{}",
            "[\"a\"]",
        ] {
            assert!(looks_like(t), "{t}");
        }
        for t in [
            "[section]\nkey=1",
            "[INFO] started",
            "[2024-03-31 10:00] started",
            "{{template}}",
            "{ a: 1 }",
            "plain",
        ] {
            assert!(!looks_like(t), "{t}");
        }
    }
}
