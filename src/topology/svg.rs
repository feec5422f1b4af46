//! The SVG layer of the topology: region boxes, the ring, partition cuts, blocked links, nodes,
//! the lasso; plus the kind legend and the partition toolbar.

use super::cuts::{cut_lines, islands};
use super::layout::{tier, Layout};
use super::particles::{Arrival, KindColours, DARK_PALETTE, PALETTE};
use super::{aria_label, load, log_strip, shown_role, status_word, PartitionMode};
use crate::player::{Action, Player};
use dsplay_core::view::{LinkView, MsgView, NodeState, Status, WorldView};
use dsplay_core::{NodeId, ScenarioEvent, SimTime};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Average advance of a label character (10.5 px sans-serif), a little generous.
const LABEL_CHAR_W: f64 = 5.9;
/// How many badges node `i` can stack above its rim (1 to 3, each 16 px) before they reach the
/// label lines of the nearest node above it in its column (`r`: the node radius; labels end
/// about `LABEL_DY` + 4 below a rim). Without this, two alerts on a projection of E4 ran over the
/// writer's labels.
pub fn badge_rows(pos: &[(f64, f64)], i: usize, r: f64) -> usize {
    let (x, y) = pos[i];
    let gap = pos
        .iter()
        .enumerate()
        .filter(|&(j, &(u, v))| j != i && (u - x).abs() < 2.0 * r && v < y)
        .map(|(_, &(_, v))| y - v)
        .fold(f64::INFINITY, f64::min);
    // Free height between this rim and the labels above; the first badge (14 px) sits on the rim.
    let free = gap - 2.0 * r - (LABEL_DY + 4.0);
    1 + ((free - 7.0) / 16.0).clamp(0.0, 2.0) as usize
}

/// The width to squeeze a label into (`textLength`), when it would not fit its room otherwise.
pub fn label_squeeze(label: &str, room: f64) -> Option<f64> {
    let wide = LABEL_CHAR_W * label.chars().count() as f64;
    (wide > room).then_some(room.max(40.0))
}

/// Average advance of a bold sans-serif character, in ems, a little generous.
const NAME_EM: f64 = 0.62;
/// The smallest font a name inside its node is drawn at.
const NAME_MIN_PX: f64 = 8.0;

/// A node's name inside its shape, `room` px wide: at the usual size if it fits, else smaller, and
/// at the smallest size cut with "…" (the full name is in the node's tooltip and the inspector).
pub fn name_fit(name: &str, room: f64, usual_px: f64) -> (f64, String) {
    let fits_at = fits_at(name, room);
    if fits_at >= usual_px {
        return (usual_px, name.to_string());
    }
    if fits_at >= NAME_MIN_PX {
        return (fits_at.floor(), name.to_string());
    }
    let keep = ((room / (NAME_EM * NAME_MIN_PX)).floor() as usize).saturating_sub(1).max(1);
    (NAME_MIN_PX, name.chars().take(keep).chain(std::iter::once('…')).collect())
}

/// A click that picks node `i` (and goes no further: the stage would take it as a click on
/// nothing).
fn pick(on: &Callback<usize>, i: usize) -> Callback<MouseEvent> {
    let on = on.clone();
    Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        on.emit(i)
    })
}

/// An invisible click target around node `i`'s shape and the text under it, beneath every node:
/// small nodes in a crowd (and their labels, which take no clicks) are otherwise easy to miss, and
/// a shape always wins over a neighbour's target.
fn hit_area(i: usize, lay: &Layout, on: &Callback<usize>) -> Html {
    let ((x, y), r) = (lay.pos.get(i).copied().unwrap_or_default(), lay.r);
    let (half_w, below) =
        ((r + 6.0).max(24.0), if r >= 15.0 { r + LABEL_DY + 4.0 } else { r + ROLE_DY + 4.0 });
    html! { <rect x={format!("{:.1}", x - half_w)} y={format!("{:.1}", y - r - 4.0)}
    width={format!("{:.1}", 2.0 * half_w)} height={format!("{:.1}", below + r + 4.0)}
    onclick={pick(on, i)} /> }
}

/// The font size at which `name` fills `room` px.
fn fits_at(name: &str, room: f64) -> f64 {
    room / (NAME_EM * name.chars().count().max(1) as f64)
}

