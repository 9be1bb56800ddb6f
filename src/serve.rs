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
//!
//! The HTTP side is a small HTTP/1.1 server of its own on `std::net`, one
//! thread per connection, because a preview that a web page in the same
//! browser can reach needs limits that general servers leave out: a
//! request head of at most [`MAX_HEAD`] bytes (else 431), at most
//! [`MAX_CONNECTIONS`] open connections (else 503), only `Host` values of
//! this machine's loopback names (a DNS-rebinding page gets 421), and an
//! event stream written and flushed as each event happens.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::diagnostics::Format;

/// The script injected into served pages. Browsers open at most six
/// HTTP/1.1 connections to a host, and an event stream holds one for as
/// long as its page is open: so every tab shares one stream, held by a
/// shared worker. Where there is none, a tab holds its stream only while
/// it is shown, and catches up on a rebuild it missed when shown again
/// (each stream starts with the number of the current build).
const RELOAD_JS: &str = r#"(function () {
  "use strict";
  if (typeof SharedWorker === "function") {
    var worker = new SharedWorker("/__sitrep/reload-worker.js");
    worker.port.onmessage = function (e) { if (e.data === "reload") { location.reload(); } };
    worker.port.start();
    return;
  }
  var source = null, build = null;
  function open() {
    if (source) { return; }
    source = new EventSource("/__sitrep/events");
    source.addEventListener("build", function (e) {
      if (build !== null && build !== e.data) { location.reload(); }
      build = e.data;
    });
    source.addEventListener("reload", function () { location.reload(); });
  }
  function close() { if (source) { source.close(); source = null; } }
  document.addEventListener("visibilitychange", function () { if (document.hidden) { close(); } else { open(); } });
  if (!document.hidden) { open(); }
})();
"#;

/// The shared worker: one event stream for every open tab of the preview.
const RELOAD_WORKER_JS: &str = r#""use strict";
var ports = [];
var build = null;
function tell() { ports.forEach(function (p) { p.postMessage("reload"); }); }
var source = new EventSource("/__sitrep/events");
source.addEventListener("build", function (e) {
  // A build this worker has not seen (the server restarted): reload.
  if (build !== null && build !== e.data) { tell(); }
  build = e.data;
});
source.addEventListener("reload", tell);
onconnect = function (e) { var port = e.ports[0]; ports.push(port); port.start(); };
"#;

/// What the server shows: the last good preparation and the latest problems.
struct State {
    /// The last good build, rendered page by page on request.
    prepared: RwLock<Option<Arc<crate::Prepared>>>,
    /// Diagnostics of the latest failed rebuild; empty when it succeeded.
    problems: RwLock<String>,
    clients: Mutex<Vec<Sender<&'static str>>>,
    /// The port served, for the `Host` check.
    port: u16,
    /// Connections open now.
    open: AtomicUsize,
    /// How many good builds there were: a stream starts by saying it.
    builds: AtomicUsize,
}

/// The longest request line and headers read, in bytes.
pub const MAX_HEAD: usize = 16 * 1024;
/// The most connections served at once (each holds a thread).
pub const MAX_CONNECTIONS: usize = 64;

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

/// Binds 127.0.0.1: port 0 lets the OS choose; another port is the first
/// to try, then the next 50.
fn bind(port: u16) -> Result<(TcpListener, u16), ServeError> {
    let last = if port == 0 { 0 } else { port.saturating_add(50) };
    for p in port..=last {
        if let Ok(listener) = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], p))) {
            let real = listener.local_addr().map(|a| a.port()).unwrap_or(p);
            return Ok((listener, real));
        }
    }
    Err(ServeError::NoPort(port, last))
}

