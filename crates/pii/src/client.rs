//! What database clients print, saved from a terminal or redirected to a file: MySQL's
//! boxed tables (the interactive client, `mysql -t`), psql's aligned tables, and MySQL's
//! vertical records (`\G`); and Markdown tables, as wikis and tickets hold what was pasted
//! from them. Taken by hand, line by line, into a [`Table`]: no crate reads
//! them, and they are simple. As text they lost their columns (a name or a birth date has no
//! keyword beside it), as a `|`-delimited table their rules, footers and outer bars made
//! rows and columns of their own.
//!
//! They are read wherever they are in a text ([`Blocks`]: a work log, a ticket, a chat
//! export), each table on its own with its header; the text around them is free text.
//!
//! ```text
//! +----+-----------+------------------+     id | name      | email
//! | id | name      | email            |    ----+-----------+-----------------
//! +----+-----------+------------------+      1 | 山田 太郎 | taro@example.jp
//! |  1 | 山田 太郎 | taro@example.jp  |    (1 row)
//! +----+-----------+------------------+
//! 1 row in set (0.00 sec)                  *************************** 1. row ***
//!                                                 id: 1
//!                                               name: 山田 太郎
//! ```

use kizuki_core::Category;

use crate::table::{Table, Tables};
use crate::tally::Tally;

/// Non-empty lines of the head looked at to recognise a client's output or a table at a
/// text's start (such a text is no delimited file).
const SNIFF_LINES: usize = 40;

/// Does the text start with a boxed or aligned table (after a prompt or a query, if any)?
pub(crate) fn looks_boxed(head: &str) -> bool {
    // Every form has bars (a search at memory speed spares most texts the lines below).
    if memchr::memchr(b'|', head.as_bytes()).is_none() {
        return false;
    }
    let lines: Vec<&str> = head
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .take(SNIFF_LINES)
        .collect();
    lines.windows(3).any(|w| {
        // MySQL: a rule, then the header between bars, then a rule.
        let mysql = w[0].starts_with("+-") && is_rule(w[0]) && bars(w[1]) && is_rule(w[2]);
        // psql: the header with `|` between the columns, then a rule of `-` and `+`.
        let psql = !w[0].starts_with('|')
            && w[0].contains(" | ")
            && w[1].starts_with('-')
            && w[1].contains("-+-")
            && is_rule(w[1])
            && w[2].contains(" | ");
        // Markdown: the header between bars, then `| --- | :---: |`.
        let markdown = bars(w[0]) && bars(w[1]) && is_rule(w[1]) && bars(w[2]);
        mysql || psql || markdown
    })
}

/// A line between bars: `| a | b |`.
fn bars(l: &str) -> bool {
    l.len() > 2 && l.starts_with('|') && l.ends_with('|')
}

/// A rule: `+----+----+`, `----+----`, `====`, `| --- | :---: |`.
fn is_rule(l: &str) -> bool {
    let t = l.trim();
    t.contains('-')
        && t.bytes()
            .all(|b| matches!(b, b'-' | b'+' | b'=' | b'|' | b':' | b' '))
        || t.contains('=') && t.bytes().all(|b| matches!(b, b'=' | b'+' | b'|'))
}

/// A client's footer or message: `(3 rows)`, `3 rows in set (0.00 sec)`, `Empty set`,
/// `Query OK, …`.
fn is_footer(l: &str) -> bool {
    let t = l.trim();
    let rows = |s: &str| s.ends_with(" row") || s.ends_with(" rows");
    (t.starts_with('(') && t.ends_with(')') && rows(&t[1..t.len() - 1]))
        || t.contains(" in set (")
        || t.starts_with("Empty set")
        || t.starts_with("Query OK")
}

/// Does the text hold MySQL's vertical records (`*** 1. row ***`) near its start?
pub(crate) fn looks_vertical(head: &str) -> bool {
    // A row marker holds `. row` (searched at memory speed first: most texts have none).
    if memchr::memmem::find(head.as_bytes(), b". row").is_none() {
        return false;
    }
    head.lines()
        .take(SNIFF_LINES)
        .any(|l| row_marker(l.trim_end()))
}

