//! SQL dumps (mysqldump, pg_dump, sqlite3 `.dump`; the data scripts of SQL Server
//! Management Studio and Oracle SQL Developer): each table's rows go through the table
//! classifier with the table's column names as header, so a dump reads like the CSV export
//! of the same data (names, dates and passport numbers need their column to be told apart
//! from other text).
//!
//! Read a line at a time, as the dump tools write them: `CREATE TABLE` (its columns, one per
//! line or all on one), `INSERT INTO t [(columns)] VALUES (…),(…);` on one line (or, as
//! phpMyAdmin exports, its rows a line each after `VALUES`; SQL Server's `INSERT [dbo].[t]
//! (…) VALUES (N'…', CAST(N'…' AS Date))`; Oracle's `to_date('…','…')`: an expression's
//! value is its first string), and
//! `COPY t (columns) FROM stdin;` followed by tab-separated rows up to `\.`. Any other line,
//! or a statement that does not parse, goes to the free-text scanner. The object's columns are
//! reported as `table.column`, and its records are the rows of every table.

use std::borrow::Cow;

use kizuki_core::Category;

use crate::table::Table;
use crate::tally::Tally;
use crate::text;

/// Tables followed per dump; the rows of any further table are scanned as text.
const MAX_TABLES: usize = 128;
/// Longer rows are scanned as text. A table holds up to
/// [`CLASSIFY_ROWS`](crate::table::CLASSIFY_ROWS) rows before its columns are classified:
/// with these caps, at most 128 MiB however hostile the dump.
const MAX_ROW: usize = 16 * 1024;

/// The state of a dump being read.
#[derive(Default)]
pub(crate) struct Dump {
    /// Per table: its name and rows.
    tables: Vec<(String, Table)>,
    /// A multi-line `CREATE TABLE` being read: its name and the columns so far.
    creating: Option<(String, Vec<String>)>,
    /// The table a `COPY … FROM stdin` feeds.
    copying: Option<usize>,
    /// The table an `INSERT` whose rows follow a line each feeds (phpMyAdmin's export:
    /// `INSERT INTO t (…) VALUES` then `(…),` lines up to `(…);`), and whether backslashes
    /// escape in its strings.
    inserting: Option<(usize, bool)>,
    /// For a fork reading a chunk on another thread ([`crate::spread`]): the state it
    /// started from.
    forked: Option<Forked>,
}

/// What a fork of a [`Dump`] started from, and whether it found what the reader that made
/// it would read otherwise (then the chunk is read again, in order).
struct Forked {
    /// Tables known when forked.
    tables: usize,
    /// The `COPY` block the chunk starts in.
    copying: Option<usize>,
    /// The `INSERT` whose rows the chunk starts in.
    inserting: Option<(usize, bool)>,
    /// Per table: its columns were classified (rows can be counted apart).
    counted: Vec<bool>,
    /// A table was added, defined or given rows before its columns were classified.
    changed: bool,
}

/// Does this text start like a SQL dump?
pub(crate) fn looks_like(head: &str) -> bool {
    let first = head
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    [
        "-- MySQL dump",
        "-- MariaDB dump",
        "-- PostgreSQL database dump",
        "-- phpMyAdmin SQL Dump",
        "PRAGMA foreign_keys",
        "BEGIN TRANSACTION;",
        "CREATE TABLE",
        "INSERT INTO",
        // SQL Server Management Studio's scripts.
        "USE [",
        "/****** Object:",
        "SET ANSI_NULLS ON",
        "SET IDENTITY_INSERT",
        "INSERT [",
        // Oracle SQL Developer's exports.
        "REM INSERTING into",
        "SET DEFINE OFF;",
    ]
    .iter()
    .any(|p| {
        first
            .get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p))
    })
}

impl Dump {
    /// One line of the dump (with or without its line end).
    pub(crate) fn line(&mut self, line: &str, tally: &mut Tally) {
        let l = line.trim_end_matches(['\n', '\r']);
        if let Some(t) = self.copying {
            if l == "\\." {
                self.copying = None;
            } else if !(l.len() <= MAX_ROW
                && memchr::memchr(b'\\', l.as_bytes()).is_none()
                && self.push_line(t, l, tally))
            {
                let row: Vec<Cow<str>> = l.split('\t').map(copy_field).collect();
                self.push(t, &row, tally);
            }
            return;
        }
        let t = l.trim();
        if let Some((i, backslash)) = self.inserting {
            if t.starts_with('(') {
                self.insert_rows(i, t, backslash, line, tally);
                return;
            }
            // The statement ended without its `;`.
            self.inserting = None;
        }
        if let Some((name, mut cols)) = self.creating.take() {
            // The definition ends at its `)`, or (a damaged dump) at the next statement.
            let next = insert_target(t).is_some()
                || ["CREATE TABLE", "COPY"]
                    .iter()
                    .any(|k| strip_keyword(t, k).is_some());
            if t.starts_with(')') || next || cols.len() >= crate::table::MAX_COLUMNS {
                self.table(&name, Some(cols));
                if !next {
                    return;
                }
            } else {
                cols.extend(column_def(t));
                self.creating = Some((name, cols));
                return;
            }
        }
        if let Some(rest) = strip_keyword(t, "CREATE TABLE") {
            let rest = strip_keyword(rest, "IF NOT EXISTS").unwrap_or(rest);
            let (name, after) = identifier(rest);
            match after.trim_start().strip_prefix('(') {
                // All on one line (sqlite3 `.dump`).
                Some(defs) if defs.trim_end().ends_with(';') => {
                    let defs = defs.trim_end().trim_end_matches(';').trim_end();
                    let defs = defs.strip_suffix(')').unwrap_or(defs);
                    let cols = split_top(defs)
                        .iter()
                        .filter_map(|d| column_def(d))
                        .collect();
                    self.table(&name, Some(cols));
                }
                _ => {
                    if let Some(f) = &mut self.forked {
                        f.changed = true;
                    }
                    self.creating = Some((name, Vec::new()));
                }
            }
            return;
        }
        if let Some(rest) = insert_target(t)
            && self.insert(rest, tally)
        {
            return;
        }
        if let Some(rest) = strip_keyword(t, "COPY")
            && let Some(i) = self.copy(rest)
        {
            self.copying = Some(i);
            return;
        }
        text::scan(line, tally);
    }

    /// The name and number of columns of the first table defined or fed, if any.
    pub(crate) fn first_table(&self) -> Option<(&str, usize)> {
        self.tables
            .first()
            .map(|(n, t)| (n.as_str(), t.key_count()))
    }

    /// The index of table `name`, added (with `cols` as its header row) when new.
    fn table(&mut self, name: &str, cols: Option<Vec<String>>) -> Option<usize> {
        if let Some(i) = self.tables.iter().position(|(n, _)| n == name) {
            return Some(i);
        }
        if self.tables.len() >= MAX_TABLES {
            return None;
        }
        if let Some(f) = &mut self.forked {
            f.changed = true;
        }
        let cols = cols.unwrap_or_default();
        // Known columns are the header, as a JSON Lines object's keys are (a header row would
        // be taken for data when a column name is also a name, as `kana`).
        let table = if cols.is_empty() {
            Table::new()
        } else {
            Table::with_columns(cols)
        };
        self.tables.push((name.to_string(), table));
        Some(self.tables.len() - 1)
    }

