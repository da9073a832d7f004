#[leakcheck::test(schedules = 0)]
fn no_schedules() {}

fn main() {}
