//! Places in the source, and stack frames.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A place in the source: `path:line:col`, the path relative to the workspace root.
///
/// ```
/// use leakcheck_schema::SourceLocation;
///
/// let at = SourceLocation { file: "src/lib.rs".into(), line: 14, column: 9 };
/// assert_eq!(at.to_string(), "src/lib.rs:14:9");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct SourceLocation {
    /// The file, relative to the workspace root when it is inside it.
    pub file: String,
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1 (0 when unknown).
    pub column: u32,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One frame of a trimmed stack: a function of the user's, and where in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Frame {
    /// The function, without its hash.
    pub function: String,
    /// Where in the function.
    pub location: SourceLocation,
}
