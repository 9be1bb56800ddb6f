//! Stage 2: turn file text into typed records (docs/format.md).
//!
//! YAML goes through `serde_yaml` into the strict types of `records`; notes
//! are split into front matter and Markdown body first. A serde error becomes
//! a diagnostic at the line and column of the file (front matter included),
//! with a hint (`messages`); a file that fails is read again field by field
//! for every mistake in it (`fields`).

mod cost;
mod fields;
mod messages;
pub use fields::Fields;
use fields::Mistakes;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::diagnostics::Diagnostic;
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
    /// Where diagnostics find their places in `yaml`.
    pub located: crate::diagnostics::Located,
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
    #[cfg(test)]
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

/// `site.yaml`, or what can be read of it: what the settings still say
/// (the timezone above all) keeps the other files' times from being
/// misread as mistakes.
fn parse_site(site: SourceFile, diagnostics: &mut Vec<Diagnostic>) -> Option<Parsed<SiteConfig>> {
    match parse_record::<SiteConfig>(&site.text, &site.file, 1) {
        Ok(record) => Some(parsed(site, record, 1)),
        Err(m) => {
            diagnostics.extend(m.diagnostics);
            m.partial.map(|(record, yaml)| Parsed {
                yaml,
                ..parsed(site, record, 1)
            })
        }
    }
}

/// One record file, by its kind.
fn parse_one(f: SourceFile) -> Result<Record, Failure<PartialRecord>> {
    Ok(match f.kind {
        Kind::Incident => Record::Incident(Box::new(
            yaml_record(f).map_err(|e| e.map(|p| PartialRecord::Incident(Box::new(p))))?,
        )),
        Kind::Actor => Record::Actor(yaml_record(f).map_err(|e| e.map(PartialRecord::Actor))?),
        Kind::Target => Record::Target(yaml_record(f).map_err(|e| e.map(|_| PartialRecord::Unchecked))?),
        Kind::Campaign => Record::Campaign(yaml_record(f).map_err(|e| e.map(|_| PartialRecord::Unchecked))?),
        Kind::Note => Record::Note(note_record(f).map_err(|e| e.map(PartialRecord::Note))?),
    })
}

/// Parses every loaded file; files are independent, so this runs in parallel
/// and merges in load order. With a `cache`, unchanged files are not parsed again.
pub fn parse(loaded: Loaded, diagnostics: &mut Vec<Diagnostic>, cache: Option<&ParseCache>) -> Content {
    use rayon::prelude::*;
    let mut content = Content {
        unreadable: loaded.unreadable,
        ..Content::default()
    };
    content.site = loaded.site.and_then(|site| parse_site(site, diagnostics));
    let previous = cache
        .map(|c| std::mem::take(&mut *c.records.lock().unwrap_or_else(|e| e.into_inner())))
        .unwrap_or_default();
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
        located: Default::default(),
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
            located: Default::default(),
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
            located: Default::default(),
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
/// line. The error is the first mistake, as serde meets it: the tests
/// compare it with [`parse_record`], which finds them all.
#[cfg(test)]
fn parse_yaml<T: serde::de::DeserializeOwned>(text: &str, file: &str, first_line: usize) -> Result<T, Diagnostic> {
    readable(text, file, first_line)?;
    serde_yaml::from_str(text).map_err(|e| messages::yaml_diagnostic(&e, text, file, first_line))
}

/// Deserializes a YAML record; when it fails, reads it again field by
/// field for every mistake in it (unless it is empty or too costly to read).
fn parse_record<T: Fields>(text: &str, file: &str, first_line: usize) -> Result<T, Mistakes<T>> {
    readable(text, file, first_line).map_err(Mistakes::alone)?;
    serde_yaml::from_str(text).map_err(|e| {
        let first = messages::yaml_diagnostic(&e, text, file, first_line);
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
        assert_eq!(
            messages::duplicate_key_at(m, "sources:\n  - id: a\n    id: b\n"),
            Some((3, 5))
        );
        // Another mapping's key at another depth is not the duplicate.
        let text = "id: x\nsources:\n  - id: a\nid: y\n";
        assert_eq!(messages::duplicate_key_at(m, text), Some((4, 1)));
        assert_eq!(messages::duplicate_key_at("missing field `id`", text), None);
    }

    fn loaded(files: &[(&str, &str)]) -> Loaded {
        let files = files
            .iter()
            .map(|(id, text)| SourceFile {
                kind: Kind::Incident,
                id: Id::parse(id).unwrap(),
                file: format!("content/incidents/{id}.yaml"),
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
