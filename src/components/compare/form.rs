//! Compare's form: which fields of A's scenario B changes (enums, numbers, switches and optional
//! sections; up to four at once), B's value for each, and the buttons.

use super::fields::{listed, Field};
use super::names::named;
use super::{BLabel, Said};
use crate::components::editor::form::Edit;
use crate::components::editor::json::{dotted, Seg};
use crate::components::editor::typed::Typed;
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Most fields offered (t1 has about 20; a crowded scenario should still fit one list).
const MAX_FIELDS: usize = 64;

/// A group of the field list: its name, and its fields with their indices.
type Section = (String, Vec<(usize, Vec<Seg>)>);

/// The fields grouped by the part of the scenario they belong to (`protocol`, `network`,
/// `workload`…), the protocol's first; each keeps its index in `fields`.
fn sections(fields: Vec<Vec<Seg>>) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for (i, path) in fields.into_iter().enumerate() {
        let section = match path.as_slice() {
            [Seg::Key(k), _, ..] => k.clone(),
            _ => "run".to_string(),
        };
        match out.iter_mut().find(|(s, _)| *s == section) {
            Some((_, items)) => items.push((i, path)),
            None => out.push((section, vec![(i, path)])),
        }
    }
    let rank = |s: &str| ["protocol", "workload", "network"].iter().position(|k| *k == s).unwrap_or(3);
    out.sort_by_key(|(s, _)| rank(s));
    // A switch that breaks the protocol on purpose goes last in its group: d4's list opened on
    // `protocol.unsafe_skip_log_check`, and a student looking for the heartbeat scrolled past it
    // (review 39 C4).
    for (_, items) in &mut out {
        items.sort_by_key(|(_, path)| matches!(path.last(), Some(Seg::Key(k)) if k.starts_with("unsafe_")));
    }
    out
}

/// Where the lesson first names the field at `path` in code: `` `protocol.r` `` or
/// `` `protocol.r = 2` `` (review 15: d3's Compare passed over the second and opened on a field
/// named later), not `` `protocol.rf` ``.
fn mentioned_at(lesson: &str, path: &str) -> Option<usize> {
    let quoted = format!("`{path}");
    lesson.match_indices(&quoted).map(|(at, _)| at).find(|&at| {
        let next = lesson[at + quoted.len()..].chars().next();
        matches!(next, Some('`' | ' ' | '='))
    })
}

/// Whether B may start on the field at `path` unasked: not an `unsafe_` switch (review 14: d4's
/// Compare opened on `protocol.unsafe_skip_log_check`) nor a section A leaves out (review 45: d4's
/// opened on adding `protocol.experiment`, a driver that crashes leader after leader, labelled
/// only "with protocol.experiment").
fn a_plain_start(value: &Value, path: &[Seg]) -> bool {
    let is_unsafe = matches!(path.last(), Some(Seg::Key(k)) if k.starts_with("unsafe_"));
    !is_unsafe && !matches!(Field::of(value, path), Field::Absent(_))
}

/// One change B makes: the field's index in the listed fields, and B's value as typed or chosen
/// (empty: the first alternative of an enum field).
type Change = (usize, String);

/// The chosen field's path, what it is, and B's value for it (typed, or the chosen alternative).
/// `fields`: the scenario's listed fields (see [`listed`]), which `change.0` indexes.
fn choice(value: &Value, fields: &[Vec<Seg>], change: &Change) -> (Vec<Seg>, Field, String) {
    let path = fields.get(change.0).cloned().unwrap_or_default();
    let field = Field::of(value, &path);
    let first = || field.options().first().cloned().unwrap_or_default();
    let chosen = if change.1.is_empty() { first() } else { change.1.clone() };
    (path, field, chosen)
}

/// The edit a change makes, and how B's label says it: in the scenario's names ("api › get →
/// db: retry.max_retries = 0", "protocol.r = 2") and by the exact path.
fn edit_of(value: &Value, fields: &[Vec<Seg>], change: &Change) -> (Edit, BLabel) {
    let (path, field, chosen) = choice(value, fields, change);
    let label = BLabel {
        words: field.said(&named(value, &path), &chosen),
        paths: field.said(&dotted(&path), &chosen),
    };
    (field.edit(&path, &chosen), label)
}

