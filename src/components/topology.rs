//! The topology view: nodes as SVG (clickable, focusable) over a canvas of message particles,
//! partitions as tints and a dashed cut. Shift-drag (or partition mode) a box to split the nodes.

use crate::charts::watch::use_repaint_on_change;
use crate::hooks::use_size;
use crate::player::{Action, Player};
use crate::topology::cuts::inside;
use crate::topology::held::{self, HeldCard};
use crate::topology::layout::LayoutCache;
use crate::topology::particles::{self, arrivals, deaths, nearest, to_view, Hit, Scene, MAX_PARTICLES};
use crate::topology::svg;
use crate::topology::{cut_off, death_window_us, streak_window_us, use_escape_leaves, use_partition_mode};
use dsplay_core::sim::trace::{TraceEvent, TraceKind};
use dsplay_core::{NodeId, ScenarioEvent};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlCanvasElement};
use yew::prelude::*;

type Drag = Option<((f64, f64), (f64, f64))>;

fn rect_of(r: &NodeRef) -> Option<(f64, f64, f64, f64)> {
    let b = r.cast::<Element>()?.get_bounding_client_rect();
    Some((b.left(), b.top(), b.width(), b.height()))
}

/// The stage size to lay out for: presenting, a smaller one, so the picture (names, labels, logs,
/// messages) is drawn larger, by as much as the stage is wider than a laptop's (review 15: on a
/// 1280×720 projector names were 8–12 px, unreadable from the back row).
fn presented((w, h): (f64, f64), presenting: bool) -> (f64, f64) {
    let zoom = if presenting { (w / 860.0).clamp(1.25, 2.0) } else { 1.0 };
    (w / zoom, h / zoom)
}

#[derive(Properties, PartialEq)]
pub struct TopologyProps {
    /// Only looked at (Compare's stages, an embed with `controls=none`): its nodes are pictures,
    /// not buttons, and a click or a drag on it does nothing.
    #[prop_or_default]
    pub looked_at: bool,
}

