//! The caption a partition gets on the stage: which nodes are on which side, in the sides' tints
//! ("n4 n5 c1 | n1 n2 n3 c2"). The nodes stay where the layout put them, so the sides can be
//! interleaved on the stage; the caption says them whatever the drawing (review 14).

use dsplay_core::view::WorldView;
use yew::prelude::*;

/// Most names said per side; the rest are counted.
const NAMES_PER_SIDE: usize = 6;

/// Each side of the split (by group, in group order): its names, at most [`NAMES_PER_SIDE`]
/// and then "+N". Empty when the network is whole.
pub fn sides(view: &WorldView) -> Vec<(u32, String)> {
    if view.nodes.iter().all(|n| n.group == 0) {
        return Vec::new();
    }
    let mut groups: Vec<u32> = view.nodes.iter().map(|n| n.group).collect();
    groups.sort_unstable();
    groups.dedup();
    groups
        .into_iter()
        .map(|g| {
            let names: Vec<&str> =
                view.nodes.iter().filter(|n| n.group == g).map(|n| n.name.as_str()).collect();
            let shown = names.iter().take(NAMES_PER_SIDE).copied().collect::<Vec<_>>().join(" ");
            let more = names.len().saturating_sub(NAMES_PER_SIDE);
            (g, if more > 0 { format!("{shown} +{more}") } else { shown })
        })
        .collect()
}

/// The caption, or nothing when the network is whole.
pub fn caption(view: &WorldView) -> Html {
    let sides = sides(view);
    if sides.is_empty() {
        return html! {};
    }
    let n = sides.len();
    html! {
        <div class="topo-split">
            <span class="what">{"split:"}</span>
            { for sides.into_iter().enumerate().map(|(i, (g, names))| html! { <>
                <span class={classes!("side", format!("grp-{}", g % 6))}>{names}</span>
                if i + 1 < n { <span class="bar" aria-hidden="true">{"|"}</span> }
            </> }) }
        </div>
    }
}
