#[leakcheck::test(flavor = "multi_thread", worker_threads = 0)]
async fn no_workers() {}

fn main() {}
