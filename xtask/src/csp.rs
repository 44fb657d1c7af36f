//! Trunk post-build hook: allow Trunk's inline boot script, and plotters' text measuring,
//! by their hashes.
//!
//! Trunk 0.21 injects an inline `<script type="module">` that loads the wasm. Our
//! Content-Security-Policy allows scripts only from the app's own origin, so each inline
//! script in the built `index.html` gets its `'sha256-…'` source added to `script-src`,
//! never `'unsafe-inline'`.
//!
//! In the browser plotters measures text with a hidden `<span>` whose `style` attribute it
//! sets (`plotters/src/style/font/web.rs`). Those exact attribute values, one per font size
//! the plots use (`src/plots/mod.rs`: 13 and 14 px sans-serif), are allowed with
//! `'unsafe-hashes'` and their hashes; no other inline style is.

use base64::Engine as _;
use sha2::{Digest, Sha256};

pub fn main() -> Result<(), String> {
    let staging = std::env::var_os("TRUNK_STAGING_DIR")
        .ok_or("csp-hashes runs as a Trunk hook: TRUNK_STAGING_DIR is not set")?;
    let path = std::path::Path::new(&staging).join("index.html");
    let html = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let updated = add_inline_script_hashes(&html)?;
    std::fs::write(&path, updated).map_err(|e| format!("{}: {e}", path.display()))
}

/// The font sizes `src/plots/mod.rs` draws text with (`LABEL_FONT_PX`, `AXIS_FONT_PX`); each gets
/// its measuring style allowed.
const PLOT_FONT_SIZES_PX: [u32; 2] = [13, 14];

/// The `style` attribute plotters gives its measuring `<span>` for a sans-serif font.
fn plotters_measuring_style(size_px: u32) -> String {
    format!(
        "display: inline-block; font-family:sans-serif; font-style:normal; font-size: {size_px}px; position: fixed; top: 100%"
    )
}

fn sha256_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The `'sha256-…'` source of each inline script (a `<script>` without `src`).
fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        rest = &rest[start..];
        let Some(tag_end) = rest.find('>') else { break };
        let tag = &rest[..tag_end];
        let body_and_more = &rest[tag_end + 1..];
        let Some(close) = body_and_more.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            hashes.push(sha256_source(&body_and_more[..close]));
        }
        rest = &body_and_more[close..];
    }
    hashes
}

/// `html` with the inline-script hashes added to the CSP's `script-src` directive and the
/// plot-measuring style hashes to `style-src`.
fn add_inline_script_hashes(html: &str) -> Result<String, String> {
    let scripts = inline_script_hashes(html);
    let with_scripts = add_sources(html, "script-src 'self'", &scripts)?;
    let mut styles: Vec<String> = vec!["'unsafe-hashes'".to_owned()];
    styles.extend(
        PLOT_FONT_SIZES_PX
            .iter()
            .map(|&size| sha256_source(&plotters_measuring_style(size))),
    );
    add_sources(&with_scripts, "style-src 'self'", &styles)
}

/// Adds the `sources` not yet present right after `directive` (e.g. `script-src 'self'`).
fn add_sources(html: &str, directive: &str, sources: &[String]) -> Result<String, String> {
    let position = html
        .find(directive)
        .ok_or_else(|| format!("index.html has no Content-Security-Policy with {directive}"))?;
    let insert_at = position + directive.len();
    let mut out = String::with_capacity(html.len() + 64 * sources.len());
    out.push_str(&html[..insert_at]);
    for source in sources.iter().filter(|s| !html.contains(s.as_str())) {
        out.push(' ');
        out.push_str(source);
    }
    out.push_str(&html[insert_at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<head><meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'"><script type="module">alert(1)</script><script src="/x.js"></script></head>"#;

    #[test]
    fn hashes_only_inline_scripts_and_is_idempotent() {
        // printf 'alert(1)' | openssl dgst -sha256 -binary | base64
        let expected = "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='";
        let once = add_inline_script_hashes(PAGE).unwrap_or_default();
        assert!(
            once.contains(&format!("script-src 'self' {expected} 'wasm-unsafe-eval'")),
            "{once}"
        );
        assert_eq!(inline_script_hashes(PAGE), vec![expected.to_owned()]);
        assert_eq!(add_inline_script_hashes(&once).unwrap_or_default(), once);
        // The hash Chromium reported for plotters' 13 px measuring span.
        assert!(once.contains("style-src 'self' 'unsafe-hashes' 'sha256-SGv2RoMEiDiquni0d2hRt3svFYmL+pk2L3jsGSOUnfU='"), "{once}");
    }
}
