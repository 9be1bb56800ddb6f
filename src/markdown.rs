//! Markdown from records and notes, rendered and sanitised.
//!
//! pulldown-cmark turns Markdown into HTML; ammonia then keeps only harmless
//! markup, because the text comes from pull requests by people we do not
//! fully trust. Policy: no script, style, iframe, object, form or event
//! handler; links only `http`, `https`, `mailto` or relative, and links that
//! leave the site get `rel="noopener noreferrer"`.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{html, Options, Parser};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer"))
        .url_relative(ammonia::UrlRelative::PassThrough)
        .strip_comments(true);
    b
});

/// Renders Markdown to sanitised HTML.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    SANITIZER.clean(&raw).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders() {
        assert_eq!(
            to_html("*hi* [x](https://a.example/)"),
            "<p><em>hi</em> <a href=\"https://a.example/\" rel=\"noopener noreferrer\">x</a></p>\n"
        );
    }

    #[test]
    fn hostile_markup_is_removed() {
        let out = to_html("<script>alert(1)</script><img src=x onerror=alert(1)> [a](javascript:alert%281%29) [b](JaVaScRiPt:x) <a href=\"data:text/html,x\">d</a> <iframe src=https://e.example></iframe> <b style=\"color:red\" onclick=\"x()\">b</b>");
        for bad in [
            "<script",
            "onerror",
            "href=\"javascript",
            "href=\"JaVa",
            "data:",
            "<iframe",
            "style=",
            "onclick",
        ] {
            assert!(!out.contains(bad), "{bad} survived in {out}");
        }
    }
}
