//! How long an incident lasted, as the interval the evidence allows (docs/format.md, "Times").
//!
//! Input: the spans of `started`, `ended` and the observations, and the
//! site's `as_of`. Output: the bounds S and E of the outage's start and end,
//! the duration bounds, the contradictions in the evidence, and aggregates
//! over many incidents that never count an overlap twice. No instant is
//! invented and nothing is inferred from missing evidence.

use chrono::{DateTime, Utc};

use crate::records::Impact;
use crate::time::TimeSpan;

/// The resolved evidence about one incident.
#[derive(Clone, Debug)]
pub struct Evidence {
    pub started: TimeSpan,
    pub ended: Option<TimeSpan>,
    /// `down` observations, in record order.
    pub downs: Vec<TimeSpan>,
    /// `up` observations, in record order.
    pub ups: Vec<TimeSpan>,
    /// The instant that counts as "now": the end of `as_of`'s span.
    pub as_of: DateTime<Utc>,
}

/// What the evidence says about an outage: S and E of docs/format.md ("Times").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    pub start_earliest: DateTime<Utc>,
    pub start_latest: DateTime<Utc>,
    pub end_earliest: DateTime<Utc>,
    /// `None` while the incident is ongoing.
    pub end_latest: Option<DateTime<Utc>>,
}

/// The shortest and longest the outage may have lasted, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct DurationBounds {
    pub min: i64,
    /// `None` while an incident in it is ongoing.
    pub max: Option<i64>,
}

/// A way the evidence contradicts itself; indexes are into `downs`/`ups`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contradiction {
    EndedBeforeStarted,
    DownBeforeStarted(usize),
    DownAfterEnded(usize),
    UpBeforeEnded(usize),
}

impl Evidence {
    /// The `up` observations that bound the end: wholly after every `down`
    /// (after `started` when there is none). Others cannot be ordered.
    fn bounding_ups(&self) -> impl Iterator<Item = (usize, &TimeSpan)> {
        let after = self.downs.iter().map(|d| d.latest).max().unwrap_or(self.started.latest);
        self.ups.iter().enumerate().filter(move |(_, u)| u.earliest >= after)
    }

    /// The `up` observations that bound nothing because they cannot be
    /// ordered after every `down` (after `started`, where there is none):
    /// their intervals overlap. Evidence is never ignored in silence, so
    /// `check` warns about each.
    pub fn unplaced_ups(&self) -> impl Iterator<Item = usize> + '_ {
        let refs: &[TimeSpan] = if self.downs.is_empty() {
            std::slice::from_ref(&self.started)
        } else {
            &self.downs
        };
        let after = refs.iter().map(|d| d.latest).max().unwrap_or(self.started.latest);
        let overlaps = |u: &TimeSpan| refs.iter().any(|d| u.earliest < d.latest && d.earliest < u.latest);
        (self.ups.iter().enumerate()).filter_map(move |(k, u)| (u.earliest < after && overlaps(u)).then_some(k))
    }

    /// S and E, exactly as docs/format.md ("How long an incident lasted") defines them.
    pub fn bounds(&self) -> Bounds {
        let start_earliest = self.started.earliest;
        let start_latest = self
            .downs
            .iter()
            .map(|d| d.latest)
            .chain([self.started.latest, self.as_of])
            .min()
            .unwrap_or(self.started.latest);
        let end_earliest = self
            .downs
            .iter()
            .map(|d| d.earliest)
            .chain(self.ended.map(|e| e.earliest))
            .chain([start_earliest])
            .max()
            .unwrap_or(start_earliest);
        let end_latest = self
            .bounding_ups()
            .map(|(_, u)| u.latest)
            .chain(self.ended.map(|e| e.latest))
            .min();
        Bounds {
            start_earliest,
            start_latest,
            end_earliest,
            end_latest,
        }
    }

    /// Every contradiction in the evidence (times after `as_of` are checked
    /// by the caller, which knows every time of the record).
    pub fn contradictions(&self) -> Vec<Contradiction> {
        let mut found = Vec::new();
        if let Some(ended) = &self.ended {
            if ended.wholly_before(&self.started) {
                found.push(Contradiction::EndedBeforeStarted);
            }
        }
        for (i, d) in self.downs.iter().enumerate() {
            if d.wholly_before(&self.started) {
                found.push(Contradiction::DownBeforeStarted(i));
            }
            if let Some(ended) = &self.ended {
                if d.wholly_after(ended) {
                    found.push(Contradiction::DownAfterEnded(i));
                }
            }
        }
        if let Some(ended) = &self.ended {
            for (i, u) in self.bounding_ups() {
                if u.wholly_before(ended) {
                    found.push(Contradiction::UpBeforeEnded(i));
                }
            }
        }
        found
    }
}

