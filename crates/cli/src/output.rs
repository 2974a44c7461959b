//! Output writers: JSON Lines or aligned text on stdout, errors on stderr, and the exit code.

use std::borrow::Cow;
use std::fmt::Display;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use anstyle::{AnsiColor, Effects, Style as AStyle};
use kizuki_core::finding::Severity;
use kizuki_core::report::{Span, Style};
use kizuki_core::{Report, Text, Verdict};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::args::{ColorChoice, Format, Global};

/// The exit status of a command (see the crate docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Nothing at or above the threshold.
    Clean,
    /// Findings.
    Findings,
    /// Errors only.
    Error,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(match e {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::Error => 2,
        })
    }
}

/// Writes items as they come and keeps count for the exit code.
pub struct Emitter {
    format: Format,
    color: bool,
    out: BufWriter<io::Stdout>,
    hits: u64,
    errors: u64,
    items: u64,
}

/// The JSON object for an input that could not be scanned.
#[derive(Serialize)]
struct ErrorItem<'a> {
    path: &'a str,
    error: String,
}

impl Emitter {
    /// An emitter for the global options.
    pub fn new(g: &Global) -> Self {
        let color = match g.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Emitter {
            format: g.format,
            color: color && g.format == Format::Text,
            out: BufWriter::new(io::stdout()),
            hits: 0,
            errors: 0,
            items: 0,
        }
    }

    /// Writes one scanned item.
    pub fn item<R: Report>(&mut self, r: &R) -> io::Result<()> {
        self.items += 1;
        if r.is_hit() {
            self.hits += 1;
        }
        match self.format {
            Format::Json => self.json(r),
            Format::Text => {
                let t = r.text();
                self.text(&t)
            }
        }
    }

    /// Writes a serialisable object as one JSON line (JSON mode) or `text` (text mode), without
    /// counting it as a scanned item.
    pub fn record<T: Serialize>(&mut self, value: &T, text: &Text) -> io::Result<()> {
        match self.format {
            Format::Json => self.json(value),
            Format::Text => self.text(text),
        }
    }

    /// Reports an input that could not be scanned: one line on stderr, and in JSON mode an
    /// object with an `error` field on stdout. The scan goes on.
    pub fn error(&mut self, path: &str, err: &dyn Display) -> io::Result<()> {
        self.errors += 1;
        let msg = err.to_string().replace('\n', " ");
        eprintln!("kizuki: {}: {}", shown(path), shown(&msg));
        if self.format == Format::Json {
            self.json(&ErrorItem { path, error: msg })?;
        }
        Ok(())
    }

    /// Flushes and returns the exit status: findings win over errors.
    pub fn finish(mut self) -> io::Result<Exit> {
        self.out.flush()?;
        tracing::debug!(
            items = self.items,
            hits = self.hits,
            errors = self.errors,
            "done"
        );
        Ok(if self.hits > 0 {
            Exit::Findings
        } else if self.errors > 0 {
            Exit::Error
        } else {
            Exit::Clean
        })
    }

    fn json<T: Serialize + ?Sized>(&mut self, v: &T) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, v)?;
        self.out.write_all(b"\n")?;
        // Scripts read JSON Lines as they come: flush per object.
        self.out.flush()
    }

    fn text(&mut self, t: &Text) -> io::Result<()> {
        let rendered = render(t, self.color);
        self.out.write_all(rendered.as_bytes())?;
        self.out.flush()
    }
}

fn style_of(s: Style) -> AStyle {
    match s {
        Style::Plain => AStyle::new(),
        Style::Path => AStyle::new().effects(Effects::BOLD),
        Style::Rule => AStyle::new().fg_color(Some(AnsiColor::Cyan.into())),
        Style::Dim => AStyle::new().effects(Effects::DIMMED),
        Style::Error => AStyle::new()
            .fg_color(Some(AnsiColor::Red.into()))
            .effects(Effects::BOLD),
        Style::Severity(sev) => match sev {
            Severity::Info => AStyle::new().effects(Effects::DIMMED),
            Severity::Low => AStyle::new().fg_color(Some(AnsiColor::Blue.into())),
            Severity::Medium => AStyle::new().fg_color(Some(AnsiColor::Yellow.into())),
            Severity::High => AStyle::new().fg_color(Some(AnsiColor::Red.into())),
            Severity::Critical => AStyle::new()
                .fg_color(Some(AnsiColor::Red.into()))
                .effects(Effects::BOLD),
        },
        Style::Verdict(v) => match v {
            Verdict::Clean => AStyle::new().fg_color(Some(AnsiColor::Green.into())),
            Verdict::Suspicious => AStyle::new().fg_color(Some(AnsiColor::Yellow.into())),
            Verdict::Malicious => AStyle::new()
                .fg_color(Some(AnsiColor::Red.into()))
                .effects(Effects::BOLD),
        },
    }
}

