//! `sitrep diff BASE HEAD`: what a pull request changes in the data, as
//! Markdown for a PR comment or `$GITHUB_STEP_SUMMARY`.
//!
//! BASE and HEAD are project folders, content folders, or git revisions of
//! the repository in the current folder (read with `git archive`, never
//! touching the working tree). Both sides go through the full pipeline, so
//! the summary speaks of derived facts too: status and duration bounds.

mod git;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::model::Site;
use crate::wording;

/// Where a side was read from: the objects of a git revision, or a folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Revision,
    Folder,
}

impl Source {
    fn words(self) -> &'static str {
        match self {
            Source::Revision => "git revision",
            Source::Folder => "folder",
        }
    }
}

/// A side of the comparison, loaded.
pub struct Side {
    pub label: String,
    pub source: Source,
    pub site: Site,
    /// Kept alive while the site is used (a checkout of a git revision).
    _checkout: Option<TempDir>,
}

/// Why a side could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{0} is neither a git revision of this repository nor a folder with content/")]
    NotFound(String),
    #[error("{0} is not a folder with content/ (with --folders, BASE and HEAD are folders)")]
    NotAFolder(String),
    #[error("git failed for {rev}: {message}")]
    Git { rev: String, message: String },
    #[error("{label} has {} in its content; run `sitrep check` on it", crate::wording::count(*errors, "error"))]
    Content { label: String, errors: usize },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Loads one side. A git revision of the repository at `repo` comes first,
/// read from git's objects alone, so that a folder of the working tree
/// named like a revision (`origin/main/content/…`, committed by the pull
/// request under review) can never stand in for it. A folder (a project or
/// a content folder) is read when `spec` is no revision, or always with
/// `folders` (`--folders`).
pub fn load_side(spec: &str, repo: &Path, folders: bool) -> Result<Side, DiffError> {
    let (root, source, checkout) = if !folders && git::is_revision(spec, repo) {
        let tmp = git::checkout_revision(spec, repo)?;
        (tmp.path().to_path_buf(), Source::Revision, Some(tmp))
    } else {
        let (root, checkout) = folder_side(spec)?.ok_or_else(|| {
            if folders {
                DiffError::NotAFolder(spec.to_string())
            } else {
                DiffError::NotFound(spec.to_string())
            }
        })?;
        (root, Source::Folder, checkout)
    };
    let (site, report) = crate::check::check(&root, None, None);
    match site {
        Some(site) => Ok(Side {
            label: spec.to_string(),
            source,
            site,
            _checkout: checkout,
        }),
        None => Err(DiffError::Content {
            label: spec.to_string(),
            errors: report.errors(),
        }),
    }
}

/// The project folder of a folder side, if `spec` is one.
fn folder_side(spec: &str) -> Result<Option<(PathBuf, Option<TempDir>)>, DiffError> {
    let path = Path::new(spec);
    if path.join("content").is_dir() {
        return Ok(Some((path.to_path_buf(), None)));
    }
    if !path.join("site.yaml").is_file() {
        return Ok(None);
    }
    // A content folder given directly: its parent is the project.
    let real = path.canonicalize()?;
    if real.file_name().is_some_and(|n| n == "content") {
        let parent = real.parent().map(Path::to_path_buf).unwrap_or_default();
        return Ok(Some((parent, None)));
    }
    // Not named content/: copied into a temporary project.
    let tmp = temp_dir("content")?;
    copy_tree(path, &tmp.path().join("content"))?;
    Ok(Some((tmp.path().to_path_buf(), Some(tmp))))
}

/// A new temporary folder, removed on drop; its name is random (made by
/// `tempfile`), so no other user of the machine can guess and take it first.
pub(super) fn temp_dir(what: &str) -> std::io::Result<TempDir> {
    tempfile::Builder::new()
        .prefix(&format!("sitrep-diff-{what}-"))
        .tempdir()
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(from).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(std::io::Error::other)?;
        let rel = entry.path().strip_prefix(from).map_err(std::io::Error::other)?;
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest)?;
        } else if entry.file_type().is_file() {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}

