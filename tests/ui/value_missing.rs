#[leakcheck::test(schedules)]
fn bare_schedules() {}

fn main() {}
