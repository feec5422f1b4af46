//! Play / pause / step / speed / restart / seed: the transport bar.

use crate::player::{
    faster, follow_speed, slider_from_speed, slower, speed_from_slider, speed_label, Action, Player,
    MAX_SPEED, MIN_SPEED,
};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// A step button's tooltip once nothing is left to step to (it said "Step one event", disabled).
const ENDED: &str = "The run has ended: nothing left to step to (Restart, or scrub back)";
#[function_component(Controls)]
pub fn controls() -> Html {
    let Some(p) = use_context::<Player>() else { return html! {} };
    let emit = |a: Action| {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(a.clone()))
    };
    let on_speed = {
        let d = p.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            d.emit(Action::Speed(speed_from_slider(input.value_as_number())));
        })
    };
    // The slider has 1,000 steps for a smooth drag; its keys go up and down the 1-2-5 ladder
    // instead (an arrow press used to move the speed by 0.7 %: 1× to 10× took 333 presses).
    let on_speed_key = {
        let (d, speed) = (p.dispatch.clone(), p.speed);
        Callback::from(move |e: KeyboardEvent| {
            let to = match e.key().as_str() {
                "ArrowRight" | "ArrowUp" | "PageUp" => faster(speed),
                "ArrowLeft" | "ArrowDown" | "PageDown" => slower(speed),
                "Home" => MIN_SPEED,
                "End" => MAX_SPEED,
                _ => return,
            };
            e.prevent_default();
            d.emit(Action::Speed(to));
        })
    };
    let finished = p.session.borrow().finished();
    let clip_start = crate::player::at_clip_end(&p.session, &p.ui);
    // At the end, as a video player does, Play becomes Replay: from the start (a disabled Play
    // gave no hint that Restart, far along the row, was the way on).
    let on_play = match (p.playing, finished) {
        (true, _) => emit(Action::Pause),
        (false, false) => emit(Action::Play),
        (false, true) => emit(Action::Toggle),
    };
    let clip_title = clip_start.map(|from| {
        format!(
            "The clip has ended: play it again from {} (Space or K)",
            crate::components::invariants::secs(from)
        )
    });
    let (icon, label, title) = match (p.playing, finished, clip_title) {
        (true, ..) => ("❚❚ ", "Pause", "Play / pause (Space or K)".to_string()),
        (false, _, Some(clip)) => ("⟲ ", "Replay", clip),
        (false, false, None) => ("▶ ", "Play", "Play / pause (Space or K)".to_string()),
        (false, true, None) => {
            ("⟲ ", "Replay", "The run has ended: play it again from the start (Space or K)".to_string())
        }
    };
    html! {
        // A group, not a toolbar: the arrows step the run here, they do not move between buttons.
        <div class="transport" role="group" aria-label="Playback controls">
            <button id="play" class="primary" onclick={on_play} aria-keyshortcuts="Space K" {title}>
                <span aria-hidden="true">{icon}</span>{label}
            </button>
            <button id="step-event" onclick={emit(Action::StepEvent)} disabled={finished}
                aria-keyshortcuts="ArrowRight" title={if finished { ENDED } else { "Step one event (→, anywhere but the timeline)" }}>{"Step"}</button>
            <button id="step-message" onclick={emit(Action::StepMessage)} disabled={finished} aria-keyshortcuts="Shift+ArrowRight"
                title={if finished { ENDED } else { "Step to the next delivered message (Shift+→, anywhere but the timeline)" }} aria-label="Next message">
                <span class="long">{"Next message"}</span><span class="short" aria-hidden="true">{"Next"}</span>
            </button>
            <button id="restart" onclick={emit(Action::Restart)} title="Back to time zero (Home)" aria-label="Restart"
                aria-keyshortcuts="Home">
                {"⟲"}<span class="long">{" Restart"}</span>
            </button>
            // The speed and Follow wrap together: Follow means something only beside the speed.
            <span class="pace">
                <label class="speed">
                    <span>{"Speed "}{ shown_speed(&p) }</span>
                    <input id="speed" type="range" min="0" max="1000" step="1"
                        value={slider_from_speed(p.speed).to_string()} oninput={on_speed} onkeydown={on_speed_key}
                        aria-label="Simulation speed, 0.001× to 100×" aria-valuetext={speed_label(p.speed)}
                        aria-keyshortcuts="+ -" />
                </label>
                {follow(&p)}
            </span>
        </div>
    }
}

/// Below this speed, the run is being followed by eye (the Follow button is pressed).
const FOLLOWING: f64 = 0.1;

/// Follow: slow down until a message takes about half a second to cross, so each request can
/// be watched from sender to receiver (samwho's posts play at that pace); pressed again, 1×.
fn follow(p: &Player) -> Html {
    let on = p.speed < FOLLOWING;
    let idle = !on && p.view.in_flight.is_empty();
    let title = match (on, idle) {
        (true, _) => "Back to 1×",
        (false, false) => "Slow down until each message takes about half a second to cross",
        (false, true) => "Nothing on the wire to follow just now: play a moment first",
    };
    // The speed is worked out on the click, from the messages on the wire then (not each frame).
    let onclick = {
        let (d, view) = (p.dispatch.clone(), p.view.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(s) = if on { Some(1.0) } else { follow_speed(&view.in_flight) } {
                d.emit(Action::Speed(s));
            }
        })
    };
    html! {
        <button id="follow" {onclick} disabled={idle} aria-pressed={on.to_string()} {title}>
            {"Follow"}
        </button>
    }
}

/// The speed asked for, as the slider shows it (a slow-motion stretch's speed is on its button,
/// by the timeline); while a busy run cannot keep it, the speed it reaches instead ("≈13×", in
/// the warning colour, the tooltip saying why). As wide as the asked speed's label: a longer note
/// beside it rewrapped the controls.
fn shown_speed(p: &Player) -> Html {
    let asked = speed_label(p.speed);
    match p.pace.filter(|pace| p.playing && pace.reached < p.speed * 0.9) {
        None => html! { <output id="speed-value">{asked}</output> },
        Some(pace) => {
            let now = if pace.reached < MIN_SPEED {
                format!("<{}", speed_label(MIN_SPEED))
            } else {
                speed_label(pace.reached)
            };
            let title = format!(
                "Asked for {asked}, but this run has more events than one frame can handle at that \
                 speed: it plays at about {now}, as fast as this machine allows."
            );
            html! { <output id="speed-value" class="reached" data-asked={asked} {title}>{format!("≈{now}")}</output> }
        }
    }
}
