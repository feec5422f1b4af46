//! The linearizability verdict of the client history so far (key-value protocols record one),
//! shown in the Invariants panel: ✓, ✗ with the first operation no linear order can explain and
//! a button that jumps to where its result arrives, or "undecided" when the search budget ran out. The check runs
//! when the player is paused or the run finished, at most twice a second while playing, and is
//! memoised on (history length, playhead).

use super::invariants::secs;
use crate::player::{Action, Player};
use dsplay_core::check::{check_history_with, Partitioning, Report, Verdict};
use dsplay_core::sim::history::{HistoryOp, OpKind, Outcome};
use dsplay_core::SimTime;
use yew::prelude::*;

/// Search steps per check: paused (the presets need a few thousand), and per check while playing.
pub const BUDGET: u64 = 1_000_000;
const PLAYING_BUDGET: u64 = 100_000;
/// Shortest wall-clock gap between two checks while playing.
const PLAYING_GAP_MS: f64 = 500.0;

/// What a linearizable read (`read`) could have returned, judged by the writes to its key alone: a
/// value written before or while it ran that no other write surely replaced before it began
/// (`None`: the key never written). `None` when that is not known (not a read, or compare-and-set
/// on the key, whose effect depends on the value).
pub fn could_read(ops: &[HistoryOp], read: &HistoryOp) -> Option<Vec<Option<i64>>> {
    if read.op != OpKind::Read {
        return None;
    }
    let same: Vec<&HistoryOp> = ops.iter().filter(|o| o.key == read.key && o.id != read.id).collect();
    if same.iter().any(|o| matches!(o.op, OpKind::Cas { .. })) {
        return None;
    }
    // Writes that may have taken effect; those that surely did (acknowledged) can replace others.
    let writes: Vec<(&HistoryOp, i64)> = same
        .iter()
        .filter(|o| o.outcome != Outcome::Fail)
        .filter_map(|o| match o.op {
            OpKind::Write { value } => Some((*o, value)),
            _ => None,
        })
        .collect();
    let done_before =
        |w: &HistoryOp, t: SimTime| w.ret.is_some_and(|r| r < t) && matches!(w.outcome, Outcome::Ok { .. });
    // `w2` surely took effect after `w` ended and before the read began.
    let replaced = |w: &HistoryOp| {
        writes.iter().any(|(w2, _)| w.ret.is_some_and(|r| r < w2.call) && done_before(w2, read.call))
    };
    let mut out: Vec<Option<i64>> = Vec::new();
    if !writes.iter().any(|(w, _)| done_before(w, read.call)) {
        out.push(None);
    }
    for (w, v) in &writes {
        let started = read.ret.is_none_or(|r| w.call < r);
        if started && !replaced(w) && !out.contains(&Some(*v)) {
            out.push(Some(*v));
        }
    }
    Some(out)
}

/// When the bad read's value is one its key's writes allow, what rules it out is another read:
/// one on its key that returned another value before this one began, and surely after this
/// value's write took effect: the read itself, or the write of what it read, began after this
/// value's write had ended. The latest such read, if any.
/// Without it the panel listed the very value returned among those "a linearizable read could
/// have returned" (review 39 B2).
pub fn read_back_after<'a>(ops: &'a [HistoryOp], read: &HistoryOp) -> Option<&'a HistoryOp> {
    let written = |v: i64| ops.iter().find(|o| o.key == read.key && o.op == OpKind::Write { value: v });
    let Outcome::Ok { value: Some(got) } = read.outcome else { return None };
    let ended = written(got)?.ret?;
    ops.iter()
        .filter(|o| o.key == read.key && o.op == OpKind::Read && o.id != read.id)
        .filter(|o| o.ret.is_some_and(|r| r < read.call))
        .filter(|o| match o.outcome {
            Outcome::Ok { value: Some(v) } => {
                v != got && (o.call > ended || written(v).is_some_and(|w| w.call > ended))
            }
            _ => false,
        })
        .max_by_key(|o| o.ret)
}

