//! Every mistake of a record file in one run.
//!
//! serde stops at the first error, so a file that fails is read again one
//! field at a time: each top-level key alone, then each entry of a list and
//! each key of an entry. The rest of the file is masked out (its lines left
//! empty, so every line keeps its number and every error its line and
//! column), and the keys the record requires are filled in after it with
//! values that pass. The fields that pass make a partial record, whose
//! references are still checked. Files that parse, nearly all of them, never
//! come here.

use std::collections::BTreeSet;
use std::ops::Range;

use serde::de::DeserializeOwned;

use super::messages::{yaml_diagnostic, KEY_TWICE_HELP, MISSING_KEY_HELP};
use crate::diagnostics::Diagnostic;
use crate::records::{Actor, Campaign, Incident, NoteFront, SiteConfig, Target};

/// A key and a value that passes, to stand in for a key that is not checked.
type Filler = (&'static str, &'static str);

/// What a record type needs to be read one field at a time.
pub trait Fields: DeserializeOwned {
    /// The keys it requires.
    const REQUIRED: &'static [Filler];
    /// Its lists of mappings, with the keys an entry requires.
    const ENTRIES: &'static [(&'static str, &'static [Filler])] = &[];
}

impl Fields for Incident {
    const REQUIRED: &'static [Filler] = &[
        ("title", "x"),
        ("attack", "[ddos]"),
        ("targets", "[x]"),
        ("started", "'2000'"),
    ];
    const ENTRIES: &'static [(&'static str, &'static [Filler])] = &[
        ("actors", &[("actor", "x"), ("basis", "claimed")]),
        ("observations", &[("at", "'2000'"), ("state", "up")]),
        ("sources", &[("id", "x")]),
    ];
}

impl Fields for Actor {
    const REQUIRED: &'static [Filler] = &[("name", "x")];
    const ENTRIES: &'static [(&'static str, &'static [Filler])] =
        &[("relations", &[("actor", "x"), ("kind", "same-as")])];
}

impl Fields for Target {
    const REQUIRED: &'static [Filler] = &[("name", "x")];
}

impl Fields for Campaign {
    const REQUIRED: &'static [Filler] = &[("name", "x")];
}

impl Fields for NoteFront {
    const REQUIRED: &'static [Filler] = &[("title", "x")];
}

impl Fields for SiteConfig {
    const REQUIRED: &'static [Filler] = &[("title", "x"), ("base_url", "https://example.org/")];
}

/// What reading a failed file field by field found.
pub struct Mistakes<T> {
    /// One per mistake, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The record built from the fields that passed (the others masked or
    /// filled in), and its YAML: its lines past the file's end are fillers.
    pub partial: Option<(T, String)>,
    /// The top-level keys that failed or are missing.
    pub broken: BTreeSet<String>,
}

impl<T> Mistakes<T> {
    /// A mistake that is the whole file's.
    pub fn alone(d: Diagnostic) -> Self {
        Mistakes {
            diagnostics: vec![d],
            partial: None,
            broken: BTreeSet::new(),
        }
    }
}

