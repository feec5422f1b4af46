//! The app shell: boot (link, embed options), the player context, layout, keyboard, URL sync.

use crate::components::*;
use crate::embed::{
    prefers_reduced_motion, use_visibility_pause, Controls as EmbedControls, EmbedOptions, NodeBar,
    OpenInApp, PlayOverlay, Theme,
};
use crate::hooks::use_player_lazy;
use crate::keys::use_shortcuts;
use crate::link;
use crate::player::{Action, Clip, Player};
use crate::theme;
use crate::urlsync::{use_follow_hash, use_url_sync};
use dsplay_core::scenario::{LinkProblem, Playhead, RunView};
use dsplay_core::session::Session;
use dsplay_core::{presets, Scenario};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Whether the page is laid out in one column (a phone, a tablet held upright): app.css's
/// `@media (max-width: 960px)`, where the gallery and the inspector fall under the stage.
pub(crate) fn one_column() -> bool {
    let list = web_sys::window().and_then(|w| w.match_media("(max-width: 960px)").ok().flatten());
    list.is_some_and(|m| m.matches())
}

/// What the page opens with, decided once.
#[derive(Clone, PartialEq)]
struct Boot {
    scenario: Scenario,
    banner: Option<String>,
    embed: EmbedOptions,
    playhead: Option<Playhead>,
}

fn boot() -> Boot {
    let embed = EmbedOptions::from_location();
    // Decoded once, for the scenario, its playhead and what the banner says of the link alike: a
    // percent-encoded link opened at 0 s and called its own `t=` ignored (review 43).
    let hash = link::percent_decoded(&link::current_hash());
    let fallback = |why: Option<String>| {
        let id = embed.preset.clone().unwrap_or_else(|| link::default_preset().to_string());
        let instead = |id: &str| why.as_ref().map(|w| format!("{w} Showing {id} instead."));
        match presets::get(&id) {
            Ok(sc) => (sc, instead(&id)),
            Err(e) => {
                let first = link::default_preset();
                let why = instead(first).unwrap_or_else(|| format!("Showing {first} instead."));
                (presets::all().remove(0), Some(format!("{} {why}", link::sentence(&e.to_string()))))
            }
        }
    };
    let from_link = link::scenario_from_hash(&hash);
    let from_fragment = matches!(from_link, Ok(Some(_)));
    // A refused link's playhead belonged to its scenario, not to the one shown instead.
    let link_t = if from_link.is_err() { None } else { Playhead::parse(&hash) };
    let (scenario, banner) = match from_link {
        Ok(Some(sc)) => {
            let said =
                dsplay_core::scenario::link_problems(&hash, dsplay_core::SimTime::from_ms(sc.stop_at_ms));
            (sc, (!said.is_empty()).then(|| said.iter().map(LinkProblem::said).collect::<Vec<_>>().join(" ")))
        }
        Ok(None) => fallback(None),
        Err(reason) => fallback(Some(reason)),
    };
    let playhead = link_t.or(embed.t.map(Playhead::at));
    let stop = dsplay_core::SimTime::from_ms(scenario.stop_at_ms);
    let past_end = embed
        .t
        .filter(|t| link_t.is_none() && *t > stop)
        .map(|t| LinkProblem::PastEnd { part: Playhead::at(t).to_query(), stop_at: stop }.said());
    let until_past_end = embed.until_past(stop);
    let said: Vec<String> = banner
        .into_iter()
        .chain(embed.problems.iter().cloned())
        .chain(embed.unmet(&scenario, from_fragment))
        .chain(past_end)
        .chain(until_past_end)
        .collect();
    let banner = (!said.is_empty()).then(|| said.join(" "));
    Boot { scenario, banner, embed, playhead }
}

fn make_session(b: &Boot) -> Session {
    let mut s = match Session::new(b.scenario.clone()) {
        Ok(s) => s,
        // Presets are validated by the test suite; a link's scenario was validated on decode.
        Err(_) => {
            Session::new(presets::all().remove(0)).unwrap_or_else(|_| unreachable!("presets are valid"))
        }
    };
    // A far playhead is reached over the first frames (see `travel`), not before the first paint.
    if let Some(p) = b.playhead {
        crate::travel::slice(&mut s, p);
    }
    s
}

