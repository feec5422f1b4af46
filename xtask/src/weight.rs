//! `cargo xtask weight [--top N]`: where the page's wasm bytes go, by crate and module.
//!
//! The page-size line says *how much*; this says *what*. It builds the app as the release build
//! does (`web::for_size`, wasm-opt -Oz) but keeps the function names, then files every function
//! body under the first non-std path in its name (`dsplay_core::protocols::raft`, `yew`, `serde`…)
//! and compresses each area's code on its own. Generic code is filed under the crate that wrote
//! it: component bodies inlined into Yew's lifecycle count as `yew`, derived (de)serializers as
//! `serde`. Each area is gzipped alone, so the areas add up to more than the whole.
//!
//! `--top N` also lists the N heaviest functions by raw size, with the copies of one generic
//! function (`Sim<RaftNode>::step_until`, `Sim<LbNode>::step_until`…) added up as one
//! (`Sim<_>::step_until`), so code compiled once per type parameter stands out. A copy holds
//! whatever was inlined into it (a protocol's handlers, in `step_until`'s case), and wasm-opt
//! keeps one of several identical copies, under one of their names.

use crate::sh::{self, cmd, Result};
use crate::web::PACKAGE;
use std::collections::BTreeMap;
use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};

const STD_CRATES: [&str; 4] = ["core", "alloc", "std", "compiler_builtins"];
const SHOWN: usize = 30;

#[derive(Default)]
struct Area {
    code: Vec<u8>,
    functions: usize,
}

pub fn top_from_args(args: &[String]) -> Result<usize> {
    match args {
        [] => Ok(0),
        [flag, n] if flag == "--top" => n.parse().map_err(|_| format!("--top: not a number: {n:?}")),
        _ => Err("usage: cargo xtask weight [--top N]".into()),
    }
}

/// Build with names, run `wasm-bindgen` and `wasm-opt` as trunk does, and print the breakdown
/// (and the `top` heaviest functions).
pub fn run(top: usize) -> Result {
    let mut build = cmd("cargo", &["build", "--release", "--target", "wasm32-unknown-unknown"]);
    build.args(["--package", PACKAGE]);
    crate::web::for_size(&mut build);
    sh::run(build)?;
    let target = sh::target_dir();
    let built = target.join("wasm32-unknown-unknown/release").join(format!("{PACKAGE}.wasm"));
    let out = target.join("weight");
    let (built, out_dir) = (built.to_string_lossy(), out.to_string_lossy());
    sh::run(cmd("wasm-bindgen", &["--target", "web", "--keep-debug", "--out-dir", &out_dir, &built]))?;
    let bound = out.join(format!("{PACKAGE}_bg.wasm"));
    let named = out.join("named.wasm");
    let mut opt = cmd("wasm-opt", &["-Oz", "-g"]);
    opt.args(["--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext"]);
    opt.arg("--enable-mutable-globals");
    opt.arg(&bound).arg("-o").arg(&named);
    sh::run(opt)?;
    let bytes = std::fs::read(&named).map_err(|e| format!("cannot read {}: {e}", named.display()))?;
    print(&bytes, top).map_err(|e| format!("cannot parse {}: {e}", named.display()))
}

fn print(wasm: &[u8], top: usize) -> std::result::Result<(), wasmparser::BinaryReaderError> {
    let (bodies, data, names) = sections(wasm)?;
    let code: Vec<u8> = bodies.iter().flat_map(|(_, body)| body.iter().copied()).collect();
    let functions = bodies.len();
    let mut areas: BTreeMap<String, Area> = BTreeMap::new();
    for &(index, body) in &bodies {
        let area = areas.entry(area_of(names.get(&index).map_or("?", String::as_str))).or_default();
        area.code.extend_from_slice(body);
        area.functions += 1;
    }
    println!("whole module {} KB gzipped (names kept; the shipped build strips them)", kb(gz(wasm)));
    println!("  code {:>7} KB gzipped {:>8} KB raw  {functions} functions", kb(gz(&code)), kb(code.len()));
    println!("  data {:>7} KB gzipped {:>8} KB raw", kb(gz(&data)), kb(data.len()));
    let mut rows: Vec<(usize, &String, &Area)> = areas.iter().map(|(n, a)| (gz(&a.code), n, a)).collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    println!("\n  {:>8} {:>9} {:>6}  area (each gzipped alone)", "gz KB", "raw KB", "fns");
    for (gz, name, area) in rows.iter().take(SHOWN) {
        println!("  {:>8} {:>9} {:>6}  {name}", kb(*gz), kb(area.code.len()), area.functions);
    }
    if rows.len() > SHOWN {
        let rest: usize = rows[SHOWN..].iter().map(|r| r.0).sum();
        println!("  {:>8} {:>9} {:>6}  ({} smaller areas)", kb(rest), "", "", rows.len() - SHOWN);
    }
    if top > 0 {
        print_heaviest(&bodies, &names, top);
    }
    Ok(())
}

