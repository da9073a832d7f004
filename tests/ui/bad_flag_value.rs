#[leakcheck::test(allow_lingering = "yes")]
fn stringly_flag() {}

fn main() {}
