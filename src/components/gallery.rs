//! The gallery: every preset, grouped by catalog area (D, T, R, E), searchable by title, id or
//! concept. Choosing one loads it into the player, in a new history entry (Back returns to the
//! scenario before); the preset on screen is highlighted.

use crate::player::{Action, Player};
use dsplay_core::{concepts, presets};
use std::sync::OnceLock;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

/// One preset as the gallery lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: &'static str,
    pub title: String,
    pub concepts: Vec<String>,
    /// The concepts by name ("D4 Raft"), one a line: the tags' tooltip.
    pub named: String,
    /// Lower-case text a search looks in: title, id, concept ids, names and their other words.
    hay: String,
}

/// The catalog areas, in display order: (letter, name).
pub const AREAS: &[(char, &str)] =
    &[('D', "Distributed data"), ('T', "Traffic"), ('R', "Resilience"), ('E', "Events")];

/// Every preset's entry, parsed once.
pub fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        presets::ids()
            .map(|id| {
                let meta = presets::get(id).map(|sc| sc.meta).unwrap_or_default();
                let title = if meta.title.is_empty() { id.to_string() } else { meta.title };
                let known = || meta.concepts.iter().filter_map(|c| concepts::get(c));
                let named = known().map(|c| format!("{} {}", c.id, c.name)).collect::<Vec<_>>().join("\n");
                let words = known().map(|c| format!("{} {}", c.name, c.words)).collect::<Vec<_>>().join(" ");
                let hay = format!("{title} {id} {} {words}", meta.concepts.join(" ")).to_lowercase();
                Entry { id, title, concepts: meta.concepts, named, hay }
            })
            .collect()
    })
}

/// The area letter of an entry: its first concept's letter, else its id's.
pub fn area_of(e: &Entry) -> char {
    e.concepts
        .first()
        .and_then(|c| c.chars().next())
        .or_else(|| e.id.chars().next())
        .map_or('?', |c| c.to_ascii_uppercase())
}

/// Does `e` match the search text (case-insensitive, every word somewhere in its title, id,
/// concepts, or their names and other words: "consensus" finds the Raft lessons)?
pub fn matches(e: &Entry, query: &str) -> bool {
    query.to_lowercase().split_whitespace().all(|w| e.hay.contains(w))
}

/// Catalog order within an area: by first concept (D1 < D2 < D10), then gallery order.
fn concept_rank(e: &Entry) -> u32 {
    e.concepts.first().and_then(|c| c.get(1..)).and_then(|n| n.parse().ok()).unwrap_or(u32::MAX)
}

/// Scroll the gallery's pane (never the page) so the current preset's button is in sight: a
/// preset opened from a link may sit far down the list. Its area's heading goes to the top of the
/// pane when the button then still shows (the list starts cleanly at "T Traffic", not mid-card);
/// otherwise the button is centred.
fn reveal_current(nav: &NodeRef) {
    let Some(nav) = nav.cast::<Element>() else { return };
    let (Ok(Some(pane)), Ok(Some(button))) =
        (nav.closest(".gallery-pane"), nav.query_selector(".preset.current"))
    else {
        return;
    };
    let (p, b) = (pane.get_bounding_client_rect(), button.get_bounding_client_rect());
    // The search box and the area chips stay at the pane's top (sticky): what shows starts below.
    let search = nav.query_selector(".gallery-head").ok().flatten();
    let sticks = |s: &Element| {
        let style = web_sys::window().and_then(|w| w.get_computed_style(s).ok().flatten());
        style.and_then(|st| st.get_property_value("position").ok()).as_deref() == Some("sticky")
    };
    let sticky = search.filter(sticks).map_or(0.0, |s| s.get_bounding_client_rect().height() + 6.0);
    let top = p.top() + sticky;
    if b.top() >= top && b.bottom() <= p.bottom() {
        return;
    }
    let heading = button.closest(".area").ok().flatten().and_then(|a| a.query_selector("h2").ok().flatten());
    // Below the fade under the head (gallery.css, 1.75rem once the list has moved), which had
    // greyed the very heading put there: the home page opened on a faded "T Traffic".
    let to_heading = heading.map(|h| h.get_bounding_client_rect().top() - top - 4.0 - head_fade_px());
    let by = match to_heading {
        Some(by) if b.bottom() - by <= p.bottom() => by,
        _ => b.top() - top - (p.bottom() - top - b.height()) / 2.0,
    };
    pane.set_scroll_top(pane.scroll_top() + by as i32);
}

