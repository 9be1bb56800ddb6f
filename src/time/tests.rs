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

/// The rows of a table of spans, one a line: the time as written, the
/// zone, the earliest and latest instants (UTC); `#` starts a comment.
fn span_rows(table: &str) -> Vec<(&str, Tz, &str, &str)> {
    let lines = table.lines().map(|line| line.split('#').next().unwrap_or("").trim());
    lines
        .filter(|line| !line.is_empty())
        .map(|line| match line.split_whitespace().collect::<Vec<_>>()[..] {
            [text, zone, from, to] => (text, zone.parse().unwrap(), from, to),
            _ => panic!("not a row of four columns: {line}"),
        })
        .collect()
}

/// Checks that each row's time spans from its earliest to its latest.
fn assert_spans(table: &str) {
    for (text, zone, from, to) in span_rows(table) {
        assert_eq!(span(text, zone), (from.to_string(), to.to_string()), "{text} in {zone}");
    }
}

#[test]
fn every_precision_denotes_its_whole_unit() {
    assert_spans(
        "
        2024                 UTC  2024-01-01T00:00:00Z  2025-01-01T00:00:00Z
        2024-12              UTC  2024-12-01T00:00:00Z  2025-01-01T00:00:00Z
        2024-02              UTC  2024-02-01T00:00:00Z  2024-03-01T00:00:00Z
        2024-08-25           UTC  2024-08-25T00:00:00Z  2024-08-26T00:00:00Z
        2024-08-25T14        UTC  2024-08-25T14:00:00Z  2024-08-25T15:00:00Z
        2024-08-25T14:30     UTC  2024-08-25T14:30:00Z  2024-08-25T14:31:00Z
        2024-08-25T14:30:15  UTC  2024-08-25T14:30:15Z  2024-08-25T14:30:16Z
        ",
    );
}

#[test]
fn offsets_override_the_zone_and_local_times_follow_daylight_saving() {
    assert_spans(
        "
        # A written offset wins over the zone.
        2024-08-25T14Z          Europe/Paris  2024-08-25T14:00:00Z  2024-08-25T15:00:00Z
        2024-08-25+02:00        UTC           2024-08-24T22:00:00Z  2024-08-25T22:00:00Z
        2024-08-25T01:30-05:30  UTC           2024-08-25T07:00:00Z  2024-08-25T07:01:00Z
        # Summer in Paris: UTC+2.
        2024-08-25              Europe/Paris  2024-08-24T22:00:00Z  2024-08-25T22:00:00Z
        # The day clocks spring forward lasts 23 h; the day they fall back, 25 h.
        2024-03-31              Europe/Paris  2024-03-30T23:00:00Z  2024-03-31T22:00:00Z
        2024-10-27              Europe/Paris  2024-10-26T22:00:00Z  2024-10-27T23:00:00Z
        # 02:00-03:00 that day happens at 00:00Z (CEST) and again at 01:00Z
        # (CET): the hour covers both. The hour before the repeat happens once.
        2024-10-27T02           Europe/Paris  2024-10-27T00:00:00Z  2024-10-27T02:00:00Z
        2024-10-27T02:30        Europe/Paris  2024-10-27T00:30:00Z  2024-10-27T01:31:00Z
        2024-10-27T01           Europe/Paris  2024-10-26T23:00:00Z  2024-10-27T00:00:00Z
        ",
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
    assert_spans("2024-03-31T01  Europe/Paris  2024-03-31T00:00:00Z  2024-03-31T01:00:00Z");
}

#[test]
fn malformed_times_say_why_and_what_to_write() {
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
        ("../2024-08-25", "needs a start"),
        ("/2024-08-25", "needs a start"),
        ("2024-08-25/", "has no end"),
        ("2024-08-25/2024-08-26/2024-08-27", "one `/`"),
        ("2024-08-25/tomorrow", "its end `tomorrow`"),
        ("2024-8-25/2024-08-26", "its start `2024-8-25`"),
        // What people type gets what to write.
        ("10/10/2022", "write the year first: `2022-10-10`"),
        ("25/08/2024", "write the year first: `2024-08-25`"),
        ("08/25/2024", "write the year first: `2024-08-25`"),
        ("03.04.2022", "`2022-03-04` or `2022-04-03`, whichever is meant"),
        ("2024-08-25T14:30 CDT", "`CDT` is a zone abbreviation"),
        ("14:30 CEST", "`CEST` is a zone abbreviation"),
        // The usual meaning and offset, with the user's own time rewritten.
        (
            "2023-06-05T09:00 PDT",
            "usually Pacific Daylight Time (North America), UTC−07:00",
        ),
        ("2023-06-05T09:00 PDT", "write `2023-06-05T09:00-07:00`"),
        ("2024-08-25T14:30 cest", "write `2024-08-25T14:30+02:00`"),
        ("2024-08-25T14 IST", "UTC+05:30"),
        ("2024-08-25T14:30 XYZT", "abbreviations are ambiguous"),
        ("2024-08-25T06:00-0700", "write the offset as ±HH:MM, e.g. `-07:00`"),
        ("2024-08-25T14+5", "write the offset as ±HH:MM, e.g. `+05:00`"),
        ("2024-08-25T14+05", "write the offset as ±HH:MM, e.g. `+05:00`"),
    ] {
        let err = text.parse::<WrittenTime>().unwrap_err().to_string();
        assert!(err.contains(reason), "{text:?}: {err}");
    }
}

#[test]
fn an_interval_runs_from_the_start_of_a_to_the_end_of_b() {
    let table = "
        # Over the weekend, in Paris (summer time).
        2024-08-24/2024-08-25               Europe/Paris  2024-08-23T22:00:00Z  2024-08-25T22:00:00Z
        # Monday afternoon.
        2024-08-26T12/2024-08-26T18         Europe/Paris  2024-08-26T10:00:00Z  2024-08-26T17:00:00Z
        # Offsets on either side, each applying to its own side only.
        2024-08-26T12/2024-08-26T17-04:00   Europe/Paris  2024-08-26T10:00:00Z  2024-08-26T22:00:00Z
        2024-08-26T12Z/2024-08-26T13+02:00  Europe/Paris  2024-08-26T12:00:00Z  2024-08-26T12:00:00Z
        # Mixed precisions.
        2024-08/2024-08-26T09:30            Europe/Paris  2024-07-31T22:00:00Z  2024-08-26T07:31:00Z
        2024/2025                           Europe/Paris  2023-12-31T23:00:00Z  2025-12-31T23:00:00Z
        # The same time on both sides is that time.
        2024-08-25/2024-08-25               Europe/Paris  2024-08-24T22:00:00Z  2024-08-25T22:00:00Z
    ";
    for (text, zone, from, to) in span_rows(table) {
        let t: WrittenTime = text.parse().unwrap();
        match t.resolve(zone) {
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
fn an_interval_has_the_html_datetime_of_its_start() {
    let t: WrittenTime = "2024-08-26T12/2024-08-26T17-04:00".parse().unwrap();
    assert_eq!(t.html_datetime(), "2024-08-26T12:00");
    let t: WrittenTime = "2024-08-24/..".parse().unwrap();
    assert_eq!(t.html_datetime(), "2024-08-24");
}

#[test]
fn the_forms_themselves_are_not_mistaken_for_mistakes() {
    for text in [
        "2024-08-25",
        "2024-08-25T14-05:00",
        "2024-08-25/2024-08-26",
        "2024-08-25T14:30Z",
    ] {
        assert!(text.parse::<WrittenTime>().is_ok(), "{text}");
    }
}
