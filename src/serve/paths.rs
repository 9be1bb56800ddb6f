//! Request paths: decoded once, never leaving the site, and mapped to the
//! listed files of `static/` only.

/// The file of `static/` (of its sorted listing `files`) that a decoded
/// request path (see [`safe_path`]) names, or the `index.html` of the
/// folder it names; `None` when there is none. Only listed files are ever
/// served, so no path, `..` or link can reach anything else.
pub(super) fn static_file<'f>(files: &'f [String], decoded: &str) -> Option<&'f str> {
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
pub(super) fn safe_path(path: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    if decoded.contains('\0') || decoded.contains('\\') || decoded.split('/').any(|p| p == "..") {
        return None;
    }
    Some(decoded.into_owned())
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
