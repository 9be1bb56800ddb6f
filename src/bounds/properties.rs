//! Property tests of the time model (docs/format.md, "Times"): parsing, bounds, aggregates.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use proptest::prelude::*;

use crate::bounds::{attack_seen, total_downtime, totals, union_seconds, Bounds, Evidence, Outcome};
use crate::records::Impact;
use crate::test_cases as cases;
use crate::time::{TimeSpan, WrittenTime};

const ZONES: [&str; 5] = [
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
];
const SUFFIXES: [&str; 4] = ["", "Z", "+02:00", "-05:30"];

/// A time as a record would write it: local start, precision 0 (year) to 5 (second), suffix.
#[derive(Clone, Debug)]
struct Written {
    start: NaiveDateTime,
    precision: usize,
    suffix: &'static str,
}

impl Written {
    fn text(&self) -> String {
        let formats = [
            "%Y",
            "%Y-%m",
            "%Y-%m-%d",
            "%Y-%m-%dT%H",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%dT%H:%M:%S",
        ];
        format!("{}{}", self.start.format(formats[self.precision]), self.suffix)
    }

    fn span(&self, zone: Tz) -> Option<TimeSpan> {
        self.text().parse::<WrittenTime>().unwrap().resolve(zone).ok()?.closed()
    }

    /// A more precise time inside this one; `pick` chooses where.
    fn refine(&self, extra: usize, pick: u64) -> Written {
        let precision = (self.precision + extra).min(5);
        let unit_seconds: i64 = match self.precision {
            0 => 365 * 86_400,
            1 => 28 * 86_400,
            2 => 86_400,
            3 => 3_600,
            4 => 60,
            _ => 1,
        };
        let start = self.start + Duration::seconds((pick % unit_seconds as u64) as i64);
        Written {
            start: truncate(start, precision),
            precision,
            suffix: self.suffix,
        }
    }
}

fn truncate(t: NaiveDateTime, precision: usize) -> NaiveDateTime {
    let formats = [
        "%Y-01-01T00:00:00",
        "%Y-%m-01T00:00:00",
        "%Y-%m-%dT00:00:00",
        "%Y-%m-%dT%H:00:00",
        "%Y-%m-%dT%H:%M:00",
        "%Y-%m-%dT%H:%M:%S",
    ];
    NaiveDateTime::parse_from_str(&t.format(formats[precision]).to_string(), "%Y-%m-%dT%H:%M:%S").unwrap()
}

fn written() -> impl Strategy<Value = Written> {
    let base = NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    (0i64..(2 * 366 * 86_400), 0usize..6, 0usize..SUFFIXES.len()).prop_map(move |(offset, precision, suffix)| Written {
        start: truncate(base + Duration::seconds(offset), precision),
        precision,
        suffix: SUFFIXES[suffix],
    })
}

/// Evidence for one incident, as written times.
#[derive(Clone, Debug)]
struct Case {
    zone: Tz,
    started: Written,
    ended: Option<Written>,
    observations: Vec<(Written, bool)>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0usize..ZONES.len(),
        written(),
        proptest::option::of(written()),
        proptest::collection::vec((written(), any::<bool>()), 0..4),
    )
        .prop_map(|(zone, started, ended, observations)| Case {
            zone: ZONES[zone].parse().unwrap(),
            started,
            ended,
            observations,
        })
}

impl Case {
    /// The resolved evidence, or `None` if a time is skipped by DST or the
    /// evidence is contradictory (those are errors, not bounds).
    fn evidence(&self) -> Option<Evidence> {
        let started = self.started.span(self.zone)?;
        let ended = match &self.ended {
            Some(e) => Some(e.span(self.zone)?),
            None => None,
        };
        let mut downs = Vec::new();
        let mut ups = Vec::new();
        for (w, down) in &self.observations {
            let s = w.span(self.zone)?;
            if *down {
                downs.push(s)
            } else {
                ups.push(s)
            }
        }
        let as_of = [Some(started), ended]
            .into_iter()
            .flatten()
            .chain(downs.iter().copied())
            .chain(ups.iter().copied())
            .map(|s| s.latest)
            .max()?;
        let e = Evidence {
            started,
            ended,
            downs,
            ups,
            as_of,
        };
        e.contradictions().is_empty().then_some(e)
    }
}

