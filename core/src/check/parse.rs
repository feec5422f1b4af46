//! Readers for history files: Jepsen's etcd register logs and porcupine's EDN-like key-value
//! logs (see `shared/corpora/porcupine/README.md`), plus the simulator's own JSON `History`.
//! Times are line numbers; operation ids count invocations from 1 in file order.

use super::model::{CellInput, RegisterInput, RegisterOutput};
use super::{history_ops, Op};
use crate::sim::history::History;
use std::collections::BTreeMap;
use thiserror::Error;

/// String-cell operations (the EDN key-value logs).
pub type CellOps = Vec<Op<CellInput, String>>;

/// A malformed input, with the 1-based line it was found on (0 = the whole file).
#[derive(Debug, Error, PartialEq, Eq)]
#[error("{}{msg}", if *line == 0 { String::new() } else { format!("line {line}: ") })]
pub struct ParseError {
    pub line: u64,
    pub msg: String,
}

/// serde_json's error in words, at its line: an empty file and a cut one are said as such, not
/// as "EOF while parsing a value at line 1 column 0".
fn json_err(text: &str, e: &serde_json::Error) -> ParseError {
    if text.trim().is_empty() {
        return err(0, "the file is empty: expected a history as JSON");
    }
    if e.is_eof() {
        return err(e.line() as u64, "the JSON ends too early: was the file cut short?");
    }
    let said = e.to_string();
    let said = said.split(" at line ").next().unwrap_or_default();
    err(e.line() as u64, format!("{said} (column {})", e.column()))
}

fn err(line: u64, msg: impl Into<String>) -> ParseError {
    ParseError { line, msg: msg.into() }
}

/// Register operations from a Jepsen etcd log (`INFO jepsen.util - P :invoke :write 3`).
pub fn parse_jepsen(text: &str) -> Result<Vec<Op<RegisterInput, RegisterOutput>>, ParseError> {
    if text.trim().is_empty() {
        return Err(err(0, "the file is empty: expected a Jepsen log"));
    }
    let mut ops: Vec<Op<RegisterInput, RegisterOutput>> = Vec::new();
    let mut open: BTreeMap<u64, usize> = BTreeMap::new();
    let mut dropped: Vec<usize> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n as u64 + 1;
        let Some((_, rest)) = line.split_once("jepsen.util - ") else { continue };
        let tokens: Vec<&str> = rest.split_whitespace().collect();
        let Some(Ok(process)) = tokens.first().map(|t| t.parse::<u64>()) else { continue };
        let (kind, f, args) = match tokens.as_slice() {
            [_, kind, f, args @ ..] => (*kind, *f, args.join(" ")),
            _ => return Err(err(line_no, format!("expected `P :type :f value`, got {rest:?}"))),
        };
        if kind == ":invoke" {
            if let Some(&prev) = open.get(&process) {
                return Err(err(
                    line_no,
                    format!("process {process} invokes while its call on line {} is open", ops[prev].call),
                ));
            }
            let input = jepsen_input(f, &args).map_err(|m| err(line_no, m))?;
            open.insert(process, ops.len());
            let id = ops.len() as u64 + 1;
            ops.push(Op { id, client: process, key: 0, call: line_no, ret: None, input, output: None });
            continue;
        }
        let Some(i) = open.remove(&process) else {
            return Err(err(line_no, format!("process {process} returns without an open call")));
        };
        // A return answers its call: the same operation, and a write or cas with the same
        // values. Lines out of step (two logs merged, a hand edit) were checked as something
        // they are not (review 27 B6: `:invoke :write 3` answered by `:ok :read 3` passed).
        let called = match ops[i].input {
            RegisterInput::Read => ":read",
            RegisterInput::Write(_) => ":write",
            RegisterInput::Cas(..) => ":cas",
        };
        let same_values = f != ":read" && !args.trim().is_empty() && kind == ":ok";
        if f != called || (same_values && jepsen_input(f, &args).ok() != Some(ops[i].input)) {
            return Err(err(
                line_no,
                format!(
                    "process {process}'s return is `{f} {args}`, its call on line {} `{}`",
                    ops[i].call,
                    said_call(ops[i].input)
                ),
            ));
        }
        match (kind, ops[i].input) {
            (":ok", RegisterInput::Read) => {
                let v = parse_value(&args).map_err(|m| err(line_no, m))?;
                ops[i].output = Some(RegisterOutput::Value(v));
            }
            (":ok", RegisterInput::Write(_)) => ops[i].output = Some(RegisterOutput::Written),
            (":ok", RegisterInput::Cas(..)) => ops[i].output = Some(RegisterOutput::Cas(true)),
            (":fail", RegisterInput::Cas(..)) => ops[i].output = Some(RegisterOutput::Cas(false)),
            // A failed read or write did not take effect (etcd: a timed-out read).
            (":fail", _) => dropped.push(i),
            // Unknown outcome: the call stays open for ever.
            (":info", _) => continue,
            _ => return Err(err(line_no, format!("unknown completion type {kind:?}"))),
        }
        ops[i].ret = Some(line_no);
    }
    finish(ops, &dropped)
}

