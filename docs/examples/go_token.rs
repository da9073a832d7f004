use leakcheck::cancel::Token;
use leakcheck::channel::{bounded, select};
use leakcheck::thread;

/// Go: `for { select { case <-ctx.Done(): return; case v := <-work: total += v } }`.
pub fn sum_until_cancelled(work_items: u32) -> u32 {
    let token = Token::new(); // ctx, cancel := context.WithCancel(ctx)
    let (work, jobs) = bounded::<u32>(0);
    thread::scope(|s| {
        let done = token.done();
        let summer = s.spawn(move || {
            let mut total = 0;
            loop {
                select! {
                    recv(done) -> _ => return total, // case <-ctx.Done()
                    recv(jobs) -> v => total += v.unwrap_or(0),
                }
            }
        });
        for v in 1..=work_items {
            work.send(v).unwrap();
        }
        token.cancel(); // cancel()
        summer.join().unwrap()
    })
}

pub fn summer_stops_on_cancel() {
    assert_eq!(sum_until_cancelled(3), 6);
    let parent = Token::new();
    let child = parent.child(); // context.WithCancel(parent)
    parent.cancel();
    assert!(child.is_cancelled());
}
