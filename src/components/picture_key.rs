//! "Reading the picture": what each shape, line and mark on the stage and the timeline means, for
//! the help sheet. Each row draws a small sample in the stage's own colours beside its meaning.

use yew::prelude::*;

/// One sample: a 28×22 drawing, then what it means.
fn row(sample: Html, meaning: &'static str) -> Html {
    html! {
        <tr>
            <td><svg class="key-svg" viewBox="0 0 28 22" aria-hidden="true">{sample}</svg></td>
            <td>{meaning}</td>
        </tr>
    }
}

#[function_component(PictureKey)]
pub fn picture_key() -> Html {
    let rows = [
        row(
            html! { <rect class="k-client" x="4" y="4" width="20" height="14" rx="4" /> },
            "a client: it sends the requests",
        ),
        row(
            html! { <circle class="k-server" cx="14" cy="11" r="8" /> },
            "a server, balancer, broker or store (its role is written under it; click it to inspect it)",
        ),
        row(
            html! { <><circle class="k-server" cx="14" cy="11" r="6" /><path class="k-countdown" d="M14 1 A10 10 0 1 1 4 11" /></> },
            "a ring that drains: a timer running out (Raft's election timeout; a heartbeat fills it again), \
             in the colour of the server's term: a new term, a new colour",
        ),
        row(
            html! { <><rect class="k-log done" x="1" y="6" width="8" height="10" rx="1.5" />
            <rect class="k-log done" x="10" y="6" width="8" height="10" rx="1.5" />
            <rect class="k-log" x="19" y="6" width="8" height="10" rx="1.5" /></> },
            "under a server, its log's newest entries, each coloured by the term it was written in: solid \
             once committed, hollow before (a log far behind the others shows its own end, and says where)",
        ),
        row(html! { <circle class="k-candidate" cx="14" cy="11" r="8" /> }, "amber: a candidate, asking for votes"),
        row(
            html! { <><circle class="k-candidate" cx="12" cy="11" r="6" /><circle class="k-vote" cx="22" cy="11" r="3" />
            <circle class="k-vote" cx="12" cy="1.5" r="3" /></> },
            "dots on a candidate's rim: votes granted, each toward the server that gave it (3 of 5 with its own wins)",
        ),
        row(html! { <circle class="k-down" cx="14" cy="11" r="8" /> }, "down: crashed, until it restarts"),
        row(html! { <circle class="k-paused" cx="14" cy="11" r="8" /> }, "paused: alive but doing nothing"),
        row(
            html! { <><line class="k-link" x1="2" y1="11" x2="26" y2="11" /><circle class="k-msg" cx="16" cy="11" r="3.5" /></> },
            "a message on its way, coloured by kind (the legend names the kinds: press one to spotlight it)",
        ),
        row(
            html! { <><line class="k-link" x1="2" y1="11" x2="26" y2="11" /><rect class="k-no" x="12" y="7.5" width="7" height="7" /></> },
            "a red square: an answer that turns its request away (429 Too Many Requests, 503, a full queue, an error)",
        ),
        row(
            html! { <><circle class="k-server" cx="11" cy="11" r="6" />
            <path class="k-slot" d="M11 2 A9 9 0 0 1 20 11" /><path class="k-slot idle" d="M20 11 A9 9 0 1 1 11 2" />
            <rect class="k-pile" x="23" y="15" width="5" height="2.5" /><rect class="k-pile" x="23" y="11" width="5" height="2.5" />
            <rect class="k-pile" x="23" y="7" width="5" height="2.5" /></> },
            "round a server, a slot per worker, dark while busy; beside it, its queue as a pile (amber from three \
             quarters full, red once full and turning requests away; a long one says its length)",
        ),
        row(
            html! { <><rect class="k-bucket" x="10" y="2" width="8" height="18" rx="1.5" />
            <rect class="k-tokens" x="10" y="12" width="8" height="8" rx="1.5" /></> },
            "beside a rate limiter, a bucket per client on the link toward it: a request takes a token, tokens \
             refill at the limit's rate (a leaky bucket fills with what it holds back, a window with what \
             it counted); red-rimmed while that client's requests get 429",
        ),
        row(
            html! { <line class="k-streak" x1="2" y1="11" x2="26" y2="11" /> },
            "a fading streak: a message just delivered on this link (at 1× most hops are quicker than a frame)",
        ),
        row(
            html! { <path class="k-lost" d="M10 7 L18 15 M18 7 L10 15" /> },
            "a message lost: dropped by the network, cut off by a partition, or sent to a node that is down",
        ),
        row(
            html! { <line class="k-cut" x1="14" y1="1" x2="14" y2="21" /> },
            "a partition: the sides (tinted, and named at the stage's top left) cannot reach each other; \
             where no straight line separates them, dashed red circles ring the nodes cut off",
        ),
        row(
            html! { <circle class="k-idle" cx="14" cy="11" r="5" /> },
            "in the legend, a ring: a kind this run has sent, none on the wire right now",
        ),
        row(
            html! { <><circle class="k-event" cx="7" cy="11" r="4" /><circle class="k-by-hand" cx="21" cy="11" r="4" /></> },
            "on the timeline, a dot: a scripted event (a ring: done by hand; grey: drawn by chaos; red: a \
             broken invariant), and a bar after it while its fault lasts (a node down until its restart, a cut \
             until the heal). Hover one to read it, click it to go there",
        ),
        row(
            html! { <rect class="k-slow" x="1" y="7" width="26" height="8" rx="2" /> },
            "on the timeline, a hatched stretch: a key moment played in slow motion",
        ),
    ];
    html! {
        <table class="picture-key">{for rows}</table>
    }
}
