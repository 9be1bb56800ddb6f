//! Stage 3: rules that span fields and records (docs/format.md: the record sections, "Times" and "Impact").
//!
//! Unique ids, non-empty required lists, references that resolve, source ids,
//! times that exist in the site's timezone, evidence that does not contradict
//! itself or the impact, nothing after `as_of`, actor relations; plus warnings
//! for what is legal but suspicious. Each problem is pinned to the line of
//! the offending value. `times` resolves every time, `incident` checks each
//! incident.

use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::bounds::Bounds;
use crate::diagnostics::{Diagnostic, Seg};
use crate::parse::{Content, Parsed, Partial};
use crate::path;
use crate::records::{Id, Kind};
use crate::time::TimeSpan;

mod incident;
pub mod limits;
mod site;
mod times;

pub use times::IncidentTimes;

/// One incident's times and the bounds they give.
#[derive(Clone, Debug)]
pub struct Checked {
    pub times: IncidentTimes,
    /// S and E of docs/format.md ("Times").
    pub bounds: Bounds,
}

/// Content that passed validation, with everything resolved that later
/// stages need.
#[derive(Debug)]
pub struct Validated {
    pub content: Content,
    pub zone: Tz,
    pub as_of: DateTime<Utc>,
    /// Parallel to `content.incidents`.
    pub incidents: Vec<Checked>,
    /// Parallel to `content.notes`.
    pub note_dates: Vec<Option<TimeSpan>>,
}

/// Where `path` is written in a parsed record, as `(line, column, width)`.
pub(crate) fn at<T>(p: &Parsed<T>, path: &[Seg]) -> (usize, usize, usize) {
    p.located
        .locate(&p.yaml, path)
        .map(|(l, c, w)| (l + p.first_line - 1, c, w))
        .unwrap_or((p.first_line, 1, 1))
}

/// An error at the value at `path` in a parsed record (also used by `limits`).
pub(crate) fn error_at<T>(p: &Parsed<T>, path: &[Seg], message: impl Into<String>) -> Diagnostic {
    let (l, c, w) = at(p, path);
    Diagnostic::error(&p.file, (l, c), message).with_width(w)
}

pub(crate) fn warning_at<T>(p: &Parsed<T>, path: &[Seg], message: impl Into<String>) -> Diagnostic {
    let (l, c, w) = at(p, path);
    Diagnostic::warning(&p.file, (l, c), message).with_width(w)
}

/// A short list of ids for a hint, closest to `wanted` first.
pub(crate) fn known_ids<'a>(wanted: &str, ids: impl Iterator<Item = &'a Id>) -> String {
    let mut all: Vec<(usize, &str)> = ids
        .map(|id| (strsim::levenshtein(wanted, id.as_str()), id.as_str()))
        .collect();
    if all.is_empty() {
        return "there are none yet".into();
    }
    all.sort_unstable();
    let shown: Vec<&str> = all.iter().take(8).map(|(_, id)| *id).collect();
    let more = if all.len() > 8 {
        format!(" and {} more", all.len() - 8)
    } else {
        String::new()
    };
    let close = all[0].0 <= 2.max(wanted.len() / 3);
    if close {
        format!("did you mean `{}`? known: {}{more}", all[0].1, shown.join(", "))
    } else {
        format!("known: {}{more}", shown.join(", "))
    }
}

/// Runs every rule; returns the content when there is no error.
pub fn validate(content: Content, diagnostics: &mut Vec<Diagnostic>) -> Option<Validated> {
    let errors_before = count_errors(diagnostics);
    let zone = content
        .site
        .as_ref()
        .and_then(|s| s.record.timezone)
        .map_or(Tz::UTC, |z| z.0);

    check_unique(&content, diagnostics);
    limits::check(&content, diagnostics);
    let times = times::resolve_all(&content, zone, diagnostics);
    let as_of = times.as_of;

    let known = Known::new(&content);
    let checked: Vec<(Option<Checked>, Vec<Diagnostic>)> = content
        .incidents
        .par_iter()
        .zip(times.incidents)
        .map(|(p, t)| {
            let mut d = Vec::new();
            let bounds = incident::check(p, t.as_ref(), as_of, zone, &known, &mut d);
            (t.zip(bounds).map(|(times, bounds)| Checked { times, bounds }), d)
        })
        .collect();
    let (checked, found): (Vec<Option<Checked>>, Vec<Vec<Diagnostic>>) = checked.into_iter().unzip();
    diagnostics.extend(found.into_iter().flatten());
    for (p, date) in content.notes.iter().zip(&times.notes) {
        if date.is_some_and(|d| d.earliest >= as_of) {
            diagnostics.push(times::after_as_of(
                p,
                &path!["date"],
                p.record.front.date.as_ref(),
                as_of,
                zone,
            ));
        }
        check_note_refs(p, &known, diagnostics);
    }
    for p in &content.actors {
        check_relations(p, &known, diagnostics);
    }
    check_part_of_cycles(&content.actors, diagnostics);
    // Files with mistakes: the references of the fields that could be read.
    let partial = &content.partial;
    for x in &partial.incidents {
        let sources = (!x.broken.contains("sources")).then(|| incident::source_ids(&x.parsed.record));
        only_written(
            x,
            |p, d| incident::check_references(p, &known, sources.as_ref(), d),
            diagnostics,
        );
    }
    for x in &partial.notes {
        only_written(x, |p, d| check_note_refs(p, &known, d), diagnostics);
    }
    for x in &partial.actors {
        only_written(x, |p, d| check_relations(p, &known, d), diagnostics);
    }
    if errors_before == 0 {
        // With a record unreadable, who is mentioned is not known.
        check_unmentioned(&content, diagnostics);
    }
    // A missing site.yaml was reported by load or parse; nothing builds without it.
    content.site.as_ref()?;
    if count_errors(diagnostics) > 0 {
        return None;
    }
    // No error: every incident's times resolved and gave bounds.
    let incidents = checked.into_iter().collect::<Option<Vec<Checked>>>()?;
    Some(Validated {
        content,
        zone,
        as_of,
        incidents,
        note_dates: times.notes,
    })
}

