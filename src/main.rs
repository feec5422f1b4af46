//! The dsplay web app entry point (built for wasm32 by trunk).
#[cfg(target_arch = "wasm32")]
fn main() {
    dsplay_web::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the dsplay web app runs in the browser: use `cargo xtask serve`");
}
