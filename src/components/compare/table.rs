//! A's and B's key figures side by side (`stats` works them out).

use super::stats::{timed, Summary};
use crate::components::invariants::secs;
use dsplay_core::SimTime;
use yew::prelude::*;

fn row(name: &str, a: String, b: String) -> Html {
    line(None, name, a, b)
}

/// A row of words, not figures: its cells may wrap (a figure's never does: "21.9 ms" broke in two
/// in Compare's narrow column, review 21).
fn words_row(name: &str, a: String, b: String) -> Html {
    line(Some("words"), name, a, b)
}

fn line(class: Option<&'static str>, name: &str, a: String, b: String) -> Html {
    html! { <tr {class}><th scope="row">{name.to_string()}</th><td class="a">{a}</td><td class="b">{b}</td></tr> }
}

/// A's and B's figures in two columns, so far: the caption says up to when (`now` of `stop`), as
/// at time 0 every figure reads 0 (review 16: the zeros read as results); `linearizable` for runs
/// that keep a key-value history (checked only while paused: a check per frame of playback would
/// cost too much).
///
/// The latency rows say what they are of, after the count of it (review 19: r4's retry storm, its
/// p99 taken over its few successes, read as faster than the run without retries).
pub fn table(
    a: &Summary,
    b: &Summary,
    (now, stop): (SimTime, SimTime),
    linearizable: Option<(String, String)>,
) -> Html {
    let caption = match now >= stop {
        true => format!("The whole run, to {}", secs(stop)),
        false => format!(
            "So far: the first {} of {} (Run both to the end for the whole run)",
            secs(now),
            secs(stop)
        ),
    };
    // Each latency by name (d3's read_latency_ms and write_latency_ms); "–" before a sample.
    let lat = |s: &Summary, name: &str, i: usize| {
        let l = s.latency.iter().find(|(n, _)| *n == name).and_then(|(_, l)| l.map(|l| l[i]));
        l.map_or("–".to_string(), |l| format!("{l:.1} ms"))
    };
    let names = if a.latency.is_empty() { &b.latency } else { &a.latency };
    let latency = names.iter().flat_map(|(name, _)| {
        [("p50", 0), ("p95", 1), ("p99", 2)]
            .map(|(p, i)| row(&format!("{name} {p} of {}", timed(name)), lat(a, name, i), lat(b, name, i)))
    });
    // What every latency histogram of the run times (d3's two both time successes).
    let noun = names.first().map(|(name, _)| timed(name));
    // A protocol that declares no invariant (d1's CAP) is checked by its history: the
    // linearizable row says how; "not checked" above it read as a contradiction (review 19).
    let declared = a.violations.is_some() || b.violations.is_some();
    let broken = |s: &Summary| s.violations.map_or("none declared".to_string(), |v| v.to_string());
    // A figure in ms says so, as the latency rows do (review 45: d4-election-downtime's
    // `election_downtime_p50_ms` read "172 | 194").
    let unit = |n: &str| if n.ends_with("_ms") { " ms" } else { "" };
    let figure = |n: &str, v: &Option<i64>| v.map_or("–".to_string(), |v| format!("{v}{}", unit(n)));
    let named = a.named.iter().zip(&b.named).map(|((n, va), (_, vb))| row(n, figure(n, va), figure(n, vb)));
    // Whole numbers once they are large; a slow run's rate keeps a decimal (d4-election-downtime's
    // 51 commits in 60 s read "1 | 1").
    let rate = |r: f64| if r < 10.0 { format!("{r:.1}") } else { format!("{r:.0}") };
    html! {
        <table class="compare-table">
            <caption>{caption}</caption>
            <thead><tr><td></td><th class="a">{"A"}</th><th class="b">{"B"}</th></tr></thead>
            <tbody>
                // Requests are counted from the latency samples: none, no rows (d6's broadcasts
                // read "throughput 0/s").
                // Only the count: a share of "the requests that ended" would need every way a
                // request fails in one counter, and d1's refusals are not in `errors`.
                if let Some(noun) = noun {
                    {row(noun, a.timed.to_string(), b.timed.to_string())}
                }
                {for latency}
                {row("errors", a.errors.to_string(), b.errors.to_string())}
                {for named}
                if let Some(noun) = noun {
                    {row(&format!("{noun} per second"), rate(a.throughput), rate(b.throughput))}
                }
                if declared || linearizable.is_none() {
                    {row("invariants broken", broken(a), broken(b))}
                }
                if let Some((la, lb)) = linearizable { {words_row("linearizable", la, lb)} }
            </tbody>
        </table>
    }
}