/// Reads `text` one field at a time, after `first` (serde's first error)
/// said it fails. Falls back to `first` alone where the file cannot be cut
/// into fields: a YAML syntax error, tabs, flow mappings, several documents.
pub fn every_mistake<T: Fields>(text: &str, file: &str, first_line: usize, first: Diagnostic) -> Mistakes<T> {
    let alone = Mistakes::alone;
    let well_formed = saphyr_parser::Parser::new_from_str(text).all(|e| e.is_ok());
    let lines: Vec<&str> = text.lines().collect();
    let Some(blocks) = well_formed.then(|| blocks(&lines, 0..lines.len(), 0)).flatten() else {
        return alone(first);
    };
    let file_line = |n: usize| n + first_line;
    let reader = Reader::<T> {
        lines: &lines,
        file,
        first_line,
        _record: std::marker::PhantomData,
    };
    let mut diagnostics = Vec::new();
    let mut broken = BTreeSet::new();
    let mut kept = Kept::default();
    let mut present: Vec<&str> = Vec::new();
    let mut seen = BTreeSet::new();
    for b in &blocks {
        if !seen.insert(b.key.as_str()) {
            diagnostics.push(
                Diagnostic::error(
                    file,
                    (file_line(b.start), 1),
                    format!("this key is written twice: `{}`", b.key),
                )
                .with_width(b.key.chars().count())
                .with_hint(KEY_TWICE_HELP),
            );
            continue;
        }
        let (found, passed) = reader.block(b);
        if !passed.is_empty() {
            present.push(&b.key);
            kept.lines.extend(passed.lines);
            kept.edits.extend(passed.edits);
        }
        if !found.is_empty() {
            broken.insert(b.key.clone());
            diagnostics.extend(found);
        }
    }
    for (key, _) in T::REQUIRED.iter().filter(|(k, _)| !seen.contains(k)) {
        broken.insert(key.to_string());
        // `strated:` was reported with "did you mean `started`?".
        let suggested = format!("did you mean `{key}`?");
        if diagnostics
            .iter()
            .any(|d| d.hint.as_deref().is_some_and(|h| h.starts_with(&suggested)))
        {
            continue;
        }
        diagnostics
            .push(Diagnostic::error(file, (first_line, 1), format!("missing key `{key}`")).with_hint(MISSING_KEY_HELP));
    }
    if diagnostics.is_empty() {
        // The fields pass one by one: the mistake is between them.
        return alone(first);
    }
    diagnostics.sort_by_key(|d| (d.line, d.column));
    // `summary: [a, b]` is one mistake, not one per item.
    diagnostics.dedup_by(|a, b| (a.line, a.column, &a.message) == (b.line, b.column, &b.message));
    let doc = masked(&lines, &kept.lines, &kept.edits, &fill(T::REQUIRED, &present, 0));
    let partial = serde_yaml::from_str::<T>(&doc).ok().map(|record| (record, doc));
    Mistakes {
        diagnostics,
        partial,
        broken,
    }
}

/// Reads the fields of one file.
struct Reader<'a, T> {
    lines: &'a [&'a str],
    file: &'a str,
    first_line: usize,
    _record: std::marker::PhantomData<T>,
}