/// Where the list goes when the search changes. The pane (or, in one column, the page) had kept
/// its scroll, so "cl" opened mid-list with the first matches out of sight above (review 36 C),
/// and on a phone "re" left its first match 1,685 px above the screen (review 40 C1). Cleared,
/// the open scenario is brought back in sight, in one column too (review 40 C2).
fn after_search(nav: &NodeRef, cleared: bool) {
    let Some(nav_el) = nav.cast::<Element>() else { return };
    let pane =
        nav_el.closest(".gallery-pane").ok().flatten().filter(|p| p.scroll_height() > p.client_height());
    let scroll = |el: &Element, block: web_sys::ScrollLogicalPosition| {
        let opts = web_sys::ScrollIntoViewOptions::new();
        opts.set_block(block);
        el.scroll_into_view_with_scroll_into_view_options(&opts);
    };
    match (pane, cleared) {
        (Some(pane), false) => pane.set_scroll_top(0),
        (Some(_), true) => reveal_current(nav),
        // One column: the page scrolls. The search box and the first matches at the top, when
        // the list's start has gone above the screen.
        (None, false) if nav_el.get_bounding_client_rect().top() < 0.0 => {
            scroll(&nav_el, web_sys::ScrollLogicalPosition::Start)
        }
        (None, false) => {}
        (None, true) => {
            if let Ok(Some(button)) = nav_el.query_selector(".preset.current") {
                scroll(&button, web_sys::ScrollLogicalPosition::Center);
            }
        }
    }
}

/// The height of the fade under the gallery's sticky head (`.gallery-head::after`: 1.75rem).
fn head_fade_px() -> f64 {
    let root = web_sys::window().and_then(|w| {
        let html = w.document()?.document_element()?;
        w.get_computed_style(&html).ok()??.get_property_value("font-size").ok()
    });
    1.75 * root.and_then(|px| px.trim_end_matches("px").parse::<f64>().ok()).unwrap_or(16.0)
}

#[function_component(Gallery)]
pub fn gallery() -> Html {
    use_context::<Player>().map_or_else(Html::default, |player| html! { <GalleryOf {player} /> })
}

