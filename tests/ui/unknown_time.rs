#[leakcheck::test(time = "paused")]
fn paused() {}

fn main() {}
