//! The page's link: which scenario to open on load (`#s=…`), and the default when there is none.

use dsplay_core::{presets, registry, Scenario};

/// The preset opened when the link carries no scenario.
pub fn default_preset() -> &'static str {
    presets::ids().next().unwrap_or_default()
}

/// Read a location hash (`""`, `"#"` or `"#s=…&t=…"`): the scenario to open, or why the link
/// was refused (the caller says what is shown instead). `Ok(None)` means "no scenario in the link".
pub fn scenario_from_hash(hash: &str) -> Result<Option<Scenario>, String> {
    // A link pasted or typed may arrive percent-encoded (`%20` for a space): read what it says.
    let decoded = percent_decoded(hash);
    let hash = decoded.trim();
    if hash.is_empty() || hash == "#" {
        return Ok(None);
    }
    let refused = |e: dsplay_core::ScenarioError| {
        // "bad link:" would repeat what the sentence already says.
        let why = match e {
            dsplay_core::ScenarioError::Link(why) => why,
            other => other.to_string(),
        };
        sentence(&format!("This link could not be opened: {why}"))
    };
    let sc = dsplay_core::scenario::decode_fragment(hash).map_err(refused)?;
    // Node names in events and partitions are only checked against the nodes the protocol builds.
    registry::build(&sc).map_err(refused)?;
    Ok(Some(sc))
}

/// `text` with its `%XX` escapes decoded (the browser's `decodeURIComponent`); text it cannot
/// decode (a stray `%`) is read as it is.
pub fn percent_decoded(text: &str) -> String {
    js_sys::decode_uri_component(text).map_or_else(|_| text.to_string(), String::from)
}

/// `text` ending with a full stop, unless it already ends a sentence ("…cut short?").
pub fn sentence(text: &str) -> String {
    let stop = if text.ends_with(['.', '?', '!']) { "" } else { "." };
    format!("{text}{stop}")
}

/// The browser's current location hash (empty outside a browser).
pub fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}
