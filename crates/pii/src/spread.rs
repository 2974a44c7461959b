//! One large text read on several threads: a restored data file is often a single file of
//! gigabytes, which one thread would read alone while the other cores wait.
//!
//! A text is read in chunks that end at line ends ([`crate::decode::decode_chunks`]). What
//! carries over from one chunk to the next is small and most often nothing: a CSV row whose
//! quoted field runs over a line end, a table of a client's output still open, a statement
//! whose bound values follow. Chunks are gathered in batches; each chunk of a batch is read
//! by a fork of the reader (the reader as it would be with nothing carried over) into a
//! tally of its own, on a rayon pool of their own ([`pool`]); the results are then joined
//! in the chunks' order.
//! A fork's result stands only when the reader was at rest before its chunk (or in the
//! state the fork started from: a `COPY` block of a dump) and the fork found nothing that
//! changes how later chunks are read (a new table in a dump, a new key in JSON Lines);
//! otherwise the chunk is read again, in order, by the reader itself. The result is what one thread gives,
//! value for value: counts add up, samples are the first ones in the text's order, distinct
//! values form the same set ([`Tally::merge`]). The unit tests (`scan::tests`,
//! `tally::tests`) and the integration test `reads_a_large_file_on_every_thread_as_on_one`
//! check it against the one-thread reading.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::tally::Tally;

/// Chunks in a batch at most: with the batch joined meanwhile and the chunks decoded ahead,
/// a text read apart holds about three batches of 1 MiB chunks (48 MiB), whatever the
/// number of threads.
const MAX_BATCH: usize = 16;

/// Texts read apart at once, whatever the number of threads: when many files are scanned
/// together, the files keep the threads busy already, and each text read apart holds its
/// batches in memory. A text takes a slot when one is free at its next chunk (the last
/// large file of a directory, once the others are done) and keeps it to its end.
const SLOTS: usize = 2;
static TAKEN: AtomicUsize = AtomicUsize::new(0);

/// Texts being read ([`Busy`]): while there are as many as threads, the threads are busy
/// and none is read apart.
static READING: AtomicUsize = AtomicUsize::new(0);

/// A text being read, counted in [`READING`] while it lives.
pub(crate) struct Busy(());

impl Busy {
    pub fn new() -> Self {
        READING.fetch_add(1, Ordering::AcqRel);
        Busy(())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        READING.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A slot of [`SLOTS`], held or not (freed when dropped), or leave to read apart without
/// one (the unit tests, which run side by side).
enum Slot {
    Free,
    Held,
    #[cfg(test)]
    Unlimited,
}

impl Slot {
    /// Holds a slot: this one, or a free one while fewer texts than threads are read. `false`
    /// when none is free.
    fn take(&mut self) -> bool {
        if matches!(self, Slot::Free)
            && READING.load(Ordering::Acquire) < threads()
            && TAKEN
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                    (n < SLOTS).then_some(n + 1)
                })
                .is_ok()
        {
            *self = Slot::Held;
        }
        !matches!(self, Slot::Free)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if matches!(self, Slot::Held) {
            TAKEN.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// Threads that read chunks apart: rayon's (`RAYON_NUM_THREADS`, else one per core).
pub(crate) fn threads() -> usize {
    pool().map_or(1, rayon::ThreadPool::current_num_threads)
}

/// The pool chunks are read apart on: a pool of their own, not the one files are scanned on,
/// so that a thread waiting for its batch never takes up another file's scan meanwhile
/// (waits inside waits would grow its stack, and the memory held, without bound), and a
/// file's scan blocked on a full channel never holds up a batch. `None` with one thread.
pub(crate) fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let n = rayon::current_num_threads();
        if n < 2 {
            return None;
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .thread_name(|i| format!("kizuki-chunks-{i}"))
            .start_handler(|_| crate::quiet_thread())
            .build()
            .ok()
    })
    .as_ref()
}

/// A reader of a text in chunks whose state between chunks may be empty.
pub(crate) trait Reader: Sized + Send {
    /// A reader for a chunk read apart: this reader as it would be at a chunk's start with
    /// nothing carried over, its counts at zero. `None` while chunks cannot be read apart
    /// (a table's columns not classified yet).
    fn fork(&self) -> Option<Self>;
    /// The fork read its chunk from the state this reader is in now, having read the chunks
    /// before it: most often, nothing carries over from them (a fork starts with nothing
    /// carried over), and the fork found nothing that changes how later chunks are read (a
    /// new table or column, which the forks made before it lack).
    fn takes(&self, fork: &Self) -> bool;
    /// Reads the next chunk.
    fn read(&mut self, chunk: &str, tally: &mut Tally);
    /// Takes in a fork that read the chunk following those this reader read (this reader
    /// was at rest), and the tally it counted into.
    fn join(&mut self, fork: Self, counted: Tally, tally: &mut Tally);
}

/// A batch read apart: each chunk with its fork's reading; or the panic of its reading.
type Read<R> = std::thread::Result<Vec<(String, Option<(R, Tally)>)>>;

/// Chunks batched for reading apart. While a batch is read on the pool, the batch before
/// it is joined, and the caller goes on (a JSON document's records are cut apart meanwhile).
pub(crate) struct Spread<R> {
    batch: Vec<String>,
    /// The batch being read apart on the pool, its readings to come.
    reading: Option<std::sync::mpsc::Receiver<Read<R>>>,
    /// Chunks per batch: twice the pool's threads (1 thread: no batches).
    size: usize,
    /// One of the [`SLOTS`] once this text is read apart.
    slot: Slot,
    /// Chunks whose fork's reading was joined.
    pub joined: u64,
    /// Chunks read again in order (the reader was not at rest before them).
    pub again: u64,
}

impl<R: Reader + 'static> Spread<R> {
    /// Batches for `threads` threads.
    pub fn with_threads(threads: usize) -> Self {
        Spread {
            batch: Vec::new(),
            reading: None,
            size: if threads > 1 && pool().is_some() {
                (2 * threads).min(MAX_BATCH)
            } else {
                0
            },
            slot: Slot::Free,
            joined: 0,
            again: 0,
        }
    }

