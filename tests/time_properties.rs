//! Property tests of the time model (docs/format.md, "Times"): parsing, bounds, aggregates.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use proptest::prelude::*;

/// Cases per property: `PROPTEST_CASES` when set (for longer runs), else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
use sitrep::bounds::{total_downtime, union_seconds, Bounds, Evidence};
use sitrep::time::{TimeSpan, WrittenTime};

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
        self.text().parse::<WrittenTime>().unwrap().resolve(zone).ok()
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
    #![proptest_config(ProptestConfig::with_cases(cases(2000)))]

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
        match t.resolve(zone) {
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
        let Some(coarse) = c.evidence() else { return Ok(()) };
        let mut fine = c.clone();
        match which {
            0 => fine.started = c.started.refine(extra, pick),
            1 => fine.ended = c.ended.as_ref().map(|e| e.refine(extra, pick)),
            k => if let Some(o) = fine.observations.get_mut(k - 2) { o.0 = o.0.refine(extra, pick) },
        }
        let Some(mut fine_e) = fine.evidence() else { return Ok(()) };
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
        let total = total_downtime(bounds.iter());
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
