use leakcheck::channel::{unbounded, Receiver, Sender};
use leakcheck::sync::{Arc, Mutex, Weak};

pub struct Peer {
    name: &'static str,
    inbox: Receiver<String>,
    address: Sender<String>,
    /// `Weak`: a friendship does not keep the friend alive.
    friends: Mutex<Vec<Weak<Peer>>>,
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

    pub fn befriend(self: &Arc<Peer>, other: &Arc<Peer>) {
        self.friends.lock().unwrap().push(Arc::downgrade(other));
        other.friends.lock().unwrap().push(Arc::downgrade(self));
    }

    pub fn greet_friends(&self) {
        for friend in self.friends.lock().unwrap().iter() {
            if let Some(friend) = friend.upgrade() {
                let greeting = format!("hello from {}", self.name);
                friend.address.send(greeting).unwrap();
            }
        }
    }

    pub fn unread(&self) -> usize {
        self.inbox.len()
    }
}

pub fn friends_are_greeted() {
    let alice = Peer::new("alice");
    let bob = Peer::new("bob");
    alice.befriend(&bob);
    alice.greet_friends();
    assert_eq!(bob.unread(), 1);
    // Dropping `bob` drops his inbox, and the unread greeting with it: not a finding.
}