/// `*************************** 1. row ***************************`.
fn row_marker(l: &str) -> bool {
    let t = l.trim_matches('*').trim();
    l.starts_with("***")
        && l.ends_with("***")
        && t.strip_suffix(". row")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// MySQL's vertical records: `name: value` lines between row markers, each record a row of
/// a [`Table::named`] (its columns named by the keys).
#[derive(Default)]
pub(crate) struct Vertical {
    fields: Vec<(String, String)>,
}

/// Fields kept for one record: a bound on a crafted record's memory (the table keeps at most
/// its own number of columns anyway).
const MAX_FIELDS: usize = 512;

impl Vertical {
    /// A `key: value` line (`   name: 山田 太郎`: the key is padded on the left to the
    /// longest key's width) kept for the record; false for any other line.
    fn field(&mut self, l: &str) -> bool {
        match l.split_once(": ") {
            Some((k, v)) if !k.trim().is_empty() && !k.trim().contains(' ') => {
                if self.fields.len() < MAX_FIELDS {
                    self.fields
                        .push((k.trim().to_string(), v.trim().to_string()));
                }
                true
            }
            _ => false,
        }
    }

    /// Ends the record read so far.
    fn flush(&mut self, table: &mut Table, tally: &mut Tally) {
        if !self.fields.is_empty() {
            table.push_named(std::mem::take(&mut self.fields), tally);
        }
    }
}

/// Free text with database clients' tables and Markdown tables anywhere in it: a session
/// log, a ticket, a wiki page, a chat export. Each table is read on its own into a
/// [`Table`] (the rule, header and rule or the row markers open it; a footer, a blank line
/// or a line of another shape closes it; a second query's table opens a new one), the text
/// around the tables by the text scanner.
///
/// Lines that may open a table are found by a vector search for `|` and for a vertical
/// record's marker; the text between them goes to the text scanner in one piece.
#[derive(Default)]
pub(crate) struct Blocks {
    /// The last lines of a piece whose meaning depends on lines not read yet (a line that may
    /// open a table, a rule that may close one or open the next): read with the next piece.
    carry: String,
    open: Option<Open>,
    /// The tables read.
    tables: Tables,
    /// Values the text outside the tables held.
    text_values: u64,
    /// Lines of comma-separated cells are a table too ([`Blocks::with_commas`]).
    commas: bool,
}

/// A table being read.
struct Open {
    shape: Shape,
    table: Table,
    vertical: Vertical,
    /// The tabs of a [`Shape::Tabbed`] table's lines.
    tabs: usize,
    /// The values counted before the table opened.
    before: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// MySQL's `+---+` boxes.
    Boxed,
    /// psql's aligned table.
    Psql,
    /// `| a | b |` over `| --- | --- |`.
    Markdown,
    /// MySQL's `\G` records.
    Vertical,
    /// Lines of tab-separated cells, as a spreadsheet's range is pasted into a mail or a
    /// ticket; the first line may be a header.
    Tabbed,
    /// Lines of comma-separated cells, a CSV pasted ([`Blocks::with_commas`]).
    Commas,
}

/// What the lines from a point show.
enum Look {
    /// A table of this shape opens here; its opening lines end at the offset.
    Opens(Shape, usize),
    /// No table opens here.
    No,
    /// The lines after these are needed to tell.
    More,
}

/// The most text kept for the next piece: lines longer than this that may open a table are
/// judged on what they hold (else a long line cut into pieces would be carried whole, again
/// and again).
const MAX_CARRY: usize = 64 * 1024;

/// The start of a vertical record's marker (`*** 1. row ***`), at a line's start.
const ROW_MARK: &[u8] = b"***";

/// Pieces of a long text read apart: the tables a piece opens and closes, and its text,
/// do not depend on the pieces before it when nothing carries over.
impl crate::spread::Reader for Blocks {
    fn fork(&self) -> Option<Self> {
        Some(Blocks {
            commas: self.commas,
            ..Blocks::default()
        })
    }

    fn takes(&self, _fork: &Self) -> bool {
        self.carry.is_empty() && self.open.is_none()
    }

    fn read(&mut self, chunk: &str, tally: &mut Tally) {
        self.chunk(chunk, tally);
    }

    fn join(&mut self, fork: Self, counted: Tally, tally: &mut Tally) {
        let before = tally.total();
        tally.merge(counted);
        self.tables.merge(fork.tables);
        self.text_values += fork.text_values;
        self.carry = fork.carry;
        // A table still open counted its `before` in the fork's tally.
        self.open = fork.open.map(|mut o| {
            o.before += before;
            o
        });
    }
}

impl Blocks {
    /// Blocks that also take lines of comma-separated cells for a table, as a CSV pasted
    /// into a mail's body is (three lines or more of as many commas, at least two, none
    /// followed by a space as in prose). Only for short texts (a message's bodies): a vector
    /// search for every comma of a large log or a book would cost its time for nothing.
    pub(crate) fn with_commas() -> Self {
        Blocks {
            commas: true,
            ..Blocks::default()
        }
    }

    /// One piece of the text (it ends at a line end).
    pub(crate) fn chunk(&mut self, piece: &str, tally: &mut Tally) {
        if self.carry.is_empty() {
            self.run(piece, false, tally);
        } else {
            let mut joined = std::mem::take(&mut self.carry);
            joined.push_str(piece);
            self.run(&joined, false, tally);
        }
    }

    /// Ends the text: the data rows of its tables (`None` when it held none) and their
    /// columns. When the text outside the tables held nothing, a person is a row at most.
    pub(crate) fn finish(&mut self, tally: &mut Tally) -> (Option<u64>, Vec<(String, Category)>) {
        let rest = std::mem::take(&mut self.carry);
        self.run(&rest, true, tally);
        self.close(tally);
        std::mem::take(&mut self.tables).finish(self.text_values == 0, tally)
    }

    /// Reads `s`; unless it is the `last` piece, lines whose meaning depends on what follows
    /// are kept in `carry`.
    fn run(&mut self, s: &str, last: bool, tally: &mut Tally) {
        let b = s.as_bytes();
        // Free text from here on is not scanned yet.
        let mut text_from = 0;
        // The next line to look at.
        let mut pos = 0;
        // The next vertical record's marker at or after `pos` (`usize::MAX`: none), found
        // again once `pos` passed it (`None`: not looked for yet).
        let mut marks: Option<usize> = None;
        while pos < s.len() {
            if self.open.is_some() {
                match self.table_line(s, pos, last || s.len() - pos > MAX_CARRY, tally) {
                    Some(Some(next)) => {
                        pos = next;
                        text_from = pos;
                    }
                    Some(None) => self.close(tally),
                    None => {
                        self.carry = s[pos..].to_string();
                        return;
                    }
                }
                continue;
            }
            // The next `|` or tab, or `***` at a line's start. Stars elsewhere are common in
            // logs (`SELECT *`, code): searched for apart, from the line feed before them, each
            // search is a long run (a search for any star restarted at every one of them).
            if marks.is_none_or(|m| m < pos) {
                marks = if pos == 0 && b.starts_with(ROW_MARK) {
                    Some(0)
                } else {
                    let from = pos.saturating_sub(1);
                    Some(
                        memchr::memmem::find(&b[from..], b"\n***")
                            .map_or(usize::MAX, |k| from + k + 1),
                    )
                };
            }
            let bar = if self.commas {
                memchr::memchr3(b'|', b'\t', b',', &b[pos..])
            } else {
                memchr::memchr2(b'|', b'\t', &b[pos..])
            }
            .map_or(usize::MAX, |k| pos + k);
            let at = bar.min(marks.unwrap_or(usize::MAX));
            if at == usize::MAX {
                break;
            }
            let ls = memchr::memrchr(b'\n', &b[pos..at]).map_or(pos, |i| pos + i + 1);
            let next = line_end(b, ls);
            // A MySQL table's header follows its opening rule.
            let prev = (ls > text_from).then(|| {
                memchr::memrchr(b'\n', &b[text_from..ls - 1])
                    .map_or(text_from, |i| text_from + i + 1)
            });
            let mut found = None;
            for start in prev.into_iter().chain([ls]) {
                match look(s, start, last || s.len() - start > MAX_CARRY, self.commas) {
                    Look::Opens(shape, end) => {
                        found = Some((start, shape, end));
                        break;
                    }
                    Look::More => {
                        self.text(&s[text_from..start], tally);
                        self.carry = s[start..].to_string();
                        return;
                    }
                    Look::No => {}
                }
            }
            match found {
                Some((start, shape, end)) => {
                    self.text(&s[text_from..start], tally);
                    self.begin(shape, &s[start..end], tally);
                    pos = end;
                    text_from = end;
                }
                None => pos = next,
            }
        }
        // The last line may be a MySQL table's opening rule (it has no `|`): kept for the
        // next piece, with its header.
        if !last && text_from < s.len() {
            let end = s.len() - usize::from(b.last() == Some(&b'\n'));
            let ls =
                memchr::memrchr(b'\n', &b[text_from..end]).map_or(text_from, |i| text_from + i + 1);
            if s.len() - ls <= MAX_CARRY && matches!(look(s, ls, false, self.commas), Look::More) {
                self.text(&s[text_from..ls], tally);
                self.carry = s[ls..].to_string();
                return;
            }
            // A statement whose bound values are logged on the lines after it
            // (`crate::sql::labelled_inserts`, `crate::sql::labelled_binds`) is read with them.
            if let Some(k) = statement_tail(&s[text_from..]) {
                let at = text_from + k;
                self.text(&s[text_from..at], tally);
                self.carry = s[at..].to_string();
                return;
            }
        }
        self.text(&s[text_from..], tally);
    }

    /// Free text between tables.
    fn text(&mut self, t: &str, tally: &mut Tally) {
        if t.is_empty() {
            return;
        }
        let before = tally.total();
        crate::text::scan(t, tally);
        self.text_values += tally.total() - before;
    }

    /// Opens a table of `shape` whose opening lines are `head`.
    fn begin(&mut self, shape: Shape, head: &str, tally: &mut Tally) {
        self.close(tally);
        // The header is the line that is no rule (the marker opens the first record). Pasted
        // cells may have none: their first line is judged as a CSV's is (a name there is no
        // column's name to report).
        let mut table = match head.lines().map(str::trim_end).find(|l| !is_rule(l)) {
            Some(_) if matches!(shape, Shape::Tabbed | Shape::Commas) => Table::new(),
            Some(h) if shape != Shape::Vertical => {
                Table::with_columns(cells(shape, h).map(str::to_string).collect())
            }
            _ => Table::named(),
        };
        let tabs = seps(shape, head);
        let before = tally.total();
        if matches!(shape, Shape::Tabbed | Shape::Commas) {
            push_cells(
                shape,
                head.trim_end_matches(['\n', '\r']),
                &mut table,
                tally,
            );
        }
        self.open = Some(Open {
            shape,
            table,
            vertical: Vertical::default(),
            tabs,
            before,
        });
    }

    /// Closes the open table, if any.
    fn close(&mut self, tally: &mut Tally) {
        let Some(mut open) = self.open.take() else {
            return;
        };
        if open.shape == Shape::Vertical {
            open.vertical.flush(&mut open.table, tally);
        }
        // Lines of tabbed cells with no column of personal data are no table of people
        // (a MySQL general log: time, thread and query between tabs): their values were
        // read cell by cell as text, and count as text's.
        if matches!(open.shape, Shape::Tabbed | Shape::Commas)
            && open.table.finish(tally).is_empty()
        {
            self.text_values += tally.total() - open.before;
            return;
        }
        self.tables.add(open.table, tally);
    }

    /// Reads the line at `pos` of the open table: `Some(Some(next))` when it was the
    /// table's (or opened the next table), `Some(None)` when it closes the table and is
    /// read as text, `None` when the lines after it are needed.
    fn table_line(
        &mut self,
        s: &str,
        pos: usize,
        last: bool,
        tally: &mut Tally,
    ) -> Option<Option<usize>> {
        let b = s.as_bytes();
        let next = line_end(b, pos);
        let l = s[pos..next].trim_end_matches(['\n', '\r']);
        let open = self.open.as_mut()?;
        let shape = open.shape;
        let blank = l.trim().is_empty();
        if (blank && shape != Shape::Markdown) || is_footer(l) {
            // The table's end, read with it.
            self.close(tally);
            return Some(Some(next));
        }
        let commas = self.commas;
        let opens_next = |shape: Shape| match look(s, pos, last, commas) {
            Look::Opens(sh, end) if sh == shape => Some(Some(end)),
            Look::More => Some(None),
            _ => None,
        };
        match shape {
            Shape::Boxed if is_rule(l) => match opens_next(Shape::Boxed) {
                Some(Some(end)) => {
                    self.begin(shape, &s[pos..end], tally);
                    Some(Some(end))
                }
                Some(None) => None,
                None => Some(Some(next)),
            },
            Shape::Boxed | Shape::Markdown if bars(l.trim_end()) => {
                if !is_rule(l) {
                    push_cells(shape, l, &mut open.table, tally);
                }
                Some(Some(next))
            }
            Shape::Psql if l.contains('|') => match opens_next(Shape::Psql) {
                Some(Some(end)) => {
                    self.begin(shape, &s[pos..end], tally);
                    Some(Some(end))
                }
                Some(None) => None,
                None => {
                    push_cells(shape, l, &mut open.table, tally);
                    Some(Some(next))
                }
            },
            Shape::Vertical if row_marker(l) => {
                open.vertical.flush(&mut open.table, tally);
                Some(Some(next))
            }
            Shape::Vertical if open.vertical.field(l) => Some(Some(next)),
            Shape::Tabbed if tabs(l) == open.tabs => {
                push_cells(shape, l, &mut open.table, tally);
                Some(Some(next))
            }
            Shape::Commas if seps(shape, l) == open.tabs && !l.contains(", ") => {
                push_cells(shape, l, &mut open.table, tally);
                Some(Some(next))
            }
            _ => Some(None),
        }
    }
}

/// The offset after the line that starts at `i` (its line feed included).
fn line_end(b: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k + 1)
}

