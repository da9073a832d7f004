//! Linux: `/proc/self/task/<tid>/` holds each thread's `comm` (its name, at most 15 bytes),
//! `stat` (its state and start time) and `wchan` (the kernel function it waits in).

use std::fs;
use std::io;

use super::{OsError, OsState, OsThread};

pub(super) fn snapshot() -> Result<Vec<OsThread>, OsError> {
    let mut threads = Vec::new();
    for entry in fs::read_dir("/proc/self/task")? {
        let entry = entry?;
        let Some(id) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u64>().ok())
        else {
            continue;
        };
        // A thread that exits while we read it is simply gone.
        match read(id) {
            Ok(thread) => threads.push(thread),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => {}
            Err(e) => return Err(e.into()),
        }
    }
    threads.sort_by_key(|t| t.id);
    Ok(threads)
}

pub(super) fn current() -> Result<u64, OsError> {
    // SAFETY: gettid has no preconditions.
    let tid = unsafe { libc::gettid() };
    Ok(u64::try_from(tid).expect("a thread id is positive"))
}

fn read(id: u64) -> io::Result<OsThread> {
    let dir = format!("/proc/self/task/{id}");
    let stat = fs::read_to_string(format!("{dir}/stat"))?;
    let (state, started) = parse_stat(&stat).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unexpected {dir}/stat: {stat:?}"),
        )
    })?;
    let name = fs::read_to_string(format!("{dir}/comm"))
        .ok()
        .map(|s| s.trim_end_matches('\n').to_string())
        .filter(|s| !s.is_empty());
    // wchan is "0" for a running thread, and may be unreadable (kernel.kptr_restrict).
    let wchan = fs::read_to_string(format!("{dir}/wchan"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s != "0");
    Ok(OsThread {
        id,
        started: Some(started),
        name,
        state: classify(state, wchan),
    })
}

/// The state letter (field 3) and start time (field 22) of a `stat` line. The name (field 2)
/// is in parentheses and may itself hold spaces and parentheses, so fields count from the last
/// `)`.
fn parse_stat(stat: &str) -> Option<(char, u64)> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    // After the state (field 3), field 22 is the 19th.
    let started = fields.nth(18)?.parse().ok()?;
    Some((state, started))
}

fn classify(state: char, wchan: Option<String>) -> OsState {
    let sleeping = wchan.as_deref().is_some_and(|w| {
        w.contains("nanosleep") || w.contains("hrtimer") || w.contains("schedule_timeout")
    });
    match state {
        'R' => OsState::Running,
        'S' | 'D' | 'I' if sleeping => OsState::Sleeping(wchan),
        'S' | 'D' | 'I' => OsState::Blocked(wchan),
        'T' | 't' => OsState::Other("stopped".into()),
        'Z' | 'X' => OsState::Other("exiting".into()),
        other => OsState::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_count_from_the_last_parenthesis() {
        let line =
            "4242 (odd ) name)) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 19 20\n";
        assert_eq!(parse_stat(line), Some(('S', 987654)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn states_map_to_what_a_report_says() {
        assert_eq!(classify('R', None), OsState::Running);
        assert_eq!(
            classify('S', Some("futex_do_wait".into())),
            OsState::Blocked(Some("futex_do_wait".into()))
        );
        assert_eq!(
            classify('S', Some("hrtimer_nanosleep".into())),
            OsState::Sleeping(Some("hrtimer_nanosleep".into()))
        );
    }

    #[test]
    fn this_thread_is_listed_with_its_name() {
        let handle = std::thread::Builder::new()
            .name("lc-os-probe".into())
            .spawn(|| {
                let me = current().unwrap();
                let all = snapshot().unwrap();
                all.into_iter().find(|t| t.id == me).unwrap()
            })
            .unwrap();
        let me = handle.join().unwrap();
        assert_eq!(me.name.as_deref(), Some("lc-os-probe"));
        assert_eq!(me.state, OsState::Running);
    }
}
