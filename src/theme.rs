//! Light or dark: what the page shows, what the ◐ button switches to, and the choice remembered
//! across visits (the full app only; an embed follows its `theme=` or the system).

use crate::embed::Theme;
use yew::prelude::*;

/// Where the chosen theme is kept (static/boot.js reads it too, for the loading line).
const KEY: &str = "dsplay-theme";

/// `(prefers-color-scheme: dark)`.
pub fn system_is_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// What the ◐ button switches to: the opposite of what is on screen, so every press changes
/// something, also while the page follows the system. Switching to what the system asks for
/// goes back to following it (`None`), so a chosen theme can always be undone.
pub fn switched(current: Option<Theme>, system_dark: bool) -> Option<Theme> {
    let dark_now = current.map_or(system_dark, |t| t == Theme::Dark);
    let next = if dark_now { Theme::Light } else { Theme::Dark };
    (dark_now == system_dark).then_some(next)
}

pub(crate) fn storage() -> Option<web_sys::Storage> {
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

/// Keep `theme` for the next visit (`None`: follow the system again).
pub fn remember(theme: Option<Theme>) {
    if let Some(s) = storage() {
        let _ = match theme {
            Some(t) => s.set_item(KEY, name(t)),
            None => s.remove_item(KEY),
        };
    }
}

/// The ◐ button's name: what is shown, whose choice it is, and what a press does
/// ("Dark theme, as the system's: switch to light").
pub fn button_label(current: Option<Theme>, system_dark: bool) -> String {
    let dark_now = current.map_or(system_dark, |t| t == Theme::Dark);
    let (now, next) = if dark_now { ("Dark", "light") } else { ("Light", "dark") };
    let whose = if current.is_some() { "your choice" } else { "as the system's" };
    let back = if switched(current, system_dark).is_none() { " (the system's)" } else { "" };
    format!("{now} theme, {whose}: switch to {next}{back}")
}

#[derive(Properties, PartialEq)]
pub struct ButtonProps {
    /// The theme chosen (none: the system's is shown); the button switches it.
    pub theme: UseStateHandle<Option<Theme>>,
}

/// The ◐ button. A component of its own, so it renders when the theme changes, not on every
/// frame of playback with the page (its name asks the browser for the system's preference).
#[function_component(ThemeButton)]
pub fn theme_button(props: &ButtonProps) -> Html {
    let theme = props.theme.clone();
    let label = button_label(*theme, system_is_dark());
    let onclick = Callback::from(move |_: MouseEvent| {
        let next = switched(*theme, system_is_dark());
        remember(next);
        theme.set(next)
    });
    html! { <button class="icon theme" {onclick} aria-label={label.clone()} title={label}>{"◐"}</button> }
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
    fn every_press_changes_what_is_shown_and_the_second_follows_the_system_again() {
        for system_dark in [true, false] {
            let first = switched(None, system_dark);
            assert_eq!(first, Some(if system_dark { Theme::Light } else { Theme::Dark }));
            assert_eq!(switched(first, system_dark), None, "back to following the system");
        }
        // A choice made under another system setting: the press shows the other theme.
        assert_eq!(switched(Some(Theme::Dark), true), Some(Theme::Light));
        assert_eq!(switched(Some(Theme::Light), false), Some(Theme::Dark));
    }

    #[wasm_bindgen_test]
    fn the_button_says_what_is_shown_whose_choice_and_what_a_press_does() {
        assert_eq!(button_label(None, false), "Light theme, as the system's: switch to dark");
        assert_eq!(
            button_label(Some(Theme::Dark), false),
            "Dark theme, your choice: switch to light (the system's)"
        );
        assert_eq!(button_label(Some(Theme::Dark), true), "Dark theme, your choice: switch to light");
    }

    #[wasm_bindgen_test]
    fn a_choice_is_remembered() {
        remember(Some(Theme::Dark));
        assert_eq!(remembered(), Some(Theme::Dark));
        remember(Some(Theme::Light));
        assert_eq!(remembered(), Some(Theme::Light));
        remember(None);
        assert_eq!(remembered(), None);
    }
}
