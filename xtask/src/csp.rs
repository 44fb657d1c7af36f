//! Trunk post-build hook: allow Trunk's inline boot script by its hash.
//!
//! Trunk 0.21 injects an inline `<script type="module">` that loads the wasm. Our
//! Content-Security-Policy allows scripts only from the app's own origin, so each inline
//! script in the built `index.html` gets its `'sha256-…'` source added to `script-src`,
//! never `'unsafe-inline'`.

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
            let digest = Sha256::digest(&body_and_more.as_bytes()[..close]);
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push(format!("'sha256-{encoded}'"));
        }
        rest = &body_and_more[close..];
    }
    hashes
}

/// `html` with the inline-script hashes added to the CSP's `script-src` directive.
fn add_inline_script_hashes(html: &str) -> Result<String, String> {
    const DIRECTIVE: &str = "script-src 'self'";
    let position = html
        .find(DIRECTIVE)
        .ok_or("index.html has no Content-Security-Policy with script-src 'self'")?;
    let insert_at = position + DIRECTIVE.len();
    let missing: Vec<String> = inline_script_hashes(html)
        .into_iter()
        .filter(|h| !html.contains(h.as_str()))
        .collect();
    let mut out = String::with_capacity(html.len() + 64 * missing.len());
    out.push_str(&html[..insert_at]);
    for hash in &missing {
        out.push(' ');
        out.push_str(hash);
    }
    out.push_str(&html[insert_at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<head><meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"><script type="module">alert(1)</script><script src="/x.js"></script></head>"#;

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
    }
}
