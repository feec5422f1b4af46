//! The form's groups: an object is a fieldset of its fields, with buttons to add or remove its
//! optional sections; an array is a fieldset of items, each with its −, and "Add to …" (the
//! scenario's events drawn a page at a time).

use super::catalog::catalog;
use super::form::{Ctx, Edit, EVENTS_PAGE};
use super::json::{dotted, general, Seg};
use serde_json::{Map, Value};
use yew::prelude::*;

/// The object `obj` at `path` (written `here`), under `legend`, with the error `err` shown at it.
pub(super) fn object(
    ctx: &Ctx,
    (path, here): (&mut Vec<Seg>, String),
    obj: &Map<String, Value>,
    legend: &str,
    err: Html,
) -> Html {
    let optional = catalog().optional(ctx.kind, path);
    let mut children = Vec::new();
    for (k, child) in obj {
        path.push(Seg::Key(k.clone()));
        let shown = super::form::field(ctx, path, Some(obj), child);
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
    if matches!(path.as_slice(), [Seg::Key(e), Seg::Index(_), Seg::Key(k)] if e == "events" && k == "event") {
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

/// The array `items` at `path` (written `here`), under `legend`, with the error `err` shown at it.
pub(super) fn array(
    ctx: &Ctx,
    (path, here): (&mut Vec<Seg>, String),
    items: &[Value],
    legend: &str,
    err: Html,
) -> Html {
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
            let minus =
                |n: usize| format!("{set} > .item > button.remove[aria-label=\"Remove {legend} #{n}\"]");
            vec![minus(i + 1), minus(i), format!("{set} > button.add")]
        };
        let remove = Callback::from(move |_: MouseEvent| {
            edit.emit(Edit::Remove(p.clone()));
            crate::focus::rescue(then.clone());
        });
        children.push(html! {
            <div class="item">
                {super::form::field(ctx, path, None, item)}
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
            <legend>{legend.to_string()}</legend>{err}
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
