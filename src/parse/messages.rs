//! serde's errors in the words of people who edit YAML: where the mistake
//! is (serde's position, or the line that really holds it), the width of the
//! caret, and a `help:` line (the closest key or value, what to write).

use crate::diagnostics::{Diagnostic, HELP};

/// The help for a required key that is not written.
pub(super) const MISSING_KEY_HELP: &str = "add this key; it is required";
/// The help for a key written twice in one mapping.
pub(super) const KEY_TWICE_HELP: &str = "keep one of the two; a key is set once per mapping";

pub(super) fn yaml_diagnostic(e: &serde_yaml::Error, text: &str, file: &str, first_line: usize) -> Diagnostic {
    let full = e.to_string();
    // The location is shown apart; drop its first mention from the text.
    let message = match full.find(" at line ") {
        Some(i) => {
            let rest = &full[i + " at line ".len()..];
            let skip = rest
                .find(|c: char| !(c.is_ascii_digit() || c == ' ' || "column".contains(c)))
                .unwrap_or(rest.len());
            format!("{}{}", &full[..i], &rest[skip..])
        }
        None => full,
    };
    // serde's duplicate-key error points at the start of the mapping, and
    // its extra-document error nowhere.
    let (line, column) = duplicate_key_at(&message, text)
        .or_else(|| second_document_at(&message, text))
        .or_else(|| empty_key(&message).and_then(|key| top_level_key_at(key, text)))
        .or_else(|| e.location().map(|l| (l.line(), l.column())))
        .map_or((first_line, 1), |(line, column)| (line + first_line - 1, column));
    // A value's own error says what to write after `HELP`.
    let (message, help) = match message.split_once(HELP) {
        Some((message, help)) => (message.to_string(), Some(help.to_string())),
        None => (message, None),
    };
    let line_text = text.lines().nth(line.saturating_sub(first_line));
    let width = line_text.map_or(1, |t| match help {
        Some(_) => value_width(t, column),
        None => token_width(t, column),
    });
    let mut d = Diagnostic::error(file, (line, column), humanize(&message)).with_width(width);
    let tab_here = line_text.is_some_and(|t| t.chars().nth(column.saturating_sub(1)) == Some('\t'));
    if tab_here {
        d = d.with_hint("YAML indents with spaces; replace the tab with spaces");
    } else if let Some(hint) = line_text.and_then(|t| quotes_needed(&message, t)) {
        d = d.with_hint(hint);
    } else if let Some(hint) = help.or_else(|| hint_for(&message)) {
        d = d.with_hint(hint);
    }
    d
}

/// The width of the scalar value starting at `column`, spaces included
/// (`14:30 CDT`), up to a comment or the end of its flow item.
fn value_width(line: &str, column: usize) -> usize {
    let rest: String = line.chars().skip(column.saturating_sub(1)).collect();
    let end = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest[1..].find(q).map_or(rest.len(), |i| i + 2),
        _ => {
            let comment = rest.find(" #").unwrap_or(rest.len());
            rest[..comment].find([',', ']', '}']).unwrap_or(comment)
        }
    };
    rest[..end].trim_end().chars().count().max(1)
}

/// `title: Attack: the sequel`: a `: ` inside a value starts a mapping,
/// where YAML allows none; the value needs quotes.
fn quotes_needed(message: &str, line: &str) -> Option<String> {
    if !message.contains("mapping values are not allowed") {
        return None;
    }
    let body = line.trim_start_matches([' ', '-']);
    let lead = line[..line.len() - body.len()].trim_start();
    let (key, value) = body.split_once(": ")?;
    let value = value.trim_end();
    let quoted = value.replace('\\', "\\\\").replace('"', "\\\"");
    Some(format!(
        "a value with `: ` in it needs quotes: write `{lead}{key}: \"{quoted}\"`"
    ))
}

/// Where a key written twice is written the second time, for serde's
/// "duplicate field" error: the second line that sets the key at the
/// indentation of the first.
pub(super) fn duplicate_key_at(message: &str, text: &str) -> Option<(usize, usize)> {
    let key = message.strip_prefix("duplicate field `")?.split('`').next()?;
    let mut lines = key_lines(key, text);
    let (_, column) = lines.next()?;
    lines.find(|&(_, c)| c == column)
}

/// The lines that set `key` (1-based line, and the key's column), in a
/// mapping or a list item (`- key:`).
fn key_lines<'a>(key: &'a str, text: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
    text.lines().enumerate().filter_map(move |(n, line)| {
        let body = line.trim_start_matches([' ', '-']);
        let rest = body.strip_prefix(key)?;
        rest.trim_start()
            .starts_with(':')
            .then_some((n + 1, line.len() - body.len() + 1))
    })
}