#[function_component(App)]
pub fn app() -> Html {
    let boot = use_memo((), |_| boot());
    let reduced = use_memo((), |_| prefers_reduced_motion());
    let player = {
        let b = (*boot).clone();
        let autoplay = b.embed.autoplay && !*reduced;
        let speed = b.embed.speed.unwrap_or(1.0);
        use_player_lazy(move || make_session(&b), autoplay, speed)
    };
    {
        let (d, playhead) = (player.dispatch.clone(), boot.playhead);
        use_effect_with((), move |_| {
            if let Some(p) = playhead {
                d.emit(Action::Goto(p)); // nothing to do if the first slice got there
            }
        });
    }
    {
        // An embed that plays part of the run: from its playhead (a link's own `t=` first).
        let clip = boot.embed.clip().map(|c| Clip { from: boot.playhead.map_or(c.from, |p| p.at), ..c });
        let d = player.dispatch.clone();
        use_effect_with((), move |_| {
            if clip.is_some() {
                d.emit(Action::Clip(clip));
            }
        });
    }
    {
        // The boot's reason goes where every other notice goes, so loading anything clears it.
        let (d, why) = (player.dispatch.clone(), boot.banner.clone());
        use_effect_with((), move |_| {
            if why.is_some() {
                d.emit(Action::Notice(why));
            }
        });
    }
    {
        // `tour=1`: the embed opens on the guided tour. It plays to the first step only as
        // autoplay would: not without `autoplay=1` (review 56 C2: a lecturer who unticked "Plays
        // on its own" saw it move), nor for a reader who asks for reduced motion. It waits on
        // the tour's first card, whose Continue plays on.
        let (d, tour, still) = (player.dispatch.clone(), boot.embed.tour, *reduced || !boot.embed.autoplay);
        use_effect_with((), move |_| {
            if tour {
                d.emit(Action::Tour(crate::player::TourMove::Start));
                if still {
                    d.emit(Action::Pause);
                }
            }
        });
    }
    let help = use_state(|| false);
    let embedding = use_state(|| false);
    // A host's `theme=` wins; the full app then uses the visitor's last choice.
    let theme =
        use_state(|| boot.embed.theme.or_else(|| if boot.embed.embed { None } else { theme::remembered() }));
    let root = use_node_ref();
    use_shortcuts(player.clone(), help.clone());
    use_url_sync(&player, true);
    use_follow_hash(&player);
    use_visibility_pause(&player, root.clone());

    let theme_attr = theme.map_or("auto", theme::name);
    use_effect_with(theme_attr, |t| {
        // Charts read the theme from <html> when they pick colours.
        let html = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element());
        if let Some(el) = html {
            let _ = if *t == "auto" {
                el.remove_attribute("data-theme")
            } else {
                el.set_attribute("data-theme", t)
            };
        }
    });
    let shown_error = player.error.clone();
    // While a notice is up at the window's foot, the page and its lists scroll a focused control
    // clear of it (static/style.css). An attribute on <html>, not `html:has(.banner)`: that
    // selector was re-checked on every frame's DOM change and cost the inspected benchmark's p95
    // 17 ms a frame.
    use_effect_with(shown_error.is_some() && !boot.embed.embed, |up| {
        let html = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element());
        if let Some(el) = html {
            let _ =
                if *up { el.set_attribute("data-notice", "") } else { el.remove_attribute("data-notice") };
        }
    });
    // Present lays the stage out from the top of the page: pressed with the page scrolled down
    // (to the space-time tab, say), the stage was drawn mostly above the window (review 19).
    use_effect_with(player.presenting && !boot.embed.embed, |on| {
        if let Some(w) = web_sys::window().filter(|_| *on) {
            w.scroll_to_with_x_and_y(0.0, 0.0);
        }
    });
    // The tab, a bookmark and the browser's history name the scenario; an embed's frame is named
    // by it for a screen reader (review 22: every page was "dsplay — distributed systems, …"),
    // and an embed tells the course page, whose `<dsplay-embed>` names its frame by it too.
    {
        let session = player.session.clone();
        let embed = boot.embed.embed;
        use_effect_with(player.scenario_rev, move |_| {
            let named = session.borrow().scenario().meta.title.clone();
            if let Some(d) = web_sys::window().and_then(|w| w.document()) {
                d.set_title(&format!("{named} — dsplay"));
            }
            if embed {
                crate::embed::tell_title(&named);
            }
        });
    }
    let body = if boot.embed.embed {
        embed_body(&boot.embed)
    } else {
        full_body(&player, theme.clone(), help.clone(), embedding.clone())
    };
    html! {
        <ContextProvider<Player> context={player.clone()}>
            <div ref={root} class={classes!("app", boot.embed.embed.then_some("embed"),
                (player.presenting && !boot.embed.embed).then_some("presenting"))}
                data-theme={theme_attr}>
                if let Some(reason) = shown_error {
                    <crate::components::notice::Notice reason={reason} />
                }
                { body }
                <Status />
                // The embed's link out shares the status line's row (see embed.css): in a short
                // frame a row of its own was a row the stage did not get.
                if boot.embed.embed { <OpenInApp /> }
                <Narrator />
                if *help {
                    <Shortcuts on_close={Callback::from(move |_| help.set(false))} />
                }
                if *embedding {
                    <EmbedDialog on_close={Callback::from(move |_| embedding.set(false))} theme={*theme} />
                }
            </div>
        </ContextProvider<Player>>
    }
}

