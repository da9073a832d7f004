#[leakcheck::test(stall_timeout = 0)]
fn stalls() {}

fn main() {}
