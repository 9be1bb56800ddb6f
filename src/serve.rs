//! `sitrep serve`: a local preview that rebuilds and reloads as you edit.
//!
//! Nothing is written to disk: each rebuild checks and prepares the project
//! (the model, templates, shared rows) with `base_url` set to the local
//! address, and pages and exports are rendered from it when they are
//! requested, so an edit shows after a `check`'s time, not a full build's.
//! The server switches to a new preparation only when it succeeded, so a
//! broken edit keeps the last good site on screen, with the diagnostics in an
//! overlay (and in the terminal). Pages get a small reload script injected
//! at serve time (never in `build` output), which listens to server-sent
//! events. Only generated pages and files inside `static/` are served, on
//! 127.0.0.1 only.

use std::fs;
use std::io::{self, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use tiny_http::{Header, Request, Response, Server, StatusCode};

use crate::diagnostics::Format;

/// The script injected into served pages.
const RELOAD_JS: &str = r#"(function () {
  "use strict";
  var source = new EventSource("/__sitrep/events");
  source.addEventListener("reload", function () { location.reload(); });
})();
"#;

/// What the server shows: the last good preparation and the latest problems.
struct State {
    /// The last good build, rendered page by page on request.
    prepared: RwLock<Option<Arc<crate::Prepared>>>,
    /// Diagnostics of the latest failed rebuild; empty when it succeeded.
    problems: RwLock<String>,
    clients: Mutex<Vec<Sender<&'static str>>>,
}

/// Options of `sitrep serve`.
pub struct Options {
    pub root: PathBuf,
    pub port: u16,
    pub open: bool,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("no free port from {0} to {1} on 127.0.0.1")]
    NoPort(u16, u16),
    #[error("cannot watch the project: {0}")]
    Watch(String),
}

fn bind(port: u16) -> Result<(Server, u16), ServeError> {
    let last = port.saturating_add(50);
    for p in port..=last {
        if let Ok(server) = Server::http(SocketAddr::from(([127, 0, 0, 1], p))) {
            return Ok((server, p));
        }
    }
    Err(ServeError::NoPort(port, last))
}

