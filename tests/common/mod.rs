//! Shared by the browser tests: the golden trace hashes computed natively by the core's tests
//! (`core/tests/golden/hashes.txt`, one `<preset-id> <16 hex digits>` line per preset, by id).

const GOLDEN: &str = include_str!("../../core/tests/golden/hashes.txt");

/// Every `(id, hash)` line, in file order.
pub fn golden() -> Vec<(&'static str, &'static str)> {
    GOLDEN
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut it = l.split_whitespace();
            let (id, hash) = (it.next().unwrap_or_default(), it.next().unwrap_or_default());
            assert!(it.next().is_none(), "golden line has extra fields: {l:?}");
            (id, hash)
        })
        .collect()
}

/// The golden hash of one preset.
#[allow(dead_code)] // Not every test file that includes this module uses every function.
pub fn golden_hash(id: &str) -> Option<&'static str> {
    golden().into_iter().find(|(g, _)| *g == id).map(|(_, h)| h)
}