    /// Adds a row to table `i`.
    fn push<S: AsRef<str>>(&mut self, i: usize, row: &[S], tally: &mut Tally) {
        if row.iter().map(|c| c.as_ref().len()).sum::<usize>() > MAX_ROW {
            for c in row {
                text::scan(c.as_ref(), tally);
            }
            return;
        }
        if let Some(f) = &mut self.forked
            && !f.counted.get(i).copied().unwrap_or(false)
        {
            // Rows buffered for a classification: the reader must see them itself.
            f.changed = true;
            return;
        }
        if let Some((_, table)) = self.tables.get_mut(i) {
            table.push(row, tally);
        }
    }

    /// Adds a row of a `COPY` block without escapes to table `i`, counted where its cells
    /// are (no vector of fields; quotes are data in this format): `false` when the table's
    /// columns are not classified yet (the caller splits the row).
    fn push_line(&mut self, i: usize, line: &str, tally: &mut Tally) -> bool {
        if self
            .forked
            .as_ref()
            .is_some_and(|f| !f.counted.get(i).copied().unwrap_or(false))
        {
            return false;
        }
        self.tables
            .get_mut(i)
            .is_some_and(|(_, table)| table.push_line(line, b'\t', false, tally))
    }

    /// `INSERT INTO t [(columns)] VALUES (…),(…);`: `false` when it does not parse.
    fn insert(&mut self, rest: &str, tally: &mut Tally) -> bool {
        let backslash = rest.starts_with('`');
        let (name, after) = identifier(rest);
        let mut after = after.trim_start();
        let mut listed = None;
        if let Some(list) = after.strip_prefix('(') {
            let Some(end) = list.find(')') else {
                return false;
            };
            listed = Some(
                split_top(&list[..end])
                    .iter()
                    .map(|c| identifier(c.trim()).0)
                    .collect::<Vec<_>>(),
            );
            after = list[end + 1..].trim_start();
        }
        let Some(values) = strip_keyword(after, "VALUES") else {
            return false;
        };
        let values = values.trim_end();
        // Rows a line each after it (phpMyAdmin), the first maybe on this line.
        if values.is_empty() || values.ends_with(',') {
            let Some(i) = self.table(&name, listed) else {
                return false;
            };
            if !values.is_empty() {
                let Some(rows) = tuples(values.trim_end_matches(','), backslash) else {
                    return false;
                };
                for row in &rows {
                    self.push(i, row, tally);
                }
            }
            self.inserting = Some((i, backslash));
            return true;
        }
        let Some(rows) = tuples(values, backslash) else {
            return false;
        };
        // A column list names a table's columns only when its CREATE TABLE was not seen.
        let Some(i) = self.table(&name, listed) else {
            return false;
        };
        for row in &rows {
            self.push(i, row, tally);
        }
        true
    }

    /// A line of rows of the `INSERT` being read (`(…),` or, the last, `(…);`); a line that
    /// does not parse is text.
    fn insert_rows(&mut self, i: usize, t: &str, backslash: bool, line: &str, tally: &mut Tally) {
        let last = t.ends_with(';');
        match tuples(
            t.trim_end_matches(';').trim_end().trim_end_matches(','),
            backslash,
        ) {
            Some(rows) => {
                for row in &rows {
                    self.push(i, row, tally);
                }
            }
            None => text::scan(line, tally),
        }
        if last {
            self.inserting = None;
        }
    }

    /// `COPY t (columns) FROM stdin;`: the table its rows feed.
    fn copy(&mut self, rest: &str) -> Option<usize> {
        let (name, after) = identifier(rest);
        let after = after.trim_start();
        let (cols, after) = match after.strip_prefix('(') {
            Some(list) => {
                let end = list.find(')')?;
                let cols = split_top(&list[..end])
                    .iter()
                    .map(|c| identifier(c.trim()).0)
                    .collect();
                (Some(cols), list[end + 1..].trim_start())
            }
            None => (None, after),
        };
        if !after.to_ascii_uppercase().starts_with("FROM STDIN") {
            return None;
        }
        self.table(&name, cols)
    }

    /// Every table's records, and its columns as `table.column`.
    pub(crate) fn finish(mut self, tally: &mut Tally) -> (u64, Vec<(String, Category)>) {
        if let Some((name, cols)) = self.creating.take() {
            self.table(&name, Some(cols));
        }
        let (mut records, mut persons, mut columns) = (0, 0, Vec::new());
        for (name, mut table) in self.tables {
            for (col, cat) in table.finish(tally) {
                columns.push((format!("{name}.{col}"), cat));
            }
            records += table.records;
            persons += table.person_rows();
        }
        tally.persons_at_most(persons);
        (records, columns)
    }
}

/// A dump read in chunks apart ([`crate::spread`]): a chunk of `INSERT` lines or of a
/// `COPY` block's rows counts into tables whose columns are known; what would change the
/// reading of the chunks after it (a table defined or first seen, rows of a table not
/// classified yet, a `CREATE TABLE` over a chunk end) is read in order.
impl crate::spread::Reader for Dump {
    fn fork(&self) -> Option<Self> {
        if self.creating.is_some() || self.forked.is_some() {
            return None;
        }
        let mut counted = Vec::with_capacity(self.tables.len());
        let tables = self
            .tables
            .iter()
            .map(|(name, t)| {
                let fork = t.fork();
                counted.push(fork.is_some());
                (name.clone(), fork.unwrap_or_default())
            })
            .collect();
        // Before a table's columns are known, a fork could count nothing.
        if !counted.contains(&true) {
            return None;
        }
        Some(Dump {
            tables,
            creating: None,
            copying: self.copying,
            inserting: self.inserting,
            forked: Some(Forked {
                tables: self.tables.len(),
                copying: self.copying,
                inserting: self.inserting,
                counted,
                changed: false,
            }),
        })
    }

    fn takes(&self, fork: &Self) -> bool {
        fork.forked.as_ref().is_some_and(|f| {
            !f.changed
                && self.creating.is_none()
                && self.copying == f.copying
                && self.inserting == f.inserting
                && self.tables.len() == f.tables
        })
    }

    fn read(&mut self, chunk: &str, tally: &mut Tally) {
        for line in crate::scan::lines_inclusive(chunk) {
            self.line(line, tally);
        }
    }

    fn join(&mut self, fork: Self, counted: Tally, tally: &mut Tally) {
        for ((_, mine), (_, theirs)) in self.tables.iter_mut().zip(&fork.tables) {
            mine.records += theirs.records;
        }
        self.copying = fork.copying;
        self.inserting = fork.inserting;
        tally.merge(counted);
    }
}

