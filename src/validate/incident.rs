//! The rules of one incident: its references, its sources, and evidence
//! that contradicts neither itself, nor its impact, nor `as_of`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::times::{after_as_of, line_of, IncidentTimes};
use super::{error_at, known_ids, warning_at, Known};
use crate::bounds::{Bounds, Contradiction, Evidence};
use crate::diagnostics::{Diagnostic, Seg};
use crate::parse::Parsed;
use crate::path;
use crate::records::{Basis, Id, Impact, Incident, Kind, State};
use crate::time::{TimeSpan, WrittenTime};

/// Whichever of two fields is written later in the file: where a
/// contradiction between them is reported.
fn later<'a, T>(p: &Parsed<T>, a: &'a [Seg], b: &'a [Seg]) -> &'a [Seg] {
    if line_of(p, a) > line_of(p, b) {
        a
    } else {
        b
    }
}

/// A written `impact` that the evidence contradicts: `none` with a `down`
/// observation or an `ended` time, `unknown` with a `down` observation.
fn check_impact(p: &Parsed<Incident>, diagnostics: &mut Vec<Diagnostic>) {
    let r = &p.record;
    let Some(impact @ (Impact::None | Impact::Unknown)) = r.impact else {
        return;
    };
    let impact_at = path!["impact"];
    for (i, o) in r.observations.iter().enumerate() {
        if o.state != State::Down {
            continue;
        }
        let obs = path!["observations", i, "state"];
        let (message, hint) = match impact {
            Impact::None => (
                format!("`impact: none` says the target stayed available, but this observation ({}) saw it down", o.at),
                "write `impact: outage` (or `degraded`), or remove the observation if it is wrong",
            ),
            _ => (
                format!("`impact: unknown` says nobody verified an outage, but this observation ({}) saw the target down", o.at),
                "a `down` observation verifies it: write `impact: outage` or `degraded`, or remove `impact:` for the default",
            ),
        };
        diagnostics.push(error_at(p, later(p, &impact_at, &obs), message).with_hint(hint));
    }
    if let (Impact::None, Some(ended)) = (impact, &r.ended) {
        diagnostics.push(
            error_at(
                p,
                later(p, &impact_at, &path!["ended"]),
                format!("`impact: none` says there was no outage, but `ended` ({ended}) says when one ended"),
            )
            .with_hint("remove `ended`, or write `impact: outage` (or `degraded`)"),
        );
    }
}

/// The ids of an incident's sources, each with the place of its first use.
pub fn source_ids(r: &Incident) -> BTreeMap<&Id, usize> {
    let mut ids = BTreeMap::new();
    for (i, s) in r.sources.iter().enumerate() {
        ids.entry(&s.id).or_insert(i);
    }
    ids
}

