//! The scenario editor: a form generated from the scenario's JSON (protocol knobs, topology size,
//! network, workload). Apply parses it as a scenario; errors appear next to the field they name,
//! and nothing changes until the whole scenario is valid. Also: the seed, and a new-seed button.

pub mod catalog;
pub mod form;
pub mod json;

use crate::player::{Action, Player};
use catalog::catalog;
use dsplay_core::{Scenario, ScenarioError};
use form::{field, Ctx, Edit};
use json::{anchor, general, get_mut, number_from, Seg};
use serde_json::Value;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Apply one edit to the draft JSON.
pub fn apply_edit(draft: &mut Value, edit: &Edit) {
    match edit {
        Edit::Set(path, v) => {
            if let Some(slot) = get_mut(draft, path) {
                *slot = v.clone();
            }
        }
        Edit::Tag(path, value) => {
            let Some((Seg::Key(key), parent)) = path.split_last() else { return };
            let Some(slot) = get_mut(draft, parent) else { return };
            if let Some(obj) = slot.as_object() {
                *slot = catalog().switch(obj, key, value);
            }
        }
        Edit::Push(path) => {
            let template = catalog().element(&general(path)).cloned();
            if let Some(Value::Array(items)) = get_mut(draft, path) {
                if let Some(item) = items.last().cloned().or(template) {
                    items.push(item);
                }
            }
        }
        Edit::Remove(path) => {
            let Some((Seg::Index(i), parent)) = path.split_last() else { return };
            if let Some(Value::Array(items)) = get_mut(draft, parent) {
                if *i < items.len() {
                    items.remove(*i);
                }
            }
        }
    }
}

/// The draft as a scenario, or the error (message, and its path if it names one).
pub fn parse_draft(draft: &Value) -> Result<Scenario, ScenarioError> {
    let text = serde_json::to_string(draft).map_err(|e| ScenarioError::invalid("", e.to_string()))?;
    Scenario::from_json(&text)
}

/// The editor's state for one scenario revision.
#[derive(Clone, Debug, PartialEq)]
struct Draft {
    rev: u64,
    value: Value,
    /// `(field to show it at, message)`.
    error: Option<(String, String)>,
    last_edit: Option<Vec<Seg>>,
    /// Edited since it was made from the scenario: the run does not show these values yet.
    dirty: bool,
}

#[function_component(Editor)]
pub fn editor() -> Html {
    let player = use_context::<Player>();
    // The draft lives in a ref so that callbacks always see the latest edit (Enter in a field
    // fires `change` and `submit` in the same task, before a re-render).
    let draft = use_mut_ref(|| None::<Draft>);
    let rerender = use_force_update();
    let seed_error = use_state(|| None::<String>);
    let Some(player) = player else { return html! {} };
    let rev = player.scenario_rev;
    let scenario = player.session.borrow().scenario().clone();
    if draft.borrow().as_ref().is_none_or(|d| d.rev != rev) {
        let value = json::of_scenario(&scenario);
        *draft.borrow_mut() = Some(Draft { rev, value, error: None, last_edit: None, dirty: false });
    }
    let on_edit = {
        let (draft, rerender) = (draft.clone(), rerender.clone());
        Callback::from(move |e: Edit| {
            if let Some(d) = draft.borrow_mut().as_mut() {
                apply_edit(&mut d.value, &e);
                d.dirty = true;
                d.last_edit = match &e {
                    Edit::Set(p, _) | Edit::Tag(p, _) | Edit::Push(p) | Edit::Remove(p) => Some(p.clone()),
                };
            }
            rerender.force_update();
        })
    };
    let on_apply = {
        let (draft, rerender, dispatch) = (draft.clone(), rerender.clone(), player.dispatch.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut slot = draft.borrow_mut();
            let Some(d) = slot.as_mut() else { return };
            match parse_draft(&d.value) {
                Ok(sc) => {
                    d.error = None;
                    drop(slot);
                    dispatch.emit(Action::Replace(sc));
                }
                Err(err) => {
                    let at = anchor(&d.value, err.field().unwrap_or(""), d.last_edit.as_deref());
                    d.error = Some((at, err.to_string()));
                }
            }
            rerender.force_update();
        })
    };
    let on_reset = {
        let draft = draft.clone();
        Callback::from(move |_: MouseEvent| {
            *draft.borrow_mut() = None;
            rerender.force_update();
        })
    };
    // Read the scenario when the seed changes, not when the form was drawn: a render may be pending.
    let replace_seed = {
        let (session, dispatch) = (player.session.clone(), player.dispatch.clone());
        move |seed: u64| {
            let mut sc = session.borrow().scenario().clone();
            sc.seed = seed;
            dispatch.emit(Action::Replace(sc));
        }
    };
    let on_seed = {
        let (replace_seed, seed_error, session) =
            (replace_seed.clone(), seed_error.clone(), player.session.clone());
        Callback::from(move |e: Event| {
            let kept = session.borrow().scenario().seed;
            let el: HtmlInputElement = e.target_unchecked_into();
            match number_from(&el.value()).as_u64() {
                Some(seed) => {
                    seed_error.set(None);
                    replace_seed(seed);
                }
                None => {
                    let typed = el.value();
                    seed_error.set(Some(format!(
                        "{typed:?} is not a seed: a seed is a whole number from 0 to {}. Kept {kept}.",
                        u64::MAX
                    )));
                    el.set_value(&kept.to_string());
                }
            }
        })
    };
    let on_new_seed = Callback::from(move |_: MouseEvent| {
        let seed = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        replace_seed(seed.max(1));
    });
    let current = draft.borrow().clone().unwrap_or(Draft {
        rev,
        value: Value::Null,
        error: None,
        last_edit: None,
        dirty: false,
    });
    let error = current.error.as_ref().map(|(at, msg)| (at.as_str(), msg.as_str()));
    let ctx = Ctx { error, on_edit: &on_edit };
    let body = field(&ctx, &mut Vec::new(), None, &current.value);
    // Errors in parts the form does not show (events, the lesson) go above it.
    let hidden = |at: &str| at.starts_with("events") || at == "meta.lesson" || at == "seed";
    let top_error = current.error.as_ref().filter(|(at, _)| hidden(at));
    html! {
        <form class="editor" aria-label="Scenario editor" onsubmit={on_apply}>
            <div class="seed-row">
                <label for="editor-seed">{"Seed"}</label>
                <input id="editor-seed" type="number" min="0" step="1" value={scenario.seed.to_string()} onchange={on_seed} />
                <button type="button" class="new-seed" onclick={on_new_seed}>{"New seed"}</button>
            </div>
            if let Some(msg) = (*seed_error).clone() {
                <p class="field-error" role="alert">{msg}</p>
            }
            if let Some((_, msg)) = top_error {
                <p class="field-error" role="alert">{msg.clone()}</p>
            }
            {body}
            <div class={classes!("editor-actions", current.dirty.then_some("dirty"))}>
                <button type="submit" class={classes!("apply", current.dirty.then_some("primary"))}>{"Apply"}</button>
                <button type="button" class="reset" onclick={on_reset}>{"Reset"}</button>
                if current.error.is_some() {
                    <span class="status" role="status">{"Not applied: see the marked field."}</span>
                } else if current.dirty {
                    <span class="status" role="status">{"Edited: Apply (or Enter) to run with these values."}</span>
                }
            </div>
        </form>
    }
}
