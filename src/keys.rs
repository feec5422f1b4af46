//! Keyboard control: Space play/pause, → step, Shift+→ next message, ← back 1 %, +/− speed,
//! Home restart (not in an embed), X, P and T on a node, / the scenario search, F present, ? the shortcut sheet; on a
//! tour, Enter or → continue, ← back, Esc leave. Keys typed into form fields are left alone.

use crate::player::{faster, slower, Action, Player, TourMove};
use dsplay_core::scenario::ScenarioEvent;
use dsplay_core::view::Status;
use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The shortcut sheet's rows: (keys, what they do).
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space or K", "play / pause; on a button or node you moved to with Tab or the arrows, Space presses it and K still plays"),
    ("→", "step one event"),
    ("Shift + →", "step to the next delivered message"),
    ("←", "travel back 1 % of the run"),
    ("← / → on the timeline", "move the playhead 1 % of the run (with Shift, or Page Up / Down: 10 %)"),
    ("+ / −", "faster / slower"),
    ("Home", "restart from time zero (in an embed, Home scrolls the course page, as End does)"),
    ("X", "crash the focused or selected node, or restart it if it is down"),
    ("P", "pause the focused or selected node, or resume it"),
    ("T", "time out the focused or selected node: its election timer runs out now (Raft)"),
    ("C", "hand the focused or selected node a client request (none picked: the leader, where there is one): its first kind of operation, a write of the next number or a read"),
    ("/", "search the scenarios"),
    ("← → ↑ ↓ on a node reached by Tab", "the next or previous node (Home / End: the first or last); the stage is one Tab stop; Tab goes on to the stage's tools and legend, then the inspector"),
    ("↑ / ↓ in the gallery", "the scenario above or below (Home / End: the first or last); Tab leaves the list"),
    ("F", "present: the stage across the window, drawn larger, for a projector (F again to leave)"),
    ("Enter or → on a tour", "continue to the tour's next step (← back a step, Esc leave the tour)"),
    ("← → ↑ ↓ on the space-time diagram", "pick an event: along its lane, or the nearest on the lane above or below; Home / End: the lane's first or last. Enter keeps it as a and picks b, the event before it on its lane, and the arrows then move b; Enter again makes b the new a; Esc clears"),
    ("Ctrl + Z (⌘ Z)", "undo what the notice offers to undo: the later actions a change in the past dropped, or an event taken out"),
    ("?", "show or hide this sheet"),
    ("Esc", "stop a long seek where it got to; close dialogs, clear the selection, leave Present"),
];

/// Keys going into a form field. A slider (the speed, the scrubber, a link's latency) only takes
/// the keys that move it: Space, + and − after dragging one still play and change speed.
fn typing(e: &KeyboardEvent) -> bool {
    let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return false };
    if el.tag_name() == "INPUT" && el.get_attribute("type").as_deref() == Some("range") {
        return e.key().starts_with("Arrow")
            || matches!(e.key().as_str(), "Home" | "End" | "PageUp" | "PageDown");
    }
    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable")
}

/// Keys the focused control answers itself: Enter, and Space when the focus came from the keyboard
/// (a mouse click also focuses a button or a node, but Space should then play, as it does
/// everywhere else); arrows, Home and End move between tabs.
fn claimed_by_focus(e: &KeyboardEvent) -> bool {
    let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return false };
    let role = el.get_attribute("role").unwrap_or_default();
    let presses = matches!(el.tag_name().as_str(), "BUTTON" | "A" | "SUMMARY")
        || matches!(role.as_str(), "button" | "tab" | "link" | "checkbox" | "switch" | "option");
    // The space-time diagram picks events with these (`spacetime::cursor`).
    if el.matches(".spacetime-canvas").unwrap_or(false) {
        return matches!(
            e.key().as_str(),
            "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" | "Home" | "End" | "Enter" | " "
        );
    }
    match e.key().as_str() {
        "Enter" => presses,
        // Not the gallery's open scenario: after picking one with the keyboard the focus stays
        // on it, and Space there opened it again from 0, throwing away what was done by hand
        // (review 15). It plays, as a lecturer expects.
        " " => presses && space_presses(&el) && !el.has_attribute("aria-current"),
        "ArrowLeft" | "ArrowRight" | "Home" | "End" if role == "tab" => true,
        // The History figure's bars move the focus with them (`history::svg::keys`).
        "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" | "Home" | "End"
            if el.matches(".history-svg .op").unwrap_or(false) =>
        {
            true
        }
        // The stage's nodes and the legend's kinds, reached by Tab, move the focus with them
        // (`topology::svg::arrows`, `legend_arrows`).
        "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" | "Home" | "End"
            if el
                .matches(".topo-svg [data-node][role=button], .topo-legend li > button")
                .unwrap_or(false)
                && focused_by_keyboard() =>
        {
            true
        }
        // The gallery's list moves its focus with them (`gallery::arrows`).
        "ArrowUp" | "ArrowDown" | "Home" | "End" => el.matches("button.preset").unwrap_or(false),
        _ => false,
    }
}

