//! The status line: playhead, events, trace hash. The hash is also a DOM attribute so
//! end-to-end tests can compare runs (`#run-result[data-trace-hash]`).

use crate::player::Player;
use yew::prelude::*;

#[function_component(Status)]
pub fn status() -> Html {
    let Some(p) = use_context::<Player>() else { return html! {} };
    let s = p.session.borrow();
    let sim = s.sim();
    let hash = format!("{:016x}", sim.trace_hash());
    let now_ms = sim.now().as_us() / 1000;
    let halted = sim.halted().map(|h| html! { <span class="halted">{ h.to_string() }</span> });
    html! {
        <footer id="run-result" class="status" data-trace-hash={hash.clone()} data-now-ms={now_ms.to_string()}
            data-events={sim.events().to_string()} data-playing={p.playing.to_string()}
            data-preset={s.scenario().meta.id.clone()} data-violations={sim.violations().len().to_string()}>
            // An embed's only title (the page has its header and lesson; review 14: a course page's
            // frame did not say what it showed).
            <span class="run-title">{ s.scenario().meta.shown_title(&s.scenario().protocol) }</span>
            <span>{ format!("t = {:.3} s", now_ms as f64 / 1000.0) }</span>
            <span class="events">{ format!("{} events", sim.events()) }</span>
            <span class="trace" title="Stable hash of the trace so far: equal hashes mean identical runs">{ format!("trace {hash}") }</span>
            { for halted }
        </footer>
    }
}
