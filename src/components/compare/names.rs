//! A field as a reader finds it in the scenario: the services, endpoints and calls its path goes
//! through, by the names the scenario gives them, then the field. r4's
//! `protocol.services[0].endpoints[0].calls[0].retry.max_retries` is
//! "api › get → db: retry.max_retries", and `protocol.entries[0].retry.max_retries` (what the
//! clients call) "clients → api: retry.max_retries". A path through nothing named (t1's
//! backends, `protocol.r`) is said as it is; the exact path is always the title beside it.

use crate::components::editor::json::{dotted, Seg};
use serde_json::Value;

/// Who makes the calls listed under `key` when no named element is before them: the scenario's
/// `entries` are the clients' calls into the system.
fn caller_of(key: &str) -> &str {
    match key {
        "entries" => "clients",
        _ => key,
    }
}

/// The field at `path` of scenario `v`, by the names on its way (see the module's doc).
pub fn named(v: &Value, path: &[Seg]) -> String {
    let mut said = String::new();
    // Where the field's own part of the path starts: after the last element with a name.
    let mut rest = 0;
    let mut at = Some(v);
    for (i, seg) in path.iter().enumerate() {
        let list = at;
        at = at.and_then(|x| match seg {
            Seg::Key(k) => x.get(k.as_str()),
            Seg::Index(n) => x.get(*n),
        });
        let (Some(element), Seg::Index(_)) = (at, seg) else { continue };
        let word = |k: &str| element.get(k).and_then(Value::as_str);
        // Calls to one service from one list are told apart by their endpoint (review 50 C12:
        // r3's three "clients → gateway: retry.backoff" were one to each of its endpoints).
        let siblings = list.and_then(Value::as_array).map_or(0, |calls| {
            calls
                .iter()
                .filter(|c| {
                    word("service").is_some() && c.get("service").and_then(Value::as_str) == word("service")
                })
                .count()
        });
        let callee = |service: &str| match word("endpoint").filter(|_| siblings > 1) {
            Some(endpoint) => format!("{service} › {endpoint}"),
            None => service.to_string(),
        };
        let array_key = match i.checked_sub(1).map(|p| &path[p]) {
            Some(Seg::Key(k)) => k.as_str(),
            _ => "",
        };
        match (word("name"), word("service")) {
            (Some(name), _) if said.is_empty() => said.push_str(name),
            (Some(name), _) => said.push_str(&format!(" › {name}")),
            // A call, said by where it goes: from the named part before it, or its list's caller.
            (None, Some(service)) if said.is_empty() => {
                said.push_str(&format!("{} → {}", caller_of(array_key), callee(service)))
            }
            (None, Some(service)) => said.push_str(&format!(" → {}", callee(service))),
            (None, None) => continue,
        }
        rest = i + 1;
    }
    if said.is_empty() || rest == path.len() {
        return dotted(path);
    }
    format!("{said}: {}", dotted(&path[rest..]))
}