/// Does a table open at the line that starts at `i` of `s`? (`commas`: lines of
/// comma-separated cells are one.)
fn look(s: &str, i: usize, last: bool, commas: bool) -> Look {
    let b = s.as_bytes();
    let mut lines = [""; 3];
    let mut ends = [i; 3];
    let mut tab = [0; 3];
    let mut com = [0; 3];
    let mut at = i;
    let mut n = 0;
    while n < 3 && at < s.len() {
        let e = line_end(b, at);
        lines[n] = s[at..e].trim_end_matches(['\n', '\r']).trim_end();
        tab[n] = tabs(&s[at..e]);
        if commas {
            com[n] = seps(Shape::Commas, &s[at..e]);
        }
        ends[n] = e;
        at = e;
        n += 1;
    }
    let [l0, l1, l2] = lines;
    if n >= 1 && row_marker(l0) {
        return Look::Opens(Shape::Vertical, ends[0]);
    }
    // What the first line (and the second) still allow.
    let boxed = l0.starts_with("+-") && is_rule(l0) && (n < 2 || bars(l1));
    let psql = !l0.starts_with('|')
        && l0.contains(" | ")
        && (n < 2 || (l1.starts_with('-') && l1.contains("-+-") && is_rule(l1)));
    let markdown = bars(l0) && (n < 2 || (bars(l1) && is_rule(l1)));
    // Three cells or more, as many on the next lines; lines indented with tabs (code, a
    // log's continuation lines) are no cells.
    let tabbed = tab[0] >= 2
        && tab[1..n].iter().all(|t| *t == tab[0])
        && lines[..n]
            .iter()
            .all(|l| !l.starts_with(|c: char| c.is_whitespace()));
    // The same, with commas: three cells or more, none after a comma and a space (prose).
    let comma_cells = !tabbed
        && com[0] >= 2
        && com[1..n].iter().all(|c| *c == com[0])
        && lines[..n]
            .iter()
            .all(|l| !l.starts_with(|c: char| c.is_whitespace()) && !l.contains(", "));
    if !(boxed || psql || markdown || tabbed || comma_cells) {
        return Look::No;
    }
    if n < 3 {
        return if last { Look::No } else { Look::More };
    }
    if boxed && is_rule(l2) {
        Look::Opens(Shape::Boxed, ends[2])
    } else if psql && l2.contains(" | ") {
        Look::Opens(Shape::Psql, ends[1])
    } else if markdown && bars(l2) {
        Look::Opens(Shape::Markdown, ends[1])
    } else if tabbed {
        Look::Opens(Shape::Tabbed, ends[0])
    } else if comma_cells {
        Look::Opens(Shape::Commas, ends[0])
    } else {
        Look::No
    }
}

