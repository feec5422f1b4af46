//! B's run saved as A's is on the Charts tab: its trace as JSON and its metrics as CSV, named
//! `…-b-trace-…` and `…-b-metrics-…` so they neither overwrite A's files nor pass for them
//! (review 45 F15: only A's run could be taken away to be counted).

use super::SharedB;
use crate::components::run_exports::{save_csv, use_trace_download};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExportBProps {
    pub b: SharedB,
    /// Bumped whenever B is rebuilt: the buttons then save the new B.
    pub built: u64,
}

#[function_component(ExportB)]
pub fn export_b(props: &ExportBProps) -> Html {
    let session = props.b.0.borrow().as_ref().map(|r| r.session.clone());
    let (on_trace, label, busy) = use_trace_download(session.clone(), "b-trace");
    let Some(session) = session else { return html! {} };
    let on_csv = Callback::from(move |_: MouseEvent| save_csv(&session.borrow(), "b-metrics"));
    html! {
        <p class="compare-exports">{"Save B's run: "}
            <button class="export-trace" onclick={on_trace} aria-busy={busy.to_string()}
                aria-label={format!("B's {label}")}>{label}</button>
            <button class="export-csv" onclick={on_csv} aria-label="B's Metrics CSV">{"Metrics CSV"}</button>
        </p>
    }
}
