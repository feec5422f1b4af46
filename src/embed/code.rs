//! The `<iframe>` snippet "copy embed code" gives a course page.

/// What an embed shows: a preset, or a scenario link fragment (`#s=…&t=…`).
#[derive(Clone, Debug, PartialEq)]
pub enum EmbedSource {
    Preset(String),
    Fragment(String),
}

fn escape_attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The `<iframe>` snippet for `source`, served from `base` (the page URL without query or hash).
pub fn embed_code(base: &str, source: &EmbedSource, title: &str) -> String {
    let src = match source {
        EmbedSource::Preset(id) => {
            let id: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            format!("{base}?embed=1&preset={id}")
        }
        EmbedSource::Fragment(f) => format!("{base}?embed=1#{}", f.trim_start_matches('#')),
    };
    format!(
        r#"<iframe src="{}" width="720" height="420" loading="lazy" title="{}"></iframe>"#,
        escape_attr(&src),
        escape_attr(title)
    )
}

/// The snippet for this page, also written to the clipboard when the browser allows it.
pub fn copy_embed_code(source: &EmbedSource, title: &str) -> String {
    let loc = web_sys::window().map(|w| w.location());
    let base = loc
        .map(|l| format!("{}{}", l.origin().unwrap_or_default(), l.pathname().unwrap_or_default()))
        .unwrap_or_default();
    let code = embed_code(&base, source, title);
    if let Some(w) = web_sys::window() {
        // Best effort: the promise is dropped (copy needs a user gesture and a secure context).
        let _ = w.navigator().clipboard().write_text(&code);
    }
    code
}
