//! The scrubber: drag back to any past time; markers for faults, user actions and violations,
//! each fault with a bar for as long as it lasts.

use super::faults::{every_event, jump, use_fault_marks};
use super::frozen::Frozen;
use super::invariants::secs;
use super::OfPlayer;
use crate::player::{slow_motion, speed_label, Action, Player};
use dsplay_core::scenario::fault_spans::FaultMarks;
use dsplay_core::SimTime;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// A marker on the timeline.
#[derive(Clone, PartialEq)]
struct Marker {
    at_ms: u64,
    /// `event` or `violation`.
    class: &'static str,
    /// Drawn by the chaos section (every event it stands for).
    chaos: bool,
    /// Done by hand in the playground (one of the events it stands for, at least).
    by_hand: bool,
    /// How long the longest fault it starts lasts (a node down until its restart, a partition
    /// until the heal, a surge), drawn as a bar from the marker.
    span_ms: Option<u64>,
    label: String,
}

fn markers(p: &Player, faults: &FaultMarks) -> Vec<Marker> {
    let s = p.session.borrow();
    // Marks closer together than a marker's width on a 600 px track (1/60 of the run) are one
    // marker (a burst of 100 violations was a red smear of overlapping buttons, none of which
    // could be hit; a crash, a pause and a surge at 2 s hid two of them): it jumps to the first
    // and says what it stands for.
    let close = (s.stop_at().as_us() / 1000 / 60).max(1);
    let mut out: Vec<Marker> = Vec::new();
    let names = s.sim().node_names();
    for (e, own) in every_event(&s) {
        let said = e.event.describe_among(names);
        let what = match own {
            None => format!("{said} (chaos)"),
            Some(_) if e.by_hand => format!("{said} (by hand)"),
            Some(_) => said,
        };
        match out.last_mut() {
            Some(m) if e.at_ms - m.at_ms < close => {
                m.chaos &= own.is_none();
                m.by_hand |= e.by_hand;
                m.label += &format!("; {}: {what}", secs(SimTime::from_ms(e.at_ms)));
            }
            _ => out.push(Marker {
                at_ms: e.at_ms,
                class: "event",
                chaos: own.is_none(),
                by_hand: e.by_hand,
                span_ms: None,
                label: format!("{}: {what}", secs(SimTime::from_ms(e.at_ms))),
            }),
        }
    }
    // Each fault's bar from the marker its start is in (the last at or before it), to its end.
    let stop_ms = s.stop_at().as_us() / 1000;
    for f in &faults.spans {
        let at = out.partition_point(|m| m.at_ms <= f.from_ms);
        if let Some(m) = at.checked_sub(1).map(|i| &mut out[i]) {
            let until = f.until_ms.unwrap_or(stop_ms).min(stop_ms);
            m.span_ms = m.span_ms.max(Some(until.saturating_sub(m.at_ms)));
        }
    }
    // The bar says what it is where the dot does: unnamed, it read as a second, unexplained
    // track (review 32 C12).
    for m in &mut out {
        if let Some(span) = m.span_ms {
            let end = if m.at_ms + span >= stop_ms {
                "the end".to_string()
            } else {
                secs(SimTime::from_ms(m.at_ms + span))
            };
            m.label.push_str(&format!(" (the bar: it lasts until {end})"));
        }
    }
    let mut burst: Option<(Marker, usize)> = None;
    for v in s.sim().violations().iter().take(2_000) {
        let at_ms = v.at.as_us() / 1000;
        match &mut burst {
            Some((first, n)) if at_ms - first.at_ms < close => *n += 1,
            _ => {
                out.extend(burst.take().map(said_burst));
                let label = format!("{}: ✗ {}: {}", secs(v.at), v.rule, v.detail);
                let m =
                    Marker { at_ms, class: "violation", chaos: false, by_hand: false, span_ms: None, label };
                burst = Some((m, 1));
            }
        }
    }
    out.extend(burst.map(said_burst));
    out
}

fn said_burst((mut m, n): (Marker, usize)) -> Marker {
    if n > 1 {
        m.label = format!("{n} violations from here; the first at {}", m.label);
    }
    m
}

/// What the timeline's markers depend on: the scenario revision, the session, how many
/// violations there are, and the run's length.
type MarksStamp = (u64, usize, usize, u64);

/// How far an arrow key moves the playhead: 1 % of a run of `stop_ms`, at least 1 ms.
pub fn keyboard_step(stop_ms: u64) -> u64 {
    (stop_ms / 100).max(1)
}

