//! The Embed dialog: a teacher chooses how the run opens and plays in a course page, sees it in a
//! live preview exactly as readers will, and copies the code (an `<iframe>`, or the
//! `<dsplay-embed>` element). Before it, "copy embed code" gave one fixed snippet, and every other
//! option (`until`, `loop`, `speed`, `theme`, …) meant editing a URL by hand (review 14 B13).

use super::invariants::secs;
use super::modal::Modal;
use super::share::copy;
use crate::embed::{
    element_code, embed_code, embed_url, Controls, EmbedChoice, EmbedSource, Theme, HEIGHTS, WIDTHS,
};
use crate::player::Player;
use dsplay_core::SimTime;
use yew::prelude::*;

/// The speeds offered (the player's own range is 0.001–100×).
const SPEEDS: &[f64] = &[0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 100.0];

#[derive(Clone, Copy, PartialEq)]
enum Form {
    Frame,
    Element,
}

/// What the dialog is made from, read once when it opens.
#[derive(Clone, PartialEq)]
struct Source {
    base: String,
    source: EmbedSource,
    title: String,
    /// Where the playhead is (in the middle of the run), and where the run ends.
    playhead: Option<SimTime>,
    stop: SimTime,
    /// Stops of the scenario's tour (its notes): the tour is offered only if there are some.
    tour_steps: usize,
    /// The scenario's stretches of slow motion, which the chosen speed does not hold through.
    slow_stretches: usize,
}

/// Under the speed: the scenario's own slow motion, which readers will see.
fn slow_words(stretches: usize) -> String {
    let which = match stretches {
        1 => "its key moment".to_string(),
        n => format!("its {n} key moments"),
    };
    format!("The scenario plays {which} slower than this, so readers can follow them; the player says so under its speed while it does.")
}

fn source_of(p: &Player) -> Source {
    let url = crate::urlsync::share_url(p);
    let base = url.split_once('#').map_or(url.as_str(), |(b, _)| b).to_string();
    let s = p.session.borrow();
    let source = EmbedSource::of(&s);
    let playhead = source.mid_run().then(|| s.now());
    let sc = s.scenario();
    let tour_steps = dsplay_core::scenario::tour::Tour::of(sc).len();
    let slow_stretches = sc.meta.slow_motion.len();
    let title = sc.meta.shown_title(&sc.protocol);
    Source { base, source, title, playhead, stop: s.stop_at(), tour_steps, slow_stretches }
}

/// The "Stop at" field: empty for the end of the run, else seconds after the start and within it.
pub fn until_from(text: &str, start: SimTime, stop: SimTime) -> Result<Option<u64>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let secs_given: f64 = text
        .replace(',', ".")
        .parse()
        .ok()
        .filter(|s: &f64| s.is_finite())
        .ok_or_else(|| format!("“{text}” is not a number of seconds (like 9 or 12.5)."))?;
    let ms = (secs_given * 1000.0).round();
    if ms <= start.as_ms_f64() {
        return Err(format!("{text} s is not after the start ({}).", secs(start)));
    }
    if ms > stop.as_ms_f64() {
        return Err(format!(
            "{text} s is past the end of the run ({}); leave it empty to play to the end.",
            secs(stop)
        ));
    }
    Ok(Some(ms as u64))
}

/// The "Height" field: whole pixels in [`HEIGHTS`].
pub fn height_from(text: &str) -> Result<u32, String> {
    pixels_from(text, HEIGHTS, "a height")
}

/// The "Width" field: whole pixels in [`WIDTHS`].
pub fn width_from(text: &str) -> Result<u32, String> {
    pixels_from(text, WIDTHS, "a width")
}

fn pixels_from(text: &str, range: std::ops::RangeInclusive<u32>, what: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(px) if range.contains(&px) => Ok(px),
        _ => Err(format!("“{}” is not {what} from {} to {} px.", text.trim(), range.start(), range.end())),
    }
}

