use leakcheck::channel::{unbounded, Receiver, Sender};
use leakcheck::sync::{Arc, Mutex};
use leakcheck::Config;

/// A chat participant: an inbox, and the friends it writes to.
pub struct Peer {
    name: &'static str,
    inbox: Receiver<String>,
    address: Sender<String>,
    friends: Mutex<Vec<Arc<Peer>>>,
}

impl Peer {
    pub fn new(name: &'static str) -> Arc<Peer> {
        let (address, inbox) = unbounded();
        Arc::new(Peer {
            name,
            inbox,
            address,
            friends: Mutex::new(Vec::new()),
        })
    }

    /// Each keeps the other in its list of friends: an `Arc` cycle.
    pub fn befriend(self: &Arc<Peer>, other: &Arc<Peer>) {
        self.friends.lock().unwrap().push(Arc::clone(other));
        other.friends.lock().unwrap().push(Arc::clone(self));
    }

    pub fn greet_friends(&self) {
        for friend in self.friends.lock().unwrap().iter() {
            let greeting = format!("hello from {}", self.name);
            friend.address.send(greeting).unwrap();
        }
    }

    pub fn unread(&self) -> usize {
        self.inbox.len()
    }
}

pub fn config() -> Config {
    Config::new()
}

pub fn friends_are_greeted() {
    let alice = Peer::new("alice");
    let bob = Peer::new("bob");
    alice.befriend(&bob);
    alice.greet_friends();
    assert_eq!(bob.unread(), 1);
    // Dropping `alice` and `bob` frees neither: each holds the other.
}