fn check_bounds(b: &Bounds) {
    assert!(b.start_earliest < b.start_latest, "{b:?}");
    assert!(b.start_earliest <= b.end_earliest, "{b:?}");
    if let Some(l) = b.end_latest {
        // S.latest is not capped by E.latest in docs/format.md ("Times"), so only E is checked.
        assert!(b.end_earliest < l, "{b:?}");
    }
    let d = b.duration();
    assert!(d.min >= 0);
    if let Some(max) = d.max {
        assert!(d.min <= max, "{b:?} {d:?}");
    }
}

proptest! {
    // Random times often contradict each other (an end before its start, a
    // time that does not exist in the zone): those cases are rejected, and
    // may outnumber the kept ones.
    #![proptest_config(ProptestConfig { max_global_rejects: 100_000, ..ProptestConfig::with_cases(cases(2000)) })]

    #[test]
    fn every_written_time_spans_its_unit(w in written(), zone in 0usize..ZONES.len()) {
        // A time denotes its whole unit: exactly, at a fixed offset; give or
        // take a daylight-saving change (at most 1 h here) in a zone.
        let t: WrittenTime = w.text().parse().unwrap();
        let zone: Tz = ZONES[zone].parse().unwrap();
        let (low, high) = match w.precision {
            0 => (365 * 86_400, 366 * 86_400),
            1 => (28 * 86_400, 31 * 86_400),
            2 => (86_400, 86_400),
            3 => (3_600, 3_600),
            4 => (60, 60),
            _ => (1, 1),
        };
        let slack = if w.suffix.is_empty() { 3_600 } else { 0 };
        match t.resolve(zone).map(|r| r.closed().unwrap()) {
            Ok(span) => {
                let len = (span.latest - span.earliest).num_seconds();
                // A repeated local hour stands for both occurrences: up to 2 h.
                let high = if w.suffix.is_empty() && w.precision >= 3 { high.max(7_200) } else { high };
                prop_assert!(len >= low - slack && len <= high + slack, "{}: {len} s", w.text());
                if !w.suffix.is_empty() {
                    let offset = chrono::FixedOffset::east_opt(match w.suffix {
                        "+02:00" => 7_200,
                        "-05:30" => -19_800,
                        _ => 0,
                    }).unwrap();
                    prop_assert_eq!(span.earliest.with_timezone(&offset).naive_local(), w.start);
                }
            }
            // Only a local time inside a skipped hour may fail to resolve.
            Err(_) => prop_assert!(w.suffix.is_empty() && w.precision >= 3, "{} failed", w.text()),
        }
    }

    #[test]
    fn refining_a_time_stays_inside_it(w in written(), extra in 1usize..5, pick in any::<u64>(), zone in 0usize..ZONES.len()) {
        let zone: Tz = ZONES[zone].parse().unwrap();
        let fine = w.refine(extra, pick);
        if let (Some(outer), Some(inner)) = (w.span(zone), fine.span(zone)) {
            prop_assert!(outer.earliest <= inner.earliest && inner.latest <= outer.latest, "{} ⊉ {}", w.text(), fine.text());
        }
    }

    #[test]
    fn bounds_never_invert(c in case()) {
        if let Some(e) = c.evidence() {
            check_bounds(&e.bounds());
        }
    }

    #[test]
    fn refining_evidence_never_widens_the_duration(c in case(), which in 0usize..6, extra in 1usize..5, pick in any::<u64>()) {
        let found = c.evidence();
        prop_assume!(found.is_some());
        let Some(coarse) = found else { unreachable!() };
        let mut fine = c.clone();
        match which {
            0 => fine.started = c.started.refine(extra, pick),
            1 => fine.ended = c.ended.as_ref().map(|e| e.refine(extra, pick)),
            k => if let Some(o) = fine.observations.get_mut(k - 2) { o.0 = o.0.refine(extra, pick) },
        }
        let found = fine.evidence();
        prop_assume!(found.is_some());
        let Some(mut fine_e) = found else { unreachable!() };
        fine_e.as_of = coarse.as_of; // "now" does not move when a time gets more precise
        let (a, b) = (coarse.bounds().duration(), fine_e.bounds().duration());
        prop_assert!(b.min >= a.min, "min went down: {a:?} -> {b:?}");
        match (a.max, b.max) {
            (Some(x), Some(y)) => prop_assert!(y <= x, "max went up: {a:?} -> {b:?}"),
            (Some(_), None) => prop_assert!(false, "became ongoing: {a:?} -> {b:?}"),
            _ => {}
        }
    }

    #[test]
    fn union_is_at_most_the_sum_and_at_least_the_largest(parts in proptest::collection::vec((0i64..1_000_000, 0i64..100_000), 0..20)) {
        let t0 = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let intervals: Vec<_> = parts.iter().map(|(a, len)| (t0 + Duration::seconds(*a), t0 + Duration::seconds(a + len))).collect();
        let union = union_seconds(intervals);
        let sum: i64 = parts.iter().map(|(_, len)| len).sum();
        let largest = parts.iter().map(|(_, len)| *len).max().unwrap_or(0);
        prop_assert!(union <= sum && union >= largest, "{union} {sum} {largest}");
    }

    #[test]
    fn aggregate_bounds_contain_no_more_than_their_parts(cases in proptest::collection::vec(case(), 1..6)) {
        let bounds: Vec<Bounds> = cases.iter().filter_map(Case::evidence).map(|e| e.bounds()).collect();
        let outcomes: Vec<Outcome> = bounds.iter().map(|&bounds| Outcome { impact: Impact::Outage, bounds }).collect();
        let total = total_downtime(outcomes.iter());
        let min_sum: i64 = bounds.iter().map(|b| b.duration().min).sum();
        prop_assert!(total.min <= min_sum);
        if let Some(max) = total.max {
            prop_assert!(total.min <= max);
            let max_sum: i64 = bounds.iter().map(|b| b.duration().max.unwrap()).sum();
            prop_assert!(max <= max_sum);
        } else {
            prop_assert!(bounds.iter().any(Bounds::is_ongoing));
        }
    }
}

