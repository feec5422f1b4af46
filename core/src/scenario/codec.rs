//! The URL codec: `#s=<base64url(deflate(json))>`, or `#preset=ID` for a preset as it ships (the
//! short link a course page can write by hand). Decoding is a `Result` all the way down and
//! bounded (input length and inflated size), so a hostile link costs nothing.

use super::{Scenario, ScenarioError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use miniz_oxide::inflate::TINFLStatus;

/// Largest scenario JSON accepted (after inflating).
pub const MAX_JSON_BYTES: usize = 1 << 20;
const MAX_FRAGMENT: usize = 256 * 1024;

/// The fragment for a scenario, starting with `#s=`.
pub fn encode_fragment(sc: &Scenario) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(sc.to_json().as_bytes(), 9);
    format!("#s={}", URL_SAFE_NO_PAD.encode(packed))
}

/// Decode a full URL, a fragment (`#s=…&t=…` or `#preset=ID&t=…`), or the bare payload.
pub fn decode_fragment(input: &str) -> Result<Scenario, ScenarioError> {
    if let Some(id) = preset_of(input.trim()) {
        if !crate::presets::ids().any(|k| k == id) {
            return Err(ScenarioError::Link(crate::presets::not_found(id)));
        }
        return crate::presets::get(id);
    }
    let payload = payload_of(input.trim())?;
    if payload.len() > MAX_FRAGMENT {
        return Err(ScenarioError::Link(format!(
            "the link is {} characters; the limit is {MAX_FRAGMENT}",
            payload.len()
        )));
    }
    let packed = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).map_err(|e| {
        ScenarioError::Link(format!(
            "the scenario part is not valid base64url ({e}); was the link cut short?"
        ))
    })?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_JSON_BYTES).map_err(|e| {
        ScenarioError::Link(match e.status {
            TINFLStatus::HasMoreOutput => {
                format!(
                    "the scenario unpacks to more than {} KB, the limit for a link",
                    MAX_JSON_BYTES / 1024
                )
            }
            _ => "the scenario part is damaged (it does not unpack); was the link cut short?".into(),
        })
    })?;
    let text = std::str::from_utf8(&json)
        .map_err(|_| ScenarioError::Link("the scenario is not UTF-8 text".into()))?;
    Scenario::from_json(text)
}

fn payload_of(input: &str) -> Result<&str, ScenarioError> {
    let frag = match input.find('#') {
        Some(i) => &input[i + 1..],
        None if input.contains("s=") || !input.contains(['/', ':']) => input,
        None => return Err(ScenarioError::Link("the link has no #s= part".into())),
    };
    for part in frag.split('&') {
        if let Some(v) = part.strip_prefix("s=") {
            if v.is_empty() {
                return Err(ScenarioError::Link("the #s= part is empty".into()));
            }
            return Ok(v);
        }
    }
    if !frag.contains('=') && !frag.is_empty() {
        return Ok(frag);
    }
    Err(ScenarioError::Link("the link has neither an s= nor a preset= part".into()))
}

/// The `preset=ID` of a fragment that has no `s=`.
fn preset_of(input: &str) -> Option<&str> {
    let frag = input.split_once('#').map_or(input, |(_, f)| f);
    let mut parts = frag.split('&');
    if parts.clone().any(|p| p.starts_with("s=")) {
        return None;
    }
    parts.find_map(|p| p.strip_prefix("preset="))
}

/// The playhead in a fragment (`&t=3200`), in ms, if present and well-formed.
pub fn playhead_ms(input: &str) -> Option<u64> {
    let frag = input.split_once('#').map_or(input, |(_, f)| f);
    frag.split('&').find_map(|p| p.strip_prefix("t=")).and_then(|v| v.parse().ok())
}