/// The field a new change starts on, among those no change has picked yet: the one the lesson
/// names first (`protocol.algorithm`; for a second change d3's `protocol.w` after `protocol.r`,
/// where the new row offered `protocol.mode`, review 46 C10), else the first listed that is a
/// [plain start](a_plain_start), else the first left.
fn unpicked(value: &Value, changes: &[Change]) -> usize {
    let groups = sections(listed(value, MAX_FIELDS));
    let order = || {
        groups.iter().flat_map(|(_, fields)| fields.iter()).filter(|(i, _)| changes.iter().all(|c| c.0 != *i))
    };
    let lesson = value.pointer("/meta/lesson").and_then(Value::as_str).unwrap_or_default();
    let named = order()
        .filter_map(|field| mentioned_at(lesson, &dotted(&field.1)).map(|at| (at, field)))
        .min_by_key(|(at, _)| *at)
        .map(|(_, field)| field);
    let plain = || order().find(|(_, p)| a_plain_start(value, p));
    named.or_else(plain).or_else(|| order().next()).map_or(0, |(i, _)| *i)
}

/// A button's click that changes the list of changes.
fn changer(
    changes: &Rc<RefCell<Vec<Change>>>,
    rerender: &UseForceUpdateHandle,
    f: impl Fn(&mut Vec<Change>) + 'static,
) -> Callback<MouseEvent> {
    let (changes, rerender) = (changes.clone(), rerender.clone());
    Callback::from(move |_: MouseEvent| {
        f(&mut changes.borrow_mut());
        rerender.force_update();
    })
}

#[derive(Properties, PartialEq)]
pub struct FormProps {
    /// A's scenario as JSON.
    pub value: Rc<Value>,
    /// Build B with these edits, named by the label ("protocol.r = 2, protocol.w = 2").
    pub on_compare: Callback<(Vec<Edit>, BLabel)>,
    /// Run A, and so B, to the end.
    pub on_run: Callback<MouseEvent>,
    /// B is built: without one, "Run both to the end" builds it first from the form.
    pub has_b: bool,
    /// Why B did not run: shown under the change it is about (else under the buttons).
    pub error: Option<Said>,
}

/// An error's paragraph (`id` for the input it describes).
fn error_line(text: &str, id: Option<String>) -> Html {
    html! { <p class="field-error" {id} role="alert">{crate::components::markdown::message(text)}</p> }
}

/// Most changes B makes at once (d3's lesson asks for r = 2 and w = 2 together).
const MAX_CHANGES: usize = 4;

