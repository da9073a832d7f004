#[leakcheck::test(expect = [])]
fn expects_nothing() {}

fn main() {}
