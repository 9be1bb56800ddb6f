//! Written times and the intervals they denote (docs/format.md, "Times").
//!
//! A record says *when* with the precision that is known: `2024`, `2024-08-25`,
//! `2024-08-25T14:30Z`… A [`WrittenTime`] keeps that text and its fields; once
//! the site's timezone is known it resolves to the half-open [`TimeSpan`] of
//! every instant it may mean. Everything downstream (bounds, aggregates,
//! contradictions) works on spans, never on a single invented instant.
//!
//! Daylight-saving rules, for times written without an offset:
//! - a local time that the clocks skipped (spring forward) denotes nothing and
//!   is an error ([`ResolveError::Skipped`]);
//! - a local time that happens twice (fall back) denotes *both* occurrences:
//!   the span runs from the first to the end of the second, the widest reading,
//!   so the truth is always inside it.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};

/// How much of a time was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precision {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

/// A time as written in a record, e.g. `2024-08-26T15` or `2024-08Z`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenTime {
    text: String,
    precision: Precision,
    /// The first moment of the written unit, on the wall clock of `offset`
    /// (or of the site timezone when there is none).
    start: NaiveDateTime,
    offset: Option<FixedOffset>,
}

/// The half-open interval `[earliest, latest)` of instants a time may mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeSpan {
    pub earliest: DateTime<Utc>,
    pub latest: DateTime<Utc>,
}

/// Why a string is not a time of docs/format.md ("Times").
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a time: {reason}; write `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDTHH`, `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`, optionally followed by `Z` or `+HH:MM`/`-HH:MM`")]
pub struct TimeSyntaxError {
    pub text: String,
    pub reason: String,
}

/// Why a well-formed time denotes no instant in the site's timezone.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("`{text}` does not exist in {zone}: the clocks skipped it at a daylight-saving change; write the time with an explicit offset or pick a time outside the gap")]
    Skipped { text: String, zone: String },
    #[error("`{text}` falls outside the years 0001 to 9999 (in UTC), which every export can write")]
    OutOfRange { text: String },
}

impl TimeSpan {
    /// Whether every instant of `self` comes at or after every instant of `other`.
    pub fn wholly_after(&self, other: &TimeSpan) -> bool {
        self.earliest >= other.latest
    }

    /// Whether every instant of `self` comes before every instant of `other`.
    pub fn wholly_before(&self, other: &TimeSpan) -> bool {
        self.latest <= other.earliest
    }
}

impl WrittenTime {
    /// The text as the record wrote it.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// The time as an HTML `datetime` value, which a `<time>` needs when
    /// its text is not one: as written where HTML has the form; an hour
    /// gets `:00` (HTML has no hour precision), and a year, month or day
    /// drops its offset (HTML's date forms have none).
    pub fn html_datetime(&self) -> String {
        let body = match self.precision {
            Precision::Year => 4,
            Precision::Month => 7,
            Precision::Day => 10,
            Precision::Hour => 13,
            Precision::Minute | Precision::Second => return self.text.clone(),
        };
        let (body, offset) = self.text.split_at(body);
        match self.precision {
            Precision::Hour => format!("{body}:00{offset}"),
            _ => body.to_string(),
        }
    }

    /// The first wall-clock moment after the written unit.
    fn end(&self) -> NaiveDateTime {
        let s = self.start;
        match self.precision {
            Precision::Year => first_of_month(s.year() + 1, 1),
            Precision::Month if s.month() == 12 => first_of_month(s.year() + 1, 1),
            Precision::Month => first_of_month(s.year(), s.month() + 1),
            Precision::Day => s + Duration::days(1),
            Precision::Hour => s + Duration::hours(1),
            Precision::Minute => s + Duration::minutes(1),
            Precision::Second => s + Duration::seconds(1),
        }
    }

    /// The span of instants this time denotes; `zone` applies when the text
    /// has no offset of its own.
    pub fn resolve(&self, zone: Tz) -> Result<TimeSpan, ResolveError> {
        let end = self.end();
        let span = match self.offset {
            Some(offset) => TimeSpan {
                earliest: fixed(offset, self.start),
                latest: fixed(offset, end),
            },
            None => TimeSpan {
                earliest: first_instant_at_or_after(zone, self.start),
                latest: sup_of_instants_before(zone, end),
            },
        };
        let first = NaiveDate::from_ymd_opt(1, 1, 1)
            .unwrap_or(NaiveDate::MIN)
            .and_time(NaiveTime::MIN)
            .and_utc();
        let last = NaiveDate::from_ymd_opt(9999, 12, 31)
            .unwrap_or(NaiveDate::MAX)
            .and_hms_opt(23, 59, 59)
            .unwrap_or(NaiveDateTime::MAX)
            .and_utc();
        if span.earliest < first || span.latest > last {
            return Err(ResolveError::OutOfRange {
                text: self.text.clone(),
            });
        }
        if span.earliest >= span.latest {
            return Err(ResolveError::Skipped {
                text: self.text.clone(),
                zone: zone.name().to_string(),
            });
        }
        Ok(span)
    }
}

