#[leakcheck::test(worker_threads = 4)]
async fn needs_multi_thread() {}

fn main() {}