/// A call as a Jepsen log writes it: `:write 3`, `:cas [1 2]`, `:read`.
fn said_call(input: RegisterInput) -> String {
    match input {
        RegisterInput::Read => ":read".into(),
        RegisterInput::Write(v) => format!(":write {v}"),
        RegisterInput::Cas(from, to) => format!(":cas [{from} {to}]"),
    }
}

fn jepsen_input(f: &str, args: &str) -> Result<RegisterInput, String> {
    match f {
        ":read" => Ok(RegisterInput::Read),
        ":write" => Ok(RegisterInput::Write(parse_int(args)?)),
        ":cas" => {
            let inner =
                args.strip_prefix('[').and_then(|a| a.strip_suffix(']')).ok_or("cas needs [FROM TO]")?;
            match inner.split_whitespace().collect::<Vec<_>>().as_slice() {
                [from, to] => Ok(RegisterInput::Cas(parse_int(from)?, parse_int(to)?)),
                _ => Err(format!("cas needs [FROM TO], got [{inner}]")),
            }
        }
        other => Err(format!("unknown operation {other:?} (read, write, cas)")),
    }
}

fn parse_int(s: &str) -> Result<i64, String> {
    s.trim().parse().map_err(|_| format!("expected an integer, got {s:?}"))
}

fn parse_value(s: &str) -> Result<Option<i64>, String> {
    if s.trim() == "nil" {
        Ok(None)
    } else {
        parse_int(s).map(Some)
    }
}

/// Drop definitely-failed ops and unknown reads; renumber nothing (ids stay file-order ids).
fn finish<O>(
    ops: Vec<Op<RegisterInput, O>>,
    dropped: &[usize],
) -> Result<Vec<Op<RegisterInput, O>>, ParseError> {
    if ops.is_empty() {
        return Err(err(0, "no operations found (wrong --format?)"));
    }
    let keep = |(i, o): &(usize, Op<RegisterInput, O>)| {
        !(dropped.contains(i) || (o.input == RegisterInput::Read && o.output.is_none()))
    };
    Ok(ops.into_iter().enumerate().filter(keep).map(|(_, o)| o).collect())
}

/// Key-value operations from porcupine's EDN-like log, with the key names (index = `Op::key`).
pub fn parse_edn(text: &str) -> Result<(CellOps, Vec<String>), ParseError> {
    if text.trim().is_empty() {
        return Err(err(0, "the file is empty: expected EDN lines ({:process 0, :type :invoke, …})"));
    }
    let mut ops: Vec<Op<CellInput, String>> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut open: BTreeMap<u64, usize> = BTreeMap::new();
    let mut dropped = vec![false; 0];
    for (n, line) in text.lines().enumerate() {
        let line_no = n as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let e = edn_map(line).map_err(|m| err(line_no, m))?;
        let field = |k: &str| e.get(k).cloned().ok_or_else(|| err(line_no, format!("missing :{k}")));
        let process =
            field("process")?.parse::<u64>().map_err(|_| err(line_no, "process must be a number"))?;
        let (kind, f) = (field("type")?, field("f")?);
        let value = e.get("value").cloned();
        if kind == ":invoke" {
            let key_name = field("key")?;
            let key = keys.iter().position(|k| *k == key_name).unwrap_or_else(|| {
                keys.push(key_name);
                keys.len() - 1
            }) as u64;
            let input = match (f.as_str(), value) {
                (":get", _) => CellInput::Get,
                (":put", Some(v)) => CellInput::Put(v),
                (":append", Some(v)) => CellInput::Append(v),
                _ => return Err(err(line_no, format!("bad operation {f:?} (get, put \"V\", append \"V\")"))),
            };
            if open.insert(process, ops.len()).is_some() {
                return Err(err(line_no, format!("process {process} invokes while a call is open")));
            }
            let id = ops.len() as u64 + 1;
            ops.push(Op { id, client: process, key, call: line_no, ret: None, input, output: None });
            dropped.push(false);
            continue;
        }
        let i = open
            .remove(&process)
            .ok_or_else(|| err(line_no, format!("process {process} returns without a call")))?;
        // A return answers its call: the same operation on the same key, as the Jepsen reader
        // checks (review 53 B2: `:invoke :put` answered by `:ok :get "zzz"` was checked as a put,
        // and a return naming key "b" was judged on key "a" with b's value).
        let called = match ops[i].input {
            CellInput::Get => ":get",
            CellInput::Put(_) => ":put",
            CellInput::Append(_) => ":append",
        };
        let key_name = &keys[ops[i].key as usize];
        let keyed = e.get("key").is_none_or(|k| k == key_name);
        if f != called || !keyed {
            let said = e.get("key").map_or(String::new(), |k| format!(" on key {k:?}"));
            return Err(err(
                line_no,
                format!(
                    "process {process}'s return is {f}{said}, its call on line {} {called} on key {key_name:?}",
                    ops[i].call
                ),
            ));
        }
        match kind.as_str() {
            // A read that returned says what it read (review 53 B1: `:value nil`, or none, was
            // taken as "unknown" and any value passed).
            ":ok" if ops[i].input == CellInput::Get && value.is_none() => {
                return Err(err(
                    line_no,
                    "an :ok :get must say the value it read: :value \"…\" (\"\" for a key never written)",
                ));
            }
            ":ok" => {
                ops[i].ret = Some(line_no);
                ops[i].output = if ops[i].input == CellInput::Get { value } else { None };
            }
            ":fail" => dropped[i] = true,
            ":info" => {}
            other => return Err(err(line_no, format!("unknown type {other:?}"))),
        }
    }
    if ops.is_empty() {
        return Err(err(0, "no operations found (wrong --format?)"));
    }
    let keep = |(i, o): &(usize, Op<CellInput, String>)| {
        !(dropped[*i] || (o.input == CellInput::Get && o.ret.is_none()))
    };
    Ok((ops.into_iter().enumerate().filter(keep).map(|(_, o)| o).collect(), keys))
}

