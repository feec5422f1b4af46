//! A run's Trace JSON and Metrics CSV downloads: the page's run (the Charts tab) or Compare's B.
//! The trace is replayed keeping every message and written in slices, so a long run neither
//! freezes the page nor saves without its payloads; the button's label says how far it has got.

use crate::export::{download_text, export_stem, metrics_csv, trace_json_sliced};
use dsplay_core::session::Session;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The Trace JSON button of the run in `session`: its click, its label, and whether an export is
/// under way. `what` names the file (`trace`, or `b-trace` for Compare's B).
#[hook]
pub fn use_trace_download(
    session: Option<Rc<RefCell<Session>>>,
    what: &'static str,
) -> (Callback<MouseEvent>, String, bool) {
    // What it is doing (replaying, writing) and the share done.
    let preparing = use_state(|| None::<(&'static str, u8)>);
    let click = {
        let preparing = preparing.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(session) = &session else { return };
            if preparing.is_some() {
                return;
            }
            let s = session.borrow();
            // What the click asked for: the run and playhead of now, whatever happens meanwhile.
            let name = format!("{}.json", export_stem(&s, what));
            preparing.set(Some(("replaying", 0)));
            let (busy, over) = (preparing.clone(), preparing.clone());
            trace_json_sliced(
                &s,
                move |doing, p| busy.set(Some((doing, p))),
                move |text| {
                    download_text(&name, "application/json", &text).ok();
                    over.set(None);
                },
            );
        })
    };
    let label = match *preparing {
        Some((doing, p)) => format!("Trace JSON: {doing} {p} %"),
        None => "Trace JSON".to_string(),
    };
    (click, label, preparing.is_some())
}

/// Save the metrics of the run in `session` as CSV (`what`: `metrics`, or `b-metrics`).
pub fn save_csv(session: &Session, what: &str) {
    let csv = metrics_csv(session.sim().metrics(), session.sim().node_names());
    download_text(&format!("{}.csv", export_stem(session, what)), "text/csv", &csv).ok();
}