/// Who wrote `value` to `key` and when the write was called, "c3's write at 2.000 s": the values
/// are unique per run but opaque (3000000004), so the panel says where each one came from.
/// Two writes of one client within a millisecond are told apart to the microsecond (review 40:
/// d1-cap-ap listed "1000096 (c1's write at 4.025 s), 1000097 (c1's write at 4.025 s)").
pub fn writer(ops: &[HistoryOp], names: &[String], key: u64, value: i64) -> Option<String> {
    let w = ops.iter().find(|o| o.key == key && o.op == OpKind::Write { value })?;
    let who = client_name(names, w.client.0);
    let twin = ops.iter().any(|o| {
        o.key == key
            && o.client == w.client
            && o.id != w.id
            && matches!(o.op, OpKind::Write { .. })
            && secs(o.call) == secs(w.call)
    });
    let when = if twin { format!("{:.6} s", w.call.as_us() as f64 / 1e6) } else { secs(w.call) };
    Some(format!("{who}'s write at {when}"))
}

/// A client's name, or "client 3" where the run names none.
fn client_name(names: &[String], id: impl Into<u64>) -> String {
    let id = id.into();
    names.get(id as usize).cloned().unwrap_or_else(|| format!("client {id}"))
}

/// Why the bad read `bad` (which returned `got`) is not linearizable, as far as its key's values
/// say: the values a linearizable read could have returned (`could`), or, when `got` is one of
/// them, the earlier read it went back from ([`read_back_after`]).
fn why_not(
    ops: &[HistoryOp],
    bad: &HistoryOp,
    could: &[Option<i64>],
    got: Option<Option<i64>>,
    names: &[String],
    said: &dyn Fn(i64) -> Option<String>,
) -> String {
    if !got.is_some_and(|g| could.contains(&g)) {
        return format!(" A linearizable read could have returned {}.", values_words(could, said));
    }
    let Some(e) = read_back_after(ops, bad) else {
        return " Its key's writes alone allow that value: it is the order of the operations around it that no sequential history explains.".into();
    };
    let seen = match e.outcome {
        Outcome::Ok { value } => value_words(value, said),
        _ => String::new(),
    };
    format!(
        " Its key's writes alone allow that value, but {} had already read {seen}, returning at {}, before this read began: a later read cannot go back to an older value.",
        client_name(names, e.client.0),
        secs(e.ret.unwrap_or(e.call))
    )
}

/// A value with where it came from: "3000000004 (c3's write at 2.000 s)".
fn value_words(value: Option<i64>, said: &dyn Fn(i64) -> Option<String>) -> String {
    match value {
        None => "nothing (never written)".into(),
        Some(v) => said(v).map_or_else(|| v.to_string(), |w| format!("{v} ({w})")),
    }
}

/// A read's possible values in words: "3 (c1's write at 0.200 s) or nothing (never written)".
fn values_words(values: &[Option<i64>], said: &dyn Fn(i64) -> Option<String>) -> String {
    let words: Vec<String> = values.iter().map(|v| value_words(*v, said)).collect();
    match words.split_last() {
        None => "no value".into(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) if rest.len() < 6 => format!("{} or {last}", rest.join(", ")),
        Some((_, rest)) => format!("one of {} values, such as {}", words.len(), rest[..3].join(", ")),
    }
}

/// The last check: (scenario revision, history length, playhead, budget) it ran on, its report,
/// and when (wall ms). The revision is in the key: × or Undo rebuilds the run at the same playhead,
/// often with as many operations, and the old run's verdict stayed, mixed with the new run's
/// history (review 25 A1).
type Memo = Option<((u64, usize, SimTime, u64), Report, f64)>;