/// Arrow keys on a node the keyboard reached move the focus to the next or previous node (Home and
/// End: the first and last), so a stage of 50 nodes is one Tab stop, not 50, and Tab goes on to
/// the inspector (review 22: 19 Tabs from a node to its inspector). After a click on a node the
/// arrows still step the run, as everywhere else (`keys::claimed_by_focus`).
fn arrows(e: &KeyboardEvent) {
    use wasm_bindgen::JsCast;
    if !crate::keys::focused_by_keyboard() {
        return;
    }
    let Some(at) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    if let Some(nodes) = at.parent_element() {
        crate::focus::rove(e, &at, &nodes, ":scope > [data-node]", crate::focus::Arrows::All);
    }
}

/// The usual size of a name inside a node of radius `r`.
fn usual_name_px(r: f64) -> f64 {
    (r * 0.46).clamp(9.0, 13.0)
}

/// The size of the names inside each tier's nodes (by [`tier`]): the size its longest name fits at,
/// so names side by side in a row are one size (d10's "c1-africa" small beside "c1-us" large read
/// as two kinds of node). A name cut even at the smallest size does not shrink its row.
fn name_px_by_tier(view: &WorldView, r: f64) -> [f64; 5] {
    let mut px = [usual_name_px(r); 5];
    for n in &view.nodes {
        let fits = fits_at(&n.name, 1.75 * r);
        let t = usize::from(tier(&n.view.role)).min(4);
        if fits >= NAME_MIN_PX {
            px[t] = px[t].min(fits.floor());
        }
    }
    px
}

/// Baselines of a node's role and label lines below its rim (the partition cut keeps clear of
/// them, see `body`).
const ROLE_DY: f64 = 13.0;
const LABEL_DY: f64 = 25.0;

/// The top of a node's log strip below its centre (see `log_strip`).
const LOG_DY: f64 = log_strip::BELOW_CENTRE;

