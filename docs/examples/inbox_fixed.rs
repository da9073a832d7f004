use leakcheck::cancel::Token;
use leakcheck::channel::{select, unbounded, Receiver, Sender};
use leakcheck::thread;

/// The messages travel in a channel, so a wait for the next one can also wait for the cancel.
pub struct Inbox {
    tx: Sender<String>,
    rx: Receiver<String>,
}

impl Inbox {
    pub fn new() -> Inbox {
        let (tx, rx) = unbounded();
        Inbox { tx, rx }
    }

    pub fn post(&self, message: &str) {
        self.tx.send(message.to_string()).unwrap();
    }

    /// The next message, or `None` once `token` is cancelled, whichever comes first.
    pub fn next(&self, token: &Token) -> Option<String> {
        select! {
            recv(self.rx) -> message => message.ok(),
            recv(token.done()) -> _ => None,
        }
    }
}

pub fn consumer_stops_on_cancel() {
    let inbox = Inbox::new();
    let token = Token::new();
    thread::scope(|s| {
        let stop = token.clone();
        let inbox = &inbox;
        let consumer = thread::Builder::new()
            .name("consumer".into())
            .spawn_scoped(s, move || {
                let mut handled = 0;
                while let Some(_message) = inbox.next(&stop) {
                    handled += 1;
                }
                handled
            })
            .unwrap();
        inbox.post("hello");
        token.cancel();
        assert!(consumer.join().unwrap() <= 1);
    });
}