impl<T: Fields> Reader<'_, T> {
    /// The mistakes of one top-level key: those of its entries (or list
    /// items) when they can be told apart, else its own; and what of it
    /// passes, for the partial record.
    fn block(&self, b: &Block) -> (Vec<Diagnostic>, Kept) {
        let others = fill(T::REQUIRED, &[b.key.as_str()], 0);
        let head = b.start..b.start + 1;
        let all = b.start..b.end;
        let Some(whole) = self.error(std::slice::from_ref(&all), &[], &others, all.clone()) else {
            return (Vec::new(), Kept::block(all));
        };
        let mut found = Vec::new();
        let mut kept = Kept::default();
        if let Some(items) = flow_items(self.lines[b.start]) {
            let mut passed = Vec::new();
            let chars: Vec<char> = self.lines[b.start].chars().collect();
            let open = chars.iter().position(|&c| c == '[').unwrap_or(0);
            let prefix: String = chars[..=open].iter().collect();
            for (i, item) in items.iter().enumerate() {
                // The item alone, right after the `[`: as long as the item,
                // not the line (a line of 32,000 items is read in linear
                // time); its column is moved back to the item's own.
                let line = format!("{prefix}{}]", chars[item.clone()].iter().collect::<String>());
                match self.error(&[], &[(b.start, line)], &others, head.clone()) {
                    Some(mut d) => {
                        if d.line == b.start + self.first_line && d.column > open + 1 {
                            d.column += item.start - (open + 1);
                        } else if d.line == b.start + self.first_line && d.column == open + 1 {
                            // The list as a whole: underline all of it.
                            let close = chars.iter().rposition(|&c| c == ']').unwrap_or(open);
                            d.width = close + 1 - open;
                        }
                        found.push(numbered(d, &b.key, i));
                    }
                    None => passed.push(item.clone()),
                }
            }
            if !passed.is_empty() {
                kept.edits.push((b.start, keep_items(self.lines[b.start], &passed)));
            }
        }
        let entry_keys = T::ENTRIES.iter().find(|(k, _)| *k == b.key).map(|(_, r)| *r);
        for (i, entry) in entries(self.lines, b).into_iter().enumerate() {
            let Some(error) = self.error(&[head.clone(), entry.clone()], &[], &others, entry.clone()) else {
                kept.lines.push(entry);
                continue;
            };
            let (in_keys, entry_kept) = match entry_keys {
                Some(required) => self.entry_keys(&head, &entry, required, &others),
                None => (Vec::new(), None),
            };
            if in_keys.is_empty() {
                found.push(numbered(error, &b.key, i));
            } else {
                found.extend(in_keys.into_iter().map(|d| numbered(d, &b.key, i)));
                if let Some(k) = entry_kept {
                    kept.lines.extend(k.lines);
                    kept.edits.extend(k.edits);
                }
            }
        }
        if !kept.lines.is_empty() {
            kept.lines.push(head);
        }
        if found.is_empty() {
            return (vec![whole], Kept::default());
        }
        (found, kept)
    }

    /// The mistakes of each key of a list entry, read alone; and, when
    /// every key the entry requires passed, its keys that passed.
    fn entry_keys(
        &self,
        head: &Range<usize>,
        entry: &Range<usize>,
        required: &[Filler],
        others: &[String],
    ) -> (Vec<Diagnostic>, Option<Kept>) {
        let Some((column, keys)) = entry_blocks(self.lines, entry) else {
            return (Vec::new(), None);
        };
        // The dash without the key on its line, for a key below it.
        let dash_line = self.lines[entry.start];
        let dash = (
            entry.start,
            dash_line[..dash_line.find('-').unwrap_or(0) + 1].to_string(),
        );
        let mut found = Vec::new();
        let mut kept = Kept::default();
        let mut passed = Vec::new();
        for k in &keys {
            let mut fillers = fill(required, &[k.key.as_str()], column);
            fillers.extend_from_slice(others);
            let edits: &[(usize, String)] = if k.start == entry.start {
                &[]
            } else {
                std::slice::from_ref(&dash)
            };
            match self.error(&[head.clone(), k.start..k.end], edits, &fillers, k.start..k.end) {
                Some(d) => found.push(d),
                None => {
                    passed.push(k.key.as_str());
                    kept.lines.push(k.start..k.end);
                }
            }
        }
        if !kept.lines.iter().any(|r| r.start == entry.start) {
            kept.edits.push(dash);
        }
        let whole = required.iter().all(|(k, _)| passed.contains(k));
        (found, whole.then_some(kept))
    }

    /// serde's error on the file with only `keep` (and `edit`) left and
    /// `fillers` after it; an error outside `range` (serde places a
    /// missing key where the mapping ends) is moved to its first line.
    fn error(
        &self,
        keep: &[Range<usize>],
        edits: &[(usize, String)],
        fillers: &[String],
        range: Range<usize>,
    ) -> Option<Diagnostic> {
        // Only the lines read, not the whole file with the rest blank: each
        // check costs what it reads, so a file of 64,000 entries is read in
        // linear time. Each line of the document knows its line in the file.
        let (doc, rows) = compact(self.lines, keep, edits, fillers);
        let e = serde_yaml::from_str::<T>(&doc).err()?;
        let mut d = yaml_diagnostic(&e, &doc, self.file, 1);
        // An alias whose anchor is in a key masked out is no mistake of
        // its own (the whole file read as one, the anchor was there).
        if d.message.contains("unknown anchor") {
            return None;
        }
        let line = (d.line.checked_sub(1))
            .and_then(|row| rows.get(row).copied())
            .filter(|n| range.contains(n));
        if let Some(n) = line {
            d.line = n + self.first_line;
        } else {
            let text = self.lines[range.start];
            d.line = range.start + self.first_line;
            d.column = text.len() - text.trim_start_matches([' ', '-']).len() + 1;
            d.width = 1;
        }
        Some(d)
    }
}

