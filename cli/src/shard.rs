//! `dsplay shard --scheme range|mod|ring|jump --shards N [--vnodes V] KEY...`: print each key's
//! shard (`KEY<TAB>SHARD`), and with `--moved` how many keys would move going to N + 1 shards,
//! then each that would (`# KEY<TAB>FROM → TO`); with `--removed S` the same for removing shard S.
//! A key that parses as a u64 is the hash input itself; other keys are hashed with FNV-1a 64.

use crate::out::outln;
use clap::{Args, ValueEnum};
use dsplay_core::shard::{Placement, Scheme};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemeArg {
    Range,
    Mod,
    Ring,
    Jump,
}

#[derive(Args, Debug)]
pub struct ShardArgs {
    #[arg(long, value_enum)]
    scheme: SchemeArg,
    #[arg(long)]
    shards: u32,
    /// Virtual nodes per shard on the ring.
    #[arg(long, default_value_t = 100)]
    vnodes: u32,
    /// Also print how many of the keys move when one shard is added, and each that does.
    #[arg(long)]
    moved: bool,
    /// Also print how many of the keys move when this shard (0 to N − 1) is removed, and each.
    #[arg(long, value_name = "SHARD")]
    removed: Option<u32>,
    #[arg(required = true)]
    keys: Vec<String>,
}

pub fn run(args: &ShardArgs) -> Result<(), String> {
    if args.shards == 0 || args.shards > 1_000_000 {
        return Err(format!("--shards must be 1 to 1000000, got {}", args.shards));
    }
    // Only the ring has virtual nodes: the check was made for every scheme (review 18).
    let ring = matches!(args.scheme, SchemeArg::Ring);
    if ring && (args.vnodes == 0 || u64::from(args.vnodes) * u64::from(args.shards) > 10_000_000) {
        return Err("--vnodes must be at least 1, and shards × vnodes at most 10000000".into());
    }
    let scheme = match args.scheme {
        SchemeArg::Range => Scheme::Range,
        SchemeArg::Mod => Scheme::Mod,
        SchemeArg::Ring => Scheme::Ring { vnodes: args.vnodes },
        SchemeArg::Jump => Scheme::Jump,
    };
    let placement = Placement::new(scheme, args.shards);
    let without =
        args.removed.map(|s| placement.without(s).map_err(|e| format!("--removed: {e}"))).transpose()?;
    for key in &args.keys {
        outln!("{key}\t{}", placement.shard_of(key));
    }
    if args.moved {
        // Each placement built once (a ring of shards × vnodes points is the costly part).
        let moved = placement.moves_to(&Placement::new(scheme, args.shards + 1), &args.keys);
        outln!("# {} of {} keys move going to {} shards", moved.len(), args.keys.len(), args.shards + 1);
        // Which, and where (review 49 C10: only the count was said).
        print_moves(&moved);
    }
    if let (Some(without), Some(shard)) = (without, args.removed) {
        let moved = placement.moves_to(&without, &args.keys);
        outln!("# {} of {} keys move when shard {shard} is removed", moved.len(), args.keys.len());
        print_moves(&moved);
    }
    Ok(())
}

fn print_moves(moved: &[(&str, u32, u32)]) {
    for (key, from, to) in moved {
        outln!("# {key}\t{from} → {to}");
    }
}
