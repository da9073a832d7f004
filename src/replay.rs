//! Replay tokens: every decision of one execution (which thread ran at each scheduling point, and
//! each choice drawn), packed into a short text that reproduces the execution exactly.
//!
//! Layout: a version byte; the test's name; the scheduler, seed and schedule number the
//! execution came from (for the report); the decisions, run-length coded; and a 32-bit FNV-1a
//! checksum of everything before it. That is compressed with DEFLATE (threads that take turns
//! make long repeating patterns) and the text is `lc1_` followed by its base64url encoding (no
//! padding).
//!
//! Version 2 (written now) codes runs of the same choice as runs of the same thread: an entry
//! is a head (`thread << 2`, `choice << 2 | 1`, or `2` followed by a raw 64-bit number) and, for
//! the first two, the run's length less one. Version 1 (runs of threads only, every number on
//! its own) still reads.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::config::Scheduler;
use crate::error::ReplayError;
use crate::runtime::{Decision, Tid};

const PREFIX: &str = "lc1_";
/// The version this leakcheck writes.
const VERSION: u8 = 2;
/// The oldest version it reads.
const OLDEST: u8 = 1;
/// A choice recorded as its outcome fits a run entry's head below this.
const SMALL: u64 = 1 << 61;

/// The content of a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub test: String,
    pub scheduler: Scheduler,
    pub seed: u64,
    pub schedule: usize,
    pub decisions: Vec<Decision>,
}

fn malformed(reason: impl Into<String>) -> ReplayError {
    ReplayError::Malformed {
        reason: reason.into(),
    }
}

fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn get(&mut self) -> Result<u64, ReplayError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self
                .bytes
                .get(self.pos)
                .ok_or_else(|| malformed("it is cut short"))?;
            self.pos += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(malformed("it holds a number that is too large"))
    }

    fn get_usize(&mut self) -> Result<usize, ReplayError> {
        usize::try_from(self.get()?).map_err(|_| malformed("it holds a number that is too large"))
    }
}

/// One entry of a version 2 token's decisions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entry {
    /// `run` times the same decision: a thread (`head = t << 2`) or a choice's outcome
    /// (`head = v << 2 | 1`).
    Run { head: u64, run: u64 },
    /// A number too large for a head (`head = 2`, then the number).
    Raw(u64),
}

/// The longest block of entries a repeat entry (`head = period << 2 | 3`, then the count)
/// repeats: threads that take turns, each with its choices, make short periodic blocks.
const MAX_PERIOD: usize = 8;

/// The decisions as version 2 entries, bytes: runs of one decision, then repeats of blocks of
/// runs.
fn entries(decisions: &[Decision]) -> Vec<u8> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < decisions.len() {
        let d = decisions[i];
        let head = match d {
            Decision::Thread(t) => (t as u64) << 2,
            Decision::Random(v) if v < SMALL => (v << 2) | 1,
            Decision::Random(v) => {
                runs.push(Entry::Raw(v));
                i += 1;
                continue;
            }
        };
        let run = decisions[i..].iter().take_while(|x| **x == d).count();
        runs.push(Entry::Run {
            head,
            run: run as u64,
        });
        i += run;
    }
    let mut out = Vec::new();
    let emit = |out: &mut Vec<u8>, e: Entry| match e {
        Entry::Run { head, run } => {
            put(out, head);
            put(out, run - 1);
        }
        Entry::Raw(v) => {
            put(out, 2);
            put(out, v);
        }
    };
    let mut i = 0;
    while i < runs.len() {
        // The period whose block repeats the most entries from here.
        let best = (1..=MAX_PERIOD)
            .filter(|p| i + 2 * p <= runs.len())
            .map(|p| {
                let block = &runs[i..i + p];
                let reps = runs[i + p..]
                    .chunks_exact(p)
                    .take_while(|c| *c == block)
                    .count();
                (p, reps)
            })
            .max_by_key(|&(p, reps)| (p * reps, usize::MAX - p));
        match best {
            Some((p, reps)) if p * reps >= 2 => {
                for e in &runs[i..i + p] {
                    emit(&mut out, *e);
                }
                put(&mut out, ((p as u64) << 2) | 3);
                put(&mut out, reps as u64);
                i += p * (reps + 1);
            }
            _ => {
                emit(&mut out, runs[i]);
                i += 1;
            }
        }
    }
    out
}