/// The facts of an incident a reviewer cares about, as field → text.
fn incident_facts(site: &Site, i: usize) -> BTreeMap<&'static str, String> {
    let inc = &site.incidents[i];
    let r = &inc.record;
    let join = |v: Vec<String>| if v.is_empty() { "—".to_string() } else { v.join(", ") };
    let mut f = BTreeMap::new();
    f.insert("1 title", r.title.clone());
    f.insert("2 status", inc.status().key().into());
    f.insert("3 impact", inc.outcome.impact.key().into());
    f.insert("4 duration", wording::how_long(inc.status(), inc.duration));
    f.insert("5 started", r.started.text().to_string());
    f.insert("6 ended", r.ended.as_ref().map_or("—".into(), |e| e.text().to_string()));
    f.insert("7 targets", join(r.targets.iter().map(|t| t.to_string()).collect()));
    f.insert(
        "8 actors",
        join(
            r.actors
                .iter()
                .map(|a| match a.confidence {
                    Some(c) => format!("{} ({}, confidence {})", a.actor, a.basis.key(), c.value()),
                    None => format!("{} ({})", a.actor, a.basis.key()),
                })
                .collect(),
        ),
    );
    f.insert("9 attack", join(r.attack.iter().map(|a| a.key().to_string()).collect()));
    f.insert("a campaign", r.campaign.as_ref().map_or("—".into(), |c| c.to_string()));
    f.insert(
        "b observations",
        join(
            r.observations
                .iter()
                .map(|o| format!("{} {}", o.state.key(), o.at))
                .collect(),
        ),
    );
    f.insert("c sources", join(r.sources.iter().map(|s| s.id.to_string()).collect()));
    f.insert("d summary", r.summary.clone().unwrap_or_default().trim().to_string());
    f.insert("e tags", join(r.tags.clone()));
    f
}

