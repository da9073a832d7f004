#[leakcheck::test(stall_timeout = "10s")]
fn stalls() {}

fn main() {}
