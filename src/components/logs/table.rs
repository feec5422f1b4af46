//! The logs table: one row per server, one column per index. Each cell holds the entry's term
//! (its colour too, but the number is what to read) and its command, solid once this server
//! knows it committed, hollow before; under each follower, where the marked leader's nextIndex
//! (▸ next) and matchIndex (match) stand.

use super::model::{Logs, Row};
use crate::components::inspector::clipped;
use dsplay_core::view::{PeerProgress, Status};
use yew::prelude::*;

/// Most characters of a command written in a cell (the whole is in its title).
const CMD_SHOWN: usize = 5;

pub fn table(logs: &Logs) -> Html {
    let indices = logs.first..=logs.last;
    let leader = logs.leader.map(|i| logs.rows[i].name.as_str());
    let caption = match leader {
        Some(l) => format!(
            "Logs by index, {}–{}; ▸ next and match: where {l} stands with each follower",
            logs.first, logs.last
        ),
        None => format!("Logs by index, {}–{}", logs.first, logs.last),
    };
    let rows = logs.rows.iter().enumerate().map(|(i, row)| {
        let marks = logs.progress(i).map(|p| progress_row(row, p, leader.unwrap_or_default(), logs));
        html! { <>{server_row(row, i, logs)}{for marks}</> }
    });
    html! {
        <table class="logs-table">
            <caption class="sr-only">{caption}</caption>
            <thead><tr><th scope="col" class="who">{"index"}</th>
                {for indices.map(|i| html! { <th scope="col" data-index={i.to_string()}>{i}</th> })}</tr></thead>
            <tbody>{for rows}</tbody>
        </table>
    }
}

fn server_row(row: &Row, i: usize, logs: &Logs) -> Html {
    let (t, marked) = (&row.tail, Some(i) == logs.leader);
    let class = classes!("server", marked.then_some("marked"), (row.status != Status::Up).then_some("off"));
    let cut = row.reaches.as_ref().filter(|_| logs.cut_off(i)).map(|r| {
        html! { <span class="badge alert" title={format!("partitioned: reaches only {}", r.join(", "))}>{"cut off"}</span> }
    });
    let cells = (logs.first..=logs.last).map(|index| {
        let Some(term) = t.term(index) else { return html! { <td class="none" /> } };
        let committed = index <= t.commit;
        let cmd = t.cmd(index).unwrap_or_default();
        let state = if committed { "committed" } else { "not committed" };
        let title = format!("index {index} · term {term} · {cmd} · {state}");
        let class = classes!(
            "entry",
            format!("term-{}", term % 6),
            committed.then_some("committed"),
            (index == t.commit).then_some("commit-edge")
        );
        // A screen reader reads the whole entry, the eye the term and the command's start
        // (review 22: the full command was in the tooltip only).
        html! { <td {class} title={title.clone()}><span class="sr-only">{title}</span>
        <b aria-hidden="true">{term}</b><small aria-hidden="true">{clipped(cmd, CMD_SHOWN)}</small></td> }
    });
    html! {
        <tr {class} data-node={row.name.clone()}>
            <th scope="row" class="who">
                <span class="name">{&row.name}</span>
                <span class="badge role">{&row.role}</span>
                {for cut}
                <span class="said">{&row.label}</span>
                <span class="said">{format!("commit {} · last {}", t.commit, t.last())}</span>
            </th>
            {for cells}
        </tr>
    }
}

/// The marks under a follower's row: the cells at the leader's nextIndex and matchIndex for it.
fn progress_row(row: &Row, p: PeerProgress, leader: &str, logs: &Logs) -> Html {
    let said = format!("next {} · match {}", p.next, p.matched);
    // A mark left of the shown indices (a follower far behind) is said in the first cell.
    let before = |at: u64| at < logs.first && at > 0;
    let cells = (logs.first..=logs.last).map(|index| match index {
        i if i == p.next => html! { <td class="next">{"▸ next"}</td> },
        i if i == p.matched => html! { <td class="match">{"match"}</td> },
        i if i == logs.first && before(p.next) => {
            html! { <td class="next">{format!("◂ next {}", p.next)}</td> }
        }
        i if i == logs.first && before(p.matched) => {
            html! { <td class="match">{format!("◂ match {}", p.matched)}</td> }
        }
        _ => html! { <td /> },
    });
    html! {
        <tr class="progress" data-follower={row.name.clone()} data-next={p.next.to_string()} data-match={p.matched.to_string()}>
            <th scope="row" class="who"><span class="sr-only">{format!("{} as {leader} sees it: ", row.name)}</span><span class="said">{said}</span></th>
            {for cells}
        </tr>
    }
}