thread_local! {
    /// Whether the last move of the focus came from a pointer (a click or tap) rather than Tab.
    static POINTER_FOCUS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Whether the next Space key-up is the page's play key's, not a press of the focused button.
    static SWALLOW_SPACE_UP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Did the keyboard (not a click) put the focus where it is? Space presses such a control; after
/// a click it plays instead. (`:focus-visible` cannot tell: a key press makes it match.)
pub fn focused_by_keyboard() -> bool {
    !POINTER_FOCUS.with(|f| f.get())
}

/// Whether Space presses the focused `el` rather than play: only where the user put the focus
/// with the keyboard, not where a click or an action's rescue put it (see [`crate::focus::rescue`]).
pub fn space_presses(el: &web_sys::Element) -> bool {
    focused_by_keyboard() && !crate::focus::moved_here(el)
}

/// What a key does, if anything.
pub fn action_for(key: &str, shift: bool, p: &Player) -> Option<Action> {
    // On a tour its card is up: the keys a reader of a slideshow would try move through it.
    let tour = |m| Some(Action::Tour(m));
    match key {
        "Enter" | "ArrowRight" if p.tour && !shift => return tour(TourMove::Continue),
        "ArrowLeft" if p.tour => return tour(TourMove::Back),
        "Escape" if p.tour && p.travel.is_none() => return tour(TourMove::Exit),
        _ => {}
    }
    Some(match key {
        " " | "k" => Action::Toggle,
        "ArrowRight" if shift => Action::StepMessage,
        "ArrowRight" => Action::StepEvent,
        "ArrowLeft" => Action::Back,
        "+" | "=" => Action::Speed(faster(p.speed)),
        "-" | "_" => Action::Speed(slower(p.speed)),
        "Home" => Action::Restart,
        "Escape" if p.travel.is_some() => Action::StopTravel,
        // Out of Present, as out of any full-window mode, once nothing is left to clear.
        "Escape" if p.presenting && p.selected.is_none() => Action::Present(false),
        "Escape" => Action::Select(None),
        _ => return None,
    })
}

/// X, P, T and C on a node: crash or restart it, pause or resume it, fire its election timer, hand
/// it a client request (with no node picked, the leader). The node is the one focused on the
/// stage, else the one selected (review 15: from the keyboard, Crash was Enter and 17 Tabs away,
/// past the other nodes, the tools and the legend).
fn node_action(key: &str, target: Option<web_sys::Element>, p: &Player) -> Option<Action> {
    let focused = target
        .and_then(|el| el.closest("[data-node]").ok().flatten())
        .and_then(|el| el.get_attribute("data-node"));
    // The session's view, not the one last drawn: a second X before the next render restarts.
    let view = p.session.borrow().sim().view();
    let n = match (focused, p.selected) {
        (Some(name), _) => view.nodes.iter().find(|n| n.name == name)?,
        (None, Some(id)) => view.nodes.get(id.index())?,
        // C with no node picked goes to the leader, as RaftScope's C does.
        (None, None) if key == "c" => match view.nodes.iter().find(|n| n.view.role == "leader") {
            Some(n) => n,
            // Only where there are elections is "wait for one" advice (review 46 C7: quorum
            // replicas were told to wait for an election).
            None if view.nodes.iter().any(|n| matches!(n.view.role.as_str(), "follower" | "candidate")) => {
                let why = "C sends a request to the leader, and there is none now: click a node first, or wait for an election";
                return Some(Action::Notice(Some(why.into())));
            }
            None => {
                let why = format!(
                    "C hands a request to the node you pick: click or Tab to {} first",
                    takers(p, &view)
                );
                return Some(Action::Notice(Some(why)));
            }
        },
        // Said, not ignored (review 49 C8: X with nothing picked did nothing without a word).
        (None, None) => return Some(Action::Notice(Some(unpicked(key, p)))),
    };
    let node = n.name.clone();
    if key == "c" {
        let id = dsplay_core::NodeId(view.nodes.iter().position(|m| m.name == node)? as u32);
        let ops = p.session.borrow().sim().requests(id);
        let Some(request) = hand_request(ops, p.session.borrow().scenario()) else {
            // Named, not "a server or a client": quorum's replicas are servers that take none.
            return Some(Action::Notice(Some(format!(
                "{node} takes no requests by hand: press C on {}",
                takers(p, &view)
            ))));
        };
        return Some(Action::Act(ScenarioEvent::Client { node, request }));
    }
    let ev = match (key, n.status) {
        ("x", Status::Down) => ScenarioEvent::Restart { node },
        ("x", _) => ScenarioEvent::Crash { node },
        ("p", Status::Up) => ScenarioEvent::Pause { node },
        ("p", Status::Paused) => ScenarioEvent::Resume { node },
        ("p", Status::Down) => {
            return Some(Action::Notice(Some(format!(
                "{node} is down, so it cannot be paused: press X to restart it"
            ))))
        }
        // Refused with a message where it cannot (a leader, another protocol), not ignored.
        ("t", _) => ScenarioEvent::Timeout { node },
        _ => return None,
    };
    Some(Action::Act(ev))
}

/// What X, P or T with no node focused or selected says: what the key does, and how to pick one.
/// T, where no node keeps an election timer, says so rather than send the user to pick one.
fn unpicked(key: &str, p: &Player) -> String {
    let s = p.session.borrow();
    let sim = s.sim();
    let count = sim.node_names().len();
    let timed = (0..count).any(|i| sim.keeps_election_timer(dsplay_core::NodeId(i as u32)));
    let does = match key {
        "x" => "X crashes the node you pick, or restarts it if it is down",
        "p" => "P pauses the node you pick, or resumes it",
        _ if !timed => return "T fires a node's election timer, and no node here keeps one".into(),
        _ => "T fires the election timer of the node you pick",
    };
    format!("{does}: click a node or Tab to one first")
}

/// The nodes C may hand a request to, in words: "c1, c2, c3 or c4" (the first few and how many
/// more), or "none of this scenario's nodes".
fn takers(p: &Player, view: &dsplay_core::view::WorldView) -> String {
    let s = p.session.borrow();
    let names: Vec<&str> = (0..view.nodes.len())
        .filter(|&i| !s.sim().requests(dsplay_core::NodeId(i as u32)).is_empty())
        .map(|i| view.nodes[i].name.as_str())
        .collect();
    match names.as_slice() {
        [] => "none of this scenario's nodes".into(),
        [one] => one.to_string(),
        [first @ .., last] if first.len() < 4 => format!("{} or {last}", first.join(", ")),
        many => format!("{} or one of {} more", many[..3].join(", "), many.len() - 3),
    }
}

/// The request C hands in: the node's first operation; a write puts the next whole number (one
/// more than the requests already handed in by hand) under key `k1`, so each press is told apart
/// in the logs; a read reads `k1`.
fn hand_request(ops: &[&str], sc: &dsplay_core::Scenario) -> Option<dsplay_core::node::ClientRequest> {
    let op = *ops.first()?;
    let handed = sc.events.iter().filter(|e| e.by_hand && matches!(e.event, ScenarioEvent::Client { .. }));
    let next = handed.count() as i64 + 1;
    let (key, value) = match op {
        "write" => (Some("k1".to_string()), Some(next)),
        "read" => (Some("k1".to_string()), None),
        _ => (None, None),
    };
    Some(dsplay_core::node::ClientRequest { op: op.to_string(), key, value })
}

/// Whether the page has an element matching `selector`.
fn page_has(selector: &str) -> bool {
    let doc = web_sys::window().and_then(|w| w.document());
    doc.and_then(|d| d.query_selector(selector).ok().flatten()).is_some()
}

/// Whether the full app's node bar is on the page (it is kept in the DOM, hidden, in two columns).
fn node_bar_shown() -> bool {
    let doc = web_sys::window().and_then(|w| w.document());
    let bar = doc.and_then(|d| d.query_selector(".stage-view .node-bar").ok().flatten());
    bar.and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok()).is_some_and(|b| b.offset_parent().is_some())
}

