#[leakcheck::test(live, ignore_thread = 7)]
fn prefix_is_a_string() {}

fn main() {}
