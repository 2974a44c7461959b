//! Progress bars: on stderr, only for a terminal, only in text mode, only after work has taken
//! about a second (short runs never flash a bar).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::args::{Format, Global};

/// Delay before a bar appears.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// A progress bar that stays hidden for short work.
pub struct Progress {
    bar: Option<ProgressBar>,
    shown: bool,
    started: Instant,
}

impl Progress {
    /// A bar over `total` units (0 = unknown, a spinner), or a no-op when progress is off.
    pub fn new(g: &Global, total: u64, what: &'static str) -> Self {
        let enabled = !g.no_progress
            && !g.quiet
            && g.format == Format::Text
            && std::io::stderr().is_terminal();
        let bar = enabled.then(|| {
            let bar = if total == 0 {
                ProgressBar::new_spinner()
            } else {
                ProgressBar::new(total)
            };
            bar.set_draw_target(ProgressDrawTarget::hidden());
            let style = ProgressStyle::with_template(
                "{spinner} {prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} {per_sec} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_prefix(what);
            bar
        });
        Progress {
            bar,
            shown: false,
            started: Instant::now(),
        }
    }

    /// Sets the total once it is known (a spinner becomes a bar).
    pub fn set_total(&mut self, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(total);
        }
    }

    /// Advances by `n` units.
    pub fn inc(&mut self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
            if !self.shown && bar.is_hidden() && self.started.elapsed() >= SHOW_AFTER {
                bar.set_draw_target(ProgressDrawTarget::stderr());
                self.shown = true;
            }
        }
    }

    /// A handle that sets the bar's message from another thread (work inside one long unit:
    /// a disk image), showing the bar once the delay is over; `None` when progress is off.
    pub fn ticker(&self) -> Option<Ticker> {
        self.bar.clone().map(|bar| Ticker {
            bar,
            started: self.started,
        })
    }

    /// Removes the bar.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// See [`Progress::ticker`].
pub struct Ticker {
    bar: ProgressBar,
    started: Instant,
}

impl Ticker {
    /// Sets the message shown after the counts.
    pub fn message(&self, msg: String) {
        self.bar.set_message(msg);
        if self.bar.is_hidden() && self.started.elapsed() >= SHOW_AFTER {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.tick();
    }
}
