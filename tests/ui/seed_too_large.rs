#[leakcheck::test(seed = 0x1_0000_0000_0000_0000)]
fn seed_overflows() {}

fn main() {}
