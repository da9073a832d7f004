use leakcheck::tokio;
use leakcheck::tokio::sync::mpsc;
use leakcheck::tokio::task::JoinHandle;
use leakcheck::Config;

/// Hands log lines to a writer task.
pub struct Logger {
    lines: mpsc::Sender<String>,
    writer: JoinHandle<usize>,
}

impl Logger {
    pub fn start() -> Logger {
        let (lines, mut rx) = mpsc::channel::<String>(16);
        let writer = tokio::spawn(async move {
            let mut written = 0;
            // Ends when every Sender is gone and the queue is drained.
            while let Some(_line) = rx.recv().await {
                written += 1; // ... write it
            }
            written
        });
        Logger { lines, writer }
    }

    pub async fn log(&self, line: &str) {
        self.lines.send(line.to_string()).await.unwrap();
    }

    /// Waits for the writer to write everything, and returns how many lines it wrote.
    pub async fn shutdown(self) -> usize {
        // `self.lines` is still alive here: it is dropped when this function returns.
        self.writer.await.unwrap()
    }
}

pub fn config() -> Config {
    Config::new()
}

pub fn log_lines_are_written() {
    leakcheck::block_on(async {
        let logger = Logger::start();
        logger.log("started").await;
        logger.log("stopping").await;
        assert_eq!(logger.shutdown().await, 2);
    });
}