/// Listen on the document while mounted. `help` toggles the shortcut sheet.
#[hook]
pub fn use_shortcuts(player: Player, help: UseStateHandle<bool>) {
    // Added once, the listener reads the newest player and sheet: one added again for each new
    // player was replaced only after the render's effects, and a key pressed before that (P on
    // a node just selected) acted on the player before.
    let latest = use_mut_ref(|| (player.clone(), help.clone()));
    *latest.borrow_mut() = (player, help);
    use_effect_with((), move |_| {
        let doc = web_sys::window().and_then(|w| w.document());
        let listener = doc.map(|d| {
            // Not passive (gloo's default): the keys we handle must not also scroll the page.
            let opts = EventListenerOptions::enable_prevent_default();
            let pointer = EventListener::new_with_options(
                &d,
                "pointerdown",
                EventListenerOptions::run_in_capture_phase(),
                |_| {
                    POINTER_FOCUS.with(|f| f.set(true));
                    crate::focus::forget_moved();
                },
            );
            let keys = EventListener::new_with_options(&d, "keydown", opts, move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else { return };
                let (p, help) = latest.borrow().clone();
                if e.key() == "Tab" {
                    POINTER_FOCUS.with(|f| f.set(false));
                    crate::focus::forget_moved();
                }
                // Ctrl+Z (⌘Z) is the notice's Undo, wherever the focus is but in a text field (whose
                // own undo it is): after a fork from the stage, Undo was 75 Tabs away (review 51 C6).
                let undo_key = (e.ctrl_key() || e.meta_key()) && !e.shift_key() && !e.alt_key();
                if undo_key && e.key().eq_ignore_ascii_case("z") && !typing(e) && p.ui.undo.is_some() {
                    e.prevent_default();
                    p.dispatch.emit(Action::Undo);
                    return;
                }
                if typing(e) || claimed_by_focus(e) || e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                if crate::single_keys::is_character(&e.key()) && !crate::single_keys::on() {
                    return;
                }
                if e.key() == "/" {
                    // To another scenario without Tabbing back through the page (review 15: 54
                    // Shift+Tabs from the stage at 1280×720). Presenting, the search is folded
                    // away with the gallery: out of Present first (review 35 C3: / did nothing).
                    e.prevent_default();
                    if p.presenting {
                        p.dispatch.emit(Action::Present(false));
                    }
                    crate::focus::move_to(vec![".gallery-search".into()]);
                    return;
                }
                if e.key() == "?" {
                    help.set(!*help);
                    e.prevent_default();
                    return;
                }
                if e.key() == "Escape" {
                    help.set(false);
                }
                // Letters whatever the case (Caps Lock, or Shift as the sheet writes them).
                let letter = e.key().to_ascii_lowercase();
                if letter == "f" && page_has(".top .present") {
                    // Only where the header offers it: an embed has no way out shown.
                    e.prevent_default();
                    p.dispatch.emit(Action::Present(!p.presenting));
                    return;
                }
                let target = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
                if let Some(a) =
                    matches!(letter.as_str(), "x" | "p" | "t" | "c").then(|| node_action(&letter, target, &p))
                {
                    e.prevent_default();
                    if let Some(a) = a {
                        p.dispatch.emit(a);
                    }
                    return;
                }
                // In a course page's frame, Home and End go on to the page as End always did
                // (review 23 C3: Home sent the run back to 0 while End scrolled the lecture).
                // The timeline's slider still takes both.
                if e.key() == "Home" && page_has(".app.embed") {
                    return;
                }
                if let Some(a) = action_for(&e.key(), e.shift_key(), &p) {
                    e.prevent_default();
                    if e.key() == " " {
                        // A button pressed by Space fires on key *up*: a mouse-focused button
                        // would be pressed as well as play toggled. Its focus goes. One an action
                        // moved the focus to keeps it, and its key-up is swallowed: blurred, the
                        // focus went on to the inspector's Crash, and the next Enter crashed the
                        // node (review 52: after Isolate, Space, Enter).
                        let el = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
                        if let Some(el) = el.filter(|el| el.tag_name() == "BUTTON") {
                            match crate::focus::moved_here(&el) {
                                true => SWALLOW_SPACE_UP.with(|s| s.set(true)),
                                false => drop(el.blur()),
                            }
                        }
                    }
                    // Esc closes the inspector: focus inside it goes back to its node.
                    let closing = matches!(a, Action::Select(None)).then_some(p.selected).flatten();
                    p.dispatch.emit(a);
                    if let Some(n) = closing.and_then(|id| p.view.nodes.get(id.index())) {
                        crate::focus::rescue(vec![crate::components::inspector::node_focus(&n.name)]);
                    } else {
                        // A move in time can disable the focused control (← to before a crash
                        // disables Restart): the focus goes to the inspector's first open
                        // action, not to the top of the page (review 15). Where the node bar
                        // stands in for the inspector (Present, a phone), to the bar's: the
                        // inspector is out of sight there, and focusing it scrolled the stage
                        // off the projector at the Space after a Crash (review 36 B1).
                        let bar = ".stage-view .node-bar button";
                        let mut to = vec![".inspector .actions button".to_string(), "#play".to_string()];
                        if node_bar_shown() {
                            to.insert(0, bar.to_string());
                        }
                        crate::focus::rescue(to);
                    }
                }
            });
            let up = EventListener::new_with_options(
                &d,
                "keyup",
                EventListenerOptions { phase: gloo::events::EventListenerPhase::Capture, passive: false },
                |e| {
                    let space = e.dyn_ref::<KeyboardEvent>().is_some_and(|k| k.key() == " ");
                    if space && SWALLOW_SPACE_UP.with(|s| s.replace(false)) {
                        e.prevent_default();
                    }
                },
            );
            (pointer, keys, up)
        });
        move || drop(listener)
    });
}
