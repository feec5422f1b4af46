//! The options an embedding page passes in the iframe's query string.

use dsplay_core::scenario::tour::Tour;
use dsplay_core::scenario::{quoted, LinkProblem, Playhead, Scenario};
use dsplay_core::SimTime;

/// How much of the player chrome an embed shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Controls {
    /// Play/pause and the time slider only.
    #[default]
    Min,
    Full,
    None,
}

impl Controls {
    /// The `controls=` value.
    pub fn name(self) -> &'static str {
        match self {
            Controls::Min => "min",
            Controls::Full => "full",
            Controls::None => "none",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Dark,
    Light,
}

/// `?embed=1&preset=ID&autoplay=1&speed=2&t=3000&until=9000&loop=1&tour=1&controls=min|full|none&theme=dark|light`.
/// Unknown keys are ignored (hosts add their own), but one a letter or two from an option is
/// said; a malformed value keeps the default and says so in `problems`, which the page shows in
/// its banner.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmbedOptions {
    pub embed: bool,
    pub preset: Option<String>,
    pub autoplay: bool,
    /// Clamped to the player's 0.001–100×.
    pub speed: Option<f64>,
    /// Initial playhead (`t=` in ms, with decimals as in a full link).
    pub t: Option<SimTime>,
    /// Where playing stops (`until=` in ms): the embed shows the part of the run from `t` to here.
    pub until: Option<SimTime>,
    /// `loop=1`: at `until` (or the end of the run) go back to `t` and play on.
    pub looping: bool,
    /// `tour=1`: open on the guided tour of the scenario's notes.
    pub tour: bool,
    pub controls: Controls,
    /// `None`: follow the page / system theme.
    pub theme: Option<Theme>,
    /// One sentence per value that could not be used, saying what happens instead.
    pub problems: Vec<String>,
}

/// The options an embed's query has (see [`EmbedOptions`]).
const KEYS: [&str; 10] =
    ["embed", "preset", "autoplay", "speed", "t", "until", "loop", "tour", "controls", "theme"];

fn truthy(v: &str) -> bool {
    matches!(v, "1" | "true" | "yes" | "on" | "")
}

/// A switch's value (`autoplay=1`, `loop=0`); anything else is off, and said (`autoplay=maybe`
/// was quietly off).
fn switch(key: &str, v: &str, problems: &mut Vec<String>) -> bool {
    if !truthy(v) && !matches!(v, "0" | "false" | "no" | "off") {
        problems.push(format!("{key}={v:?} is not 1 or 0 (true/false, yes/no, on/off); taken as off."));
    }
    truthy(v)
}

