//! The size of the built page: raw and gzipped (deflate level 9 + gzip's 18-byte frame).

use crate::sh::Result;
use std::path::Path;

#[derive(Default)]
struct Sizes {
    raw: u64,
    gz: u64,
}

pub fn gzip_len(bytes: &[u8]) -> u64 {
    miniz_oxide::deflate::compress_to_vec(bytes, 9).len() as u64 + 18
}

fn kb(n: u64) -> String {
    format!("{:.1} KB", n as f64 / 1000.0)
}

/// Print the per-kind and total sizes of `dist/`; returns the summary line.
pub fn report(dist: &Path) -> Result<String> {
    let (mut wasm, mut js, mut css) = (Sizes::default(), Sizes::default(), Sizes::default());
    let entries = std::fs::read_dir(dist).map_err(|e| format!("cannot read {}: {e}", dist.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let kind = match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => &mut wasm,
            Some("js") => &mut js,
            Some("css") => &mut css,
            _ => continue,
        };
        let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        println!(
            "  {:<40} {:>10} raw {:>10} gzipped",
            entry.file_name().to_string_lossy(),
            kb(bytes.len() as u64),
            kb(gzip_len(&bytes))
        );
        kind.raw += bytes.len() as u64;
        kind.gz += gzip_len(&bytes);
    }
    if wasm.raw == 0 {
        return Err(format!("no .wasm file in {}", dist.display()));
    }
    let total = Sizes { raw: wasm.raw + js.raw + css.raw, gz: wasm.gz + js.gz + css.gz };
    let line = format!(
        "page size: {} gzipped, {} raw (wasm {}, js {}, css {} gzipped)",
        kb(total.gz),
        kb(total.raw),
        kb(wasm.gz),
        kb(js.gz),
        kb(css.gz)
    );
    println!("{line}");
    println!("{}", against_budget(total.gz));
    Ok(line)
}

/// The budget for the whole page (wasm + JS + CSS), gzipped.
const BUDGET_GZ: u64 = 400_000;

/// How the page stands against [`BUDGET_GZ`]: printed beside the size, not failed on, so the
/// figure is in every test run's output whichever way it goes.
fn against_budget(gz: u64) -> String {
    match gz.checked_sub(BUDGET_GZ) {
        Some(over) if over > 0 => format!("page budget: {} gzipped, over it by {}", kb(BUDGET_GZ), kb(over)),
        _ => format!("page budget: {} gzipped, {} to spare", kb(BUDGET_GZ), kb(BUDGET_GZ - gz)),
    }
}

#[cfg(test)]
mod tests {
    use super::against_budget;

    #[test]
    fn the_budget_line_says_over_or_spare() {
        assert_eq!(against_budget(1_269_800), "page budget: 400.0 KB gzipped, over it by 869.8 KB");
        assert_eq!(against_budget(399_000), "page budget: 400.0 KB gzipped, 1.0 KB to spare");
        assert_eq!(against_budget(400_000), "page budget: 400.0 KB gzipped, 0.0 KB to spare");
    }
}
