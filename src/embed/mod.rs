//! Embedding: the options an `<iframe>` page reads from its query string, the iframe snippet to
//! copy, and the pieces that keep an embed cheap (pause when hidden or off-screen, honour
//! `prefers-reduced-motion`).

mod announce;
mod code;
mod credit;
mod node_bar;
mod options;
mod play;
mod visibility;

pub use announce::tell_title;
pub use code::{
    element_code, embed_code, embed_url, EmbedChoice, EmbedSource, DEFAULT_HEIGHT, DEFAULT_WIDTH, HEIGHTS,
    WIDTHS,
};
pub use credit::OpenInApp;
pub use node_bar::NodeBar;
pub use options::{Controls, EmbedOptions, Theme};
pub use play::PlayOverlay;
pub use visibility::{prefers_reduced_motion, use_visibility_pause};