/// `text` with each `INSERT INTO t (columns) VALUES (…),(…)` statement on one line written
/// out as its values labelled by their columns, a row a line (`name:山田 太郎\tkana:ヤマダ
/// タロウ\ttel:090-…`), or `None` when it holds none. For statements in free text: a
/// database's query log (MySQL's general log, PostgreSQL's `log_statement`), an ORM's debug
/// log, a ticket quoting one. The text scanner then reads each value after its column's name,
/// as after any label (`crate::kv`); a dump's statements are read as tables instead
/// ([`Dump`]). A statement without a column list is left as written.
pub(crate) fn labelled_inserts(text: &str) -> Option<String> {
    // Found by its `VALUES`: a search for `V`/`v`, rare in logs and Japanese text, costs a
    // fraction of one for `INSERT INTO` (whose letters are everywhere in logs). In upper or
    // lower case: a PHP application's queries in MySQL's general log are often written
    // `insert into … values ('山田 太郎', …)`.
    let b = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    // Where the last look back for `INSERT INTO` stopped, and the end of the line last
    // tried: each byte is looked at a bounded number of times.
    let (mut searched, mut tried_to) = (0, 0);
    let mut from = 0;
    while let Some(k) = memchr::memchr2(b'V', b'v', &b[from..]) {
        let v = from + k;
        from = v + 1;
        if v < tried_to
            || !b
                .get(v..v + 6)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"VALUES"))
        {
            continue;
        }
        // Back to the line's start, or to where the last look back stopped.
        let floor = searched.max(copied);
        let back = memchr::memrchr(b'\n', &b[floor..v]).map_or(floor, |j| floor + j + 1);
        searched = v;
        let before = &b[back..v];
        let upper = memchr::memmem::rfind(before, b"INSERT INTO");
        let lower = memchr::memmem::rfind(before, b"insert into");
        let Some(p) = upper.max(lower).map(|j| back + j) else {
            continue;
        };
        let mut end = memchr::memchr(b'\n', &b[v..]).map_or(b.len(), |k| v + k);
        // The line after it: PostgreSQL logs a prepared statement's parameters there.
        let next = (end < b.len()).then(|| {
            let e = memchr::memchr(b'\n', &b[end + 1..]).map_or(b.len(), |k| end + 1 + k);
            (e, text.get(end + 1..e).unwrap_or(""))
        });
        tried_to = end;
        from = end;
        let Some((rows, used_next)) = text
            .get(p + 11..end)
            .and_then(|stmt| labelled_rows(stmt, next.map(|n| n.1)))
        else {
            continue;
        };
        if let (true, Some((e, _))) = (used_next, next) {
            end = e;
            tried_to = end;
            from = end;
        }
        let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
        o.push_str(text.get(copied..p).unwrap_or(""));
        o.push_str(&rows);
        copied = end;
    }
    let mut o = out?;
    o.push_str(text.get(copied..).unwrap_or(""));
    Some(o)
}

/// The rows of one `INSERT` (after `INSERT INTO`), labelled (see [`labelled_inserts`]), and
/// whether they came from the `next` line. A prepared statement's values are bound to its
/// placeholders (`$1`, `?`): Rails logs them after the statement by their columns' names
/// (`[["name", "山田 太郎"], …]`), PostgreSQL on the next line by their numbers (`DETAIL:
/// parameters: $1 = '山田 太郎', …`); without them there is nothing to label.
fn labelled_rows(stmt: &str, next: Option<&str>) -> Option<(String, bool)> {
    let stmt = stmt.trim_end().trim_end_matches(';').trim_end();
    let backslash = stmt.trim_start().starts_with('`');
    let (cols, values) = columns_and_values(stmt)?;
    // What follows the rows (`ON DUPLICATE KEY …`, `RETURNING "id"`, Rails' binds) is no
    // value.
    let (rows, rest) = tuples_then(values, backslash)?;
    let mut out = String::new();
    if !rows.iter().flatten().any(|v| placeholder(v).is_some()) {
        for row in &rows {
            push_labelled(
                &mut out,
                cols.iter()
                    .map(String::as_str)
                    .zip(row.iter().map(|v| &**v)),
            );
        }
        return Some((out, false));
    }
    if let Some(binds) = rails_binds(rest) {
        push_labelled(&mut out, binds.iter().map(|(c, v)| (&**c, &**v)));
        return Some((out, false));
    }
    let params = pg_parameters(next?)?;
    let params = by_number(&params);
    for row in &rows {
        let bound = row.iter().map(|v| match placeholder(v) {
            Some(n) => params.get(n).copied().unwrap_or(""),
            None => &**v,
        });
        push_labelled(&mut out, cols.iter().map(String::as_str).zip(bound));
    }
    Some((out, true))
}

/// Hibernate's bound values, each logged on a line of its own after the statement
/// (`binding parameter [1] as [VARCHAR] - [山田 太郎]`; Hibernate 6: `binding parameter
/// (1:VARCHAR) <- [山田 太郎]`): the lines of one statement are written as its row, labelled
/// by the columns of the `insert into t (columns) values (?, …)` logged just before them (on
/// one line, or spread over lines by `format_sql`). Other binds are left as written.
pub(crate) fn labelled_binds(text: &str) -> Option<String> {
    const NEEDLE: &[u8] = b"binding parameter ";
    // The statement is looked for this far before the first bind.
    const LOOK_BACK: usize = 2048;
    // Built once: every text scanned goes through here, most of them short (a cell, an
    // element's text), where building the searcher was most of the work (5 % of reading an
    // XML export).
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(NEEDLE));
    let finder = &*FINDER;
    let b = text.as_bytes();
    let mut at = finder.find(b)?;
    let mut out: Option<String> = None;
    let (mut copied, mut searched) = (0, 0);
    loop {
        let ls = memchr::memrchr(b'\n', &b[..at]).map_or(0, |i| i + 1);
        // The run of bind lines from here.
        let mut binds = Vec::new();
        let mut end = ls;
        while end < b.len() && binds.len() < MAX_BINDS {
            let le = memchr::memchr(b'\n', &b[end..]).map_or(b.len(), |k| end + k);
            match text.get(end..le).and_then(bind_line) {
                Some(bind) => binds.push(bind),
                None => break,
            }
            end = (le + 1).min(b.len());
        }
        // Not before the last run of binds: a statement before it was that run's (so each
        // byte is looked back over once).
        let mut floor = ls.saturating_sub(LOOK_BACK).max(searched);
        while !text.is_char_boundary(floor) {
            floor += 1;
        }
        let stmt = insert_before(&text[floor..ls]);
        if let (Some((cols, row)), false) = (stmt, binds.is_empty()) {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
            o.push_str(text.get(copied..ls).unwrap_or(""));
            let binds = by_number(&binds);
            let mut k = 0;
            let values = row.iter().map(|v| {
                if placeholder(v).is_none() {
                    return v.as_str();
                }
                k += 1;
                binds.get(k).copied().unwrap_or("")
            });
            push_labelled(o, cols.iter().map(String::as_str).zip(values));
            copied = end;
        }
        searched = searched.max(end);
        let from = end.max(at + 1);
        match finder.find(&b[from..]) {
            Some(k) => at = from + k,
            None => break,
        }
    }
    let mut o = out?;
    o.push_str(text.get(copied..).unwrap_or(""));
    Some(o)
}

/// Bound values by their numbers (each placeholder of a long row is looked up at once, not
/// searched for). Numbers past PostgreSQL's 65,535 parameters are no placeholder's.
fn by_number<S: AsRef<str>>(binds: &[(usize, S)]) -> Vec<&str> {
    let top = binds.iter().map(|(n, _)| *n).filter(|n| *n <= 65_535).max();
    let mut out = vec![""; top.map_or(0, |t| t + 1)];
    for (n, v) in binds {
        if let Some(slot) = out.get_mut(*n) {
            *slot = v.as_ref();
        }
    }
    out
}