/// Runs `check` on a partial record, keeping what it finds in the file's own
/// lines: a filled-in key (past the last line) is not the author's.
fn only_written<T>(
    x: &Partial<T>,
    check: impl FnOnce(&Parsed<T>, &mut Vec<Diagnostic>),
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut found = Vec::new();
    check(&x.parsed, &mut found);
    diagnostics.extend(found.into_iter().filter(|d| d.line <= x.last_line));
}

/// An actor's relations: to an actor that exists, not to itself.
fn check_relations(p: &Parsed<crate::records::Actor>, known: &Known, diagnostics: &mut Vec<Diagnostic>) {
    for (i, r) in p.record.relations.iter().enumerate() {
        if r.actor == p.id {
            diagnostics.push(
                error_at(
                    p,
                    &path!["relations", i, "actor"],
                    format!("actor `{}` is related to itself", p.id),
                )
                .with_hint("a relation links two different actor records; name the other actor"),
            );
        } else {
            known.check(p, &path!["relations", i, "actor"], Kind::Actor, &r.actor, diagnostics);
        }
        if r.url.is_none() {
            diagnostics.push(
                warning_at(
                    p,
                    &path!["relations", i, "kind"],
                    format!("the relation to `{}` has no url", r.actor),
                )
                .with_hint("add `url:` with the public source that says so, so readers can check it"),
            );
        }
    }
}

/// `part-of` is a hierarchy: a group inside another cannot contain it.
/// A cycle (`a` part of `b`, `b` part of `a`) is an error at the relation
/// that closes it, found in one walk over the relations (each actor is
/// left for good once its groups are explored).
fn check_part_of_cycles(actors: &[Parsed<crate::records::Actor>], diagnostics: &mut Vec<Diagnostic>) {
    use crate::records::RelationKind;
    let index: std::collections::HashMap<&str, usize> =
        actors.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
    let parents: Vec<Vec<(usize, usize)>> = actors
        .iter()
        .map(|p| {
            (p.record.relations.iter().enumerate())
                .filter(|(_, r)| r.kind == RelationKind::PartOf)
                .filter_map(|(k, r)| Some((k, *index.get(r.actor.as_str())?)))
                .collect()
        })
        .collect();
    // 0: not seen, 1: on the current path, 2: done.
    let mut state = vec![0u8; actors.len()];
    for start in 0..actors.len() {
        if state[start] != 0 {
            continue;
        }
        // The path: each actor with the position of its next relation.
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (i, ref mut next)) = path.last_mut() {
            let Some(&(k, parent)) = parents[i].get(*next) else {
                state[i] = 2;
                path.pop();
                continue;
            };
            *next += 1;
            match state[parent] {
                0 => {
                    state[parent] = 1;
                    path.push((parent, 0));
                }
                1 => {
                    let from = path.iter().position(|&(a, _)| a == parent).unwrap_or(0);
                    let cycle: Vec<&str> = path[from..]
                        .iter()
                        .map(|&(a, _)| actors[a].id.as_str())
                        .chain([actors[parent].id.as_str()])
                        .collect();
                    diagnostics.push(
                        error_at(
                            &actors[i],
                            &path!["relations", k, "kind"],
                            format!("`part-of` goes round in a circle: {}", cycle.join(" → part of → ")),
                        )
                        .with_hint(
                            "a group cannot be part of a group inside it: keep one direction, or use `allied-with`",
                        ),
                    );
                }
                _ => {}
            }
        }
    }
}

fn count_errors(diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == crate::diagnostics::Severity::Error)
        .count()
}

