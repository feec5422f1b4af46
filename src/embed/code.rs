//! The `<iframe>` snippet "copy embed code" gives a course page.
//!
//! A preset as it ships is embedded by name (`?preset=ID`: short, readable, and it follows the
//! preset if a later version improves it); anything changed travels as the full `#s=` link. The
//! playhead goes along only from the middle of a run: a copy made after watching to the end must
//! not give a widget that opens finished. The frame fills its column up to 720 px, so it also fits
//! a phone-width course page.

use dsplay_core::scenario::encode_fragment;
use dsplay_core::session::Session;
use dsplay_core::SimTime;

/// What an embed shows: a preset by name, or a scenario link fragment (`#s=…`), each with the
/// playhead to open at, if any.
#[derive(Clone, Debug, PartialEq)]
pub enum EmbedSource {
    Preset { id: String, t_ms: Option<u64> },
    Fragment(String),
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
        let at = mid_run.map(|p| format!("&{}", p.to_query())).unwrap_or_default();
        EmbedSource::Fragment(format!("{}{at}", encode_fragment(sc)))
    }
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The `<iframe>` snippet for `source`, served from `base` (the page URL without query or hash).
pub fn embed_code(base: &str, source: &EmbedSource, title: &str) -> String {
    let query = "?embed=1&autoplay=1&controls=min";
    let src = match source {
        EmbedSource::Preset { id, t_ms } => {
            let id: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            let t = t_ms.map(|t| format!("&t={t}")).unwrap_or_default();
            format!("{base}{query}&preset={id}{t}")
        }
        EmbedSource::Fragment(f) => format!("{base}{query}#{}", f.trim_start_matches('#')),
    };
    format!(
        r#"<iframe src="{}" width="720" height="420" style="width:100%;max-width:720px;border:0" loading="lazy" title="{}"></iframe>"#,
        escape_attr(&src),
        escape_attr(title)
    )
}