/// Runs the preview until Ctrl-C. `log` receives what the terminal shows.
pub fn run(options: Options, log: &(dyn Fn(&str) + Sync)) -> Result<(), ServeError> {
    let (listener, port) = bind(options.port)?;
    let base_url = format!("http://127.0.0.1:{port}/");
    let state = Arc::new(State {
        prepared: RwLock::new(None),
        problems: RwLock::new(String::new()),
        clients: Mutex::new(Vec::new()),
        port,
        open: AtomicUsize::new(0),
        builds: AtomicUsize::new(0),
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
                state.builds.fetch_add(1, Ordering::SeqCst);
                state.problems.write().unwrap_or_else(|e| e.into_inner()).clear();
                log(&format!(
                    "rebuilt {} in {} ms ({})\n",
                    crate::wording::count(incidents, "incident"),
                    started.elapsed().as_millis(),
                    crate::wording::count(report.warnings(), "warning")
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
    // Ctrl-C (or SIGTERM): stop accepting and return.
    let stop = Arc::new(AtomicBool::new(false));
    // A connection to ourselves wakes the accept loop to see the flag.
    let wake = move || drop(TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || {
            stop.store(true, Ordering::SeqCst);
            wake();
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

    // Announced once the watch is on, so an edit made right after is seen.
    log(&format!(
        "serving {} on {base_url} (Ctrl-C to stop)\n",
        options.root.display()
    ));
    if options.open {
        let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
        let _ = std::process::Command::new(opener).arg(&base_url).spawn();
    }

    std::thread::scope(|scope| {
        // The accept loop: a thread per connection (server-sent events hold one).
        let accept_state = state.clone();
        let accept_stop = stop.clone();
        scope.spawn(move || {
            for stream in listener.incoming() {
                if accept_stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let state = accept_state.clone();
                if state.open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                    state.open.fetch_sub(1, Ordering::SeqCst);
                    busy(stream, b"too many connections", false);
                    continue;
                }
                std::thread::spawn(move || {
                    connection(stream, &state);
                    state.open.fetch_sub(1, Ordering::SeqCst);
                });
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
        wake();
    });
    drop(watcher);
    log("stopped\n");
    Ok(())
}

use crate::routes::content_type;

/// The file of `static/` (of its sorted listing `files`) that a decoded
/// request path (see [`safe_path`]) names, or the `index.html` of the
/// folder it names; `None` when there is none. Only listed files are ever
/// served, so no path, `..` or link can reach anything else.
pub fn static_file<'f>(files: &'f [String], decoded: &str) -> Option<&'f str> {
    let rel: Vec<&str> = decoded.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if rel.contains(&"..") {
        return None;
    }
    let rel = rel.join("/");
    let index = if rel.is_empty() {
        "index.html".to_string()
    } else {
        format!("{rel}/index.html")
    };
    [rel, index]
        .iter()
        .find_map(|want| files.binary_search(want).ok())
        .map(|i| files[i].as_str())
}

/// Where `needle` (lower-case ASCII) starts in `html`, whatever the case.
fn find_tag(html: &str, needle: &str) -> Option<usize> {
    html.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Adds the reload script, the CSP it needs, and the error overlay, to the
/// HTML of any template: places are found by ASCII tags (so never inside a
/// UTF-8 character), and a page without `<head>` or `<body>` still gets both.
pub fn inject(html: String, problems: &str) -> String {
    // The event stream needs `connect-src 'self'`; the built-in templates
    // allow it already (the search page fetches its index), a project's may
    // not, or may forbid it. Put first, ours is the one a browser applies
    // (it ignores a directive named again).
    let mut html = if html.contains("connect-src 'self'") {
        html
    } else {
        html.replacen("default-src 'none';", "default-src 'none'; connect-src 'self';", 1)
    };
    let mut head = String::from("<script src=\"/__sitrep/reload.js\" defer></script>\n");
    if !problems.is_empty() {
        head.push_str("<link rel=\"stylesheet\" href=\"/__sitrep/overlay.css\">\n");
    }
    match find_tag(&html, "</head>") {
        Some(i) => html.insert_str(i, &head),
        None => html.insert_str(0, &head),
    }
    if !problems.is_empty() {
        let overlay = format!(
            "<div id=\"sitrep-errors\" role=\"alert\">\n<p>The last edit has errors; this is the last good build.</p>\n<pre>{}</pre>\n</div>\n",
            crate::escape::xml(problems)
        );
        // Right after the `<body …>` tag; a `>` is ASCII, so the index is a
        // character boundary.
        let after_body = find_tag(&html, "<body").and_then(|i| html[i..].find('>').map(|j| i + j + 1));
        match after_body {
            Some(i) => html.insert_str(i, &format!("\n{overlay}")),
            None => html.push_str(&overlay),
        }
    }
    html
}

const OVERLAY_CSS: &str = "#sitrep-errors { position: fixed; inset: 0 0 auto 0; max-height: 60vh; overflow: auto; \
z-index: 1000; background: #2b0b0b; color: #ffe9e9; padding: 1rem; border-bottom: 3px solid #ff6b6b; } \
#sitrep-errors pre { white-space: pre-wrap; font-size: .85rem; }\n";

/// A request as far as the preview needs it.
struct Request {
    method: String,
    /// The path and query, as sent.
    target: String,
    host: Option<String>,
}

/// Why a request was not read.
enum BadRequest {
    /// The connection closed or timed out before a whole head arrived.
    Gone,
    /// The head is longer than [`MAX_HEAD`].
    TooLarge,
    Malformed,
}

/// Reads a request head (request line and headers), at most [`MAX_HEAD`] bytes.
fn read_request(stream: &mut TcpStream) -> Result<Request, BadRequest> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let end = loop {
        let n = stream.read(&mut chunk).map_err(|_| BadRequest::Gone)?;
        if n == 0 {
            return Err(BadRequest::Gone);
        }
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        if let Some(i) = head[from..].windows(4).position(|w| w == b"\r\n\r\n") {
            break from + i;
        }
        if head.len() > MAX_HEAD {
            return Err(BadRequest::TooLarge);
        }
    };
    if end > MAX_HEAD {
        return Err(BadRequest::TooLarge);
    }
    let text = std::str::from_utf8(&head[..end]).map_err(|_| BadRequest::Malformed)?;
    let mut lines = text.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version)) = (first.next(), first.next(), first.next()) else {
        return Err(BadRequest::Malformed);
    };
    if !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return Err(BadRequest::Malformed);
    }
    let host = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("host"))
        .map(|(_, value)| value.trim().to_ascii_lowercase());
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        host,
    })
}

