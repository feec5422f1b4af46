//! The Logs tab: every server's replicated log side by side, lined up by index, as RaftScope
//! draws them, with the leader's nextIndex and matchIndex under each follower. A tab beside the
//! charts, not a section of the inspector: the inspector shows one node, and a log repair (a
//! follower's conflicting entries overwritten, nextIndex stepping back) is seen by comparing rows
//! while the run plays.
//!
//! Read from the frame's view about ten times a second while playing (as the inspector's
//! readings are), every frame while paused (a step, a seek), and not at all while the tab is
//! hidden; the table is redrawn only when what it shows changed.

mod model;
mod table;

pub use model::{read, Logs as LogsShown, Row, COLUMNS};

use super::inspector::readings::FRAMES_PER_READING;
use super::tabs::use_panel_shown;
use crate::player::Player;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[function_component(Logs)]
pub fn logs() -> Html {
    let p = use_context::<Player>();
    let shown = use_panel_shown();
    let tick = |p: &Player| if p.playing { p.frame / FRAMES_PER_READING } else { p.frame };
    let key = p.as_ref().filter(|_| shown).map(|p| (tick(p), p.playing, p.selected, p.scenario_rev));
    let view = p.as_ref().map(|p| p.view.clone());
    let selected = p.as_ref().and_then(|p| p.selected);
    let logs = use_memo(key, move |key| key.and(view).and_then(|v| read(&v, selected)));
    html! { <LogsTable {logs} /> }
}

#[derive(Properties, PartialEq)]
struct TableProps {
    logs: Rc<Option<LogsShown>>,
}

/// The table in a box that scrolls sideways, kept on the newest entries unless the reader
/// scrolled back to older ones.
#[function_component(LogsTable)]
fn logs_table(props: &TableProps) -> Html {
    let scroller = use_node_ref();
    // Kept on the action unless the reader scrolled away; `moved` is where this code last
    // scrolled to, so its own scrolling does not count as the reader's.
    let (pinned, moved) = (use_mut_ref(|| true), use_mut_ref(|| None::<i32>));
    {
        let (scroller, pinned, moved) = (scroller.clone(), pinned.clone(), moved.clone());
        use_effect_with(props.logs.clone(), move |logs| {
            let Some(el) = scroller.cast::<web_sys::HtmlElement>().filter(|_| *pinned.borrow()) else {
                return;
            };
            let conflict = logs.as_ref().as_ref().and_then(LogsShown::conflict);
            let column = |i: u64| el.query_selector(&format!("th[data-index=\"{i}\"]")).ok().flatten();
            let sticky = el.query_selector("th.who").ok().flatten().map_or(0, |w| w.client_width());
            let to = match conflict.and_then(column).and_then(|c| c.dyn_into::<web_sys::HtmlElement>().ok()) {
                Some(c) => c.offset_left() - sticky - 4,
                None => el.scroll_width(),
            };
            el.set_scroll_left(to);
            *moved.borrow_mut() = Some(el.scroll_left());
        });
    }
    let onscroll = {
        let (scroller, pinned, moved) = (scroller.clone(), pinned.clone(), moved.clone());
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<web_sys::Element>() {
                let mine = *moved.borrow() == Some(el.scroll_left());
                let at_end = el.scroll_left() + el.client_width() >= el.scroll_width() - 8;
                *pinned.borrow_mut() = mine || at_end;
            }
        })
    };
    let Some(logs) = props.logs.as_ref() else { return html! { <section class="logs-view" /> } };
    let leader = logs.leader.map_or(String::new(), |i| {
        format!(
            " Under each follower: where {}'s nextIndex (▸ next) and matchIndex stand.",
            logs.rows[i].name
        )
    });
    let key = format!(
        "A cell: the entry's term (number and colour) and command; solid once that server knows it \
         committed, hollow before, the last committed edged.{leader}"
    );
    html! {
        <section class="logs-view" aria-label="Logs">
            <p class="logs-key muted">{key}</p>
            // A Tab stop, so the arrow keys scroll back to older entries (review 22).
            <div class="logs-scroll" ref={scroller} {onscroll} tabindex="0" role="region"
                aria-label="Logs by index (scrolls sideways)">
                if logs.last >= logs.first { {table::table(logs)} } else { <p class="muted">{"Every log is empty."}</p> }
            </div>
        </section>
    }
}
