//! Post-processing of rendered HTML: rows rendered once for all pages carry
//! a mark where each page's relative root goes, and blank lines left by
//! template tags are dropped so that a page diffs one element per line.

/// Stands for a page's relative `root` in rows rendered once for all pages.
pub(super) const ROOT_MARK: &str = "\u{e000}root\u{e000}";
/// The first character of [`ROOT_MARK`], which rows are searched for.
const ROOT_MARK_START: char = '\u{e000}';

/// Appends a cached row with the page's `root` in place of [`ROOT_MARK`].
/// Like `str::replace`, but finds the mark by its first character (a
/// `memchr`) instead of setting up a substring search for every row, and
/// writes into the page's buffer.
pub(super) fn push_with_root(out: &mut String, row: &str, root: &str) {
    let mark = ROOT_MARK_START;
    let mut rest = row;
    while let Some(at) = rest.find(mark) {
        out.push_str(&rest[..at]);
        if rest[at..].starts_with(ROOT_MARK) {
            out.push_str(root);
            rest = &rest[at + ROOT_MARK.len()..];
        } else {
            out.push(mark);
            rest = &rest[at + mark.len_utf8()..];
        }
    }
    out.push_str(rest);
}

/// Removes the blank lines that template tags leave behind, so a page reads
/// one element per line and diffs cleanly; pages with `<pre>` are left as is.
pub(super) fn drop_blank_lines(html: String) -> String {
    if html.contains("<pre") || !html.contains("\n\n") {
        return html;
    }
    // The blank lines, found with `memchr` (behind `match_indices` of a
    // `char`); then the page is compacted in place, with no second copy.
    let mut blank: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for end in html.match_indices('\n').map(|(i, _)| i + 1).chain([html.len()]) {
        if html.as_bytes()[start..end].iter().all(u8::is_ascii_whitespace) && end > start {
            blank.push((start, end));
        }
        start = end;
    }
    let mut bytes = html.into_bytes();
    let (mut read, mut write) = (0, 0);
    for (from, to) in blank {
        bytes.copy_within(read..from, write);
        write += from - read;
        read = to;
    }
    let len = bytes.len();
    bytes.copy_within(read..len, write);
    bytes.truncate(write + len - read);
    // Whole lines were kept or dropped, so this is still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn blank_lines_are_dropped_but_not_in_pre() {
        let html = "<p>\n\n  \t\n<b>é</b>\n \n\nend\n  ".to_string();
        assert_eq!(super::drop_blank_lines(html), "<p>\n<b>é</b>\nend\n");
        let pre = "<pre>\n\n</pre>\n".to_string();
        assert_eq!(super::drop_blank_lines(pre.clone()), pre);
        assert_eq!(super::drop_blank_lines("a\nb".into()), "a\nb");
    }

    #[test]
    fn push_with_root_replaces_the_mark_and_nothing_else() {
        assert!(super::ROOT_MARK.starts_with(super::ROOT_MARK_START));
        let row = format!("<a href=\"{m}x\">\u{e000}t{m}</a>{m}", m = super::ROOT_MARK);
        let mut out = String::from("<tr>");
        super::push_with_root(&mut out, &row, "../../");
        assert_eq!(out, "<tr><a href=\"../../x\">\u{e000}t../../</a>../../");
        assert_eq!(out[4..], row.replace(super::ROOT_MARK, "../../"));
    }
}