/// A real outage `[from, to)` and evidence written truthfully about it, in
/// every time form: each written time contains the instant it is about,
/// as a single time or an interval `A/B` or `A/..` around it.
#[derive(Clone, Debug)]
struct Truth {
    zone: Tz,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    started: String,
    ended: Option<String>,
    downs: Vec<String>,
    ups: Vec<String>,
    /// Instants the evidence is about, for `as_of` (everything happened before it).
    latest_instant: chrono::DateTime<chrono::Utc>,
}

/// How to write an instant: precision 0–5, suffix, and the form: 0 a
/// single time, 1 `A/B` around it, 2 `A/..` from before it.
#[derive(Clone, Copy, Debug)]
struct Form {
    precision: usize,
    suffix: usize,
    other_precision: usize,
    other_suffix: usize,
    shape: u8,
    before: i64,
    after: i64,
}

fn form() -> impl Strategy<Value = Form> {
    (
        0usize..6,
        0usize..SUFFIXES.len(),
        0usize..6,
        0usize..SUFFIXES.len(),
        0u8..3,
        0i64..200_000,
        0i64..200_000,
    )
        .prop_map(
            |(precision, suffix, other_precision, other_suffix, shape, before, after)| Form {
                precision,
                suffix,
                other_precision,
                other_suffix,
                shape,
                before,
                after,
            },
        )
}