/// The `top` heaviest functions by raw size, the copies of one generic function added up.
fn print_heaviest(bodies: &[(u32, &[u8])], names: &BTreeMap<u32, String>, top: usize) {
    let mut by_name: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (index, body) in bodies {
        let name = names.get(index).map_or("?".to_string(), |n| generic_name(&strip_disambiguators(n)));
        let (bytes, copies) = by_name.entry(name).or_default();
        *bytes += body.len();
        *copies += 1;
    }
    let mut rows: Vec<(usize, usize, String)> = by_name.into_iter().map(|(n, (b, c))| (b, c, n)).collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
    println!("\n  {:>8} {:>6}  heaviest functions (copies of a generic one added up)", "raw KB", "copies");
    for (bytes, copies, name) in rows.iter().take(top) {
        println!("  {:>8} {:>6}  {name}", kb(*bytes), copies);
    }
}

/// The name shared by every copy of a generic function: type arguments become `_`, and the
/// symbol hash and wasm-opt's `.N` suffix go (`<a::Sim<b::Raft>>::step::h01…` → `<a::Sim<_>>::step`).
fn generic_name(name: &str) -> String {
    let name = name.rsplit_once('.').filter(|(_, n)| n.parse::<u32>().is_ok()).map_or(name, |(s, _)| s);
    let name = name.rsplit_once("::").filter(|(_, last)| is_hash(last)).map_or(name, |(path, _)| path);
    let (mut out, mut depth, mut prev) = (String::with_capacity(name.len()), 0, ' ');
    for c in name.chars() {
        match c {
            // A `<` after a path segment opens type arguments (a qualified path's `<` does not).
            '<' if depth > 0 || prev.is_ascii_alphanumeric() || prev == '_' || prev == ':' => {
                if depth == 0 {
                    out.push_str("<_");
                }
                depth += 1;
            }
            '>' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push('>');
                }
            }
            _ if depth > 0 => {}
            _ => out.push(c),
        }
        prev = c;
    }
    out
}

type Sections<'a> = (Vec<(u32, &'a [u8])>, Vec<u8>, BTreeMap<u32, String>);

