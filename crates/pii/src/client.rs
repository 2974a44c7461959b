//! What database clients print, saved from a terminal or redirected to a file: MySQL's
//! boxed tables (the interactive client, `mysql -t`), psql's aligned tables, and MySQL's
//! vertical records (`\G`); and Markdown tables, as wikis and tickets hold what was pasted
//! from them. Taken by hand, line by line, into a [`Table`]: no crate reads
//! them, and they are simple. As text they lost their columns (a name or a birth date has no
//! keyword beside it), as a `|`-delimited table their rules, footers and outer bars made
//! rows and columns of their own.
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

use crate::table::Table;
use crate::tally::Tally;

/// Non-empty lines of the head looked at to recognise a client's output or a table (a wiki
/// page may open with a few paragraphs).
const SNIFF_LINES: usize = 40;

/// Does the text start with a boxed or aligned table (after a prompt or a query, if any)?
pub(crate) fn looks_boxed(head: &str) -> bool {
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

/// One line of a boxed or aligned table: its cells go to `table` (the first row is the
/// header), rules and footers are skipped, and any other line (a prompt, a query, a message)
/// is free text for `text`.
pub(crate) fn boxed_line(line: &str, table: &mut Table, tally: &mut Tally) {
    let l = line.trim_end_matches(['\n', '\r']);
    if l.trim().is_empty() || is_rule(l) || is_footer(l) {
        return;
    }
    if !l.contains('|') {
        crate::text::scan(l, tally);
        return;
    }
    let inner = if bars(l.trim_end()) {
        let t = l.trim_end();
        &t[1..t.len() - 1]
    } else {
        l
    };
    let cells: Vec<&str> = inner.split('|').map(str::trim).collect();
    table.push(&cells, tally);
}

/// Does the text hold MySQL's vertical records (`*** 1. row ***`) near its start?
pub(crate) fn looks_vertical(head: &str) -> bool {
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
    /// One line of the output.
    pub(crate) fn line(&mut self, line: &str, table: &mut Table, tally: &mut Tally) {
        let l = line.trim_end_matches(['\n', '\r']);
        if row_marker(l) {
            self.flush(table, tally);
            return;
        }
        if l.trim().is_empty() || is_footer(l) {
            return;
        }
        // `   name: 山田 太郎`: the key is padded on the left to the longest key's width.
        match l.split_once(": ") {
            Some((k, v)) if !k.trim().is_empty() && !k.trim().contains(' ') => {
                if self.fields.len() < MAX_FIELDS {
                    self.fields
                        .push((k.trim().to_string(), v.trim().to_string()));
                }
            }
            _ => crate::text::scan(l, tally),
        }
    }

    /// Ends the last record.
    pub(crate) fn finish(&mut self, table: &mut Table, tally: &mut Tally) {
        self.flush(table, tally);
    }

    fn flush(&mut self, table: &mut Table, tally: &mut Tally) {
        if !self.fields.is_empty() {
            table.push_named(std::mem::take(&mut self.fields), tally);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
