//! The scenario editor: a form generated from the scenario's JSON (protocol knobs, topology size,
//! network, workload). Apply parses it as a scenario; errors appear next to the field they name,
//! and nothing changes until the whole scenario is valid. Also: the seed, and a new-seed button.

pub mod catalog;
pub mod errors;
pub mod form;
mod groups;
pub mod json;
pub mod nodes;
pub mod spread;
pub mod typed;
pub mod words;

use super::frozen::Frozen;
use crate::player::{Action, Player};
use catalog::catalog;
use dsplay_core::{Scenario, ScenarioError};
use form::{field, Ctx, Edit};
use json::{dotted, general, get_mut, number_from, Seg};
use serde_json::Value;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::Element;
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
            let Some((Seg::Key(_), parent)) = path.split_last() else { return };
            let Some(slot) = get_mut(draft, parent) else { return };
            if let Some(obj) = slot.as_object() {
                *slot = catalog().switch(path, obj, value);
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
        Edit::Add(path, v) => {
            let Some((Seg::Key(k), parent)) = path.split_last() else { return };
            if let Some(Value::Object(obj)) = get_mut(draft, parent) {
                obj.insert(k.clone(), v.clone());
            }
        }
        Edit::Drop(path) => {
            let Some((Seg::Key(k), parent)) = path.split_last() else { return };
            if let Some(Value::Object(obj)) = get_mut(draft, parent) {
                obj.remove(k);
            }
        }
        Edit::Trim(path) => {
            let Some(stop) = get_mut(draft, path).and_then(|v| v.as_u64()) else { return };
            // What the check needs: an event or burst may start on the stop, a stretch before it.
            let keep = [
                ("/events", "at_ms", stop),
                ("/workload/bursts", "at_ms", stop),
                ("/meta/slow_motion", "from_ms", stop.saturating_sub(1)),
            ];
            for (list, key, last) in keep {
                if let Some(Value::Array(items)) = draft.pointer_mut(list) {
                    items.retain(|item| item.get(key).and_then(Value::as_u64).is_none_or(|at| at <= last));
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

/// Apply one edit the user made, with what the form adds to it: a protocol switch drops the
/// events the new protocol's nodes cannot run (returns what to tell the user), and a new link
/// override names nodes the draft has (`names`: the running scenario's, if the draft's are not
/// known yet).
fn apply_user_edit(draft: &mut Value, edit: &Edit, names: &[String]) -> Option<String> {
    apply_edit(draft, edit);
    match edit {
        Edit::Tag(path, value) if dotted(path) == "protocol.kind" => {
            nodes::dropped_note(&format!("{value} does not have"), &nodes::drop_foreign_events(draft))
        }
        Edit::Tag(path, _) if matches!(path.first(), Some(Seg::Key(k)) if k == "events") => {
            nodes::fit_switched(draft, path, names);
            None
        }
        Edit::Push(path) => {
            nodes::fit_new_element(draft, path, names);
            None
        }
        Edit::Add(path, _) => {
            nodes::fit_new_section(draft, path, names);
            None
        }
        _ => None,
    }
}

/// The editor's state: the user's edits on top of one scenario revision.
#[derive(Clone, Debug, PartialEq)]
struct Draft {
    rev: u64,
    /// The scenario of revision `rev` as JSON, and the draft: it with the edits made.
    base: Rc<Value>,
    value: Value,
    /// The edits since the draft was made from the scenario, in order: the run does not show
    /// them yet. Kept so that they can be made again on a scenario that changed under them.
    edits: Vec<Edit>,
    /// `(field to show it at, message)` for each error Apply found, in the order found, or the
    /// check of a value as it was committed found at its field.
    errors: Vec<(String, String)>,
    /// Apply refused the draft as it is (no edit since).
    refused: bool,
    last_edit: Option<Vec<Seg>>,
    /// What the editor did on its own (dropped events, kept edits), said above the form.
    note: Option<String>,
    /// Apply sent this draft: the next revision is it, not a change under the edits.
    sent: bool,
}

impl Draft {
    fn new(rev: u64, value: Value) -> Draft {
        let base = Rc::new(value.clone());
        Draft {
            rev,
            base,
            value,
            edits: Vec::new(),
            errors: Vec::new(),
            refused: false,
            last_edit: None,
            note: None,
            sent: false,
        }
    }

    /// This draft for revision `rev` of the scenario (`value`): the same edits made on it.
    fn rebased(self, rev: u64, value: Value, names: &[String]) -> Draft {
        // Another scenario opened (a preset, a link): the edits were for the one before.
        let opened = self.base.get("meta") != value.get("meta");
        if self.sent || self.edits.is_empty() || opened {
            // What Apply did on its own (events left out) stays said.
            return Draft { note: self.note.filter(|_| self.sent && !opened), ..Draft::new(rev, value) };
        }
        let mut d =
            Draft { rev, base: Rc::new(value.clone()), value, note: None, errors: Vec::new(), ..self };
        let mut notes = vec!["The scenario changed (an action, or a new seed) while you had unapplied \
            edits: they are kept, on top of the new scenario."
            .to_string()];
        for e in &d.edits {
            notes.extend(apply_user_edit(&mut d.value, e, names));
        }
        d.note = Some(notes.join(" "));
        d
    }
}

/// Once the refused form is drawn, bring its first error into view (clear of the sticky bar) and
/// put the focus on the field to fix.
fn show_error_after_render(form: Element) {
    crate::focus::until_done(move || {
        let Ok(Some(el)) = form.query_selector(".field.invalid, .editor-summary") else { return false };
        if let Ok(Some(input)) = el.query_selector("input, select") {
            let _ = input.dyn_into::<web_sys::HtmlElement>().map(|i| i.focus());
        }
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(web_sys::ScrollLogicalPosition::Center);
        el.scroll_into_view_with_scroll_into_view_options(&opts);
        true
    });
}

/// Make each select show the option the draft marks `selected`. The attribute sets only the
/// option's default: once a select has been used, a new draft (Back to an edited run after
/// "Restore preset") left it showing the old choice while the run had the new one.
fn show_selected(form: &Element) {
    let Ok(selects) = form.query_selector_all("select[data-path]") else { return };
    for i in 0..selects.length() {
        let Some(select) = selects.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlSelectElement>().ok())
        else {
            continue;
        };
        let marked = select.query_selector("option[selected]").ok().flatten();
        let value = marked.and_then(|o| o.get_attribute("value"));
        if let Some(v) = value.filter(|v| *v != select.value()) {
            select.set_value(&v);
        }
    }
}

/// Fields the form does not show (their errors go above it).
fn hidden(at: &str) -> bool {
    at.starts_with("meta.lesson") || at == "seed"
}

/// Whether the Editor holds changes not applied yet (its panel stays mounted, hidden, once opened):
/// a link or embed code copied now is of the run as last applied, and says so (review 30 C5: an
/// author handed out a link without their last edit, told only "Link copied").
pub fn has_unapplied_edits() -> bool {
    let doc = web_sys::window().and_then(|w| w.document());
    doc.and_then(|d| d.query_selector(".editor .editor-actions.dirty").ok().flatten()).is_some()
}

/// Before something replaces the run (a scenario picked in the gallery), whether the Editor's
/// changes not applied yet may go: asked in a dialog only when there are some (review 43: they
/// were lost without a word; Back brought the run back but not the edits).
pub fn may_discard_edits(instead: &str) -> bool {
    if !has_unapplied_edits() {
        return true;
    }
    let ask = format!(
        "Your changes in the Editor are not applied yet. Open {instead} and discard them? (Cancel keeps them: press Apply to run them.)"
    );
    web_sys::window().and_then(|w| w.confirm_with_message(&ask).ok()).unwrap_or(true)
}

/// While the Editor holds changes not applied yet, leaving or reloading the page asks first.
#[hook]
fn use_leave_asks(dirty: bool) {
    use_effect_with(dirty, |dirty| {
        let options = gloo::events::EventListenerOptions::enable_prevent_default();
        let listener = (*dirty).then(web_sys::window).flatten().map(|w| {
            gloo::events::EventListener::new_with_options(&w, "beforeunload", options, |e| {
                e.prevent_default()
            })
        });
        move || drop(listener)
    });
}

#[function_component(Editor)]
pub fn editor() -> Html {
    use_context::<Player>().map_or_else(Html::default, |player| html! { <EditorOf {player} /> })
}

#[function_component(EditorOf)]
fn editor_of(props: &super::OfPlayer) -> Html {
    let player = props.player.clone();
    // The draft lives in a ref so that callbacks always see the latest edit (Enter in a field
    // fires `change` and `submit` in the same task, before a re-render).
    let draft = use_mut_ref(|| None::<Draft>);
    let rerender = use_force_update();
    // Counts the draft's changes: the form is built and drawn again only when it moves (see
    // `Frozen`), not on every frame of playback.
    let redrawn = use_mut_ref(|| 0u64);
    let seed_error = use_state(|| None::<String>);
    // A seed refused in this task: Enter in the field commits it (`change`) and then submits the
    // form, whose Apply must not clear the message just set (review 43: "-5" then Enter went
    // back to the old seed without a word).
    let seed_refused_now = use_mut_ref(|| false);
    let events_asked = use_state(|| form::EVENTS_PAGE);
    // The preset as it ships, when the run differs from it (applied edits, a new seed, actions by
    // hand): read once per scenario revision, not on every frame's render.
    let shipped = {
        let session = player.session.clone();
        use_memo(player.scenario_rev, move |_| {
            let s = session.borrow();
            dsplay_core::presets::get(&s.scenario().meta.id).ok().filter(|p| p != s.scenario())
        })
    };
    let form = use_node_ref();
    {
        // Only when the form may have been handed other values: another scenario revision, an
        // edit, a Reset (not on every frame's render).
        let rev = player.scenario_rev;
        let edits = draft.borrow().as_ref().map(|d| d.edits.len());
        let form = form.clone();
        use_effect_with((rev, edits), move |_| {
            if let Some(el) = form.cast::<Element>() {
                show_selected(&el);
            }
        });
    }
    let rev = player.scenario_rev;
    // Read, not cloned: the Editor draws on every frame of playback, and a scenario may hold a
    // thousand events.
    let (seed, id, names) = {
        let s = player.session.borrow();
        (s.scenario().seed, s.scenario().meta.id.clone(), s.sim().node_names().to_vec())
    };
    let stale = draft.borrow().as_ref().map(|d| d.rev != rev);
    let of_scenario = || json::of_scenario(player.session.borrow().scenario());
    match stale {
        None => *draft.borrow_mut() = Some(Draft::new(rev, of_scenario())),
        Some(true) => {
            let old = draft.borrow_mut().take();
            *draft.borrow_mut() = old.map(|d| d.rebased(rev, of_scenario(), &names));
        }
        Some(false) => {}
    }
    if stale != Some(false) {
        *redrawn.borrow_mut() += 1;
    }
    let on_edit = {
        let (draft, rerender, names, redrawn) =
            (draft.clone(), rerender.clone(), names.clone(), redrawn.clone());
        Callback::from(move |e: Edit| {
            if let Some(d) = draft.borrow_mut().as_mut() {
                if let Some(note) = apply_user_edit(&mut d.value, &e, &names) {
                    d.note = Some(note);
                }
                // A field typed into again may be right now: its old message goes, and so does one
                // at another field that names it (an edit that made this one wrong).
                let at = dotted(e.path());
                let named = format!("`{at}`");
                d.errors.retain(|(field, said)| *field != at && !said.contains(&named));
                d.last_edit = Some(e.path().to_vec());
                let typed = matches!(e, Edit::Set(..));
                d.edits.push(e);
                // Typed back to the scenario's values: nothing is left to apply, and a new seed is
                // not "while you had unapplied edits" (review 52 C5: servers 4, then 5 again).
                if d.value == *d.base {
                    d.edits.clear();
                }
                d.sent = false;
                d.refused = false;
                // A value is checked as it is committed, not only on Apply (review 45 F11): what
                // is wrong with this field shows beside it now; other fields' messages wait.
                // As Apply will check it: without the events naming nodes the draft lost, which
                // Apply leaves out (review 52: "events[4].event is refused" on typing 3 servers,
                // then Apply took it).
                let mut applied = d.value.clone();
                if nodes::lacks(&applied, &d.base).is_some() {
                    nodes::drop_foreign_events(&mut applied);
                }
                match nodes::check(&applied) {
                    Ok(_) => d.errors.clear(),
                    Err(err) if typed => {
                        let all = errors::all(&d.value, &d.base, &d.edits, d.last_edit.as_deref(), err);
                        d.errors.extend(all.into_iter().filter(|(field, _)| *field == at));
                    }
                    Err(_) => {}
                }
            }
            *redrawn.borrow_mut() += 1;
            rerender.force_update();
        })
    };
    let on_apply = {
        let (draft, rerender, dispatch, p) =
            (draft.clone(), rerender.clone(), player.dispatch.clone(), player.clone());
        let (seed_error, redrawn, refused) = (seed_error.clone(), redrawn.clone(), seed_refused_now.clone());
        Callback::from(move |e: SubmitEvent| {
            // The seed field's own message was about the seed typed before: not this Apply.
            if !*refused.borrow() {
                seed_error.set(None);
            }
            e.prevent_default();
            let mut slot = draft.borrow_mut();
            let Some(d) = slot.as_mut() else { return };
            // A protocol switch whose events could not be sorted out when it was made (the draft
            // was not valid yet): the events the new nodes cannot run go now. So do those naming
            // nodes a smaller topology lost (review 50 B2: d4 with 3 servers was refused at its
            // crash of n4, 3,500 px down the form, and then again at its restart).
            if let Some(lacks) = nodes::lacks(&d.value, &d.base) {
                if let Some(note) = nodes::dropped_note(&lacks, &nodes::drop_foreign_events(&mut d.value)) {
                    d.note = Some(note);
                }
            }
            match nodes::check(&d.value) {
                Ok(sc) => {
                    d.errors.clear();
                    d.edits.clear();
                    d.sent = true;
                    drop(slot);
                    // In a history entry of its own, as a gallery pick is: Back returns to the run
                    // before the edit, to set them side by side (review 45 F8: it replaced it).
                    // An Apply that changes nothing adds no entry for Back to step through.
                    if *p.session.borrow().scenario() != sc {
                        crate::urlsync::new_entry(&crate::urlsync::fragment(&p));
                    }
                    dispatch.emit(Action::Replace(sc));
                }
                Err(err) => {
                    d.refused = true;
                    d.errors = errors::all(&d.value, &d.base, &d.edits, d.last_edit.as_deref(), err);
                    if let Some(form) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                        show_error_after_render(form);
                    }
                }
            }
            *redrawn.borrow_mut() += 1;
            rerender.force_update();
        })
    };
    let on_reset = {
        let (draft, seed_error, redrawn) = (draft.clone(), seed_error.clone(), redrawn.clone());
        Callback::from(move |_: MouseEvent| {
            *draft.borrow_mut() = None;
            seed_error.set(None);
            *redrawn.borrow_mut() += 1;
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
        let refused = seed_refused_now.clone();
        // A refused seed: the field goes back to the kept one (see `Typed`).
        Callback::from(move |typed: String| {
            let kept = session.borrow().scenario().seed;
            match number_from(&typed).as_u64() {
                Some(seed) => {
                    seed_error.set(None);
                    replace_seed(seed);
                }
                None => {
                    seed_error.set(Some(format!(
                        "{typed:?} is not a seed: a seed is a whole number from 0 to {}. Kept {kept}.",
                        u64::MAX
                    )));
                    *refused.borrow_mut() = true;
                    let refused = refused.clone();
                    gloo::timers::callback::Timeout::new(0, move || *refused.borrow_mut() = false).forget();
                }
            }
        })
    };
    let on_new_seed = Callback::from(move |_: MouseEvent| {
        let seed = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        replace_seed(seed.max(1));
    });
    // Opened as the gallery opens one, in a history entry of its own, so Back returns here.
    let on_restore = {
        let (p, shipped) = (player.clone(), shipped.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(sc) = (*shipped).clone() {
                crate::urlsync::new_entry(&crate::urlsync::fragment(&p));
                p.dispatch.emit(Action::Load(sc));
            }
        })
    };
    // What the bar and the messages above the form need, read (the draft holds the whole
    // scenario: cloned on every frame, a thousand events cost that much each frame).
    let (dirty, errors, note, refused) = match draft.borrow().as_ref() {
        Some(d) => (!d.edits.is_empty(), d.errors.clone(), d.note.clone(), d.refused),
        None => (false, Vec::new(), None, false),
    };
    use_leave_asks(dirty);
    let stamp = *redrawn.borrow();
    let body = {
        let (draft, on_edit) = (draft.clone(), on_edit.clone());
        let more_events = {
            let asked = events_asked.clone();
            Callback::from(move |n: usize| asked.set(n))
        };
        use_memo((stamp, *events_asked), move |&(_, asked)| {
            let draft = draft.borrow();
            let Some(d) = draft.as_ref() else { return html! {} };
            let kind = d.value.pointer("/protocol/kind").and_then(Value::as_str).unwrap_or_default();
            let events_shown = form::events_to_show(asked, &d.errors, d.last_edit.as_deref());
            let more_events = &more_events;
            let backend_groups = &form::backend_groups(&d.value);
            let ctx = Ctx {
                errors: &d.errors,
                on_edit: &on_edit,
                base: &d.base,
                kind,
                events_shown,
                more_events,
                backend_groups,
            };
            html! { <>{field(&ctx, &mut Vec::new(), None, &d.value)}</> }
        })
    };
    // Errors in parts the form does not show (events, the lesson) go above it.
    let top_errors: Vec<&String> = errors.iter().filter(|(at, _)| hidden(at)).map(|(_, m)| m).collect();
    let marked = errors.len() - top_errors.len();
    let status = match (top_errors.is_empty(), marked) {
        (false, 0) => "Not applied: see the message above the form.".to_string(),
        (false, _) => "Not applied: see the message above the form and the marked fields.".to_string(),
        (true, 0) if dirty => "Edited: Apply (or Enter) to run them.".to_string(),
        (true, 0) => String::new(),
        // Marked as it was typed: nothing was refused yet.
        (true, 1) if !refused => "Edited: fix the marked field, then Apply.".to_string(),
        (true, n) if !refused => format!("Edited: fix the {n} marked fields, then Apply."),
        (true, 1) => "Not applied: see the marked field.".to_string(),
        (true, n) => format!("Not applied: {n} fields to fix, marked below."),
    };
    html! {
        <form ref={form} class="editor" aria-label="Scenario editor" onsubmit={on_apply}>
            <div class="seed-row">
                <label for="editor-seed">{"Seed"}</label>
                // Marked while its message stands, so a screen reader hears why (review 45 F9).
                <typed::Typed id="editor-seed" inputmode="numeric" value={seed.to_string()} on_commit={on_seed}
                    invalid={seed_error.as_ref().map(|_| AttrValue::from("true"))}
                    described={seed_error.as_ref().map(|_| AttrValue::from("editor-seed-err"))} />
                <button type="button" class="new-seed" onclick={on_new_seed}>{"New seed"}</button>
                // Here, not beside Apply: appearing there it wrapped the row under the pointer
                // between the press and the click that applies.
                if shipped.is_some() {
                    <button type="button" class="restore" onclick={on_restore}
                        title={format!("Open {id} as it ships (Back returns to this run)")}>
                        {"Restore preset"}
                    </button>
                }
            </div>
            if let Some(msg) = (*seed_error).clone() {
                <p class="field-error" id="editor-seed-err" role="alert">{super::markdown::message(&msg)}</p>
            }
            for msg in top_errors {
                <p class="field-error editor-summary" role="alert">{super::markdown::message(msg)}</p>
            }
            <Frozen<(u64, usize)> stamp={(stamp, *events_asked)}>{(*body).clone()}</Frozen<(u64, usize)>>
            <div class={classes!("editor-actions", dirty.then_some("dirty"))}>
                // In the sticky bar, so it is in sight wherever the field that caused it is.
                if let Some(note) = note {
                    <p class="editor-note" role="status">{note}</p>
                }
                // The status always has its place beside the buttons: text appearing there when a
                // field's `change` fires (on the press that blurs it) must not move Apply from under
                // the pointer before the click lands.
                <div class="apply-row">
                    <button type="submit" class={classes!("apply", dirty.then_some("primary"))}>{"Apply"}</button>
                    <button type="button" class="reset" onclick={on_reset}
                        title="Discard the edits not applied yet">{"Reset"}</button>
                    <span class="status" role="status">{status}</span>
                </div>
            </div>
        </form>
    }
}
