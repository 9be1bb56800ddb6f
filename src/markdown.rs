//! Markdown from records and notes, rendered and sanitised.
//!
//! pulldown-cmark turns Markdown into HTML; ammonia then keeps only harmless
//! markup, because the text comes from pull requests by people we do not
//! fully trust. Policy: no script, style, iframe, object, form or event
//! handler; links only `http`, `https`, `mailto` or relative, and links that
//! leave the site get `rel="noopener noreferrer"`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{html, Event, Options, Parser, TagEnd};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("noopener noreferrer"))
        .url_relative(ammonia::UrlRelative::PassThrough)
        .strip_comments(true);
    b
});

/// How deep Markdown (and the raw HTML in it) may nest. Prose needs a few
/// levels; past this, the sanitiser's HTML parser slows down with the depth
/// (100,000 nested `<div>` took it half a minute).
pub const MAX_DEPTH: usize = 64;

/// Where Markdown nests deeper than [`MAX_DEPTH`], as a byte offset into
/// `markdown`: Markdown blocks and inlines, and the HTML elements opened in
/// its raw HTML, counted together.
pub fn too_deep(markdown: &str) -> Option<usize> {
    // Depth needs that many markers: text with few of them cannot nest deep.
    let markers = markdown
        .bytes()
        .filter(|b| {
            matches!(
                b,
                b'<' | b'>' | b'[' | b'*' | b'_' | b'~' | b'-' | b'+' | b'`' | b'|' | b'#'
            )
        })
        .count();
    let indented = markdown
        .lines()
        .any(|l| l.len() - l.trim_start().len() >= 2 * MAX_DEPTH);
    if markers <= MAX_DEPTH && !indented {
        return None;
    }
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let (mut depth, mut html) = (0usize, 0usize);
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Html(text) | Event::InlineHtml(text) => html = html_depth(&text, html),
            _ => {}
        }
        if depth + html > MAX_DEPTH {
            return Some(range.start);
        }
    }
    None
}

/// The depth of open elements after `html`, starting from `depth`: `<x` opens
/// (but void elements and `<x/>`), `</x` closes.
fn html_depth(html: &str, mut depth: usize) -> usize {
    const VOID: [&str; 14] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    ];
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let closing = rest.starts_with('/');
        let name: String = rest
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        let end = rest.find('>').unwrap_or(rest.len());
        if closing {
            depth = depth.saturating_sub(1);
        } else if !VOID.contains(&name.as_str()) && !rest[..end].ends_with('/') {
            depth += 1;
        }
    }
    depth
}

/// The text of Markdown without its markup (text and code), for the
/// search index: the link text, not its address; nothing of raw HTML.
pub fn plain_text(markdown: &str) -> Cow<'_, str> {
    // Without a link, raw HTML or an entity, the markup is punctuation,
    // which the index's words leave out anyway.
    if !markdown.contains(['[', '<', '&']) {
        return Cow::Borrowed(markdown);
    }
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options) {
        if let Event::Text(t) | Event::Code(t) = event {
            text.push_str(&t);
            text.push(' ');
        }
    }
    Cow::Owned(text)
}

/// Renders Markdown to sanitised HTML.
///
/// Most summaries are plain prose with emphasis. Markdown made only of such
/// elements cannot carry markup of its own: pulldown-cmark escapes all text,
/// and no attribute is written. That case skips ammonia (which re-parses the
/// HTML, and was most of the cost); anything else (raw HTML, links, images,
/// tables, footnotes, code blocks) goes through it.
pub fn to_html(markdown: &str) -> String {
    // Characters XML forbids never reach a page or the feed.
    let cleaned: String;
    let markdown = if markdown.contains(crate::escape::forbidden_in_xml) {
        cleaned = markdown
            .chars()
            .filter(|&c| !crate::escape::forbidden_in_xml(c))
            .collect();
        &cleaned
    } else {
        markdown
    };
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let events: Vec<Event> = Parser::new_ext(markdown, options).collect();
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    let plain = events.iter().all(is_plain);
    html::push_html(&mut raw, events.into_iter());
    let mut html = if plain {
        raw
    } else {
        drop_rel_without_href(SANITIZER.clean(&raw).to_string())
    };
    // Templates put a fragment on a line of its own: a trailing line break
    // would leave a blank line for `render::html` to take out again.
    html.truncate(html.trim_end_matches('\n').len());
    html
}

