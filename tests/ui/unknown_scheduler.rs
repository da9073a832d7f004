#[leakcheck::test(scheduler = "fifo")]
fn fifo() {}

fn main() {}
