use leakcheck::sync::{Arc, Mutex};
use leakcheck::thread;

fn main() {
    // clean
    let r = leakcheck::Config::new().schedules(2000).explore(|| {
        let m = Arc::new(Mutex::new(0));
        let hs: Vec<_> = (0..3).map(|_| { let m = m.clone(); thread::spawn(move || { *m.lock().unwrap() += 1; }) }).collect();
        for h in hs { h.join().unwrap(); }
        assert_eq!(*m.lock().unwrap(), 3);
    });
    println!("clean: {:?}", r.map(|s| s.to_string()));
    // leaked blocked
    let r = leakcheck::Config::new().explore(|| {
        let m = Arc::new(Mutex::new(0));
        let g = m.lock().unwrap();
        let m2 = m.clone();
        thread::Builder::new().name("waiter".into()).spawn(move || { let _g = m2.lock().unwrap(); }).unwrap();
        std::mem::forget(g);
    });
    println!("{}", r.unwrap_err());
    // finished late
    let r = leakcheck::Config::new().explore(|| {
        thread::spawn(|| { thread::yield_now(); });
    });
    println!("{}", r.unwrap_err());
    // deadlock
    let r = leakcheck::Config::new().explore(|| {
        let a = Arc::new(Mutex::new(0)); let b = Arc::new(Mutex::new(0));
        let (a2, b2) = (a.clone(), b.clone());
        let h = thread::spawn(move || { let _x = b2.lock().unwrap(); let _y = a2.lock().unwrap(); });
        { let _x = a.lock().unwrap(); let _y = b.lock().unwrap(); }
        h.join().unwrap();
    });
    println!("{}", r.unwrap_err());
    // panic never joined
    let r = leakcheck::Config::new().explore(|| {
        let h = thread::spawn(|| { panic!("boom") });
        while !h.is_finished() { thread::yield_now(); }
        drop(h);
    });
    println!("{}", r.unwrap_err());
    // spin
    let r = leakcheck::Config::new().max_steps(1000).explore(|| {
        let f = leakcheck::sync::atomic::AtomicBool::new(false);
        while !f.load(leakcheck::sync::atomic::Ordering::SeqCst) { thread::yield_now(); }
    });
    let rep = r.unwrap_err();
    println!("{}", rep);
    // replay
    let tok = rep.replay_token().to_string();
    let r = leakcheck::Config::new().max_steps(1000).replay(tok).explore(|| {
        let f = leakcheck::sync::atomic::AtomicBool::new(false);
        while !f.load(leakcheck::sync::atomic::Ordering::SeqCst) { thread::yield_now(); }
    });
    println!("REPLAY {}", r.unwrap_err());
}
