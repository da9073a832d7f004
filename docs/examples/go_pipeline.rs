use leakcheck::channel::{bounded, Receiver, RecvError};
use leakcheck::thread;

/// The Go pipeline above: a generator, two squaring workers, and a sum.
pub fn sum_of_squares(input: &[u32]) -> u32 {
    let (nums_tx, nums_rx) = bounded::<u32>(0); // make(chan int)
    let (squares_tx, squares_rx) = bounded::<u32>(4); // make(chan int, 4)
    thread::scope(|s| {
        // The WaitGroup: the scope joins every thread spawned in it.
        s.spawn(move || {
            for &n in input {
                nums_tx.send(n).unwrap();
            }
            // close(nums): `nums_tx`, the only Sender, is dropped here.
        });
        for _ in 0..2 {
            // One Sender and one Receiver per worker...
            let (nums_rx, squares_tx) = (nums_rx.clone(), squares_tx.clone());
            s.spawn(move || {
                for n in nums_rx {
                    squares_tx.send(n * n).unwrap();
                }
            });
        }
        // ...and none left here: `squares` closes when the last worker ends.
        drop((nums_rx, squares_tx));
        squares_rx.iter().sum() // for s := range squares
    })
}

/// Go: `v, ok := <-c`. `ok` is false once `c` is closed and drained; `recv` returns `Err`.
pub fn drain(c: &Receiver<u32>) -> Vec<u32> {
    let mut got = Vec::new();
    loop {
        match c.recv() {
            Ok(v) => got.push(v),
            Err(RecvError) => return got, // !ok
        }
    }
}

pub fn pipeline() {
    assert_eq!(sum_of_squares(&[1, 2, 3]), 14);
    let (tx, rx) = bounded(2);
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    drop(tx); // close(c): the messages already sent are still received
    assert_eq!(drain(&rx), [1, 2]);
}