/// The text of one time form containing the instant `t`.
fn point_text(t: chrono::DateTime<chrono::Utc>, precision: usize, suffix: &str, zone: Tz) -> String {
    let local = match suffix {
        "" => t.with_timezone(&zone).naive_local(),
        "Z" => t.naive_utc(),
        "+02:00" => t.naive_utc() + Duration::hours(2),
        _ => t.naive_utc() - Duration::minutes(330),
    };
    let written = Written {
        start: truncate(local, precision),
        precision,
        suffix: SUFFIXES.iter().find(|s| **s == suffix).copied().unwrap_or(""),
    };
    written.text()
}

impl Form {
    /// A written time that contains `t`.
    fn write(&self, t: chrono::DateTime<chrono::Utc>, zone: Tz) -> String {
        let own = point_text(t, self.precision, SUFFIXES[self.suffix], zone);
        let before = point_text(
            t - Duration::seconds(self.before),
            self.precision,
            SUFFIXES[self.suffix],
            zone,
        );
        let after = point_text(
            t + Duration::seconds(self.after),
            self.other_precision,
            SUFFIXES[self.other_suffix],
            zone,
        );
        match self.shape {
            0 => own,
            1 => format!("{before}/{after}"),
            _ => format!("{before}/.."),
        }
    }
}

fn truth() -> impl Strategy<Value = Truth> {
    let base = chrono::DateTime::<chrono::Utc>::from_timestamp(1_704_067_200, 0).unwrap(); // 2024-01-01
    (
        0usize..ZONES.len(),
        0i64..(366 * 86_400),
        1i64..(5 * 86_400),
        form(),
        proptest::option::of(form()),
        proptest::collection::vec((form(), 0.0f64..1.0), 0..3),
        proptest::collection::vec((form(), 0i64..(3 * 86_400)), 0..3),
    )
        .prop_map(move |(zone, start, len, started, ended, downs, ups)| {
            let zone: Tz = ZONES[zone].parse().unwrap();
            let from = base + Duration::seconds(start);
            let to = from + Duration::seconds(len);
            let downs: Vec<(String, chrono::DateTime<chrono::Utc>)> = downs
                .iter()
                .map(|(f, at)| {
                    let t = from + Duration::seconds(((len - 1) as f64 * at) as i64);
                    (f.write(t, zone), t)
                })
                .collect();
            let ups: Vec<(String, chrono::DateTime<chrono::Utc>)> = ups
                .iter()
                .map(|(f, after)| {
                    let t = to + Duration::seconds(*after);
                    (f.write(t, zone), t)
                })
                .collect();
            let latest_instant = downs.iter().chain(&ups).map(|(_, t)| *t).chain([to]).max().unwrap();
            Truth {
                zone,
                from,
                to,
                started: started.write(from, zone),
                ended: ended.map(|f| f.write(to, zone)),
                downs: downs.into_iter().map(|(w, _)| w).collect(),
                ups: ups.into_iter().map(|(w, _)| w).collect(),
                latest_instant,
            }
        })
}

impl Truth {
    /// The evidence as sitrep resolves it; `None` where a written time
    /// does not resolve (an empty interval drawn by the generator).
    fn evidence(&self) -> Option<Evidence> {
        let resolve = |text: &str| text.parse::<WrittenTime>().unwrap().resolve(self.zone).ok();
        let started = resolve(&self.started)?;
        let ended = match &self.ended {
            Some(e) => Some(resolve(e)?),
            None => None,
        };
        let downs: Vec<_> = self.downs.iter().map(|t| resolve(t)).collect::<Option<_>>()?;
        let ups: Vec<_> = self.ups.iter().map(|t| resolve(t)).collect::<Option<_>>()?;
        // "Now": after every instant the evidence is about, and the latest
        // end of any closed time (as sitrep's default would be at least).
        let as_of = [Some(started), ended]
            .into_iter()
            .flatten()
            .chain(downs.iter().copied())
            .chain(ups.iter().copied())
            .filter_map(|r| r.closed())
            .map(|s| s.latest)
            .chain([self.latest_instant + Duration::seconds(1)])
            .max()?;
        Some(Evidence {
            started: started.close(as_of),
            ended: ended.map(|e| e.close(as_of)),
            downs: downs.into_iter().map(|d| d.close(as_of)).collect(),
            ups: ups.into_iter().map(|u| u.close(as_of)).collect(),
            as_of,
        })
    }
}

