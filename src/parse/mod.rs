//! Stage 2: turn file text into typed records (docs/format.md).
//!
//! YAML goes through `serde_yaml` into the strict types of `records`; notes
//! are split into front matter and Markdown body first. A serde error becomes
//! a diagnostic at the line and column of the file (front matter included),
//! with a hint: the closest known key, the allowed values.

mod cost;
mod fields;
pub use cost::MAX_YAML_DEPTH;
pub use fields::Fields;
use fields::Mistakes;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, HELP};
use crate::load::{Loaded, SourceFile};
use crate::records::{Actor, Campaign, Id, Incident, Kind, NoteFront, SiteConfig, Target};

/// A record with where it came from.
#[derive(Clone, Debug)]
pub struct Parsed<T> {
    pub id: Id,
    /// Path relative to the root, for messages.
    pub file: String,
    /// The YAML text (a note's front matter only) and the file line it starts on.
    pub yaml: String,
    pub first_line: usize,
    pub record: T,
}

/// A note: front matter and Markdown body.
#[derive(Clone, Debug)]
pub struct Note {
    pub front: NoteFront,
    pub body: String,
}

/// A record whose file has mistakes, built from the fields that passed; only
/// its references are checked.
#[derive(Clone, Debug)]
pub struct Partial<T> {
    /// Its `yaml` is the file with the failed fields masked and the required
    /// ones filled in after the file's last line, `last_line`.
    pub parsed: Parsed<T>,
    /// The top-level keys that failed or are missing.
    pub broken: BTreeSet<String>,
    pub last_line: usize,
}

/// The partial records whose references can be checked.
#[derive(Debug, Default)]
pub struct PartialRecords {
    pub incidents: Vec<Partial<Incident>>,
    pub actors: Vec<Partial<Actor>>,
    pub notes: Vec<Partial<Note>>,
}

/// Every record of the project, parsed; files that failed are left out (and
/// reported), but their ids are kept in `unreadable`: the record exists, so
/// a reference to it is not a second error.
#[derive(Debug, Default)]
pub struct Content {
    pub unreadable: Vec<(Kind, Id)>,
    /// What the files with mistakes still say, for their references.
    pub partial: PartialRecords,
    pub site: Option<Parsed<SiteConfig>>,
    pub incidents: Vec<Parsed<Incident>>,
    pub actors: Vec<Parsed<Actor>>,
    pub targets: Vec<Parsed<Target>>,
    pub campaigns: Vec<Parsed<Campaign>>,
    pub notes: Vec<Parsed<Note>>,
}

/// A parsed record of any kind.
#[derive(Clone)]
enum Record {
    /// Boxed: an incident is several times the size of the other records.
    Incident(Box<Parsed<Incident>>),
    Actor(Parsed<Actor>),
    Target(Parsed<Target>),
    Campaign(Parsed<Campaign>),
    Note(Parsed<Note>),
}

impl Record {
    /// Its list in `Content`, in field order.
    fn slot(&self) -> usize {
        match self {
            Record::Incident(_) => 0,
            Record::Actor(_) => 1,
            Record::Target(_) => 2,
            Record::Campaign(_) => 3,
            Record::Note(_) => 4,
        }
    }
}

/// Records parsed by an earlier run, by file and a hash of its text.
///
/// `serve` checks the whole project again on every edit; with this cache it
/// parses only the files whose text changed (YAML parsing is most of a
/// check's time). Files that are gone are forgotten at each run.
#[derive(Default)]
pub struct ParseCache {
    records: std::sync::Mutex<HashMap<String, (u64, Arc<Record>)>>,
    hits: std::sync::atomic::AtomicUsize,
}

impl ParseCache {
    /// How many files were taken from the cache instead of parsed, in all.
    pub fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::Relaxed)
    }
}

fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Parses every loaded file; files are independent, so this runs in parallel
/// and merges in load order. With a `cache`, unchanged files are not parsed again.
pub fn parse(loaded: Loaded, diagnostics: &mut Vec<Diagnostic>, cache: Option<&ParseCache>) -> Content {
    use rayon::prelude::*;
    let mut content = Content {
        unreadable: loaded.unreadable,
        ..Content::default()
    };
    if let Some(site) = loaded.site {
        match parse_record::<SiteConfig>(&site.text, &site.file, 1) {
            Ok(record) => content.site = Some(parsed(site, record, 1)),
            Err(m) => diagnostics.extend(m.diagnostics),
        }
    }
    let previous = cache
        .map(|c| std::mem::take(&mut *c.records.lock().unwrap_or_else(|e| e.into_inner())))
        .unwrap_or_default();
    let parse_one = |f: SourceFile| -> Result<Record, Failure<PartialRecord>> {
        Ok(match f.kind {
            Kind::Incident => Record::Incident(Box::new(
                yaml_record(f).map_err(|e| e.map(|p| PartialRecord::Incident(Box::new(p))))?,
            )),
            Kind::Actor => Record::Actor(yaml_record(f).map_err(|e| e.map(PartialRecord::Actor))?),
            Kind::Target => Record::Target(yaml_record(f).map_err(|e| e.map(|_| PartialRecord::Unchecked))?),
            Kind::Campaign => Record::Campaign(yaml_record(f).map_err(|e| e.map(|_| PartialRecord::Unchecked))?),
            Kind::Note => Record::Note(note_record(f).map_err(|e| e.map(PartialRecord::Note))?),
        })
    };
    // Each file's record, and with a cache what it keeps of the file.
    type Cached = (String, (u64, Arc<Record>));
    // Boxed: errors are rare, and records are parsed by the thousand.
    type Failed = Box<(Kind, Id, Failure<PartialRecord>)>;
    let results: Vec<Result<(Record, Option<Cached>), Failed>> = loaded
        .files
        .into_par_iter()
        .map(|f| {
            let (kind, id) = (f.kind, f.id.clone());
            let failed = |d| Box::new((kind, id, d));
            let Some(cache) = cache else {
                return Ok((parse_one(f).map_err(failed)?, None));
            };
            let (file, hash) = (f.file.clone(), text_hash(&f.text));
            let shared = match previous.get(&file) {
                Some((h, record)) if *h == hash => {
                    cache.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    Arc::clone(record)
                }
                _ => Arc::new(parse_one(f).map_err(failed)?),
            };
            Ok(((*shared).clone(), Some((file, (hash, shared)))))
        })
        .collect();
    // Records are big: each list is allocated once at its final size.
    let mut counts = [0; 5];
    for (record, _) in results.iter().flatten() {
        counts[record.slot()] += 1;
    }
    content.incidents.reserve_exact(counts[0]);
    content.actors.reserve_exact(counts[1]);
    content.targets.reserve_exact(counts[2]);
    content.campaigns.reserve_exact(counts[3]);
    content.notes.reserve_exact(counts[4]);
    // Files not seen this time (removed, renamed, failing) are forgotten.
    let mut kept = HashMap::new();
    for result in results {
        match result {
            Ok((record, cached)) => {
                kept.extend(cached);
                match record {
                    Record::Incident(p) => content.incidents.push(*p),
                    Record::Actor(p) => content.actors.push(p),
                    Record::Target(p) => content.targets.push(p),
                    Record::Campaign(p) => content.campaigns.push(p),
                    Record::Note(p) => content.notes.push(p),
                }
            }
            Err(failed) => {
                let (kind, id, failure) = *failed;
                content.unreadable.push((kind, id));
                diagnostics.extend(failure.diagnostics);
                match failure.partial.map(|p| *p) {
                    Some(PartialRecord::Incident(p)) => content.partial.incidents.push(*p),
                    Some(PartialRecord::Actor(p)) => content.partial.actors.push(p),
                    Some(PartialRecord::Note(p)) => content.partial.notes.push(p),
                    Some(PartialRecord::Unchecked) | None => {}
                }
            }
        }
    }
    if let Some(cache) = cache {
        *cache.records.lock().unwrap_or_else(|e| e.into_inner()) = kept;
    }
    content
}

fn parsed<T>(f: SourceFile, record: T, first_line: usize) -> Parsed<T> {
    Parsed {
        id: f.id,
        file: f.file,
        yaml: f.text,
        first_line,
        record,
    }
}

/// A file that did not parse: every mistake in it, and its partial record.
/// Boxed: a failure travels in a `Result` beside the records that parse.
struct Failure<P> {
    diagnostics: Vec<Diagnostic>,
    partial: Option<Box<P>>,
}

impl<P> Failure<P> {
    fn map<Q>(self, f: impl FnOnce(P) -> Q) -> Failure<Q> {
        Failure {
            diagnostics: self.diagnostics,
            partial: self.partial.map(|p| Box::new(f(*p))),
        }
    }

    fn alone(d: Diagnostic) -> Self {
        Failure {
            diagnostics: vec![d],
            partial: None,
        }
    }
}

/// A partial record of a kind whose references are checked.
enum PartialRecord {
    /// Boxed: an incident is several times the size of the other records.
    Incident(Box<Partial<Incident>>),
    Actor(Partial<Actor>),
    Note(Partial<Note>),
    Unchecked,
}