/// Takes the `rel` ammonia gives every link off the links it left without
/// an `href` (a `javascript:` link, say): an `<a>` with `rel` and no `href`
/// is invalid HTML. Ammonia writes attributes as ` name="value"` and
/// escapes `"`, `<` and `>` in values, so a tag ends at its first `>` and
/// ` href="` in it can only be the attribute.
fn drop_rel_without_href(html: String) -> String {
    const REL: &str = " rel=\"noopener noreferrer\"";
    if !html.contains(REL) {
        return html;
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(at) = rest.find("<a ") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('>').map_or(rest.len(), |e| at + e + 1);
        let tag = &rest[at..end];
        if tag.contains(" href=\"") {
            out.push_str(tag);
        } else {
            out.push_str(&tag.replacen(REL, "", 1));
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Whether an event renders as a bare tag or escaped text, with no attribute
/// and no markup taken from the source.
fn is_plain(event: &Event) -> bool {
    let plain_tag = |tag: &TagEnd| {
        matches!(
            tag,
            TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
        )
    };
    match event {
        Event::Text(_) | Event::Code(_) | Event::SoftBreak | Event::HardBreak | Event::Rule => true,
        // An ordered list may carry `start="n"`, a number pulldown-cmark writes.
        Event::Start(tag) => plain_tag(&tag.to_end()),
        Event::End(tag) => plain_tag(tag),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_keeps_words_not_markup() {
        let words = |md: &str| crate::search::tokens::words(&plain_text(md));
        assert_eq!(words("A **bold** `code` claim."), ["a", "bold", "code", "claim"]);
        assert_eq!(
            words("See [the report](https://evil.example/x)"),
            ["see", "the", "report"]
        );
        assert_eq!(words("Tom &amp; <em class=\"x\">Jerry</em>"), ["tom", "jerry"]);
        assert!(words("<script>alert(1)</script>").is_empty());
        assert!(matches!(plain_text("no markup here"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_renders() {
        assert_eq!(
            to_html("*hi* [x](https://a.example/)"),
            "<p><em>hi</em> <a href=\"https://a.example/\" rel=\"noopener noreferrer\">x</a></p>"
        );
    }

    #[test]
    fn plain_prose_skips_the_sanitiser_and_stays_escaped() {
        let out = to_html("**bold** & *it* `a<b>` \"q\"\n\n- one\n- two\n\n> quote\n\n---\n\n# Title");
        assert_eq!(
            out,
            "<p><strong>bold</strong> &amp; <em>it</em> <code>a&lt;b&gt;</code> \"q\"</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<blockquote>\n<p>quote</p>\n</blockquote>\n<hr />\n<h1>Title</h1>"
        );
        // The `<hr />` above shows the skip: ammonia writes a rule as `<hr>`.
        let sanitised = to_html("[a](https://a.example/)\n\n---");
        assert!(
            sanitised.contains("<hr>") && !sanitised.contains("<hr />"),
            "{sanitised}"
        );
        // Anything else still goes through ammonia: a table's inline style is removed.
        let table = to_html("| a |\n|:-:|\n| b |");
        assert!(table.contains("<table>") && !table.contains("style"), "{table}");
    }

    #[test]
    fn a_link_left_without_href_loses_its_rel() {
        let out = to_html("[bad](javascript:alert(1)) <a title=\"a > b\" href=\"https://ok.example/\">ok</a>");
        assert!(out.contains("<a>bad</a>"), "{out}");
        assert!(
            out.contains("<a title=\"a &gt; b\" href=\"https://ok.example/\" rel=\"noopener noreferrer\">ok</a>"),
            "{out}"
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
