//! The code a course page pastes to embed a run: an `<iframe>`, or the `<dsplay-embed>` element
//! with its one script, made from what the teacher chose in the Embed dialog.
//!
//! A preset as it ships is embedded by name (`?preset=ID`: short, readable, and it follows the
//! preset if a later version improves it); anything changed travels as the full `#s=` link. The
//! playhead is offered only from the middle of a run: a copy made after watching to the end must
//! not give a widget that opens finished. The frame fills its column up to 720 px, so it also fits
//! a phone-width course page.

use super::{Controls, Theme};
use dsplay_core::scenario::encode_fragment;
use dsplay_core::session::Session;
use dsplay_core::SimTime;

/// What an embed shows: a preset by name, or a whole scenario (`#s=…`), each with the playhead
/// the run was at when it is in the middle (`t` in ms for a preset; a link's exact `t=…` for a
/// whole scenario).
#[derive(Clone, Debug, PartialEq)]
pub enum EmbedSource {
    Preset { id: String, t_ms: Option<u64> },
    Whole { fragment: String, playhead: Option<String> },
}

impl EmbedSource {
    /// The source for a session: by name if it is an unchanged preset.
    pub fn of(s: &Session) -> EmbedSource {
        let sc = s.scenario();
        let mid_run = (s.now() > SimTime::ZERO && !s.finished()).then(|| s.playhead());
        if dsplay_core::presets::as_shipped(sc) {
            return EmbedSource::Preset {
                id: sc.meta.id.clone(),
                t_ms: mid_run.map(|p| p.at.as_us() / 1000),
            };
        }
        EmbedSource::Whole { fragment: encode_fragment(sc), playhead: mid_run.map(|p| p.to_query()) }
    }

    /// Whether the run was in its middle, so the embed may open there.
    pub fn mid_run(&self) -> bool {
        match self {
            EmbedSource::Preset { t_ms, .. } => t_ms.is_some(),
            EmbedSource::Whole { playhead, .. } => playhead.is_some(),
        }
    }
}

/// What the teacher chose in the Embed dialog. The default is what "copy embed code" always gave:
/// plays on its own, at 1×, with the minimal controls, from where the playhead is.
#[derive(Clone, Debug, PartialEq)]
pub struct EmbedChoice {
    /// Open at the source's playhead (if it has one), or at 0.
    pub at_playhead: bool,
    pub autoplay: bool,
    pub speed: f64,
    /// Where playing stops, in ms (none: the end of the run).
    pub until_ms: Option<u64>,
    pub looping: bool,
    /// Open on the guided tour of the scenario's notes (offered only when it has some).
    pub tour: bool,
    pub controls: Controls,
    /// None: the reader's own light or dark.
    pub theme: Option<Theme>,
    /// The frame's height in px.
    pub height: u32,
    /// The frame's width in px at most (narrower columns get their own width).
    pub width: u32,
}

impl EmbedChoice {
    /// Whether the code carries the playhead: a tour opens at its first step whatever `t=` says
    /// (review 30 B3: both went into the code, and the widget and the CLI told different times).
    pub fn opens_at_playhead(&self) -> bool {
        self.at_playhead && !self.tour
    }
}

impl Default for EmbedChoice {
    fn default() -> Self {
        EmbedChoice {
            at_playhead: true,
            autoplay: true,
            speed: 1.0,
            until_ms: None,
            looping: false,
            tour: false,
            controls: Controls::Min,
            theme: None,
            height: DEFAULT_HEIGHT,
            width: DEFAULT_WIDTH,
        }
    }
}

/// The frame's height unless chosen, and the range the `<dsplay-embed>` element accepts.
pub const DEFAULT_HEIGHT: u32 = 420;
pub const HEIGHTS: std::ops::RangeInclusive<u32> = 200..=2000;
/// The frame's widest unless chosen (review 56 C1: a 1000 px course column got a 720 px widget
/// unless the code was edited by hand), and the range the element accepts.
pub const DEFAULT_WIDTH: u32 = 720;
pub const WIDTHS: std::ops::RangeInclusive<u32> = 240..=2400;

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A preset id as it may stand in a URL or an attribute.
fn clean_id(id: &str) -> String {
    id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
}