fn first_of_month(year: i32, month: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(year, month, 1)
        .unwrap_or(NaiveDate::MAX)
        .and_time(NaiveTime::MIN)
}

fn fixed(offset: FixedOffset, local: NaiveDateTime) -> DateTime<Utc> {
    (local - offset).and_utc()
}

/// The earliest instant whose wall-clock time in `zone` is at or after `local`.
fn first_instant_at_or_after(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // Inside a gap: the first wall-clock minute after it is the
            // moment of the change. Gaps last hours at most; a day bounds it.
            let mut probe = local;
            for _ in 0..(24 * 60) {
                probe += Duration::minutes(1);
                if let Some(t) = zone.from_local_datetime(&probe).earliest() {
                    let change = t.with_timezone(&Utc);
                    // Minutes may overshoot a change at an odd second.
                    return change - Duration::seconds(i64::from(probe.second_of_minute()));
                }
            }
            fixed(FixedOffset::east_opt(0).expect("zero offset"), local)
        }
    }
}

/// The supremum of the instants whose wall-clock time in `zone` is before
/// `local`: the exclusive end of a span that ends at `local`.
fn sup_of_instants_before(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => {
            // If the second before is also repeated, the clock passes
            // `local` twice from below: the later pass ends the span.
            let before = local - Duration::seconds(1);
            let repeated = matches!(zone.from_local_datetime(&before), LocalResult::Ambiguous(..));
            if repeated { a.max(b) } else { a.min(b) }.with_timezone(&Utc)
        }
        LocalResult::None => first_instant_at_or_after(zone, local),
    }
}

trait SecondOfMinute {
    fn second_of_minute(&self) -> u32;
}

impl SecondOfMinute for NaiveDateTime {
    fn second_of_minute(&self) -> u32 {
        chrono::Timelike::second(self)
    }
}

impl FromStr for WrittenTime {
    type Err = TimeSyntaxError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse(text).map_err(|reason| TimeSyntaxError {
            text: text.to_string(),
            reason,
        })
    }
}

/// Parses the time forms of docs/format.md ("Times"); the error is the reason, for a message.
fn parse(text: &str) -> Result<WrittenTime, String> {
    let (body, offset) = split_offset(text)?;
    let bytes = body.as_bytes();
    let number = |from: usize, len: usize, what: &str| -> Result<u32, String> {
        let part = body
            .get(from..from + len)
            .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| format!("the {what} must be {len} digits"))?;
        part.parse::<u32>().map_err(|_| format!("bad {what}"))
    };
    let expect = |at: usize, sep: u8, after: &str| -> Result<(), String> {
        match bytes.get(at) {
            Some(&b) if b == sep => Ok(()),
            _ => Err(format!("expected `{}` after the {after}", sep as char)),
        }
    };
    let year = number(0, 4, "year")?;
    if year == 0 {
        return Err("the year must be from 0001 to 9999 (there is no year 0000)".into());
    }
    let mut precision = Precision::Year;
    let (mut month, mut day, mut hour, mut minute, mut second) = (1, 1, 0, 0, 0);
    let mut at = 4;
    if bytes.len() > at {
        expect(at, b'-', "year")?;
        month = number(at + 1, 2, "month")?;
        precision = Precision::Month;
        at += 3;
    }
    if bytes.len() > at {
        expect(at, b'-', "month")?;
        day = number(at + 1, 2, "day")?;
        precision = Precision::Day;
        at += 3;
    }
    if bytes.len() > at {
        expect(at, b'T', "date")?;
        hour = number(at + 1, 2, "hour")?;
        precision = Precision::Hour;
        at += 3;
    }
    if bytes.len() > at {
        expect(at, b':', "hour")?;
        minute = number(at + 1, 2, "minute")?;
        precision = Precision::Minute;
        at += 3;
    }
    if bytes.len() > at {
        expect(at, b':', "minutes")?;
        second = number(at + 1, 2, "second")?;
        precision = Precision::Second;
        at += 3;
    }
    if bytes.len() > at {
        return Err(format!(
            "unexpected `{}` after the {}",
            &body[at..],
            match precision {
                Precision::Second => "seconds (fractions of a second are not supported)",
                _ => "time",
            }
        ));
    }
    if !(1..=12).contains(&month) {
        return Err(format!("month {month} is not 01–12"));
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)
        .ok_or_else(|| format!("{year:04}-{month:02} has no day {day}"))?;
    if hour > 23 {
        return Err(format!("hour {hour} is not 00–23"));
    }
    if minute > 59 {
        return Err(format!("minute {minute} is not 00–59"));
    }
    if second > 59 {
        return Err(format!("second {second} is not 00–59"));
    }
    let time = NaiveTime::from_hms_opt(hour, minute, second).ok_or("bad time of day")?;
    Ok(WrittenTime {
        text: text.to_string(),
        precision,
        start: date.and_time(time),
        offset,
    })
}

