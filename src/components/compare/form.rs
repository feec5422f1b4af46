//! Compare's form: which field of A's scenario B changes (its enum and number fields), B's value
//! for it, and the buttons.

use crate::components::editor::catalog::{catalog, interesting};
use crate::components::editor::form::Edit;
use crate::components::editor::json::{dotted, get, number_from, Seg};
use serde_json::Value;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Most fields offered (t1 has about 20; a crowded scenario should still fit one list).
const MAX_FIELDS: usize = 64;

/// Alternatives offered for the field at `path` (enum fields: the other variants).
fn alternatives(v: &Value, path: &[Seg]) -> Vec<String> {
    match (path.split_last(), get(v, path)) {
        (Some((Seg::Key(_), parent)), Some(Value::String(cur))) => get(v, parent)
            .and_then(Value::as_object)
            .and_then(|o| catalog().options(path, o))
            .map(|options| options.into_iter().filter(|x| x != cur).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

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
    out
}

/// The index of the field the list shows first.
fn first_listed(value: &Value) -> usize {
    let listed = sections(interesting(value, MAX_FIELDS));
    listed.first().and_then(|(_, fields)| fields.first()).map_or(0, |(i, _)| *i)
}

/// The chosen field's path, its alternatives (empty for numbers) and the chosen alternative.
fn choice(value: &Value, form: &(usize, String)) -> (Vec<Seg>, Vec<String>, String) {
    let path = interesting(value, MAX_FIELDS).get(form.0).cloned().unwrap_or_default();
    let options = alternatives(value, &path);
    let chosen =
        if form.1.is_empty() { options.first().cloned().unwrap_or_default() } else { form.1.clone() };
    (path, options, chosen)
}

#[derive(Properties, PartialEq)]
pub struct FormProps {
    /// A's scenario as JSON.
    pub value: Rc<Value>,
    /// Build B with this edit, named by the text ("field = value").
    pub on_compare: Callback<(Edit, String)>,
    /// Run A, and so B, to the end.
    pub on_run: Callback<MouseEvent>,
}

#[function_component(CompareForm)]
pub fn compare_form(props: &FormProps) -> Html {
    // (field index, alternative text) in a ref: the Compare click must see the latest choice.
    let value = &*props.value;
    // The list opens on its first entry (the protocol's first field), not on whichever field
    // the scenario's JSON happens to list first.
    let form = use_mut_ref(|| (first_listed(value), String::new()));
    let rerender = use_force_update();
    let (path, options, chosen) = choice(value, &form.borrow());
    // "smooth_weighted_round_robin", not its JSON `"smooth_weighted_round_robin"`.
    let current = match get(value, &path) {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    };
    let on_field = {
        let (form, rerender) = (form.clone(), rerender.clone());
        Callback::from(move |e: Event| {
            let index = e.target_unchecked_into::<HtmlSelectElement>().value().parse().unwrap_or(0);
            *form.borrow_mut() = (index, String::new());
            rerender.force_update();
        })
    };
    let on_alt = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let value =
                match (e.target_dyn_into::<HtmlInputElement>(), e.target_dyn_into::<HtmlSelectElement>()) {
                    (Some(i), _) => i.value(),
                    (_, Some(s)) => s.value(),
                    _ => return,
                };
            form.borrow_mut().1 = value;
            rerender.force_update();
        })
    };
    let on_go = {
        let (form, value, on_compare) = (form.clone(), props.value.clone(), props.on_compare.clone());
        Callback::from(move |_: MouseEvent| {
            let (path, options, chosen) = choice(&value, &form.borrow());
            let label = format!("{} = {}", dotted(&path), chosen);
            let edit = if options.is_empty() {
                Edit::Set(path, number_from(&chosen))
            } else {
                Edit::Tag(path, chosen)
            };
            on_compare.emit((edit, label));
        })
    };
    let selected = form.borrow().0;
    let field_options = sections(interesting(value, MAX_FIELDS)).into_iter().map(|(section, fields)| {
        let options = fields.into_iter().map(|(i, p)| {
            html! { <option value={i.to_string()} selected={i == selected}>{dotted(&p)}</option> }
        });
        html! { <optgroup label={section}>{ for options }</optgroup> }
    });
    html! {
        <div class="compare-form">
            <label>{"Field "}<select class="compare-field" onchange={on_field}>{ for field_options }</select></label>
            <span class="compare-current">{format!("A: {current}")}</span>
            <label>{"B: "}
                if options.is_empty() {
                    <input class="compare-alt" type="number" step="any" value={form.borrow().1.clone()} placeholder={current.clone()} onchange={on_alt} />
                } else {
                    <select class="compare-alt" onchange={on_alt}>
                        { for options.iter().map(|o| html! { <option value={o.clone()} selected={*o == chosen}>{o.clone()}</option> }) }
                    </select>
                }
            </label>
            <button type="button" class="compare-go" onclick={on_go}>{"Compare"}</button>
            <button type="button" class="compare-run" onclick={props.on_run.clone()}>{"Run both to the end"}</button>
        </div>
    }
}
