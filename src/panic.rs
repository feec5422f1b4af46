//! A panic must not leave a dead page: log it, then put a plain-DOM panel on screen with a
//! reload link that keeps the user's scenario (the link's `#s=` fragment is preserved).

use wasm_bindgen::JsCast;

/// Install the hook (once, at start-up).
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_panel(&info.to_string());
    }));
}

fn show_panel(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = doc.body() else { return };
    let Ok(panel) = doc.create_element("div") else { return };
    panel.set_id("crash-panel");
    panel.set_class_name("crash-panel");
    let _ = panel.set_attribute("role", "alertdialog");
    let reload = reload_href();
    let heading = doc.create_element("h2").ok();
    let text = doc.create_element("p").ok();
    let detail = doc.create_element("pre").ok();
    let link = doc.create_element("a").ok();
    if let (Some(h), Some(p), Some(d), Some(a)) = (heading, text, detail, link) {
        h.set_text_content(Some("Something went wrong in the playground"));
        p.set_text_content(Some(
            "Your scenario is safe: it lives in this page's link. Reload to continue where you were.",
        ));
        d.set_text_content(Some(message));
        a.set_text_content(Some("Reload"));
        let _ = a.set_attribute("href", &reload);
        a.set_class_name("primary");
        for child in [&h, &p, &a, &d] {
            let _ = panel.append_child(child);
        }
    }
    let _ = body.append_child(&panel);
    if let Some(el) = panel.dyn_ref::<web_sys::HtmlElement>() {
        let _ = el.focus();
    }
}

/// The current URL with a changed query, so following it really reloads (a hash-only change
/// would not), and with the same fragment.
fn reload_href() -> String {
    let Some(loc) = web_sys::window().map(|w| w.location()) else { return String::from("/") };
    let path = loc.pathname().unwrap_or_default();
    let query = loc.search().unwrap_or_default();
    let hash = loc.hash().unwrap_or_default();
    let sep = if query.is_empty() { "?" } else { "&" };
    format!("{path}{query}{sep}reloaded=1{hash}")
}