/// serde names an item read alone `key[0]`: give it its place in the list.
fn numbered(mut d: Diagnostic, key: &str, index: usize) -> Diagnostic {
    let alone = format!("{key}[0]");
    if index > 0 && d.message.starts_with(&alone) {
        d.message = format!("{key}[{index}]{}", &d.message[alone.len()..]);
    }
    d
}

/// A key and the lines its value takes (0-based, end excluded).
struct Block {
    key: String,
    start: usize,
    end: usize,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// The plain key that `line` sets at byte `column` (`key:` or `key: value`).
fn key_at(line: &str, column: usize) -> Option<String> {
    let rest = line.get(column..)?;
    if rest.starts_with(|c: char| "-#[]{}\"'&*!|>%@` \t".contains(c)) {
        return None;
    }
    let bytes = rest.as_bytes();
    let colon = (0..bytes.len()).find(|&i| bytes[i] == b':' && matches!(bytes.get(i + 1), None | Some(b' ')))?;
    Some(rest[..colon].trim_end().to_string())
}

/// The mapping at `column` in `range`: one block per key, the lines below a
/// key (deeper, blank, comments, or a list at the key's own indentation)
/// going with it. `None` if a line fits no block.
fn blocks(lines: &[&str], range: Range<usize>, column: usize) -> Option<Vec<Block>> {
    let mut out: Vec<Block> = Vec::new();
    for n in range {
        let line = lines[n];
        if !blank_or_comment(line) && indent(line) < column {
            return None;
        }
        let deeper = blank_or_comment(line) || indent(line) > column;
        let list_below =
            indent(line) == column && line[column..].starts_with('-') && !line[column..].starts_with("---");
        if deeper || list_below {
            if let Some(b) = out.last_mut() {
                b.end = n + 1;
                continue;
            }
            if deeper {
                continue;
            }
        }
        if out.is_empty() && line.trim_end() == "---" {
            continue;
        }
        let key = key_at(line, column)?;
        out.push(Block {
            key,
            start: n,
            end: n + 1,
        });
    }
    Some(out)
}

/// The entries of a block list under `b`: each `-` line at the list's
/// indentation, with the lines below it.
fn entries(lines: &[&str], b: &Block) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut dash_column = None;
    for (n, line) in lines.iter().enumerate().take(b.end).skip(b.start + 1) {
        if blank_or_comment(line) {
            continue;
        }
        let i = indent(line);
        let dash = line[i..] == *"-" || line[i..].starts_with("- ");
        match dash_column {
            None if dash => dash_column = Some(i),
            None => return Vec::new(),
            Some(_) => {}
        }
        if dash && dash_column == Some(i) {
            out.push(n..n + 1);
        } else if let Some(last) = out.last_mut() {
            last.end = n + 1;
        }
    }
    out
}

/// The keys of a list entry that is a mapping, with their column.
fn entry_blocks(lines: &[&str], entry: &Range<usize>) -> Option<(usize, Vec<Block>)> {
    let dash_line = lines[entry.start];
    let dash = dash_line.find('-')?;
    let after = dash + 1 + indent(&dash_line[dash + 1..]);
    if after < dash_line.len() {
        let first = key_at(dash_line, after)?;
        let mut keys = vec![Block {
            key: first,
            start: entry.start,
            end: entry.start + 1,
        }];
        let rest = blocks(lines, entry.start + 1..entry.end, after)?;
        if let (Some(first), Some(next)) = (keys.last_mut(), rest.first()) {
            first.end = next.start;
        } else if let Some(first) = keys.last_mut() {
            first.end = entry.end;
        }
        keys.extend(rest);
        Some((after, keys))
    } else {
        let column = (entry.start + 1..entry.end)
            .map(|n| lines[n])
            .find(|l| !blank_or_comment(l))
            .map(indent)?;
        Some((column, blocks(lines, entry.start + 1..entry.end, column)?))
    }
}

