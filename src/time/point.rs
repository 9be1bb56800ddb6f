//! One written time (`2024-08-25T14+02:00`): its fields, and the instants
//! its unit covers on a fixed offset or on a zone's wall clock.
//!
//! Daylight-saving rules, for times written without an offset:
//! - a local time that the clocks skipped (spring forward) denotes nothing
//!   (the caller reports it);
//! - a local time that happens twice (fall back) denotes *both* occurrences:
//!   the span runs from the first to the end of the second, the widest
//!   reading, so the truth is always inside it.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;

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

/// One time as written, without its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Point {
    pub precision: Precision,
    /// The first moment of the written unit, on the wall clock of `offset`
    /// (or of the site timezone when there is none).
    pub start: NaiveDateTime,
    pub offset: Option<FixedOffset>,
}

impl Point {
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

    /// The instants the unit covers, `[earliest, latest)`; `zone` applies
    /// when there is no offset. Empty when the clocks skipped the unit.
    pub fn instants(&self, zone: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let end = self.end();
        match self.offset {
            Some(offset) => (fixed(offset, self.start), fixed(offset, end)),
            None => (
                first_instant_at_or_after(zone, self.start),
                sup_of_instants_before(zone, end),
            ),
        }
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

/// Parses one time form of docs/format.md ("Times"); the error is the reason, for a message.
pub(super) fn parse(text: &str) -> Result<Point, String> {
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
    // Each part after the year: the separator before it, what it follows,
    // its name, and the precision a time that ends with it has.
    const PARTS: [(u8, &str, &str, Precision); 5] = [
        (b'-', "year", "month", Precision::Month),
        (b'-', "month", "day", Precision::Day),
        (b'T', "date", "hour", Precision::Hour),
        (b':', "hour", "minute", Precision::Minute),
        (b':', "minutes", "second", Precision::Second),
    ];
    let mut precision = Precision::Year;
    let mut values = [1, 1, 0, 0, 0];
    let mut at = 4;
    for (value, (sep, after, name, ends)) in values.iter_mut().zip(PARTS) {
        if bytes.len() <= at {
            break;
        }
        expect(at, sep, after)?;
        *value = number(at + 1, 2, name)?;
        precision = ends;
        at += 3;
    }
    let [month, day, hour, minute, second] = values;
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
    Ok(Point {
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
