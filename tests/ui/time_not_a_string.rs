#[leakcheck::test(time = virtual_time)]
fn not_a_string() {}

fn main() {}