fn impact_of(k: u8) -> Impact {
    [Impact::Outage, Impact::Degraded, Impact::None, Impact::Unknown][k as usize % 4]
}

proptest! {
    // Random times often contradict each other (an end before its start, a
    // time that does not exist in the zone): those cases are rejected, and
    // may outnumber the kept ones.
    #![proptest_config(ProptestConfig { max_global_rejects: 100_000, ..ProptestConfig::with_cases(cases(2000)) })]

    #[test]
    fn an_interval_denotes_from_the_start_of_a_to_the_end_of_b(a in written(), b in written(), zone in 0usize..ZONES.len()) {
        let zone: Tz = ZONES[zone].parse().unwrap();
        let found = (a.span(zone), b.span(zone));
        prop_assume!(found.0.is_some() && found.1.is_some());
        let (Some(sa), Some(sb)) = found else { unreachable!() };
        let t: WrittenTime = format!("{}/{}", a.text(), b.text()).parse().unwrap();
        match t.resolve(zone) {
            Ok(r) => prop_assert_eq!(r.closed(), Some(TimeSpan { earliest: sa.earliest, latest: sb.latest })),
            Err(e) => prop_assert!(sb.latest <= sa.earliest, "{}: {e}", t.text()),
        }
        let open: WrittenTime = format!("{}/..", a.text()).parse().unwrap();
        let r = open.resolve(zone).unwrap();
        prop_assert_eq!((r.earliest, r.latest), (sa.earliest, None));
    }

    #[test]
    fn the_truth_is_always_inside_the_bounds(t in truth(), impact in 0u8..4) {
        let found = t.evidence();
        prop_assume!(found.is_some());
        let Some(e) = found else { unreachable!() };
        // Truthful evidence never contradicts itself.
        prop_assert!(e.contradictions().is_empty(), "{t:?}: {:?}", e.contradictions());
        let b = e.bounds();
        prop_assert!(b.start_earliest <= t.from && t.from < b.start_latest, "start {t:?} {b:?}");
        prop_assert!(b.end_earliest <= t.to, "end {t:?} {b:?}");
        if let Some(l) = b.end_latest {
            prop_assert!(t.to <= l, "end {t:?} {b:?}");
        }
        let len = (t.to - t.from).num_seconds();
        let outcome = Outcome { impact: impact_of(impact), bounds: b };
        let d = outcome.duration();
        if outcome.impact != Impact::None {
            // Unverified: no minimum, the same maximum.
            prop_assert!(d.min <= len && d.max.is_none_or(|m| len <= m), "{t:?} {d:?}");
        }
    }

    #[test]
    fn an_attack_without_impact_never_counts_toward_downtime(ts in proptest::collection::vec((truth(), 0u8..4), 1..6)) {
        let outcomes: Vec<Outcome> = ts
            .iter()
            .filter_map(|(t, k)| Some(Outcome { impact: impact_of(*k), bounds: t.evidence()?.bounds() }))
            .collect();
        let counted: Vec<Outcome> = outcomes.iter().copied().filter(|o| o.impact != Impact::None).collect();
        prop_assert_eq!(total_downtime(outcomes.iter()), total_downtime(counted.iter()));
        // And a claim never raises the lower bound.
        let verified: Vec<Outcome> = counted.iter().copied().filter(|o| o.impact.is_outage()).collect();
        prop_assert_eq!(total_downtime(counted.iter()).min, total_downtime(verified.iter()).min);
    }
}

/// Minutes from an origin, a few days' worth: small enough that a
/// brute-force count over every minute is cheap.
fn minute(m: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::<chrono::Utc>::UNIX_EPOCH + Duration::minutes(m)
}

