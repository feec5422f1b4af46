//! dsplay web app: a Yew front end over the deterministic simulation core.
//!
//! `player` + `hooks` own the session and the animation loop; `components` render views read
//! from the player context and change things only by dispatching actions; `shell` lays them out.
// Yew components and their props are not `Debug`; the workspace lint asks for it on public types.
#![allow(missing_debug_implementations)]

pub mod charts;
#[cfg(test)]
mod colour_vision;
pub mod components;
pub mod embed;
pub mod export;
pub mod focus;
pub mod hooks;
pub mod keys;
pub mod laid_out;
pub mod link;
mod panic;
pub mod player;
pub mod run;
mod shell;
pub mod single_keys;
pub mod slow_auto;
pub mod spacetime;
mod theme;
pub mod topology;
pub mod traces;
mod travel;
pub mod urlsync;

pub use shell::App;

// The unit tests inside the app's modules run in headless Chromium like the integration tests
// (`cargo test --target wasm32-unknown-unknown`); a plain `#[test]` would never run there.
#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Mount the app on `<body>`. Called from `main` on wasm32.
pub fn start() {
    panic::install();
    yew::Renderer::<App>::new().render();
}
