//! Lesson Markdown → Yew nodes, safe by construction: the text comes from shared links, so it is
//! untrusted. pulldown-cmark (no HTML feature) parses it; we build every element ourselves.
//! Raw HTML is shown as text, links are only kept for http(s) and open in a new tab without an
//! opener, and images are never loaded (their alt text is shown instead). The one link we make
//! ourselves: a code span naming one of our presets opens it.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use yew::prelude::*;
use yew::virtual_dom::VTag;

/// What an open element becomes when it closes.
enum Open {
    Tag(&'static str),
    Heading(HeadingLevel),
    List(Option<u64>),
    Link(Option<String>),
    Image,
    CodeBlock,
}

fn safe_href(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then(|| url.trim().to_string())
}

/// Inline code; a preset's id ("Compare `r1-no-timeouts`") opens that preset, in this tab (the
/// session on screen stays a Back away). Only ids of our own presets, so an untrusted lesson
/// cannot make a link of it; not inside another link.
fn code_span(text: &str, in_link: bool) -> Html {
    match dsplay_core::presets::ids().find(|id| *id == text).filter(|_| !in_link) {
        Some(id) => html! {
            <a class="md-preset" href={format!("#preset={id}")} title={format!("Open the preset {id}")}><code>{id}</code></a>
        },
        None => html! { <code>{text.to_string()}</code> },
    }
}

fn element(name: &'static str, children: Vec<Html>) -> Html {
    let mut tag = VTag::new(name);
    tag.add_children(children);
    tag.into()
}

fn close(open: Open, children: Vec<Html>) -> Html {
    match open {
        Open::Tag(name) => element(name, children),
        Open::Heading(level) => {
            // Lessons sit under the panel's <h2>: shift headings down one level.
            let name = match level {
                HeadingLevel::H1 | HeadingLevel::H2 => "h3",
                HeadingLevel::H3 => "h4",
                HeadingLevel::H4 => "h5",
                _ => "h6",
            };
            element(name, children)
        }
        Open::List(Some(start)) => {
            html! { <ol start={start.to_string()}>{ for children }</ol> }
        }
        Open::List(None) => element("ul", children),
        Open::Link(Some(href)) => html! {
            <a {href} rel="noopener noreferrer" target="_blank">{ for children }</a>
        },
        Open::Link(None) => html! { <span class="md-link">{ for children }</span> },
        Open::Image => {
            html! { <span class="md-image" title="image not loaded">{"["}{ for children }{"]"}</span> }
        }
        Open::CodeBlock => html! { <pre><code>{ for children }</code></pre> },
    }
}

fn open_of(tag: Tag<'_>) -> Open {
    match tag {
        Tag::Paragraph => Open::Tag("p"),
        Tag::Heading { level, .. } => Open::Heading(level),
        Tag::BlockQuote(_) => Open::Tag("blockquote"),
        Tag::CodeBlock(_) => Open::CodeBlock,
        Tag::List(start) => Open::List(start),
        Tag::Item => Open::Tag("li"),
        Tag::Emphasis => Open::Tag("em"),
        Tag::Strong => Open::Tag("strong"),
        Tag::Strikethrough => Open::Tag("del"),
        Tag::Table(_) => Open::Tag("table"),
        Tag::TableHead | Tag::TableRow => Open::Tag("tr"),
        Tag::TableCell => Open::Tag("td"),
        Tag::Link { dest_url, .. } => Open::Link(safe_href(&dest_url)),
        Tag::Image { .. } => Open::Image,
        // HTML blocks: their content arrives as `Event::Html`, shown as text.
        Tag::HtmlBlock => Open::Tag("pre"),
        _ => Open::Tag("div"),
    }
}

/// Render Markdown to Yew nodes. No raw HTML, no remote loads.
pub fn render(text: &str) -> Html {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut stack: Vec<(Open, Vec<Html>)> = vec![(Open::Tag("div"), Vec::new())];
    for event in Parser::new_ext(text, opts) {
        let leaf = match event {
            Event::Start(tag) => {
                stack.push((open_of(tag), Vec::new()));
                continue;
            }
            Event::End(end) => {
                if stack.len() > 1 {
                    if let Some((open, children)) = stack.pop() {
                        let node = close(open, children);
                        // Table heads hold their cells directly; wrap in <thead> for structure.
                        let node = if matches!(end, TagEnd::TableHead) {
                            element("thead", vec![node])
                        } else {
                            node
                        };
                        if let Some(top) = stack.last_mut() {
                            top.1.push(node);
                        }
                    }
                }
                continue;
            }
            Event::Text(t) => html! { {t.to_string()} },
            Event::Code(t) => code_span(&t, stack.iter().any(|(open, _)| matches!(open, Open::Link(_)))),
            // Untrusted HTML: text, never markup.
            Event::Html(t) | Event::InlineHtml(t) => html! { <code class="md-html">{t.to_string()}</code> },
            Event::SoftBreak => html! { {" "} },
            Event::HardBreak => html! { <br /> },
            Event::Rule => html! { <hr /> },
            Event::TaskListMarker(done) => html! { {if done { "☑ " } else { "☐ " }} },
            _ => html! {},
        };
        if let Some(top) = stack.last_mut() {
            top.1.push(leaf);
        }
    }
    // Close anything left open (the parser balances tags, but be robust).
    while stack.len() > 1 {
        if let Some((open, children)) = stack.pop() {
            let node = close(open, children);
            if let Some(top) = stack.last_mut() {
                top.1.push(node);
            }
        }
    }
    let children = stack.pop().map(|(_, c)| c).unwrap_or_default();
    html! { <div class="md">{ for children }</div> }
}

#[derive(Properties, PartialEq, Debug)]
pub struct MarkdownProps {
    pub text: AttrValue,
}

/// Markdown text, rendered safely (see the module docs).
#[function_component(Markdown)]
pub fn markdown(props: &MarkdownProps) -> Html {
    let text = props.text.clone();
    (*use_memo(text, |t| render(t))).clone()
}

/// A note's Markdown as the plain words of one line (a list of events, a log): emphasis and code
/// lose their marks, links keep their text, raw HTML is kept as the text it is. The tour card
/// renders the same note; a log showed its `**` (review 30 C4).
pub fn plain(text: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A one-line message (an error, a banner) whose `backticked` parts are names to type, shown as
/// code rather than with their backticks. An unpaired backtick is kept as it is.
pub fn message(text: &str) -> Html {
    let parts: Vec<&str> = text.split('`').collect();
    let paired = parts.len() % 2 == 1;
    let last = parts.len() - 1;
    html! {<>{for parts.iter().enumerate().map(|(i, part)| match i % 2 {
        1 if paired || i < last => html! { <code>{*part}</code> },
        1 => html! { {format!("`{part}")} },
        _ => html! { {*part} },
    })}</>}
}
