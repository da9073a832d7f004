use leakcheck::sync::{Mutex, OnceLock, RwLock};
use std::hint::black_box;
#[test]
fn bench() {
    let n: u64 = std::env::var("BENCH_N").unwrap().parse().unwrap();
    let what = std::env::var("BENCH_WHAT").unwrap();
    let m = Mutex::new(0u64);
    let r = RwLock::new(0u64);
    let o = OnceLock::new();
    o.set(1u64).unwrap();
    for _ in 0..n {
        match what.as_str() {
            "mutex" => *black_box(&m).lock().unwrap() += 1,
            "rwlock" => {
                black_box(*black_box(&r).read().unwrap());
            }
            _ => {
                black_box(black_box(&o).get());
            }
        }
    }
}