/// `{:a 1, :b "x y", :c nil}` → {"a": "1", "b": "x y"} (nil values are left out; keywords keep
/// their colon).
fn edn_map(line: &str) -> Result<BTreeMap<String, String>, String> {
    let body = line.trim().strip_prefix('{').and_then(|l| l.strip_suffix('}')).ok_or("expected {…}")?;
    let mut out = BTreeMap::new();
    let mut chars = body.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        match chars.next() {
            None => return Ok(out),
            Some(':') => {}
            Some(c) => return Err(format!("expected :key, found {c:?}")),
        }
        let name: String = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())).collect();
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let value = if chars.next_if_eq(&'"').is_some() {
            let mut s = String::new();
            loop {
                match chars.next().ok_or("unterminated string")? {
                    '"' => break,
                    '\\' => s.push(chars.next().ok_or("unterminated string")?),
                    c => s.push(c),
                }
            }
            Some(s)
        } else {
            let atom: String =
                std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != ',')).collect();
            if atom.is_empty() {
                return Err(format!(":{name} has no value"));
            }
            (atom != "nil").then_some(atom)
        };
        if let Some(v) = value {
            out.insert(name, v);
        }
    }
}

/// Register operations from a simulator `History` serialized as JSON.
pub fn parse_history_json(text: &str) -> Result<Vec<Op<RegisterInput, RegisterOutput>>, ParseError> {
    let h: History = serde_json::from_str(text).map_err(|e| match serde_json::from_str::<serde_json::Value>(text) {
        // The app's other JSON export: its records are messages, not operations (review 49 C6).
        Ok(doc) if doc.get("records").is_some() && doc.get("trace_hash").is_some() => err(
            1,
            "this is a Trace JSON (messages, not operations): save History JSON from the History tab, or run `dsplay lincheck PRESET`",
        ),
        _ => json_err(text, &e),
    })?;
    if h.ops.is_empty() {
        return Err(err(0, "no operations found: `ops` is empty"));
    }
    if let Some(why) = contradiction(&h) {
        return Err(err(0, why));
    }
    Ok(history_ops(&h))
}

/// What makes a history's records contradict themselves, if anything does: an operation that
/// returns before its call (the search crashed on one: review 53 A2), a completed one without a
/// return time (or a pending one with one), an id given twice. The simulator writes none of them.
fn contradiction(h: &History) -> Option<String> {
    use crate::sim::history::Outcome;
    let mut ids = std::collections::BTreeSet::new();
    h.ops.iter().find_map(|o| {
        let (id, call) = (o.id, o.call.as_us());
        match (o.outcome, o.ret.map(|r| r.as_us())) {
            _ if !ids.insert(id) => Some(format!("op {id}: the id is given to two operations")),
            (_, Some(ret)) if ret < call => {
                Some(format!("op {id} returns at {ret}, before its call at {call}"))
            }
            (Outcome::Ok { .. } | Outcome::Fail, None) => {
                Some(format!("op {id} ended (ok or fail) but has no `ret`: give the time it returned"))
            }
            (Outcome::Pending, Some(_)) => {
                Some(format!("op {id} is pending but has a `ret`: a pending operation has not returned"))
            }
            _ => None,
        }
    })
}
