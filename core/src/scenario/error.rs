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
        ScenarioError::Json { path, message: inner.to_string() }
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