/// The end of a text this long is looked at for a statement whose values may follow.
const STATEMENT_TAIL: usize = 2048;

/// The start of the line where an `INSERT` (any case) is among the last
/// [`STATEMENT_TAIL`] bytes of `t`, if one is.
fn statement_tail(t: &str) -> Option<usize> {
    let b = t.as_bytes();
    let mut from = t.len().saturating_sub(STATEMENT_TAIL);
    while !t.is_char_boundary(from) {
        from += 1;
    }
    let w = &b[from..];
    let at = [&b"INSERT"[..], b"insert"]
        .iter()
        .filter_map(|k| memchr::memmem::rfind(w, k))
        .max()?;
    let ls = memchr::memrchr(b'\n', &b[..from + at]).map_or(0, |i| i + 1);
    (t.len() - ls <= MAX_CARRY).then_some(ls)
}

/// A table line's cells (between the outer bars of boxed and Markdown tables).
fn cells(shape: Shape, l: &str) -> Box<dyn Iterator<Item = &str> + '_> {
    match shape {
        Shape::Tabbed => return Box::new(l.split('\t').map(str::trim)),
        Shape::Commas => return Box::new(l.split(',').map(str::trim)),
        _ => {}
    }
    let l = l.trim_end();
    let inner = if shape != Shape::Psql && bars(l) {
        &l[1..l.len() - 1]
    } else {
        l
    };
    Box::new(inner.split('|').map(str::trim))
}

