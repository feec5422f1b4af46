//! Compare: the same seed under two configurations. A is the scenario in the player; B is a second
//! session with one field changed (picked from the scenario's enum and number fields). B follows
//! A's playhead; the key figures sit side by side and the p99 latency lines are overlaid.

pub mod stats;

use super::editor::catalog::catalog;
use super::editor::catalog::interesting;
use super::editor::form::Edit;
use super::editor::json::{dotted, get, Seg};
use super::editor::{apply_edit, parse_draft};
use crate::player::{Action, Player};
use dsplay_core::session::Session;
use serde_json::Value;
use stats::{summary, Summary};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The second run: built for one scenario revision with `label` changed.
struct RunB {
    rev: u64,
    label: String,
    session: Session,
}

/// Alternatives offered for the field at `path` (enum fields: the other variants).
fn alternatives(v: &Value, path: &[Seg]) -> Vec<String> {
    match (path.split_last(), get(v, path)) {
        (Some((Seg::Key(k), parent)), Some(Value::String(cur))) => get(v, parent)
            .and_then(Value::as_object)
            .map(|o| catalog().options(o, k).into_iter().filter(|x| x != cur).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The chosen field's path, its alternatives (empty for numbers) and the chosen alternative.
fn choice(value: &Value, form: &(usize, String)) -> (Vec<Seg>, Vec<String>, String) {
    let path = interesting(value, 16).get(form.0).cloned().unwrap_or_default();
    let options = alternatives(value, &path);
    let chosen =
        if form.1.is_empty() { options.first().cloned().unwrap_or_default() } else { form.1.clone() };
    (path, options, chosen)
}

fn row(name: &str, a: String, b: String) -> Html {
    html! { <tr><th scope="row">{name.to_string()}</th><td class="a">{a}</td><td class="b">{b}</td></tr> }
}

fn table(a: &Summary, b: &Summary) -> Html {
    let lat = |s: &Summary, i: usize| s.latency.map_or("–".to_string(), |l| format!("{:.1} ms", l[i]));
    html! {
        <table class="compare-table">
            <thead><tr><th></th><th class="a">{"A"}</th><th class="b">{"B"}</th></tr></thead>
            <tbody>
                {row("p50", lat(a, 0), lat(b, 0))}{row("p95", lat(a, 1), lat(b, 1))}{row("p99", lat(a, 2), lat(b, 2))}
                {row("errors", a.errors.to_string(), b.errors.to_string())}
                {row("throughput", format!("{:.0}/s", a.throughput), format!("{:.0}/s", b.throughput))}
                {row("violations", a.violations.to_string(), b.violations.to_string())}
            </tbody>
        </table>
    }
}

#[function_component(Compare)]
pub fn compare() -> Html {
    let player = use_context::<Player>();
    // (field index, alternative text) in a ref: the Compare click must see the latest choice.
    let form = use_mut_ref(|| (0usize, String::new()));
    let rerender = use_force_update();
    let run_b: Rc<RefCell<Option<RunB>>> = use_mut_ref(|| None);
    let error = use_state(|| None::<String>);
    let canvas = use_node_ref();
    let redraw = use_state(|| 0u64);
    let frame = player.as_ref().map_or(0, |p| p.frame);
    {
        let (canvas, player, run_b) = (canvas.clone(), player.clone(), run_b.clone());
        use_effect_with((frame, *redraw), move |_| {
            let (Some(c), Some(p)) = (canvas.cast(), player) else { return };
            let a = stats::p99_series(p.session.borrow().sim());
            let b = run_b.borrow().as_ref().map(|r| stats::p99_series(r.session.sim())).unwrap_or_default();
            let dark = web_sys::window()
                .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
                .is_some_and(|m| m.matches());
            stats::draw(c, &a, &b, dark);
        });
    }
    let Some(player) = player else { return html! {} };
    let (value, a_now, a_stop, a_sum) = {
        let s = player.session.borrow();
        (serde_json::to_value(s.scenario()).unwrap_or(Value::Null), s.now(), s.stop_at(), summary(s.sim()))
    };
    let fields = interesting(&value, 16);
    let (path, options, chosen) = choice(&value, &form.borrow());
    let current = get(&value, &path).map(|v| v.to_string()).unwrap_or_default();
    // B follows A's playhead; a different scenario revision makes it stale.
    let b_sum = {
        let mut slot = run_b.borrow_mut();
        if slot.as_ref().is_some_and(|r| r.rev != player.scenario_rev) {
            *slot = None;
        }
        slot.as_mut().map(|r| {
            if r.session.now() != a_now {
                r.session.seek(a_now);
            }
            (r.label.clone(), summary(r.session.sim()))
        })
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
        let (form, rerender) = (form.clone(), rerender.clone());
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
    let on_compare = {
        let (run_b, error, redraw, value, form) =
            (run_b.clone(), error.clone(), redraw.clone(), value.clone(), form.clone());
        let rev = player.scenario_rev;
        Callback::from(move |_: MouseEvent| {
            let (path, options, chosen) = choice(&value, &form.borrow());
            let mut v = value.clone();
            let edit = if !options.is_empty() {
                Edit::Tag(path.clone(), chosen.clone())
            } else {
                Edit::Set(path.clone(), super::editor::json::number_from(&chosen))
            };
            apply_edit(&mut v, &edit);
            let built = parse_draft(&v).and_then(Session::new);
            match built {
                Ok(mut session) => {
                    session.seek(a_now);
                    let label = format!("{} = {}", dotted(&path), chosen);
                    *run_b.borrow_mut() = Some(RunB { rev, label, session });
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            redraw.set(*redraw + 1);
        })
    };
    let on_run_both = {
        let dispatch = player.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::Seek(a_stop)))
    };
    let field_options = fields.iter().enumerate().map(|(i, p)| {
        html! { <option value={i.to_string()} selected={i == form.borrow().0}>{dotted(p)}</option> }
    });
    html! {
        <section class="compare" aria-label="Compare two configurations">
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
                <button type="button" class="compare-go" onclick={on_compare}>{"Compare"}</button>
                <button type="button" class="compare-run" onclick={on_run_both}>{"Run both to the end"}</button>
            </div>
            if let Some(e) = (*error).clone() { <p class="field-error" role="alert">{e}</p> }
            if let Some((label, b)) = &b_sum {
                <p class="compare-label">{format!("B: {label}, same seed")}</p>
                {table(&a_sum, b)}
            }
            <canvas ref={canvas} class="compare-chart" width="640" height="240" aria-label="p99 latency of A and B over time" role="img" />
        </section>
    }
}