/// A record's YAML as key → value text, for field-by-field comparison.
fn yaml_fields(yaml: &str) -> BTreeMap<String, String> {
    match serde_yaml::from_str::<serde_yaml::Value>(yaml) {
        Ok(serde_yaml::Value::Mapping(m)) => m
            .into_iter()
            .map(|(k, v)| {
                // Said, never an empty text that would read as "no value".
                let text = |v: &serde_yaml::Value| {
                    serde_yaml::to_string(v).unwrap_or_else(|e| format!("(cannot be shown: {e})"))
                };
                (text(&k).trim().to_string(), text(&v).trim().replace('\n', " "))
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn clip(text: &str) -> String {
    let one_line = text.replace('\n', " ");
    if one_line.chars().count() > 80 {
        format!("{}…", one_line.chars().take(79).collect::<String>())
    } else {
        one_line
    }
}

/// Escapes data for Markdown inline context, in a table cell or a list:
/// the characters that can open a link, an image, markup, a code span,
/// emphasis or a cell (`[`, `]`, `(`, `)`, `!`, `<`, `>`, `` ` ``, `|`, `*`,
/// `_`, `~`, `#`, `{`, `}`, `@`, `\`) are backslash-escaped, and so are the
/// `:` of `scheme://` and the `.` of `www.`, which GitHub turns into links
/// by themselves. Line breaks and control characters become spaces, so no
/// value can start a line of its own (a heading, a list, an annotation).
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let autolink = match c {
            ':' => chars.peek() == Some(&'/'),
            '.' => out.len() >= 3 && out.as_bytes()[out.len() - 3..].eq_ignore_ascii_case(b"www"),
            _ => false,
        };
        if autolink || "\\`*_{}[]<>()#!|~@".contains(c) {
            out.push('\\');
            out.push(c);
        } else if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// [`md`] of a value shortened to one line of 80 characters.
fn cell(text: &str) -> String {
    md(&clip(text))
}

/// The Markdown summary of what changed from `base` to `head`.
/// Records listed per section by default. A bulk import changes tens of
/// thousands, and GitHub refuses a job summary over 1 MiB (and a comment
/// over 65,536 characters); the rest are counted, and `--all` lists them.
pub const LISTED: usize = 100;

/// Writes one section of `total` entries: its heading with the count, the
/// first `limit` entries (only those are made), and how many were left out.
fn section(out: &mut String, title: &str, total: usize, entries: impl Iterator<Item = String>, limit: usize) {
    let _ = writeln!(out, "### {title} ({total})\n");
    for entry in entries.take(limit) {
        out.push_str(&entry);
    }
    if total > limit {
        let _ = writeln!(
            out,
            "- … and {} more (`sitrep diff --all` lists them all)",
            total - limit
        );
    }
    out.push('\n');
}

/// The Markdown summary of what changed from `base` to `head`, listing at
/// most `limit` records per section.
pub fn summarize(base: &Side, head: &Side, limit: usize) -> String {
    let (b, h) = (&base.site, &head.site);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## sitrep: changes from {} ({}) to {} ({})\n",
        md(&base.label),
        base.source.words(),
        md(&head.label),
        head.source.words()
    );
    figures_table(&mut out, b, h);
    let changes = incident_sections(&mut out, b, h, limit) + record_sections(&mut out, b, h, limit);
    if changes == 0 {
        out.push_str("No change to the data.\n");
    }
    out
}

/// The site's figures before and after, changed ones marked.
fn figures_table(out: &mut String, b: &Site, h: &Site) {
    let figures = |s: &Site| {
        let all: Vec<usize> = (0..s.incidents.len()).collect();
        [
            s.incidents.len().to_string(),
            s.targets.len().to_string(),
            s.actors.len().to_string(),
            s.campaigns.len().to_string(),
            s.status_counts(&all)[0].to_string(),
            s.status_counts(&all)[3].to_string(),
            s.status_counts(&all)[2].to_string(),
            wording::totals_words(s.site_totals()),
        ]
    };
    let names = [
        "Incidents",
        "Targets",
        "Actors",
        "Campaigns",
        "Ongoing outages",
        "Unverified claims",
        "Attacks without impact",
        "Total downtime",
    ];
    let (fb, fh) = (figures(b), figures(h));
    out.push_str("| | before | after |\n|---|---|---|\n");
    for ((name, x), y) in names.iter().zip(&fb).zip(&fh) {
        let mark = if x == y { "" } else { " **changed**" };
        let _ = writeln!(out, "| {name} | {x} | {y}{mark} |");
    }
    out.push('\n');
}

/// Incidents added, changed (fact by fact) and removed; how many.
fn incident_sections(out: &mut String, b: &Site, h: &Site, limit: usize) -> usize {
    let mut changes = 0;
    let ids = |s: &Site| -> BTreeMap<String, usize> {
        s.incidents
            .iter()
            .enumerate()
            .map(|(i, x)| (x.id.to_string(), i))
            .collect()
    };
    let (ib, ih) = (ids(b), ids(h));
    let added: Vec<&String> = ih.keys().filter(|k| !ib.contains_key(*k)).collect();
    let removed: Vec<&String> = ib.keys().filter(|k| !ih.contains_key(*k)).collect();
    if !added.is_empty() {
        let entries = added.iter().map(|id| {
            let f = incident_facts(h, ih[*id]);
            format!(
                "- **{}** (`{id}`): {} since {}; targets {}; actors {}; {}\n",
                md(&f["1 title"]),
                md(&f["9 attack"]),
                md(&f["5 started"]),
                md(&f["7 targets"]),
                md(&f["8 actors"]),
                md(&f["4 duration"])
            )
        });
        section(out, "Incidents added", added.len(), entries, limit);
        changes += added.len();
    }
    let mut changed_lines = Vec::new();
    for (id, &i) in &ih {
        let Some(&j) = ib.get(id) else { continue };
        let (before, after) = (incident_facts(b, j), incident_facts(h, i));
        let diffs: Vec<String> = after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(v))
            .map(|(k, v)| format!("{}: {} → {}", &k[2..], cell(&before[k]), cell(v)))
            .collect();
        if !diffs.is_empty() {
            let title = md(&after["1 title"]);
            let mut entry = format!("- **{title}** (`{id}`)\n");
            for d in diffs {
                let _ = writeln!(entry, "  - {d}");
            }
            changed_lines.push(entry);
        }
    }
    if !changed_lines.is_empty() {
        changes += changed_lines.len();
        section(
            out,
            "Incidents changed",
            changed_lines.len(),
            changed_lines.into_iter(),
            limit,
        );
    }
    if !removed.is_empty() {
        let entries = removed
            .iter()
            .map(|id| format!("- **{}** (`{id}`)\n", md(&b.incidents[ib[*id]].record.title)));
        section(out, "Incidents removed", removed.len(), entries, limit);
        changes += removed.len();
    }
    changes
}

/// Actors, targets, campaigns and notes added, changed (field by field on
/// their YAML) and removed; how many.
fn record_sections(out: &mut String, b: &Site, h: &Site, limit: usize) -> usize {
    let mut changes = 0;
    let kinds: [(&str, Vec<Entry>, Vec<Entry>); 4] = [
        (
            "Actors",
            records(&b.actors, |r| r.name.clone()),
            records(&h.actors, |r| r.name.clone()),
        ),
        (
            "Targets",
            records(&b.targets, |r| r.name.clone()),
            records(&h.targets, |r| r.name.clone()),
        ),
        (
            "Campaigns",
            records(&b.campaigns, |r| r.name.clone()),
            records(&h.campaigns, |r| r.name.clone()),
        ),
        (
            "Notes",
            b.notes.iter().map(note_entry).collect(),
            h.notes.iter().map(note_entry).collect(),
        ),
    ];
    for (title, before, after) in kinds {
        let lines = record_lines(&before, &after);
        if !lines.is_empty() {
            changes += lines.len();
            section(out, title, lines.len(), lines.into_iter(), limit);
        }
    }
    changes
}

/// One kind's records added, changed and removed, a Markdown item each.
fn record_lines(before: &[Entry], after: &[Entry]) -> Vec<String> {
    let bm: BTreeMap<&str, (&str, &str)> = before
        .iter()
        .map(|(id, n, y)| (id.as_str(), (n.as_str(), y.as_str())))
        .collect();
    let am: BTreeMap<&str, (&str, &str)> = after
        .iter()
        .map(|(id, n, y)| (id.as_str(), (n.as_str(), y.as_str())))
        .collect();
    let mut lines = Vec::new();
    for (id, (name, yaml)) in &am {
        match bm.get(id) {
            None => lines.push(format!("- added: **{}** (`{id}`)\n", md(name))),
            Some((_, old)) if old != yaml => {
                let (fo, fa) = (yaml_fields(old), yaml_fields(yaml));
                let keys: BTreeSet<&String> = fo.keys().chain(fa.keys()).collect();
                let mut entry = format!("- changed: **{}** (`{id}`)\n", md(name));
                for k in keys {
                    let (x, y) = (
                        fo.get(k).map_or("—", String::as_str),
                        fa.get(k).map_or("—", String::as_str),
                    );
                    if x != y && k != BODY_KEY {
                        let _ = writeln!(entry, "  - {}: {} → {}", md(k), cell(x), cell(y));
                    }
                }
                if fo.get(BODY_KEY) != fa.get(BODY_KEY) {
                    entry.push_str("  - the text was edited\n");
                }
                lines.push(entry);
            }
            _ => {}
        }
    }
    for (id, (name, _)) in &bm {
        if !am.contains_key(id) {
            lines.push(format!("- removed: **{}** (`{id}`)\n", md(name)));
        }
    }
    lines
}

/// A record for comparison: id, name, and its text.
type Entry = (String, String, String);

fn records<T>(list: &[crate::parse::Parsed<T>], name: impl Fn(&T) -> String) -> Vec<Entry> {
    list.iter()
        .map(|p| (p.id.to_string(), name(&p.record), p.yaml.clone()))
        .collect()
}

/// The key under which a note's Markdown body is compared.
const BODY_KEY: &str = "sitrep-note-body";

fn note_entry(n: &crate::model::NoteModel) -> Entry {
    use std::hash::{Hash, Hasher};
    let p = &n.parsed;
    // The body is compared as a whole and reported as "edited", not quoted;
    // the hash only tells whether two bodies differ.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    p.record.body.hash(&mut h);
    let digest = format!("{}\n{BODY_KEY}: '{:016x}'", p.yaml, h.finish());
    (p.id.to_string(), p.record.front.title.clone(), digest)
}