#[function_component(Topology)]
pub fn topology(props: &TopologyProps) -> Html {
    let looked_at = props.looked_at;
    let p = use_context::<Player>();
    let mode = use_partition_mode();
    use_escape_leaves(&mode);
    let picked = use_state_eq(Vec::<usize>::new);
    {
        // Leaving partition mode (the switch, Esc, a cut) forgets the nodes picked in it.
        let picked = picked.clone();
        use_effect_with(mode.on, move |on| {
            if !*on {
                picked.set(Vec::new());
            }
        });
    }
    let drag = use_state_eq(|| None as Drag);
    let tip = use_state_eq(|| None::<(f64, f64, String)>);
    // The message held by a click: its id and where it was clicked.
    let holding = use_state_eq(|| None::<(u64, (f64, f64), bool)>);
    let (wrap, canvas) = (use_node_ref(), use_node_ref());
    crate::laid_out::use_recorded_size(canvas.clone());
    // A paused stage is drawn again in the other theme's kind colours when the theme changes;
    // the theme is read then, not on every frame of playback.
    let repaints = use_repaint_on_change(canvas.clone());
    let dark = *use_memo(repaints, |_| crate::charts::draw::current_palette() == crate::charts::draw::DARK);
    let stage = use_size(wrap.clone());
    let layouts = use_mut_ref(LayoutCache::default);
    let scene = use_mut_ref(Scene::default);
    let hits = use_mut_ref(Vec::<Hit>::new);
    let routes = use_mut_ref(particles::Routes::default);
    {
        let (canvas, scene, hits) = (canvas.clone(), scene.clone(), hits.clone());
        use_effect(move || {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                *hits.borrow_mut() = particles::draw(&c, &scene.borrow(), &mut routes.borrow_mut());
            }
        });
    }
    // The links set apart that carry traffic (see `svg::body`), found in the trace's newest
    // records at most once a simulated second.
    let talking = {
        let session = p.as_ref().map(|p| p.session.clone());
        let key = p.as_ref().map(|p| (p.view.now.as_us() / 1_000_000, p.scenario_rev, p.view.links.len()));
        use_memo(key, move |_| session.map(|s| talking_pairs(s.borrow().sim().trace().records())))
    };
    let Some(p) = p else { return html! {} };
    let view = p.view.clone();
    let (dead, arrived) = {
        let session = p.session.borrow();
        let records = session.sim().trace().records();
        (
            deaths(records, view.now, death_window_us(p.speed)),
            arrivals(records, view.now, streak_window_us(p.speed)),
        )
    };
    let lay = layouts.borrow_mut().get(&view.nodes, stage.map(|size| presented(size, p.presenting)));
    let frame = lay.frame;
    let names: Vec<String> = view.nodes.iter().map(|n| n.name.clone()).collect();
    // Cut the picked (or boxed) nodes off, on top of the partition in force.
    let cut = Callback::from({
        let (d, mode, picked, nodes) = (p.dispatch.clone(), mode.clone(), picked.clone(), view.nodes.clone());
        move |idx: Vec<usize>| match cut_off(&nodes, &idx) {
            Some(groups) => {
                d.emit(Action::Act(ScenarioEvent::Partition { groups }));
                picked.set(Vec::new());
                mode.set.emit(false);
            }
            // Said, and the tool stays on (review 50 C6: a box round no node left the mode
            // without a word, and the next drag did nothing).
            None => {
                let why = match idx.is_empty() {
                    true => "The box holds no node: drag it around the nodes to cut off, or click them",
                    false => "That is every node: leave at least one out of the box to cut the rest off",
                };
                d.emit(Action::Notice(Some(why.into())));
            }
        }
    });
    let on_node = {
        let (d, picked, sel, on) = (p.dispatch.clone(), picked.clone(), p.selected, mode.on);
        Callback::from(move |i: usize| {
            if on {
                let mut v = (*picked).clone();
                match v.iter().position(|&x| x == i) {
                    Some(k) => drop(v.remove(k)),
                    None => v.push(i),
                }
                picked.set(v);
            } else {
                let id = NodeId(i as u32);
                d.emit(Action::Select(if sel == Some(id) { None } else { Some(id) }));
            }
        })
    };
    let at = {
        let wrap = wrap.clone();
        move |e: &MouseEvent| {
            let r = rect_of(&wrap)?;
            let c = (e.client_x() as f64, e.client_y() as f64);
            Some((to_view(frame, r, c), (c.0 - r.0, c.1 - r.1)))
        }
    };
    let on_down = {
        let (drag, at, on) = (drag.clone(), at.clone(), mode.on);
        Callback::from(move |e: PointerEvent| {
            if (on || e.shift_key()) && e.button() == 0 && !looked_at {
                if let Some(((x, y, _), _)) = at(&e) {
                    drag.set(Some(((x, y), (x, y))));
                }
            }
        })
    };
    let on_move = {
        let (drag, tip, hits, at, wrap) = (drag.clone(), tip.clone(), hits.clone(), at.clone(), wrap.clone());
        let (scene, session) = (scene.clone(), p.session.clone());
        Callback::from(move |e: PointerEvent| {
            let Some(((x, y, s), (lx, ly))) = at(&e) else { return };
            if let Some((a, _)) = *drag {
                e.prevent_default();
                if let Some(w) = wrap.cast::<Element>() {
                    let _ = w.set_pointer_capture(e.pointer_id());
                }
                drag.set(Some((a, (x, y))));
                return;
            }
            let found = nearest(&hits.borrow(), x, y, 8.0 / s);
            tip.set(found.and_then(|h| {
                let sc = scene.borrow();
                let m = sc.msgs().get(h.msg)?;
                // Who to whom and when, as RaftScope's message dialog says (review 17).
                Some((lx, ly, held::describe(session.borrow().sim(), m)))
            }));
        })
    };
    let on_up = {
        let (drag, pos, cut, tapped) = (drag.clone(), lay.pos.clone(), cut.clone(), picked.clone());
        let (holding, hits, scene, at, on) =
            (holding.clone(), hits.clone(), scene.clone(), at.clone(), mode.on);
        Callback::from(move |e: PointerEvent| {
            if let Some((a, b)) = *drag {
                drag.set(None);
                if (a.0 - b.0).abs() + (a.1 - b.1).abs() > 8.0 {
                    // With the nodes clicked before it: they were dropped (review 50 C6). A box
                    // round no node cuts nothing (and says so), whatever was clicked.
                    let mut idx = inside(&pos, a, b);
                    if !idx.is_empty() {
                        idx.extend(tapped.iter().filter(|i| !idx.contains(i)).collect::<Vec<_>>());
                    }
                    cut.emit(idx);
                    return;
                }
            }
            // A click on a particle holds its message (a card to read and lose it); on the card,
            // a node or a node's click area it is theirs; anywhere else it lets go.
            let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
            let on_own = |sel: &str| target.as_ref().and_then(|t| t.closest(sel).ok().flatten()).is_some();
            if on
                || looked_at
                || e.button() != 0
                || on_own(".msg-card")
                || on_own("[data-node]")
                || on_own(".hits")
            {
                return;
            }
            let Some(((x, y, s), local)) = at(&e) else { return };
            let found = nearest(&hits.borrow(), x, y, 8.0 / s);
            let id = found.and_then(|h| scene.borrow().msgs().get(h.msg).map(|m| m.id));
            // The card (up to 18rem wide, centred on the click) kept inside the stage: across,
            // and above the click in the stage's lower half.
            let (w, h) = stage.unwrap_or((f64::MAX, f64::MAX));
            let x = local.0.clamp(150.0, (w - 150.0).max(150.0));
            holding.set(id.map(|id| (id, (x, local.1), local.1 > h / 2.0)));
        })
    };
    let on_leave = {
        let (tip, drag) = (tip.clone(), drag.clone());
        Callback::from(move |e: PointerEvent| {
            tip.set(None);
            if e.type_() == "pointercancel" {
                drag.set(None);
            }
        })
    };
    let partitioned = view.nodes.iter().any(|n| n.group != 0) || !view.blocked.is_empty();
    let extra = view.in_flight.len().saturating_sub(MAX_PARTICLES);
    let (order, listed, says_no) = {
        let s = p.session.borrow();
        let sendable = s.sim().sendable_kinds();
        (
            particles::KindColours::new(s.sim().message_kinds(), sendable),
            sendable.to_vec(),
            s.sim().can_say_no(),
        )
    };
    let toggle = p.dispatch.reform(Action::Spotlight);
    let kinds = svg::legend(&view.in_flight, &arrived, (&order, &listed, says_no), &p.spotlight, toggle);
    let talks = |a: NodeId, b: NodeId| (*talking).as_ref().is_some_and(|t| t.contains(&pair(a, b)));
    let body = svg::body(&view, &lay, (p.selected, &talks), &picked, (!looked_at).then_some(&on_node), *drag);
    let (now, pos, r) = (view.now, lay.pos, lay.r);
    *scene.borrow_mut() = Scene {
        now,
        pos,
        r,
        frame,
        world: Some(view.clone()),
        spot: p.spotlight.iter().map(|k| order.of(k)).collect(),
        colours: order,
        deaths: dead,
        arrivals: arrived,
        held: holding.map(|(id, ..)| id),
        dark,
    };
    let class = classes!("topology", mode.on.then_some("cutting"));
    let label = format!("Topology: {} nodes, {} messages in flight", names.len(), view.in_flight.len());
    html! {
        <figure {class} aria-label={label}>
            <div class="topo-stage" ref={wrap} onpointerdown={on_down} onpointermove={on_move}
                onpointerup={on_up} onpointerleave={on_leave.clone()} onpointercancel={on_leave}>
                <canvas class="topo-canvas" ref={canvas} aria-hidden="true"></canvas>
                <svg class="topo-svg" viewBox={format!("0 0 {} {}", frame.w, frame.h)} role="group"
                    preserveAspectRatio="xMidYMid meet">{body}</svg>
                if let Some((id, at, above)) = *holding {
                    <HeldCard {id} {at} {above} onclose={let h = holding.clone(); Callback::from(move |()| h.set(None))} />
                } else if let Some((x, y, text)) = (*tip).clone() {
                    <div class="tip topo-tip" role="tooltip" style={format!("left:{x:.0}px;top:{y:.0}px")}>{text}</div>
                }
                if extra > 0 { <div class="topo-more">{format!("+{extra} more")}</div> }
                {crate::topology::split::caption(&view)}
            </div>
            {svg::toolbar(&p, &mode, &picked, cut_off(&view.nodes, &picked).is_some(), partitioned, cut)}
            {kinds}
        </figure>
    }
}

/// A pair of nodes, either way round.
fn pair(a: NodeId, b: NodeId) -> (u32, u32) {
    (a.0.min(b.0), a.0.max(b.0))
}

/// The pairs of nodes that sent each other a message among the trace's newest 5,000 records.
fn talking_pairs(records: &std::collections::VecDeque<TraceEvent>) -> std::collections::BTreeSet<(u32, u32)> {
    let sends = records.iter().rev().take(5_000).filter(|r| r.kind == TraceKind::Send);
    sends.filter_map(|r| Some(pair(r.node, r.peer?))).collect()
}