/// On and off for the scenario's slow-motion stretches (none: no button).
fn slow_motion_toggle(p: &Player) -> Html {
    let s = p.session.borrow();
    let stretches = &s.scenario().meta.slow_motion;
    if stretches.is_empty() {
        return html! {};
    }
    let on = p.slow_motion;
    let d = p.dispatch.clone();
    // Inside a stretch the button says the speed playing now: the speed control beside the
    // slider says the speed set, as its slider does (review 15 C14: it said "0.01×" beside a
    // slider at 1×).
    let (factor, _) = slow_motion(&s, &p.ui, s.now());
    let now = (factor < 1.0).then(|| speed_label(p.speed * factor));
    let title = match &now {
        Some(now) => format!(
            "Slow motion: this key moment plays at {now}; the speed set is {}. Press to play it at that speed",
            speed_label(p.speed)
        ),
        None => format!(
            "{} the lesson's key moments ({}, shaded on the timeline), and elections you cause by hand, slower than the speed set",
            if on { "Playing" } else { "Play" },
            stretches.iter().map(|m| secs(SimTime::from_ms(m.from_ms))).collect::<Vec<_>>().join(", ")
        ),
    };
    let class = classes!("slow-toggle", now.is_some().then_some("slowing"));
    html! {
        <button id="slow-motion" {class} aria-label="Slow motion" aria-pressed={on.to_string()} {title}
            onclick={Callback::from(move |_: MouseEvent| d.emit(Action::SlowMotion(!on)))}>
            <span class="long">{"Slow motion"}</span><span class="short" aria-hidden="true">{"Slow"}</span>
            if let Some(now) = now { <span class="slow-now">{format!("now {now}")}</span> }
        </button>
    }
}

/// The scenario's slow-motion stretches on the track (dimmed while slow motion is off).
fn slow_bands(p: &Player, stop_ms: u64) -> Vec<Html> {
    let s = p.session.borrow();
    let of = |ms: u64| ms.min(stop_ms) as f64 * 100.0 / stop_ms.max(1) as f64;
    let class = classes!("slow-band", (!p.slow_motion).then_some("off"));
    s.scenario()
        .meta
        .slow_motion
        .iter()
        .map(|m| {
            // Takes no pointer events (the scrubber is under it): the button's title says the times.
            // At least 10 px wide, centred on the stretch: d4's 50 ms election was a 1.6 px mark on
            // a 300 px timeline that its lesson points at (review 15).
            let (from, to) = (of(m.from_ms), of(m.until_ms));
            let style = format!(
                "left: calc({:.3}% - max(5px, {:.3}%)); width: max(10px, {:.3}%)",
                (from + to) / 2.0,
                (to - from) / 2.0,
                to - from
            );
            html! { <div class={class.clone()} {style} /> }
        })
        .collect()
}

/// An embed's clip on the track (`t=…&until=…`), if it plays only part of the run.
fn clip_band(p: &Player, stop_ms: u64) -> Option<String> {
    let c = p.clip.filter(|c| c.until.is_some() || c.from > SimTime::ZERO)?;
    let (from, until) = (c.from.as_ms_f64(), c.until.map_or(stop_ms as f64, |u| u.as_ms_f64()));
    let of = |ms: f64| ms.min(stop_ms as f64) * 100.0 / stop_ms.max(1) as f64;
    Some(format!("left: {:.3}%; width: {:.3}%", of(from), of(until) - of(from)))
}

#[function_component(Timeline)]
pub fn timeline() -> Html {
    use_context::<Player>().map_or_else(Html::default, |player| html! { <TimelineOf {player} /> })
}

