//! What a link (or an embed's query) says that cannot be followed, as data.
//!
//! The page never refuses a link for these: it opens it, does something sensible instead (opens at
//! 0 s, at the end, takes the first of a part given twice) and says so in its banner. A script
//! must not get another run than it asked for, so the CLI refuses the same link. Both speak from
//! one value: [`LinkProblem::said`] is the page's sentence (what is wrong, how to do it right, what
//! was done instead), [`LinkProblem::fact`] is what is wrong and how to write it right, for a
//! caller that says its own consequence (the CLI exits non-zero).

use super::codec::{fragment, parse_ms};
use crate::time::SimTime;

/// One thing a link says that cannot be followed; `part` is the link's own `key=value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkProblem {
    /// A part with no `=` (`&foo`).
    NotKeyValue { part: String },
    /// A key the `whole` (a link, an embed's query) already had; the first counts.
    Twice { part: String, key: String, whole: &'static str },
    /// A playhead after the run's end (`stop_at`).
    PastEnd { part: String, stop_at: SimTime },
    /// `t=` that is not milliseconds.
    NotATime { value: String },
    /// `e=` that is not a count of events.
    NotACount { value: String },
    /// `seed=`: a link's seed is inside its scenario.
    Seed { part: String },
    /// `speed=`: a link opens paused.
    Speed { part: String },
    /// A key a link does not have.
    Unknown { part: String },
    /// `preset=` beside `s=`: the scenario in `s=` is the one opened.
    Overruled { part: String },
    /// `e={asked}` past the events of the instant `at`: after its last one, `had` were handled.
    PastInstant { asked: u64, at: SimTime, had: u64 },
}

impl LinkProblem {
    /// What is wrong and how to write it right, without what was done about it. Parts are in
    /// backticks, as the page's banner shows them.
    pub fn fact(&self) -> String {
        if let Some((part, why)) = self.ignored() {
            return format!("`{part}`: {why}");
        }
        match self {
            LinkProblem::NotATime { value } => {
                let value = quoted(value);
                format!("`t={value}` is not a time: t= takes milliseconds, like t=2500 or t=2500.125.")
            }
            _ => format!("{}.", self.stem()),
        }
    }

    /// The page's sentence: what is wrong, how to do it right there, and what it did instead.
    pub fn said(&self) -> String {
        if let Some((part, why)) = self.ignored() {
            let fix = match self {
                LinkProblem::Seed { .. } => " Change it in the editor's Seed field.",
                LinkProblem::Speed { .. } => {
                    " Set the speed with the Speed slider (an embed's ?speed= sets it for course pages)."
                }
                _ => "",
            };
            return format!("`{part}` was ignored: {why}{fix}");
        }
        match self {
            LinkProblem::NotATime { .. } => format!("{} Opened at 0 s.", self.fact()),
            LinkProblem::NotACount { .. } => format!("{}; it was ignored.", self.stem()),
            LinkProblem::PastEnd { .. } => format!("{}: opened at the end.", self.stem()),
            _ => format!("{}: opened after it.", self.stem()),
        }
    }

    /// A part the page leaves out (as [`quoted`] shows it), and why (the words `fact` and `said`
    /// share).
    fn ignored(&self) -> Option<(String, String)> {
        let (part, why) = match self {
            LinkProblem::NotKeyValue { part } => {
                (part, "each part of a link is a key=value, like t=2500.".into())
            }
            LinkProblem::Twice { part, key, whole } => {
                (part, format!("the {whole} has {key}= twice, and the first counts."))
            }
            LinkProblem::Seed { part } => (part, "a link's seed is inside its scenario.".into()),
            LinkProblem::Speed { part } => (part, "a link opens paused.".into()),
            LinkProblem::Unknown { part } => (part, "a link has s= or preset=, then t= and e=.".into()),
            LinkProblem::Overruled { part } => (
                part,
                "the link's s= part is the scenario it opens; a link has s= or preset=, not both.".into(),
            ),
            _ => return None,
        };
        Some((quoted(part), why))
    }

    /// What is wrong with a value the page cannot use, without a full stop.
    fn stem(&self) -> String {
        match self {
            LinkProblem::PastEnd { part, stop_at } => {
                // To the millisecond where it has one: a 1 ms run's end read "0.0 s" (review 50 C11).
                let secs = format!("{:.3}", stop_at.as_us() as f64 / 1e6);
                let secs = secs.trim_end_matches('0');
                let secs = if secs.ends_with('.') { format!("{secs}0") } else { secs.to_string() };
                format!("`{}` is past the end of the run ({secs} s)", quoted(part))
            }
            LinkProblem::PastInstant { asked, at, had } => format!(
                "`e={asked}` is past the last event at t={} ({had} events by then)",
                super::Playhead::at(*at).to_query().trim_start_matches("t=")
            ),
            LinkProblem::NotACount { value } => format!("`e={}` is not a count of events", quoted(value)),
            other => other.fact().trim_end_matches('.').to_string(),
        }
    }
}

/// Most characters of a link's part a sentence quotes.
const MAX_QUOTED: usize = 60;

/// `part` as a sentence quotes it: a long one (a link pasted twice, a tracker's 5,000 characters)
/// cut to its start and its length, so the banner stays a few lines with its × in view (review
/// 43: 1,200 px tall, the × above the window); unprintable characters shown as �.
pub fn quoted(part: &str) -> String {
    let shown = |c: char| if c.is_control() { '\u{fffd}' } else { c };
    let n = part.chars().count();
    if n <= MAX_QUOTED {
        return part.chars().map(shown).collect();
    }
    let start: String = part.chars().take(MAX_QUOTED - 20).map(shown).collect();
    format!("{start}… ({n} characters)")
}

/// What a link says that cannot be followed, once its scenario (which stops at `stop_at`) opened:
/// a playhead that is not a time or lies past the end, a part given twice, and parts a link does
/// not have (`seed=`). A link is never refused for these by the page; the user is told rather
/// than left to wonder why `&t=abc` opened at the start.
pub fn link_problems(input: &str, stop_at: SimTime) -> Vec<LinkProblem> {
    let mut said = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for part in fragment(input).split('&').filter(|p| !p.is_empty()) {
        let owned = || part.to_string();
        let Some((key, value)) = part.split_once('=') else {
            said.push(LinkProblem::NotKeyValue { part: owned() });
            continue;
        };
        if seen.contains(&key) {
            said.push(LinkProblem::Twice { part: owned(), key: key.to_string(), whole: "link" });
            continue;
        }
        seen.push(key);
        match key {
            "s" => {}
            "preset" if fragment(input).split('&').any(|p| p.starts_with("s=")) => {
                said.push(LinkProblem::Overruled { part: owned() })
            }
            "preset" => {}
            "t" => match parse_ms(value) {
                Some(t) if t > stop_at => said.push(LinkProblem::PastEnd { part: owned(), stop_at }),
                Some(_) => {}
                None => said.push(LinkProblem::NotATime { value: value.to_string() }),
            },
            "e" if value.parse::<u64>().is_err() => {
                said.push(LinkProblem::NotACount { value: value.to_string() })
            }
            "e" => {}
            "seed" => said.push(LinkProblem::Seed { part: owned() }),
            "speed" => said.push(LinkProblem::Speed { part: owned() }),
            _ => said.push(LinkProblem::Unknown { part: owned() }),
        }
    }
    said
}