/// The references of an incident: to targets, actors and a campaign that
/// exist, each listed once, and to its own `sources` (`None` when they could
/// not be read). Also all that is checked of an incident with mistakes.
pub fn check_references(
    p: &Parsed<Incident>,
    known: &Known,
    sources: Option<&BTreeMap<&Id, usize>>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let r = &p.record;
    // A repeated entry is one error at the second; it is not checked again.
    for (i, t) in r.targets.iter().enumerate() {
        match r.targets[..i].iter().position(|x| x == t) {
            Some(first) => diagnostics.push(
                error_at(p, &path!["targets", i], format!("target `{t}` is listed twice")).with_hint(format!(
                    "it is already target {} of this incident; remove one",
                    first + 1
                )),
            ),
            None => known.check(p, &path!["targets", i], Kind::Target, t, diagnostics),
        }
    }
    // One actor may have several statements as the story unfolds
    // (announced, claimed, attributed); the same actor, basis and source
    // twice is one statement written twice.
    let mut said: BTreeMap<(&Id, Basis, Option<&Id>), usize> = BTreeMap::new();
    for (i, a) in r.actors.iter().enumerate() {
        match said.get(&(&a.actor, a.basis, a.source.as_ref())) {
            Some(&first) => diagnostics.push(
                error_at(
                    p,
                    &path!["actors", i, "actor"],
                    format!(
                        "this statement repeats statement {} ({} {}{})",
                        first + 1,
                        a.actor,
                        a.basis.key(),
                        a.source.as_ref().map_or(String::new(), |s| format!(", source `{s}`"))
                    ),
                )
                .with_hint("remove one; a new statement about the same actor has another basis or another source"),
            ),
            None => {
                said.insert((&a.actor, a.basis, a.source.as_ref()), i);
                if !r.actors[..i].iter().any(|x| x.actor == a.actor) {
                    known.check(p, &path!["actors", i, "actor"], Kind::Actor, &a.actor, diagnostics);
                }
            }
        }
    }
    if let Some(c) = &r.campaign {
        known.check(p, &path!["campaign"], Kind::Campaign, c, diagnostics);
    }
    let Some(sources) = sources else {
        return;
    };
    let cited = (r.observations.iter().enumerate())
        .filter_map(|(i, o)| Some(("observations", i, o.source.as_ref()?)))
        .chain((r.actors.iter().enumerate()).filter_map(|(i, a)| Some(("actors", i, a.source.as_ref()?))));
    for (list, i, src) in cited {
        if !sources.contains_key(src) {
            diagnostics.push(
                error_at(
                    p,
                    &path![list, i, "source"],
                    format!("no source of this incident has the id `{src}`"),
                )
                .with_hint(known_ids(src.as_str(), sources.keys().copied())),
            );
        }
    }
}

