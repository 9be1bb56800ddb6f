//! What the preview answers at a path: the prepared site's pages and
//! files (made by the same methods as `build`'s), the search index (made
//! once, on first use, and held), and `static/` as `build` copies it:
//! listed, and read through the guard.

use std::net::TcpStream;
use std::sync::OnceLock;

use super::http::{busy, respond};
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

/// The file of `static/` (of its sorted listing `files`) that a decoded
/// request path (see [`safe_path`]) names, or the `index.html` of the
/// folder it names; `None` when there is none. Only listed files are ever
/// served, so no path, `..` or link can reach anything else.
fn static_file<'f>(files: &'f [String], decoded: &str) -> Option<&'f str> {
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

/// Decodes a request path, once; `None` if it tries to leave the site.
fn safe_path(path: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    if decoded.contains('\0') || decoded.contains('\\') || decoded.split('/').any(|p| p == "..") {
        return None;
    }
    Some(decoded.into_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

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
