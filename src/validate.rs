//! Stage 3: rules that span fields and records (docs/format.md: the record sections and "Times").
//!
//! Unique ids, non-empty required lists, references that resolve, source ids,
//! times that exist in the site's timezone, evidence that does not contradict
//! itself, nothing after `as_of`; plus warnings for what is legal but
//! suspicious. Each problem is pinned to the line of the offending value.

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::bounds::{Bounds, Contradiction, Evidence};
use crate::diagnostics::{locate, Diagnostic, Seg};
use crate::parse::{Content, Parsed};
use crate::path;
use crate::records::{Id, Kind, State};
use crate::time::{TimeSpan, WrittenTime};

/// The resolved times of one incident, in record order.
#[derive(Clone, Debug)]
pub struct IncidentTimes {
    pub started: TimeSpan,
    pub ended: Option<TimeSpan>,
    pub observations: Vec<TimeSpan>,
    pub published: Vec<Option<TimeSpan>>,
    /// S and E of docs/format.md ("Times"), once `as_of` is known (set by `validate`).
    pub bounds: Option<Bounds>,
}

/// Content that passed validation, with everything resolved that later
/// stages need.
#[derive(Debug)]
pub struct Validated {
    pub content: Content,
    pub zone: Tz,
    pub as_of: DateTime<Utc>,
    /// Parallel to `content.incidents`.
    pub times: Vec<IncidentTimes>,
    /// Parallel to `content.notes`.
    pub note_dates: Vec<Option<TimeSpan>>,
}

/// Where `path` is written in a parsed record, as `(line, column, width)`.
fn at<T>(p: &Parsed<T>, path: &[Seg]) -> (usize, usize, usize) {
    locate(&p.yaml, path)
        .map(|(l, c, w)| (l + p.first_line - 1, c, w))
        .unwrap_or((p.first_line, 1, 1))
}

/// An error at the value at `path` in a parsed record (also used by `limits`).
pub(crate) fn error_at<T>(p: &Parsed<T>, path: &[Seg], message: impl Into<String>) -> Diagnostic {
    let (l, c, w) = at(p, path);
    Diagnostic::error(&p.file, (l, c), message).with_width(w)
}

fn warning_at<T>(p: &Parsed<T>, path: &[Seg], message: impl Into<String>) -> Diagnostic {
    let (l, c, w) = at(p, path);
    Diagnostic::warning(&p.file, (l, c), message).with_width(w)
}