/// The items of `key: [a, b]` on one line, as char ranges, when they are
/// plain words (no quotes, no nesting, no comment).
fn flow_items(line: &str) -> Option<Vec<Range<usize>>> {
    let chars: Vec<char> = line.chars().collect();
    let open = chars.iter().position(|&c| c == '[')?;
    let close = chars.iter().rposition(|&c| c == ']').filter(|&close| close > open)?;
    let inner = &chars[open + 1..close];
    let plain = !inner.iter().any(|c| "[]{}\"'#".contains(*c)) && chars[close + 1..].iter().all(|c| c.is_whitespace());
    if !plain || !line.contains(": [") {
        return None;
    }
    let mut items = Vec::new();
    let mut start = open + 1;
    for (i, &c) in chars.iter().enumerate().take(close + 1).skip(open + 1) {
        if c == ',' || i == close {
            if chars[start..i].iter().any(|c| !c.is_whitespace()) {
                items.push(start..i);
            }
            start = i + 1;
        }
    }
    (items.len() > 1).then_some(items)
}

/// `line` with only the items `keep` (in order) of its flow list (and the
/// commas between them), each at its column.
fn keep_items(line: &str, keep: &[Range<usize>]) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    let open = chars.iter().position(|&c| c == '[').unwrap_or(0);
    let close = chars.iter().rposition(|&c| c == ']').unwrap_or(chars.len());
    let mut kept = vec![false; chars.len()];
    for (k, r) in keep.iter().enumerate() {
        kept[r.clone()].iter_mut().for_each(|x| *x = true);
        // The comma before each kept item but the first.
        if k > 0 {
            kept[r.start - 1] = true;
        }
    }
    for (i, c) in chars.iter_mut().enumerate().take(close).skip(open + 1) {
        if !kept[i] {
            *c = ' ';
        }
    }
    chars.into_iter().collect()
}

/// What of a key passes: its lines, or its line with the good items.
#[derive(Default)]
struct Kept {
    lines: Vec<Range<usize>>,
    edits: Vec<(usize, String)>,
}

impl Kept {
    fn block(lines: Range<usize>) -> Self {
        Kept {
            lines: vec![lines],
            edits: Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.edits.is_empty()
    }
}

/// `key: value` lines for the fillers whose key is not in `present`.
fn fill(fillers: &[Filler], present: &[&str], column: usize) -> Vec<String> {
    let pad = " ".repeat(column);
    fillers
        .iter()
        .filter(|(k, _)| !present.contains(k))
        .map(|(k, v)| format!("{pad}{k}: {v}"))
        .collect()
}

/// The lines in `keep` (and the `edits`, which replace a line), in file
/// order: each with its line number, and its text.
fn rows<'a>(lines: &[&'a str], keep: &[Range<usize>], edits: &'a [(usize, String)]) -> Vec<(usize, &'a str)> {
    let mut rows: Vec<(usize, bool, &str)> = keep
        .iter()
        .flat_map(|r| r.clone().map(|n| (n, false, lines[n])))
        .chain(edits.iter().map(|(n, text)| (*n, true, text.as_str())))
        .collect();
    // An edit of a line comes after the line itself, and wins.
    rows.sort_unstable_by_key(|&(n, edit, _)| (n, edit));
    let mut out: Vec<(usize, &str)> = Vec::with_capacity(rows.len());
    for (n, _, text) in rows {
        match out.last_mut() {
            Some(last) if last.0 == n => last.1 = text,
            _ => out.push((n, text)),
        }
    }
    out
}

/// The lines in `keep` (and the `edits`), then `fillers`: a document as
/// long as what it holds; and the file's line of each of its lines.
fn compact(
    lines: &[&str],
    keep: &[Range<usize>],
    edits: &[(usize, String)],
    fillers: &[String],
) -> (String, Vec<usize>) {
    let rows = rows(lines, keep, edits);
    let mut doc = String::new();
    for (_, text) in &rows {
        doc.push_str(text);
        doc.push('\n');
    }
    for f in fillers {
        doc.push_str(f);
        doc.push('\n');
    }
    (doc, rows.into_iter().map(|(n, _)| n).collect())
}

