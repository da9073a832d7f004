use leakcheck::tokio;
use leakcheck::tokio::sync::mpsc;
use leakcheck::tokio::time::{interval, sleep, Duration};

/// The fix: the `select!` waits for a slot, and the line goes into the slot it got. A tick that
/// wins cancels only the reservation; the line waits for the next turn of the loop.
async fn ship(mut input: mpsc::Receiver<String>, out: mpsc::Sender<String>) -> u32 {
    let mut flush = interval(Duration::from_millis(1));
    let mut beats = 0;
    while let Some(line) = input.recv().await {
        loop {
            tokio::select! {
                permit = out.reserve() => {
                    permit.unwrap().send(line);
                    break;
                }
                _ = flush.tick() => beats += 1,
            }
        }
    }
    beats
}

pub fn lines_are_shipped() {
    leakcheck::block_on(async {
        let (lines, input) = mpsc::channel(4);
        let (out, mut collector) = mpsc::channel(1);
        let shipper = tokio::spawn(ship(input, out));
        for n in 0..3 {
            lines.send(format!("line {n}")).await.unwrap();
        }
        drop(lines);
        let mut shipped = 0;
        while let Some(_line) = collector.recv().await {
            shipped += 1;
            sleep(Duration::from_millis(2)).await; // a slow collector
        }
        assert_eq!(shipped, 3);
        shipper.await.unwrap();
    });
}
