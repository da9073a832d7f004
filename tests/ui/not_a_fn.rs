#[leakcheck::test]
struct NotATest;

fn main() {}
