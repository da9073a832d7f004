#[leakcheck::test(seed = 1, schedules = 10, seed = 2)]
fn seeded_twice() {}

fn main() {}