#[function_component(CompareForm)]
pub fn compare_form(props: &FormProps) -> Html {
    // The changes in a ref: the Compare click must see the latest choice. The list opens on its
    // first entry (the protocol's first field), not on whichever field the JSON lists first.
    let value = &*props.value;
    let changes = use_mut_ref(|| vec![(unpicked(value, &[]), String::new())]);
    let rerender = use_force_update();
    let on_add = {
        let value = props.value.clone();
        changer(&changes, &rerender, move |c| c.push((unpicked(&value, c), String::new())))
    };
    let on_go = {
        let (changes, value, on_compare) = (changes.clone(), props.value.clone(), props.on_compare.clone());
        Callback::from(move |_: MouseEvent| {
            let fields = listed(&value, MAX_FIELDS);
            let (edits, labels): (Vec<Edit>, Vec<BLabel>) =
                changes.borrow().iter().map(|c| edit_of(&value, &fields, c)).unzip();
            let join = |part: fn(&BLabel) -> &str| labels.iter().map(part).collect::<Vec<_>>().join(", ");
            let label = BLabel { words: join(|l| &l.words), paths: join(|l| &l.paths) };
            on_compare.emit((edits, label));
        })
    };
    // "Both" before any Compare ran A alone, and the panel stayed empty without a word (review
    // 45): B is built from the form as it stands, then both run.
    let on_run = {
        let (on_go, on_run, has_b) = (on_go.clone(), props.on_run.clone(), props.has_b);
        Callback::from(move |e: MouseEvent| {
            if !has_b {
                on_go.emit(e.clone());
            }
            on_run.emit(e);
        })
    };
    // Listed once a render, not once per row (the form renders on every frame of playback).
    let fields = listed(value, MAX_FIELDS);
    let groups = sections(fields.clone());
    let count = changes.borrow().len();
    let rows = changes.borrow().clone().into_iter().enumerate().map(|(row, change)| {
        let (path, field, chosen) = choice(value, &fields, &change);
        let (options, current) = (field.options(), field.current(value, &path));
        let on_field = {
            let set = changes.clone();
            let rerender = rerender.clone();
            Callback::from(move |e: Event| {
                let index = e.target_unchecked_into::<HtmlSelectElement>().value().parse().unwrap_or(0);
                set.borrow_mut()[row] = (index, String::new());
                rerender.force_update();
            })
        };
        let on_typed = {
            let set = changes.clone();
            let rerender = rerender.clone();
            Callback::from(move |value: String| {
                set.borrow_mut()[row].1 = value;
                rerender.force_update();
            })
        };
        let on_alt = on_typed.reform(|e: Event| e.target_unchecked_into::<HtmlSelectElement>().value());
        let remove = changer(&changes, &rerender, move |c| {
            c.remove(row);
        });
        let field_options = groups.iter().map(|(section, fields)| {
            let options = fields.iter().map(|(i, p)| {
                // Named as the scenario names its parts; the exact path (the lessons', the
                // command line's) on hover.
                html! { <option value={i.to_string()} selected={*i == change.0} title={dotted(p)}>{named(value, p)}</option> }
            });
            html! { <optgroup label={section.clone()}>{ for options }</optgroup> }
        });
        let (wrong, error_id) = match &props.error {
            Some((Some(r), _)) if *r == row => ("true", Some(format!("compare-error-{row}"))),
            _ => ("false", None),
        };
        let error = match &props.error {
            Some((Some(r), text)) if *r == row => error_line(text, error_id.clone()),
            _ => html! {},
        };
        // B's value is keyed by its row and field. Unkeyed, a row added in the render that also
        // turned row 0's menu into a number field drew row 0's field twice: both inputs carried
        // row 0's props, and B's second number went to the first change (review 46 C10's
        // back-out, seen by logging the inputs in the compare suite).
        html! { <div class="compare-row">
            <div class="compare-change">
                <label>{"Field "}<select class="compare-field" title={dotted(&path)} onchange={on_field}>{ for field_options }</select></label>
                <span class="compare-current">{format!("A: {current}")}</span>
                <label>{"B: "}
                    if options.is_empty() {
                        // Text, as the Editor's numbers are: a number input hands over "" for
                        // "abc", which was told "Enter a value for B" (review 45 F6).
                        <Typed key={format!("typed-{row}-{}", change.0)} class="compare-alt" inputmode="decimal" value={change.1.clone()} placeholder={current.clone()}
                            on_commit={on_typed} invalid={wrong} described={error_id.clone()} />
                    } else {
                        <select key={format!("alt-{row}-{}", change.0)} class="compare-alt" onchange={on_alt} aria-invalid={wrong} aria-describedby={error_id.clone()}>
                            { for options.iter().map(|o| html! { <option value={o.clone()} selected={*o == chosen}>{o.clone()}</option> }) }
                        </select>
                    }
                </label>
                if count > 1 {
                    <button type="button" class="compare-remove" aria-label={format!("Remove the change of {}", named(value, &path))}
                        title="Remove this change" onclick={remove}>{"✕"}</button>
                }
            </div>
            {error}
        </div> }
    });
    html! {
        <div class="compare-form">
            { for rows }
            <div class="compare-actions">
                if count < MAX_CHANGES {
                    <button type="button" class="compare-add" onclick={on_add}>{"+ Change another field"}</button>
                }
                <button type="button" class="compare-go" onclick={on_go}>{"Compare"}</button>
                <button type="button" class="compare-run" onclick={on_run}>{"Run both to the end"}</button>
            </div>
            if let Some((None, text)) = &props.error { {error_line(text, None)} }
        </div>
    }
}
