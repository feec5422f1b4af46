//! Invariants panel: ✓/✗ per invariant the protocol checks (✗ once a violation of that rule
//! happened, up to the playhead), rules reported by nodes that are not in that list, the
//! linearizability verdict of a key-value history (`lincheck`), and every violation with a
//! "jump to" button that pauses and moves the playhead there. The list keeps every violation seen
//! in this future, those after the playhead dimmed, so jumping back to one leaves the next ones
//! there to step on to.

use super::lincheck::Lincheck;
use crate::player::{Action, Player};
use dsplay_core::{NodeId, SimTime, Violation};
use yew::prelude::*;

/// Most violations listed (the count says how many more there are).
const MAX_LISTED: usize = 200;

/// A time as the rest of the app writes it: "5.373 s".
pub fn secs(t: SimTime) -> String {
    format!("{:.3} s", t.as_us() as f64 / 1e6)
}

/// The violations to list: `seen` (the longest list seen for this scenario revision, `rev`) or
/// `now` (those up to the playhead), whichever is longer. One scenario gives the same violations
/// up to any time, so the shorter is a prefix of the longer; another revision starts afresh.
pub fn remembered(seen: &mut (u64, Vec<Violation>), rev: u64, now: &[Violation]) -> Vec<Violation> {
    if seen.0 != rev || now.len() > seen.1.len() {
        *seen = (rev, now.iter().take(MAX_LISTED).cloned().collect());
    }
    seen.1.clone()
}

/// `(rule, holds, declared)` for every declared invariant, then every other rule that was violated.
pub fn verdicts(invariants: &[&str], violations: &[Violation]) -> Vec<(String, bool, bool)> {
    let mut out: Vec<(String, bool, bool)> =
        invariants.iter().map(|r| (r.to_string(), !violations.iter().any(|v| v.rule == *r), true)).collect();
    for v in violations {
        if !out.iter().any(|(r, ..)| *r == v.rule) {
            out.push((v.rule.clone(), false, false));
        }
    }
    out
}

#[function_component(Invariants)]
pub fn invariants() -> Html {
    let seen = use_mut_ref(|| (0u64, Vec::<Violation>::new()));
    let Some(player) = use_context::<Player>() else { return html! {} };
    let (rules, shown, so_far, now, names) = {
        let s = player.session.borrow();
        let sim = s.sim();
        let shown = remembered(&mut seen.borrow_mut(), player.scenario_rev, sim.violations());
        let names = sim.node_names().to_vec();
        (verdicts(sim.invariants(), sim.violations()), shown, sim.violations().len(), s.now(), names)
    };
    // Those up to the playhead, and those seen further on in this future.
    let total = so_far.max(shown.len());
    let heading = if total > so_far {
        format!("Violations ({so_far} up to the playhead, {total} seen in this run)")
    } else {
        format!("Violations ({total})")
    };
    // A violation a node reported selects that node too, so the inspector shows the state that
    // broke the rule (a check across all nodes has no one node to show).
    let jump = |at: SimTime, node: Option<NodeId>| {
        let dispatch = player.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            dispatch.emit(Action::Pause);
            dispatch.emit(Action::Seek(at));
            if node.is_some() {
                dispatch.emit(Action::Select(node));
            }
        })
    };
    let jump_label = |v: &Violation| {
        let name = v.node.and_then(|n| names.get(n.index()));
        let select = name.map(|n| format!(" and select {n}")).unwrap_or_default();
        format!("Jump to {} at {}{select}", v.rule, secs(v.at))
    };
    html! {
        <section class="invariants" aria-label="Invariants">
            <h2>{"Invariants"}</h2>
            if rules.is_empty() {
                <p class="muted">{"This protocol declares no invariants of its own."}</p>
            }
            <ul class="verdicts">
                { for rules.iter().map(|(rule, holds, declared)| html! {
                    <li class={classes!("verdict", if *holds { "ok" } else { "bad" })} data-rule={rule.clone()}>
                        <span class="mark" aria-hidden="true">{ if *holds { "✓" } else { "✗" } }</span>
                        <span class="rule">{rule.clone()}</span>
                        if !*declared { <span class="reported">{" (reported by a node)"}</span> }
                        <span class="sr-only">{ if *holds { " holds" } else { " violated" } }</span>
                    </li>
                }) }
            </ul>
            <Lincheck />
            if total > 0 {
                <h3>{heading}</h3>
                <ol class="violations">
                    { for shown.iter().map(|v| html! {
                        <li class={classes!("violation", (v.at > now).then_some("ahead"))} data-at-us={v.at.as_us().to_string()}>
                            <time>{secs(v.at)}</time>
                            <span class="rule">{v.rule.clone()}</span>
                            <span class="detail">{v.detail.clone()}</span>
                            <button class="jump" onclick={jump(v.at, v.node)} aria-label={jump_label(v)}>{"jump to"}</button>
                        </li>
                    }) }
                </ol>
                if total > shown.len() {
                    <p class="muted">{format!("… and {} more", total - shown.len())}</p>
                }
            }
        </section>
    }
}