/// The offered speed nearest (on the slider's log scale) to the player's.
pub fn nearest_speed(speed: f64) -> f64 {
    let off = |s: f64| (s.ln() - speed.max(f64::MIN_POSITIVE).ln()).abs();
    SPEEDS.iter().copied().min_by(|a, b| off(*a).total_cmp(&off(*b))).unwrap_or(1.0)
}

#[derive(Properties, PartialEq)]
pub struct EmbedDialogProps {
    pub on_close: Callback<()>,
    /// The theme the page was switched to with ◐ (none: the system's).
    pub theme: Option<Theme>,
}

#[function_component(EmbedDialog)]
pub fn embed_dialog(props: &EmbedDialogProps) -> Html {
    let (on_close, theme) = (props.on_close.clone(), props.theme);
    use_context::<Player>()
        .map_or_else(Html::default, |player| html! { <EmbedDialogOf {player} {on_close} {theme} /> })
}

/// The dialog's props under the page's player (see [`super::OfPlayer`]).
#[derive(Properties, PartialEq)]
struct EmbedDialogOfProps {
    player: Player,
    on_close: Callback<()>,
    theme: Option<Theme>,
}

#[function_component(EmbedDialogOf)]
fn embed_dialog_of(props: &EmbedDialogOfProps) -> Html {
    // What the dialog embeds is the run as it was when the dialog opened.
    let src = use_memo((), {
        let player = props.player.clone();
        move |_| source_of(&player)
    });
    // It starts from how the teacher was watching: the speed and a theme picked with ◐ (review 23
    // C1: 50× and dark in the app opened a dialog at 1× and "the reader's light or dark").
    let choice = use_state(|| EmbedChoice {
        speed: nearest_speed(props.player.speed),
        theme: props.theme,
        ..EmbedChoice::default()
    });
    let form = use_state(|| Form::Frame);
    let until_text = use_state(String::new);
    let height_text = use_state(|| EmbedChoice::default().height.to_string());
    let width_text = use_state(|| EmbedChoice::default().width.to_string());
    let done = use_state(|| None::<&'static str>);
    let src = (*src).clone();
    let unapplied = use_memo((), |_| crate::components::editor::has_unapplied_edits());
    let unapplied = *unapplied;

    let start = src.playhead.filter(|_| choice.opens_at_playhead()).unwrap_or(SimTime::ZERO);
    let until = until_from(&until_text, start, src.stop);
    let height = height_from(&height_text);
    let width = width_from(&width_text);
    let valid = until.is_ok() && height.is_ok() && width.is_ok();
    let code = match *form {
        Form::Frame => embed_code(&src.base, &src.source, &src.title, &choice),
        Form::Element => element_code(&src.base, &src.source, &src.title, &choice),
    };
    let preview = embed_url(&src.base, &src.source, &choice);

    // Each change is kept only while valid, so the preview always shows a working embed.
    let set = {
        let (choice, done) = (choice.clone(), done.clone());
        move |f: fn(&mut EmbedChoice, String)| {
            let (choice, done) = (choice.clone(), done.clone());
            Callback::from(move |v: String| {
                let mut c = (*choice).clone();
                f(&mut c, v);
                choice.set(c);
                done.set(None);
            })
        }
    };
    let at_playhead = set(|c, v| c.at_playhead = v == "playhead");
    let autoplay = set(|c, v| c.autoplay = v == "on");
    let looping = set(|c, v| c.looping = v == "on");
    let tour = set(|c, v| c.tour = v == "on");
    let speed = set(|c, v| c.speed = v.parse().unwrap_or(1.0));
    let controls = set(|c, v| {
        c.controls = match v.as_str() {
            "full" => Controls::Full,
            "none" => Controls::None,
            _ => Controls::Min,
        }
    });
    let theme = set(|c, v| {
        c.theme = match v.as_str() {
            "dark" => Some(Theme::Dark),
            "light" => Some(Theme::Light),
            _ => None,
        }
    });
    {
        // The typed fields reach the choice once they are valid (on change, not per keystroke:
        // each change reloads the preview).
        let (choice, until, height, width) = (choice.clone(), until.clone(), height.clone(), width.clone());
        use_effect_with((until.clone().ok(), height.clone().ok(), width.clone().ok()), move |_| {
            let mut c = (*choice).clone();
            if let Ok(u) = until {
                c.until_ms = u;
            }
            if let Ok(h) = height {
                c.height = h;
            }
            if let Ok(w) = width {
                c.width = w;
            }
            if c != *choice {
                choice.set(c);
            }
        });
    }
    let on_copy = {
        let (code, done) = (code.clone(), done.clone());
        Callback::from(move |_: MouseEvent| {
            copy(code.clone(), done.clone(), "Copied: paste it into your page's HTML")
        })
    };
    let radio =
        |name: &'static str, value: &'static str, checked: bool, label: String, cb: &Callback<String>| {
            let cb = cb.clone();
            html! {
                <label class="choice">
                    <input type="radio" {name} {value} {checked}
                        onchange={Callback::from(move |_: Event| cb.emit(value.to_string()))} />
                    {label}
                </label>
            }
        };
    let check = |id: &'static str, checked: bool, label: &'static str, cb: &Callback<String>| {
        let cb = cb.clone();
        html! {
            <label class="choice">
                <input type="checkbox" {id} {checked} onchange={Callback::from(move |e: Event| {
                    let on = e.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
                    cb.emit(if on { "on" } else { "off" }.to_string())
                })} />
                {label}
            </label>
        }
    };
    let select = |id: &'static str, options: Vec<(String, String)>, now: String, cb: &Callback<String>| {
        let cb = cb.clone();
        html! {
            <select {id} onchange={Callback::from(move |e: Event|
                cb.emit(e.target_unchecked_into::<web_sys::HtmlSelectElement>().value()))}>
                { for options.into_iter().map(|(v, label)| { let selected = v == now; html! { <option {selected} value={v}>{label}</option> } }) }
            </select>
        }
    };
    let typed =
        |id: &'static str, text: &UseStateHandle<String>, problem: Option<String>, hint: &'static str| {
            let (text, live) = (text.clone(), text.clone());
            let err_id = format!("{id}-err");
            html! {
                <>
                    <input {id} type="text" inputmode="decimal" value={(*text).clone()} placeholder={hint}
                        aria-invalid={problem.is_some().to_string()}
                        aria-describedby={problem.is_some().then(|| err_id.clone())}
                        onchange={Callback::from(move |e: Event|
                            live.set(e.target_unchecked_into::<web_sys::HtmlInputElement>().value()))} />
                    if let Some(p) = problem { <span class="field-error" id={err_id} role="alert">{p}</span> }
                </>
            }
        };
    let speeds = SPEEDS.iter().map(|s| (format!("{s}"), format!("{s}×"))).collect();
    let start_row = match src.playhead {
        Some(t) => html! {
            <fieldset disabled={choice.tour}>
                <legend>{"Opens"}</legend>
                { radio("embed-start", "playhead", choice.opens_at_playhead(), format!("at {}, where the playhead is", secs(t)), &at_playhead) }
                { radio("embed-start", "zero", !choice.opens_at_playhead(), "at the start".to_string(), &at_playhead) }
                if choice.tour { <p class="muted small">{"A tour opens at the start, on its first card. If it plays on its own it goes on to the first step; otherwise its Continue does."}</p> }
            </fieldset>
        },
        None => html! { <p class="muted">{"Opens at the start of the run."}</p> },
    };
    let foot = html! {
        <>
            <button id="embed-copy" class="primary" onclick={on_copy} disabled={!valid}>{"Copy code"}</button>
            <button onclick={props.on_close.reform(|_: MouseEvent| ())}>{"Close"}</button>
            <span class="embed-note" role="status">{ (*done).unwrap_or(if valid { "" } else { "Mend the field in red to copy." }) }</span>
        </>
    };
    let form_cb = {
        let (form, done) = (form.clone(), done.clone());
        Callback::from(move |v: String| {
            form.set(if v == "element" { Form::Element } else { Form::Frame });
            done.set(None);
        })
    };
    html! {
        <Modal id="embed-dialog" title="Embed in a course page" class="embed-dialog" on_close={props.on_close.clone()} {foot}>
            <div class="embed-cols">
                <div class="embed-options">
                    if unapplied {
                        <p class="embed-unapplied" role="note">{"This is the run as last applied: the Editor's changes are not in it until you Apply them."}</p>
                    }
                    { start_row }
                    <label class="field" for="embed-until">{"Stops at (s)"}</label>
                    { typed("embed-until", &until_text, until.clone().err(), "the end") }
                    { check("embed-loop", choice.looping, "Loop: then back to where it opened", &looping) }
                    if src.tour_steps > 0 {
                        { check("embed-tour", choice.tour, "Start as a tour: it stops at each of the notes", &tour) }
                    }
                    { check("embed-autoplay", choice.autoplay, "Plays on its own once in sight", &autoplay) }
                    <p class="muted small">{"A reader who asks for reduced motion gets a Play button instead."}</p>
                    <label class="field" for="embed-speed">{"Speed"}</label>
                    { select("embed-speed", speeds, format!("{}", choice.speed), &speed) }
                    // Review 56 C3: a lecturer who chose 2× saw d4 crawl at 0.2× around its crash.
                    if src.slow_stretches > 0 {
                        <p class="muted small">{slow_words(src.slow_stretches)}</p>
                    }
                    <label class="field" for="embed-controls">{"Controls"}</label>
                    { select("embed-controls", vec![
                        ("min".into(), "Play and the timeline".into()),
                        ("full".into(), "Every control of the player".into()),
                        ("none".into(), "None: a moving picture".into()),
                    ], choice.controls.name().to_string(), &controls) }
                    <label class="field" for="embed-theme">{"Theme"}</label>
                    { select("embed-theme", vec![
                        ("auto".into(), "The reader's system theme".into()),
                        ("light".into(), "Light".into()),
                        ("dark".into(), "Dark".into()),
                    ], choice.theme.map_or("auto", crate::theme::name).to_string(), &theme) }
                    <label class="field" for="embed-width">{"Width (px, at most)"}</label>
                    { typed("embed-width", &width_text, width.clone().err(), "720") }
                    <label class="field" for="embed-height">{"Height (px)"}</label>
                    { typed("embed-height", &height_text, height.clone().err(), "420") }
                    // Review 23 B3: nothing told a teacher what a 400×300 frame costs.
                    <p class="muted small">{"420 px or more reads best. Under about 360 px the picture gets small, the network tools give way to the legend, and a tour's card covers part of the picture."}</p>
                    // Review 32 B2: at 480×360 with every control the tools sat under the frame's
                    // foot (the frame scrolls to them) and at 720×420 the legend scrolled.
                    if choice.controls == Controls::Full {
                        <p class="muted small">{"Every control of the player takes more room: give it 500 px or more. In a shorter frame the legend scrolls beside the network tools, or the frame scrolls to reach them."}</p>
                    }
                    // Review 30 B2: an author expected the lesson they wrote in the widget.
                    <p class="muted small">{"The widget shows the run, its title and (as a tour) its notes, not the lesson: write that on the course page around it. Its \u{201c}open in dsplay\u{201d} link opens the whole app, lesson and all."}</p>
                </div>
                <div class="embed-result">
                    <figure class="embed-preview">
                        // Out of the Tab order (review 22: its own controls were 21 stops
                        // between the options and Copy, and Esc inside it never reached the
                        // dialog); a pointer can still try it.
                        <iframe src={preview} title="Preview: the embed as readers will see it"
                            tabindex="-1" style={format!("height:{}px;max-width:{}px", choice.height, choice.width)} />
                        <figcaption>{"Preview: what readers see"}</figcaption>
                    </figure>
                    <fieldset class="embed-form">
                        <legend>{"Code"}</legend>
                        { radio("embed-form", "frame", *form == Form::Frame, "<iframe>: for any page, course platforms too".into(), &form_cb) }
                        { radio("embed-form", "element", *form == Form::Element, "<dsplay-embed>: one script, for a page you write".into(), &form_cb) }
                    </fieldset>
                    <textarea id="embed-code" readonly=true rows="4" aria-label="The code to paste" value={code} />
                </div>
            </div>
        </Modal>
    }
}