/// Function bodies with their function index, all data segments, and the function names.
fn sections(wasm: &[u8]) -> std::result::Result<Sections<'_>, wasmparser::BinaryReaderError> {
    let (mut bodies, mut data, mut names) = (Vec::new(), Vec::new(), BTreeMap::new());
    let mut next_index = 0u32;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::ImportSection(imports) => {
                for group in imports {
                    next_index += imported_functions(group?)?;
                }
            }
            Payload::CodeSectionEntry(body) => {
                bodies.push((next_index, body.as_bytes()));
                next_index += 1;
            }
            Payload::DataSection(segments) => {
                for segment in segments {
                    data.extend_from_slice(segment?.data);
                }
            }
            Payload::CustomSection(custom) => {
                if let KnownCustom::Name(subsections) = custom.as_known() {
                    for subsection in subsections {
                        if let Name::Function(map) = subsection? {
                            for naming in map {
                                let naming = naming?;
                                names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok((bodies, data, names))
}

fn imported_functions(
    group: wasmparser::Imports<'_>,
) -> std::result::Result<u32, wasmparser::BinaryReaderError> {
    let is_func = |ty: &TypeRef| matches!(ty, TypeRef::Func(_));
    Ok(match group {
        wasmparser::Imports::Single(_, import) => u32::from(is_func(&import.ty)),
        wasmparser::Imports::Compact1 { items, .. } => {
            let mut n = 0;
            for item in items {
                n += u32::from(is_func(&item?.ty));
            }
            n
        }
        wasmparser::Imports::Compact2 { ty, names, .. } => {
            if is_func(&ty) {
                names.count()
            } else {
                0
            }
        }
    })
}

/// The area a function is filed under: `serde` for (de)serializers, else the first path in its
/// name outside the standard library (with the module for our own crates), else `std: <module>`.
fn area_of(name: &str) -> String {
    if name.contains("Deserializ") || name.contains("Serializ") {
        return "serde (with derived impls)".into();
    }
    let cleaned = strip_disambiguators(name);
    let paths: Vec<Vec<&str>> = cleaned
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .filter(|t| t.contains("::") && !t.starts_with(':'))
        .map(|t| t.split("::").filter(|s| !s.is_empty()).collect())
        .collect();
    if let Some(path) = paths.iter().find(|p| !STD_CRATES.contains(&p[0])) {
        let depth = match (path[0], path.get(1)) {
            ("dsplay_core", Some(&"protocols")) => 3,
            ("dsplay_core" | "dsplay_web", _) => 2,
            _ => 1,
        };
        return modules_of(path).take(depth).collect::<Vec<_>>().join("::");
    }
    match paths.first() {
        Some(path) => {
            format!("std: {}", modules_of(path).skip(1).take(2).collect::<Vec<_>>().join("::"))
        }
        None => "other".into(),
    }
}

/// The module part of a path: without its last segment (the item) and from the first type on.
fn modules_of<'a>(path: &'a [&'a str]) -> impl Iterator<Item = &'a str> + 'a {
    path[..path.len() - 1].iter().copied().take_while(|s| !is_type_or_hash(s))
}

/// A type name (`Vec`) or a symbol hash (`h0123…`) ends the module part of a path.
fn is_type_or_hash(segment: &str) -> bool {
    is_hash(segment) || segment.starts_with(|c: char| c.is_ascii_uppercase())
}

fn is_hash(segment: &str) -> bool {
    segment.len() == 17 && segment.starts_with('h') && segment[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// `core[c5930c85a12de822]::fmt` → `core::fmt`.
fn strip_disambiguators(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(']') {
            Some(close) if after[..close].chars().all(|c| c.is_ascii_hexdigit()) => {
                rest = &after[close + 1..]
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Gzipped size, measured as the page-size line measures it.
fn gz(bytes: &[u8]) -> usize {
    crate::size::gzip_len(bytes) as usize
}

fn kb(n: usize) -> String {
    format!("{:.1}", n as f64 / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::{area_of, generic_name};

    #[test]
    fn functions_are_filed_under_their_crate_and_module() {
        let raft = "dsplay_core::protocols::raft::server::Server::on_message::h0123456789abcdef";
        assert_eq!(area_of(raft), "dsplay_core::protocols::raft");
        let chart = "<dsplay_web::components::charts::ChartView as yew::functional::FunctionProvider>::run";
        assert_eq!(area_of(chart), "dsplay_web::components");
        assert_eq!(area_of("<yew::html::component::lifecycle::CompStateInner<COMP> as X>::view"), "yew");
        assert_eq!(
            area_of("alloc::collections::btree::map::BTreeMap<K,V,A>::insert"),
            "std: collections::btree"
        );
        assert_eq!(area_of("core[c5930c85a12de822]::fmt::write"), "std: fmt");
        let derived = "dsplay_core::dist::_::<impl serde_core::de::Deserialize for dsplay_core::dist::Dist>::deserialize";
        assert_eq!(area_of(derived), "serde (with derived impls)");
        assert_eq!(area_of("dsplay_core::sim::Sim<N>::step_until"), "dsplay_core::sim");
        assert_eq!(area_of("memcpy"), "other");
    }

    #[test]
    fn copies_of_a_generic_function_share_a_name() {
        let raft = "<dsplay_core::sim::Sim<dsplay_core::protocols::raft::RaftNode>>::step_until";
        assert_eq!(generic_name(raft), "<dsplay_core::sim::Sim<_>>::step_until");
        let cloned = "<alloc::vec::Vec<(u8, Option<u32>)> as core::clone::Clone>::clone.182";
        assert_eq!(generic_name(cloned), "<alloc::vec::Vec<_> as core::clone::Clone>::clone");
        assert_eq!(generic_name("a::b::h0123456789abcdef"), "a::b");
        assert_eq!(generic_name("memcpy"), "memcpy");
    }
}
