//! The URL codec: `#s=<base64url(deflate(json))>`, or `#preset=ID` for a preset as it ships (the
//! short link a course page can write by hand). Decoding is a `Result` all the way down and
//! bounded (input length and inflated size), so a hostile link costs nothing.

use super::{Scenario, ScenarioError};
use crate::time::SimTime;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use miniz_oxide::inflate::TINFLStatus;

/// Largest scenario JSON accepted (after inflating).
pub const MAX_JSON_BYTES: usize = 1 << 20;
/// Longest link payload the codec opens (`s=`'s value): a link is refused past it.
pub const MAX_FRAGMENT: usize = 256 * 1024;

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
    let bare = !input.contains("s=");
    // A bare payload (a fragment without `s=`) that does not even unpack was most likely never
    // one; one that unpacks to a bad scenario says what is wrong with it.
    unpacked(payload).map_err(|e| match e {
        ScenarioError::Link(_) if bare => not_a_link(payload),
        e => e,
    })
}

/// `#foo` or `#%%%`: what a link looks like instead.
fn not_a_link(frag: &str) -> ScenarioError {
    let shown: String = frag.chars().take(40).collect();
    ScenarioError::Link(format!(
        "`#{shown}` is not a dsplay link, which reads #s=… (a scenario) or #preset=… (a preset's id)"
    ))
}

/// A payload's scenario: base64url, inflated (bounded), UTF-8, JSON.
fn unpacked(payload: &str) -> Result<Scenario, ScenarioError> {
    if payload.len() > MAX_FRAGMENT {
        return Err(ScenarioError::Link(format!(
            "the link is {} characters; the limit is {MAX_FRAGMENT}",
            payload.len()
        )));
    }
    let packed = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).map_err(|e| not_packed(payload, e))?;
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

/// Why a payload is not base64url, in the link's terms: a character no link has (where), or a
/// length no link has (cut short).
fn not_packed(payload: &str, e: base64::DecodeError) -> ScenarioError {
    use base64::DecodeError::{InvalidByte, InvalidLastSymbol};
    let at = match e {
        InvalidByte(i, _) | InvalidLastSymbol(i, _) => Some(i),
        _ => None,
    };
    let bad = at.and_then(|i| payload.get(i..)).and_then(|rest| rest.chars().next());
    ScenarioError::Link(match (at, bad) {
        (Some(i), Some(c)) if !c.is_ascii_alphanumeric() && c != '-' && c != '_' => format!(
            "character {} of the scenario part is {}, which a link never has \
             (only letters, digits, - and _); was it copied whole?",
            i + 1,
            shown(c)
        ),
        _ => "the scenario part is not valid base64url: it ends where no link ends; was the link \
              cut short?"
            .into(),
    })
}

/// A character as a sentence names it: in backticks if it can be seen, else by its code point
/// (`#s=%00` said "is ` `", an empty pair of quotes; review 43).
fn shown(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        c if c.is_control() || c.is_whitespace() => {
            format!("the unprintable character U+{:04X}", u32::from(c))
        }
        c => format!("`{c}`"),
    }
}

fn payload_of(input: &str) -> Result<&str, ScenarioError> {
    let frag = match input.rfind('#') {
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
    // The bare payload, pasted without its `s=`, is read as one; anything else names the forms.
    let payload_like = |f: &str| f.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !frag.contains('=') && payload_like(frag) && !frag.is_empty() {
        return Ok(frag);
    }
    if !frag.contains('=') && !frag.is_empty() {
        return Err(not_a_link(frag));
    }
    Err(ScenarioError::Link("the link has neither an s= nor a preset= part".into()))
}

/// What follows a link's last `#` (the whole input if it has none): a link pasted after another
/// one (`#https://host/#preset=d4…`) is read by its own fragment.
pub(super) fn fragment(input: &str) -> &str {
    input.rsplit_once('#').map_or(input, |(_, f)| f)
}

/// The `preset=ID` of a fragment that has no `s=`.
fn preset_of(input: &str) -> Option<&str> {
    let frag = fragment(input);
    let mut parts = frag.split('&');
    if parts.clone().any(|p| p.starts_with("s=")) {
        return None;
    }
    parts.find_map(|p| p.strip_prefix("preset="))
}

/// Where a link's playhead stands. `t=` is in ms, with up to three decimals (a step can stop
/// between milliseconds; the simulation clock counts µs). `e=` appears only when the playhead
/// stopped between two events of the same instant: it counts the events handled by then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Playhead {
    pub at: SimTime,
    pub events: Option<u64>,
}

impl Playhead {
    pub fn at(at: SimTime) -> Self {
        Playhead { at, events: None }
    }

    /// Where `sim` stands: its time, and the events handled so far if it stopped partway
    /// through an instant (more events are due at that same time).
    pub fn of(sim: &dyn crate::sim::Simulation) -> Self {
        let at = sim.now();
        let mid_instant = sim.next_event_at() == Some(at) && sim.events() > 0;
        Playhead { at, events: mid_instant.then(|| sim.events()) }
    }

    /// `t=1200`, `t=1200.345` or `t=1200.345&e=8812`: the tail of a link.
    pub fn to_query(self) -> String {
        let (ms, us) = (self.at.as_us() / 1000, self.at.as_us() % 1000);
        let t = if us == 0 { format!("t={ms}") } else { format!("t={ms}.{us:03}") };
        match self.events {
            Some(e) => format!("{t}&e={e}"),
            None => t,
        }
    }

    /// The playhead in a fragment (`&t=3200`, `&t=3200.5&e=77`), if present and well-formed.
    pub fn parse(input: &str) -> Option<Playhead> {
        let frag = fragment(input);
        let value = |key: &str| frag.split('&').find_map(|p| p.strip_prefix(key));
        let at = parse_ms(value("t=")?)?;
        let events = value("e=").and_then(|v| v.parse().ok());
        Some(Playhead { at, events })
    }
}

/// `"3200"` or `"3200.25"` → µs. Decimals past the third are below the simulator's µs and are
/// dropped (`5000.123456` is 5000.123 ms: no event can fall between the two).
pub(super) fn parse_ms(v: &str) -> Option<SimTime> {
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 12 {
        return None;
    }
    let frac = &frac[..frac.len().min(3)];
    let us = if frac.is_empty() { 0 } else { frac.parse::<u64>().ok()? * 10u64.pow(3 - frac.len() as u32) };
    // Digits too many for a u64 are a time too, past any run's end (it was "not a time").
    let whole = whole.parse::<u64>().unwrap_or(u64::MAX);
    Some(SimTime(whole.saturating_mul(1000).saturating_add(us)))
}
