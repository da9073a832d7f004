#[leakcheck::test]
fn takes_a_number(n: usize) {
    let _ = n;
}

fn main() {}
