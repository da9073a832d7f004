use leakcheck::tokio;
use leakcheck::tokio::sync::mpsc;
use leakcheck::tokio::task::JoinHandle;

pub struct Logger {
    lines: mpsc::Sender<String>,
    writer: JoinHandle<usize>,
}

impl Logger {
    pub fn start() -> Logger {
        let (lines, mut rx) = mpsc::channel::<String>(16);
        let writer = tokio::spawn(async move {
            let mut written = 0;
            while let Some(_line) = rx.recv().await {
                written += 1;
            }
            written
        });
        Logger { lines, writer }
    }

    pub async fn log(&self, line: &str) {
        self.lines.send(line.to_string()).await.unwrap();
    }

    /// The fix: drop the Sender first, so the writer's `recv` returns `None` once the queue is
    /// drained; then wait for it.
    pub async fn shutdown(self) -> usize {
        let Logger { lines, writer } = self;
        drop(lines);
        writer.await.unwrap()
    }
}

pub fn log_lines_are_written() {
    leakcheck::block_on(async {
        let logger = Logger::start();
        logger.log("started").await;
        logger.log("stopping").await;
        assert_eq!(logger.shutdown().await, 2);
    });
}
