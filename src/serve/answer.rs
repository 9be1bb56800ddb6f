//! What the preview answers at a path: the prepared site's pages and
//! files (made by the same methods as `build`'s), the search index (made
//! once, on first use, and held), and `static/` as `build` copies it:
//! listed, and read through the guard.

use std::net::TcpStream;
use std::sync::OnceLock;

use super::http::{busy, respond};
use super::paths::{safe_path, static_file};
use super::reload::{inject, own_file};
use super::State;
use crate::prepare::Prepared;
use crate::routes::{content_type, Output, Page};
use crate::search::Facet;

/// A good build, as served: the prepared site, and its search index once
/// asked for.
pub(super) struct Served {
    pub(super) prepared: Prepared,
    search: OnceLock<std::io::Result<SearchIndex>>,
}

/// The search index held whole: its files (path inside the site, text)
/// and its filters.
struct SearchIndex {
    files: Vec<(String, String)>,
    facets: Vec<Facet>,
}

impl Served {
    pub(super) fn new(prepared: Prepared) -> Served {
        Served {
            prepared,
            search: OnceLock::new(),
        }
    }

    /// The search index, made by [`Prepared::search_index`] the first time
    /// a page needs it. Made on a connection's thread, never a task of
    /// rayon's pool (whose tasks the index's own parallel work could run,
    /// and wait on this lock).
    fn search(&self) -> Result<&SearchIndex, String> {
        let index = self.search.get_or_init(|| {
            let mut files = Vec::new();
            let facets = self.prepared.search_index(&mut |path, text| {
                files.push((path, text));
                Ok(())
            })?;
            Ok(SearchIndex { files, facets })
        });
        index
            .as_ref()
            .map_err(|e| format!("the search index could not be made: {e}"))
    }

    /// The bytes and content type of the file at `decoded` (a path inside
    /// the site), or the page there; `None` when there is neither.
    fn find(&self, decoded: &str) -> Option<Found> {
        let prepared = &self.prepared;
        let routes = prepared.routes();
        match routes.find(decoded) {
            Some(Output::Page(page)) => return Some(Found::Page(page)),
            Some(Output::File(file)) => {
                let mut body = Vec::new();
                prepared.write_file(file, &mut body).ok()?;
                return Some(Found::File(body, content_type(routes.file_path(file))));
            }
            None => {}
        }
        let rel = decoded.trim_start_matches('/');
        if rel.starts_with(crate::search::FOLDER) {
            let (_, text) = self.search().ok()?.files.iter().find(|(path, _)| path == rel)?;
            return Some(Found::File(text.clone().into_bytes(), content_type(rel)));
        }
        let rel = static_file(&prepared.statics.files, decoded)?;
        let bytes = prepared.statics.read(rel).ok()?;
        Some(Found::File(bytes, content_type(rel)))
    }
}

/// What a path names.
enum Found {
    Page(Page),
    File(Vec<u8>, &'static str),
}

/// Answers one request for `target` (path and query, as sent).
pub(super) fn answer(mut stream: TcpStream, target: &str, head_only: bool, state: &State) {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if path == "/__sitrep/events" {
        return state.reloads.stream(stream);
    }
    if let Some((body, kind)) = own_file(path) {
        let headers = [("Content-Type", kind), ("Cache-Control", "no-store")];
        let _ = respond(&mut stream, 200, &headers, body.as_bytes(), head_only);
        return;
    }
    let Some(served) = state.served.read().unwrap_or_else(|e| e.into_inner()).clone() else {
        return busy(stream, b"the site has errors; see the terminal", head_only);
    };
    let problems = state.problems.read().unwrap_or_else(|e| e.into_inner()).clone();
    let page = |stream: &mut TcpStream, page: Page, status: u16| {
        respond_page(stream, &served, page, status, &problems, head_only)
    };
    let Some(decoded) = safe_path(path) else {
        return page(&mut stream, Page::NotFound, 404);
    };
    match served.find(&decoded) {
        // Pages are folders: relative links need the trailing slash. The
        // target is this server's own path, never `//host` (an open redirect).
        Some(Found::Page(_)) if !decoded.ends_with('/') && !decoded.ends_with(".html") => {
            let location = format!("/{}/", path.trim_start_matches('/'));
            let _ = respond(&mut stream, 301, &[("Location", &location)], b"", head_only);
        }
        Some(Found::Page(found)) => page(&mut stream, found, 200),
        Some(Found::File(bytes, kind)) => {
            let headers = [
                ("Content-Type", kind),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
            ];
            let _ = respond(&mut stream, 200, &headers, &bytes, head_only);
        }
        None => page(&mut stream, Page::NotFound, 404),
    }
}

/// Renders a page with the reload script (and the overlay) and sends it.
fn respond_page(stream: &mut TcpStream, served: &Served, page: Page, status: u16, problems: &str, head_only: bool) {
    let prepared = &served.prepared;
    let renderer = prepared.renderer();
    let rendered = match page {
        Page::Search => served.search().map(|s| &s.facets[..]),
        _ => Ok(&[][..]),
    }
    .and_then(|facets| prepared.render(&renderer, page, facets).map_err(|e| e.to_string()));
    let html = match rendered {
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