/// Checks one incident; returns its bounds when its times resolved.
pub fn check(
    p: &Parsed<Incident>,
    times: Option<&IncidentTimes>,
    as_of: DateTime<Utc>,
    zone: Tz,
    known: &Known,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Bounds> {
    let r = &p.record;
    check_required(p, known, diagnostics);
    let t = times?;
    check_after_as_of(p, t, as_of, zone, diagnostics);
    check_impact(p, diagnostics);

    // Contradictions in the evidence.
    let of = |state: State| -> Vec<usize> {
        (0..r.observations.len())
            .filter(|&i| r.observations[i].state == state)
            .collect()
    };
    let (downs, ups) = (of(State::Down), of(State::Up));
    check_attacked(p, t, diagnostics);
    let evidence = Evidence {
        started: t.started,
        ended: t.ended,
        downs: downs.iter().map(|&i| t.observations[i]).collect(),
        ups: ups.iter().map(|&i| t.observations[i]).collect(),
        as_of,
    };
    check_contradictions(p, &evidence, &downs, &ups, diagnostics);
    // Evidence is never ignored in silence: an `up` that bounds nothing.
    for k in evidence.unplaced_ups() {
        let at = &r.observations[ups[k]].at;
        diagnostics.push(
            warning_at(
                p,
                &path!["observations", ups[k], "at"],
                format!(
                    "this `up` ({at}) overlaps {}, so it cannot be placed after it and bounds nothing: the outage reads as not known to have ended",
                    if downs.is_empty() { "`started`" } else { "a `down`" }
                ),
            )
            .with_hint(format!(
                "write a time wholly after it (one that ends later), or, if the service came back after the outage, `ended: {at}`"
            )),
        );
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

/// What every incident needs: an attack, a target, sources with distinct
/// ids (each with a url), and references that exist.
fn check_required(p: &Parsed<Incident>, known: &Known, diagnostics: &mut Vec<Diagnostic>) {
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
    let source_ids = source_ids(r);
    for (i, s) in r.sources.iter().enumerate() {
        let first = source_ids[&s.id];
        if first != i {
            diagnostics.push(
                error_at(p, &path!["sources", i, "id"], format!("duplicate source id `{}`", s.id)).with_hint(format!(
                    "source {} of this file already uses it; give each source its own id",
                    first + 1
                )),
            );
        }
        if s.url.is_none() && s.archived.is_none() {
            diagnostics.push(
                warning_at(p, &path!["sources", i, "id"], format!("source `{}` has no url", s.id))
                    .with_hint("add `url:` if the source is online, so readers can check it"),
            );
        }
    }
    check_references(p, known, Some(&source_ids), diagnostics);
    if r.sources.is_empty() {
        diagnostics.push(
            warning_at(p, &path!["title"], "this incident has no sources")
                .with_hint("add `sources:` with at least a title and publisher, so readers can check it"),
        );
    }
}

/// Every written time must begin before `as_of`.
fn check_after_as_of(
    p: &Parsed<Incident>,
    t: &IncidentTimes,
    as_of: DateTime<Utc>,
    zone: Tz,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let r = &p.record;
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
    for (i, (a, span)) in r.actors.iter().zip(&t.statements).enumerate() {
        if let Some(span) = span {
            written.push((path!["actors", i, "at"].to_vec(), a.at.as_ref(), *span));
        }
    }
    for (path, time, span) in &written {
        if span.earliest >= as_of {
            diagnostics.push(after_as_of(p, path, *time, as_of, zone));
        }
    }
}

/// An attack seen under way cannot be wholly before its start.
fn check_attacked(p: &Parsed<Incident>, t: &IncidentTimes, diagnostics: &mut Vec<Diagnostic>) {
    let r = &p.record;
    for i in (0..r.observations.len()).filter(|&i| r.observations[i].state == State::Attacked) {
        if t.observations[i].wholly_before(&t.started) {
            let obs = path!["observations", i, "at"];
            diagnostics.push(
                error_at(
                    p,
                    later(p, &path!["started"], &obs),
                    format!(
                        "this `attacked` observation ({}) is wholly before `started` ({})",
                        r.observations[i].at, r.started
                    ),
                )
                .with_hint("the attack was under way when it was seen: move `started` earlier, or fix the observation"),
            );
        }
    }
}

/// Each contradiction of the evidence, an error at the later of the two
/// times, with what to do. `downs` and `ups` are the observations' places.
fn check_contradictions(
    p: &Parsed<Incident>,
    evidence: &Evidence,
    downs: &[usize],
    ups: &[usize],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let r = &p.record;
    let text = |path: &[Seg]| -> &str {
        match path {
            [Seg::Key(k)] if k == "started" => r.started.text(),
            [Seg::Key(k)] if k == "ended" => r.ended.as_ref().map_or("", |e| e.text()),
            [_, Seg::Index(i), _] => r.observations[*i].at.text(),
            _ => "",
        }
    };
    for c in evidence.contradictions() {
        // The observation (`down` or `up`, by its place among those), how
        // it contradicts which time, and what to do.
        let (observation, relation, other, hint) = match c {
            Contradiction::EndedBeforeStarted => {
                let message = format!(
                    "`ended` ({}) is wholly before `started` ({})",
                    text(&path!["ended"]),
                    text(&path!["started"])
                );
                let at = later(p, &path!["started"], &path!["ended"]).to_vec();
                diagnostics.push(
                    error_at(p, &at, message)
                        .with_hint("an incident cannot end before it starts; fix one of the two times"),
                );
                continue;
            }
            Contradiction::DownBeforeStarted(k) => (
                ("down", downs[k]),
                "is wholly before",
                "started",
                "the outage had begun when it was seen down: move `started` earlier, or fix the observation",
            ),
            Contradiction::DownAfterEnded(k) => (
                ("down", downs[k]),
                "is wholly after",
                "ended",
                "the service was still down then: move `ended` later or remove it",
            ),
            Contradiction::UpBeforeEnded(k) => (
                ("up", ups[k]),
                "comes after the last `down` but wholly before",
                "ended",
                "the service was back up by then: move `ended` earlier, or fix the observation",
            ),
        };
        let ((state, i), time) = (observation, path![other]);
        let obs = path!["observations", i, "at"];
        let message = format!(
            "this `{state}` observation ({}) {relation} `{other}` ({})",
            text(&obs),
            text(&time)
        );
        diagnostics.push(error_at(p, later(p, &time, &obs), message).with_hint(hint));
    }
}
