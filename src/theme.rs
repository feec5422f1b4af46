//! Light or dark: what the page shows, what the ◐ button switches to, and the choice remembered
//! across visits (the full app only; an embed follows its `theme=` or the system).

use crate::embed::Theme;

const KEY: &str = "dsplay-theme";

/// `(prefers-color-scheme: dark)`.
pub fn system_is_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// The theme the ◐ button switches to: the opposite of what is on screen, so the first press
/// always changes something, also while the page follows the system.
pub fn switched(current: Option<Theme>, system_dark: bool) -> Theme {
    let dark_now = match current {
        Some(t) => t == Theme::Dark,
        None => system_dark,
    };
    if dark_now {
        Theme::Light
    } else {
        Theme::Dark
    }
}

fn storage() -> Option<web_sys::Storage> {
    // Storage can be refused (private modes, blocked third-party storage): then nothing is kept.
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The theme chosen on an earlier visit, if any.
pub fn remembered() -> Option<Theme> {
    match storage()?.get_item(KEY).ok().flatten()?.as_str() {
        "dark" => Some(Theme::Dark),
        "light" => Some(Theme::Light),
        _ => None,
    }
}

/// Keep `theme` for the next visit.
pub fn remember(theme: Theme) {
    if let Some(s) = storage() {
        let _ = s.set_item(KEY, name(theme));
    }
}

/// `"dark"` or `"light"`, as in `data-theme` and the `theme=` query value.
pub fn name(theme: Theme) -> &'static str {
    match theme {
        Theme::Dark => "dark",
        Theme::Light => "light",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_first_press_changes_what_is_shown() {
        assert_eq!(switched(None, true), Theme::Light);
        assert_eq!(switched(None, false), Theme::Dark);
        assert_eq!(switched(Some(Theme::Dark), false), Theme::Light);
        assert_eq!(switched(Some(Theme::Light), true), Theme::Dark);
    }

    #[wasm_bindgen_test]
    fn a_choice_is_remembered() {
        remember(Theme::Dark);
        assert_eq!(remembered(), Some(Theme::Dark));
        remember(Theme::Light);
        assert_eq!(remembered(), Some(Theme::Light));
    }
}
