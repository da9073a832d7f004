#[leakcheck::test(shedules = 100)]
fn typo() {}

fn main() {}
