//! `cargo xtask serve`: set up, then `trunk serve --release`, announcing the URL once it answers.

use crate::setup::{self, Needs};
use crate::sh::Result;
use crate::web;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub const ADDR: &str = "127.0.0.1:8080";

pub fn run() -> Result {
    setup::run(&Needs::default())?;
    println!("$ trunk serve --release (the first build takes a few minutes)");
    let mut child = web::trunk(&["serve", "--release"])?
        .spawn()
        .map_err(|e| format!("`trunk serve` could not start: {e}"))?;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("`trunk serve` exited ({status})"));
        }
        if page_is_up() {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    println!("dsplay is running at http://{ADDR}/  (Ctrl-C to stop)");
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`trunk serve` exited ({status})"))
    }
}

/// Does `GET /` answer 200 with the built page (not trunk's "building" placeholder)?
fn page_is_up() -> bool {
    let Ok(mut s) = TcpStream::connect(ADDR) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!("GET / HTTP/1.1\r\nHost: {ADDR}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    body.starts_with("HTTP/1.1 200") && body.contains("data-dsplay-wasm")
}
