//! One large text read on several threads: a restored data file is often a single file of
//! gigabytes, which one thread would read alone while the other cores wait.
//!
//! A text is read in chunks that end at line ends ([`crate::decode::decode_chunks`]). What
//! carries over from one chunk to the next is small and most often nothing: a CSV row whose
//! quoted field runs over a line end, a table of a client's output still open, a statement
//! whose bound values follow. Chunks are gathered in batches; each chunk of a batch is read
//! by a fork of the reader (the reader as it would be with nothing carried over) into a
//! tally of its own, on rayon's pool; the results are then joined in the chunks' order.
//! A fork's result stands only when the reader was at rest before its chunk; otherwise the
//! chunk is read again, in order, by the reader itself. The result is what one thread gives,
//! value for value: counts add up, samples are the first ones in the text's order, distinct
//! values form the same set ([`Tally::merge`]). The unit tests and the `spread` integration
//! test check it against the one-thread reading.

use rayon::prelude::*;

use crate::tally::Tally;

/// A reader of a text in chunks whose state between chunks may be empty.
pub(crate) trait Reader: Sized + Send {
    /// A reader for a chunk read apart: this reader as it would be at a chunk's start with
    /// nothing carried over, its counts at zero. `None` while chunks cannot be read apart
    /// (a table's columns not classified yet).
    fn fork(&self) -> Option<Self>;
    /// Nothing carries over from the chunks read to the next one.
    fn at_rest(&self) -> bool;
    /// Reads the next chunk.
    fn read(&mut self, chunk: &str, tally: &mut Tally);
    /// Takes in a fork that read the chunk following those this reader read (this reader
    /// was at rest), and the tally it counted into.
    fn join(&mut self, fork: Self, counted: Tally, tally: &mut Tally);
}

/// Chunks batched for reading apart.
pub(crate) struct Spread {
    batch: Vec<String>,
    /// Chunks per batch: twice the pool's threads (1 thread: no batches).
    size: usize,
    /// Chunks whose fork's reading was joined.
    pub joined: u64,
    /// Chunks read again in order (the reader was not at rest before them).
    pub again: u64,
}

impl Spread {
    /// Batches for the threads of the current rayon pool (`RAYON_NUM_THREADS`).
    pub fn new() -> Self {
        Spread::with_threads(rayon::current_num_threads())
    }

    /// Batches for `threads` threads.
    pub fn with_threads(threads: usize) -> Self {
        Spread {
            batch: Vec::new(),
            size: if threads > 1 { 2 * threads } else { 0 },
            joined: 0,
            again: 0,
        }
    }

    /// Reads `chunk` with `r`, now or in a batch.
    pub fn read<R: Reader>(&mut self, r: &mut R, chunk: &str, tally: &mut Tally) {
        if self.size == 0 || self.batch.is_empty() && r.fork().is_none() {
            r.read(chunk, tally);
            return;
        }
        self.batch.push(chunk.to_owned());
        if self.batch.len() >= self.size {
            self.flush(r, tally);
        }
    }

    /// Reads the chunks batched so far (call before the reader's end).
    pub fn flush<R: Reader>(&mut self, r: &mut R, tally: &mut Tally) {
        if self.batch.is_empty() {
            return;
        }
        let forks: Vec<Option<R>> = self.batch.iter().map(|_| r.fork()).collect();
        let cats = tally.categories();
        let done: Vec<Option<(R, Tally)>> = forks
            .into_par_iter()
            .zip(self.batch.par_iter())
            .map(|(f, chunk)| {
                f.map(|mut f| {
                    let mut t = Tally::new(cats);
                    f.read(chunk, &mut t);
                    (f, t)
                })
            })
            .collect();
        for (chunk, fork) in self.batch.drain(..).zip(done) {
            match fork {
                Some((f, t)) if r.at_rest() => {
                    r.join(f, t, tally);
                    self.joined += 1;
                }
                _ => {
                    r.read(&chunk, tally);
                    self.again += 1;
                }
            }
        }
    }
}