/// Node `i`, its name drawn at its tier's size (`name_px`, see [`name_px_by_tier`]), its log
/// strip (if it publishes a log) showing the indices `logs`. The stage is one Tab stop (`stop`:
/// the selected node, or the first): the arrows move between its nodes (see [`arrows`]).
fn node(
    view: &WorldView,
    i: usize,
    lay: &Layout,
    (name_px, logs): (&[f64; 5], Option<(u64, u64)>),
    (sel, picked, stop): (bool, bool, bool),
    on: Option<&Callback<usize>>,
) -> Html {
    let n = &view.nodes[i];
    // Only nodes drawn large (at most 30 of them) show a label.
    let squeeze = (lay.r >= 15.0).then(|| label_squeeze(&n.view.label, lay.room(i))).flatten();
    let (x, y) = lay.pos.get(i).copied().unwrap_or_default();
    let r = lay.r;
    let groups = view.nodes.iter().any(|m| m.group != 0);
    let class = classes!(
        "node",
        status_word(n.status),
        format!("tier-{}", tier(&n.view.role)),
        // Standing for election: drawn apart from the followers it is asking (review 14).
        (n.view.role == "candidate").then_some("candidate"),
        groups.then(|| format!("grp-{}", n.group % 6)),
        // The colour of its term, for its countdown ring and vote dots (its log cells have it).
        n.view.term.map(|t| format!("term-{}", t % 6)),
        sel.then_some("selected"),
        picked.then_some("picked"),
    );
    let onclick = on.map(|on| pick(on, i));
    let onkeydown = on.cloned().map(|on| {
        Callback::from(move |e: KeyboardEvent| {
            // Space after a click on the node is the page's play/pause (see `keys`).
            let target = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
            let space = e.key() == " " && target.is_some_and(|el| crate::keys::space_presses(&el));
            if e.key() == "Enter" || space {
                e.prevent_default();
                on.emit(i);
            } else {
                arrows(&e);
            }
        })
    });
    // A stage only looked at (no `on`) draws its nodes as pictures: no Tab stop, no button to
    // press, nothing the node keys could act on (review 22: X on Compare's run B crashed A's n2).
    // The letters that act on a focused node (see `keys`) are named for a screen reader, which
    // otherwise learns that X crashes it only from Help (review 41 C7).
    let (tabindex, node_role, pressed, shortcuts) = match on {
        Some(_) => (
            Some(if stop { "0" } else { "-1" }),
            "button",
            Some(if sel || picked { "true" } else { "false" }),
            Some("Enter X P T C"),
        ),
        None => (None, "img", None, None),
    };
    let shape = if tier(&n.view.role) == 0 {
        html! { <rect class="shape" x={(-r).to_string()} y={(-r * 0.8).to_string()} width={(2.0 * r).to_string()}
        height={(1.6 * r).to_string()} rx={(r * 0.35).to_string()} /> }
    } else {
        html! { <circle class="shape" r={r.to_string()} /> }
    };
    let countdown = countdown_ring(n, view.now, r);
    let votes = vote_dots(n, (x, y), &lay.pos, r);
    // A server's workers and queue, while it is up (a crashed one holds nothing), and its
    // buckets: only on nodes drawn large, as labels are. A crowd's small nodes have no room, and
    // at 45 backends their rings and piles, changing every frame, doubled the frame time
    // (bench-ui: median 16.7 → 33.3 ms).
    let large = r >= 15.0;
    let work = n.view.work.filter(|_| large && n.status != Status::Down).map(|w| load::work(&w, r));
    let named = |k: usize| view.nodes.get(k).map_or_else(String::new, |m| m.name.clone());
    let gauges = large.then(|| load::gauges(n, (x, y), lay, view.now, &named));
    // Only where the label line is drawn (a crowd's small nodes have no room under them) and
    // the strip clears the other nodes.
    let log = n
        .view
        .log
        .as_ref()
        .zip(logs)
        .filter(|_| r >= 15.0 && log_strip::has_room(&lay.pos, i, r, r + LOG_DY));
    let room = || log_strip::room_right(&lay.pos, i, r, r + LOG_DY);
    let log = log.map(|(tail, shown)| log_strip::strip(tail, shown, r + LOG_DY, room()));
    let (fs, name) = name_fit(&n.name, 1.75 * r, name_px[usize::from(tier(&n.view.role)).min(4)]);
    let role = role_line(&n.name, shown_role(n), name != n.name);
    // Squeezed beside a neighbour as the label line is, whether or not the name was cut: e5's
    // "inventory service" ran into "notification service" beside it. A crowd's small node drops
    // the line where squeezing would leave it unreadable: r4-backoff-contention's 200 clients
    // drew "none-1 · client" across three neighbours each (its name is inside, in its tooltip
    // and in the inspector).
    let role_room = lay.room(i);
    let role_shown = lay.r >= 15.0 || LABEL_CHAR_W * role.chars().count() as f64 <= 1.5 * role_room;
    let role_squeeze = label_squeeze(&role, role_room);
    let badges = badges(n, lay, i);
    html! {
        <g key={n.name.clone()} {class} transform={format!("translate({x:.1} {y:.1})")} {tabindex} role={node_role}
            aria-label={aria_label(n)} aria-pressed={pressed} aria-keyshortcuts={shortcuts}
            data-node={n.name.clone()} {onclick} {onkeydown}>
            <title>{aria_label(n)}</title>
            {shape}
            {countdown}
            {votes}
            {for work}
            {for gauges}
            <text class="name" y={(fs * 0.35).to_string()} font-size={fs.to_string()}>{name}</text>
            if role_shown { <text class="role" y={(r + ROLE_DY).to_string()}
                textLength={role_squeeze.map(|w| format!("{w:.0}"))}
                lengthAdjust={role_squeeze.map(|_| "spacingAndGlyphs")}>{role}</text> }
            if lay.r >= 15.0 { <text class="label" y={(r + LABEL_DY).to_string()}
                textLength={squeeze.map(|w| format!("{w:.0}"))}
                lengthAdjust={squeeze.map(|_| "spacingAndGlyphs")}>{&n.view.label}</text> }
            {for log}
            {badges}
        </g>
    }
}