/// The file with only the lines in `keep` (and the `edits`), the others
/// left empty, and `fillers` after them: every line at its own number.
fn masked(lines: &[&str], keep: &[Range<usize>], edits: &[(usize, String)], fillers: &[String]) -> String {
    let mut doc = String::new();
    let mut next = 0;
    for (n, text) in rows(lines, keep, edits) {
        doc.extend(std::iter::repeat_n('\n', n - next));
        doc.push_str(text);
        doc.push('\n');
        next = n + 1;
    }
    doc.extend(std::iter::repeat_n('\n', lines.len().saturating_sub(next)));
    for f in fillers {
        doc.push_str(f);
        doc.push('\n');
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mistakes(text: &str) -> Vec<(usize, usize, String)> {
        let first = super::super::parse_yaml::<Incident>(text, "i.yaml", 1).unwrap_err();
        let m = every_mistake::<Incident>(text, "i.yaml", 1, first);
        m.diagnostics
            .into_iter()
            .map(|d| (d.line, d.column, d.message))
            .collect()
    }

    #[test]
    fn a_closing_bracket_before_the_opening_one_is_no_list() {
        // Found by the loader's property test: it used to slice backwards.
        assert_eq!(flow_items("a][title: x"), None);
        assert_eq!(flow_items("attack: ]x, y["), None);
        assert_eq!(flow_items("attack: [a, b]").map(|i| i.len()), Some(2));
    }

    #[test]
    fn each_field_is_read_alone() {
        let text = "attack: [DDoS, dos]\ntargets: t\nstrated: 2024\nsources:\n  - id: s\n    url: example.org\n  - id: Bad\n    colour: red\n";
        let found = mistakes(text);
        let at: Vec<(usize, usize)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(
            at,
            [(1, 1), (1, 10), (1, 16), (2, 10), (3, 1), (6, 10), (7, 9), (8, 5)],
            "{found:?}"
        );
        assert!(found[0].2.contains("missing key `title`"), "{found:?}");
        assert!(found[4].2.contains("unknown key `strated`"), "{found:?}");
        // `strated` is taken for `started`: no second error that it is missing.
        assert!(
            !found.iter().any(|f| f.2.contains("missing key `started`")),
            "{found:?}"
        );
    }

    #[test]
    fn an_alias_to_an_anchor_in_another_key_is_no_mistake() {
        let found = mistakes("title: X\nattack: [dos]\ntargets: [t]\nstarted: &s 2024\nended: *s\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.contains("`dos`"), "{found:?}");
    }

    #[test]
    fn a_syntax_error_is_reported_alone() {
        let found = mistakes("title: [\nattack: dos\n");
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn a_key_written_twice_is_one_error_at_the_second() {
        let found = mistakes("title: X\nattack: [ddos]\ntargets: [t]\nstarted: 2024\ntitle: Y\nended: soon\n");
        let at: Vec<usize> = found.iter().map(|(l, _, _)| *l).collect();
        assert_eq!(at, [5, 6], "{found:?}");
    }

    #[test]
    fn the_fields_that_pass_make_a_partial_record() {
        let text = "title: X\nattack: [dos]\ntargets: [t, U, u]\ncampaign: c\nstarted: 2024\nsources:\n  - id: s\n  - id: S\n  - id: r\n";
        let first = super::super::parse_yaml::<Incident>(text, "i.yaml", 1).unwrap_err();
        let m = every_mistake::<Incident>(text, "i.yaml", 1, first);
        let (record, _) = m.partial.expect("a partial record");
        let ids = |ids: Vec<String>| ids.join(" ");
        assert_eq!(ids(record.targets.iter().map(|t| t.to_string()).collect()), "t u");
        assert_eq!(ids(record.sources.iter().map(|s| s.id.to_string()).collect()), "s r");
        assert_eq!(record.campaign.map(|c| c.to_string()).as_deref(), Some("c"));
        assert_eq!(
            m.broken.into_iter().collect::<Vec<_>>(),
            ["attack", "sources", "targets"]
        );
    }
}