/// The failure of the file `f`, whose YAML starts on `first_line`; `record`
/// makes the partial record from what the YAML gave.
fn failure<T, U>(
    m: Mistakes<T>,
    f: &SourceFile,
    first_line: usize,
    yaml_lines: usize,
    record: impl FnOnce(T) -> U,
) -> Failure<Partial<U>> {
    let partial = m.partial.map(|(value, yaml)| Partial {
        parsed: Parsed {
            id: f.id.clone(),
            file: f.file.clone(),
            yaml,
            first_line,
            record: record(value),
        },
        broken: m.broken,
        last_line: first_line + yaml_lines.saturating_sub(1),
    });
    Failure {
        diagnostics: m.diagnostics,
        partial: partial.map(Box::new),
    }
}

fn yaml_record<T: Fields>(f: SourceFile) -> Result<Parsed<T>, Failure<Partial<T>>> {
    match parse_record(&f.text, &f.file, 1) {
        Ok(record) => Ok(parsed(f, record, 1)),
        Err(m) => Err(failure(m, &f, 1, f.text.lines().count(), |r| r)),
    }
}

fn note_record(f: SourceFile) -> Result<Parsed<Note>, Failure<Partial<Note>>> {
    let (front, body) = split_front_matter(&f.text, &f.file).map_err(Failure::alone)?;
    let front_text = front.to_string();
    let body = body.to_string();
    match parse_record::<NoteFront>(&front_text, &f.file, 2) {
        Ok(front) => Ok(Parsed {
            id: f.id,
            file: f.file,
            yaml: front_text,
            first_line: 2,
            record: Note { front, body },
        }),
        Err(m) => Err(failure(m, &f, 2, front_text.lines().count(), |front| Note {
            front,
            body,
        })),
    }
}

