//! The form itself: one input per JSON leaf, by type; objects are fieldsets, arrays repeated
//! fieldsets with add/remove. Inputs report edits; nothing here touches the scenario.

use super::catalog::catalog;
use super::json::{dotted, general, get, number_from, Seg};
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
            | Edit::Drop(p) => p,
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
            html! { <span class="field-error" id={format!("{id}-err")} role="alert">{super::super::markdown::message(msg)}</span> },
        ),
        _ => (None, html! {}),
    }
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
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
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
    let legend = match path.last() {
        Some(Seg::Key(k)) if k == "sim" => "simulator (advanced)".to_string(),
        Some(Seg::Key(k)) => super::words::label(k),
        // A scenario event says itself: "#1 · crash coordinator at 7.669 s".
        Some(Seg::Index(i)) => match (path.as_slice(), serde_json::from_value::<Timed>(v.clone())) {
            ([Seg::Key(k), _], Ok(e)) if k == "events" => format!("#{} · {}", i + 1, crate::player::said(&e)),
            _ => format!("#{}", i + 1),
        },
        None => "scenario".to_string(),
    };
    let (_, err) = error_of(ctx, &input_id(&here), &here);
    match v {
        Value::Object(obj) => {
            let optional = catalog().optional(ctx.kind, path);
            let mut children = Vec::new();
            for (k, child) in obj {
                path.push(Seg::Key(k.clone()));
                let shown = field(ctx, path, Some(obj), child);
                children.push(if optional.iter().any(|(o, _)| o == k) {
                    let (edit, p) = (ctx.on_edit.clone(), path.clone());
                    let drop = Callback::from(move |_: MouseEvent| {
                        edit.emit(Edit::Drop(p.clone()));
                        // The key goes on from the button that adds the section back.
                        let adds = format!("form.editor button.add-section[data-adds=\"{}\"]", dotted(&p));
                        crate::focus::move_to(vec![adds]);
                    });
                    html! {
                        <div class="section" data-section={k.clone()}>
                            {shown}
                            <button type="button" class="drop-section" onclick={drop}
                                aria-label={format!("Remove the {} section", super::words::label(k))}>
                                {format!("Remove {}", super::words::label(k))}</button>
                        </div>
                    }
                } else {
                    shown
                });
                path.pop();
            }
            let missing: Vec<Html> = optional
                .iter()
                .filter(|(k, _)| !obj.contains_key(k))
                .map(|(k, example)| {
                    let mut p = path.clone();
                    p.push(Seg::Key(k.clone()));
                    let (edit, v, at) = (ctx.on_edit.clone(), example.clone(), dotted(&p));
                    let add = Callback::from(move |_: MouseEvent| {
                        edit.emit(Edit::Add(p.clone(), v.clone()));
                        // Into the new section's first field, scrolled to: written back in key
                        // order, `chaos` lands at the top of a long form.
                        let at = dotted(&p);
                        crate::focus::move_to(vec![
                            format!("form.editor fieldset[data-path=\"{at}\"] :is(input, select)"),
                            format!("form.editor [data-path=\"{at}\"]"),
                        ]);
                    });
                    html! {
                        <button type="button" class="add-section" data-section={k.clone()} data-adds={at} onclick={add}
                            aria-label={format!("Add the {} section", super::words::label(k))}>
                            {format!("+ {}", super::words::label(k))}</button>
                    }
                })
                .collect();
            // An event's own fields sit in its entry, whose legend already says what it is.
            if matches!(path.as_slice(), [Seg::Key(e), Seg::Index(_), Seg::Key(k)] if e == "events" && k == "event")
            {
                return html! { <div class="event-fields" data-path={here}>{err}{ for children }</div> };
            }
            let set = html! {
                <fieldset data-path={here.clone()}><legend>{legend}</legend>{err}{ for children }
                    if !missing.is_empty() {
                        <div class="add-sections"><span>{"Optional: "}</span>{ for missing }</div>
                    }
                </fieldset>
            };
            // The simulator's limits are folded away (review 14: a teacher does not need trace
            // capacity among the knobs), open while one of its fields has an error.
            if here == "sim" {
                let open = ctx.errors.iter().any(|(at, _)| at.starts_with("sim."));
                return html! {
                    <details class="advanced" {open}><summary>{"Advanced: the simulator's limits"}</summary>{set}</details>
                };
            }
            set
        }
        Value::Array(items) => {
            let mut children = Vec::new();
            let shown = if here == "events" { ctx.events_shown.min(items.len()) } else { items.len() };
            for (i, item) in items.iter().enumerate().take(shown) {
                path.push(Seg::Index(i));
                let edit = ctx.on_edit.clone();
                let p = path.clone();
                let label = format!("Remove {} #{}", legend, i + 1);
                // The − goes with its item: the key goes on from the − that takes its place (the
                // next item's, renumbered), else the one before, else "Add to …" (review 22).
                let then = {
                    let set = format!("fieldset.array[data-path=\"{here}\"]");
                    let minus = |n: usize| {
                        format!("{set} > .item > button.remove[aria-label=\"Remove {legend} #{n}\"]")
                    };
                    vec![minus(i + 1), minus(i), format!("{set} > button.add")]
                };
                let remove = Callback::from(move |_: MouseEvent| {
                    edit.emit(Edit::Remove(p.clone()));
                    crate::focus::rescue(then.clone());
                });
                children.push(html! {
                    <div class="item">
                        {field(ctx, path, None, item)}
                        <button type="button" class="remove" aria-label={label} onclick={remove}>{"−"}</button>
                    </div>
                });
                path.pop();
            }
            let can_add = items.last().is_some() || catalog().element(&general(path)).is_some();
            let edit = ctx.on_edit.clone();
            let p = path.clone();
            let add = Callback::from(move |_: MouseEvent| edit.emit(Edit::Push(p.clone())));
            let rest = items.len() - shown;
            let more = |n: usize| {
                let more = ctx.more_events.clone();
                Callback::from(move |_: MouseEvent| more.emit(shown + n))
            };
            html! {
                <fieldset class="array" data-path={here}>
                    <legend>{legend.clone()}</legend>{err}
                    { for children }
                    if rest > 0 {
                        <p class="more-events">
                            {format!("{shown} of {} events shown. ", items.len())}
                            if rest > EVENTS_PAGE {
                                <button type="button" onclick={more(EVENTS_PAGE)}>{format!("Show {EVENTS_PAGE} more")}</button>
                            }
                            <button type="button" onclick={more(rest)}>{format!("Show all {}", items.len())}</button>
                        </p>
                    }
                    if can_add {
                        <button type="button" class="add" onclick={add}>{format!("Add to {legend}")}</button>
                    }
                </fieldset>
            }
        }
        _ => leaf(ctx, path, parent, v),
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
}