fn cell_width(cell: &[Span]) -> usize {
    cell.iter().map(|s| shown(&s.text).width()).sum()
}

/// `s` as the terminal must show it: control characters (an escape sequence, a line feed
/// that would forge a line of its own) and the Unicode controls that reverse the order of
/// what follows (`invoice\u{202E}fdp.exe` shown as `invoiceexe.pdf`) written as escapes.
/// Paths and details come from the files read, and a hostile archive or mail names its
/// members as it likes; JSON output escapes them already.
pub fn shown(s: &str) -> Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
            )
    };
    if !s.contains(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !hidden(c) {
            out.push(c);
        } else if let Ok(b) = u8::try_from(u32::from(c)) {
            out.push_str(&format!("\\x{b:02x}"));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        }
    }
    Cow::Owned(out)
}

/// Renders text: cells of consecutive multi-cell lines are aligned column by column.
pub fn render(t: &Text, color: bool) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < t.lines.len() {
        // A block: consecutive lines with the same number of cells.
        let n = t.lines[i].len();
        let mut j = i;
        while j < t.lines.len() && t.lines[j].len() == n {
            j += 1;
        }
        let block = &t.lines[i..j];
        let widths: Vec<usize> = (0..n)
            .map(|c| block.iter().map(|l| cell_width(&l[c])).max().unwrap_or(0))
            .collect();
        for line in block {
            let mut s = String::new();
            for (c, cell) in line.iter().enumerate() {
                if c > 0 {
                    s.push_str("  ");
                }
                for span in cell {
                    if color && span.style != Style::Plain {
                        let st = style_of(span.style);
                        s.push_str(&format!(
                            "{}{}{}",
                            st.render(),
                            shown(&span.text),
                            st.render_reset()
                        ));
                    } else {
                        s.push_str(&shown(&span.text));
                    }
                }
                if c + 1 < n {
                    let pad = widths[c].saturating_sub(cell_width(cell));
                    s.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(s.trim_end());
            out.push('\n');
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kizuki_core::Finding;

    #[test]
    fn aligns_columns_with_wide_characters() {
        let mut t = Text::new();
        t.findings(
            "  ",
            &[
                Finding::new("pdf.launch", Severity::Critical, "a"),
                Finding::new("name.bidi_control", Severity::High, "b"),
            ],
        );
        t.line().plain("北京").cell().plain("x");
        t.line().plain("ab").cell().plain("y");
        let r = render(&t, false);
        assert_eq!(
            r,
            "  critical  pdf.launch         a\n  high      name.bidi_control  b\n北京  x\nab    y\n"
        );
    }

    /// A name from a hostile file can hold escape sequences, a line of its own, or a
    /// reversal: shown as escapes, never acted on by the terminal.
    #[test]
    fn controls_in_names_are_shown_as_escapes() {
        let mut t = Text::new();
        t.line()
            .push(
                Style::Path,
                "a.zip!x\u{1b}[2J\r\n  b.pdf  clean\u{7f}\u{9b}.csv",
            )
            .cell()
            .plain("invoice\u{202E}fdp.exe");
        for color in [false, true] {
            let r = render(&t, color);
            assert!(
                r.contains(r"a.zip!x\x1b[2J\x0d\x0a  b.pdf  clean\x7f\x9b.csv"),
                "{r}"
            );
            assert!(r.contains(r"invoice\u{202e}fdp.exe"), "{r}");
            assert_eq!(r.lines().count(), 1, "{r}");
        }
        assert!(matches!(shown("顧客リスト.csv"), Cow::Borrowed(_)));
    }

    #[test]
    fn colour_only_when_asked() {
        let mut t = Text::new();
        t.line()
            .push(Style::Verdict(Verdict::Malicious), "malicious");
        assert!(!render(&t, false).contains('\x1b'));
        assert!(render(&t, true).contains('\x1b'));
    }
}
