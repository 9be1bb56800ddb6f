//! `sitrep serve`: a local preview that rebuilds and reloads as you edit.
//!
//! Nothing is written to disk: each rebuild checks and prepares the project
//! (the model, templates, shared rows) with `base_url` set to the local
//! address, and pages and exports are rendered from it when they are
//! requested ([`answer`]), so an edit shows after a `check`'s time, not a
//! full build's. The server switches to a new preparation only when it
//! succeeded, so a broken edit keeps the last good site on screen, with the
//! diagnostics in an overlay (and in the terminal). Pages get a small
//! reload script ([`reload`]) at serve time, never in `build` output. Only
//! generated outputs and files of `static/` are served, on 127.0.0.1 only
//! ([`http`]); edits are found by [`watch`].

mod answer;
mod http;
mod paths;
mod reload;
mod watch;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use crate::build::BuildError;
use crate::diagnostics::Format;
use crate::parse::ParseCache;
use crate::prepare::Prepared;
use answer::Served;

/// What the server shows: the last good preparation and the latest problems.
struct State {
    /// The last good build, rendered page by page on request.
    served: RwLock<Option<Arc<Served>>>,
    /// Diagnostics of the latest failed rebuild; empty when it succeeded.
    problems: RwLock<String>,
    reloads: reload::Reloads,
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
        served: RwLock::new(None),
        problems: RwLock::new(String::new()),
        reloads: reload::Reloads::default(),
    });
    // Only the files whose text changed are parsed again.
    let cache = ParseCache::default();
    let rebuild = || rebuild(&options.root, &base_url, &cache, &state, log);
    rebuild();
    // Ctrl-C (or SIGTERM): stop accepting and return.
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || {
            stop.store(true, Ordering::SeqCst);
            http::wake(port);
        });
    }
    let mut watch = watch::Watch::start(&options.root)?;
    // Announced once the watch is on, so an edit made right after is seen.
    log(&format!(
        "serving {} on {base_url} (Ctrl-C to stop)\n",
        options.root.display()
    ));
    if options.open {
        if let Err(e) = opener::open(&base_url) {
            log(&format!("note: could not open a browser: {e}\n"));
        }
    }
    std::thread::scope(|scope| {
        let answer_state = state.clone();
        let answer: Arc<http::Answer> =
            Arc::new(move |stream, target: &str, head_only| answer::answer(stream, target, head_only, &answer_state));
        let accept_stop = &stop;
        scope.spawn(move || http::accept(listener, port, accept_stop, answer));
        while !stop.load(Ordering::SeqCst) {
            match watch.wait(log) {
                Ok(true) => rebuild(),
                Ok(false) => {}
                Err(()) => break,
            }
        }
        http::wake(port);
    });
    drop(watch);
    log("stopped\n");
    Ok(())
}

/// Checks and prepares the project again; serves it if that succeeded,
/// else keeps the last good one and shows the problems. Pages reload
/// either way.
fn rebuild(root: &Path, base_url: &str, cache: &ParseCache, state: &State, log: &dyn Fn(&str)) {
    let started = Instant::now();
    match Prepared::new(root, Some(base_url), Some(cache)) {
        Ok((prepared, report)) => {
            let incidents = prepared.site.incidents.len();
            *state.served.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(Served::new(prepared)));
            state.reloads.built();
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
                BuildError::Content(report) => report.render(root, Format::Human),
                other => format!("{other}\n"),
            };
            log(&text);
            log("the preview keeps showing the last good build\n");
            *state.problems.write().unwrap_or_else(|e| e.into_inner()) = text;
        }
    }
    state.reloads.announce();
}