#[function_component(GalleryOf)]
fn gallery_of(props: &super::OfPlayer) -> Html {
    let player = &props.player;
    let query = use_state(String::new);
    let current: AttrValue = player.session.borrow().scenario().meta.id.clone().into();
    // The open preset changed from how it ships (review 30 C2: an author's own version was marked
    // as the preset, with nothing to tell them apart).
    let edited = {
        let session = player.session.clone();
        *use_memo(player.scenario_rev, move |_| !presets::as_shipped(session.borrow().scenario()))
    };
    let nav = use_node_ref();
    use_effect_with(current.clone(), {
        let nav = nav.clone();
        move |_| reveal_current(&nav)
    });
    // A search shows its matches from the first; cleared, the list comes back to the open
    // scenario. Not on mounting, where the effect above has placed the list.
    let mounted = use_mut_ref(|| false);
    use_effect_with((*query).clone(), {
        let nav = nav.clone();
        move |q: &String| {
            if std::mem::replace(&mut *mounted.borrow_mut(), true) {
                after_search(&nav, q.is_empty());
            }
        }
    });
    let on_search = {
        let query = query.clone();
        Callback::from(move |e: InputEvent| query.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    // The player changes every frame of playback, the list only with the preset or the search:
    // the pick callback stays the same and reads the latest player when it runs, so the list is
    // not rendered again each frame.
    let latest = use_mut_ref(|| player.clone());
    *latest.borrow_mut() = player.clone();
    // Each scenario opened from the gallery gets a history entry of its own: Back returns to the
    // one before (the page follows the address bar).
    let pick = use_callback((), move |id: &'static str, _| {
        let p = latest.borrow().clone();
        if let Ok(sc) = presets::get(id) {
            if !crate::components::editor::may_discard_edits(&format!("“{}”", sc.meta.title)) {
                return;
            }
            crate::urlsync::new_entry(&crate::urlsync::fragment(&p));
            p.dispatch.emit(Action::Load(sc));
            back_to_the_stage();
        }
    });
    html! {
        <nav class="gallery" aria-label="Scenario gallery" ref={nav}>
            <div class="gallery-head">
                <input type="search" class="gallery-search" placeholder="Search title, topic or concept"
                       aria-label="Search scenarios" value={(*query).clone()} oninput={on_search}
                       onkeydown={Callback::from(down_to_the_list)} />
                <AreaJumps />
            </div>
            <Areas {current} {edited} query={AttrValue::from((*query).clone())} {pick} />
        </nav>
    }
}

/// One chip per area, which scrolls its heading to the top: opened on a T preset, the pane starts at
/// "T Traffic", and the 21 D presets above it gave no sign of being there.
#[function_component(AreaJumps)]
fn area_jumps() -> Html {
    let jump = |letter: char| {
        Callback::from(move |e: MouseEvent| {
            // The target, not the current target: yew listens at the app's root.
            let Some(chip) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
            let up = |sel: &str| chip.closest(sel).ok().flatten();
            let gallery = up(".gallery");
            let find = |sel: &str| gallery.as_ref().and_then(|g| g.query_selector(sel).ok().flatten());
            let Some(section) = find(&format!(".area[data-area='{letter}']")) else { return };
            match up(".gallery-pane").filter(|p| p.scroll_height() > p.client_height()) {
                // A pane that scrolls (beside the stage) scrolls, never the page, which would
                // move the stage.
                Some(pane) => {
                    let head =
                        find(".gallery-head").map_or(0.0, |h| h.get_bounding_client_rect().height() + 6.0);
                    let by = section.get_bounding_client_rect().top()
                        - pane.get_bounding_client_rect().top()
                        - head
                        - head_fade_px();
                    pane.set_scroll_top(pane.scroll_top() + by as i32);
                }
                // One column, where the pane is as long as its list: the page scrolls (the
                // heading stops under the sticky head: its `scroll-margin-top`).
                None => {
                    let opts = web_sys::ScrollIntoViewOptions::new();
                    opts.set_block(web_sys::ScrollLogicalPosition::Start);
                    section.scroll_into_view_with_scroll_into_view_options(&opts);
                }
            }
        })
    };
    html! {
        <div class="area-jumps" role="group" aria-label="Go to an area">
            { for AREAS.iter().map(|&(letter, name)| html! {
                <button type="button" class="jump" data-jump={letter.to_string()} title={name}
                    aria-label={format!("{letter}: {name}")} onclick={jump(letter)}>
                    <span class="letter">{letter}</span>{" "}<span class="name">{name}</span>
                </button>
            }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct AreasProps {
    current: AttrValue,
    /// The current one is an edited version of its preset.
    edited: bool,
    query: AttrValue,
    pick: Callback<&'static str>,
}

/// How long typing rests before the count of matches is said.
const REST_MS: u32 = 700;

/// Whether `query` has stayed as it is for [`REST_MS`].
#[hook]
fn use_rested(query: &AttrValue) -> bool {
    let rested = use_state_eq(|| None::<AttrValue>);
    {
        let rested = rested.clone();
        use_effect_with(query.clone(), move |q| {
            let q = q.clone();
            let rest = gloo::timers::callback::Timeout::new(REST_MS, move || rested.set(Some(q)));
            move || drop(rest)
        });
    }
    rested.as_ref() == Some(query)
}

/// The presets matching the search, by area, the current one marked.
#[function_component(Areas)]
fn areas(props: &AreasProps) -> Html {
    let shown: Vec<&Entry> = entries().iter().filter(|e| matches(e, &props.query)).collect();
    // One tab stop for the whole list (review 19: 67 Tabs to get past it): the open scenario, or
    // the first shown (by area, then catalog order, as drawn); the arrows move between the rest
    // (see `arrows`).
    let first_drawn = AREAS.iter().find_map(|(letter, _)| {
        shown.iter().filter(|e| area_of(e) == *letter).min_by_key(|e| concept_rank(e))
    });
    let stop = shown.iter().find(|e| e.id == props.current.as_str()).or(first_drawn).map(|e| e.id);
    let groups = AREAS.iter().filter_map(|(letter, name)| {
        let mut items: Vec<&&Entry> = shown.iter().filter(|e| area_of(e) == *letter).collect();
        if items.is_empty() {
            return None;
        }
        items.sort_by_key(|e| concept_rank(e));
        let list = items.into_iter().map(|e| {
            let here = e.id == props.current.as_str();
            let concepts = e.concepts.join(" ");
            let id = e.id;
            let tabindex = if stop == Some(id) { "0" } else { "-1" };
            html! {
                <li key={e.id}>
                    <button type="button" class={classes!("preset", here.then_some("current"))}
                            data-id={e.id} aria-current={here.then_some("true")} {tabindex}
                            title={e.id} onclick={props.pick.reform(move |_: MouseEvent| id)}>
                        <span class="concepts" title={e.named.clone()}>{concepts}</span>
                        <span class="title">{e.title.clone()}</span>
                        if here && props.edited {
                            <span class="edited" title="Your run differs from the preset as it ships: pick it to open the original">{"edited"}</span>
                        }
                    </button>
                </li>
            }
        });
        Some(html! {
            <section key={letter.to_string()} class="area" data-area={letter.to_string()} aria-label={*name}>
                <h2><span class="letter">{*letter}</span>{" "}{*name}</h2>
                <ul>{ for list }</ul>
            </section>
        })
    });
    let groups: Vec<Html> = groups.collect();
    // Said as the search narrows the list (review 22: only "No scenario matches" was); the region
    // is always there, so a screen reader hears its first change too. Said once typing rests:
    // a count per letter ("30 scenarios match", "12 scenarios match", …) talked over the typing
    // (review 41).
    let rested = use_rested(&props.query);
    let matching = match shown.len() {
        _ if props.query.trim().is_empty() || groups.is_empty() || !rested => String::new(),
        1 => "1 scenario matches".to_string(),
        n => format!("{n} scenarios match"),
    };
    html! {
        <div class="areas" onkeydown={Callback::from(arrows)}>
            <p class="sr-only" role="status">{matching}</p>
            if groups.is_empty() {
                <p class="empty" role="status">{"No scenario matches."}</p>
            } else {
                { for groups }
            }
        </div>
    }
}

/// ↑ and ↓ on a scenario move the focus to the one above or below it (across areas), Home and End
/// to the first and the last shown, as in a list box; the page does not scroll, and Home does not
/// restart the run (`keys::claimed_by_focus`).
fn arrows(e: KeyboardEvent) {
    let Some(at) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return };
    let Some(list) =
        at.closest(".areas").ok().flatten().filter(|_| at.matches("button.preset").unwrap_or(false))
    else {
        return;
    };
    crate::focus::rove(&e, &at, &list, "button.preset", crate::focus::Arrows::UpDown);
}

/// ↓ in the search box goes to the list's tab stop (the open scenario, or the first match).
fn down_to_the_list(e: KeyboardEvent) {
    let Some(box_) = e.target().and_then(|t| t.dyn_into::<Element>().ok()).filter(|_| e.key() == "ArrowDown")
    else {
        return;
    };
    let stop = box_.closest(".gallery").ok().flatten().and_then(|g| {
        g.query_selector(".areas button.preset[tabindex='0']")
            .ok()
            .flatten()?
            .dyn_into::<web_sys::HtmlElement>()
            .ok()
    });
    if let Some(stop) = stop {
        e.prevent_default();
        let _ = stop.focus();
    }
}

/// In one column (a phone) the gallery is under the stage, the lesson and the charts: a scenario
/// picked there is shown by going back up to Play (focused, so the keyboard is there too). Beside
/// the stage, the gallery keeps the focus, to pick another.
fn back_to_the_stage() {
    if crate::shell::one_column() {
        crate::focus::move_to(vec!["#play".into()]);
    }
}
