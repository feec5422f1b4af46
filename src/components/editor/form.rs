//! The form itself: one input per JSON leaf, by type; objects are fieldsets, arrays repeated
//! fieldsets with add/remove. Inputs report edits; nothing here touches the scenario.

use super::catalog::catalog;
use super::json::{dotted, get, number_from, Seg};
use super::typed::Typed;
use dsplay_core::scenario::Timed;
use serde_json::{Map, Value};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// A change the user made in the form.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    Set(Vec<Seg>, Value),
    /// Change an enum tag (may swap the whole object for that variant).
    Tag(Vec<Seg>, String),
    Push(Vec<Seg>),
    Remove(Vec<Seg>),
    /// Put an optional section (absent until now) into its object: `autoscale`, `chaos`.
    Add(Vec<Seg>, Value),
    /// Take an optional section out of its object (the scenario runs without it).
    Drop(Vec<Seg>),
    /// Remove what is scripted after the run's end (`stop_at_ms`, the path): events, bursts and
    /// slow-motion stretches that would start too late.
    Trim(Vec<Seg>),
}

impl Edit {
    /// The field the edit is about.
    pub fn path(&self) -> &[Seg] {
        match self {
            Edit::Set(p, _)
            | Edit::Tag(p, _)
            | Edit::Push(p)
            | Edit::Remove(p)
            | Edit::Add(p, _)
            | Edit::Drop(p)
            | Edit::Trim(p) => p,
        }
    }
}

/// What every field needs: where the error is, and where edits go.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// `(field, message)` for each error to show at its field.
    pub errors: &'a [(String, String)],
    pub on_edit: &'a Callback<Edit>,
    /// The running scenario's JSON: a field that holds a number there stays a number input
    /// while the draft holds text the user typed into it.
    pub base: &'a Value,
    /// The draft's protocol (`raft`): which optional sections its knobs have.
    pub kind: &'a str,
    /// How many of the scenario's events to draw, and what asks for more (a form of 1,000 events
    /// took 2.4 s to open: review 18).
    pub events_shown: usize,
    pub more_events: &'a Callback<usize>,
    /// The backends each of a load balancer's groups makes ("b1–b3"), said in the group's legend.
    pub backend_groups: &'a [String],
}

/// The names of a draft's groups of backends, as far as their counts are numbers (the names of a
/// group depend on the counts before it).
pub fn backend_groups(draft: &Value) -> Vec<String> {
    let Some(Value::Array(groups)) = draft.pointer("/protocol/backends") else { return Vec::new() };
    let counts: Vec<u32> = groups
        .iter()
        .map_while(|g| match g.get("count") {
            None => Some(1),
            Some(c) => c.as_u64().and_then(|c| u32::try_from(c).ok()),
        })
        .collect();
    dsplay_core::protocols::lb::group_names(&counts)
}

/// The events drawn when the form opens, and added at each "Show more".
pub const EVENTS_PAGE: usize = 100;

/// How many events to draw: `asked`, and at least through any event with an error or edited last
/// (an event just added, at the end, is the one to fill in).
pub fn events_to_show(asked: usize, errors: &[(String, String)], last_edit: Option<&[Seg]>) -> usize {
    let index = |path: &[Seg]| match path {
        [Seg::Key(k), Seg::Index(i), ..] if k == "events" => Some(i + 1),
        [Seg::Key(k)] if k == "events" => Some(usize::MAX),
        _ => None,
    };
    let erred = errors.iter().filter_map(|(at, _)| {
        let rest = at.strip_prefix("events[")?;
        rest[..rest.find(']')?].parse::<usize>().ok().map(|i| i + 1)
    });
    erred.chain(last_edit.and_then(index)).fold(asked, usize::max)
}

/// Not in the form: the lesson and the events (written elsewhere), the seed (its own row above),
/// and the format's version.
fn skipped(path: &[Seg]) -> bool {
    let p = dotted(path);
    p == "meta.lesson" || p == "seed" || p == "v"
}