/// Node `i`'s alerts and badges, stacked up from its rim as far as there is room: those that do
/// not fit are counted on the last one shown (all are in the node's tooltip and the inspector).
fn badges(n: &NodeState, lay: &Layout, i: usize) -> Html {
    let r = lay.r;
    let alerts = n.view.alerts.iter().map(|b| (b.as_str(), "badge alert"));
    let tags: Vec<(&str, &str)> = alerts.chain(n.view.badges.iter().map(|b| (b.as_str(), "badge"))).collect();
    let rows = if tags.is_empty() { 0 } else { badge_rows(&lay.pos, i, r).min(tags.len()) };
    let hidden = tags.len() - rows;
    // A badge wider than the room beside the node's neighbours is squeezed into it, as labels are
    // (in a 720 px embed, 2PC's "in doubt: order 64 (+2)" ran under the next node's badge).
    let room = if tags.is_empty() { 0.0 } else { lay.room(i) };
    let badges = tags.iter().take(rows).enumerate().map(|(k, &(b, class))| {
        let b = if k + 1 == rows && hidden > 0 { format!("{b} (+{hidden} more)") } else { b.to_string() };
        let natural = 8.0 + 6.2 * b.chars().count() as f64;
        let w = if natural > room { room.max(40.0) } else { natural };
        let squeeze = (w < natural).then(|| format!("{:.0}", w - 8.0));
        // The first badge sits on the node's rim, more stack upwards.
        let by = -r - 16.0 * k as f64;
        html! { <g {class} transform={format!("translate(0 {by})")}>
        <rect x={(-w / 2.0).to_string()} y="-7" width={w.to_string()} height="14" rx="7" />
        <text y="3.5" textLength={squeeze.clone()} lengthAdjust={squeeze.map(|_| "spacingAndGlyphs")}>{b}</text></g> }
    });
    html! { <g class="badges">{for badges}</g> }
}

/// A node's countdown (Raft's election timer) as a ring just outside its shape that drains from
/// the top, clockwise, as the time left runs out: heartbeats refill it, a follower whose ring
/// empties stands for election. Nothing for a node down or paused, or a timer due.
fn countdown_ring(n: &NodeState, now: SimTime, r: f64) -> Html {
    let Some((set_at, fires_at)) = n.view.countdown.filter(|_| n.status == Status::Up) else {
        return html! {};
    };
    let span = fires_at.as_us().saturating_sub(set_at.as_us()).max(1) as f64;
    let left = fires_at.as_us().saturating_sub(now.as_us()) as f64 / span;
    if left <= 0.0 {
        return html! {};
    }
    let ring = r + 4.0;
    let around = std::f64::consts::TAU * ring;
    html! {
        <circle class="countdown" r={format!("{ring:.1}")} transform="rotate(-90)"
            stroke-dasharray={format!("{:.1} {around:.1}", around * left.min(1.0))} />
    }
}

/// A candidate's votes: a dot on its rim toward each peer that voted for it (its own vote is the
/// candidacy itself), so a split vote is seen as two candidates with two dots each.
fn vote_dots(n: &NodeState, (x, y): (f64, f64), pos: &[(f64, f64)], r: f64) -> Html {
    let ring = r + 11.0;
    let dots = n.view.votes.iter().filter(|v| **v != n.id).filter_map(|v| {
        let (vx, vy) = pos.get(v.index()).copied()?;
        let len = ((vx - x).powi(2) + (vy - y).powi(2)).sqrt().max(1.0);
        let (dx, dy) = ((vx - x) / len * ring, (vy - y) / len * ring);
        Some(html! { <circle class="vote" cx={format!("{dx:.1}")} cy={format!("{dy:.1}")} r="5" /> })
    });
    html! { <g class="votes">{for dots}</g> }
}

/// Where a link's words go: beside its middle, on the side away from the centre of the picture,
/// so the messages along the link and its drops do not run through them. Two links from one node
/// (e3's broker to k1 and k2) get their words on their outer sides instead of both on the middle.
fn label_beside((x1, y1): (f64, f64), (x2, y2): (f64, f64), centre: (f64, f64)) -> (f64, f64) {
    let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
    let len = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt().max(1.0);
    let (mut nx, mut ny) = (-(y2 - y1) / len, (x2 - x1) / len);
    if nx * (mx - centre.0) + ny * (my - centre.1) < 0.0 || (mx, my) == centre && ny > 0.0 {
        (nx, ny) = (-nx, -ny);
    }
    // 10 units off the line; a baseline 3.5 below the point centres 10 px text on it.
    (mx + nx * 10.0, my + ny * 10.0 + 3.5)
}

