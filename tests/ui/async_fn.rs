#[leakcheck::test]
async fn asynchronous() {}

fn main() {}
