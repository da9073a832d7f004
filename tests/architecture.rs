//! The crate's layers, checked from its sources: the top-level modules of `src/` import each
//! other without a cycle, direct or through others, and each layer imports only the layers
//! below it (`docs/architecture.md` draws them):
//!
//! ```text
//! facade (thread, sync, channel, cancel, parking_lot, time)  ──►  runtime  ◄──  backend
//! explore  ──►  backend, detect, report, runtime
//! detect   ──►  runtime, report
//! ```
//!
//! An import is a `crate::<module>` path, or a `super::` path that climbs to the crate root, in
//! code (comments are skipped).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src/`: `src/runtime/mutex.rs` is `["runtime", "mutex"]`,
/// `src/runtime/mod.rs` is `["runtime"]`, `src/lib.rs` is `[]`.
fn module_path(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop().expect("a file name");
    let stem = file.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// The code of a file without its comments (line comments and doc comments).
fn code(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string literal is rare in this crate, and only cuts the line short.
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The identifiers that follow each occurrence of `prefix` in `code`.
fn paths_after<'a>(code: &'a str, prefix: &'a str) -> impl Iterator<Item = (usize, &'a str)> + 'a {
    code.match_indices(prefix).filter_map(move |(i, _)| {
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == ':') {
            return None;
        }
        let rest = &code[i + prefix.len()..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        Some((i, &rest[..end]))
    })
}

/// The top-level modules each top-level module imports.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut modules: BTreeSet<String> = BTreeSet::new();
    for file in &files {
        if let Some(first) = module_path(file.strip_prefix(&root).unwrap()).first() {
            modules.insert(first.clone());
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for file in &files {
        let path = module_path(file.strip_prefix(&root).unwrap());
        let Some(own) = path.first() else {
            continue; // lib.rs: the crate root declares and re-exports everything
        };
        let text = code(&std::fs::read_to_string(file).unwrap());
        let mut targets = Vec::new();
        for (_, name) in paths_after(&text, "crate::") {
            targets.push(name.to_string());
        }
        // `super::super::...::name` that climbs to the crate root (a chain is seen from its first
        // `super::`: `paths_after` skips the ones that follow `::`).
        for (i, _) in paths_after(&text, "super::") {
            let mut depth = 0;
            let mut rest = &text[i..];
            while let Some(r) = rest.strip_prefix("super::") {
                depth += 1;
                rest = r;
            }
            if depth == path.len() {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                targets.push(rest[..end].to_string());
            }
        }
        for target in targets {
            if &target != own && modules.contains(&target) {
                graph.get_mut(own).unwrap().insert(target);
            }
        }
    }
    graph
}

/// The cycles of the graph: every strongly connected component with more than one module.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn reaches(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for next in &graph[&m] {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    }
    let reach: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|m| (m, reaches(graph, m))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for m in graph.keys() {
        if !reach[m].contains(m) || out.iter().any(|c| c.contains(m)) {
            continue;
        }
        let component = graph
            .keys()
            .filter(|o| reach[m].contains(*o) && reach[*o].contains(m))
            .cloned()
            .collect();
        out.push(component);
    }
    out
}

#[test]
fn the_top_level_modules_import_each_other_without_a_cycle() {
    let graph = imports();
    let cycles = cycles(&graph);
    assert!(
        cycles.is_empty(),
        "modules that import each other, directly or through others: {cycles:?}\nthe imports: {graph:#?}"
    );
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let graph = imports();
    // What each layer must never import.
    let facade = ["thread", "sync", "channel", "cancel", "parking_lot", "time"];
    let rules: &[(&[&str], &[&str])] = &[
        (
            &["runtime"],
            &[
                "backend", "explore", "detect", "report", "config", "replay", "thread", "sync",
                "channel", "cancel", "time",
            ],
        ),
        (
            &["backend"],
            &[
                "explore", "detect", "config", "thread", "sync", "channel", "cancel", "time",
            ],
        ),
        (
            &["detect"],
            &[
                "explore", "backend", "thread", "sync", "channel", "cancel", "time",
            ],
        ),
        (
            &["report"],
            &[
                "runtime", "detect", "explore", "backend", "thread", "sync", "channel", "cancel",
                "time",
            ],
        ),
        (
            &facade,
            &[
                "backend", "explore", "detect", "report", "config", "replay", "live",
            ],
        ),
        // Live mode runs the user's code on real threads: it needs no model, no engine and no
        // detector, only the report (and explore's report files).
        (
            &["live"],
            &[
                "runtime",
                "backend",
                "detect",
                "thread",
                "sync",
                "channel",
                "cancel",
                "parking_lot",
            ],
        ),
    ];
    let mut broken = Vec::new();
    for (layer, forbidden) in rules {
        for module in *layer {
            for target in graph.get(*module).into_iter().flatten() {
                if forbidden.contains(&target.as_str()) {
                    broken.push(format!("{module} imports {target}"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "layer rules broken: {broken:?}");
}

#[test]
fn the_checker_sees_imports_and_cycles() {
    // The checker itself: a cycle through three modules is found, comments are not imports.
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(m, to)| (m.to_string(), to.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        cycles(&graph),
        vec![vec!["a".to_string(), "b".into(), "c".into()]]
    );
    let text =
        code("use crate::runtime; // see crate::backend\n/// crate::detect\nlet x = y::crate::z;");
    let found: Vec<&str> = paths_after(&text, "crate::").map(|(_, n)| n).collect();
    assert_eq!(found, ["runtime"]);
    assert_eq!(
        module_path(Path::new("runtime/mutex.rs")),
        ["runtime", "mutex"]
    );
    assert_eq!(module_path(Path::new("runtime/mod.rs")), ["runtime"]);
    // The real crate has its layers: the runtime is imported by the facade.
    assert!(imports()["sync"].contains("runtime"));
}
