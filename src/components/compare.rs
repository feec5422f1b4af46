//! Compare: the same seed under two configurations. A is the scenario in the player; B is a second
//! session with one field or a few changed (picked in `form`), or, for an edited preset, the
//! preset as it ships. B follows A's playhead; the key
//! figures sit side by side (`stats`) and A's charts are drawn with B's overlaid (`overlay`).

pub mod export_b;
pub mod fields;
pub mod form;
pub mod names;
pub mod overlay;
pub mod stages;
pub mod stats;
pub mod table;

use super::editor::form::Edit;
use super::editor::json::{anchor, dotted, get};
use super::editor::nodes::fit_new_section;
use super::editor::{apply_edit, parse_draft};
use super::invariants::secs;
use crate::player::{Action, Player};
use dsplay_core::scenario::{Playhead, Timed};
use dsplay_core::session::Session;
use dsplay_core::{ScenarioError, SimTime};
use export_b::ExportB;
use form::CompareForm;
use overlay::Overlays;
use serde_json::Value;
use stages::Stages;
use stats::{linearizable, named_rows, summary};
use std::cell::RefCell;
use std::rc::Rc;
use table::table;
use yew::prelude::*;

/// What B changes, said two ways.
#[derive(Clone, Debug, PartialEq)]
pub struct BLabel {
    /// In the scenario's names: "api › get → db: retry.max_retries = 0" (see `names`).
    pub words: String,
    /// By the exact paths: "protocol.services[0].endpoints[0].calls[0].retry.max_retries = 0".
    pub paths: String,
}

/// The second run: built for one scenario revision with `label` changed.
pub struct RunB {
    rev: u64,
    label: BLabel,
    /// B scripts other events than A (the preset as it ships, beside an edit of it): the
    /// charts shade A's faults, not B's. Fields changed by the form never touch the events.
    other_events: bool,
    /// Shared with B's stage (see `stages`).
    pub session: Rc<RefCell<Session>>,
}

impl RunB {
    /// What B changes: "protocol.r = 2, protocol.w = 2", in the scenario's names.
    pub fn label(&self) -> &str {
        &self.label.words
    }

    /// What B changes, by the exact paths (a title beside the words).
    pub fn paths(&self) -> &str {
        &self.label.paths
    }
}

/// The second run, if any, shared with the charts (compared by pointer).
#[derive(Clone)]
pub struct SharedB(pub Rc<RefCell<Option<RunB>>>);

impl PartialEq for SharedB {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.0, &o.0)
    }
}

/// B's error at the field B changes (serde reports one inside a tagged enum at the enum: of
/// several changes, the one inside the field it names). When the change breaks one of the
/// scenario's events (fewer backends, and the crash names one that is gone), the event is
/// described: Compare does not show the event list.
fn said(v: &Value, edits: &[Edit], e: &ScenarioError) -> Said {
    let field = e.field().unwrap_or("");
    let inside = |edit: &Edit| dotted(edit.path()).starts_with(field);
    let Some(row) = edits.iter().rposition(inside).or(edits.len().checked_sub(1)) else {
        return (None, format!("B could not run: {}", e.message()));
    };
    let path = edits[row].path();
    let at = anchor(v, field, Some(path));
    let e = e.at_in(v, &at);
    let text = match broken_event(v, &at) {
        Some(event) => format!(
            "B could not run: with `{}` changed, the scenario's event \"{event}\" fails: {}",
            dotted(path),
            e.message()
        ),
        None => format!("B could not run: `{at}`: {}", e.message()),
    };
    (Some(row), text)
}

/// Why B did not run, and the change (the form's row) it is about, if one.
pub type Said = (Option<usize>, String);

/// "crash b2 at 20.000 s" for an error at `events[3]…`.
fn broken_event(v: &Value, at: &str) -> Option<String> {
    let index: usize = at.strip_prefix("events[")?.split(']').next()?.parse().ok()?;
    let event: Timed = serde_json::from_value(v.get("events")?.get(index)?.clone()).ok()?;
    Some(crate::player::said(&event))
}

#[function_component(Compare)]
pub fn compare() -> Html {
    use_context::<Player>().map_or_else(Html::default, |player| html! { <CompareOf {player} /> })
}