#[function_component(Lincheck)]
pub fn lincheck() -> Html {
    let memo = use_mut_ref(|| Memo::None);
    let Some(player) = use_context::<Player>() else { return html! {} };
    let (report, at, names) = {
        let s = player.session.borrow();
        let h = s.sim().history();
        if h.is_empty() {
            return html! {};
        }
        let settled = !player.playing || s.finished();
        let budget = if settled { BUDGET } else { PLAYING_BUDGET };
        let (rev, len, now, wall) = (player.scenario_rev, h.ops.len(), s.now(), js_sys::Date::now());
        let mut m = memo.borrow_mut();
        let same_run = m.as_ref().is_some_and(|((r, ..), ..)| *r == rev);
        let fresh =
            m.as_ref().is_some_and(|((r, l, t, b), ..)| (*r, *l, *t) == (rev, len, now) && *b >= budget);
        let due = settled || !same_run || m.as_ref().is_none_or(|(.., w)| wall - w >= PLAYING_GAP_MS);
        if !fresh && due {
            *m = Some(((rev, len, now, budget), check_history_with(h, Partitioning::ByKey, budget), wall));
        }
        let Some(((_, _, at, _), report, _)) = m.as_ref() else { return html! {} };
        // When the first bad operation returned: from then on its result is there to see.
        let bad = match &report.verdict {
            Verdict::NotLinearizable { first_bad } => h.ops.iter().find(|o| o.id == first_bad.op_id),
            _ => None,
        };
        let ret = bad.and_then(|o| o.ret);
        let names = s.sim().node_names();
        let key = bad.map_or(0, |o| o.key);
        let said = |v: i64| writer(&h.ops, names, key, v);
        let got = match bad.map(|o| o.outcome) {
            Some(Outcome::Ok { value }) => Some(value),
            _ => None,
        };
        let expected =
            bad.and_then(|o| could_read(&h.ops, o).map(|v| why_not(&h.ops, o, &v, got, names, &said)));
        // Where the value the bad read returned came from.
        let returned = match bad.map(|o| o.outcome) {
            Some(Outcome::Ok { value: Some(v) }) if bad.is_some_and(|o| o.op == OpKind::Read) => {
                said(v).map(|w| format!(" That value is {w}."))
            }
            _ => None,
        };
        let key_said = bad.map(|o| s.sim().key_label(o.key)).unwrap_or_default();
        (report.clone(), (*at, ret, expected, returned, key_said), names.to_vec())
    };
    let (at, ret, expected, returned, key) = at;
    let checked = format!("{} operations checked up to {}", report.ops, secs(at));
    match &report.verdict {
        Verdict::Linearizable => html! {
            <p class="verdict lincheck ok"><span class="mark" aria-hidden="true">{"✓"}</span>
                <span class="rule">{"Linearizable"}</span><span class="detail">{format!(" ({checked})")}</span></p>
        },
        Verdict::Unknown { steps } => html! {
            <p class="verdict lincheck unknown"><span class="mark" aria-hidden="true">{"?"}</span>
                <span class="rule">{"Linearizability undecided (search budget exhausted)"}</span>
                <span class="detail">{format!(" after {steps} steps; {checked}")}</span></p>
        },
        Verdict::NotLinearizable { first_bad: bad } => {
            let call = SimTime(bad.call);
            let client = client_name(&names, bad.client);
            let span = match ret {
                Some(r) => format!("called at {}, returned at {}", secs(call), secs(r)),
                None => format!("called at {}", secs(call)),
            };
            let what = format!("{} by {client} on {key}, {span}", bad.description);
            // Jump to where the bad result arrives (before that, the operation is still open and
            // the history so far is linearizable).
            let target = ret.unwrap_or(call);
            // The client is selected too: its lane is picked out on the space-time diagram and
            // it is inspected, where the jump alone left the bad read to be found among some 60
            // arrows (review 47 C7).
            let jump = {
                let dispatch = player.dispatch.clone();
                let node = u32::try_from(bad.client).ok().map(dsplay_core::ids::NodeId);
                Callback::from(move |_: MouseEvent| {
                    dispatch.emit(Action::Pause);
                    dispatch.emit(Action::Seek(target));
                    dispatch.emit(Action::Select(node));
                })
            };
            html! {
                <div class="verdict lincheck bad" data-at-us={target.as_us().to_string()}>
                    <span class="mark" aria-hidden="true">{"✗"}</span>
                    <span class="rule">{"Not linearizable"}</span><span class="detail">{format!(" ({checked}).")}</span>
                    <span class="first-bad">{format!(" First bad operation: {what}.{}", returned.unwrap_or_default())}</span>
                    if let Some(e) = expected { <span class="expected">{e}</span> }
                    <button class="jump" onclick={jump} aria-label={format!("Jump to the first bad operation's result at {} and select {client}", secs(target))}>{"jump to"}</button>
                </div>
            }
        }
    }
}
