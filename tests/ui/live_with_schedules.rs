#[leakcheck::test(live, schedules = 100)]
fn live_has_no_schedules() {}

fn main() {}
