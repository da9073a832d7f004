//! Platforms without a thread listing leakcheck knows: a clear error.

use super::{OsError, OsThread};

pub(super) fn snapshot() -> Result<Vec<OsThread>, OsError> {
    Err(OsError::Unsupported(std::env::consts::OS))
}

pub(super) fn current() -> Result<u64, OsError> {
    Err(OsError::Unsupported(std::env::consts::OS))
}
