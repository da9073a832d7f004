use leakcheck::tokio::sync::mpsc;
use leakcheck::tokio::time::{interval, sleep, Duration};
use leakcheck::{tokio, Config};

pub fn config() -> Config {
    Config::new()
}

/// Forwards log lines to the collector, and counts a heartbeat on every flush tick.
async fn ship(mut input: mpsc::Receiver<String>, out: mpsc::Sender<String>) -> u32 {
    let mut flush = interval(Duration::from_millis(1));
    let mut beats = 0;
    while let Some(line) = input.recv().await {
        tokio::select! {
            sent = out.send(line) => sent.unwrap(),
            _ = flush.tick() => beats += 1,
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
        while let Some(_line) = collector.recv().await {
            sleep(Duration::from_millis(2)).await; // a slow collector
        }
        shipper.await.unwrap();
    });
}
