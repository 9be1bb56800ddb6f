//! What a YAML text may cost before it is parsed: flow nesting found by a
//! linear scan (parsers check every open level at every token), aliases
//! counted as expanded (an "alias bomb").

use std::collections::HashMap;

use crate::diagnostics::Diagnostic;

/// How deep a record's YAML may nest: records need 4 levels; 64 leaves
/// room and stops a crafted file before the parser's cost grows with depth.
pub const MAX_YAML_DEPTH: usize = 64;

/// The deepest nesting of flow collections (`[`, `{`) in a YAML text, and
/// where it first passes [`MAX_YAML_DEPTH`] (line, column from 1), by a
/// linear look at its characters that skips quoted text and comments. It
/// runs before any parser: YAML parsers check every open level at every
/// token, so `[[[[…` 100,000 deep costs them minutes.
fn flow_depth(text: &str) -> (usize, Option<(usize, usize)>) {
    let (mut depth, mut deepest, mut too_deep) = (0usize, 0usize, None);
    let (mut line, mut column) = (1, 0);
    // The last character that was not a space: a `[` starts a collection
    // only after one of these (elsewhere it is part of a plain scalar).
    let mut before = '\n';
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        column += 1;
        match c {
            '\n' => {
                (line, column) = (line + 1, 0);
                before = '\n';
                continue;
            }
            ' ' | '\t' | '\r' => continue,
            '#' if before == '\n' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                (line, column) = (line + 1, 0);
                before = '\n';
                continue;
            }
            '"' | '\'' if matches!(before, '\n' | ':' | '-' | ',' | '[' | '{' | '?') => {
                let quote = c;
                let mut escaped = false;
                for c in chars.by_ref() {
                    column += 1;
                    if c == '\n' {
                        (line, column) = (line + 1, 0);
                    }
                    if escaped {
                        escaped = false;
                    } else if c == '\\' && quote == '"' {
                        escaped = true;
                    } else if c == quote {
                        break;
                    }
                }
            }
            '[' | '{' if depth > 0 || matches!(before, '\n' | ':' | '-' | '?') => {
                depth += 1;
                if depth > deepest {
                    deepest = depth;
                    if deepest == MAX_YAML_DEPTH + 1 {
                        too_deep = Some((line, column));
                    }
                }
            }
            ']' | '}' if depth > 0 => depth -= 1,
            _ => {}
        }
        before = c;
    }
    (deepest, too_deep)
}

/// Whether a text has both an anchor (`&name`) and an alias (`*name`) as
/// YAML writes them, after a space, a line start or a flow indicator: only
/// then is [`check_cost`]'s event pass worth its time. An `&` or a `*` inside
/// prose ("AT&T", `*emphasis*` in a summary) does not qualify, so ordinary
/// records are never parsed twice.
fn may_expand_aliases(text: &str) -> bool {
    let token = |sigil: u8| {
        let bytes = text.as_bytes();
        (0..bytes.len()).any(|i| {
            bytes[i] == sigil
                && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'[' | b'{' | b','))
                && bytes
                    .get(i + 1)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        })
    };
    token(b'&') && token(b'*')
}

/// Refuses YAML whose cost is out of proportion to its size, before the
/// typed parse: nesting deeper than [`MAX_YAML_DEPTH`], and aliases that
/// expand to more than ten times the nodes written (an "alias bomb": a
/// 200 KB file that would cost gigabytes). Nodes are counted as expanded,
/// not only alias nesting, in one pass over the events.
pub(super) fn check_cost(text: &str, file: &str, first_line: usize) -> Result<(), Diagnostic> {
    use saphyr_parser::{Event, Parser};
    let too_deep = |at: (usize, usize)| {
        Diagnostic::error(
            file,
            at,
            format!("the YAML is nested more than {MAX_YAML_DEPTH} levels deep"),
        )
        .with_hint("a record needs a few levels: a list of mappings at most")
    };
    if let (_, Some((line, column))) = flow_depth(text) {
        return Err(too_deep((line + first_line - 1, column)));
    }
    if !may_expand_aliases(text) {
        return Ok(());
    }
    let at = |span: saphyr_parser::Span| (span.start.line() + first_line - 1, span.start.col() + 1);
    // Expanded size of each anchor, and the open containers: (anchor, expanded count at start).
    let mut anchored: HashMap<usize, u64> = HashMap::new();
    let mut open: Vec<(usize, u64)> = Vec::new();
    let (mut written, mut expanded) = (0u64, 0u64);
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else {
            // A syntax error: the typed parse reports it with its own words.
            return Ok(());
        };
        match event {
            Event::Scalar(_, _, anchor, _) => {
                written += 1;
                expanded += 1;
                if anchor > 0 {
                    anchored.insert(anchor, 1);
                }
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                written += 1;
                expanded += 1;
                open.push((anchor, expanded));
                if open.len() > MAX_YAML_DEPTH {
                    return Err(too_deep(at(span)));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, start)) = open.pop() {
                    if anchor > 0 {
                        anchored.insert(anchor, expanded - start + 1);
                    }
                }
            }
            Event::Alias(anchor) => {
                expanded = expanded.saturating_add(anchored.get(&anchor).copied().unwrap_or(1));
            }
            _ => {}
        }
        if expanded > 10 * written + 1_000 {
            return Err(Diagnostic::error(
                file,
                at(span),
                "the YAML's aliases expand to far more than is written (an alias bomb?)",
            )
            .with_hint("write the values out instead of repeating them with `*` aliases"));
        }
    }
    Ok(())
}