/// Runs the preview until Ctrl-C. `log` receives what the terminal shows.
pub fn run(options: Options, log: &(dyn Fn(&str) + Sync)) -> Result<(), ServeError> {
    let (server, port) = bind(options.port)?;
    let server = Arc::new(server);
    let base_url = format!("http://127.0.0.1:{port}/");
    let state = Arc::new(State {
        prepared: RwLock::new(None),
        problems: RwLock::new(String::new()),
        clients: Mutex::new(Vec::new()),
    });
    // A rebuild checks and prepares the project; pages are rendered when
    // they are asked for, so an edit shows after a `check`'s time, and only
    // the files whose text changed are parsed again.
    let cache = crate::parse::ParseCache::default();
    let rebuild = |state: &State| {
        let started = Instant::now();
        match crate::Prepared::new(&options.root, Some(&base_url), Some(&cache)) {
            Ok((prepared, report)) => {
                let incidents = prepared.site.incidents.len();
                *state.prepared.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(prepared));
                state.problems.write().unwrap_or_else(|e| e.into_inner()).clear();
                log(&format!(
                    "rebuilt {incidents} incidents in {} ms ({} warning(s))\n",
                    started.elapsed().as_millis(),
                    report.warnings()
                ));
            }
            Err(e) => {
                let text = match &e {
                    crate::BuildError::Content(report) => report.render(&options.root, Format::Human),
                    other => format!("{other}\n"),
                };
                log(&text);
                log("the preview keeps showing the last good build\n");
                *state.problems.write().unwrap_or_else(|e| e.into_inner()) = text;
            }
        }
        let mut clients = state.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients.retain(|c| c.send("reload").is_ok());
    };
    rebuild(&state);
    log(&format!(
        "serving {} on {base_url} (Ctrl-C to stop)\n",
        options.root.display()
    ));
    if options.open {
        let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
        let _ = std::process::Command::new(opener).arg(&base_url).spawn();
    }

    // Ctrl-C (or SIGTERM): stop accepting and return.
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let server = server.clone();
        let _ = ctrlc::set_handler(move || {
            stop.store(true, Ordering::SeqCst);
            server.unblock();
        });
    }

    // Watch content/, templates/ and static/. Reads (which the build itself
    // causes) are not changes; writes are debounced into one rebuild.
    let (tx, rx) = channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx).map_err(|e| ServeError::Watch(e.to_string()))?;
    for dir in ["content", "templates", "static"] {
        let path = options.root.join(dir);
        if path.is_dir() {
            notify::Watcher::watch(&mut watcher, &path, notify::RecursiveMode::Recursive)
                .map_err(|e| ServeError::Watch(format!("{}: {e}", path.display())))?;
        }
    }

    std::thread::scope(|scope| {
        // The accept loop: a thread per request (server-sent events hold one).
        let accept_state = state.clone();
        let accept_server = server.clone();
        let accept_stop = stop.clone();
        scope.spawn(move || {
            while !accept_stop.load(Ordering::SeqCst) {
                match accept_server.recv() {
                    Ok(request) => {
                        let state = accept_state.clone();
                        std::thread::spawn(move || handle(request, &state));
                    }
                    Err(_) => break,
                }
            }
        });
        // The rebuild loop, on file changes, once they have settled.
        let mut dirty_since: Option<Instant> = None;
        while !stop.load(Ordering::SeqCst) {
            match rx.recv_timeout(Duration::from_millis(50)) {
                Ok(Ok(event)) => {
                    use notify::EventKind;
                    let change = matches!(
                        event.kind,
                        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
                    );
                    let hidden = event.paths.iter().all(|p| {
                        p.file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.') || n.to_string_lossy().ends_with('~'))
                    });
                    if change && !hidden {
                        dirty_since = Some(Instant::now());
                    }
                }
                Ok(Err(e)) => log(&format!("watch error: {e}\n")),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if dirty_since.is_some_and(|t| t.elapsed() >= Duration::from_millis(100)) {
                dirty_since = None;
                rebuild(&state);
            }
        }
        server.unblock();
    });
    drop(watcher);
    log("stopped\n");
    Ok(())
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Maps a decoded request path (see [`safe_path`]) to a file inside `dir`,
/// or `None` if there is none there or it would leave `dir`.
pub fn resolve(dir: &Path, decoded: &str) -> Option<PathBuf> {
    let mut file = dir.to_path_buf();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => file.push(p),
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    // No symlink may lead out of the folder.
    let real = file.canonicalize().ok()?;
    let base = dir.canonicalize().ok()?;
    (real.starts_with(&base) && real.is_file()).then_some(real)
}

/// Adds the reload script, the CSP it needs, and the error overlay.
fn inject(html: String, problems: &str) -> String {
    let mut html = html.replacen("default-src 'none';", "default-src 'none'; connect-src 'self';", 1);
    let script = "<script src=\"/__sitrep/reload.js\" defer></script>\n";
    html = match html.find("</head>") {
        Some(i) => format!("{}{script}{}", &html[..i], &html[i..]),
        None => html + script,
    };
    if !problems.is_empty() {
        let overlay = format!(
            "<div id=\"sitrep-errors\" role=\"alert\">\n<p>The last edit has errors; this is the last good build.</p>\n<pre>{}</pre>\n</div>\n",
            crate::escape::xml(problems)
        );
        if let Some(i) = html.find("<body>") {
            html.insert_str(i + "<body>".len() + 1, &overlay);
        }
        html = html.replacen(
            "</head>",
            "<link rel=\"stylesheet\" href=\"/__sitrep/overlay.css\">\n</head>",
            1,
        );
    }
    html
}

const OVERLAY_CSS: &str = "#sitrep-errors { position: fixed; inset: 0 0 auto 0; max-height: 60vh; overflow: auto; \
z-index: 1000; background: #2b0b0b; color: #ffe9e9; padding: 1rem; border-bottom: 3px solid #ff6b6b; } \
#sitrep-errors pre { white-space: pre-wrap; font-size: .85rem; }\n";

/// A reader that streams server-sent events until the client goes away.
struct Events {
    rx: Receiver<&'static str>,
    pending: Vec<u8>,
}

impl Read for Events {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pending.is_empty() {
            match self.rx.recv_timeout(Duration::from_secs(15)) {
                Ok(event) => self.pending = format!("event: {event}\ndata: {event}\n\n").into_bytes(),
                // A comment keeps the connection alive and finds closed ones.
                Err(RecvTimeoutError::Timeout) => self.pending = b": ping\n\n".to_vec(),
                Err(RecvTimeoutError::Disconnected) => return Ok(0),
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

fn handle(request: Request, state: &State) {
    let url = request.url().to_string();
    if url == "/__sitrep/events" {
        let (tx, rx) = channel();
        state.clients.lock().unwrap_or_else(|e| e.into_inner()).push(tx);
        let response = Response::new(
            StatusCode(200),
            vec![
                header("Content-Type", "text/event-stream"),
                header("Cache-Control", "no-store"),
            ],
            Events {
                rx,
                pending: b"retry: 500\n\n".to_vec(),
            },
            None,
            None,
        );
        let _ = request.respond(response);
        return;
    }
    if url == "/__sitrep/reload.js" {
        let r = Response::from_string(RELOAD_JS).with_header(header("Content-Type", "text/javascript; charset=utf-8"));
        let _ = request.respond(r);
        return;
    }
    if url == "/__sitrep/overlay.css" {
        let r = Response::from_string(OVERLAY_CSS).with_header(header("Content-Type", "text/css; charset=utf-8"));
        let _ = request.respond(r);
        return;
    }
    let Some(prepared) = state.prepared.read().unwrap_or_else(|e| e.into_inner()).clone() else {
        let _ = request.respond(Response::from_string("the site has errors; see the terminal").with_status_code(503));
        return;
    };
    let problems = state.problems.read().unwrap_or_else(|e| e.into_inner()).clone();
    let Some(decoded) = safe_path(url.split(['?', '#']).next().unwrap_or("")) else {
        return respond_page(request, &prepared, crate::Page::NotFound, 404, &problems);
    };
    if let Some(page) = prepared.route(&decoded) {
        // Pages are folders: relative links need the trailing slash.
        if !decoded.ends_with('/') && !decoded.ends_with(".html") {
            let r = Response::empty(301).with_header(header("Location", &format!("{decoded}/")));
            let _ = request.respond(r);
            return;
        }
        return respond_page(request, &prepared, page, 200, &problems);
    }
    let name = decoded.trim_start_matches('/');
    let mut body = Vec::new();
    let (bytes, kind) = if let Some(result) = prepared.write_file(name, &mut body) {
        match result {
            Ok(()) => (body, content_type(Path::new(name))),
            Err(_) => return respond_page(request, &prepared, crate::Page::NotFound, 404, &problems),
        }
    } else if let Some(file) = resolve(&prepared.root.join("static"), &decoded) {
        match fs::read(&file) {
            Ok(b) => (b, content_type(&file)),
            Err(_) => return respond_page(request, &prepared, crate::Page::NotFound, 404, &problems),
        }
    } else {
        return respond_page(request, &prepared, crate::Page::NotFound, 404, &problems);
    };
    let response = Response::from_data(bytes)
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    let _ = request.respond(response);
}

/// Decodes a request path, once; `None` if it tries to leave the site.
pub fn safe_path(path: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    if decoded.contains('\0') || decoded.contains('\\') || decoded.split('/').any(|p| p == "..") {
        return None;
    }
    Some(decoded.into_owned())
}

/// Renders a page with the reload script (and the overlay) and sends it.
fn respond_page(request: Request, prepared: &crate::Prepared, page: crate::Page, status: u16, problems: &str) {
    let renderer = prepared.renderer();
    let html = match prepared.render(&renderer, page) {
        Ok((_, html)) => inject(html, problems),
        Err(e) => inject(format!("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title>Template error</title>\n</head>\n<body>\n<pre>{}</pre>\n</body>\n</html>\n", crate::escape::xml(&e)), problems),
    };
    let response = Response::from_data(html.into_bytes())
        .with_status_code(status)
        .with_header(header("Content-Type", "text/html; charset=utf-8"))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    let _ = request.respond(response);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_leave_the_site() {
        let dir = std::env::temp_dir().join(format!("sitrep-resolve-{}", std::process::id()));
        fs::create_dir_all(dir.join("site/a")).unwrap();
        fs::write(dir.join("site/a/index.html"), "x").unwrap();
        fs::write(dir.join("secret"), "s").unwrap();
        let site = dir.join("site");
        let find = |url: &str| safe_path(url.split('?').next().unwrap_or("")).and_then(|p| resolve(&site, &p));
        assert!(find("/a/").is_some());
        assert!(find("/a/index.html?x=1").is_some());
        for bad in [
            "/../secret",
            "/a/../../secret",
            "/%2e%2e/secret",
            "/%2E%2E%2Fsecret",
            "/..%2fsecret",
            "/a/..%5c..%5csecret",
            "/%00",
            "/%252e%252e/secret",
        ] {
            assert!(find(bad).is_none(), "{bad}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("secret"), site.join("link")).unwrap();
            assert!(find("/link").is_none());
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
