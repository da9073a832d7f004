#[leakcheck::test(scheduler = "pct", preemption_bound = 2)]
fn t() {}

fn main() {}