/// An outcome drawn directly: impact, S (earliest, latest), E (earliest,
/// latest or open), in minutes.
fn outcome() -> impl Strategy<Value = Outcome> {
    (0u8..4, 0i64..2000, 0i64..300, 0i64..600, 0i64..300, any::<bool>()).prop_map(|(k, s, ds, gap, de, open)| {
        let start_latest = s + ds;
        let end_earliest = s + gap;
        Outcome {
            impact: impact_of(k),
            bounds: Bounds {
                start_earliest: minute(s),
                start_latest: minute(start_latest),
                end_earliest: minute(end_earliest),
                end_latest: (!open).then(|| minute(end_earliest.max(start_latest) + de)),
            },
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(1000)))]

    /// Totals against a brute-force count, minute by minute, of the unions
    /// the format defines: downtime from outage and degraded incidents
    /// only; unverified claims' time apart, less what the outages may cover.
    #[test]
    fn totals_are_the_unions_counted_minute_by_minute(outcomes in proptest::collection::vec(outcome(), 0..8)) {
        let t = totals(outcomes.iter());
        let horizon = 4000;
        let inside = |m: i64, from: chrono::DateTime<chrono::Utc>, to: Option<chrono::DateTime<chrono::Utc>>| {
            minute(m) >= from && to.is_none_or(|to| minute(m) < to)
        };
        let outages: Vec<&Outcome> = outcomes.iter().filter(|o| o.impact.is_outage()).collect();
        let claims: Vec<&Outcome> = outcomes.iter().filter(|o| o.impact == Impact::Unknown).collect();
        let count = |pred: &dyn Fn(i64) -> bool| (0..horizon).filter(|&m| pred(m)).count() as i64 * 60;
        let certain = count(&|m| outages.iter().any(|o| o.bounds.certain().is_some_and(|(a, b)| inside(m, a, Some(b)))));
        prop_assert_eq!(t.downtime.min, certain);
        let open = outages.iter().any(|o| o.bounds.is_ongoing());
        let possible_out = |m: i64| outages.iter().any(|o| inside(m, o.bounds.start_earliest, o.bounds.end_latest));
        match t.downtime.max {
            None => prop_assert!(open),
            Some(max) => {
                prop_assert!(!open);
                prop_assert_eq!(max, count(&possible_out));
            }
        }
        let open_claim = claims.iter().any(|o| o.bounds.is_ongoing());
        match t.unverified_max {
            None => prop_assert!(open_claim),
            Some(max) => {
                prop_assert!(!open_claim);
                let apart = count(&|m| !possible_out(m) && claims.iter().any(|o| inside(m, o.bounds.start_earliest, o.bounds.end_latest)));
                prop_assert_eq!(max, apart);
            }
        }
        prop_assert_eq!(t.has_claims, !claims.is_empty());
    }

    /// How long the attack was seen: the largest start less the smallest
    /// end of the sightings, never negative, whatever their order.
    #[test]
    fn the_attack_seen_is_the_last_start_less_the_first_end(spans in proptest::collection::vec((0i64..5000, 1i64..600), 1..8)) {
        let spans: Vec<TimeSpan> = spans.iter().map(|&(a, d)| TimeSpan { earliest: minute(a), latest: minute(a + d) }).collect();
        let seen = attack_seen(spans.iter().copied().enumerate()).unwrap();
        let last_start = spans.iter().map(|s| s.earliest).max().unwrap();
        let first_end = spans.iter().map(|s| s.latest).min().unwrap();
        prop_assert_eq!(seen.min, (last_start - first_end).num_seconds().max(0));
        prop_assert_eq!(spans[seen.first].latest, first_end);
        prop_assert_eq!(spans[seen.last].earliest, last_start);
        // Reversed, the same length.
        let reversed = attack_seen(spans.iter().rev().copied().enumerate()).unwrap();
        prop_assert_eq!(reversed.min, seen.min);
    }
}