fn check_unique(content: &Content, diagnostics: &mut Vec<Diagnostic>) {
    fn check<T>(kind: Kind, records: &[Parsed<T>], diagnostics: &mut Vec<Diagnostic>) {
        let mut seen: HashMap<&Id, &str> = HashMap::new();
        for p in records {
            if let Some(first) = seen.insert(&p.id, &p.file) {
                diagnostics.push(
                    Diagnostic::error(&p.file, (0, 0), format!("duplicate id `{}`: {first} has it too", p.id))
                        .with_hint(format!(
                            "ids are unique across content/{}/ and its sub-folders; rename one file",
                            kind.folder()
                        )),
                );
                seen.insert(&p.id, first);
            }
        }
    }
    check(Kind::Incident, &content.incidents, diagnostics);
    check(Kind::Actor, &content.actors, diagnostics);
    check(Kind::Target, &content.targets, diagnostics);
    check(Kind::Campaign, &content.campaigns, diagnostics);
    check(Kind::Note, &content.notes, diagnostics);
}

fn ids<T>(records: &[Parsed<T>]) -> BTreeSet<&Id> {
    records.iter().map(|p| &p.id).collect()
}

/// The ids of every kind, gathered once (references are checked by lookup).
pub(crate) struct Known<'a> {
    pub incidents: BTreeSet<&'a Id>,
    pub actors: BTreeSet<&'a Id>,
    pub targets: BTreeSet<&'a Id>,
    pub campaigns: BTreeSet<&'a Id>,
    pub notes: BTreeSet<&'a Id>,
}

impl<'a> Known<'a> {
    /// The ids of every record, those whose file could not be read included:
    /// a target with one bad field is still a target (its own error is
    /// reported; a reference to it is not an error too).
    fn new(content: &'a Content) -> Self {
        let mut known = Known {
            incidents: ids(&content.incidents),
            actors: ids(&content.actors),
            targets: ids(&content.targets),
            campaigns: ids(&content.campaigns),
            notes: ids(&content.notes),
        };
        for (kind, id) in &content.unreadable {
            match kind {
                Kind::Incident => known.incidents.insert(id),
                Kind::Actor => known.actors.insert(id),
                Kind::Target => known.targets.insert(id),
                Kind::Campaign => known.campaigns.insert(id),
                Kind::Note => known.notes.insert(id),
            };
        }
        known
    }

    /// A reference to a record of `kind` at `path` of `p`: an error naming
    /// the ids that exist when there is no such record.
    fn check<T>(&self, p: &Parsed<T>, path: &[Seg], kind: Kind, id: &Id, diagnostics: &mut Vec<Diagnostic>) {
        let known = self.of(kind);
        if !known.contains(id) {
            let word = kind.folder().trim_end_matches('s');
            diagnostics.push(
                error_at(p, path, format!("no {word} has the id `{id}`")).with_hint(format!(
                    "{}; or add content/{}/{id}.yaml",
                    if p.located.may_suggest() {
                        known_ids(id.as_str(), known.iter().copied())
                    } else {
                        format!("known: {} ids of content/{}/", known.len(), kind.folder())
                    },
                    kind.folder()
                )),
            );
        }
    }

    fn of(&self, kind: Kind) -> &BTreeSet<&'a Id> {
        match kind {
            Kind::Incident => &self.incidents,
            Kind::Actor => &self.actors,
            Kind::Target => &self.targets,
            Kind::Campaign => &self.campaigns,
            Kind::Note => &self.notes,
        }
    }
}

fn check_note_refs(p: &Parsed<crate::parse::Note>, known: &Known, diagnostics: &mut Vec<Diagnostic>) {
    for (i, r) in p.record.front.about.iter().enumerate() {
        let known = known.of(r.kind);
        if !known.contains(&r.id) {
            diagnostics.push(
                error_at(
                    p,
                    &path!["about", i],
                    format!("`{}/{}` does not exist", r.kind.folder(), r.id),
                )
                .with_hint(known_ids(r.id.as_str(), known.iter().copied())),
            );
        }
    }
}

/// Warns about actors and targets that no incident mentions.
fn check_unmentioned(content: &Content, diagnostics: &mut Vec<Diagnostic>) {
    let mut targets: HashSet<&Id> = HashSet::new();
    let mut actors: HashSet<&Id> = HashSet::new();
    for p in &content.incidents {
        targets.extend(p.record.targets.iter());
        actors.extend(p.record.actors.iter().map(|a| &a.actor));
    }
    for p in &content.targets {
        if !targets.contains(&p.id) {
            diagnostics.push(warning_at(
                p,
                &path!["name"],
                format!("no incident mentions target `{}`", p.id),
            ));
        }
    }
    for p in &content.actors {
        if !actors.contains(&p.id) {
            diagnostics.push(warning_at(
                p,
                &path!["name"],
                format!("no incident mentions actor `{}`", p.id),
            ));
        }
    }
}
