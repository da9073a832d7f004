//! Replay tokens: every decision of one execution (which thread ran at each scheduling point, and
//! each random number drawn), packed into a short text that reproduces the execution exactly.
//!
//! Layout: a version byte; the test's name; the scheduler, seed and schedule number the
//! execution came from (for the report); the decisions, run-length coded; and a 32-bit FNV-1a
//! checksum of everything before it. That is compressed with DEFLATE (threads that take turns
//! make long repeating patterns) and the text is `lc1_` followed by its base64url encoding (no
//! padding).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::config::Scheduler;
use crate::error::ReplayError;
use crate::runtime::{Decision, Tid};

const PREFIX: &str = "lc1_";
const VERSION: u8 = 1;

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
        // Runs of the same thread are common: a thread runs until it blocks or is preempted.
        let mut i = 0;
        let mut entries = Vec::new();
        while i < self.decisions.len() {
            match self.decisions[i] {
                Decision::Thread(t) => {
                    let run = self.decisions[i..]
                        .iter()
                        .take_while(|d| **d == Decision::Thread(t))
                        .count();
                    put(&mut entries, (t as u64) << 1);
                    put(&mut entries, run as u64 - 1);
                    i += run;
                }
                Decision::Random(v) => {
                    put(&mut entries, 1);
                    put(&mut entries, v);
                    i += 1;
                }
            }
        }
        put(&mut out, self.decisions.len() as u64);
        out.extend_from_slice(&entries);
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
        if content[0] != VERSION {
            return Err(malformed(format!(
                "it is of version {}, and this leakcheck reads version {VERSION}",
                content[0]
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
        while decisions.len() < count {
            let head = r.get()?;
            if head & 1 == 1 {
                decisions.push(Decision::Random(r.get()?));
            } else {
                let run = r.get_usize()? + 1;
                if decisions.len() + run > count {
                    return Err(malformed("its decisions do not add up"));
                }
                let tid = usize::try_from(head >> 1)
                    .map_err(|_| malformed("it names an impossible thread"))?;
                decisions.extend(std::iter::repeat_n(Decision::Thread(tid), run));
            }
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
        let err = d.error(Some("thread#0 in Mutex::lock at a.rs:1:1".into())).to_string();
        assert!(err.contains("at decision 1, the program asked which thread runs next (thread#0 in Mutex::lock at a.rs:1:1); thread#1 was recorded there, and it cannot run now (2 runnable: thread#0, thread#2)"), "{err}");
        assert!(err.contains("nondeterministic"), "{err}");
        assert!(err.contains("HashMap"), "{err}");
        let err = c.next_random().unwrap_err().error(None).to_string();
        assert!(err.contains("at decision 2"), "{err}");
        assert!(err.contains("all 1 recorded decisions"), "{err}");
    }
}
