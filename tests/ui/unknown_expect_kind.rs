#[leakcheck::test(expect = ["leaked_thread", "leaked_threads"])]
fn plural() {}

fn main() {}
