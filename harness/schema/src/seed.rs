//! Seeds as people write them: decimal or `0x` hexadecimal.

/// A seed that [`parse_seed`] could not read.
///
/// ```
/// let err = leakcheck_schema::parse_seed("-1").unwrap_err();
/// assert!(err.to_string().starts_with("`-1` is not a seed"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a seed: expected an unsigned 64-bit number, decimal (24301) or hexadecimal (0x5eed)")]
#[non_exhaustive]
pub struct SeedError {
    /// The text, as given.
    pub text: String,
}

/// What a seed may be written as, for error messages that list it.
pub const ACCEPTED_SEEDS: &str =
    "an unsigned 64-bit number, decimal (24301) or hexadecimal (0x5eed)";

/// Parses a seed written in decimal or as `0x` hexadecimal; `_` separators and surrounding
/// whitespace are allowed.
///
/// ```
/// use leakcheck_schema::parse_seed;
///
/// assert_eq!(parse_seed("24301"), Ok(24301));
/// assert_eq!(parse_seed("0x5eed"), Ok(0x5eed));
/// assert_eq!(parse_seed("1_000"), Ok(1000));
/// assert!(parse_seed("seed").is_err());
/// ```
///
/// # Errors
/// A [`SeedError`] holding the text, when it is not such a number.
pub fn parse_seed(text: &str) -> Result<u64, SeedError> {
    let t = text.trim().replace('_', "");
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => t.parse::<u64>().ok(),
    };
    parsed.ok_or_else(|| SeedError {
        text: text.to_string(),
    })
}
