//! Reloading the preview's pages: the script every served page gets (and
//! the shared worker it uses), the error overlay, and the event stream
//! that tells pages a rebuild happened. Nothing of this is ever in `build`
//! output: pages get it at serve time ([`inject`]).

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Mutex;
use std::time::Duration;

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

/// The preview's own files, by path: their text and content type.
pub(super) fn own_file(path: &str) -> Option<(&'static str, &'static str)> {
    const JS: &str = "text/javascript; charset=utf-8";
    match path {
        "/__sitrep/reload.js" => Some((RELOAD_JS, JS)),
        "/__sitrep/reload-worker.js" => Some((RELOAD_WORKER_JS, JS)),
        "/__sitrep/overlay.css" => Some((OVERLAY_CSS, "text/css; charset=utf-8")),
        _ => None,
    }
}

/// The pages listening for rebuilds, and how many good builds there were
/// (a stream starts by saying it, so a page that missed one catches up).
#[derive(Default)]
pub(super) struct Reloads {
    clients: Mutex<Vec<Sender<&'static str>>>,
    builds: AtomicUsize,
}

impl Reloads {
    /// A build succeeded: the next streams start with its number.
    pub(super) fn built(&self) {
        self.builds.fetch_add(1, Ordering::SeqCst);
    }

    /// Tells every listening page to reload; forgets the closed ones.
    pub(super) fn announce(&self) {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients.retain(|c| c.send("reload").is_ok());
    }

    /// Streams server-sent events until the page goes away: the head and each
    /// event are flushed as they are written, so a reload arrives at once.
    pub(super) fn stream(&self, mut stream: TcpStream) {
        let (tx, rx) = channel();
        self.clients.lock().unwrap_or_else(|e| e.into_inner()).push(tx);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nretry: 500\n\nevent: build\ndata: {}\n\n",
            self.builds.load(Ordering::SeqCst)
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
pub(super) fn inject(html: String, problems: &str) -> String {
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
}
