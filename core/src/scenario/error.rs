//! Scenario errors: values with messages that say what is wrong and how to fix it.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ScenarioError {
    #[error("scenario JSON is invalid at `{path}`: {message}")]
    Json { path: String, message: String },
    #[error("`{field}`: {message}")]
    Invalid { field: String, message: String },
    #[error("unsupported scenario version {0}; this build reads version 1")]
    Version(u32),
    #[error("scenario is {bytes} bytes; the limit is {limit}")]
    TooLarge { bytes: usize, limit: usize },
    #[error("bad link: {0}")]
    Link(String),
}

impl ScenarioError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError::Invalid { field: field.into(), message: message.into() }
    }

    pub(crate) fn from_path(e: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let path = if path == "." { "(top level)".to_string() } else { path };
        ScenarioError::Json { path, message: plain(&inner) }
    }

    /// The field this error points at, for showing it next to a form input.
    pub fn field(&self) -> Option<&str> {
        match self {
            ScenarioError::Json { path, .. } => Some(path),
            ScenarioError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// serde's message in a reader's words: Rust type names become what they mean, and the position is
/// kept only for JSON of several lines (a file); a link or a form is one line, where "column 1604"
/// helps nobody.
fn plain(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) if e.line() <= 1 => text[..i].to_string(),
        _ => text,
    };
    let words = [
        ("integer `", "`"),
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        ("expected u32", "expected a whole number, 0 or more"),
        ("expected u64", "expected a whole number, 0 or more"),
        ("expected usize", "expected a whole number, 0 or more"),
        ("expected i32", "expected a whole number"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
    ];
    words.iter().fold(text, |t, (from, to)| t.replace(from, to))
}