/// The number and value of one of Hibernate's bind lines (`null` is no value).
fn bind_line(line: &str) -> Option<(usize, String)> {
    let at = line.find("binding parameter ")?;
    let rest = &line[at + 18..];
    let (n, value) = if let Some(r) = rest.strip_prefix('[') {
        // Hibernate 5: `[1] as [VARCHAR] - [value]`.
        let e = r.find(']')?;
        (&r[..e], r.find(" - [").map(|v| &r[v + 4..])?)
    } else {
        // Hibernate 6: `(1:VARCHAR) <- [value]`.
        let r = rest.strip_prefix('(')?;
        let e = r.find([':', ')'])?;
        (&r[..e], r.find("<- [").map(|v| &r[v + 4..])?)
    };
    let value = value.trim_end();
    let value = value.strip_suffix(']').unwrap_or(value);
    let value = if value == "null" { "" } else { value };
    Some((n.trim().parse().ok()?, value.to_string()))
}

/// The columns and the row of the last `insert into t (columns) values (…)` in `before`,
/// its words maybe spread over lines.
fn insert_before(before: &str) -> Option<(Vec<String>, Vec<String>)> {
    // Whitespace runs as one space, so a statement spread over lines reads as one.
    let flat: String = before.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = flat.to_ascii_lowercase();
    let p = lower.rfind("insert into ")?;
    let (cols, values) = columns_and_values(&flat[p + 12..])?;
    let (rows, rest) = tuples_then(values, false)?;
    // The binds are this statement's only when no other statement was logged after it.
    let tail = &lower[flat.len() - rest.len()..];
    if ["select ", "update ", "delete ", "insert "]
        .iter()
        .any(|k| tail.contains(k))
    {
        return None;
    }
    let row = rows.into_iter().next()?;
    Some((cols, row.into_iter().map(Cow::into_owned).collect()))
}

/// An `INSERT`'s column list and what follows its `VALUES`, from the table's name on.
fn columns_and_values(stmt: &str) -> Option<(Vec<String>, &str)> {
    let (_, after) = identifier(stmt);
    let list = after.trim_start().strip_prefix('(')?;
    let close = list.find(')')?;
    let cols = split_top(&list[..close])
        .iter()
        .map(|c| identifier(c.trim()).0)
        .collect();
    Some((
        cols,
        strip_keyword(list[close + 1..].trim_start(), "VALUES")?,
    ))
}

/// One row's values after their columns' names, a line (empty values left out).
fn push_labelled<'a>(out: &mut String, row: impl Iterator<Item = (&'a str, &'a str)>) {
    for (c, v) in row {
        if v.is_empty() {
            continue;
        }
        out.push_str(c);
        out.push(':');
        // The value as one field: its control characters (a line feed in an address) become
        // spaces.
        out.extend(v.chars().map(|ch| if ch.is_control() { ' ' } else { ch }));
        out.push('\t');
    }
    out.push('\n');
}

