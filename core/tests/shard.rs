//! D9: jump consistent hash matches the published algorithm's known values, and the keys-moved
//! figures separate the schemes: mod N moves almost everything, ring and jump about 1/(N + 1).

use dsplay_core::shard::{jump_consistent_hash, keys_moved, Placement, Scheme};

#[test]
fn jump_hash_golden_values() {
    let golden100 = [0, 55, 62, 8, 45, 59, 86, 97, 82, 59, 73, 37, 17, 56, 86, 21, 90, 37, 38, 83];
    for (key, want) in golden100.iter().enumerate() {
        assert_eq!(jump_consistent_hash(key as u64, 100), *want, "key {key}");
    }
    let cases = [
        (10_863_919_174_838_991u64, 11, 6),
        (2_016_238_256_797_177_309, 11, 3),
        (1_673_758_223_894_951_030, 11, 5),
        (2, 100_001, 80_343),
        (2201, 100_001, 22_152),
        (2202, 100_001, 15_018),
    ];
    for (key, buckets, want) in cases {
        assert_eq!(jump_consistent_hash(key, buckets), want, "key {key}, {buckets} buckets");
    }
}

fn keys() -> Vec<String> {
    (0..20_000).map(|i| format!("user:{i}")).collect()
}

#[test]
fn adding_a_shard_moves_all_keys_with_mod_and_few_with_consistent_schemes() {
    let keys = keys();
    let n = 10;
    let share = |scheme| keys_moved(scheme, n, &keys) as f64 / keys.len() as f64;
    let ideal = 1.0 / f64::from(n + 1);
    let (modulo, ring, jump) = (share(Scheme::Mod), share(Scheme::Ring { vnodes: 200 }), share(Scheme::Jump));
    assert!(modulo > 0.85, "mod N moves ~N/(N+1) of the keys: {modulo}");
    assert!((jump - ideal).abs() < 0.02, "jump moves ~1/(N+1): {jump}");
    assert!((ring - ideal).abs() < 0.04, "ring moves ~1/(N+1): {ring}");
}

#[test]
fn keys_that_move_under_jump_go_only_to_the_new_shard() {
    let (before, after) = (Placement::new(Scheme::Jump, 7), Placement::new(Scheme::Jump, 8));
    for k in keys() {
        let (a, b) = (before.shard_of(&k), after.shard_of(&k));
        assert!(a == b || b == 7, "{k}: {a} → {b}");
    }
}

#[test]
fn schemes_spread_load_evenly_except_range_on_skewed_keys() {
    let keys = keys();
    let load = |scheme| {
        let p = Placement::new(scheme, 8);
        let mut counts = [0u32; 8];
        keys.iter().for_each(|k| counts[p.shard_of(k) as usize] += 1);
        counts
    };
    for scheme in [Scheme::Mod, Scheme::Jump, Scheme::Ring { vnodes: 200 }] {
        let c = load(scheme);
        let (lo, hi) = (c.iter().min().copied().unwrap_or(0), c.iter().max().copied().unwrap_or(0));
        assert!(f64::from(hi) < f64::from(lo) * 1.35, "{scheme:?}: {c:?}");
    }
    let range = load(Scheme::Range);
    assert_eq!(
        range.iter().filter(|&&c| c > 0).count(),
        1,
        "every key starts with 'u': one hot shard {range:?}"
    );
}
