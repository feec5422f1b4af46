//! The page's link: which scenario to open on load (`#s=…`), and the default when there is none.

use dsplay_core::{presets, Scenario};

/// The preset opened when the link carries no scenario.
pub fn default_preset() -> &'static str {
    presets::ids().next().unwrap_or_default()
}

/// Read a location hash (`""`, `"#"` or `"#s=…&t=…"`): the scenario to open, or why the link
/// was refused. `Ok(None)` means "no scenario in the link".
pub fn scenario_from_hash(hash: &str) -> Result<Option<Scenario>, String> {
    let hash = hash.trim();
    if hash.is_empty() || hash == "#" {
        return Ok(None);
    }
    dsplay_core::scenario::decode_fragment(hash)
        .map(Some)
        .map_err(|e| format!("This link could not be opened, so the default scenario is shown instead. {e}"))
}

/// The browser's current location hash (empty outside a browser).
pub fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}