/// The line under a node: its role, and its name whole if the shape cut it, where there is more
/// room; a role that already says the name ("coordinator" of coordinator, "notification service"
/// of notification) does not say it twice.
fn role_line(name: &str, role: &str, name_cut: bool) -> String {
    if !name_cut || role.split(' ').any(|w| w == name) {
        role.to_string()
    } else if role.is_empty() {
        name.to_string()
    } else {
        format!("{name} · {role}")
    }
}

/// Everything inside the `<svg>`. Each part whose length varies has a group of its own, and nodes
/// are keyed: yew pairs unkeyed siblings from the end, so one lasso or cut appearing at the top level
/// would rewrite every node into its neighbour, and the element under a pointer (or holding focus)
/// would change identity between pointerdown and click.
pub fn body(
    view: &WorldView,
    lay: &Layout,
    (selected, talks): (Option<NodeId>, &dyn Fn(NodeId, NodeId) -> bool),
    picked: &[usize],
    on: Option<&Callback<usize>>,
    drag: Option<((f64, f64), (f64, f64))>,
) -> Html {
    let at = |id: NodeId| lay.pos.get(id.index()).copied().unwrap_or_default();
    let groups: Vec<u32> = view.nodes.iter().map(|n| n.group).collect();
    let split = groups.iter().any(|&g| g != 0);
    // A node's first badge (14 px high) sits on its rim; its label line's baseline is below, and
    // its log strip (if any) below that.
    let logs = log_strip::window(view);
    let below = if logs.is_some() { LOG_DY + log_strip::HEIGHT } else { LABEL_DY + 3.0 };
    let reach = (lay.r + 7.0, lay.r + below);
    let cuts = if split { cut_lines(lay.frame, &lay.pos, &groups, reach) } else { Vec::new() };
    // No straight cut keeps the groups apart as drawn: ring the nodes cut off instead.
    let rings = if split && cuts.is_empty() { islands(&groups) } else { Vec::new() };
    let rings = rings.into_iter().map(|i| {
        let (x, y) = lay.pos.get(i).copied().unwrap_or_default();
        html! { <circle class={classes!("island", format!("grp-{}", groups[i] % 6))} cx={format!("{x:.1}")}
        cy={format!("{y:.1}")} r={format!("{:.1}", lay.r + 7.0)} /> }
    });
    let blocked = view.blocked.iter().take(500).map(|&(a, b)| {
        let ((x1, y1), (x2, y2)) = (at(a), at(b));
        let len = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt().max(1.0);
        let k = (lay.r + 6.0) / len;
        let (ax, ay, bx, by) =
            (x1 + (x2 - x1) * k, y1 + (y2 - y1) * k, x2 - (x2 - x1) * k, y2 - (y2 - y1) * k);
        html! { <line class="blocked" x1={ax.to_string()} y1={ay.to_string()} x2={bx.to_string()}
        y2={by.to_string()} marker-end="url(#topo-arrow)" /> }
    });
    // A link set apart (slower, lossy): a dashed line between its nodes, what it is said at its
    // middle (the first few; past them the lines and the event list say it). Only links that
    // carry traffic, unless none does: `*<->r` sets apart every pair with r, and a line to each
    // client that never calls r said it did (r6).
    let busy: Vec<&LinkView> = view.links.iter().filter(|l| talks(l.from, l.to)).collect();
    let shown = if busy.is_empty() { view.links.iter().collect() } else { busy };
    let links = shown.into_iter().enumerate().map(|(i, l)| {
        let ((x1, y1), (x2, y2)) = (at(l.from), at(l.to));
        let (mx, my) = label_beside((x1, y1), (x2, y2), (lay.frame.w / 2.0, lay.frame.h / 2.0));
        let arrow = if l.both_ways { "↔" } else { "→" };
        let names = |id: NodeId| view.nodes.get(id.index()).map_or("?", |n| n.name.as_str());
        let title = format!("link {} {arrow} {}: {}", names(l.from), names(l.to), l.said);
        html! { <g class="link-apart"><title>{title}</title>
            <line x1={format!("{x1:.1}")} y1={format!("{y1:.1}")} x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} />
            if i < LINK_LABELS {
                <text x={format!("{mx:.1}")} y={format!("{my:.1}")}>{format!("{arrow} {}", l.said)}</text>
            }
        </g> }
    });
    let name_px = name_px_by_tier(view, lay.r);
    let rect = drag.map(|(a, b)| {
        html! { <rect class="lasso" x={a.0.min(b.0).to_string()} y={a.1.min(b.1).to_string()}
        width={(a.0 - b.0).abs().to_string()} height={(a.1 - b.1).abs().to_string()} /> }
    });
    html! {
        <>
            <defs><marker id="topo-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7"
                markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" /></marker></defs>
            <g class="regions">{for lay.regions.iter().map(|g| html! { <g class="region">
                <rect x={g.x.to_string()} y={g.y.to_string()} width={g.w.to_string()} height={g.h.to_string()} rx="14" />
                <text x={(g.x + 12.0).to_string()} y={(g.y + 20.0).to_string()}>{&g.name}</text></g> })}</g>
            <g class="rings">if let Some((cx, cy, rr)) = lay.ring {
                <circle class="ring" cx={cx.to_string()} cy={cy.to_string()} r={rr.to_string()} />
            }</g>
            <g class="cuts">{for cuts.iter().map(|((x1, y1), (x2, y2))| html! { <line class="cut" x1={x1.to_string()}
                y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()} /> })}{for rings}</g>
            <g class="links">{for links}</g>
            <g class="blocks">{for blocked}</g>
            <g class="hits" aria-hidden="true">{for on.into_iter().flat_map(|on| (0..view.nodes.len()).map(|i| hit_area(i, lay, on)))}</g>
            <g class="nodes">{for (0..view.nodes.len()).map(|i| node(view, i, lay, (&name_px, logs),
                (selected == Some(NodeId(i as u32)), picked.contains(&i), selected.map_or(i == 0, |s| s.index() == i)),
                on))}</g>
            <g class="lassos">{for rect}</g>
        </>
    }
}