/// The tabs of a line (a spreadsheet's empty last cells leave tabs at its end).
fn tabs(l: &str) -> usize {
    memchr::memchr_iter(b'\t', l.as_bytes()).count()
}

/// The separators of a line of a table of `shape`: commas or tabs.
fn seps(shape: Shape, l: &str) -> usize {
    if shape == Shape::Commas {
        memchr::memchr_iter(b',', l.as_bytes()).count()
    } else {
        tabs(l)
    }
}

/// A table line's cells as a row of `table`.
fn push_cells(shape: Shape, l: &str, table: &mut Table, tally: &mut Tally) {
    let row: Vec<&str> = cells(shape, l).collect();
    table.push(&row, tally);
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::tally::CatSet;

    /// What `Blocks` makes of `text` fed in `pieces` (each ends at a line end): records,
    /// columns and every category's count.
    fn read(pieces: &[&str]) -> (Option<u64>, Vec<(String, Category)>, Vec<u64>) {
        let mut tally = Tally::new(CatSet::all());
        let mut blocks = Blocks::default();
        for p in pieces {
            blocks.chunk(p, &mut tally);
        }
        let (records, columns) = blocks.finish(&mut tally);
        let counts = Category::ALL.iter().map(|c| tally.count(*c)).collect();
        (records, columns, counts)
    }

    /// [`read`] with [`Blocks::with_commas`], the text in one piece.
    fn read_commas(text: &str) -> (Option<u64>, Vec<(String, Category)>, Vec<u64>) {
        let mut tally = Tally::new(CatSet::all());
        let mut blocks = Blocks::with_commas();
        blocks.chunk(text, &mut tally);
        let (records, columns) = blocks.finish(&mut tally);
        let counts = Category::ALL.iter().map(|c| tally.count(*c)).collect();
        (records, columns, counts)
    }

    #[test]
    fn a_csv_pasted_into_a_mail_is_a_table() {
        let (csv, truth) = crate::synth::persons_text(4, 30, crate::synth::Form::Csv);
        let mail = format!(
            "お疲れ様です。\n本日の登録分です。\n\n{csv}\nよろしくお願いいたします。\nTaro, Hanako, and Jiro joined today.\n"
        );
        let r = read_commas(&mail);
        assert_eq!(r.0, Some(30));
        assert!(r.1.len() >= 8, "{:?}", r.1);
        for (c, n) in &truth {
            assert_eq!(count(&r, *c), *n, "{c}");
        }
        // An order table pasted: no phones, no passport numbers (the CSV reader's rules).
        let orders = crate::synth::decoys_csv_ja(3, 40);
        let r = read_commas(&format!("本日の注文です。\n\n{orders}\n以上です。\n"));
        assert_eq!(r.2.iter().sum::<u64>(), 0, "{r:?}");
        // Without commas as cells (the default), the same mail is text: its order numbers
        // read as phones.
        let r = read(&[&format!("本日の注文です。\n\n{orders}\n以上です。\n")]);
        assert!(count(&r, Category::Phone) > 0);
        // Prose with commas is no table.
        let prose = "Dear all,\nWe met Taro, Hanako, and Jiro, as planned.\nCall 090-1234-5678, or mail, or fax.\nBest, and thanks, Ken\n";
        let r = read_commas(prose);
        assert_eq!(r.0, None);
        assert_eq!(count(&r, Category::Phone), 1);
    }

    fn count(r: &(Option<u64>, Vec<(String, Category)>, Vec<u64>), c: Category) -> u64 {
        r.2[Category::ALL.iter().position(|x| *x == c).unwrap()]
    }

    const MYSQL: &str = "mysql> select * from users;
+----+-----------+---------------+------------+
| id | name      | kana          | birthday   |
+----+-----------+---------------+------------+
|  1 | 山田 太郎 | ヤマダ タロウ | 1980-04-12 |
|  2 | 佐藤 花子 | サトウ ハナコ | 1975-11-03 |
+----+-----------+---------------+------------+
2 rows in set (0.00 sec)
";
    const ORDERS: &str = "mysql> select * from orders;
+----------+-----------+------------+
| order_id | sku       | ordered    |
+----------+-----------+------------+
|     1001 | AB1234567 | 2024-03-01 |
|     1002 | CD7654321 | 2024-03-02 |
|     1003 | EF1111111 | 2024-03-03 |
+----------+-----------+------------+
";
    const PSQL: &str = " id | 氏名      | 生年月日
----+-----------+------------
  1 | 鈴木 一郎 | 1990-01-30
(1 row)

";
    const VERTICAL: &str = "*************************** 1. row ***************************
  id: 7
name: 高橋 美咲
kana: タカハシ ミサキ
1 row in set (0.00 sec)
";
    const MARKDOWN: &str = "| 氏名 | 性別 |
| --- | :---: |
| 田中 健 | 男 |
| 伊藤 愛 | 女 |
";

    #[test]
    fn reads_each_table_of_a_text_on_its_own() {
        let prose = "本日の作業記録。障害の原因を調べるため本番の表を確認した。\n".repeat(50);
        let text = format!("{prose}{MYSQL}\n{ORDERS}{PSQL}作業メモ\n{VERTICAL}\n{MARKDOWN}以上\n");
        let r = read(&[&text]);
        // 2 + 3 + 1 + 1 + 2 rows: the headers of later tables are no rows.
        assert_eq!(r.0, Some(9), "{r:?}");
        assert_eq!(count(&r, Category::NameKanji), 6, "{r:?}");
        assert_eq!(count(&r, Category::NameKana), 3, "{r:?}");
        assert_eq!(count(&r, Category::BirthDate), 3, "{r:?}");
        assert_eq!(count(&r, Category::Gender), 2, "{r:?}");
        for want in [
            ("name", Category::NameKanji),
            ("kana", Category::NameKana),
            ("birthday", Category::BirthDate),
            ("氏名", Category::NameKanji),
            ("生年月日", Category::BirthDate),
            ("性別", Category::Gender),
        ] {
            assert!(
                r.1.contains(&(want.0.to_string(), want.1)),
                "{want:?}: {r:?}"
            );
        }
        // The orders' dates are no birth dates.
        assert!(!r.1.iter().any(|(c, _)| c == "ordered"), "{r:?}");
        // Fed a line at a time, or a few: the same.
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        assert_eq!(read(&lines), r);
        for n in [2, 3, 5] {
            let pieces: Vec<String> = lines.chunks(n).map(|c| c.concat()).collect();
            let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
            assert_eq!(read(&pieces), r, "{n}");
        }
        // Text alone: no records.
        let r = read(&[&prose, "山田 太郎 | 電話 090-1234-5678\n"]);
        assert_eq!(r.0, None);
    }

    #[test]
    fn reads_a_range_pasted_from_a_spreadsheet() {
        let range = "氏名\tフリガナ\t生年月日\t電話番号\t\n\
                     山田 太郎\tヤマダ タロウ\t1980/4/12\t090-1234-5678\t\n\
                     佐藤 花子\tサトウ ハナコ\t1975/11/3\t080-2345-6789\t\n\
                     鈴木 一郎\tスズキ イチロウ\t1990/1/30\t070-3456-7890\t\n";
        let mail = format!(
            "お世話になっております。\n対象のお客様は下記のとおりです。\n\n{range}\nよろしくお願いいたします。\n"
        );
        let r = read(&[&mail]);
        assert_eq!(r.0, Some(3), "{r:?}");
        for c in [
            Category::NameKanji,
            Category::NameKana,
            Category::BirthDate,
            Category::Phone,
        ] {
            assert_eq!(count(&r, c), 3, "{c} {r:?}");
        }
        assert!(
            r.1.contains(&("生年月日".to_string(), Category::BirthDate)),
            "{r:?}"
        );
        // No header: the cells are judged by what they hold.
        let rows: String = range.lines().skip(1).map(|l| format!("{l}\n")).collect();
        let r = read(&[&format!("一覧です。\n{rows}以上\n")]);
        assert_eq!(r.0, Some(3), "{r:?}");
        assert_eq!(count(&r, Category::NameKanji), 3, "{r:?}");
        assert_eq!(count(&r, Category::BirthDate), 3, "{r:?}");
        // Lines fed one by one: the same.
        let lines: Vec<&str> = mail.split_inclusive('\n').collect();
        assert_eq!(read(&lines), read(&[&mail]));
        // Code indented with tabs is no table; its values are read as text.
        let code = "func main() {\n\t\tcall(\"山田 太郎\", \"090-1234-5678\")\n\t\tcall(x)\n\t\tcall(y)\n}\n";
        let r = read(&[code]);
        assert_eq!(r.0, None, "{r:?}");
        assert_eq!(count(&r, Category::Phone), 1, "{r:?}");
    }

    #[test]
    fn a_statement_is_read_with_its_values_on_the_next_lines() {
        let pg = "LOG:  execute <unnamed>: INSERT INTO customers (name, birthday) VALUES ($1, $2)\n\
                  DETAIL:  parameters: $1 = '山田 太郎', $2 = '1980-04-12'\n";
        let hibernate = "Hibernate: \n    insert \n    into\n        customers\n        (name, kana) \n    values\n        (?, ?)\n\
                         binding parameter (1:VARCHAR) <- [佐藤 花子]\n\
                         binding parameter (2:VARCHAR) <- [サトウ ハナコ]\n";
        let text = format!("{}{pg}{hibernate}", "ログ\n".repeat(1000));
        let whole = read(&[&text]);
        assert_eq!(count(&whole, Category::NameKanji), 2, "{whole:?}");
        assert_eq!(count(&whole, Category::BirthDate), 1, "{whole:?}");
        assert_eq!(count(&whole, Category::NameKana), 1, "{whole:?}");
        // Cut into pieces at every line: the statement waits for its values.
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        assert_eq!(read(&lines), whole);
        // A text that ends with a statement keeps nothing back.
        assert_eq!(
            count(
                &read(&["x\n", "INSERT INTO t (tel) VALUES ('090-1234-5678')\n"]),
                Category::Phone
            ),
            1
        );
    }

    #[test]
    fn hostile_text_with_bars_stays_linear() {
        let t = std::time::Instant::now();
        // Bars on every line, no table.
        let bars = "a | b | c\n".repeat(300_000);
        assert_eq!(read(&[&bars]).0, None);
        // A rule cut into pieces (a line longer than a piece): not carried over and over.
        let rule = format!("+{}", "-+".repeat(2_000_000));
        let pieces: Vec<&str> = (0..rule.len())
            .step_by(65_536)
            .map(|i| &rule[i..(i + 65_536).min(rule.len())])
            .collect();
        assert_eq!(read(&pieces).0, None);
        // Row markers on every line, and a table that never closes.
        let marks = "*************************** 1. row ***\n".repeat(100_000);
        assert_eq!(read(&[&marks]).0, Some(0));
        // A statement at the end of every piece: carried once each.
        let inserts: Vec<String> = (0..20_000).map(|i| format!("{i}\nINSERT x\n")).collect();
        let inserts: Vec<&str> = inserts.iter().map(String::as_str).collect();
        assert_eq!(read(&inserts).0, None);
        let open = format!("| a | b |\n| - | - |\n{}", "| 1 | 2 |\n".repeat(200_000));
        assert_eq!(read(&[&open]).0, Some(200_000));
        // Tabs on every line, and a pasted range that never ends.
        let tabs = "a\tb\tc\n".repeat(200_000);
        assert_eq!(read(&[&tabs]).0, None);
        let named = format!("氏名\tb\tc\n{}", "山田 太郎\t1\t2\n".repeat(200_000));
        assert_eq!(read(&[&named]).0, Some(200_000));
        let ragged: String = (0..200_000)
            .map(|i| format!("a{}\tb\n", "\t".repeat(i % 3)))
            .collect();
        assert_eq!(read(&[&ragged]).0, None);
        assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
    }

    #[test]
    fn recognises_each_clients_output_and_nothing_else() {
        let mysql = "mysql> select * from users;\n+----+------+\n| id | name |\n+----+------+\n|  1 | 山田 |\n";
        let psql = " id | name\n----+------\n  1 | 山田\n(1 row)\n";
        let vertical =
            "*************************** 1. row ***************************\n  id: 1\nname: 山田\n";
        let markdown =
            "# 顧客\n\n| 氏名 | 電話 |\n| --- | :---: |\n| 山田 太郎 | 090-1234-5678 |\n";
        assert!(looks_boxed(mysql));
        assert!(looks_boxed(psql));
        assert!(looks_boxed(markdown));
        let page = format!(
            "{}{markdown}",
            "本文の段落です。| 記号を含む。\n".repeat(30)
        );
        assert!(looks_boxed(&page));
        assert!(!looks_boxed(vertical));
        assert!(looks_vertical(vertical));
        for other in [
            "a|b|c\n1|2|3\n",
            "氏名,電話\n山田,090\n",
            "----\nheading\n----\n",
            "*** note ***\n",
            "+1 | 2\n",
            "| a | b |\n| c | d |\n| e | f |\n",
            "見出し\n- 項目\n- 項目\n",
        ] {
            assert!(!looks_boxed(other), "{other}");
            assert!(!looks_vertical(other), "{other}");
        }
        assert!(is_footer("(3 rows)") && is_footer("1 row in set (0.00 sec)"));
        assert!(!is_footer("(山田 太郎)"));
    }
}