/// A short list of ids for a hint, closest to `wanted` first.
fn known_ids<'a>(wanted: &str, ids: impl Iterator<Item = &'a Id>) -> String {
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
    crate::limits::check(&content, diagnostics);

    // Resolve every time in the site's zone.
    // Positions are only looked up when there is an error to report.
    fn resolve_at(
        zone: Tz,
        t: &WrittenTime,
        file: &str,
        loc: impl FnOnce() -> (usize, usize, usize),
        diags: &mut Vec<Diagnostic>,
    ) -> Option<TimeSpan> {
        t.resolve(zone)
            .map_err(|e| {
                let (line, column, width) = loc();
                diags.push(Diagnostic::error(file, (line, column), e.to_string()).with_width(width))
            })
            .ok()
    }
    let resolve = |t: &WrittenTime,
                   file: &str,
                   loc: &dyn Fn() -> (usize, usize, usize),
                   diags: &mut Vec<Diagnostic>| { resolve_at(zone, t, file, loc, diags) };
    // Incidents are independent: resolved in parallel, merged in order.
    let resolved: Vec<(Option<IncidentTimes>, Vec<Diagnostic>)> = content
        .incidents
        .par_iter()
        .map(|p| {
            let diagnostics = &mut Vec::new();
            let r = &p.record;
            let started = resolve(&r.started, &p.file, &|| at(p, &path!["started"]), diagnostics);
            let ended = r
                .ended
                .as_ref()
                .map(|t| resolve(t, &p.file, &|| at(p, &path!["ended"]), diagnostics));
            let observations: Vec<Option<TimeSpan>> = r
                .observations
                .iter()
                .enumerate()
                .map(|(i, o)| resolve(&o.at, &p.file, &|| at(p, &path!["observations", i, "at"]), diagnostics))
                .collect();
            let published: Vec<Option<TimeSpan>> = r
                .sources
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    s.published
                        .as_ref()
                        .and_then(|t| resolve(t, &p.file, &|| at(p, &path!["sources", i, "published"]), diagnostics))
                })
                .collect();
            let complete = started.is_some()
                && ended.as_ref().is_none_or(Option::is_some)
                && observations.iter().all(Option::is_some);
            let times = complete.then(|| IncidentTimes {
                bounds: None,
                started: started.expect("checked"),
                ended: ended.flatten(),
                observations: observations.into_iter().flatten().collect(),
                published,
            });
            (times, std::mem::take(diagnostics))
        })
        .collect();
    let (mut times, found): (Vec<Option<IncidentTimes>>, Vec<Vec<Diagnostic>>) = resolved.into_iter().unzip();
    diagnostics.extend(found.into_iter().flatten());
    let note_dates: Vec<Option<TimeSpan>> = content
        .notes
        .iter()
        .map(|p| {
            p.record
                .front
                .date
                .as_ref()
                .and_then(|t| resolve(t, &p.file, &|| at(p, &path!["date"]), diagnostics))
        })
        .collect();

    // "Now": as written, else the latest bound of any time in the data.
    let as_of_written = content.site.as_ref().and_then(|s| {
        s.record
            .as_of
            .as_ref()
            .and_then(|t| resolve(t, &s.file, &|| at(s, &path!["as_of"]), diagnostics))
    });
    let as_of = as_of_written.map(|s| s.latest).unwrap_or_else(|| {
        times
            .iter()
            .flatten()
            .flat_map(|t| {
                [Some(t.started), t.ended]
                    .into_iter()
                    .chain(t.observations.iter().copied().map(Some))
                    .chain(t.published.iter().copied())
                    .flatten()
            })
            .chain(note_dates.iter().flatten().copied())
            .map(|s| s.latest)
            .max()
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
    });

    let known = Known::new(&content);
    let checked: Vec<(Option<Bounds>, Vec<Diagnostic>)> = content
        .incidents
        .par_iter()
        .zip(times.par_iter())
        .map(|(p, t)| {
            let mut d = Vec::new();
            (check_incident(p, t.as_ref(), as_of, zone, &known, &mut d), d)
        })
        .collect();
    for (t, (bounds, d)) in times.iter_mut().zip(checked) {
        if let Some(t) = t {
            t.bounds = bounds;
        }
        diagnostics.extend(d);
    }
    for (p, date) in content.notes.iter().zip(&note_dates) {
        if let Some(d) = date {
            if d.earliest >= as_of {
                diagnostics.push(after_as_of(
                    p,
                    &path!["date"],
                    p.record.front.date.as_ref(),
                    as_of,
                    zone,
                ));
            }
        }
        check_note_refs(p, &known, diagnostics);
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
    Some(Validated {
        content,
        zone,
        as_of,
        times: times
            .into_iter()
            .map(|t| t.expect("no errors, so every time resolved"))
            .collect(),
        note_dates,
    })
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
struct Known<'a> {
    incidents: BTreeSet<&'a Id>,
    actors: BTreeSet<&'a Id>,
    targets: BTreeSet<&'a Id>,
    campaigns: BTreeSet<&'a Id>,
    notes: BTreeSet<&'a Id>,
}