fn error_of(ctx: &Ctx, id: &str, here: &str) -> (Option<&'static str>, Html) {
    match ctx.errors.iter().find(|(at, _)| at == here) {
        Some((_, msg)) => (
            Some("true"),
            html! { <><span class="field-error" id={format!("{id}-err")} role="alert">{super::super::markdown::message(msg)}</span>{trim(ctx, here, msg)}</> },
        ),
        _ => (None, html! {}),
    }
}

/// A run shortened before what its script still holds is refused "…or remove them": this does
/// the removing in one click (review 47 C9: a class's 4-second version of d4 took deleting six
/// events and two slow-motion stretches one by one).
fn trim(ctx: &Ctx, here: &str, msg: &str) -> Html {
    if here != "stop_at_ms" || !msg.ends_with("or remove them") {
        return html! {};
    }
    let on_edit = ctx.on_edit.clone();
    let click =
        Callback::from(move |_: MouseEvent| on_edit.emit(Edit::Trim(vec![Seg::Key("stop_at_ms".into())])));
    html! { <button type="button" class="trim" onclick={click}>{"Remove them"}</button> }
}

/// A number as its field shows it: a whole one too big for an integer (JSON reads it as a float)
/// in digits, not `1e+20`, as the scenario's messages say it (review 48 C7).
fn digits(v: &Value) -> String {
    let whole = v.as_f64().filter(|_| v.is_f64()).and_then(dsplay_core::scenario::whole_in_digits);
    whole.unwrap_or_else(|| v.to_string())
}

fn input_id(here: &str) -> String {
    let safe: String = here.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("f-{safe}")
}