/// Links set apart that have their words drawn at their middle.
const LINK_LABELS: usize = 8;

/// A legend swatch's colour `c`, in either theme (CSS picks by the page's colour scheme, so a
/// theme switch needs no render).
fn swatch(c: usize) -> String {
    format!("--kind:light-dark({}, {})", PALETTE[c], DARK_PALETTE[c])
}

/// Swatches for every kind this run's nodes can send (`listed`), in the protocol's order (that of
/// `colours`, which also fixes each kind's colour); kinds neither in flight nor streaking (just delivered)
/// are faded. Listing them all keeps the legend's size fixed while the run plays, so the stage
/// never jumps. Each kind is a toggle: the spotlit kinds (`spot`) are drawn in full and the rest
/// dimmed, to follow one conversation through the traffic.
pub fn legend(
    msgs: &[MsgView],
    arrived: &[Arrival],
    (colours, listed, says_no): (&KindColours, &[&str], bool),
    spot: &[String],
    toggle: Callback<String>,
) -> Html {
    let order = colours.kinds();
    // The kinds on the wire or streaking, in one pass that stops once every kind is found (at
    // volume, that is within the first few messages).
    let mut on_wire: Vec<&str> = Vec::with_capacity(order.len());
    for k in msgs.iter().map(|m| m.kind.as_str()).chain(arrived.iter().map(|a| a.kind)) {
        if !order.is_empty() && on_wire.len() == order.len() {
            break;
        }
        if !on_wire.contains(&k) {
            on_wire.push(k);
        }
    }
    let live = |k: &str| on_wire.contains(&k);
    // A protocol that lists no kinds still gets a legend: the kinds on the wire (at most 8).
    let mut kinds: Vec<&str> = match order.is_empty() {
        true => on_wire.iter().copied().take(8).collect(),
        false => order.iter().copied().filter(|k| listed.contains(k) || live(k)).collect(),
    };
    // The simulator's own kind (a refusing crash's RST), after the protocol's: listed for a
    // scripted one, shown while on the wire for one by hand.
    if !order.is_empty() {
        for k in listed.iter().copied().chain(on_wire.iter().copied()) {
            if !order.contains(&k) && !kinds.contains(&k) {
                kinds.push(k);
            }
        }
    }
    // One Tab stop, on the first kind spotlit or else the first kind; the arrows go along (review
    // 56 B1: seven kinds made seven of an embed's sixteen stops).
    let stop = kinds.iter().position(|k| spot.iter().any(|s| s == k)).unwrap_or(0);
    let item = |(i, k): (usize, &&str)| {
        let k: &str = k;
        let on = spot.iter().any(|s| s == k);
        let tabindex = if i == stop { "0" } else { "-1" };
        let class = classes!(if live(k) { "live" } else { "idle" }, on.then_some("spot"));
        let click = {
            let (toggle, k) = (toggle.clone(), k.to_string());
            Callback::from(move |_: MouseEvent| toggle.emit(k.clone()))
        };
        let title = if on { "Show every kind again" } else { "Spotlight this kind: dim the others" };
        html! {
            <li {class}><button type="button" aria-pressed={on.to_string()} onclick={click} {title} {tabindex}>
                <span class="swatch" style={swatch(colours.of(k))}></span>{k}
            </button></li>
        }
    };
    let class = classes!("topo-legend", (!spot.is_empty()).then_some("spotting"));
    html! {
        <ul {class} aria-label="Message kinds (faded: none on the wire just now); press one to spotlight it, arrows to go along"
            onkeydown={Callback::from(|e: KeyboardEvent| legend_arrows(&e))}>
            {for kinds.iter().enumerate().map(item)}
            if says_no {
                <li class="says-no" title="An answer that turns its request away: a 429 or 503, a full queue, an error">
                    <span class="swatch"></span>{"turned away"}</li>
            }
            <li class="dead"><span class="swatch">{"✕"}</span>{"dropped"}</li>
        </ul>
    }
}