impl Token {
    /// The token's text.
    pub(crate) fn encode(&self) -> String {
        let mut out = vec![VERSION];
        put(&mut out, self.test.len() as u64);
        out.extend_from_slice(self.test.as_bytes());
        let (kind, depth) = match self.scheduler {
            Scheduler::Random => (0, 0),
            Scheduler::Pct { depth } => (1, depth),
            Scheduler::Dfs => (2, 0),
            Scheduler::Exhaustive { preemption_bound } => (3, preemption_bound),
        };
        put(&mut out, kind);
        put(&mut out, depth as u64);
        put(&mut out, self.seed);
        put(&mut out, self.schedule as u64);
        put(&mut out, self.decisions.len() as u64);
        out.extend_from_slice(&entries(&self.decisions));
        let sum = fnv1a(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        let packed = miniz_oxide::deflate::compress_to_vec(&out, 9);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(packed))
    }

    /// Reads a token's text.
    pub(crate) fn decode(text: &str) -> Result<Token, ReplayError> {
        let text = text.trim();
        let body = text.strip_prefix(PREFIX).ok_or_else(|| {
            if text.is_empty() {
                malformed("it is empty")
            } else if text.starts_with("lc") && text.as_bytes().get(3) == Some(&b'_') {
                malformed(format!(
                    "it is of version `{}`, and this leakcheck reads version `lc1`",
                    &text[..3]
                ))
            } else {
                malformed("it does not start with `lc1_`; it is not a leakcheck replay token (a shuttle schedule or seed does not work here)")
            }
        })?;
        let packed = URL_SAFE_NO_PAD.decode(body).map_err(|_| {
            malformed("it holds characters other than letters, digits, `-` and `_`, or it was cut")
        })?;
        let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, 1 << 28)
            .map_err(|_| malformed("it does not unpack: it was changed or cut when copied"))?;
        if bytes.len() < 5 {
            return Err(malformed("it is cut short"));
        }
        let (content, sum) = bytes.split_at(bytes.len() - 4);
        if fnv1a(content).to_le_bytes() != sum {
            return Err(malformed(
                "its checksum does not match: it was changed or cut when copied",
            ));
        }
        let version = content[0];
        if !(OLDEST..=VERSION).contains(&version) {
            return Err(malformed(format!(
                "it is of version {version}, and this leakcheck reads versions {OLDEST} to {VERSION} \
                 (a token from a newer leakcheck: replay it with that version)"
            )));
        }
        let mut r = Reader {
            bytes: content,
            pos: 1,
        };
        let name_len = r.get_usize()?;
        let name = content
            .get(r.pos..r.pos + name_len)
            .ok_or_else(|| malformed("it is cut short"))?;
        let test = String::from_utf8(name.to_vec())
            .map_err(|_| malformed("its test name is not UTF-8"))?;
        r.pos += name_len;
        let kind = r.get()?;
        let depth = r.get_usize()?;
        let scheduler = match kind {
            0 => Scheduler::Random,
            1 => Scheduler::Pct { depth },
            2 => Scheduler::Dfs,
            3 => Scheduler::Exhaustive {
                preemption_bound: depth,
            },
            _ => return Err(malformed("it names an unknown scheduler")),
        };
        let seed = r.get()?;
        let schedule = r.get_usize()?;
        let count = r.get_usize()?;
        let mut decisions = Vec::with_capacity(count.min(1 << 20));
        let add = |decisions: &mut Vec<Decision>, e: Entry| -> Result<(), ReplayError> {
            let (d, run) = match e {
                Entry::Run { head, run } if head & 3 == 0 => (
                    Decision::Thread(
                        usize::try_from(head >> 2)
                            .map_err(|_| malformed("it names an impossible thread"))?,
                    ),
                    run,
                ),
                Entry::Run { head, run } => (Decision::Random(head >> 2), run),
                Entry::Raw(v) => (Decision::Random(v), 1),
            };
            let run = usize::try_from(run).unwrap_or(usize::MAX);
            if decisions.len().saturating_add(run) > count {
                return Err(malformed("its decisions do not add up"));
            }
            decisions.extend(std::iter::repeat_n(d, run));
            Ok(())
        };
        // The entries read so far (version 2), for repeats.
        let mut read: Vec<Entry> = Vec::new();
        while decisions.len() < count {
            let head = r.get()?;
            let entry = match (version, head & 3) {
                (1, 1 | 3) => Entry::Raw(r.get()?),
                (1, _) => Entry::Run {
                    head: (head >> 1) << 2,
                    run: r.get()?.saturating_add(1),
                },
                (_, 0 | 1) => Entry::Run {
                    head,
                    run: r.get()?.saturating_add(1),
                },
                (_, 2) => Entry::Raw(r.get()?),
                _ => {
                    let period = usize::try_from(head >> 2).unwrap_or(usize::MAX);
                    let reps = r.get()?;
                    if period == 0 || period > MAX_PERIOD || period > read.len() || reps == 0 {
                        return Err(malformed("it repeats decisions it does not hold"));
                    }
                    let block = read[read.len() - period..].to_vec();
                    for _ in 0..reps {
                        for e in &block {
                            add(&mut decisions, *e)?;
                        }
                    }
                    continue;
                }
            };
            add(&mut decisions, entry)?;
            read.push(entry);
        }
        if r.pos != content.len() {
            return Err(malformed("it has bytes after its decisions"));
        }
        Ok(Token {
            test,
            scheduler,
            seed,
            schedule,
            decisions,
        })
    }
}

