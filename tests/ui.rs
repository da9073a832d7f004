//! Compile errors of `#[leakcheck::test]`: each file in `tests/ui/` misuses the attribute once,
//! and its `.stderr` holds the error it must produce. Regenerate the expected output with
//! `TRYBUILD=overwrite cargo test --test ui`, then read the diff.

#[test]
fn compile_fail() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