/// Whether a `Host` value names this preview: a loopback name, with this
/// port or none. Any other name is a page of another site that reached
/// 127.0.0.1 through its own DNS (rebinding), and gets nothing.
fn is_own_host(host: &str, port: u16) -> bool {
    // The allowed names carry no port: any port but ours is left on and fails.
    let name = host.strip_suffix(&format!(":{port}")).unwrap_or(host);
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

/// Writes a whole response and closes the exchange (`Connection: close`).
fn respond(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
) -> io::Result<()> {
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        _ => "Service Unavailable",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// 503 with a hint to retry: too many connections, or no good build yet.
fn busy(mut stream: TcpStream, why: &[u8], head_only: bool) {
    let _ = respond(&mut stream, 503, &[("Retry-After", "1")], why, head_only);
}

/// Serves one connection: one request, then close.
fn connection(mut stream: TcpStream, state: &State) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    const TEXT: [(&str, &str); 2] = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("X-Content-Type-Options", "nosniff"),
    ];
    let request = match read_request(&mut stream) {
        Ok(r) => r,
        Err(BadRequest::Gone) => return,
        Err(BadRequest::TooLarge) => {
            let _ = respond(&mut stream, 431, &TEXT, b"request head too large", false);
            return;
        }
        Err(BadRequest::Malformed) => {
            let _ = respond(&mut stream, 400, &TEXT, b"bad request", false);
            return;
        }
    };
    if !request.host.as_deref().is_some_and(|h| is_own_host(h, state.port)) {
        let body = format!(
            "this preview answers only for 127.0.0.1:{0} or localhost:{0}",
            state.port
        );
        let _ = respond(&mut stream, 421, &TEXT, body.as_bytes(), false);
        return;
    }
    let head_only = request.method == "HEAD";
    if request.method != "GET" && !head_only {
        let _ = respond(&mut stream, 405, &[("Allow", "GET, HEAD")], b"", false);
        return;
    }
    handle(stream, &request.target, head_only, state);
}

/// Streams server-sent events until the page goes away: the head and each
/// event are flushed as they are written, so a reload arrives at once.
fn events(mut stream: TcpStream, state: &State) {
    let (tx, rx) = channel();
    state.clients.lock().unwrap_or_else(|e| e.into_inner()).push(tx);
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nretry: 500\n\nevent: build\ndata: {}\n\n",
        state.builds.load(Ordering::SeqCst)
    );
    if stream.write_all(head.as_bytes()).and_then(|()| stream.flush()).is_err() {
        return;
    }
    loop {
        let message = match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(event) => format!("event: {event}\ndata: {event}\n\n"),
            // A comment keeps the connection alive and finds closed ones.
            Err(RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if stream
            .write_all(message.as_bytes())
            .and_then(|()| stream.flush())
            .is_err()
        {
            return;
        }
    }
}