/// Where an execution left its recorded schedule: the decision (from 1), and what happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Divergence {
    pub step: usize,
    pub what: Diverged,
}

/// What the program asked for where it left its schedule, against what was recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Diverged {
    /// It asked for the next thread; the recorded thread cannot run (or does not exist).
    Thread { recorded: Tid, runnable: Vec<Tid> },
    /// It asked for the next thread; a random choice was recorded.
    RandomRecorded { runnable: Vec<Tid> },
    /// It made a random choice; a thread was recorded.
    ThreadRecorded { recorded: Tid },
    /// It went on after every recorded decision was used.
    Exhausted { recorded: usize },
}

impl Divergence {
    /// The error, with the operation the program was at (the thread that asked, its operation
    /// and its location, as text), if known.
    pub(crate) fn error(&self, asking: Option<String>) -> ReplayError {
        let threads = |ts: &[Tid]| {
            if ts.is_empty() {
                "none".to_string()
            } else {
                ts.iter()
                    .map(|t| format!("thread#{t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let at = asking.map_or_else(String::new, |a| format!(" ({a})"));
        let asked = match &self.what {
            Diverged::Thread { recorded, runnable } => format!(
                "the program asked which thread runs next{at}; thread#{recorded} was recorded there, and it cannot run now ({} runnable: {})",
                runnable.len(),
                threads(runnable)
            ),
            Diverged::RandomRecorded { runnable } => format!(
                "the program asked which thread runs next{at}, with {} runnable ({}); a random choice was recorded there",
                runnable.len(),
                threads(runnable)
            ),
            Diverged::ThreadRecorded { recorded } => format!(
                "the program made a random choice{at}; the recorded schedule ran thread#{recorded} there"
            ),
            Diverged::Exhausted { recorded } => format!(
                "the program went on{at} after all {recorded} recorded decisions were used"
            ),
        };
        ReplayError::Nondeterministic {
            step: self.step,
            asked,
        }
    }
}

/// Reads the decisions of a token back, one at a time, checking they fit the program.
#[derive(Debug)]
pub(crate) struct Cursor {
    decisions: Vec<Decision>,
    next: usize,
}

impl Cursor {
    pub(crate) fn new(decisions: Vec<Decision>) -> Self {
        Cursor { decisions, next: 0 }
    }

    /// Whether every decision was used.
    pub(crate) fn is_done(&self) -> bool {
        self.next == self.decisions.len()
    }

    /// How many decisions were used, and how many there are.
    pub(crate) fn used(&self) -> (usize, usize) {
        (self.next, self.decisions.len())
    }

    fn take(&mut self) -> Result<Decision, Divergence> {
        let d = self.decisions.get(self.next).copied().ok_or(Divergence {
            step: self.next + 1,
            what: Diverged::Exhausted {
                recorded: self.decisions.len(),
            },
        })?;
        self.next += 1;
        Ok(d)
    }

    pub(crate) fn next_thread(
        &mut self,
        runnable: impl Iterator<Item = Tid> + Clone,
    ) -> Result<Tid, Divergence> {
        let step = self.next + 1;
        match self.take()? {
            Decision::Thread(t) if runnable.clone().any(|r| r == t) => Ok(t),
            Decision::Thread(t) => Err(Divergence {
                step,
                what: Diverged::Thread {
                    recorded: t,
                    runnable: runnable.collect(),
                },
            }),
            Decision::Random(_) => Err(Divergence {
                step,
                what: Diverged::RandomRecorded {
                    runnable: runnable.collect(),
                },
            }),
        }
    }

    pub(crate) fn next_random(&mut self) -> Result<u64, Divergence> {
        let step = self.next + 1;
        match self.take()? {
            Decision::Random(v) => Ok(v),
            Decision::Thread(t) => Err(Divergence {
                step,
                what: Diverged::ThreadRecorded { recorded: t },
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Token {
        Token {
            test: "pool::leaks".into(),
            scheduler: Scheduler::Pct { depth: 3 },
            seed: 0x5eed,
            schedule: 37,
            decisions: vec![
                Decision::Thread(0),
                Decision::Thread(0),
                Decision::Thread(0),
                Decision::Random(u64::MAX),
                Decision::Thread(2),
                Decision::Thread(1),
            ],
        }
    }

    #[test]
    fn round_trips() {
        let token = sample();
        let text = token.encode();
        assert!(text.starts_with("lc1_"));
        assert_eq!(Token::decode(&text).unwrap(), token);
    }

    /// A version 1 token, as leakcheck wrote them before choices were run-length coded.
    fn encode_v1(t: &Token) -> String {
        let mut out = vec![1];
        put(&mut out, t.test.len() as u64);
        out.extend_from_slice(t.test.as_bytes());
        put(&mut out, 1);
        put(&mut out, 3);
        put(&mut out, t.seed);
        put(&mut out, t.schedule as u64);
        put(&mut out, t.decisions.len() as u64);
        for d in &t.decisions {
            match *d {
                Decision::Thread(t) => {
                    put(&mut out, (t as u64) << 1);
                    put(&mut out, 0);
                }
                Decision::Random(v) => {
                    put(&mut out, 1);
                    put(&mut out, v);
                }
            }
        }
        let sum = fnv1a(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        let packed = miniz_oxide::deflate::compress_to_vec(&out, 9);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(packed))
    }

    #[test]
    fn version_1_tokens_still_read() {
        let token = sample();
        assert_eq!(Token::decode(&encode_v1(&token)).unwrap(), token);
    }

    #[test]
    fn runs_of_choices_take_a_few_bytes() {
        let mut token = sample();
        token.decisions = [Decision::Thread(1), Decision::Random(1)]
            .into_iter()
            .cycle()
            .take(200_000)
            .chain([
                Decision::Random(u64::MAX),
                Decision::Random(7),
                Decision::Random(7),
            ])
            .collect();
        let text = token.encode();
        assert!(text.len() < 100, "{} bytes", text.len());
        assert_eq!(Token::decode(&text).unwrap(), token);
    }

    #[test]
    fn rejects_foreign_and_damaged_tokens() {
        let text = sample().encode();
        for (bad, needle) in [
            ("".to_string(), "empty"),
            (
                "91010595eb9591cab2b9b63d8002".to_string(),
                "does not start with `lc1_`",
            ),
            (format!("{}x", &text), "cut"),
            (text[..text.len() - 3].to_string(), "cut"),
            (text.replace('_', "+"), "does not start"),
            (format!("{text}!"), "characters other than"),
            ("lc9_AAAA".to_string(), "version `lc9`"),
        ] {
            let err = Token::decode(&bad).unwrap_err().to_string();
            assert!(err.contains(needle), "{bad:?}: {err}");
            assert!(err.contains("malformed"), "{err}");
        }
    }

    #[test]
    fn cursor_reports_divergence() {
        let mut c = Cursor::new(vec![Decision::Thread(1)]);
        let d = c.next_thread([0usize, 2].into_iter()).unwrap_err();
        assert_eq!(d.step, 1);
        let err = d
            .error(Some("thread#0 in Mutex::lock at a.rs:1:1".into()))
            .to_string();
        assert!(err.contains("at decision 1, the program asked which thread runs next (thread#0 in Mutex::lock at a.rs:1:1); thread#1 was recorded there, and it cannot run now (2 runnable: thread#0, thread#2)"), "{err}");
        assert!(err.contains("nondeterministic"), "{err}");
        assert!(err.contains("HashMap"), "{err}");
        let err = c.next_random().unwrap_err().error(None).to_string();
        assert!(err.contains("at decision 2"), "{err}");
        assert!(err.contains("all 1 recorded decisions"), "{err}");
    }
}