fn leaf(ctx: &Ctx, path: &[Seg], parent: Option<&Map<String, Value>>, v: &Value) -> Html {
    let here = dotted(path);
    let id = input_id(&here);
    let (invalid, err) = error_of(ctx, &id, &here);
    let parent_key = match path.iter().rev().nth(1) {
        Some(Seg::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    let hint = match path.last() {
        Some(Seg::Key(k)) => super::words::help(parent_key, k),
        _ => None,
    };
    let described = match (invalid, hint) {
        (Some(_), Some(_)) => Some(format!("{id}-err {id}-hint")),
        (Some(_), None) => Some(format!("{id}-err")),
        (None, Some(_)) => Some(format!("{id}-hint")),
        (None, None) => None,
    };
    let key = match path.last() {
        Some(Seg::Key(k)) => super::words::label(k),
        Some(Seg::Index(i)) => format!("#{}", i + 1),
        None => String::new(),
    };
    let p = path.to_vec();
    let edit = ctx.on_edit.clone();
    let options = parent.filter(|_| v.is_string()).and_then(|o| catalog().options(path, o));
    let input = match v {
        Value::Bool(b) => {
            let onchange = Callback::from(move |e: Event| {
                let el: HtmlInputElement = e.target_unchecked_into();
                edit.emit(Edit::Set(p.clone(), Value::Bool(el.checked())));
            });
            html! { <input type="checkbox" id={id.clone()} data-path={here.clone()} checked={*b} {onchange}
            aria-invalid={invalid} aria-describedby={described} /> }
        }
        Value::Number(_) | Value::String(_)
            if v.is_number() || get(ctx.base, path).is_some_and(Value::is_number) =>
        {
            let text = v.as_str().map_or_else(|| digits(v), str::to_string);
            let on_commit =
                Callback::from(move |typed: String| edit.emit(Edit::Set(p.clone(), number_from(&typed))));
            // Text, not `type="number"`: a number input hands over "" for text it cannot read,
            // so the message could not say what was typed.
            html! { <Typed inputmode="decimal" class="number" id={id.clone()} path={here.clone()}
            value={text} {on_commit} invalid={invalid} described={described} /> }
        }
        Value::String(s) if options.is_some() => {
            let onchange = Callback::from(move |e: Event| {
                let el: HtmlSelectElement = e.target_unchecked_into();
                edit.emit(Edit::Tag(p.clone(), el.value()));
            });
            html! {
                <select id={id.clone()} data-path={here.clone()} {onchange} aria-invalid={invalid} aria-describedby={described}>
                    { for options.into_iter().flatten().map(|o| html! { <option selected={&o == s} value={o.clone()}>{o}</option> }) }
                </select>
            }
        }
        Value::String(s) => {
            let on_commit =
                Callback::from(move |typed: String| edit.emit(Edit::Set(p.clone(), Value::String(typed))));
            html! { <Typed id={id.clone()} path={here.clone()} value={s.clone()} {on_commit}
            invalid={invalid} described={described} /> }
        }
        _ => html! { <span class="null" id={id.clone()}>{"(none)"}</span> },
    };
    html! {
        <div class={classes!("field", invalid.map(|_| "invalid"))}>
            <label for={id.clone()} title={here.clone()}>{key}</label>
            {input}
            if let Some(h) = hint { <span class="hint" id={format!("{id}-hint")}>{h}</span> }
            {err}
        </div>
    }
}

/// Render `v` at `path` (`parent` is the object holding it, for enum options).
pub fn field(ctx: &Ctx, path: &mut Vec<Seg>, parent: Option<&Map<String, Value>>, v: &Value) -> Html {
    if skipped(path) {
        return html! {};
    }
    let here = dotted(path);
    let (_, err) = error_of(ctx, &input_id(&here), &here);
    let legend = || legend_of(ctx, path, v);
    match v {
        Value::Object(obj) => {
            let legend = legend();
            super::groups::object(ctx, (path, here), obj, &legend, err)
        }
        Value::Array(items) => {
            let legend = legend();
            super::groups::array(ctx, (path, here), items, &legend, err)
        }
        _ => leaf(ctx, path, parent, v),
    }
}

/// What a fieldset's legend says of the value `v` at `path`.
fn legend_of(ctx: &Ctx, path: &[Seg], v: &Value) -> String {
    match path.last() {
        Some(Seg::Key(k)) if k == "sim" => "simulator (advanced)".to_string(),
        Some(Seg::Key(k)) => super::words::label(k),
        // A scenario event says itself: "#1 · crash coordinator at 7.669 s".
        Some(Seg::Index(i)) => match (path, serde_json::from_value::<Timed>(v.clone())) {
            ([Seg::Key(k), _], Ok(e)) if k == "events" => format!("#{} · {}", i + 1, crate::player::said(&e)),
            // A group of backends names its nodes: taking one out renames those after it.
            ([Seg::Key(p), Seg::Key(b), _], _) if p == "protocol" && b == "backends" => {
                match ctx.backend_groups.get(*i) {
                    Some(names) => format!("#{} · {names}", i + 1),
                    None => format!("#{}", i + 1),
                }
            }
            _ => format!("#{}", i + 1),
        },
        None => "scenario".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn events_are_drawn_through_any_with_an_error_or_edited_last() {
        let errors = [("events[240].at_ms".to_string(), "after the stop".to_string())];
        assert_eq!(events_to_show(100, &[], None), 100);
        assert_eq!(events_to_show(100, &errors, None), 241);
        let edited = [Seg::Key("events".into()), Seg::Index(300), Seg::Key("at_ms".into())];
        assert_eq!(events_to_show(100, &errors, Some(&edited)), 301);
        assert_eq!(events_to_show(100, &[], Some(&[Seg::Key("events".into())])), usize::MAX, "one added");
        assert_eq!(events_to_show(100, &[], Some(&[Seg::Key("seed".into())])), 100);
    }

    #[wasm_bindgen_test]
    fn a_number_too_big_for_an_integer_is_shown_in_digits() {
        let typed = crate::components::editor::json::number_from("99999999999999999999");
        assert_eq!(digits(&typed), "100000000000000000000", "JSON keeps it as the float 1e20");
        assert_eq!(digits(&serde_json::json!(-0.0)), "0");
        assert_eq!(digits(&serde_json::json!(2.5)), "2.5");
        assert_eq!(digits(&serde_json::json!(1e30)), "1e+30", "beyond 10^21 the digits are a wall");
        assert_eq!(digits(&serde_json::json!(42)), "42");
    }
}