/// The key of a required text written without one (`title:`, `title: ~`).
fn empty_key(message: &str) -> Option<&str> {
    message.strip_suffix("` has no text")?.rsplit('`').next()
}

/// Where a key of the record's top-level mapping is written.
fn top_level_key_at(key: &str, text: &str) -> Option<(usize, usize)> {
    key_lines(key, text).find(|&(_, column)| column == 1)
}

/// The `---` that starts a second YAML document, for serde's error about
/// more than one document.
fn second_document_at(message: &str, text: &str) -> Option<(usize, usize)> {
    if !message.contains("more than one document") {
        return None;
    }
    let mut content_seen = false;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim_end();
        if t == "---" || t.starts_with("--- ") {
            if content_seen {
                return Some((n + 1, 1));
            }
        } else if !t.is_empty() && !t.starts_with('#') {
            content_seen = true;
        }
    }
    None
}

/// The length of the word starting at `column` (1-based), for the caret.
/// A flow list or mapping (`[one, two]` where one value belongs) is one
/// token, up to its closing bracket.
fn token_width(line: &str, column: usize) -> usize {
    let rest: Vec<char> = line.chars().skip(column.saturating_sub(1)).collect();
    if let Some(close) = match rest.first() {
        Some('[') => Some(']'),
        Some('{') => Some('}'),
        _ => None,
    } {
        if let Some(end) = rest.iter().position(|&c| c == close) {
            return end + 1;
        }
    }
    line.chars()
        .skip(column.saturating_sub(1))
        .take_while(|c| !matches!(c, ':' | ',' | ']' | '}') && !c.is_whitespace())
        .count()
        .max(1)
}

/// Rewords serde's messages for people who edit YAML, not Rust.
fn humanize(message: &str) -> String {
    let m = message
        .replace("unknown field", "unknown key")
        .replace("unknown variant", "unknown value")
        .replace("missing field", "missing key")
        .replace("duplicate field", "this key is written twice:")
        .replace("invalid type: ", "wrong type: ")
        .replace("a sequence", "a list")
        .replace("sequence", "list")
        .replace("map,", "mapping,")
        .replace("struct ", "")
        .replace("unit value", "nothing (null)");
    if let Some((before, _)) = m.split_once(", expected one of") {
        return before.to_string();
    }
    if m.contains("recursion limit exceeded") {
        return "the YAML is nested too deeply".into();
    }
    if m.contains("repetition limit exceeded") {
        return "the YAML expands its aliases too many times (an alias bomb?)".into();
    }
    if m.contains("more than one document") {
        return "a record file holds one YAML document; remove the extra `---`".into();
    }
    m
}

/// A hint for serde's "unknown field" and "unknown variant" messages.
fn hint_for(message: &str) -> Option<String> {
    let quoted = |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_string).collect() };
    if message.contains("unknown field") || message.contains("unknown variant") {
        let (head, tail) = message.split_once("expected")?;
        let got = quoted(head).into_iter().next()?;
        let allowed = quoted(tail);
        let what = if message.contains("unknown field") {
            "keys"
        } else {
            "values"
        };
        let closest = allowed
            .iter()
            .map(|a| (strsim::damerau_levenshtein(&got, a), a))
            .filter(|(d, a)| *d <= 2.max(a.len() / 3))
            .min();
        return Some(match closest {
            Some((_, a)) => format!("did you mean `{a}`? allowed {what}: {}", allowed.join(", ")),
            None => format!("allowed {what}: {}", allowed.join(", ")),
        });
    }
    if message.contains("missing field") {
        return Some(MISSING_KEY_HELP.into());
    }
    if let Some(key) = empty_key(message) {
        return Some(format!("write the {key} after `{key}:`; it is required"));
    }
    if message.contains("duplicate field") {
        return Some(KEY_TWICE_HELP.into());
    }
    if message.contains("expected a list") || message.contains("expected a sequence") {
        return Some("write a list: `[a, b]`, or one `- item` per line".into());
    }
    if message.contains("expected a string") {
        return Some("write one value; quote it if it contains `:`, `#`, `[` or `{`, e.g. `title: \"…\"`".into());
    }
    if message.contains("expected struct") || message.contains("expected a mapping") || message.contains("expected map")
    {
        return Some("write `key: value` lines here".into());
    }
    if message.contains("did not find expected")
        || message.contains("while scanning")
        || message.contains("while parsing")
    {
        return Some("check the quotes, brackets and indentation on this line and the ones above".into());
    }

    None
}