/// The tabs under the stage: Charts and Space-time always; Traces for a run that traces its
/// requests, Logs where servers publish a replicated log (Raft's), History where clients keep
/// one (key-value protocols); Compare last. The scenario's `meta.opens_on` is shown first. Keyed
/// by which tabs there are and that, so another run with other tabs, or opening on another,
/// starts them afresh.
fn run_views(traced: bool, logs: bool, history: bool, preset: &str, opens_on: RunView) -> Html {
    let mut tabs: Vec<(&'static str, Html)> =
        vec![("Charts", html! { <Charts /> }), ("Space-time", html! { <SpaceTime /> })];
    if traced {
        tabs.push(("Traces", html! { <Traces /> }));
    }
    if logs {
        tabs.push(("Logs", html! { <Logs /> }));
    }
    if history {
        tabs.push(("History", html! { <History /> }));
    }
    // Keyed by preset: another preset's Compare starts afresh (t2's "passive_check removed"
    // became "added" on t4, whose form looked the same; review 12).
    tabs.push(("Compare", html! { <Compare key={preset.to_string()} /> }));
    let labels: Vec<&'static str> = tabs.iter().map(|(l, _)| *l).collect();
    let first = match opens_on {
        RunView::Charts => 0,
        RunView::SpaceTime => 1,
    };
    let key = format!("{}:{first}", labels.join(","));
    html! {
        <Tabs {key} name="Run views" {labels} {first}>
            {for tabs.into_iter().map(|(_, panel)| panel)}
        </Tabs>
    }
}

/// `theme`: the theme chosen (none: the system's is shown), which the ◐ button switches.
fn full_body(
    p: &Player,
    theme: UseStateHandle<Option<Theme>>,
    help: UseStateHandle<bool>,
    embedding: UseStateHandle<bool>,
) -> Html {
    let (title, lesson, traced, preset, opens_on) = {
        let s = p.session.borrow();
        let sc = s.scenario();
        let m = &sc.meta;
        (m.shown_title(&sc.protocol), m.lesson.clone(), sc.protocol.traces(), m.id.clone(), m.opens_on)
    };
    let logs = p.view.nodes.iter().any(|n| n.view.log.is_some());
    let history = {
        let s = p.session.borrow();
        s.sim().keeps_history() && p.view.nodes.iter().any(|n| n.view.role == "client")
    };
    let open_help = Callback::from(move |_: MouseEvent| help.set(true));
    // The gallery's 65 presets come first in the Tab order; this jumps past them. A button, not an
    // `href="#play"` link: the fragment is the session's link.
    let skip = Callback::from(|_: MouseEvent| {
        let play = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("play"));
        if let Some(el) = play.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
    html! {
        <>
            <button class="skip" onclick={skip}>{"Skip to the player"}</button>
            <header class="top">
                <h1>{"dsplay"}</h1>
                <p class="tagline">{"distributed systems, message by message"}</p>
                <div class="spacer" />
                // One column (a phone): the gallery is under everything else; this goes to it.
                <button class="icon to-gallery" onclick={Callback::from(|_: MouseEvent| to_gallery())}
                    aria-label="Scenarios: go to the gallery" title="Scenarios">{"☰"}</button>
                <button class="present" aria-pressed={if p.presenting { "true" } else { "false" }}
                    onclick={p.dispatch.reform({ let on = p.presenting; move |_: MouseEvent| Action::Present(!on) })}
                    aria-keyshortcuts="F" title="Present: the stage across the window and drawn larger, for a projector (F)">
                    {"Present"}</button>
                <Share on_embed={Callback::from(move |_| embedding.set(true))} />
                <theme::ThemeButton {theme} />
                <button class="icon" onclick={open_help} aria-label="Help: reading the picture, shortcuts and gestures" title="Help: reading the picture, shortcuts and gestures (?)">{"?"}</button>
            </header>
            <div class="layout">
                <aside class="gallery-pane" aria-label="Scenarios"><Gallery /></aside>
                <main class="stage-pane">
                    // The player; on a wide screen the run views sit beside it (see app.css).
                    <div class="stage-col">
                        // One column (a phone): the lesson is far below the stage; its title and a way
                        // to it come first (review 14: the first screen never named the scenario).
                        <p class="phone-title">
                            <span>{title.clone()}</span>
                            <button class="to-lesson" onclick={Callback::from(|_: MouseEvent| to_lesson())}>{"Lesson ↓"}</button>
                        </p>
                        <Controls />
                        <Timeline />
                        <div class="stage">
                            <div class="stage-view"><Topology /><NodeBar details=true /><TourCard /></div>
                            <Inspector />
                        </div>
                        <div class="logs"><Faults /><EventLog /></div>
                    </div>
                    {run_views(traced, logs, history, &preset, opens_on)}
                </main>
                <aside class="side-pane" aria-label="Lesson, invariants and editor">
                    <Tabs name="Lesson, invariants and editor" labels={vec!["Lesson", "Invariants", "Editor"]}>
                        <Lesson title={title} text={lesson} />
                        <Invariants />
                        <Editor />
                    </Tabs>
                </aside>
            </div>
        </>
    }
}

/// Open the Lesson tab and focus it (the browser scrolls to it): a phone's way from the stage to
/// the lesson, a long scroll below.
fn to_lesson() {
    let doc = web_sys::window().and_then(|w| w.document());
    let tab = doc.and_then(|d| d.query_selector(".side-pane [role=tab]").ok().flatten());
    if let Some(el) = tab.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
        el.click();
        let _ = el.focus();
    }
}

/// Focus the gallery's current scenario (the browser scrolls to it): where a phone's gallery,
/// under the stage, the lesson and the charts, is reached from the header.
fn to_gallery() {
    let doc = web_sys::window().and_then(|w| w.document());
    let found = |sel: &str| doc.as_ref().and_then(|d| d.query_selector(sel).ok().flatten());
    let target = found(".gallery .preset.current").or_else(|| found(".gallery .preset"));
    if let Some(el) = target.and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

fn embed_body(o: &EmbedOptions) -> Html {
    html! {
        // The widget's landmark: a course page's own landmarks are outside its frame.
        <main class={classes!("embed-body", match o.controls {
            EmbedControls::Min => "controls-min",
            EmbedControls::Full => "controls-full",
            EmbedControls::None => "controls-none",
        })}>
            if o.controls != EmbedControls::None { <Controls /> }
            if o.controls != EmbedControls::None { <Timeline /> }
            if o.controls == EmbedControls::None { <PlayOverlay /> }
            // With controls, a node clicked gets its actions (crash, restart, pause, resume).
            if o.controls != EmbedControls::None { <NodeBar /> }
            // With full controls the charts come too, in a tab beside the network, so the widget
            // still fits its frame instead of scrolling a page of charts inside the iframe.
            if o.controls == EmbedControls::Full {
                <Tabs name="Embed views" labels={vec!["Network", "Charts"]}>
                    <Topology />
                    <Charts />
                </Tabs>
            } else {
                // Without controls the widget is a moving picture: nothing on it to press.
                <Topology looked_at={o.controls == EmbedControls::None} />
            }
            <TourCard scroll=false />
        </main>
    }
}