/// The options as (name, value) pairs, in the order the query and the element give them; an
/// empty value is a switch that is on.
fn options(c: &EmbedChoice) -> Vec<(&'static str, String)> {
    let mut o = Vec::new();
    if c.autoplay {
        o.push(("autoplay", String::new()));
    }
    if c.speed != 1.0 {
        o.push(("speed", format!("{}", c.speed)));
    }
    if let Some(u) = c.until_ms {
        o.push(("until", u.to_string()));
    }
    if c.looping {
        o.push(("loop", String::new()));
    }
    if c.tour {
        o.push(("tour", String::new()));
    }
    o.push(("controls", c.controls.name().to_string()));
    if let Some(t) = c.theme {
        o.push(("theme", crate::theme::name(t).to_string()));
    }
    o
}

/// The embed page's address for `source` as chosen, served from `base` (the page URL without
/// query or hash).
pub fn embed_url(base: &str, source: &EmbedSource, c: &EmbedChoice) -> String {
    let mut query = vec!["embed=1".to_string()];
    query.extend(options(c).into_iter().map(|(k, v)| format!("{k}={}", if v.is_empty() { "1" } else { &v })));
    match source {
        EmbedSource::Preset { id, t_ms } => {
            query.push(format!("preset={}", clean_id(id)));
            if let Some(t) = t_ms.filter(|_| c.opens_at_playhead()) {
                query.push(format!("t={t}"));
            }
            format!("{base}?{}", query.join("&"))
        }
        EmbedSource::Whole { fragment, playhead } => {
            let at = playhead
                .as_ref()
                .filter(|_| c.opens_at_playhead())
                .map(|p| format!("&{p}"))
                .unwrap_or_default();
            format!("{base}?{}#{}{at}", query.join("&"), fragment.trim_start_matches('#'))
        }
    }
}

/// The `<iframe>` snippet: works in any page that allows frames (most course platforms do).
pub fn embed_code(base: &str, source: &EmbedSource, title: &str, c: &EmbedChoice) -> String {
    format!(
        r#"<iframe src="{}" width="{w}" height="{}" style="width:100%;max-width:{w}px;border:0" loading="lazy" title="{}"></iframe>"#,
        escape_attr(&embed_url(base, source, c)),
        c.height,
        escape_attr(title),
        w = c.width,
    )
}

/// The `<dsplay-embed>` element and the script that defines it (`static/dsplay-embed.js`): for a
/// page whose author writes its HTML and may load a script.
pub fn element_code(base: &str, source: &EmbedSource, title: &str, c: &EmbedChoice) -> String {
    let mut attrs = match source {
        EmbedSource::Preset { id, t_ms } => {
            let t =
                t_ms.filter(|_| c.opens_at_playhead()).map(|t| format!(r#" t="{t}""#)).unwrap_or_default();
            format!(r#" preset="{}"{t}"#, clean_id(id))
        }
        EmbedSource::Whole { fragment, playhead } => {
            let at = playhead
                .as_ref()
                .filter(|_| c.opens_at_playhead())
                .map(|p| format!("&{p}"))
                .unwrap_or_default();
            format!(r#" link="{}""#, escape_attr(&format!("#{}{at}", fragment.trim_start_matches('#'))))
        }
    };
    for (k, v) in options(c) {
        attrs += &if v.is_empty() { format!(" {k}") } else { format!(r#" {k}="{}""#, escape_attr(&v)) };
    }
    if c.height != DEFAULT_HEIGHT {
        attrs += &format!(r#" height="{}""#, c.height);
    }
    if c.width != DEFAULT_WIDTH {
        attrs += &format!(r#" width="{}""#, c.width);
    }
    format!(
        "<script defer src=\"{}\"></script>\n<dsplay-embed{attrs} title=\"{}\"></dsplay-embed>",
        escape_attr(&format!("{base}dsplay-embed.js")),
        escape_attr(title)
    )
}
