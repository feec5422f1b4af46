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
    let _ = panel.set_attribute("aria-label", "Something went wrong in the playground");
    // Focusable, so the focus (and a screen reader) moves to it.
    let _ = panel.set_attribute("tabindex", "-1");
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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_crash_panel_takes_the_focus_and_its_reload_keeps_the_link() {
        let w = web_sys::window().expect("window");
        let doc = w.document().expect("document");
        w.location().set_hash("s=abc&t=5").expect("hash");
        show_panel("panicked at src/x.rs:1:1: boom");
        let panel = doc.get_element_by_id("crash-panel").expect("a panel");
        assert_eq!(panel.get_attribute("role").as_deref(), Some("alertdialog"));
        assert_eq!(doc.active_element().map(|e| e.id()).as_deref(), Some("crash-panel"));
        assert!(panel.text_content().unwrap_or_default().contains("boom"));
        let reload = panel.query_selector("a.primary").ok().flatten().and_then(|a| a.get_attribute("href"));
        let reload = reload.unwrap_or_default();
        assert!(reload.contains("reloaded=1") && reload.ends_with("#s=abc&t=5"), "{reload}");
        panel.remove();
        w.location().set_hash("").expect("clear");
    }
}
