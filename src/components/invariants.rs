//! Invariants panel: ✓/✗ per invariant the protocol checks (✗ once a violation of that rule
//! happened, up to the playhead), rules reported by nodes that are not in that list, the
//! linearizability verdict of a key-value history (`lincheck`), and every violation with a
//! "jump to" button that pauses and moves the playhead there.

use super::lincheck::Lincheck;
use crate::player::{Action, Player};
use dsplay_core::{SimTime, Violation};
use yew::prelude::*;

/// Most violations listed (the count says how many more there are).
const MAX_LISTED: usize = 200;

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
    let Some(player) = use_context::<Player>() else { return html! {} };
    let (rules, violations) = {
        let s = player.session.borrow();
        let sim = s.sim();
        let shown: Vec<Violation> = sim.violations().iter().take(MAX_LISTED).cloned().collect();
        (verdicts(sim.invariants(), sim.violations()), (shown, sim.violations().len()))
    };
    let (shown, total) = violations;
    let jump = |at: SimTime| {
        let dispatch = player.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            dispatch.emit(Action::Pause);
            dispatch.emit(Action::Seek(at));
        })
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
                <h3>{format!("Violations ({total})")}</h3>
                <ol class="violations">
                    { for shown.iter().map(|v| html! {
                        <li class="violation" data-at-us={v.at.as_us().to_string()}>
                            <time>{v.at.to_string()}</time>
                            <span class="rule">{v.rule.clone()}</span>
                            <span class="detail">{v.detail.clone()}</span>
                            <button class="jump" onclick={jump(v.at)}
                                aria-label={format!("Jump to {} at {}", v.rule, v.at)}>{"jump to"}</button>
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
