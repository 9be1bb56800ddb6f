//! Escaping for the contexts that Tera's autoescape does not cover: the SVG
//! and XML written from Rust, and CSV cells.

/// Escapes text for XML/HTML content and attribute values.
pub fn xml(text: &str) -> String {
    // Most text has nothing to escape: copy runs of plain bytes at once.
    let bytes = text.as_bytes();
    let special =
        |b: u8| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'') || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'));
    let Some(first) = bytes.iter().position(|&b| special(b)) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    let mut start = first;
    for (i, &b) in bytes.iter().enumerate().skip(first) {
        if !special(b) {
            continue;
        }
        out.push_str(&text[start..i]);
        match b {
            b'&' => out.push_str("&amp;"),
            b'<' => out.push_str("&lt;"),
            b'>' => out.push_str("&gt;"),
            b'"' => out.push_str("&quot;"),
            b'\'' => out.push_str("&#39;"),
            // Characters XML 1.0 forbids are dropped.
            _ => {}
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out
}

/// One CSV cell (RFC 4180), with spreadsheet formulas neutralised: a cell
/// that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading `'` so no spreadsheet runs it.
pub fn csv_cell(text: &str) -> String {
    let mut cell = String::with_capacity(text.len() + 2);
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        cell.push('\'');
    }
    cell.push_str(text);
    if cell.contains([',', '"', '\n', '\r']) || cell != cell.trim() {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_neutralised() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("-1+2"), "'-1+2");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
    }

    #[test]
    fn xml_escapes_markup_and_quotes() {
        assert_eq!(
            xml("<a href=\"x\">'&'</a>\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