/// Arrow keys on a kind the keyboard reached move along the legend (Home and End: the first and
/// last), as on the stage's nodes; after a click they step the run.
fn legend_arrows(e: &KeyboardEvent) {
    use wasm_bindgen::JsCast;
    if !crate::keys::focused_by_keyboard() {
        return;
    }
    let Some(at) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
    if let Some(list) = at.closest(".topo-legend").ok().flatten() {
        crate::focus::rove(e, &at, &list, "li > button", crate::focus::Arrows::All);
    }
}

/// The network tools: partition mode and cutting the picked nodes off (`cuts`: whether that
/// would change the partition), heal, reset links; and a surge of client load.
pub fn toolbar(
    p: &Player,
    mode: &PartitionMode,
    picked: &[usize],
    cuts: bool,
    split: bool,
    cut: Callback<Vec<usize>>,
) -> Html {
    let toggle = {
        let (set, on) = (mode.set.clone(), mode.on);
        Callback::from(move |_: MouseEvent| set.emit(!on))
    };
    let chosen = picked.to_vec();
    let hint = if picked.is_empty() || cuts {
        "pick nodes or drag a box; ✂ Partition again to leave"
    } else if picked.len() == p.view.nodes.len() {
        "every node is picked: leave some on the other side"
    } else {
        "these nodes are already cut off together"
    };
    let heal = {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| {
            d.emit(Action::Act(ScenarioEvent::Heal));
            // Heal goes grey once healed: the key goes on from ✂ Partition (review 22).
            crate::focus::rescue(vec![".topo-tools button.partition-mode".into()]);
        })
    };
    let reset = {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(Action::Act(ScenarioEvent::ResetLinks)))
    };
    html! {
        <div class="topo-tools" role="group" aria-label="Network and load tools">
            <button class={classes!("partition-mode", mode.on.then_some("on"))} aria-pressed={mode.on.to_string()}
                onclick={toggle} title="Tap nodes or drag a box to choose one side (or shift-drag any time)">
                <span aria-hidden="true">{"✂ "}</span>{"Partition"}</button>
            if mode.on {
                <button class="cut-now" disabled={!cuts}
                    onclick={Callback::from(move |_: MouseEvent| {
                        cut.emit(chosen.clone());
                        // This button goes with the mode: the key goes on from ✂ Partition.
                        crate::focus::rescue(vec![".topo-tools button.partition-mode".into()]);
                    })}>
                    {format!("Cut off {} node{}", picked.len(), if picked.len() == 1 { "" } else { "s" })}</button>
                <span class="hint">{hint}</span>
            }
            <button class="heal" onclick={heal} disabled={!split} title="Remove all partitions and blocks">
                {"Heal"}</button>
            <button class="reset-links" onclick={reset} title="Restore the default network on every link">
                {"Reset links"}</button>
            {super::surge::button(p)}
            {super::surge::knob(p)}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{badge_rows, label_beside, name_fit, name_px_by_tier, role_line, tier, usual_name_px};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn badges_stack_only_as_high_as_the_column_leaves_room() {
        // A column 93 px apart (E4's writer, p1, p2), nodes of radius 28: one badge each.
        let column = [(300.0, 100.0), (300.0, 193.0), (300.0, 286.0)];
        assert_eq!(badge_rows(&column, 1, 28.0), 1);
        assert_eq!(badge_rows(&column, 0, 28.0), 3, "nothing above the top one");
        // Twice as far apart: room for three; a node beside it, not above, takes none.
        let roomy = [(300.0, 100.0), (300.0, 290.0), (420.0, 200.0)];
        assert_eq!(badge_rows(&roomy, 1, 28.0), 3);
        assert_eq!(badge_rows(&[(300.0, 100.0), (300.0, 215.0)], 1, 28.0), 2);
    }

    #[wasm_bindgen_test]
    fn a_links_words_sit_beside_it_away_from_the_centre() {
        // e3: the broker at the centre's left, k1 up and k2 down to its right.
        let centre = (300.0, 200.0);
        let (_, up) = label_beside((250.0, 200.0), (350.0, 150.0), centre);
        let (_, down) = label_beside((250.0, 200.0), (350.0, 250.0), centre);
        assert!(up < 175.0 - 5.0 && down > 225.0 + 5.0, "outer sides: {up} above, {down} below");
        // A level link through the centre: above it.
        assert!(label_beside((100.0, 200.0), (500.0, 200.0), centre).1 < 200.0);
    }

    /// Review 10 (C11): d10's "c1-africa" was drawn small beside "c1-us" large.
    #[wasm_bindgen_test]
    fn names_in_one_tier_are_one_size_and_a_cut_name_shrinks_no_row() {
        let sc = dsplay_core::presets::get("d10-region-failover").expect("d10");
        let s = dsplay_core::session::Session::new(sc).expect("session");
        let view = s.sim().view();
        let px = name_px_by_tier(&view, 28.0);
        for n in &view.nodes {
            let t = usize::from(tier(&n.view.role));
            let (size, shown) = name_fit(&n.name, 49.0, px[t]);
            assert_eq!(shown, n.name, "{} fits", n.name);
            assert_eq!(size, px[t], "{} at its tier's size", n.name);
        }
        assert!(px[0] < usual_name_px(28.0), "c1-europe is longer than the usual size allows: {px:?}");
        let mut longer = view;
        longer.nodes[0].name = "c1-a-very-long-client-name".into();
        assert_eq!(name_px_by_tier(&longer, 28.0), px, "a name cut anyway leaves its row's size alone");
    }

    #[wasm_bindgen_test]
    fn a_cut_name_is_written_whole_under_the_node_once() {
        assert_eq!(role_line("recommendation", "service", true), "recommendation · service");
        assert_eq!(role_line("coordinator", "coordinator", true), "coordinator");
        assert_eq!(role_line("notification", "notification service", true), "notification service");
        assert_eq!(role_line("inventory", "", true), "inventory");
        assert_eq!(role_line("n3", "leader", false), "leader");
    }

    #[wasm_bindgen_test]
    fn a_name_fits_inside_its_node_or_is_cut_visibly() {
        assert_eq!(name_fit("n3", 38.0, 10.0), (10.0, "n3".into()), "short names keep the usual size");
        let (px, text) = name_fit("product", 38.0, 10.0);
        assert!((8.0..10.0).contains(&px) && text == "product", "a longer one gets smaller: {px} {text}");
        let (px, text) = name_fit("recommendation", 38.0, 10.0);
        assert_eq!(px, 8.0);
        assert!(text.ends_with('…') && text.starts_with("rec"), "{text}");
        assert!(text.chars().count() as f64 * 0.62 * px <= 38.0 + 0.62 * px, "{text} fits");
    }
}