#[function_component(TimelineOf)]
fn timeline_of(props: &OfPlayer) -> Html {
    let p = props.player.clone();
    let faults = use_fault_marks(Some(&p));
    let (now_ms, stop_ms) = {
        let s = p.session.borrow();
        (s.now().as_us() / 1000, s.stop_at().as_us() / 1000)
    };
    let on_input = {
        let d = p.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            d.emit(Action::Pause);
            d.emit(Action::Seek(SimTime::from_ms(input.value_as_number().max(0.0) as u64)));
        })
    };
    // The browser moves a range by its `step` (1 ms: fine for dragging, endless from the keyboard):
    // arrows move 1 % of the run as ← does elsewhere, Shift or Page keys 10 %.
    let on_key = {
        // From where a long seek is going, as ← does.
        let from_ms = p.travel.map_or(now_ms, |to| to.at.as_us() / 1000);
        let d = p.dispatch.clone();
        Callback::from(move |e: KeyboardEvent| {
            let big = e.shift_key() || e.key().starts_with("Page");
            let sign: i64 = match e.key().as_str() {
                "ArrowRight" | "ArrowUp" | "PageUp" => 1,
                "ArrowLeft" | "ArrowDown" | "PageDown" => -1,
                _ => return,
            };
            e.prevent_default();
            let by = keyboard_step(stop_ms) as i64 * if big { 10 } else { 1 };
            let to = (from_ms as i64 + sign * by).clamp(0, stop_ms as i64) as u64;
            d.emit(Action::Pause);
            d.emit(Action::Seek(SimTime::from_ms(to)));
        })
    };
    let pct = |ms: u64| format!("left: {:.3}%", ms as f64 * 100.0 / stop_ms.max(1) as f64);
    // A long seek: the thumb stays where the hand put it, a band shows the way still to go.
    let to_ms = p.travel.map(|to| to.at.as_us() / 1000);
    let band = to_ms.map(|to| {
        let span = to.saturating_sub(now_ms) as f64 * 100.0 / stop_ms.max(1) as f64;
        format!("{}; width: {span:.3}%", pct(now_ms))
    });
    let stop_travel = p.dispatch.reform(|_: MouseEvent| Action::StopTravel);
    // The markers change with the scenario and as violations are found, not with every frame.
    let violations = p.session.borrow().sim().violations().len().min(2_000);
    let marks_stamp = (p.scenario_rev, Rc::as_ptr(&p.session) as usize, violations, stop_ms);
    let marks = {
        let (p, faults) = (p.clone(), faults.clone());
        use_memo(marks_stamp, move |_| {
            let pct = |ms: u64| format!("left: {:.3}%", ms as f64 * 100.0 / stop_ms.max(1) as f64);
            html! { <>{ for markers(&p, &faults).into_iter().map(|m| html! { <>
                if let Some(span) = m.span_ms {
                    <span class="marker-span" style={format!("{}; width: {:.3}%", pct(m.at_ms), span as f64 * 100.0 / stop_ms.max(1) as f64)} />
                }
                <button class={classes!("marker", m.class, m.chaos.then_some("chaos"), m.by_hand.then_some("by-hand"))}
                    style={pct(m.at_ms)} title={m.label} tabindex="-1" onclick={jump(&p.dispatch, m.at_ms)} />
            </> }) }</> }
        })
    };
    html! {
        <div class="timeline">
            // As wide as the longest time of the run: the track does not move at 10 s.
            <span class="clock" aria-live="off" style={format!("min-width: {}ch", secs(SimTime::from_ms(stop_ms)).chars().count())}>
                { secs(SimTime::from_ms(now_ms)) }
            </span>
            <div class="track">
                <input id="scrubber" type="range" min="0" max={stop_ms.to_string()} step="1"
                    value={to_ms.unwrap_or(now_ms).to_string()} oninput={on_input} onkeydown={on_key}
                    aria-label="Playhead: drag to travel back in time"
                    title="Drag to travel in time; arrows move 1 % of the run, Shift + arrows 10 %"
                    aria-valuetext={format!("{} of {:.1} s", secs(SimTime::from_ms(now_ms)), stop_ms as f64 / 1000.0)} />
                if let Some(style) = band { <div class="travel-band" style={style} /> }
                { for slow_bands(&p, stop_ms) }
                if let Some(style) = clip_band(&p, stop_ms) {
                    <div class="clip-band" style={style} title="The part of the run this embed plays" />
                }
                // A pointer's shortcut: the keyboard and screen readers have the same jumps in
                // the event list and the Invariants panel, so the markers are no Tab stops.
                <div class="markers" aria-hidden="true">
                    <Frozen<MarksStamp> stamp={marks_stamp}>{(*marks).clone()}</Frozen<MarksStamp>>
                </div>
            </div>
            <span class="timeline-end">
                if let Some(to) = to_ms {
                    <button id="travel-stop" class="travel-stop" onclick={stop_travel} aria-keyshortcuts="Escape"
                        title="Stop the seek here (Esc)" aria-label={format!("Stop the seek to {} here", secs(SimTime::from_ms(to)))}>
                        {"Stop"}
                    </button>
                } else {
                    <span class="stop">{ format!("{:.1} s", stop_ms as f64 / 1000.0) }</span>
                }
                { slow_motion_toggle(&p) }
            </span>
            if let Some(to) = to_ms {
                <span class="sr-only" role="status">{ format!("Seeking to {}", secs(SimTime::from_ms(to))) }</span>
            }
        </div>
    }
}
