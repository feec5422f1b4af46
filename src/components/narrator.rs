//! An ARIA live region narrating key events: faults, violations and the protocol's notes
//! ("n3 became leader in term 4"). At most one announcement per half second of wall time.

use crate::player::Player;
use dsplay_core::sim::trace::TraceKind;
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;

fn newest_headline(p: &Player, since: u64) -> Option<String> {
    let s = p.session.borrow();
    let trace = s.sim().trace();
    let names = s.sim().node_names();
    let fresh = trace.len_total().saturating_sub(since).min(2_000) as usize;
    trace.records().iter().rev().take(fresh).find_map(|r| {
        let who = names.get(r.node.index()).map_or("", String::as_str);
        let text = r.text.as_deref().unwrap_or("");
        match r.kind {
            TraceKind::Fault => Some(text.to_string()),
            TraceKind::Violation => Some(format!("Invariant broken: {} ({text})", r.label)),
            TraceKind::Note if r.label == "note" && !text.is_empty() => Some(format!("{who}: {text}")),
            _ => None,
        }
    })
}

#[function_component(Narrator)]
pub fn narrator() -> Html {
    let p = use_context::<Player>();
    let seen = use_mut_ref(|| 0u64);
    let last_wall = use_memo((), |_| Rc::new(Cell::new(0.0f64)));
    let said = use_state(String::new);
    if let Some(p) = &p {
        let total = p.session.borrow().sim().trace().len_total();
        let now = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |perf| perf.now());
        if total < *seen.borrow() {
            *seen.borrow_mut() = total; // travelled back in time
        } else if now - last_wall.get() > 500.0 {
            if let Some(h) = newest_headline(p, *seen.borrow()) {
                if *said != h {
                    said.set(h);
                }
            }
            *seen.borrow_mut() = total;
            last_wall.set(now);
        }
    }
    html! { <div id="narration" class="sr-only" role="status" aria-live="polite" aria-atomic="true">{ (*said).clone() }</div> }
}
