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
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or("--port needs a number, e.g. --port 8080")?;
            }
            "--public-url" => {
                public_url = normalise_public_url(args.next().ok_or("--public-url needs a path")?);
            }
            other => return Err(format!("serve: unknown argument `{other}`")),
        }
    }
    setup::for_serve()?;
    trunk_build_cmd(&public_url, "dist").run()?;
    let listener = bind_from(port)?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    println!("kommunebench is served at http://{address}{public_url}  (Ctrl-C stops it)");
    serve_forever(listener, project_root().join("dist"), public_url)
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

fn serve_forever(listener: TcpListener, root: PathBuf, public_url: String) -> Result<(), String> {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let root = root.clone();
        let public_url = public_url.clone();
        std::thread::spawn(move || {
            let _ = respond(stream, &root, &public_url);
        });
    }
    Ok(())
}

fn respond(mut stream: TcpStream, root: &Path, public_url: &str) -> std::io::Result<()> {
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
         Cache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
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
}
