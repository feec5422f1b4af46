//! What a request by hand asks for beyond its operation: the inspector's form fields, as the
//! node that takes the request says ([`crate::node::Node::request_form`]).
//!
//! The form once decided by the operation's name (`write` took a value, nothing else did), so an
//! event-sourcing projection's `as_of` went out without its count and was only noted as ignored,
//! and a deposit could not name its account or amount. The node knows what it reads from a
//! request; the form asks for that and names it in the node's words.

/// One field of the form: what it is called, what a message says is missing, an example, and
/// whether it may stay empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestField {
    /// The field's label and placeholder word: `key`, `to`, `amount`.
    pub label: &'static str,
    /// What is missing, in a sentence: `a key`, `the process to send to`.
    pub what: &'static str,
    /// Shown in the placeholder and the message: `k3`, `p2`, `10`.
    pub example: &'static str,
    /// Left empty, the node picks (a transaction client's random item).
    pub optional: bool,
}

impl RequestField {
    /// A key-value store's key.
    pub const KEY: Self = Self::needed("key", "a key", "k3");
    /// A written value.
    pub const VALUE: Self = Self::needed("value", "a value", "5");

    /// A field the request cannot go without.
    pub const fn needed(label: &'static str, what: &'static str, example: &'static str) -> Self {
        Self { label, what, example, optional: false }
    }
}

/// The fields of one operation's form: a key (text) and a value (a whole number), each if the
/// node reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestForm {
    pub key: Option<RequestField>,
    pub value: Option<RequestField>,
}

impl RequestForm {
    /// A key-value store's: a read names a key; a write a key and a value.
    pub fn key_value(op: &str) -> Self {
        match op {
            "read" | "get" => Self { key: Some(RequestField::KEY), value: None },
            "write" | "put" => Self { key: Some(RequestField::KEY), value: Some(RequestField::VALUE) },
            _ => Self::default(),
        }
    }

    /// A single register's: a write takes a value, a read nothing.
    pub fn register(op: &str) -> Self {
        match op {
            "write" | "put" => Self { key: None, value: Some(RequestField::VALUE) },
            _ => Self::default(),
        }
    }
}
