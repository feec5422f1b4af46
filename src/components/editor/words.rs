//! A field's name as a reader says it: `election_timeout_ms_min` is "election timeout min (ms)",
//! `loss_ppm` "loss (per million)", `mean_us` "mean (µs)". The JSON name stays beside it (the
//! label's title, and every message names the field by its path).

/// Name parts that are units, and how the label writes them.
const UNITS: [(&str, &str); 7] = [
    ("ms", "ms"),
    ("us", "µs"),
    ("ppm", "per million"),
    ("permille", "‰"),
    ("pct", "%"),
    ("s", "s"),
    ("milli", "× 1000"),
];

/// The label for a field named `key`.
pub fn label(key: &str) -> String {
    let mut words = Vec::new();
    let mut unit = None;
    let parts: Vec<&str> = key.split('_').filter(|p| !p.is_empty()).collect();
    for (i, part) in parts.iter().enumerate() {
        // "per s" is a rate's unit ("rate_per_s"); a lone first part is a word ("s" of a Zipf law).
        let is_unit = i > 0 && UNITS.iter().any(|(u, _)| u == part);
        match (is_unit, parts.get(i.wrapping_sub(1))) {
            (true, Some(&"per")) => {
                words.pop();
                unit = Some(format!("per {}", said(part)));
            }
            (true, _) => unit = Some(said(part).to_string()),
            (false, _) => words.push(*part),
        }
    }
    let text = words.join(" ");
    match unit {
        Some(u) if !text.is_empty() => format!("{text} ({u})"),
        Some(u) => u,
        None => text,
    }
}

fn said(unit: &str) -> &'static str {
    UNITS.iter().find(|(u, _)| *u == unit).map_or("", |(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::label;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn names_are_said_in_words_with_their_unit() {
        assert_eq!(label("election_timeout_ms_min"), "election timeout min (ms)");
        assert_eq!(label("heartbeat_ms"), "heartbeat (ms)");
        assert_eq!(label("mean_us"), "mean (µs)");
        assert_eq!(label("loss_ppm"), "loss (per million)");
        assert_eq!(label("read_permille"), "read (‰)");
        assert_eq!(label("rate_per_s"), "rate (per s)");
        assert_eq!(label("s_milli"), "s (× 1000)");
        assert_eq!(label("queue_cap"), "queue cap");
        assert_eq!(label("servers"), "servers");
    }
}
