//! Unit tests of written times and their spans.
use super::*;

fn paris() -> Tz {
    "Europe/Paris".parse().unwrap()
}

fn span(text: &str, zone: Tz) -> (String, String) {
    let s = text
        .parse::<WrittenTime>()
        .unwrap()
        .resolve(zone)
        .unwrap()
        .closed()
        .unwrap();
    (rfc3339(s.earliest), rfc3339(s.latest))
}

#[test]
fn every_form_has_a_valid_html_datetime() {
    for (written, html) in [
        ("2024", "2024"),
        ("2024Z", "2024"),
        ("2024-08", "2024-08"),
        ("2024-08-25", "2024-08-25"),
        ("2024-08-25+02:00", "2024-08-25"),
        ("2024-08-25T14", "2024-08-25T14:00"),
        ("2024-08-25T14Z", "2024-08-25T14:00Z"),
        ("2024-08-25T14-05:30", "2024-08-25T14:00-05:30"),
        ("2024-08-25T14:30", "2024-08-25T14:30"),
        ("2024-08-25T14:30:15+02:00", "2024-08-25T14:30:15+02:00"),
    ] {
        let t: WrittenTime = written.parse().unwrap();
        assert_eq!(t.html_datetime(), html, "{written}");
    }
}

#[test]
fn every_precision_denotes_its_whole_unit() {
    let utc = Tz::UTC;
    let cases = [
        ("2024", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
        ("2024-12", "2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z"),
        ("2024-02", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"),
        ("2024-08-25", "2024-08-25T00:00:00Z", "2024-08-26T00:00:00Z"),
        ("2024-08-25T14", "2024-08-25T14:00:00Z", "2024-08-25T15:00:00Z"),
        ("2024-08-25T14:30", "2024-08-25T14:30:00Z", "2024-08-25T14:31:00Z"),
        ("2024-08-25T14:30:15", "2024-08-25T14:30:15Z", "2024-08-25T14:30:16Z"),
    ];
    for (text, from, to) in cases {
        assert_eq!(span(text, utc), (from.into(), to.into()), "{text}");
    }
}

#[test]
fn offsets_override_the_zone() {
    assert_eq!(
        span("2024-08-25T14Z", paris()),
        ("2024-08-25T14:00:00Z".into(), "2024-08-25T15:00:00Z".into())
    );
    assert_eq!(
        span("2024-08-25+02:00", Tz::UTC),
        ("2024-08-24T22:00:00Z".into(), "2024-08-25T22:00:00Z".into())
    );
    assert_eq!(
        span("2024-08-25T01:30-05:30", Tz::UTC),
        ("2024-08-25T07:00:00Z".into(), "2024-08-25T07:01:00Z".into())
    );
}

#[test]
fn local_times_follow_daylight_saving() {
    // Summer: UTC+2.
    assert_eq!(
        span("2024-08-25", paris()),
        ("2024-08-24T22:00:00Z".into(), "2024-08-25T22:00:00Z".into())
    );
    // The day clocks spring forward lasts 23 h.
    assert_eq!(
        span("2024-03-31", paris()),
        ("2024-03-30T23:00:00Z".into(), "2024-03-31T22:00:00Z".into())
    );
    // The day clocks fall back lasts 25 h.
    assert_eq!(
        span("2024-10-27", paris()),
        ("2024-10-26T22:00:00Z".into(), "2024-10-27T23:00:00Z".into())
    );
}

#[test]
fn repeated_local_hour_covers_both_occurrences() {
    // 02:00–03:00 happens at 00:00Z (CEST) and again at 01:00Z (CET).
    assert_eq!(
        span("2024-10-27T02", paris()),
        ("2024-10-27T00:00:00Z".into(), "2024-10-27T02:00:00Z".into())
    );
    assert_eq!(
        span("2024-10-27T02:30", paris()),
        ("2024-10-27T00:30:00Z".into(), "2024-10-27T01:31:00Z".into())
    );
    // The hour before the repeat happens once.
    assert_eq!(
        span("2024-10-27T01", paris()),
        ("2024-10-26T23:00:00Z".into(), "2024-10-27T00:00:00Z".into())
    );
}

#[test]
fn skipped_local_time_is_an_error() {
    let t: WrittenTime = "2024-03-31T02:30".parse().unwrap();
    let err = t.resolve(paris()).unwrap_err();
    assert!(err.to_string().contains("does not exist in Europe/Paris"), "{err}");
    assert!("2024-03-31T02"
        .parse::<WrittenTime>()
        .unwrap()
        .resolve(paris())
        .is_err());
    // The hour that ends at the gap is fine and lasts an hour.
    assert_eq!(
        span("2024-03-31T01", paris()),
        ("2024-03-31T00:00:00Z".into(), "2024-03-31T01:00:00Z".into())
    );
}

#[test]
fn malformed_times_say_why() {
    for (text, reason) in [
        ("", "empty"),
        ("24-08-25", "year must be 4 digits"),
        ("2024-13", "month 13"),
        ("2024-02-30", "has no day 30"),
        ("2024-08-25 14:00", "expected `T`"),
        ("2024-08-25T24", "hour 24"),
        ("2024-08-25T14:30:15.5", "fractions"),
        ("2024-08-25T14+2", "write the offset as ±HH:MM, e.g. `+02:00`"),
        ("2024-08-25T14+25:00", "out of range"),
        ("yesterday", "year must be 4 digits"),
    ] {
        let err = text.parse::<WrittenTime>().unwrap_err().to_string();
        assert!(err.contains(reason), "{text:?}: {err}");
    }
}

#[test]
fn an_interval_runs_from_the_start_of_a_to_the_end_of_b() {
    let cases = [
        // "Over the weekend", in Paris (summer time).
        ("2024-08-24/2024-08-25", "2024-08-23T22:00:00Z", "2024-08-25T22:00:00Z"),
        // "Monday afternoon".
        (
            "2024-08-26T12/2024-08-26T18",
            "2024-08-26T10:00:00Z",
            "2024-08-26T17:00:00Z",
        ),
        // Offsets on either side, each applying to its own side only.
        (
            "2024-08-26T12/2024-08-26T17-04:00",
            "2024-08-26T10:00:00Z",
            "2024-08-26T22:00:00Z",
        ),
        (
            "2024-08-26T12Z/2024-08-26T13+02:00",
            "2024-08-26T12:00:00Z",
            "2024-08-26T12:00:00Z",
        ),
        // Mixed precisions.
        (
            "2024-08/2024-08-26T09:30",
            "2024-07-31T22:00:00Z",
            "2024-08-26T07:31:00Z",
        ),
        ("2024/2025", "2023-12-31T23:00:00Z", "2025-12-31T23:00:00Z"),
        // The same time on both sides is that time.
        ("2024-08-25/2024-08-25", "2024-08-24T22:00:00Z", "2024-08-25T22:00:00Z"),
    ];
    for (text, from, to) in cases {
        let t: WrittenTime = text.parse().unwrap();
        match t.resolve(paris()) {
            Ok(r) => assert_eq!(
                (rfc3339(r.earliest), r.latest.map(rfc3339)),
                (from.to_string(), Some(to.to_string())),
                "{text}"
            ),
            // 13:00+02:00 ends at 12:00Z: empty.
            Err(e) => assert!(from == to && e.to_string().contains("is empty"), "{text}: {e}"),
        }
        assert!(!t.is_open());
    }
}

#[test]
fn an_open_interval_runs_to_as_of() {
    let t: WrittenTime = "2024-08-25T20/..".parse().unwrap();
    assert!(t.is_open());
    let r = t.resolve(paris()).unwrap();
    assert_eq!(rfc3339(r.earliest), "2024-08-25T18:00:00Z");
    assert_eq!(r.latest, None);
    assert_eq!(r.closed(), None);
    let as_of = "2024-08-26T22:00:00Z".parse::<DateTime<Utc>>().unwrap();
    assert_eq!(
        r.close(as_of),
        TimeSpan {
            earliest: r.earliest,
            latest: as_of
        }
    );
    // With an offset.
    let r = "2024-08-25T20-05:00/.."
        .parse::<WrittenTime>()
        .unwrap()
        .resolve(paris())
        .unwrap();
    assert_eq!(rfc3339(r.earliest), "2024-08-26T01:00:00Z");
}

#[test]
fn an_empty_or_reversed_interval_is_an_error() {
    for text in [
        "2024-08-26/2024-08-25",
        "2024-08-26T12/2024-08-26T11",
        "2024-08-26T12+02:00/2024-08-26T09Z",
    ] {
        let err = text
            .parse::<WrittenTime>()
            .unwrap()
            .resolve(paris())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("is empty") && err.contains("write the earlier time first"),
            "{text}: {err}"
        );
    }
    // One side in a gap of the clocks is reported as such.
    let err = "2024-03-31T02:30/2024-04"
        .parse::<WrittenTime>()
        .unwrap()
        .resolve(paris())
        .unwrap_err();
    assert!(err.to_string().contains("`2024-03-31T02:30` does not exist"), "{err}");
}

#[test]
fn malformed_intervals_say_why() {
    for (text, reason) in [
        ("../2024-08-25", "needs a start"),
        ("/2024-08-25", "needs a start"),
        ("2024-08-25/", "has no end"),
        ("2024-08-25/2024-08-26/2024-08-27", "one `/`"),
        ("2024-08-25/tomorrow", "its end `tomorrow`"),
        ("2024-8-25/2024-08-26", "its start `2024-8-25`"),
    ] {
        let err = text.parse::<WrittenTime>().unwrap_err().to_string();
        assert!(err.contains(reason), "{text:?}: {err}");
    }
}

#[test]
fn an_interval_has_the_html_datetime_of_its_start() {
    let t: WrittenTime = "2024-08-26T12/2024-08-26T17-04:00".parse().unwrap();
    assert_eq!(t.html_datetime(), "2024-08-26T12:00");
    let t: WrittenTime = "2024-08-24/..".parse().unwrap();
    assert_eq!(t.html_datetime(), "2024-08-24");
}

#[test]
fn what_people_type_gets_what_to_write() {
    for (text, says) in [
        ("10/10/2022", "write the year first: `2022-10-10`"),
        ("25/08/2024", "write the year first: `2024-08-25`"),
        ("08/25/2024", "write the year first: `2024-08-25`"),
        ("03.04.2022", "`2022-03-04` or `2022-04-03`, whichever is meant"),
        ("2024-08-25T14:30 CDT", "`CDT` is a zone abbreviation"),
        ("14:30 CEST", "`CEST` is a zone abbreviation"),
        ("2024-08-25T06:00-0700", "write the offset as ±HH:MM, e.g. `-07:00`"),
        ("2024-08-25T14+5", "write the offset as ±HH:MM, e.g. `+05:00`"),
        ("2024-08-25T14+05", "write the offset as ±HH:MM, e.g. `+05:00`"),
    ] {
        let err = text.parse::<WrittenTime>().unwrap_err().to_string();
        assert!(err.contains(says), "{text}: {err}");
    }
    // The forms themselves are not mistaken for mistakes.
    for text in [
        "2024-08-25",
        "2024-08-25T14-05:00",
        "2024-08-25/2024-08-26",
        "2024-08-25T14:30Z",
    ] {
        assert!(text.parse::<WrittenTime>().is_ok(), "{text}");
    }
}
