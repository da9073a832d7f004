#[leakcheck::test(scheduler = "random", depth = 2)]
fn random_has_no_depth() {}

fn main() {}