/// Splits `Z` or `±HH:MM` off the end of a time.
fn split_offset(text: &str) -> Result<(&str, Option<FixedOffset>), String> {
    if text.is_empty() {
        return Err("it is empty".into());
    }
    if !text.is_ascii() {
        return Err("it contains non-ASCII characters".into());
    }
    if let Some(body) = text.strip_suffix('Z') {
        return Ok((body, Some(FixedOffset::east_opt(0).expect("zero offset"))));
    }
    // An offset is the last 6 characters `±HH:MM`, after the year at least.
    if text.len() >= 10 {
        let (body, tail) = text.split_at(text.len() - 6);
        let t = tail.as_bytes();
        if (t[0] == b'+' || t[0] == b'-') && t[3] == b':' {
            let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
            let (hh, mm) = (&tail[1..3], &tail[4..6]);
            if !digits(hh) || !digits(mm) {
                return Err(format!("bad offset `{tail}`"));
            }
            let (h, m): (i32, i32) = (hh.parse().unwrap_or(99), mm.parse().unwrap_or(99));
            if h > 23 || m > 59 {
                return Err(format!("offset `{tail}` is out of range"));
            }
            let seconds = (h * 3600 + m * 60) * if t[0] == b'-' { -1 } else { 1 };
            let offset = FixedOffset::east_opt(seconds).ok_or("offset out of range")?;
            return Ok((body, Some(offset)));
        }
    }
    Ok((text, None))
}

impl fmt::Display for WrittenTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for WrittenTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = WrittenTime;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a time such as `2024-08-25` or `2024-08-25T14:30+02:00`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<WrittenTime, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<WrittenTime, E> {
                // An unquoted `2024` arrives as a number.
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<WrittenTime, E> {
                self.visit_str(&v.to_string())
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// Formats an instant as RFC 3339 in UTC with second precision, as every
/// export does.
pub fn rfc3339(t: DateTime<Utc>) -> String {
    // Written by hand: exports format several instants per incident, and
    // `format!` showed up in profiles.
    use chrono::Timelike;
    let mut out = String::with_capacity(20);
    push_date_time(&mut out, (t.year(), t.month(), t.day()), 'T', (t.hour(), t.minute()));
    out.push(':');
    push_digits(&mut out, t.second(), 2);
    out.push('Z');
    out
}

/// Formats an instant on the wall clock of `zone`, for readers.
pub fn local_text(t: DateTime<Utc>, zone: Tz) -> String {
    use chrono::Timelike;
    use std::fmt::Write;
    let local = t.with_timezone(&zone);
    let mut out = String::with_capacity(24);
    push_date_time(
        &mut out,
        (local.year(), local.month(), local.day()),
        ' ',
        (local.hour(), local.minute()),
    );
    out.push(' ');
    let _ = write!(out, "{}", local.offset());
    out
}

/// `YYYY-MM-DD`, the separator, `HH:MM`.
fn push_date_time(out: &mut String, (year, month, day): (i32, u32, u32), separator: char, (hour, minute): (u32, u32)) {
    if (0..=9999).contains(&year) {
        push_digits(out, year as u32, 4);
    } else {
        out.push_str(&format!("{year:04}"));
    }
    out.push('-');
    push_digits(out, month, 2);
    out.push('-');
    push_digits(out, day, 2);
    out.push(separator);
    push_digits(out, hour, 2);
    out.push(':');
    push_digits(out, minute, 2);
}

/// `n` in `width` decimal digits, zero-padded (`n` < 10^width).
fn push_digits(out: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        out.push(char::from(b'0' + (n / 10u32.pow(place) % 10) as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paris() -> Tz {
        "Europe/Paris".parse().unwrap()
    }

    fn span(text: &str, zone: Tz) -> (String, String) {
        let s = text.parse::<WrittenTime>().unwrap().resolve(zone).unwrap();
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
            ("2024-08-25T14+2", "expected `:` after the hour"),
            ("2024-08-25T14+25:00", "out of range"),
            ("yesterday", "year must be 4 digits"),
        ] {
            let err = text.parse::<WrittenTime>().unwrap_err().to_string();
            assert!(err.contains(reason), "{text:?}: {err}");
        }
    }
}