impl Bounds {
    pub fn is_ongoing(&self) -> bool {
        self.end_latest.is_none()
    }

    pub fn duration(&self) -> DurationBounds {
        DurationBounds {
            min: (self.end_earliest - self.start_latest).num_seconds().max(0),
            max: self.end_latest.map(|e| (e - self.start_earliest).num_seconds().max(0)),
        }
    }

    /// When the outage was certainly under way: `[S.latest, E.earliest]`.
    pub fn certain(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        (self.start_latest < self.end_earliest).then_some((self.start_latest, self.end_earliest))
    }

    /// When the outage may have been under way: `[S.earliest, E.latest]`;
    /// ongoing incidents are open-ended.
    pub fn possible(&self) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
        (self.start_earliest, self.end_latest)
    }
}

/// Where an incident stands (docs/format.md, "Impact").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// An outage not known to have ended.
    Ongoing,
    /// An outage with a known latest end.
    Ended,
    /// The attack had no effect on the target.
    NoImpact,
    /// Claimed or reported, not verified.
    Unverified,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Ongoing, Status::Ended, Status::NoImpact, Status::Unverified];

    /// The word of exports and CSS classes.
    pub fn key(self) -> &'static str {
        match self {
            Status::Ongoing => "ongoing",
            Status::Ended => "ended",
            Status::NoImpact => "no-impact",
            Status::Unverified => "unverified",
        }
    }

    /// The status as a sentence of its own, for feeds and summaries.
    pub fn sentence(self) -> &'static str {
        match self {
            Status::Ongoing => "Ongoing outage",
            Status::Ended => "Outage, ended",
            Status::NoImpact => "Attack without impact: the target stayed available",
            Status::Unverified => "Unverified claim: nothing shows the target went down",
        }
    }

    /// The words readers see.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ongoing => "ongoing",
            Status::Ended => "ended",
            Status::NoImpact => "no impact",
            Status::Unverified => "unverified",
        }
    }
}

/// What an incident amounts to: the bounds of the evidence read through
/// its impact. Only an `outage` or `degraded` incident has a certain part;
/// an `unknown` one (a claim) may have been down, so its possible part
/// counts toward the upper bound of totals; a `none` one counts for nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub impact: Impact,
    pub bounds: Bounds,
}

impl Outcome {
    pub fn status(&self) -> Status {
        match self.impact {
            Impact::None => Status::NoImpact,
            Impact::Unknown => Status::Unverified,
            Impact::Outage | Impact::Degraded if self.bounds.is_ongoing() => Status::Ongoing,
            Impact::Outage | Impact::Degraded => Status::Ended,
        }
    }

    /// How long the target was affected: the bounds' duration for an
    /// outage; no minimum for a claim; exactly zero without impact.
    pub fn duration(&self) -> DurationBounds {
        let d = self.bounds.duration();
        match self.impact {
            Impact::Outage | Impact::Degraded => d,
            Impact::Unknown => DurationBounds { min: 0, max: d.max },
            Impact::None => DurationBounds { min: 0, max: Some(0) },
        }
    }

    /// When the target was certainly affected (an outage only).
    pub fn certain(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if self.impact.is_outage() {
            self.bounds.certain()
        } else {
            None
        }
    }

