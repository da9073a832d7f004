//! [`Progress`]: what one check's executions show of themselves to another OS thread, for the
//! stall watchdog (`crate::explore`'s): a counter of scheduling points, the thread that made the
//! last one with its operation and location, the threads' names, and the decisions of the
//! execution so far (for the replay token of a report made without the stuck thread).
//!
//! Every execution runs its model threads on one OS thread, so one writer updates it (a check
//! exploring on several workers has one per worker); the
//! watchdog only reads, and sets the stall flag the writer reads at its next scheduling point.
//! The writer's side is plain (relaxed or release) atomic stores: no lock, no allocation but one
//! chunk of the decision log per 4,096 decisions, once per check.

use std::panic::Location;
use std::sync::atomic::{fence, AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use super::{Decision, Loc, Tid};

/// Words per chunk of the decision log.
const CHUNK: usize = 1 << 12;
/// The most chunks the decision log holds; a longer execution's report has no replay token.
const MAX_CHUNKS: usize = 1 << 12;

/// What the watchdog reads of a stuck execution.
#[derive(Clone, Debug)]
pub(crate) struct Snapshot {
    /// The thread that made the last scheduling point: the one that is stuck.
    pub tid: Tid,
    /// Its last facade operation, and where.
    pub last: Option<(&'static str, Loc)>,
    /// Its name and where it was spawned.
    pub name: Option<String>,
    pub spawned_at: Option<Loc>,
    /// The execution's number in the check, from 1.
    pub schedule: usize,
    /// The execution's decisions so far, if they were all recorded.
    pub decisions: Option<Vec<Decision>>,
}

/// One check's progress, shared with its watchdog.
#[derive(Debug)]
pub(crate) struct Progress {
    /// A seqlock over the fields below it: odd while the writer updates them, bumped by two at
    /// every scheduling point. The watchdog watches it move.
    seq: AtomicU64,
    tid: AtomicUsize,
    op_ptr: AtomicUsize,
    op_len: AtomicUsize,
    at: AtomicPtr<Location<'static>>,
    /// Whether model code runs now (between the start and the end of an execution).
    active: AtomicBool,
    /// Set by the watchdog: no scheduling point came within the stall timeout. Read (and
    /// cleared) by the stuck thread when it comes back.
    stalled: AtomicBool,
    /// When the watchdog last saw the counter move, for the time a returning thread was away.
    since: Mutex<Option<Instant>>,
    /// The execution's number in the check.
    schedule: AtomicUsize,
    /// Each thread's name and spawn location, in the current execution.
    threads: Mutex<Vec<(Option<String>, Option<Loc>)>>,
    log: Log,
}

/// The decisions of the current execution, two words for a random number, one for a thread.
#[derive(Debug)]
struct Log {
    chunks: Box<[OnceLock<Box<[AtomicU64]>>]>,
    len: AtomicUsize,
    /// Whether the engine records into it (the shuttle engine does; the exhaustive search's
    /// loom engine does not) and everything fitted.
    complete: AtomicBool,
}

impl Log {
    fn new(max_steps: usize) -> Self {
        // Enough for every decision of an execution of `max_steps` steps with a choice at most
        // steps, up to 16 Mi words: chunks are allocated as they fill, slots are 16 bytes.
        let slots = (max_steps.saturating_mul(4) / CHUNK + 4).min(MAX_CHUNKS);
        Log {
            chunks: (0..slots).map(|_| OnceLock::new()).collect(),
            len: AtomicUsize::new(0),
            complete: AtomicBool::new(false),
        }
    }

    fn push(&self, word: u64) {
        let n = self.len.load(Ordering::Relaxed);
        let Some(slot) = self.chunks.get(n / CHUNK) else {
            self.complete.store(false, Ordering::Relaxed);
            return;
        };
        let chunk = slot.get_or_init(|| (0..CHUNK).map(|_| AtomicU64::new(0)).collect());
        chunk[n % CHUNK].store(word, Ordering::Relaxed);
        self.len.store(n + 1, Ordering::Release);
    }

    fn read(&self) -> Option<Vec<Decision>> {
        if !self.complete.load(Ordering::Acquire) {
            return None;
        }
        let len = self.len.load(Ordering::Acquire);
        let word = |i: usize| {
            self.chunks[i / CHUNK]
                .get()
                .map(|c| c[i % CHUNK].load(Ordering::Relaxed))
        };
        let mut out = Vec::with_capacity(len);
        let mut i = 0;
        while i < len {
            let w = word(i)?;
            if w & 1 == 0 {
                out.push(Decision::Thread(usize::try_from(w >> 1).ok()?));
                i += 1;
            } else {
                out.push(Decision::Random(word(i + 1)?));
                i += 2;
            }
        }
        Some(out)
    }
}

impl Progress {
    /// The progress of a check whose executions take at most `max_steps` steps.
    pub(crate) fn new(max_steps: usize) -> Self {
        Progress {
            seq: AtomicU64::new(0),
            tid: AtomicUsize::new(0),
            op_ptr: AtomicUsize::new(0),
            op_len: AtomicUsize::new(0),
            at: AtomicPtr::new(std::ptr::null_mut()),
            active: AtomicBool::new(false),
            stalled: AtomicBool::new(false),
            since: Mutex::new(None),
            schedule: AtomicUsize::new(0),
            threads: Mutex::new(Vec::new()),
            log: Log::new(max_steps),
        }
    }

    /// A scheduling point of thread `tid`, before operation `op` at `at`: two stores of the
    /// counter and four of the fields, no lock. Returns, if the watchdog found the execution
    /// stalled, the thread that stalled: the one that made the scheduling point before this
    /// one, and came back from outside leakcheck since.
    #[inline]
    pub(crate) fn tick(&self, tid: Tid, op: &'static str, at: Loc) -> Option<Tid> {
        let stalled = self
            .stalled
            .load(Ordering::Relaxed)
            .then(|| self.tid.load(Ordering::Relaxed));
        let s = self.seq.load(Ordering::Relaxed);
        self.seq.store(s + 1, Ordering::Relaxed);
        fence(Ordering::Release);
        self.tid.store(tid, Ordering::Relaxed);
        self.op_ptr.store(op.as_ptr() as usize, Ordering::Relaxed);
        self.op_len.store(op.len(), Ordering::Relaxed);
        self.at.store(
            (at as *const Location<'static>).cast_mut(),
            Ordering::Relaxed,
        );
        self.seq.store(s + 2, Ordering::Release);
        stalled
    }

    /// The last scheduling point: the thread, its operation and where. Read by the thread
    /// that writes it (for an error message), so no update can be under way.
    pub(crate) fn last(&self) -> Option<(Tid, &'static str, Loc)> {
        self.snapshot_fields()
            .map(|(tid, last)| (tid, last.0, last.1))
    }

    /// The counter of scheduling points.
    pub(crate) fn count(&self) -> u64 {
        self.seq.load(Ordering::Acquire)
    }

    /// The stuck thread came back: clears the flag, and says how long (in milliseconds) it was
    /// away from the scheduler.
    pub(crate) fn take_stall(&self) -> u64 {
        self.stalled.store(false, Ordering::Relaxed);
        let since = *self.since.lock().unwrap_or_else(|e| e.into_inner());
        since.map_or(0, |s| {
            u64::try_from(s.elapsed().as_millis()).unwrap_or(u64::MAX)
        })
    }

    /// The watchdog: no scheduling point since `since`, past the timeout.
    pub(crate) fn set_stalled(&self, since: Instant) {
        *self.since.lock().unwrap_or_else(|e| e.into_inner()) = Some(since);
        self.stalled.store(true, Ordering::Relaxed);
    }

    /// Whether model code runs now.
    pub(crate) fn is_active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    /// An execution starts (`schedule`, from 1) or ends (`None`).
    pub(crate) fn execution(&self, schedule: Option<usize>) {
        if let Some(n) = schedule {
            self.schedule.store(n, Ordering::Relaxed);
            self.log.len.store(0, Ordering::Relaxed);
            self.log.complete.store(false, Ordering::Relaxed);
            self.threads
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
            self.stalled.store(false, Ordering::Relaxed);
        }
        // A tick marks the start, so the watchdog measures from here.
        let s = self.seq.load(Ordering::Relaxed);
        self.seq.store(s + 2, Ordering::Relaxed);
        self.active.store(schedule.is_some(), Ordering::Release);
    }

    /// The engine records this execution's decisions into the log from its first on.
    pub(crate) fn recording(&self) {
        self.log.complete.store(true, Ordering::Relaxed);
    }

    /// One decision of the execution.
    #[inline]
    pub(crate) fn record(&self, d: Decision) {
        match d {
            Decision::Thread(t) => self.log.push((t as u64) << 1),
            Decision::Random(v) => {
                self.log.push(1);
                self.log.push(v);
            }
        }
    }

    /// A thread was spawned.
    pub(crate) fn spawned(&self, tid: Tid, name: Option<String>, at: Loc) {
        let mut threads = self.threads.lock().unwrap_or_else(|e| e.into_inner());
        if threads.len() <= tid {
            threads.resize(tid + 1, (None, None));
        }
        threads[tid] = (name, Some(at));
    }

    /// What the watchdog reads of the stuck execution; `None` if the writer is in the middle
    /// of an update (it is not stuck, then).
    pub(crate) fn snapshot(&self) -> Option<Snapshot> {
        if !self.seq.load(Ordering::Acquire).is_multiple_of(2) {
            return None;
        }
        let (tid, last) = match self.snapshot_fields() {
            Some((tid, last)) => (tid, Some(last)),
            None => (self.tid.load(Ordering::Relaxed), None),
        };
        let (name, spawned_at) = self
            .threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(tid)
            .cloned()
            .unwrap_or_default();
        Some(Snapshot {
            tid,
            last,
            name,
            spawned_at,
            schedule: self.schedule.load(Ordering::Relaxed),
            decisions: self.log.read(),
        })
    }

    /// The thread of the last scheduling point and its operation, read under the seqlock;
    /// `None` if an update is under way or no operation was announced yet.
    fn snapshot_fields(&self) -> Option<(Tid, (&'static str, Loc))> {
        let s1 = self.seq.load(Ordering::Acquire);
        let tid = self.tid.load(Ordering::Relaxed);
        let op_ptr = self.op_ptr.load(Ordering::Relaxed);
        let op_len = self.op_len.load(Ordering::Relaxed);
        let at = self.at.load(Ordering::Relaxed);
        fence(Ordering::Acquire);
        let s2 = self.seq.load(Ordering::Relaxed);
        if s1 != s2 || !s1.is_multiple_of(2) {
            return None;
        }
        if at.is_null() || op_ptr == 0 {
            return None;
        }
        // SAFETY: the seqlock read above saw no update in between, so the three fields come
        // from one `tick`, which stored a `&'static str`'s pointer and length and a
        // `&'static Location`: both live for the whole program and are never written to.
        let (op, at) = unsafe {
            let bytes = std::slice::from_raw_parts(op_ptr as *const u8, op_len);
            (std::str::from_utf8_unchecked(bytes), &*at)
        };
        Some((tid, (op, at)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watchdog_reads_what_the_runtime_wrote() {
        let p = Progress::new(10);
        p.execution(Some(3));
        p.recording();
        p.spawned(1, Some("worker".into()), Location::caller());
        p.record(Decision::Thread(1));
        p.record(Decision::Random(u64::MAX));
        p.record(Decision::Thread(0));
        let before = p.count();
        assert_eq!(p.tick(1, "thread::yield_now", Location::caller()), None);
        assert_eq!(p.count(), before + 2);
        let s = p.snapshot().unwrap();
        assert_eq!(s.tid, 1);
        assert_eq!(s.last.unwrap().0, "thread::yield_now");
        assert_eq!(s.name.as_deref(), Some("worker"));
        assert_eq!(s.schedule, 3);
        assert_eq!(
            s.decisions.unwrap(),
            [
                Decision::Thread(1),
                Decision::Random(u64::MAX),
                Decision::Thread(0)
            ]
        );
        // The watchdog finds it stalled; the next scheduling point names the thread that
        // made the one before it.
        p.set_stalled(Instant::now());
        assert_eq!(p.tick(0, "Mutex::lock", Location::caller()), Some(1));
        p.take_stall();
        assert_eq!(p.tick(0, "Mutex::lock", Location::caller()), None);
    }

    #[test]
    fn a_log_that_overflows_gives_no_decisions() {
        let p = Progress::new(1);
        p.execution(Some(1));
        p.recording();
        for _ in 0..5 * CHUNK {
            p.record(Decision::Thread(0));
        }
        assert!(p.snapshot().unwrap().decisions.is_none());
    }
}
