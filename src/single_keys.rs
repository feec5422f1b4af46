//! The switch for single-key shortcuts (WCAG 2.1.4): X, P, T, C, K, F, /, ?, + and − act with no
//! modifier, which a speech-input user (a word heard as letters) or a stray key press sets off:
//! X crashes the selected node wherever the focus is. The help sheet turns them off; the choice is
//! kept for the next visit, as the theme is. Space, the arrows, Home and Esc stay: they are no
//! characters, and a player is expected to answer them.

const KEY: &str = "dsplay-single-keys";

/// Whether single-key shortcuts act (on unless turned off on this or an earlier visit).
pub fn on() -> bool {
    let kept = crate::theme::storage().and_then(|s| s.get_item(KEY).ok().flatten());
    kept.as_deref() != Some("off")
}

/// Turn them on or off, for this visit and the next.
pub fn set(on: bool) {
    if let Some(s) = crate::theme::storage() {
        let _ = if on { s.remove_item(KEY) } else { s.set_item(KEY, "off") };
    }
}

/// Whether `key` (a `KeyboardEvent.key`) is a character key, the kind the switch turns off.
pub fn is_character(key: &str) -> bool {
    key.chars().count() == 1 && key != " "
}
