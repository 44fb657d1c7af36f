//! `cargo xtask serve`: build the app for release and serve `dist/` on 127.0.0.1.
//!
//! We serve the built files ourselves rather than with `trunk serve`, so that the URL is
//! printed only once the page is ready and the app is served exactly as the static demo
//! is (same files, same sub-path handling, no autoreload script).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use crate::run::Cmd;
use crate::{project_root, setup};

pub fn main(args: &[String]) -> Result<(), String> {
    let mut port: u16 = 8080;
    let mut public_url = "/".to_owned();
    let mut prebuilt: Option<PathBuf> = None;
    let mut send_headers = true;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or("--port needs a number, e.g. --port 8080 (0: any free port)")?;
            }
            "--public-url" => {
                public_url = normalise_public_url(args.next().ok_or("--public-url needs a path")?);
            }
            "--dist" => {
                prebuilt = Some(PathBuf::from(
                    args.next().ok_or("--dist needs the folder of a build")?,
                ));
            }
            "--no-headers" => send_headers = false,
            other => {
                return Err(format!(
                    "serve: unknown argument `{other}` (options: --port N, --public-url PATH, \
                     --dist DIR to serve a build without building, --no-headers to serve like a \
                     plain static host)"
                ))
            }
        }
    }
    let root = match prebuilt {
        Some(dir) => dir,
        None => {
            setup::for_serve()?;
            trunk_build_cmd(&public_url, "dist").run()?;
            project_root().join("dist")
        }
    };
    let headers = if send_headers {
        let index = root.join("index.html");
        let html =
            std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
        let policy = content_security_policy(&html)
            .ok_or_else(|| format!("{} has no Content-Security-Policy", index.display()))?;
        // `frame-ancestors` works only as a header: no other site may frame the app.
        format!("Content-Security-Policy: {policy}; frame-ancestors 'none'\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nCache-Control: no-cache\r\n")
    } else {
        String::new()
    };
    let listener = bind_from(port)?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    println!("kommunebench is served at http://{address}{public_url}  (Ctrl-C stops it)");
    serve_forever(listener, root, public_url, headers)
}

/// The policy of the page's `<meta http-equiv="Content-Security-Policy">` (with the hashes
/// the post-build hook added), sent as a header on every response: a worker takes its policy
/// only from its own script's response headers.
fn content_security_policy(html: &str) -> Option<String> {
    let meta = &html[html.find("http-equiv=\"Content-Security-Policy\"")?..];
    let content = &meta[meta.find("content=\"")? + "content=\"".len()..];
    Some(content[..content.find('"')?].trim().to_owned())
}

/// `trunk build --release` into `dist_dir`, with our wasm-opt on PATH.
pub fn trunk_build_cmd(public_url: &str, dist_dir: &str) -> Cmd {
    Cmd::new("trunk")
        .args([
            "build",
            "--release",
            "--public-url",
            public_url,
            "--dist",
            dist_dir,
        ])
        .env("PATH", setup::path_with_node_tools())
}

fn normalise_public_url(url: &str) -> String {
    let trimmed = url.trim_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        format!("/{trimmed}/")
    }
}

/// Binds the first free port from `port` upwards (a second checkout may be serving).
fn bind_from(port: u16) -> Result<TcpListener, String> {
    (port..port.saturating_add(20))
        .find_map(|p| TcpListener::bind(("127.0.0.1", p)).ok())
        .ok_or_else(|| format!("no free port in {port}..{}", port.saturating_add(20)))
}

/// Serves `root` under `public_url`, every response with `headers` (CRLF-terminated lines;
/// empty for a plain static host).
fn serve_forever(
    listener: TcpListener,
    root: PathBuf,
    public_url: String,
    headers: String,
) -> Result<(), String> {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let root = root.clone();
        let public_url = public_url.clone();
        let headers = headers.clone();
        std::thread::spawn(move || {
            let _ = respond(stream, &root, &public_url, &headers);
        });
    }
    Ok(())
}

fn respond(
    mut stream: TcpStream,
    root: &Path,
    public_url: &str,
    headers: &str,
) -> std::io::Result<()> {
    let mut request_line = String::new();
    BufReader::new(&stream).read_line(&mut request_line)?;
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let file = resolve(root, public_url, path);
    let (status, content_type, body) = match file.and_then(|f| Some((std::fs::read(&f).ok()?, f))) {
        Some((body, file)) => ("200 OK", content_type(&file), body),
        None => (
            "404 Not Found",
            "text/plain; charset=utf-8",
            b"not found".to_vec(),
        ),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         {headers}Connection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)
}

/// The file under `root` that `path` names, if it is inside `public_url` and `root`.
fn resolve(root: &Path, public_url: &str, path: &str) -> Option<PathBuf> {
    let relative = path
        .strip_prefix(public_url)
        .or_else(|| (path.to_owned() + "/" == public_url).then_some(""))?;
    if relative
        .split('/')
        .any(|part| part == ".." || part.starts_with('.'))
    {
        return None;
    }
    let file = if relative.is_empty() {
        root.join("index.html")
    } else {
        root.join(relative)
    };
    file.is_file().then_some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_only_files_under_the_public_url() {
        let root = project_root().join("xtask");
        assert_eq!(
            resolve(&root, "/", "/Cargo.toml"),
            Some(root.join("Cargo.toml"))
        );
        assert_eq!(
            resolve(&root, "/kb/", "/kb/Cargo.toml"),
            Some(root.join("Cargo.toml"))
        );
        assert_eq!(resolve(&root, "/kb/", "/Cargo.toml"), None);
        assert_eq!(resolve(&root, "/", "/../Cargo.toml"), None);
        assert_eq!(resolve(&root, "/", "/src/missing.rs"), None);
        assert_eq!(normalise_public_url("kommunebench"), "/kommunebench/");
        assert_eq!(normalise_public_url("/"), "/");
    }

    #[test]
    fn reads_the_policy_of_the_page() {
        let page = r#"<meta http-equiv="Content-Security-Policy" content="default-src 'self'; connect-src 'self'" />"#;
        assert_eq!(
            content_security_policy(page).as_deref(),
            Some("default-src 'self'; connect-src 'self'")
        );
        assert_eq!(content_security_policy("<html></html>"), None);
    }
}
