//! Every error of a refused draft, each at the field it is about. The parser stops at the first
//! error, and names an enum (`protocol`, `workload.arrival`) for an error inside one: with two
//! bad fields in `protocol`, "the field edited last" was often the wrong one. Here the draft is
//! checked again with one edited field at a time put back as it was: the field whose return
//! changes the error is the one it is about. Put back for good, it lets the next error show.

use super::form::Edit;
use super::json::{anchor, dotted, get, get_mut, Seg};
use super::nodes::check;
use dsplay_core::ScenarioError;
use serde_json::Value;

/// Most errors found for one Apply (each costs a few checks of the draft).
const MOST: usize = 8;

/// `(field to show it at, message)` for each error of `draft`, the first being `first` (what
/// checking it said). `base` is the scenario the edits were made on; an error no edited field
/// explains goes where [`anchor`] puts it, by the field edited last (`last_edit`).
pub fn all(
    draft: &Value,
    base: &Value,
    edits: &[Edit],
    last_edit: Option<&[Seg]>,
    first: ScenarioError,
) -> Vec<(String, String)> {
    // The fields the user typed into, newest first, each once.
    let mut edited: Vec<&[Seg]> = Vec::new();
    for e in edits.iter().rev() {
        if let Edit::Set(path, _) = e {
            if !edited.contains(&path.as_slice()) {
                edited.push(path);
            }
        }
    }
    let mut probe = draft.clone();
    let mut err = first;
    let mut out = Vec::new();
    loop {
        let own = culprit(&probe, base, &edited, &err);
        // An untouched field refused because of an edited one (d4's heartbeat, once the minimum
        // timeout is lowered under it) is said at the edited field, naming the other: at the
        // untouched one, the user was told to change what they had not (review 49 C2).
        let cross = own.is_none().then(|| caused_by(&probe, base, &edited, &err)).flatten();
        let culprit = own.or(cross);
        let about = match own {
            Some(path) => dotted(path),
            None => anchor(&probe, err.field().unwrap_or(""), last_edit),
        };
        // The field's limits, asked of the draft, may hide behind another bad field the draft still
        // has: then of the scenario the edits were made on.
        let shown = match err.at_in(&probe, &about) {
            shown if shown == err.at(&about) => err.at_in(base, &about),
            shown => shown,
        };
        let (at, message) = match cross {
            Some(path) => {
                let at = dotted(path);
                let said = format!("`{at}`: with this value, `{about}` is refused: {}", shown.message());
                (at, said)
            }
            None if about.is_empty() => (about, shown.message()),
            None => (about.clone(), format!("`{about}`: {}", shown.message())),
        };
        out.push((at, message));
        // Without a field to put back, the next check would say the same again.
        let Some(path) = culprit.filter(|_| out.len() < MOST) else { break };
        put_back(&mut probe, base, path);
        edited.retain(|p| *p != path);
        match check(&probe) {
            Err(next) if next != err => err = next,
            _ => break,
        }
    }
    out
}

/// The edited field `err` is about: the one it names, else the one inside the part it names whose
/// old value makes the check say something else.
fn culprit<'a>(probe: &Value, base: &Value, edited: &[&'a [Seg]], err: &ScenarioError) -> Option<&'a [Seg]> {
    let field = err.field()?;
    if let Some(exact) = edited.iter().find(|p| dotted(p) == field) {
        return Some(exact);
    }
    let inside = |p: &&&[Seg]| {
        let d = dotted(p);
        field.is_empty()
            || (d.starts_with(field) && matches!(d.as_bytes().get(field.len()), Some(b'.' | b'[')))
    };
    edited.iter().filter(inside).copied().find(|path| {
        let mut without = probe.clone();
        put_back(&mut without, base, path) && check(&without).err().as_ref() != Some(err)
    })
}

/// The edited field, outside the one `err` names, whose old value makes the check say something
/// else: the edit that made an untouched field wrong.
fn caused_by<'a>(
    probe: &Value,
    base: &Value,
    edited: &[&'a [Seg]],
    err: &ScenarioError,
) -> Option<&'a [Seg]> {
    let field = err.field().filter(|f| !f.is_empty())?;
    edited.iter().copied().find(|path| {
        let mut without = probe.clone();
        !dotted(path).starts_with(field)
            && put_back(&mut without, base, path)
            && check(&without).err().as_ref() != Some(err)
    })
}

/// The field at `path` as it is in `base`; false if either lacks it (an element added since).
fn put_back(v: &mut Value, base: &Value, path: &[Seg]) -> bool {
    match (get(base, path), get_mut(v, path)) {
        (Some(old), Some(slot)) => {
            *slot = old.clone();
            true
        }
        _ => false,
    }
}