/// The number of a placeholder (`$3` is 3; `?` is 0, a position), if `v` is one.
fn placeholder(v: &str) -> Option<usize> {
    if v == "?" {
        return Some(0);
    }
    let n = v.strip_prefix('$')?;
    if n.is_empty() || n.len() > 5 || !n.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

/// The most bound values read from one log line.
const MAX_BINDS: usize = 1024;

/// PostgreSQL's parameters of a prepared statement (`log_statement`,
/// `log_min_duration_statement`): `… DETAIL:  parameters: $1 = '山田 太郎', $2 = NULL`,
/// as numbers and values. What a truncated line still holds is kept.
fn pg_parameters(line: &str) -> Option<Vec<(usize, Cow<'_, str>)>> {
    let at = line.find("DETAIL:")?;
    let mut s = line[at + 7..].trim_start().strip_prefix("parameters:")?;
    let mut out = Vec::new();
    while out.len() < MAX_BINDS {
        s = s.trim_start();
        let Some(rest) = s.strip_prefix('$') else {
            break;
        };
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let Ok(n) = rest[..digits].parse::<usize>() else {
            break;
        };
        let Some(rest) = rest[digits..].trim_start().strip_prefix('=') else {
            break;
        };
        let rest = rest.trim_start();
        let (v, after) = if let Some(q) = rest.strip_prefix('\'') {
            let i = rest.len() - q.len();
            match quoted(rest, i, false) {
                Some((v, end)) => (v, &rest[end..]),
                None => break,
            }
        } else if let Some(after) = rest.strip_prefix("NULL") {
            (Cow::Borrowed(""), after)
        } else {
            break;
        };
        out.push((n, v));
        match after.trim_start().strip_prefix(',') {
            Some(a) => s = a,
            None => break,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Rails' binds after a statement (`[["name", "山田 太郎"], ["id", 1], ["note", nil]]`),
/// as Ruby's `inspect` writes them: each column's name and its value.
fn rails_binds(rest: &str) -> Option<Vec<(Cow<'_, str>, Cow<'_, str>)>> {
    let at = rest.find("[[")?;
    let mut s = &rest[at + 1..];
    let mut out = Vec::new();
    while out.len() < MAX_BINDS {
        let Some(pair) = s.trim_start().strip_prefix('[') else {
            break;
        };
        let Some((name, after)) = ruby_string(pair.trim_start()) else {
            break;
        };
        let Some(after) = after.trim_start().strip_prefix(',') else {
            break;
        };
        let after = after.trim_start();
        let (value, after) = match ruby_string(after) {
            Some(x) => x,
            None => {
                // A number, `nil`, `true`: as written (`nil` is no value).
                let e = after.find(']')?;
                let tok = after[..e].trim();
                (
                    Cow::Borrowed(if tok == "nil" { "" } else { tok }),
                    &after[e..],
                )
            }
        };
        let Some(after) = after.trim_start().strip_prefix(']') else {
            break;
        };
        out.push((name, value));
        match after.trim_start().strip_prefix(',') {
            Some(a) => s = a,
            None => break,
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A string as Ruby's `inspect` writes it, at the start of `s` (`"a\"b"`), and the text
/// after it. Escapes: `\"`, `\\`, `\n`, `\t`, `\r`, `\e`, `\#`, `\uXXXX`, `\u{X}`;
/// `\xNN` (a byte that is no character) is left out.
fn ruby_string(s: &str) -> Option<(Cow<'_, str>, &str)> {
    let body = s.strip_prefix('"')?;
    let end = body.find(['"', '\\'])?;
    if body.as_bytes()[end] == b'"' {
        return Some((Cow::Borrowed(&body[..end]), &body[end + 1..]));
    }
    let mut out = String::from(&body[..end]);
    let mut chars = body[end..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((Cow::Owned(out), &body[end + i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'e' => out.push('\u{1b}'),
                'u' => {
                    let rest = chars.as_str();
                    let (hex, skip) = match rest.strip_prefix('{') {
                        Some(r) => {
                            let e = r.find('}')?;
                            (&r[..e], e + 2)
                        }
                        None => (rest.get(..4)?, 4),
                    };
                    if let Some(ch) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                        out.push(ch);
                    }
                    for _ in 0..skip {
                        chars.next();
                    }
                }
                'x' => {
                    chars.next();
                    chars.next();
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// What follows the start of an `INSERT` of rows (`INSERT INTO`; MySQL's `INSERT IGNORE
/// INTO` and `REPLACE INTO`; SQL Server's `INSERT [dbo].[t]`, as Management Studio scripts
/// a table's data): the table, its columns and its values.
fn insert_target(t: &str) -> Option<&str> {
    [
        "INSERT INTO",
        "INSERT IGNORE INTO",
        "REPLACE INTO",
        "INSERT",
    ]
    .iter()
    .find_map(|k| strip_keyword(t, k))
}

/// `s` after the keyword `kw` (any case) and the spaces after it, if it starts with it.
fn strip_keyword<'a>(s: &'a str, kw: &str) -> Option<&'a str> {
    let head = s.get(..kw.len())?;
    if !head.eq_ignore_ascii_case(kw) {
        return None;
    }
    let rest = s.get(kw.len()..)?;
    // A keyword ends at a space or a bracket (`VALUES(`), not inside a word.
    if rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    Some(rest.trim_start())
}

/// A possibly quoted (`` `a` ``, `"a"`, `[a]`) and qualified (`public.a`) name at the start
/// of `s`: its last part, unquoted, and the text after it.
fn identifier(s: &str) -> (String, &str) {
    let mut rest = s.trim_start();
    loop {
        let (part, after) = match rest.chars().next() {
            Some(q @ ('`' | '"' | '[')) => {
                let close = if q == '[' { ']' } else { q };
                let body = &rest[1..];
                match body.find(close) {
                    Some(e) => (&body[..e], &body[e + 1..]),
                    None => (body, ""),
                }
            }
            _ => {
                let e = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                    .unwrap_or(rest.len());
                (&rest[..e], &rest[e..])
            }
        };
        match after.strip_prefix('.') {
            Some(next) => rest = next,
            None => return (part.to_string(), after),
        }
    }
}

/// The column a line of a `CREATE TABLE` defines, if it defines one (not a key or a
/// constraint).
fn column_def(line: &str) -> Option<String> {
    let t = line.trim().trim_end_matches(',');
    let word = t
        .split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    let constraint = [
        "PRIMARY",
        "KEY",
        "UNIQUE",
        "CONSTRAINT",
        "INDEX",
        "FOREIGN",
        "CHECK",
        "FULLTEXT",
        "SPATIAL",
    ];
    // A key's column (`[id] ASC` under SQL Server's `PRIMARY KEY CLUSTERED (`) defines none.
    let key_part = t
        .split_whitespace()
        .nth(1)
        .is_some_and(|w| w.eq_ignore_ascii_case("ASC") || w.eq_ignore_ascii_case("DESC"));
    if t.is_empty() || key_part || constraint.contains(&word.as_str()) {
        return None;
    }
    let (name, _) = identifier(t);
    (!name.is_empty()).then_some(name)
}

/// `s` split at the commas outside brackets and quotes.
fn split_top(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut quote, mut start) = (Vec::new(), 0i32, None, 0);
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// The rows of `(…),(…);`: quoted strings (`''` for a quote, and backslash escapes when the
/// dump is MySQL's), `NULL` as empty, other tokens as written. `None` when it does not parse.
fn tuples(s: &str, backslash: bool) -> Option<Vec<Vec<Cow<'_, str>>>> {
    let (rows, rest) = tuples_then(s, backslash)?;
    (rest.is_empty() || rest.starts_with(';')).then_some(rows)
}

/// The rows of `(…),(…)` at the start of `s`, and the text after them.
#[allow(clippy::type_complexity)]
fn tuples_then(s: &str, backslash: bool) -> Option<(Vec<Vec<Cow<'_, str>>>, &str)> {
    let b = s.as_bytes();
    let mut rows = Vec::new();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while b.get(*i).is_some_and(u8::is_ascii_whitespace) {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if b.get(i) != Some(&b'(') {
            return None;
        }
        i += 1;
        // As wide as the row before (one allocation a row, not one per doubling).
        let mut row = Vec::with_capacity(rows.last().map_or(8, Vec::len));
        loop {
            skip_ws(&mut i);
            let field = if b.get(i) == Some(&b'\'') {
                let (v, end) = quoted(s, i + 1, backslash)?;
                i = end;
                v
            } else {
                // A number, `NULL`, or an expression (Oracle's `to_date('1980-04-12',
                // 'YYYY-MM-DD')`, SQL Server's `N'山田'` and `CAST(N'1980-04-12' AS Date)`,
                // `DATE '1980-04-12'`): up to the `,` or `)` outside its brackets and
                // strings; its value is its first string, else its text.
                let start = i;
                let (mut depth, mut first) = (0usize, None);
                loop {
                    match *b.get(i)? {
                        b'\'' => {
                            let (v, end) = quoted(s, i + 1, backslash)?;
                            first.get_or_insert(v);
                            i = end;
                        }
                        b'(' => {
                            depth += 1;
                            i += 1;
                        }
                        b',' | b')' if depth == 0 => break,
                        b')' => {
                            depth -= 1;
                            i += 1;
                        }
                        _ => i += 1,
                    }
                }
                let tok = s.get(start..i)?.trim();
                match first {
                    Some(v) => v,
                    None if tok.eq_ignore_ascii_case("NULL") => Cow::Borrowed(""),
                    None => Cow::Borrowed(tok),
                }
            };
            row.push(field);
            skip_ws(&mut i);
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b')') => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
        rows.push(row);
        skip_ws(&mut i);
        match b.get(i) {
            Some(b',') => i += 1,
            _ => return Some((rows, s.get(i..)?)),
        }
    }
}

/// A quoted string's value from just after its opening quote at `i`, and the index after
/// its closing quote.
fn quoted(s: &str, i: usize, backslash: bool) -> Option<(Cow<'_, str>, usize)> {
    let b = s.as_bytes();
    let mut out: Option<String> = None;
    let (mut j, mut run) = (i, i);
    loop {
        // To the next quote or escape (most values hold neither before their end).
        let rest = b.get(j..)?;
        j += if backslash {
            memchr::memchr2(b'\'', b'\\', rest)?
        } else {
            memchr::memchr(b'\'', rest)?
        };
        match b.get(j)? {
            b'\'' if b.get(j + 1) == Some(&b'\'') => {
                let o = out.get_or_insert_with(String::new);
                o.push_str(s.get(run..=j)?);
                j += 2;
                run = j;
            }
            b'\'' => {
                let v = match out {
                    Some(mut o) => {
                        o.push_str(s.get(run..j)?);
                        Cow::Owned(o)
                    }
                    None => Cow::Borrowed(s.get(i..j)?),
                };
                return Some((v, j + 1));
            }
            b'\\' if backslash => {
                let o = out.get_or_insert_with(String::new);
                o.push_str(s.get(run..j)?);
                let e = *b.get(j + 1)?;
                o.push(match e {
                    b'n' => '\n',
                    b't' => '\t',
                    b'r' => '\r',
                    b'0' => '\0',
                    b'Z' => '\u{1A}',
                    // ASCII, or the first byte of a character, which the next run takes.
                    x if x.is_ascii() => char::from(x),
                    _ => {
                        j += 1;
                        run = j;
                        continue;
                    }
                });
                j += 2;
                run = j;
            }
            _ => j += 1,
        }
    }
}

/// A field of a `COPY` row: `\N` is NULL (empty); `\t`, `\n`, `\\` unescaped.
fn copy_field(f: &str) -> Cow<'_, str> {
    if f == "\\N" {
        return Cow::Borrowed("");
    }
    if !f.contains('\\') {
        return Cow::Borrowed(f);
    }
    Cow::Owned(
        f.replace("\\t", "\t")
            .replace("\\n", "\n")
            .replace("\\r", "\r")
            .replace("\\\\", "\\"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::CatSet;

    #[test]
    fn lowercase_inserts_in_a_general_log_are_labelled() {
        // MySQL's general log of a PHP application: literal values, the statement in lower
        // case; `Values` and a statement with no column list in between.
        let log = "2026-12-01T10:00:01.123456Z\t   42 Query\tinsert into customers (name, kana, birthday, tel) values ('山田 太郎','ヤマダ タロウ','1980-04-12','090-1234-5678')\n\
                   2026-12-01T10:00:01.200000Z\t   42 Query\tselect id from customers where tel = '090-1234-5678'\n\
                   2026-12-01T10:00:02.000000Z\t   43 Query\tInsert Into logs Values (1,'a')\n\
                   2026-12-01T10:00:03.000000Z\t   44 Query\tINSERT INTO members (name) Values ('佐藤 花子')\n";
        assert_eq!(
            labelled_inserts(log).as_deref(),
            Some(
                "2026-12-01T10:00:01.123456Z\t   42 Query\tname:山田 太郎\tkana:ヤマダ タロウ\tbirthday:1980-04-12\ttel:090-1234-5678\t\n\n\
                 2026-12-01T10:00:01.200000Z\t   42 Query\tselect id from customers where tel = '090-1234-5678'\n\
                 2026-12-01T10:00:02.000000Z\t   43 Query\tInsert Into logs Values (1,'a')\n\
                 2026-12-01T10:00:03.000000Z\t   44 Query\tname:佐藤 花子\t\n\n"
            )
        );
        // Read by the text scanner: the name and the reading after their columns' names.
        let mut t = Tally::new(CatSet::all());
        crate::text::scan(log, &mut t);
        let r = t.report(String::new(), None, None, Vec::new(), true);
        assert_eq!(r.categories.get(&Category::NameKanji), Some(&2), "{r:?}");
        assert_eq!(r.categories.get(&Category::NameKana), Some(&1), "{r:?}");
    }

    #[test]
    fn prepared_inserts_are_labelled_by_their_bound_values() {
        // PostgreSQL (`log_statement = all`): the parameters on the next line.
        let pg = "2026-12-01 10:00:00.123 JST [4242] LOG:  execute <unnamed>: INSERT INTO public.customers (name, kana, birthday, note) VALUES ($1, $2, $3, $4),($5, $6, $7, $8)\n\
                  2026-12-01 10:00:00.123 JST [4242] DETAIL:  parameters: $1 = '山田 太郎', $2 = 'ヤマダ タロウ', $3 = '1980-04-12', $4 = NULL, $5 = 'O''Brien', $6 = NULL, $7 = '1975-11-03', $8 = 'a'\n\
                  2026-12-01 10:00:01.000 JST [4242] LOG:  statement: COMMIT\n";
        assert_eq!(
            labelled_inserts(pg).as_deref(),
            Some(
                "2026-12-01 10:00:00.123 JST [4242] LOG:  execute <unnamed>: name:山田 太郎\tkana:ヤマダ タロウ\tbirthday:1980-04-12\t\nname:O'Brien\tbirthday:1975-11-03\tnote:a\t\n\n2026-12-01 10:00:01.000 JST [4242] LOG:  statement: COMMIT\n"
            )
        );
        // Rails: the binds after the statement, by name (PostgreSQL's `$n` or MySQL's `?`).
        for ph in ["$1, $2, $3, $4", "?, ?, ?, ?"] {
            let rails = format!(
                "  Customer Create (0.9ms)  INSERT INTO \"customers\" (\"name\", \"kana\", \"note\", \"id\") VALUES ({ph}) RETURNING \"id\"  [[\"name\", \"山田 \\\"太郎\\\"\"], [\"kana\", \"\\u30e4マダ\"], [\"note\", nil], [\"id\", 7]]\n"
            );
            assert_eq!(
                labelled_inserts(&rails).as_deref(),
                Some("  Customer Create (0.9ms)  name:山田 \"太郎\"\tkana:ヤマダ\tid:7\t\n\n"),
                "{ph}"
            );
        }
        // Placeholders with nothing bound: left as written.
        let bare = "LOG:  execute S_1: INSERT INTO t (a) VALUES ($1)\nLOG:  statement: COMMIT\n";
        assert_eq!(labelled_inserts(bare), None);
        assert_eq!(labelled_inserts("INSERT INTO t (a) VALUES (?)"), None);
        // A truncated parameter line gives what it holds; hostile lines stay linear.
        let cut = "execute x: INSERT INTO t (name, tel) VALUES ($1, $2)\nDETAIL:  parameters: $1 = '山田 太郎', $2 = '090-12";
        assert_eq!(
            labelled_inserts(cut).as_deref(),
            Some("execute x: name:山田 太郎\t\n")
        );
        // A long row of placeholders over many parameters: each looked up, not searched.
        let started = std::time::Instant::now();
        let wide = format!(
            "INSERT INTO t (a) VALUES ({})\nDETAIL:  parameters: {}\n",
            vec!["$1024"; 100_000].join(", "),
            (1..=1024)
                .map(|i| format!("${i} = 'v'"))
                .collect::<Vec<_>>()
                .join(", ")
        )
        .repeat(5);
        assert!(labelled_inserts(&wide).is_some());
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
        let many = format!(
            "INSERT INTO t (a) VALUES ($1)\nDETAIL:  parameters: {}\n",
            "$1 = 'x', ".repeat(200_000)
        );
        assert!(labelled_inserts(&many).is_some());
        let binds = format!(
            "INSERT INTO t (a) VALUES (?) [{}]\n",
            "[\"a\", \"x\"], ".repeat(200_000)
        );
        assert!(labelled_inserts(&binds).is_some());
    }

    #[test]
    fn hibernates_binds_are_labelled_by_the_statements_columns() {
        let t = "2026-12-01 10:00:00.120 DEBUG 4242 --- [nio-8080-exec-1] org.hibernate.SQL";
        let b = "2026-12-01 10:00:00.121 TRACE 4242 --- [nio-8080-exec-1] o.h.type.descriptor.sql.BasicBinder";
        let log = format!(
            "{t} : insert into customers (birthday, email, kana, name, id) values (?, ?, ?, ?, ?)\n\
             {b} : binding parameter [1] as [DATE] - [1980-04-12]\n\
             {b} : binding parameter [2] as [VARCHAR] - [null]\n\
             {b} : binding parameter [3] as [VARCHAR] - [ヤマダ タロウ]\n\
             {b} : binding parameter [4] as [VARCHAR] - [山田 太郎]\n\
             {b} : binding parameter [5] as [BIGINT] - [7]\n\
             {t} : select c1_0.id from customers c1_0 where c1_0.name=?\n\
             {b} : binding parameter [1] as [VARCHAR] - [佐藤 花子]\n"
        );
        let want = format!(
            "{t} : insert into customers (birthday, email, kana, name, id) values (?, ?, ?, ?, ?)\n\
             birthday:1980-04-12\tkana:ヤマダ タロウ\tname:山田 太郎\tid:7\t\n\
             {t} : select c1_0.id from customers c1_0 where c1_0.name=?\n\
             {b} : binding parameter [1] as [VARCHAR] - [佐藤 花子]\n"
        );
        assert_eq!(labelled_binds(&log).as_deref(), Some(want.as_str()));
        // Hibernate 6, and a statement spread over lines by `format_sql`.
        let log6 = "Hibernate: \n    insert \n    into\n        \"customers\"\n        (name, tel) \n    values\n        (?, ?)\n\
                    o.h.orm.jdbc.bind : binding parameter (1:VARCHAR) <- [山田 太郎]\n\
                    o.h.orm.jdbc.bind : binding parameter (2:VARCHAR) <- [090-1234-5678]\n";
        assert_eq!(
            labelled_binds(log6).as_deref(),
            Some(
                "Hibernate: \n    insert \n    into\n        \"customers\"\n        (name, tel) \n    values\n        (?, ?)\nname:山田 太郎\ttel:090-1234-5678\t\n"
            )
        );
        // Binds of a select after an insert are no row of it; none at all: `None`.
        let sel = "insert into t (name) values (?)\nselect * from t where a=?\nbinding parameter [1] as [VARCHAR] - [x]\n";
        assert_eq!(labelled_binds(sel), None);
        assert_eq!(labelled_binds("no binds here\n"), None);
        // Hostile: bind lines without a statement, and long runs, stay linear.
        let many = "binding parameter [1] as [VARCHAR] - [x]\n".repeat(100_000);
        assert_eq!(labelled_binds(&many), None);
        let runs = "insert into t (a) values (?)\nbinding parameter [1] as [VARCHAR] - [x]\n"
            .repeat(50_000);
        assert!(labelled_binds(&runs).is_some());
        let started = std::time::Instant::now();
        let padded = format!("{}\nbinding parameter [1] - [x]\n", "x".repeat(2000)).repeat(5_000);
        assert_eq!(labelled_binds(&padded), None);
        let spaced = format!("{}binding parameter [1] - [x]\n", " \n".repeat(1000)).repeat(5_000);
        assert_eq!(labelled_binds(&spaced), None);
        assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    }

    #[test]
    fn inserts_in_text_are_labelled_by_their_columns() {
        let log = "2026-12-01T10:00:00Z\t15 Query\tINSERT INTO `customers` (`name`, kana, 電話番号, note) VALUES ('山田 太郎', 'ヤマダ タロウ', '090-1234-5678', NULL), ('O''Brien', 'x\\ny', '03', 'a')\nnext line";
        assert_eq!(
            labelled_inserts(log).as_deref(),
            Some(
                "2026-12-01T10:00:00Z\t15 Query\tname:山田 太郎\tkana:ヤマダ タロウ\t電話番号:090-1234-5678\t\nname:O'Brien\tkana:x y\t電話番号:03\tnote:a\t\n\nnext line"
            )
        );
        // In lower case too (a PHP application's query in MySQL's general log); none without a
        // column list, not parsed, or at all.
        assert_eq!(
            labelled_inserts("insert into t (a) values ('x');").as_deref(),
            Some("a:x\t\n")
        );
        assert_eq!(labelled_inserts("INSERT INTO t VALUES ('x')"), None);
        assert_eq!(labelled_inserts("INSERT INTO t (a) VALUES ('x"), None);
        assert_eq!(labelled_inserts("SELECT * FROM t"), None);
        // Each byte looked at a bounded number of times: a line of `VALUES` or of statements
        // costs its length, not its square.
        assert_eq!(
            labelled_inserts(&"insert into values ".repeat(100_000)),
            None
        );
        assert_eq!(
            labelled_inserts(&"INSERT INTO VALUES ".repeat(100_000)),
            None
        );
        assert_eq!(labelled_inserts(&"x VALUES ".repeat(200_000)), None);
        assert!(labelled_inserts(&"INSERT INTO t (a) VALUES ('x'), ".repeat(20_000)).is_none());
    }

    #[test]
    fn tuples_parse_quotes_escapes_and_nulls() {
        let rows = tuples(
            "(1,'山田 太郎','O''Brien',NULL,'a\\'b\\\\c'),(2,'x,y', 3.5 ,'（株）');",
            true,
        )
        .unwrap();
        assert_eq!(
            rows,
            vec![
                vec!["1", "山田 太郎", "O'Brien", "", "a'b\\c"],
                vec!["2", "x,y", "3.5", "（株）"],
            ]
        );
        // Escapes before and after characters of several bytes; a backslash before one is
        // dropped.
        assert_eq!(
            tuples("('a\\n山\\山''x','\\t')", true).unwrap(),
            vec![vec!["a\n山山'x", "\t"]]
        );
        // Without backslash escapes (PostgreSQL, SQLite) a backslash is a character.
        assert_eq!(tuples("('C:\\dir')", false).unwrap(), vec![vec!["C:\\dir"]]);
        assert!(tuples("(1,'open", true).is_none());
        assert!(tuples("1,2", true).is_none());
    }

    #[test]
    fn damaged_dumps_fall_back_to_text() {
        // A CREATE TABLE cut short: the INSERT after it still counts, by its column list.
        let (tally, records, _) = dump_counts(
            "CREATE TABLE `t` (\n  `a` int,\nINSERT INTO `t` (`a`, `mail`) VALUES (1,'taro@example.co.jp');\n",
        );
        assert_eq!((records, tally.count(Category::Email)), (1, 1));
        // A row longer than the cap: its cells are scanned as text.
        let long = format!(
            "INSERT INTO t VALUES ('{}','hanako@example.jp');\n",
            "x".repeat(MAX_ROW)
        );
        let (tally, records, _) = dump_counts(&long);
        assert_eq!((records, tally.count(Category::Email)), (0, 1));
        // An INSERT that does not parse is text.
        let (tally, _, _) = dump_counts("INSERT INTO t VALUES ('open, ichiro@example.com\n");
        assert_eq!(tally.count(Category::Email), 1);
    }

    #[test]
    fn names_and_columns() {
        assert_eq!(identifier("`customers` VALUES").0, "customers");
        assert_eq!(identifier("public.customers (id").0, "customers");
        assert_eq!(identifier("\"my table\"(a)").0, "my table");
        assert_eq!(
            column_def("  `email` varchar(255) DEFAULT NULL,"),
            Some("email".into())
        );
        assert_eq!(column_def("  PRIMARY KEY (`id`),"), None);
        assert_eq!(
            column_def("\t[name] [nvarchar](64) NULL,"),
            Some("name".into())
        );
        assert_eq!(column_def("\t[id] ASC"), None);
        assert_eq!(column_def("\t[created] DESC,"), None);
        assert_eq!(
            split_top("a int, b numeric(10,2), c text"),
            vec!["a int", " b numeric(10,2)", " c text"]
        );
        assert!(strip_keyword("insert into t", "INSERT INTO").is_some());
        assert!(strip_keyword("INSERT INTOx", "INSERT INTO").is_none());
    }

    fn dump_counts(dump: &str) -> (Tally, u64, Vec<(String, Category)>) {
        let mut tally = Tally::new(CatSet::all());
        let mut d = Dump::default();
        for line in dump.split_inclusive('\n') {
            d.line(line, &mut tally);
        }
        let (records, cols) = d.finish(&mut tally);
        (tally, records, cols)
    }

    #[test]
    fn large_dumps_count_alike_in_every_form() {
        // Enough rows to classify the tables, so that `COPY` rows go by their field ranges
        // and `INSERT` rows by their parsed values; half of the `COPY` rows hold an escape or
        // a NULL (split as before).
        let (csv, truth) = crate::synth::persons_text(21, 600, crate::synth::Form::Csv);
        let report = |dump: &str| {
            let (tally, records, cols) = dump_counts(dump);
            let r = tally.report(String::new(), None, Some(records), cols, true);
            serde_json::to_string(&r).unwrap_or_default()
        };
        let mysql = report(&crate::synth::dump_of(&csv, crate::synth::Dumped::Mysql));
        for (c, n) in &truth {
            assert!(
                mysql.contains(&format!("\"{}\":{n}", c.id())),
                "{c}: {mysql}"
            );
        }
        let pg = crate::synth::dump_of(&csv, crate::synth::Dumped::Postgres);
        let escaped: String = pg
            .lines()
            .enumerate()
            .map(|(i, l)| match l.strip_suffix("\t") {
                // An empty passport issue date written as NULL.
                Some(l) if i % 2 == 0 => format!("{l}\t\\N\n"),
                _ => format!("{l}\n"),
            })
            .collect();
        assert_ne!(escaped, pg);
        for dump in [
            pg,
            escaped,
            crate::synth::dump_of(&csv, crate::synth::Dumped::Sqlite),
            crate::synth::dump_of(&csv, crate::synth::Dumped::PhpMyAdmin),
        ] {
            assert_eq!(report(&dump), mysql);
        }
    }

    #[test]
    fn mysql_postgres_and_sqlite_dumps_read_as_tables() {
        let rows = [
            (
                "山田 太郎",
                "ヤマダ タロウ",
                "1980-04-12",
                "taro@example.co.jp",
                "090-1234-5678",
            ),
            (
                "佐藤 花子",
                "サトウ ハナコ",
                "1975-11-03",
                "hanako@example.jp",
                "080-2345-6789",
            ),
            (
                "鈴木 一郎",
                "スズキ イチロウ",
                "1990-01-30",
                "ichiro@example.com",
                "070-3456-7890",
            ),
        ];
        let mysql = format!(
            "-- MySQL dump 10.13\nCREATE TABLE `customers` (\n  `id` int NOT NULL,\n  `name` varchar(64),\n  `kana` varchar(64),\n  `birthday` date,\n  `email` varchar(255),\n  `tel` varchar(20),\n  PRIMARY KEY (`id`)\n);\nINSERT INTO `customers` VALUES {};\n",
            rows.iter()
                .enumerate()
                .map(|(i, r)| format!("({i},'{}','{}','{}','{}','{}')", r.0, r.1, r.2, r.3, r.4))
                .collect::<Vec<_>>()
                .join(",")
        );
        let pg = format!(
            "-- PostgreSQL database dump\nCOPY public.customers (id, name, kana, birthday, email, tel) FROM stdin;\n{}\\.\n",
            rows.iter()
                .enumerate()
                .map(|(i, r)| format!("{i}\t{}\t{}\t{}\t{}\t{}\n", r.0, r.1, r.2, r.3, r.4))
                .collect::<String>()
        );
        let sqlite = format!(
            "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, kana TEXT, birthday TEXT, email TEXT, tel TEXT);\n{}COMMIT;\n",
            rows.iter()
                .enumerate()
                .map(|(i, r)| format!(
                    "INSERT INTO customers VALUES({i},'{}','{}','{}','{}','{}');\n",
                    r.0, r.1, r.2, r.3, r.4
                ))
                .collect::<String>()
        );
        // SQL Server Management Studio's "Generate Scripts" (schema and data): bracketed
        // names, `N'…'` strings, dates cast, `GO` between batches, no `;`.
        let mssql = format!(
            "USE [shop]\nGO\n/****** Object:  Table [dbo].[customers]    Script Date: 2016/05/13 10:00:00 ******/\n\
             SET ANSI_NULLS ON\nGO\nCREATE TABLE [dbo].[customers](\n\t[id] [int] IDENTITY(1,1) NOT NULL,\n\
             \t[name] [nvarchar](64) NULL,\n\t[kana] [nvarchar](64) NULL,\n\t[birthday] [date] NULL,\n\
             \t[email] [nvarchar](255) NULL,\n\t[tel] [varchar](20) NULL,\n\
             CONSTRAINT [PK_customers] PRIMARY KEY CLUSTERED \n(\n\t[id] ASC\n)WITH (PAD_INDEX = OFF) ON [PRIMARY]\n\
             ) ON [PRIMARY]\nGO\nSET IDENTITY_INSERT [dbo].[customers] ON \nGO\n{}SET IDENTITY_INSERT [dbo].[customers] OFF\nGO\n",
            rows.iter()
                .enumerate()
                .map(|(i, r)| format!(
                    "INSERT [dbo].[customers] ([id], [name], [kana], [birthday], [email], [tel]) VALUES ({i}, N'{}', N'{}', CAST(N'{}' AS Date), N'{}', N'{}')\nGO\n",
                    r.0, r.1, r.2, r.3, r.4
                ))
                .collect::<String>()
        );
        // Oracle SQL Developer's export of a table's data: dates through `to_date`.
        let oracle = format!(
            "REM INSERTING into CUSTOMERS\nSET DEFINE OFF;\n{}",
            rows.iter()
                .enumerate()
                .map(|(i, r)| format!(
                    "Insert into \"SHOP\".\"customers\" (ID,NAME,KANA,BIRTHDAY,EMAIL,TEL) values ('{i}','{}','{}',to_date('{}','YYYY-MM-DD'),'{}','{}');\n",
                    r.0, r.1, r.2, r.3, r.4
                ))
                .collect::<String>()
        );
        for dump in [&mysql, &pg, &sqlite, &mssql, &oracle] {
            assert!(looks_like(dump));
            let (tally, records, cols) = dump_counts(dump);
            assert_eq!(records, 3, "{dump}");
            for c in [
                Category::NameKanji,
                Category::NameKana,
                Category::BirthDate,
                Category::Email,
                Category::Phone,
            ] {
                assert_eq!(tally.count(c), 3, "{c:?} in {dump}");
            }
            assert!(
                cols.iter()
                    .any(|(c, k)| c.eq_ignore_ascii_case("customers.name")
                        && *k == Category::NameKanji),
                "{cols:?}"
            );
        }
    }

    /// Values written as expressions: the first string in them, else their text.
    #[test]
    fn expressions_give_their_first_string() {
        let (rows, rest) = tuples_then(
            "(1, N'山田 ''太郎''', CAST(N'1980-04-12' AS Date), to_date('12/04/1980','DD/MM/YYYY'), \
             DATE '1980-04-12', NULL, sysdate(), 0x1F),(2)",
            false,
        )
        .unwrap();
        assert_eq!(
            rows,
            [
                vec![
                    "1",
                    "山田 '太郎'",
                    "1980-04-12",
                    "12/04/1980",
                    "1980-04-12",
                    "",
                    "sysdate()",
                    "0x1F"
                ],
                vec!["2"]
            ]
        );
        assert_eq!(rest, "");
        // Brackets that do not close, a string that does not end: no rows.
        assert_eq!(tuples("(1, f(2, 3)", false), None);
        assert_eq!(tuples("(1, N'abc)", false), None);
    }
}
