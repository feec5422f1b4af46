//! A message kind's colour, the same in the stage, its legend and the space-time diagram.
//!
//! A kind that several protocols send has one colour wherever it appears: T1's `Forward` was
//! orange and T2's green, because each protocol handed out colours by its own list's order
//! (review 16). Those kinds are in [`SHARED`], chosen so that no two kinds of one protocol share a
//! colour (a test checks every preset); a protocol's other kinds take the colours its shared
//! kinds leave free, in its list's order. The simulator's reset (`RST`, a node crashed refusing
//! connections) is grey in every protocol; it shared `Reply`'s green.
//!
//! Runs of the longest list (transactions) colour the kinds they can send, not the whole list:
//! see [`KindColours::new`].

use dsplay_core::sim::REFUSAL;

/// Fifteen colours for a protocol's kinds (a 2PC run sends 13, a saga 15) and a grey for the
/// reset, each at least 2:1 against the light panel ([`DARK_PALETTE`] is the dark theme's). Told
/// apart under red-green colour blindness too, most of all the first eight, which most protocols'
/// kinds fit in: any two of them differ by a CIEDE2000 ΔE of 12 or more in normal, deuteranope
/// and protanope vision (Machado et al. 2009's simulation), and all fifteen by 6.5. The first four
/// are Okabe and Ito's blue, orange, bluish green and reddish purple. Tableau's ten, before, gave
/// Raft's AppendReply and NotLeader one olive under deuteranopia, ΔE 0.8 (review 35 B4).
pub const PALETTE: [&str; 16] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#107010", "#33bbee", "#f03050", "#905070", "#1090f0",
    "#b03090", "#b0b070", "#b03050", "#d01030", "#d07010", "#9c755f", "#bab0ac",
];

/// [`PALETTE`] for the dark theme. Five of its colours stood only 2.6 to 2.9:1 from the dark
/// panel and read as faint dots (review 36 C4): here every colour stands at least 3:1 from it
/// (WCAG's least for a graphic), keeps its hue within 18°, and the set keeps the light one's
/// distances for red-green colour-blind readers (the tests in `colour_vision` hold both).
pub const DARK_PALETTE: [&str; 16] = [
    "#186cfa", "#e69f00", "#009e73", "#cc79a7", "#447b33", "#33bbee", "#f03050", "#a64f90", "#1090f0",
    "#b238b6", "#b0b070", "#f15384", "#dc1e13", "#d07010", "#9c755f", "#bab0ac",
];

/// The kinds' colours for the page's theme.
pub fn palette(dark: bool) -> &'static [&'static str; 16] {
    if dark {
        &DARK_PALETTE
    } else {
        &PALETTE
    }
}

/// The reset's colour: the grey, which no protocol's kind takes.
const REFUSAL_COLOUR: usize = 15;
/// Colours for protocols' own kinds.
const KIND_COLOURS: usize = 15;

/// Kinds more than one protocol sends, and their colours. Request, Forward, Reply and Response
/// keep the colours the default preset (T1) always had.
const SHARED: [(&str, usize); 20] = [
    ("Request", 0),
    ("Forward", 1),
    ("Reply", 2),
    ("Response", 3),
    ("Ack", 0),
    ("Write", 1),
    ("ClientReply", 0),
    ("Replicate", 2),
    ("Rejected", 2),
    ("Read", 2),
    ("Heartbeat", 3),
    ("ClientRead", 4),
    ("ClientWrite", 5),
    ("Accepted", 1),
    ("Deliver", 3),
    ("Charge", 4),
    ("WriteAck", 4),
    ("NotLeader", 2),
    ("Append", 5),
    ("Probe", 6),
];

fn shared(kind: &str) -> Option<usize> {
    SHARED.iter().find(|(k, _)| *k == kind).map(|&(_, c)| c)
}

/// The picture's colours for one run's message kinds, worked out once per render (the stage
/// asks for one per particle each frame).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KindColours {
    kinds: Vec<&'static str>,
    colours: Vec<usize>,
}

impl KindColours {
    /// The kinds coloured are the protocol's whole list (`all`), so a kind keeps its colour in
    /// every preset of the protocol; or, where that list is longer than the palette
    /// (transactions has 24), the kinds this run's nodes can send (`sendable`), so that those at
    /// least all differ.
    pub fn new(all: &'static [&'static str], sendable: &[&'static str]) -> Self {
        let kinds: Vec<&'static str> = match all.len() > KIND_COLOURS {
            true => sendable.iter().copied().filter(|k| *k != REFUSAL).collect(),
            false => all.to_vec(),
        };
        let colours = colours(&kinds);
        KindColours { kinds, colours }
    }

    /// The kinds coloured, in the protocol's order (the legend's).
    pub fn kinds(&self) -> &[&'static str] {
        &self.kinds
    }

    /// `kind`'s colour, an index into [`PALETTE`]. A kind missing from the list (the core's
    /// tests forbid that) gets a stable hash instead of a panic.
    pub fn of(&self, kind: &str) -> usize {
        if kind == REFUSAL {
            return REFUSAL_COLOUR;
        }
        match self.kinds.iter().position(|k| *k == kind) {
            Some(at) => self.colours[at],
            None => {
                let h = kind.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ b as u32).wrapping_mul(0x0100_0193));
                h as usize % KIND_COLOURS
            }
        }
    }
}

/// Each of `kinds`' colour (an index into [`PALETTE`]), in the list's order.
fn colours(kinds: &[&str]) -> Vec<usize> {
    let taken: Vec<usize> = kinds.iter().filter_map(|k| shared(k)).collect();
    let free: Vec<usize> = (0..KIND_COLOURS).filter(|c| !taken.contains(c)).collect();
    let mut next = 0;
    kinds
        .iter()
        .map(|k| {
            shared(k).unwrap_or_else(|| {
                // A list longer than the palette goes round the free colours (see `new`).
                let c = free[next % free.len().max(1)];
                next += 1;
                c
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_kind_two_protocols_send_has_one_colour() {
        const LB: &[&str] = &["Request", "Forward", "Reply", "Response"];
        const TRAFFIC: &[&str] = &["Request", "Response", "Forward", "Reply", "Probe", "ProbeOk"];
        let (lb, traffic) = (KindColours::new(LB, &[]), KindColours::new(TRAFFIC, &[]));
        for k in ["Request", "Forward", "Reply", "Response"] {
            assert_eq!(lb.of(k), traffic.of(k), "{k}");
        }
        assert_eq!(lb.of(REFUSAL), REFUSAL_COLOUR);
        let own: Vec<usize> = colours(TRAFFIC);
        let mut sorted = own.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), own.len(), "traffic's kinds all differ: {own:?}");
        assert!(!own.contains(&REFUSAL_COLOUR), "none is the reset's grey");
    }

    /// What a student sees: in every preset, the kinds its nodes can send (the legend's list,
    /// the reset among them where a crash refuses) all have colours of their own.
    #[wasm_bindgen_test]
    fn no_two_kinds_a_preset_sends_share_a_colour() {
        use dsplay_core::{presets, registry};
        for id in presets::ids() {
            let sim = registry::build(&presets::get(id).expect("a preset")).expect("builds");
            let can = sim.sendable_kinds();
            let colours = KindColours::new(sim.message_kinds(), can);
            let mut seen: Vec<(usize, &str)> = Vec::new();
            for k in can {
                let c = colours.of(k);
                if let Some((_, other)) = seen.iter().find(|(o, _)| *o == c) {
                    panic!("{id}: {k} and {other} are both {}", PALETTE[c]);
                }
                seen.push((c, k));
            }
        }
    }
}