impl<'a> Known<'a> {
    fn new(content: &'a Content) -> Self {
        Known {
            incidents: ids(&content.incidents),
            actors: ids(&content.actors),
            targets: ids(&content.targets),
            campaigns: ids(&content.campaigns),
            notes: ids(&content.notes),
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

fn check_incident(
    p: &Parsed<crate::records::Incident>,
    times: Option<&IncidentTimes>,
    as_of: DateTime<Utc>,
    zone: Tz,
    known: &Known,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Bounds> {
    let r = &p.record;
    if r.attack.is_empty() {
        diagnostics.push(
            error_at(p, &path!["attack"], "`attack` needs at least one kind")
                .with_hint("allowed: ddos, defacement, data-leak, ransomware, intrusion, phishing, other"),
        );
    }
    if r.targets.is_empty() {
        diagnostics.push(
            error_at(p, &path!["targets"], "`targets` needs at least one target id")
                .with_hint("list what was attacked, by the ids of content/targets/"),
        );
    }
    let targets = &known.targets;
    for (i, t) in r.targets.iter().enumerate() {
        if !targets.contains(t) {
            diagnostics.push(
                error_at(p, &path!["targets", i], format!("no target has the id `{t}`")).with_hint(format!(
                    "{}; or add content/targets/{t}.yaml",
                    known_ids(t.as_str(), targets.iter().copied())
                )),
            );
        }
    }
    let actors = &known.actors;
    for (i, a) in r.actors.iter().enumerate() {
        if !actors.contains(&a.actor) {
            diagnostics.push(
                error_at(
                    p,
                    &path!["actors", i, "actor"],
                    format!("no actor has the id `{}`", a.actor),
                )
                .with_hint(format!(
                    "{}; or add content/actors/{}.yaml",
                    known_ids(a.actor.as_str(), actors.iter().copied()),
                    a.actor
                )),
            );
        }
    }
    if let Some(c) = &r.campaign {
        let campaigns = &known.campaigns;
        if !campaigns.contains(c) {
            diagnostics.push(
                error_at(p, &path!["campaign"], format!("no campaign has the id `{c}`")).with_hint(format!(
                    "{}; or add content/campaigns/{c}.yaml",
                    known_ids(c.as_str(), campaigns.iter().copied())
                )),
            );
        }
    }
    let mut source_ids: BTreeMap<&Id, usize> = BTreeMap::new();
    for (i, s) in r.sources.iter().enumerate() {
        if let Some(first) = source_ids.insert(&s.id, i) {
            diagnostics.push(
                error_at(p, &path!["sources", i, "id"], format!("duplicate source id `{}`", s.id)).with_hint(format!(
                    "source {} of this file already uses it; give each source its own id",
                    first + 1
                )),
            );
            source_ids.insert(&s.id, first);
        }
        if s.url.is_none() {
            diagnostics.push(
                warning_at(p, &path!["sources", i, "id"], format!("source `{}` has no url", s.id))
                    .with_hint("add `url:` if the source is online, so readers can check it"),
            );
        }
    }
    if r.sources.is_empty() {
        diagnostics.push(
            warning_at(p, &path!["title"], "this incident has no sources")
                .with_hint("add `sources:` with at least a title and publisher, so readers can check it"),
        );
    }
    for (i, o) in r.observations.iter().enumerate() {
        if let Some(src) = &o.source {
            if !source_ids.contains_key(src) {
                diagnostics.push(
                    error_at(
                        p,
                        &path!["observations", i, "source"],
                        format!("no source of this incident has the id `{src}`"),
                    )
                    .with_hint(known_ids(src.as_str(), source_ids.keys().copied())),
                );
            }
        }
    }

    let t = times?;
    // Times after "now".
    let mut written: Vec<(Vec<Seg>, Option<&WrittenTime>, TimeSpan)> =
        vec![(path!["started"].to_vec(), Some(&r.started), t.started)];
    if let (Some(e), Some(span)) = (&r.ended, t.ended) {
        written.push((path!["ended"].to_vec(), Some(e), span));
    }
    for (i, (o, span)) in r.observations.iter().zip(&t.observations).enumerate() {
        written.push((path!["observations", i, "at"].to_vec(), Some(&o.at), *span));
    }
    for (i, (s, span)) in r.sources.iter().zip(&t.published).enumerate() {
        if let Some(span) = span {
            written.push((path!["sources", i, "published"].to_vec(), s.published.as_ref(), *span));
        }
    }
    for (path, time, span) in &written {
        if span.earliest >= as_of {
            diagnostics.push(after_as_of(p, path, *time, as_of, zone));
        }
    }

    // Contradictions in the evidence.
    let (downs, ups): (Vec<_>, Vec<_>) =
        (0..r.observations.len()).partition(|&i| r.observations[i].state == State::Down);
    let evidence = Evidence {
        started: t.started,
        ended: t.ended,
        downs: downs.iter().map(|&i| t.observations[i]).collect(),
        ups: ups.iter().map(|&i| t.observations[i]).collect(),
        as_of,
    };
    let text = |path: &[Seg]| -> &str {
        match path {
            [Seg::Key(k)] if k == "started" => r.started.text(),
            [Seg::Key(k)] if k == "ended" => r.ended.as_ref().map_or("", |e| e.text()),
            [_, Seg::Index(i), _] => r.observations[*i].at.text(),
            _ => "",
        }
    };
    for c in evidence.contradictions() {
        let (a, b, message, hint) = match c {
            Contradiction::EndedBeforeStarted => (
                path!["started"].to_vec(),
                path!["ended"].to_vec(),
                format!(
                    "`ended` ({}) is wholly before `started` ({})",
                    text(&path!["ended"]),
                    text(&path!["started"])
                ),
                "an incident cannot end before it starts; fix one of the two times",
            ),
            Contradiction::DownBeforeStarted(k) => {
                let obs = path!["observations", downs[k], "at"].to_vec();
                let message = format!(
                    "this `down` observation ({}) is wholly before `started` ({})",
                    text(&obs),
                    text(&path!["started"])
                );
                (
                    path!["started"].to_vec(),
                    obs,
                    message,
                    "the outage had begun when it was seen down: move `started` earlier, or fix the observation",
                )
            }
            Contradiction::DownAfterEnded(k) => {
                let obs = path!["observations", downs[k], "at"].to_vec();
                let message = format!(
                    "this `down` observation ({}) is wholly after `ended` ({})",
                    text(&obs),
                    text(&path!["ended"])
                );
                (
                    path!["ended"].to_vec(),
                    obs,
                    message,
                    "the service was still down then: move `ended` later or remove it",
                )
            }
            Contradiction::UpBeforeEnded(k) => {
                let obs = path!["observations", ups[k], "at"].to_vec();
                let message = format!(
                    "this `up` observation ({}) comes after the last `down` but wholly before `ended` ({})",
                    text(&obs),
                    text(&path!["ended"])
                );
                (
                    path!["ended"].to_vec(),
                    obs,
                    message,
                    "the service was back up by then: move `ended` earlier, or fix the observation",
                )
            }
        };
        // Reported at whichever of the two is written later in the file.
        let (la, lb) = (at(p, &a), at(p, &b));
        let later = if la.0 > lb.0 { &a } else { &b };
        diagnostics.push(error_at(p, later, message).with_hint(hint));
    }
    let b = evidence.bounds();
    if b.duration().min > 366 * 86_400 {
        diagnostics.push(
            warning_at(p, &path!["started"], "this incident lasted more than a year")
                .with_hint("check `started`, `ended` and the observations for a wrong year"),
        );
    }
    Some(b)
}

fn after_as_of<T>(
    p: &Parsed<T>,
    path: &[Seg],
    time: Option<&WrittenTime>,
    as_of: DateTime<Utc>,
    zone: Tz,
) -> Diagnostic {
    let what = time.map_or(String::new(), |t| format!(" ({t})"));
    error_at(
        p,
        path,
        format!(
            "this time{what} is wholly after as_of, which ends at {}",
            crate::time::local_text(as_of, zone)
        ),
    )
    .with_hint("`as_of` in content/site.yaml is the \"now\" of the data: move it later, or fix this time")
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
