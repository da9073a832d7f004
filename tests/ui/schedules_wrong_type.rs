#[leakcheck::test(schedules = "100")]
fn quoted_number() {}

fn main() {}