    /// When the target may have been affected; `None` without impact.
    pub fn possible(&self) -> Option<(DateTime<Utc>, Option<DateTime<Utc>>)> {
        (self.impact != Impact::None).then(|| self.bounds.possible())
    }

    /// E as exports write it: `(earliest, latest)`, both absent without
    /// impact (nothing ended), `latest` absent while open.
    pub fn end(&self) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        match self.impact {
            Impact::None => (None, None),
            _ => (Some(self.bounds.end_earliest), self.bounds.end_latest),
        }
    }
}

/// How long the attack itself was seen under way, from the `attacked`
/// observations A: at least max(0, (the largest `a.earliest`) − (the
/// smallest `a.latest`)); it bounds nothing of the outage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttackSeen {
    /// The least it lasted, in seconds.
    pub min: i64,
    /// The sighting that ends first (its index among those given), and the
    /// one that begins last: "seen from … to …".
    pub first: usize,
    pub last: usize,
}

/// [`AttackSeen`] of the sightings `spans` (index, span); `None` without any.
pub fn attack_seen(spans: impl IntoIterator<Item = (usize, TimeSpan)>) -> Option<AttackSeen> {
    let mut first: Option<(usize, TimeSpan)> = None;
    let mut last: Option<(usize, TimeSpan)> = None;
    for (i, span) in spans {
        if first.is_none_or(|(_, f)| span.latest < f.latest) {
            first = Some((i, span));
        }
        if last.is_none_or(|(_, l)| span.earliest > l.earliest) {
            last = Some((i, span));
        }
    }
    let ((first, f), (last, l)) = (first?, last?);
    Some(AttackSeen {
        min: (l.earliest - f.latest).num_seconds().max(0),
        first,
        last,
    })
}

/// The aggregates of several incidents (of a target, an actor, a
/// campaign, the site): their downtime, and apart from it the time of
/// their unverified claims. Overlaps count once in each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Totals {
    /// Outage and degraded incidents only: at least the measure of the
    /// union of their certain parts, at most that of their possible parts
    /// (no upper bound while one is ongoing).
    pub downtime: DurationBounds,
    /// The measure of the union of the unverified claims' possible parts,
    /// less what lies in the outages' possible parts: time that may have
    /// been down, that nobody verified; `None` while a claim has no end.
    pub unverified_max: Option<i64>,
    /// Whether there is an unverified claim at all.
    pub has_claims: bool,
}

/// The [`Totals`] of `all`.
pub fn totals<'a>(all: impl IntoIterator<Item = &'a Outcome>) -> Totals {
    let mut certain = Vec::new();
    let mut possible = Vec::new();
    let mut claims = Vec::new();
    let (mut open, mut open_claim, mut has_claims) = (false, false, false);
    for o in all {
        match o.impact {
            Impact::Outage | Impact::Degraded => {
                certain.extend(o.bounds.certain());
                possible.push(o.bounds.possible());
                open |= o.bounds.is_ongoing();
            }
            Impact::Unknown => {
                has_claims = true;
                match o.bounds.possible() {
                    (from, Some(to)) => claims.push((from, to)),
                    (_, None) => open_claim = true,
                }
            }
            Impact::None => {}
        }
    }
    let closed: Vec<_> = possible.iter().filter_map(|&(a, b)| Some((a, b?))).collect();
    let downtime = DurationBounds {
        min: union_seconds(certain),
        max: (!open).then(|| union_seconds(closed)),
    };
    let unverified_max = (!open_claim).then(|| {
        let outages = possible
            .into_iter()
            .map(|(a, b)| (a, b.unwrap_or(DateTime::<Utc>::MAX_UTC)))
            .collect();
        difference_seconds(claims, outages)
    });
    Totals {
        downtime,
        unverified_max,
        has_claims,
    }
}

