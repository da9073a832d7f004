//! Source locations and stack frames as reports give them: paths relative to the workspace root,
//! and only the user's own frames.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use backtrace::Backtrace;
use leakcheck_schema::{Frame, SourceLocation};

/// A `#[track_caller]` location as reports give it: the path relative to the workspace root.
pub(crate) fn location(l: &std::panic::Location<'_>) -> SourceLocation {
    source_location(l.file(), l.line(), l.column())
}

/// A place in the source as reports give it: the path relative to the workspace root.
pub(crate) fn source_location(file: &str, line: u32, column: u32) -> SourceLocation {
    SourceLocation {
        file: relative(file),
        line,
        column,
    }
}

/// The root of the workspace the tests run in: the nearest directory at or above the package
/// whose `Cargo.toml` declares a `[workspace]`, or the package itself.
pub(crate) fn workspace_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let start = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        start
            .ancestors()
            .find(|dir| {
                std::fs::read_to_string(dir.join("Cargo.toml"))
                    .is_ok_and(|text| text.lines().any(|l| l.trim() == "[workspace]"))
            })
            .map_or(start.clone(), Path::to_path_buf)
    })
}

/// `file` relative to the workspace root, when it is inside it.
fn relative(file: &str) -> String {
    let path = Path::new(file);
    if path.is_relative() {
        return file.replace('\\', "/");
    }
    match path.strip_prefix(workspace_root()) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => file.to_string(),
    }
}

/// leakcheck's own sources: frames there are the harness's.
const HARNESS_SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/");

/// Whether a frame's function belongs to the standard library or a dependency by its name
/// (inlined frames in optimized builds carry short names, so files decide the rest).
fn is_library(function: &str) -> bool {
    const PREFIXES: [&str; 8] = [
        "std::", "<std::", "core::", "<core::", "alloc::", "<alloc::", "__rust", "__libc",
    ];
    PREFIXES.iter().any(|p| function.starts_with(p))
}

/// The user's frames of a captured stack, innermost first: frames in files inside the workspace,
/// from functions that are not the harness's or std's.
pub(crate) fn frames(stack: &mut Backtrace) -> Vec<Frame> {
    stack.resolve();
    let root = workspace_root();
    let mut out: Vec<Frame> = Vec::new();
    'frames: for frame in stack.frames() {
        for symbol in frame.symbols() {
            let (Some(name), Some(file), Some(line)) =
                (symbol.name(), symbol.filename(), symbol.lineno())
            else {
                continue;
            };
            let function = format!("{name:#}");
            if let Ok(inner) = file.strip_prefix(HARNESS_SRC) {
                // A thread's stack ends where the backend started it, or where the driver ran
                // the body: what lies beyond is the harness.
                if inner.starts_with("backend") || inner.starts_with("explore.rs") {
                    break 'frames;
                }
                continue;
            }
            if is_library(&function) || file.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let inside = if file.is_relative() {
                !file.starts_with(".")
            } else {
                file.starts_with(root) && !file.components().any(|c| c.as_os_str() == ".cargo")
            };
            if !inside {
                continue;
            }
            let location =
                source_location(&file.to_string_lossy(), line, symbol.colno().unwrap_or(0));
            let frame = Frame { function, location };
            if out.last() != Some(&frame) {
                out.push(frame);
            }
        }
    }
    out
}
