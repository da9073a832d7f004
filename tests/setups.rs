//! The three ways to switch a crate's imports to leakcheck's facade (docs/getting-started.md,
//! "Three ways to switch"), as real crates in `docs/examples/setups/`: each page block is the
//! file, byte for byte (`tests/docs_reports.rs`), and each crate is checked here.
//!
//! - `feature/`: built and tested for real, with and without the feature (`cargo test`). It
//!   shares the target directory of the CLI's end-to-end tests, where leakcheck and its
//!   dependencies are already built, so only the tiny crate itself compiles.
//! - `cfg/`: its manifest is read by cargo (`cargo metadata`), and its code is the feature
//!   crate's with the cfg predicate swapped, so the build above compiles the same code on the
//!   facade. Building it for real needs `RUSTFLAGS="--cfg leakcheck"`, which rebuilds every
//!   dependency: that test is `#[ignore]`d (run it with `--include-ignored`).
//! - `test/`: its manifest is read by cargo; its code is `docs/examples/facade_imports.rs`,
//!   which `tests/docs_reports.rs` compiles in a test build and runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Cargo builds are serialized: they share a target directory, and the machine is small.
fn cargo_turn() -> MutexGuard<'static, ()> {
    static CARGO: Mutex<()> = Mutex::new(());
    CARGO.lock().unwrap_or_else(|e| e.into_inner())
}

/// `cargo test ARGS` in `dir`, in the target directory of the CLI's end-to-end tests, where
/// leakcheck and its dependencies are built already.
fn cargo_test(dir: &Path, args: &[&str]) -> Output {
    let _turn = cargo_turn();
    cargo()
        .arg("test")
        .args(args)
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-e2e/target"),
        )
        .current_dir(dir)
        .output()
        .unwrap()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn setup(name: &str) -> PathBuf {
    root().join("docs/examples/setups").join(name)
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    for (k, _) in std::env::vars() {
        if k.starts_with("LEAKCHECK_") || k == "RUSTFLAGS" || k == "CARGO_ENCODED_RUSTFLAGS" {
            cmd.env_remove(k);
        }
    }
    cmd
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the setup crate `name` in a scratch directory, as a user would have it: its
/// `path = "../leakcheck"` pointing at this checkout, a workspace of its own (the scratch
/// directory is inside this one), and leakcheck's lock file (the same versions, no index).
fn scratch_copy(name: &str) -> PathBuf {
    static COPIES: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("setups")
        .join(format!(
            "{name}-{}-{}",
            std::process::id(),
            COPIES.fetch_add(1, Ordering::Relaxed)
        ));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&setup(name), &dir);
    if name == "test" {
        // Its code is the guide's `facade_imports` example.
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::copy(
            root().join("docs/examples/facade_imports.rs"),
            dir.join("src/lib.rs"),
        )
        .unwrap();
    }
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("path = \"../leakcheck\""), "{manifest}");
    let manifest = manifest.replace(
        "path = \"../leakcheck\"",
        &format!("path = {:?}", root().display().to_string()),
    ) + "\n[workspace]\n";
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    dir
}

fn text(out: &Output) -> String {
    format!(
        "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `cargo metadata` of a setup's manifest: cargo reads it, its features and dependencies.
fn metadata(name: &str) -> serde_json::Value {
    let dir = scratch_copy(name);
    let out = cargo()
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["packages"][0].clone()
}

/// The setup with a `leakcheck` cargo feature: the integration tests find a leak in the
/// library, which they can only see on the facade, so the feature switched it; without the
/// feature the crate builds on std and its checks are skipped.
#[test]
fn feature_setup_builds_and_its_integration_tests_see_the_facade() {
    let dir = scratch_copy("feature");
    let with = cargo_test(&dir, &["--features", "leakcheck"]);
    let out = text(&with);
    assert!(with.status.success(), "{out}");
    assert!(out.contains("test runs_every_job ... ok"), "{out}");
    assert!(
        out.contains("test a_worker_kept_busy_is_found ... ok"),
        "{out}"
    );
    let without = cargo_test(&dir, &[]);
    let out = text(&without);
    assert!(without.status.success(), "{out}");
    assert!(!out.contains("runs_every_job"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn feature_setup_manifest_pairs_an_optional_dependency_with_the_dev_dependency() {
    let package = metadata("feature");
    let deps = package["dependencies"].as_array().unwrap();
    let kinds: Vec<(&str, bool)> = deps
        .iter()
        .filter(|d| d["name"] == "leakcheck")
        .map(|d| {
            (
                d["kind"].as_str().unwrap_or("normal"),
                d["optional"] == true,
            )
        })
        .collect();
    assert_eq!(kinds, [("normal", true), ("dev", false)], "{package}");
    assert_eq!(package["features"]["leakcheck"][0], "dep:leakcheck");
    assert_eq!(package["targets"][1]["required-features"][0], "leakcheck");
}

#[test]
fn cfg_setup_is_the_feature_setup_under_another_switch() {
    let package = metadata("cfg");
    let deps = package["dependencies"].as_array().unwrap();
    assert_eq!(deps.len(), 1, "{package}");
    assert_eq!(deps[0]["name"], "leakcheck");
    assert_eq!(deps[0]["target"], "cfg(leakcheck)");
    let read = |name: &str, file: &str| std::fs::read_to_string(setup(name).join(file)).unwrap();
    let swap = |code: String| {
        code.replace("feature = \"leakcheck\"", "leakcheck")
            .replace(
                "when the `leakcheck` feature is on",
                "in builds with `--cfg leakcheck`",
            )
    };
    assert_eq!(
        read("cfg", "src/lib.rs"),
        swap(read("feature", "src/lib.rs"))
    );
    let tests = read("cfg", "tests/leaks.rs");
    let body = tests.split_once("#![cfg(leakcheck)]\n").unwrap().1;
    let feature_tests = read("feature", "tests/leaks.rs");
    assert_eq!(body, feature_tests.split_once('\n').unwrap().1);
}

/// The `cfg(test)` setup: the crate's unit tests switch to the facade, with leakcheck as a
/// dev-dependency only.
#[test]
fn test_setup_builds_and_its_unit_tests_run_on_the_facade() {
    let dir = scratch_copy("test");
    let out = cargo_test(&dir, &[]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("test tests::runs_every_job ... ok"),
        "{shown}"
    );
    assert!(
        shown.contains("test tests::runs_a_single_job ... ok"),
        "{shown}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn test_setup_needs_only_the_dev_dependency() {
    let package = metadata("test");
    let deps = package["dependencies"].as_array().unwrap();
    assert_eq!(deps.len(), 1, "{package}");
    assert_eq!(deps[0]["name"], "leakcheck");
    assert_eq!(deps[0]["kind"], "dev");
}

/// The `--cfg leakcheck` setup for real. `RUSTFLAGS` changes every crate's build, so this
/// builds leakcheck and all its dependencies again, in a target directory of its own.
#[test]
#[ignore = "rebuilds every dependency with RUSTFLAGS=--cfg leakcheck; run with --include-ignored"]
fn cfg_setup_builds_and_its_integration_tests_see_the_facade() {
    let dir = scratch_copy("cfg");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("setups/cfg-target");
    let out = cargo()
        .arg("test")
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "--cfg leakcheck")
        .current_dir(&dir)
        .output()
        .unwrap();
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("test a_worker_kept_busy_is_found ... ok"),
        "{shown}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