/// Splits `---\n<yaml>---\n<markdown>`; the YAML starts on line 2.
pub fn split_front_matter<'a>(text: &'a str, file: &str) -> Result<(&'a str, &'a str), Diagnostic> {
    // A byte-order mark was dropped at load.
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
        .ok_or_else(|| {
            Diagnostic::error(file, (1, 1), "a note must start with front matter: a line `---`")
                .with_hint("begin the file with `---`, then `title: …`, then `---`, then the Markdown text")
        })?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end_matches(['\r', '\n']) == "---" {
            return Ok((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    Err(Diagnostic::error(file, (1, 1), "the front matter is not closed")
        .with_width(3)
        .with_hint("add a line `---` after the front matter, before the Markdown text"))
}

/// Deserializes a YAML record; `first_line` is the file line of its first
/// line. The error is the first mistake: see [`parse_record`] for all.
pub fn parse_yaml<T: DeserializeOwned>(text: &str, file: &str, first_line: usize) -> Result<T, Diagnostic> {
    readable(text, file, first_line)?;
    serde_yaml::from_str(text).map_err(|e| yaml_diagnostic(&e, text, file, first_line))
}

/// Deserializes a YAML record; when it fails, reads it again field by
/// field for every mistake in it (unless it is empty or too costly to read).
fn parse_record<T: Fields>(text: &str, file: &str, first_line: usize) -> Result<T, Mistakes<T>> {
    readable(text, file, first_line).map_err(Mistakes::alone)?;
    serde_yaml::from_str(text).map_err(|e| {
        let first = yaml_diagnostic(&e, text, file, first_line);
        fields::every_mistake(text, file, first_line, first)
    })
}

/// A record that is more than comments, and cheap enough to parse.
fn readable(text: &str, file: &str, first_line: usize) -> Result<(), Diagnostic> {
    let meaningful = text
        .lines()
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#') && l.trim() != "---");
    if !meaningful {
        return Err(Diagnostic::error(file, (first_line.max(1), 1), "this record is empty")
            .with_hint("a record is a YAML mapping such as `title: …`; see `sitrep new` for a template"));
    }
    cost::check_cost(text, file, first_line)
}

fn yaml_diagnostic(e: &serde_yaml::Error, text: &str, file: &str, first_line: usize) -> Diagnostic {
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
fn duplicate_key_at(message: &str, text: &str) -> Option<(usize, usize)> {
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
fn token_width(line: &str, column: usize) -> usize {
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
        return Some("add this key; it is required".into());
    }
    if let Some(key) = empty_key(message) {
        return Some(format!("write the {key} after `{key}:`; it is required"));
    }
    if message.contains("duplicate field") {
        return Some("keep one of the two; a key is set once per mapping".into());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Incident;

    #[test]
    fn a_tab_that_indents_gets_a_hint() {
        let text = "title: X\nattack: [ddos]\ntargets:\n\t- t\nstarted: 2024-08-25\n";
        let d = parse_yaml::<Incident>(text, "i.yaml", 1).unwrap_err();
        assert_eq!((d.line, d.column), (4, 1));
        assert!(d.hint.as_deref().is_some_and(|h| h.contains("tab")), "{d:?}");
    }

    #[test]
    fn a_duplicate_key_is_found_where_it_is_written_again() {
        let m = "duplicate field `id`";
        assert_eq!(duplicate_key_at(m, "sources:\n  - id: a\n    id: b\n"), Some((3, 5)));
        // Another mapping's key at another depth is not the duplicate.
        let text = "id: x\nsources:\n  - id: a\nid: y\n";
        assert_eq!(duplicate_key_at(m, text), Some((4, 1)));
        assert_eq!(duplicate_key_at("missing field `id`", text), None);
    }

    fn loaded(files: &[(&str, &str)]) -> Loaded {
        let files = files
            .iter()
            .map(|(id, text)| SourceFile {
                kind: Kind::Incident,
                id: Id::parse(id).unwrap(),
                file: format!("content/incidents/{id}.yaml"),
                path: format!("content/incidents/{id}.yaml").into(),
                text: text.to_string(),
            })
            .collect();
        Loaded {
            site: None,
            files,
            unreadable: Vec::new(),
        }
    }

    #[test]
    fn the_cache_parses_only_changed_files_and_forgets_removed_ones() {
        let a = "title: A\nattack: [ddos]\ntargets: [t]\nstarted: 2024\n";
        let b = "title: B\nattack: [ddos]\ntargets: [t]\nstarted: 2024\n";
        let cache = ParseCache::default();
        let titles = |c: &Content| c.incidents.iter().map(|p| p.record.title.clone()).collect::<Vec<_>>();
        let run = |files: &[(&str, &str)]| {
            let mut d = Vec::new();
            let content = parse(loaded(files), &mut d, Some(&cache));
            assert!(d.is_empty(), "{d:?}");
            content
        };
        assert_eq!(titles(&run(&[("a", a), ("b", b)])), ["A", "B"]);
        assert_eq!(cache.hits(), 0);
        assert_eq!(titles(&run(&[("a", a), ("b", b)])), ["A", "B"]);
        assert_eq!(cache.hits(), 2);
        // An edit is parsed again; the other file comes from the cache.
        let b2 = b.replace("title: B", "title: B2");
        assert_eq!(titles(&run(&[("a", a), ("b", &b2)])), ["A", "B2"]);
        assert_eq!(cache.hits(), 3);
        // A removed file is forgotten: coming back, it is parsed again.
        run(&[("a", a)]);
        assert_eq!(cache.hits(), 4);
        assert_eq!(titles(&run(&[("a", a), ("b", &b2)])), ["A", "B2"]);
        assert_eq!(cache.hits(), 5);
        // A file that fails is reported every time, never cached.
        let mut d = Vec::new();
        parse(loaded(&[("a", "title: [")]), &mut d, Some(&cache));
        parse(loaded(&[("a", "title: [")]), &mut d, Some(&cache));
        assert_eq!(d.len(), 2);
        assert_eq!(cache.hits(), 5);
    }

    #[test]
    fn unknown_key_gets_a_suggestion_and_its_position() {
        let text = "title: x\nattack: [ddos]\ntargets: [a]\nstrated: 2024\n";
        let d = parse_yaml::<Incident>(text, "f.yaml", 1).unwrap_err();
        assert_eq!((d.line, d.column), (4, 1));
        assert_eq!(d.message, "unknown key `strated`");
        assert!(d.hint.unwrap().starts_with("did you mean `started`?"));
    }

    #[test]
    fn bad_vocabulary_lists_the_allowed_values() {
        let text = "title: x\nattack: [dos]\ntargets: [a]\nstarted: 2024\n";
        let d = parse_yaml::<Incident>(text, "f.yaml", 1).unwrap_err();
        assert_eq!((d.line, d.column), (2, 10));
        assert!(d.hint.unwrap().contains("ddos, defacement, data-leak"));
    }

    #[test]
    fn front_matter_lines_count_from_the_top_of_the_file() {
        let text = "---\ntitle: x\nbogus: 1\n---\nbody\n";
        let (front, body) = split_front_matter(text, "n.md").unwrap();
        assert_eq!(body, "body\n");
        let d = parse_yaml::<NoteFront>(front, "n.md", 2).unwrap_err();
        assert_eq!(d.line, 3);
    }

    #[test]
    fn unclosed_front_matter_is_reported() {
        let d = split_front_matter("---\ntitle: x\n", "n.md").unwrap_err();
        assert!(d.message.contains("not closed"));
    }
}