/// Total downtime of several incidents: [`Totals::downtime`].
pub fn total_downtime<'a>(all: impl IntoIterator<Item = &'a Outcome>) -> DurationBounds {
    totals(all).downtime
}

/// Intervals merged: sorted, overlapping and touching ones joined.
fn merged(mut intervals: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    intervals.retain(|(a, b)| a < b);
    intervals.sort_unstable();
    let mut out: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::with_capacity(intervals.len());
    for (from, to) in intervals {
        match out.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => out.push((from, to)),
        }
    }
    out
}

/// Length in seconds of the union of `a` less the union of `b`: merge
/// both, then one sweep.
pub fn difference_seconds(a: Vec<(DateTime<Utc>, DateTime<Utc>)>, b: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> i64 {
    let (a, b) = (merged(a), merged(b));
    let mut total = 0;
    let mut k = 0;
    for (from, to) in a {
        total += (to - from).num_seconds();
        // `b` intervals that end before this one starts are done for good.
        while k < b.len() && b[k].1 <= from {
            k += 1;
        }
        let mut j = k;
        while j < b.len() && b[j].0 < to {
            let (x, y) = (b[j].0.max(from), b[j].1.min(to));
            if x < y {
                total -= (y - x).num_seconds();
            }
            j += 1;
        }
    }
    total
}

/// Length in seconds of the union of intervals: sort once, sweep once.
pub fn union_seconds(mut intervals: Vec<(DateTime<Utc>, DateTime<Utc>)>) -> i64 {
    intervals.retain(|(a, b)| a < b);
    intervals.sort_unstable();
    let mut total = 0;
    let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for (from, to) in intervals {
        current = match current {
            Some((a, b)) if from <= b => Some((a, b.max(to))),
            Some((a, b)) => {
                total += (b - a).num_seconds();
                Some((from, to))
            }
            None => Some((from, to)),
        };
    }
    if let Some((a, b)) = current {
        total += (b - a).num_seconds();
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::WrittenTime;
    use chrono_tz::Tz;

    fn span(text: &str) -> TimeSpan {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        text.parse::<WrittenTime>()
            .unwrap()
            .resolve(paris)
            .unwrap()
            .closed()
            .unwrap()
    }

    fn evidence(started: &str, ended: Option<&str>, downs: &[&str], ups: &[&str]) -> Evidence {
        Evidence {
            started: span(started),
            ended: ended.map(span),
            downs: downs.iter().map(|t| span(t)).collect(),
            ups: ups.iter().map(|t| span(t)).collect(),
            as_of: span("2024-08-26").latest,
        }
    }

    const H: i64 = 3600;

    #[test]
    fn day_start_and_hour_end() {
        let b = evidence("2024-08-25", Some("2024-08-26T10"), &[], &[]).bounds();
        assert_eq!(
            b.duration(),
            DurationBounds {
                min: 10 * H,
                max: Some(35 * H)
            }
        );
        assert!(!b.is_ongoing());
    }

    #[test]
    fn down_observation_raises_the_minimum_of_an_ongoing_incident() {
        let b = evidence("2024-08-25", None, &["2024-08-26T15"], &[]).bounds();
        assert!(b.is_ongoing());
        assert_eq!(b.duration(), DurationBounds { min: 15 * H, max: None });
    }

    #[test]
    fn ongoing_without_down_has_no_minimum() {
        let b = evidence("2024-08-25", None, &[], &[]).bounds();
        assert_eq!(b.duration(), DurationBounds { min: 0, max: None });
    }

    #[test]
    fn down_observation_caps_the_start() {
        // Started "in August", seen down at 10:00 on the 25th: S.latest is 11:00.
        let b = evidence("2024-08", None, &["2024-08-25T10"], &["2024-08-26"]).bounds();
        assert_eq!(b.start_latest, span("2024-08-25T10").latest);
        assert_eq!(b.end_earliest, span("2024-08-25T10").earliest);
        assert_eq!(b.end_latest, Some(span("2024-08-26").latest));
        assert_eq!(b.duration().min, 0);
    }

    #[test]
    fn up_overlapping_a_down_bounds_nothing() {
        let b = evidence("2024-08-25T08", None, &["2024-08-25T10"], &["2024-08-25"]).bounds();
        assert!(b.is_ongoing());
    }

    #[test]
    fn up_with_no_down_must_follow_the_start() {
        let b = evidence("2024-08-25T08", None, &[], &["2024-08-25T12"]).bounds();
        assert_eq!(b.end_latest, Some(span("2024-08-25T12").latest));
        // Overlapping the start: cannot be ordered.
        let b = evidence("2024-08-25T08", None, &[], &["2024-08-25"]).bounds();
        assert!(b.is_ongoing());
    }

    #[test]
    fn as_of_caps_the_start() {
        let mut e = evidence("2024-08", None, &[], &[]);
        e.as_of = span("2024-08-10").latest;
        assert_eq!(e.bounds().start_latest, e.as_of);
    }

    #[test]
    fn contradictions_are_found() {
        let e = evidence("2024-08-25", Some("2024-08-24"), &[], &[]);
        assert_eq!(e.contradictions(), [Contradiction::EndedBeforeStarted]);
        let e = evidence(
            "2024-08-25",
            Some("2024-08-26T10"),
            &["2024-08-24", "2024-08-26T12"],
            &[],
        );
        assert_eq!(
            e.contradictions(),
            [Contradiction::DownBeforeStarted(0), Contradiction::DownAfterEnded(1)]
        );
        let e = evidence(
            "2024-08-25T08",
            Some("2024-08-26T10"),
            &["2024-08-25T09"],
            &["2024-08-24", "2024-08-25T12"],
        );
        // The up before the start is consistent; the one before `ended` is not.
        assert_eq!(e.contradictions(), [Contradiction::UpBeforeEnded(1)]);
        // Overlap is not a contradiction.
        let e = evidence("2024-08-25", Some("2024-08-25T10"), &[], &[]);
        assert!(e.contradictions().is_empty());
    }

    #[test]
    fn overlapping_incidents_are_not_counted_twice() {
        let a = outage(evidence("2024-08-25T10", Some("2024-08-25T14"), &[], &[]));
        let b = outage(evidence("2024-08-25T12", Some("2024-08-25T16"), &[], &[]));
        let total = total_downtime([&a, &b]);
        // Certain: [11,14) ∪ [13,16) = 5 h; possible: [10,15) ∪ [12,17) = 7 h.
        assert_eq!(
            total,
            DurationBounds {
                min: 5 * H,
                max: Some(7 * H)
            }
        );
        let c = outage(evidence("2024-08-26", None, &[], &[]));
        assert_eq!(total_downtime([&a, &b, &c]).max, None);
    }

    fn outage(e: Evidence) -> Outcome {
        Outcome {
            impact: Impact::Outage,
            bounds: e.bounds(),
        }
    }

    fn with(impact: Impact, e: Evidence) -> Outcome {
        Outcome {
            impact,
            bounds: e.bounds(),
        }
    }

    #[test]
    fn each_impact_has_its_status_and_duration() {
        let ended = evidence("2024-08-25T10", Some("2024-08-25T14"), &[], &[]);
        let open = evidence("2024-08-25T10", None, &["2024-08-25T12"], &[]);
        let o = with(Impact::Outage, ended.clone());
        assert_eq!(
            (o.status(), o.duration()),
            (
                Status::Ended,
                DurationBounds {
                    min: 3 * H,
                    max: Some(5 * H)
                }
            )
        );
        let o = with(Impact::Degraded, open.clone());
        assert_eq!(
            (o.status(), o.duration()),
            (Status::Ongoing, DurationBounds { min: H, max: None })
        );
        // A claim: nothing is known to have gone down.
        let o = with(Impact::Unknown, ended.clone());
        assert_eq!(
            (o.status(), o.duration()),
            (
                Status::Unverified,
                DurationBounds {
                    min: 0,
                    max: Some(5 * H)
                }
            )
        );
        assert_eq!(o.certain(), None);
        assert_eq!(o.end(), (Some(o.bounds.end_earliest), o.bounds.end_latest));
        // No impact: zero, and no end.
        let o = with(Impact::None, evidence("2024-08-25T10", None, &[], &["2024-08-25T12"]));
        assert_eq!(
            (o.status(), o.duration()),
            (Status::NoImpact, DurationBounds { min: 0, max: Some(0) })
        );
        assert_eq!((o.certain(), o.possible(), o.end()), (None, None, (None, None)));
    }

    #[test]
    fn an_up_that_overlaps_a_down_or_the_start_is_unplaced() {
        // Overlaps the down: bounds nothing. Wholly after it: bounds the end.
        let e = evidence("2024-08-24", None, &["2024-08-25T10"], &["2024-08-25", "2024-08-26"]);
        assert_eq!(e.unplaced_ups().collect::<Vec<_>>(), [0]);
        assert_eq!(e.bounds().end_latest, Some(span("2024-08-26").latest));
        // No down: an up overlapping `started` is unplaced; one wholly
        // before it (a check before the attack) is fine.
        let e = evidence("2024-08-25", None, &[], &["2024-08-25T12", "2024-08-20"]);
        assert_eq!(e.unplaced_ups().collect::<Vec<_>>(), [0]);
        assert!(e.bounds().is_ongoing());
    }

    #[test]
    fn the_attack_seen_lasts_from_the_first_sighting_s_end_to_the_last_one_s_start() {
        let spans = [
            span("2024-08-25T10"),
            span("2024-08-27"),
            span("2024-08-26T12/2024-08-26T18"),
        ];
        let seen = attack_seen(spans.iter().copied().enumerate()).unwrap();
        // From 11:00 on the 25th (the first hour's end) to 00:00 on the 27th.
        assert_eq!(seen.min, 37 * H);
        assert_eq!((seen.first, seen.last), (0, 1));
        // Sightings that overlap give no certain length: 0, said plainly.
        let overlapping = [span("2024-08-25"), span("2024-08-25T12")];
        assert_eq!(attack_seen(overlapping.iter().copied().enumerate()).unwrap().min, 0);
        assert_eq!(attack_seen(std::iter::empty()), None);
    }

    #[test]
    fn claims_are_counted_apart_from_downtime_and_no_impact_toward_nothing() {
        let a = outage(evidence("2024-08-25T10", Some("2024-08-25T14"), &[], &[]));
        let claim = with(
            Impact::Unknown,
            evidence("2024-08-25T14", Some("2024-08-25T17"), &[], &[]),
        );
        let none = with(Impact::None, evidence("2024-08-24", None, &[], &[]));
        // Downtime: the outage alone, certain [11,14) = 3 h, possible
        // [10,15) = 5 h. The claim may have been down [14,18), of which
        // [15,18) = 3 h lies outside the outage's possible part.
        let t = totals([&a, &claim, &none]);
        assert_eq!(
            t.downtime,
            DurationBounds {
                min: 3 * H,
                max: Some(5 * H)
            }
        );
        assert_eq!(t.unverified_max, Some(3 * H));
        assert!(t.has_claims);
        // An open claim has no upper bound, and leaves the downtime alone;
        // an attack without impact counts for nothing.
        let open_claim = with(Impact::Unknown, evidence("2024-08-25T16", None, &[], &[]));
        let t = totals([&a, &open_claim]);
        assert_eq!(t.unverified_max, None);
        assert_eq!(t.downtime, total_downtime([&a]));
        assert_eq!(totals([&a, &none]), totals([&a]));
        // A claim wholly inside an ongoing outage's possible part adds nothing.
        let ongoing = outage(evidence("2024-08-25T10", None, &[], &[]));
        assert_eq!(totals([&ongoing, &claim]).unverified_max, Some(0));
    }
}

#[cfg(test)]
mod properties;
