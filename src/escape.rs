//! Escaping for the contexts that Tera's autoescape does not cover: the SVG
//! and XML written from Rust, and CSV cells.

/// Escapes text for XML/HTML content and attribute values, and drops the
/// characters XML 1.0 forbids: C0 controls but tab, newline and carriage
/// return, and U+FFFE and U+FFFF (a Rust string holds no lone surrogate).
pub fn xml(text: &str) -> String {
    // Most text has nothing to escape: copy runs of plain bytes at once.
    let bytes = text.as_bytes();
    let special = |b: u8| {
        matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | 0xEF) || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    };
    let Some(first) = bytes.iter().position(|&b| special(b)) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    let mut start = first;
    let mut i = first;
    while i < bytes.len() {
        let b = bytes[i];
        if !special(b) {
            i += 1;
            continue;
        }
        if b == 0xEF {
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF; other characters
            // that start with EF are kept.
            if !is_nonchar_at(bytes, i) {
                i += 1;
                continue;
            }
            out.push_str(&text[start..i]);
            i += 3;
            start = i;
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
        i += 1;
        start = i;
    }
    out.push_str(&text[start..]);
    out
}

fn is_nonchar_at(bytes: &[u8], i: usize) -> bool {
    matches!(bytes.get(i..i + 3), Some([0xEF, 0xBF, 0xBE | 0xBF]))
}

/// Whether `c` may not appear in XML 1.0 (nor, as a noncharacter or a
/// control, in valid HTML).
pub fn forbidden_in_xml(c: char) -> bool {
    matches!(c, '\u{FFFE}' | '\u{FFFF}') || (c < ' ' && !matches!(c, '\t' | '\n' | '\r'))
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
        // Characters XML 1.0 forbids are dropped; their neighbours stay.
        assert_eq!(xml("a\u{FFFE}b\u{FFFF}c\u{FFFD}é\u{EFFF}"), "abc\u{FFFD}é\u{EFFF}");
        assert_eq!(xml("\u{FFFF}"), "");
    }
}