    /// Batches for `threads` threads, taking no slot.
    #[cfg(test)]
    pub fn unlimited(threads: usize) -> Self {
        Spread {
            slot: Slot::Unlimited,
            ..Spread::with_threads(threads)
        }
    }

    /// Chunks per batch (0: chunks are read as they come).
    pub fn size(&self) -> usize {
        self.size
    }

    /// Reads `chunk` with `r`, now or in a batch.
    pub fn read(&mut self, r: &mut R, chunk: Cow<'_, str>, tally: &mut Tally) {
        let idle = self.batch.is_empty() && self.reading.is_none();
        if self.size == 0 || idle && (r.fork().is_none() || !self.slot.take()) {
            r.read(&chunk, tally);
            return;
        }
        self.batch.push(chunk.into_owned());
        // Chunks run up to a line's length (4 MiB without line ends): bytes count too.
        let bytes: usize = self.batch.iter().map(String::len).sum();
        if self.batch.len() >= self.size || bytes >= self.size << 21 {
            self.step(r, tally);
        }
    }

    /// Reads the batch apart on the pool while the batch before it is joined here.
    fn step(&mut self, r: &mut R, tally: &mut Tally) {
        let batch = std::mem::take(&mut self.batch);
        let before = self.wait();
        let forks: Vec<Option<R>> = batch.iter().map(|_| r.fork()).collect();
        let cats = tally.categories();
        let Some(pool) = pool() else {
            // No pool, no batch (`size` is 0): were there one, it would be read in order.
            let all = before
                .into_iter()
                .chain(batch.into_iter().map(|c| (c, None)));
            let (joined, again) = join_all(all.collect(), r, tally);
            self.joined += joined;
            self.again += again;
            return;
        };
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        pool.spawn(move || {
            // A panic is the caller's (a file's scan is guarded): sent, not raised on the
            // pool, which would abort.
            let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                forks
                    .into_par_iter()
                    .zip(batch.into_par_iter())
                    .map(|(f, chunk)| {
                        let done = f.map(|mut f| {
                            let mut t = Tally::new(cats);
                            f.read(&chunk, &mut t);
                            (f, t)
                        });
                        (chunk, done)
                    })
                    .collect()
            }));
            let _ = tx.send(read);
        });
        self.reading = Some(rx);
        let (joined, again) = join_all(before, r, tally);
        self.joined += joined;
        self.again += again;
    }

    /// The readings of the batch being read apart, once done (none when none is).
    fn wait(&mut self) -> Vec<(String, Option<(R, Tally)>)> {
        match self.reading.take().map(|rx| rx.recv()) {
            None => Vec::new(),
            Some(Ok(Ok(read))) => read,
            Some(Ok(Err(panic))) => std::panic::resume_unwind(panic),
            // The job is gone without a word: it cannot be (it sends before it ends).
            Some(Err(_)) => std::panic::resume_unwind(Box::new("a batch's reading was lost")),
        }
    }

    /// Reads and joins every chunk batched so far (call before the reader's end).
    pub fn flush(&mut self, r: &mut R, tally: &mut Tally) {
        if !self.batch.is_empty() {
            self.step(r, tally);
        }
        let (joined, again) = join_all(self.wait(), r, tally);
        self.joined += joined;
        self.again += again;
    }
}

/// Joins the forks' readings in order; a chunk is read again by `r` when `r` does not take
/// its fork's reading. The chunks joined and read again.
fn join_all<R: Reader>(
    read: Vec<(String, Option<(R, Tally)>)>,
    r: &mut R,
    tally: &mut Tally,
) -> (u64, u64) {
    let (mut joined, mut again) = (0, 0);
    for (chunk, fork) in read {
        match fork {
            Some((f, t)) if r.takes(&f) => {
                r.join(f, t, tally);
                joined += 1;
            }
            _ => {
                r.read(&chunk, tally);
                again += 1;
            }
        }
    }
    (joined, again)
}