#[function_component(CompareOf)]
fn compare_of(props: &super::OfPlayer) -> Html {
    let player = props.player.clone();
    let run_b = SharedB(use_mut_ref(|| None));
    let error = use_state(|| None::<Said>);
    let built = use_state(|| 0u64);
    let shown = super::tabs::use_panel_shown();
    // A's scenario as JSON, once per revision (Compare renders on every frame of playback).
    let value: Rc<Value> = {
        let session = player.session.clone();
        use_memo(player.scenario_rev, move |_| super::editor::json::of_scenario(session.borrow().scenario()))
    };
    let (a_now, a_stop, a_sum, named) = {
        let s = player.session.borrow();
        // Only with a B to compare: the table is not shown before (and this renders per frame).
        let named = match run_b.0.borrow().is_some() {
            true => named_rows(&s.scenario().meta.lesson, s.sim()),
            false => Vec::new(),
        };
        (s.now(), s.stop_at(), summary(s.sim(), &named), named)
    };
    // B follows A's playhead; a different scenario revision makes it stale. Like the player, B
    // travels a slice of wall-clock time per render, so building it far into a busy run does not
    // freeze the page; until it is there it says how far it has got, and asks for another render.
    let force = use_force_update();
    let (b_sum, behind, b_now, b_seed) = {
        let mut slot = run_b.0.borrow_mut();
        if slot.as_ref().is_some_and(|r| r.rev != player.scenario_rev) {
            *slot = None;
        }
        let mut behind = None;
        let sum = slot.as_mut().map(|r| {
            let mut s = r.session.borrow_mut();
            // Hidden, B waits; it catches up when its panel is shown again.
            if shown && s.now() != a_now && !crate::travel::slice(&mut s, Playhead::at(a_now)) {
                behind = Some(s.now());
            }
            (r.label.clone(), summary(s.sim(), &named))
        });
        let b_seed = slot.as_ref().map(|r| (r.session.borrow().scenario().seed, r.other_events));
        (sum, behind, slot.as_ref().map_or(0, |r| r.session.borrow().now().as_us()), b_seed)
    };
    let a_seed = player.session.borrow().scenario().seed;
    let seeds = match b_seed {
        Some((b, _)) if b != a_seed => format!("seed {b} (A's is {a_seed})"),
        _ => "same seed".to_string(),
    };
    // The charts shade A's faults: said when B's are others (review 31 N2: B's own crash was not
    // shown, and A's read as both runs').
    let shading = match b_seed {
        Some((_, true)) => " Shaded: A's faults; B's are its own (see its stage).",
        _ => "",
    };
    // A's preset as it ships, when A is an edit of one: an author puts the original beside their
    // version as B in one click (review 30 B5: B is built from A one field at a time, and the
    // preset's events and seed are not among the fields).
    let shipped: Rc<Option<dsplay_core::Scenario>> = {
        let session = player.session.clone();
        use_memo(player.scenario_rev, move |_| {
            let s = session.borrow();
            dsplay_core::presets::get(&s.scenario().meta.id).ok().filter(|p| p != s.scenario())
        })
    };
    let on_shipped = {
        let (run_b, error, built, shipped) = (run_b.clone(), error.clone(), built.clone(), shipped.clone());
        let (rev, a) = (player.scenario_rev, player.session.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(sc) = (*shipped).clone() else { return };
            let other_events = sc.events != a.borrow().scenario().events;
            let paths = format!("the preset {} as it ships", sc.meta.id);
            let label = BLabel { words: "the preset as it ships".into(), paths };
            match Session::new(sc) {
                Ok(session) => {
                    let session = Rc::new(RefCell::new(session));
                    *run_b.0.borrow_mut() = Some(RunB { rev, label, session, other_events });
                    error.set(None);
                }
                Err(e) => error.set(Some((None, e.to_string()))),
            }
            built.set(*built + 1);
        })
    };
    // Two runs that measure the same (review 24 C1: smooth weighted round robin over equal weights
    // picks as round robin does, and the overlaid lines that coincide looked like Compare failing).
    let same =
        b_sum.as_ref().is_some_and(|(_, b)| a_now.as_us() > 0 && b_now == a_now.as_us() && *b == a_sum);
    // Linearizability of A and B, once per pause (not per frame): B has caught up, nothing plays.
    let settled = !player.playing && behind.is_none();
    let linearizable = {
        let (session, b) = (player.session.clone(), run_b.clone());
        use_memo((a_now, b_now, *built, player.scenario_rev, settled), move |&(.., settled)| {
            if session.borrow().sim().history().is_empty() {
                return None;
            }
            if !settled {
                let wait = || "checked when paused".to_string();
                return Some((wait(), wait()));
            }
            let a = linearizable(session.borrow().sim())?;
            let b = b.0.borrow().as_ref().and_then(|r| linearizable(r.session.borrow().sim()));
            Some((a, b.unwrap_or_else(|| "no history".into())))
        })
    };
    use_effect(move || {
        let again = behind.map(|_| gloo::timers::callback::Timeout::new(0, move || force.force_update()));
        move || drop(again)
    });
    let on_compare = {
        let (run_b, error, built, value) = (run_b.clone(), error.clone(), built.clone(), value.clone());
        let rev = player.scenario_rev;
        // Compared before anything has run, there is nothing to compare "so far": both runs go
        // to the end, as "Run both to the end" does (review 34 C3: a table of zeros and "no value
        // yet", where the lesson promised numbers).
        let from_the_start = (a_now == SimTime::ZERO && !player.playing).then(|| player.dispatch.clone());
        Callback::from(move |(edits, label): (Vec<Edit>, BLabel)| {
            for (row, edit) in edits.iter().enumerate() {
                if let Edit::Set(path, Value::String(typed)) = edit {
                    if typed.trim().is_empty() {
                        let text = format!("Enter a value for B: the `{}` that run B uses.", dotted(path));
                        error.set(Some((Some(row), text)));
                        return;
                    }
                }
            }
            let paths: Vec<String> = edits.iter().map(|e| dotted(e.path())).collect();
            if let Some((row, twice)) =
                paths.iter().enumerate().find_map(|(i, p)| paths[..i].contains(p).then_some((i, p)))
            {
                error.set(Some((Some(row), format!("B changes `{twice}` twice: remove one of the two."))));
                return;
            }
            let mut v = (*value).clone();
            for (row, edit) in edits.iter().enumerate() {
                apply_edit(&mut v, edit);
                // A section B adds names only nodes B has (as the Editor's "+ section" does).
                if let Edit::Add(path, _) = edit {
                    fit_new_section(&mut v, path, &[]);
                }
                // A change before it (another protocol, another arrival) may have taken its field
                // away: B would run without it while its label said otherwise.
                if let Edit::Set(path, _) = edit {
                    if get(&v, path).is_none() {
                        let lost = dotted(path);
                        let text = format!("B has no `{lost}` once the changes before it are made: remove it, or change it first.");
                        error.set(Some((Some(row), text)));
                        return;
                    }
                }
            }
            match parse_draft(&v).and_then(Session::new) {
                Ok(session) => {
                    let session = Rc::new(RefCell::new(session));
                    *run_b.0.borrow_mut() = Some(RunB { rev, label, session, other_events: false });
                    error.set(None);
                    if let Some(d) = &from_the_start {
                        d.emit(Action::Seek(a_stop));
                    }
                }
                Err(e) => error.set(Some(said(&v, &edits, &e))),
            }
            built.set(*built + 1);
        })
    };
    let on_run = {
        let dispatch = player.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::Seek(a_stop)))
    };
    // Said once B is there (review 22: the table and charts came in silence); always in the page,
    // so a screen reader hears its first words.
    let done = match (&b_sum, behind) {
        (Some((label, _)), None) => {
            format!("Compared: B is {}; the table and the charts below show A and B.", label.words)
        }
        _ => String::new(),
    };
    html! {
        <section class="compare" aria-label="Compare two configurations">
            <p class="sr-only" role="status">{done}</p>
            <CompareForm {value} {on_compare} {on_run} has_b={run_b.0.borrow().is_some()} error={(*error).clone()} />
            if shipped.is_some() {
                <p class="compare-shipped"><button onclick={on_shipped}
                    title="Run B as the preset ships (its own seed, knobs and events), beside your edited run as A">
                    {"B: the preset as it ships"}</button></p>
            }
            if let Some((label, b)) = &b_sum {
                <p class="compare-label" title={label.paths.clone()}>{format!("B: {}, {seeds}. Charts: A solid, B dashed.{shading}", label.words)}
                    if let Some(at) = behind {
                        // Not a live region: its figures, new every frame, were heard eight times
                        // in half a second (review 46 C10). "Compared: …" is said when B is there.
                        <span class="catching-up">{format!(" B is catching up: {} of {}.", secs(at), secs(a_now))}</span>
                    }
                </p>
                if same {
                    <p class="compare-same" role="status">{format!(
                        "So far every figure of B's is A's, and their lines lie on each other: {} makes no measured difference here up to {}.",
                        label.words, secs(a_now))}</p>
                }
                {table(&a_sum, b, (a_now, a_stop), (*linearizable).clone())}
                <ExportB b={run_b.clone()} built={*built} />
                // Not while B catches up: two stages a frame would slow its catching up.
                if behind.is_none() { <Stages b={run_b.clone()} built={*built} {b_now} /> }
                <Overlays b={run_b.clone()} built={*built} {b_now} />
            } else {
                <p class="compare-label">{"Pick a field and B's value for it, then Compare: both runs' charts are drawn together."}</p>
            }
        </section>
    }
}