fn handle(mut stream: TcpStream, target: &str, head_only: bool, state: &State) {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let fixed = |stream: &mut TcpStream, body: &str, kind: &str| {
        let _ = respond(
            stream,
            200,
            &[("Content-Type", kind), ("Cache-Control", "no-store")],
            body.as_bytes(),
            head_only,
        );
    };
    match path {
        "/__sitrep/events" => return events(stream, state),
        "/__sitrep/reload.js" => return fixed(&mut stream, RELOAD_JS, "text/javascript; charset=utf-8"),
        "/__sitrep/reload-worker.js" => return fixed(&mut stream, RELOAD_WORKER_JS, "text/javascript; charset=utf-8"),
        "/__sitrep/overlay.css" => return fixed(&mut stream, OVERLAY_CSS, "text/css; charset=utf-8"),
        _ => {}
    }
    let Some(prepared) = state.prepared.read().unwrap_or_else(|e| e.into_inner()).clone() else {
        return busy(stream, b"the site has errors; see the terminal", head_only);
    };
    let problems = state.problems.read().unwrap_or_else(|e| e.into_inner()).clone();
    let page = |stream: &mut TcpStream, page: crate::Page, status: u16| {
        respond_page(stream, &prepared, page, status, &problems, head_only)
    };
    let Some(decoded) = safe_path(path) else {
        return page(&mut stream, crate::Page::NotFound, 404);
    };
    let routes = prepared.routes();
    let (bytes, kind) = match routes.find(&decoded) {
        Some(crate::Output::Page(found)) => {
            // Pages are folders: relative links need the trailing slash. The
            // target is this server's own path, never `//host` (an open redirect).
            if !decoded.ends_with('/') && !decoded.ends_with(".html") {
                let location = format!("/{}/", path.trim_start_matches('/'));
                let _ = respond(&mut stream, 301, &[("Location", &location)], b"", head_only);
                return;
            }
            return page(&mut stream, found, 200);
        }
        Some(crate::Output::File(file)) => {
            let mut body = Vec::new();
            if prepared.write_file(file, &mut body).is_err() {
                return page(&mut stream, crate::Page::NotFound, 404);
            }
            (body, content_type(routes.file_path(file)))
        }
        // `static/` as `build` copies it: listed and read through the guard.
        None => match static_file(&prepared.statics.files, &decoded) {
            Some(rel) => match prepared.statics.read(rel) {
                Ok(b) => (b, content_type(rel)),
                Err(_) => return page(&mut stream, crate::Page::NotFound, 404),
            },
            None => return page(&mut stream, crate::Page::NotFound, 404),
        },
    };
    let headers = [
        ("Content-Type", kind),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
    ];
    let _ = respond(&mut stream, 200, &headers, &bytes, head_only);
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
fn respond_page(
    stream: &mut TcpStream,
    prepared: &crate::Prepared,
    page: crate::Page,
    status: u16,
    problems: &str,
    head_only: bool,
) {
    let renderer = prepared.renderer();
    let html = match prepared.render(&renderer, page) {
        Ok(html) => inject(html, problems),
        Err(e) => inject(format!("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title>Template error</title>\n</head>\n<body>\n<pre>{}</pre>\n</body>\n</html>\n", crate::escape::xml(&e)), problems),
    };
    let headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
    ];
    let _ = respond(stream, status, &headers, html.as_bytes(), head_only);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reload_stream_is_allowed_whatever_the_template_says_of_connect_src() {
        let csp = |directives: &str| {
            format!("<html><head><meta http-equiv=\"Content-Security-Policy\" content=\"{directives}\"></head><body></body></html>")
        };
        // Allowed already (the built-in templates): left as it is.
        let page = inject(csp("default-src 'none'; connect-src 'self'"), "");
        assert_eq!(page.matches("connect-src").count(), 1, "{page}");
        // Not named, or forbidden: ours comes first, so it is the one applied.
        for directives in [
            "default-src 'none'; img-src 'self'",
            "default-src 'none'; connect-src 'none'",
        ] {
            let page = inject(csp(directives), "");
            assert!(
                page.contains("content=\"default-src 'none'; connect-src 'self'; "),
                "{page}"
            );
        }
    }

    #[test]
    fn paths_never_leave_the_site() {
        let files: Vec<String> = ["a/index.html", "b.txt"].map(String::from).to_vec();
        let find = |url: &str| safe_path(url.split('?').next().unwrap_or("")).and_then(|p| static_file(&files, &p));
        assert_eq!(find("/a/"), Some("a/index.html"));
        assert_eq!(find("/a"), Some("a/index.html"));
        assert_eq!(find("/a/index.html?x=1"), Some("a/index.html"));
        assert_eq!(find("/b.txt"), Some("b.txt"));
        for bad in [
            "/../secret",
            "/a/../../secret",
            "/a/../b.txt",
            "/%2e%2e/secret",
            "/%2E%2E%2Fsecret",
            "/..%2fsecret",
            "/a/..%5c..%5csecret",
            "/%00",
            "/%252e%252e/secret",
            "/c.txt",
        ] {
            assert!(find(bad).is_none(), "{bad}");
        }
    }
}