/// `%XX` and `+` decoding; invalid escapes are kept verbatim.
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl EmbedOptions {
    /// Parse a query string, with or without the leading `?` (a `#fragment` is ignored).
    pub fn parse(query: &str) -> Self {
        let query = query.split('#').next().unwrap_or_default();
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut o = EmbedOptions::default();
        let mut seen: Vec<String> = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (k, v) = (decode(k), decode(v));
            // As in a full link: the first of a part given twice counts.
            if seen.contains(&k) {
                let part = format!("{k}={v}");
                o.problems.push(LinkProblem::Twice { part, key: k, whole: "query" }.said());
                continue;
            }
            seen.push(k.clone());
            match k.as_str() {
                "embed" => o.embed = switch(&k, &v, &mut o.problems),
                "preset" if !v.is_empty() && v.len() <= 100 => o.preset = Some(v),
                // Said, not dropped: the page would open the default with no word why (review 18).
                "preset" if v.is_empty() => o.problems.push(
                    "preset= names no scenario: write one such as preset=d4-raft-election; showing the default."
                        .to_string(),
                ),
                "preset" => o.problems.push(format!(
                    "preset= is {} characters, longer than any scenario's name: was the link cut or mangled? Showing the default.",
                    v.chars().count()
                )),
                "autoplay" => o.autoplay = switch(&k, &v, &mut o.problems),
                "speed" => o.speed = o.speed_from(&v),
                "t" => {
                    o.t = Playhead::parse(&format!("t={v}")).map(|p| p.at);
                    if o.t.is_none() {
                        o.problems.push(format!(
                            "t={v:?} is not a time in ms (like t=3000 or t=2500.125); starting at 0."
                        ));
                    }
                }
                "until" => {
                    o.until = Playhead::parse(&format!("t={v}")).map(|p| p.at);
                    if o.until.is_none() {
                        o.problems.push(format!(
                            "until={v:?} is not a time in ms (like until=9000); playing to the end."
                        ));
                    }
                }
                "loop" => o.looping = switch(&k, &v, &mut o.problems),
                "tour" => o.tour = switch(&k, &v, &mut o.problems),
                "controls" => {
                    o.controls = match v.as_str() {
                        "full" => Controls::Full,
                        "none" => Controls::None,
                        "min" => Controls::Min,
                        _ => {
                            o.problems.push(format!("controls={v:?} is not min, full or none; using min."));
                            Controls::Min
                        }
                    }
                }
                "theme" => {
                    o.theme = match v.as_str() {
                        "dark" => Some(Theme::Dark),
                        "light" => Some(Theme::Light),
                        _ => {
                            o.problems
                                .push(format!("theme={v:?} is not dark or light; following the system."));
                            None
                        }
                    }
                }
                // A host's own keys (utm_source=…) are left alone; one a letter or two from an
                // option is a typo the author would want told (review 43: `autplay=1&sped=50`
                // played nothing, said nothing).
                other => {
                    let near = |key: &str| {
                        let most = if key.len() > 5 { 2 } else { 1 };
                        key.len() > 1 && strsim::levenshtein(other, key) <= most
                    };
                    if let Some(meant) = KEYS.into_iter().find(|key| near(key)) {
                        o.problems.push(format!(
                            "{}={} was ignored: an embed has no {other}=; did you mean {meant}=?",
                            quoted(other),
                            quoted(&v)
                        ));
                    }
                }
            }
        }
        if let (Some(until), from) = (o.until, o.t.unwrap_or(SimTime::ZERO)) {
            if until <= from {
                o.problems.push(format!(
                    "until={} is not after t={}; playing to the end.",
                    until.as_ms_f64(),
                    from.as_ms_f64()
                ));
                o.until = None;
            }
        }
        o
    }

    /// The part of the run to play, if the host asked for less than all of it or for a loop.
    pub fn clip(&self) -> Option<crate::player::Clip> {
        (self.until.is_some() || self.looping).then(|| crate::player::Clip {
            from: self.t.unwrap_or(SimTime::ZERO),
            until: self.until,
            looping: self.looping,
        })
    }

    /// What to say of an `until=` after the run's end (review 18: `t=` said so, `until=` did not).
    pub fn until_past(&self, stop: SimTime) -> Option<String> {
        self.until.filter(|u| *u > stop).map(|u| {
            format!(
                "until={} is after the run's end ({} ms); playing to the end.",
                u.as_ms_f64(),
                stop.as_ms_f64()
            )
        })
    }

    /// What the options ask of the scenario shown, `sc`, that it cannot give, once it is chosen
    /// (`from_fragment`: the address's `#s=`/`#preset=` link chose it, not `preset=`). Review 43:
    /// `tour=1` on a scenario without notes and `preset=` beside a link each opened something
    /// other than asked, without a word. (An embed naming no scenario shows the default preset,
    /// as `dsplay-embed.js` documents.)
    pub fn unmet(&self, sc: &Scenario, from_fragment: bool) -> Vec<String> {
        let mut said = Vec::new();
        // In quotes: a title with a colon ("CAP under partition: CP refuses …") ran into the verb.
        let title = || match sc.meta.title.is_empty() {
            true => "this scenario".to_string(),
            false => format!("“{}”", quoted(&sc.meta.title)),
        };
        if let Some(id) = self.preset.as_ref().filter(|_| from_fragment) {
            said.push(format!(
                "preset={} was ignored: the address's #-link names the scenario shown; an embed has one or the other.",
                quoted(id)
            ));
        }
        if self.tour && Tour::of(sc).is_empty() {
            said.push(format!("tour=1 was ignored: {} has no notes to stop at; it plays as usual.", title()));
        }
        said
    }

    /// A speed within the player's range, or none (1×) with the reason in `problems`.
    fn speed_from(&mut self, v: &str) -> Option<f64> {
        let (lo, hi) = (crate::player::MIN_SPEED, crate::player::MAX_SPEED);
        match v.parse::<f64>().ok().filter(|s| s.is_finite() && *s > 0.0) {
            Some(s) if !(lo..=hi).contains(&s) => {
                let to = s.clamp(lo, hi);
                self.problems.push(format!("speed={v} is outside {lo}–{hi}×; playing at {to}×."));
                Some(to)
            }
            Some(s) => Some(s),
            None => {
                let what = format!("use a number from {lo} to {hi} (1 is real time); playing at 1×.");
                self.problems.push(format!("speed={v:?} is not a speed: {what}"));
                None
            }
        }
    }

    /// The page's own options (`window.location.search`).
    pub fn from_location() -> Self {
        let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        Self::parse(&search)
    }
}
