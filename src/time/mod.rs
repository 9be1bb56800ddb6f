//! Written times and the intervals they denote (docs/format.md, "Times").
//!
//! A record says *when* with the precision that is known: `2024`,
//! `2024-08-25`, `2024-08-25T14:30Z`…, or, where only a range is known, an
//! interval `A/B` ("over the weekend": `2024-08-24/2024-08-25`) or `A/..`
//! ("at A or later"). A [`WrittenTime`] keeps that text and its fields; once
//! the site's timezone is known it resolves to a [`Resolved`] span, closed
//! into a half-open [`TimeSpan`] once `as_of` is known. Everything downstream
//! (bounds, aggregates, contradictions) works on spans, never on a single
//! invented instant. Daylight saving: see [`point`].

use std::fmt;
use std::str::FromStr;

use crate::diagnostics::HELP;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

mod point;

use point::Point;
pub use point::Precision;

/// A time as written in a record, e.g. `2024-08-26T15`, `2024-08Z`,
/// `2024-08-24/2024-08-25` or `2024-08-25T20/..`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenTime {
    text: String,
    from: Point,
    to: Until,
}

/// Where a written time ends.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Until {
    /// A single time: the end of its own unit.
    Itself,
    /// `A/B`: the end of B's unit.
    Point(Point),
    /// `A/..`: `as_of`.
    AsOf,
}

/// The half-open interval `[earliest, latest)` of instants a time may mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeSpan {
    pub earliest: DateTime<Utc>,
    pub latest: DateTime<Utc>,
}

/// A time resolved in the site's zone, before `as_of` is known: `latest`
/// is `None` for `A/..`, which runs to `as_of`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub earliest: DateTime<Utc>,
    pub latest: Option<DateTime<Utc>>,
}

impl Resolved {
    /// The span, with an open end closed at `as_of`. An open time that
    /// starts at or after `as_of` gives an empty span: `validate` reports
    /// every time wholly after `as_of` as an error before it is used.
    pub fn close(self, as_of: DateTime<Utc>) -> TimeSpan {
        TimeSpan {
            earliest: self.earliest,
            latest: self.latest.unwrap_or(as_of),
        }
    }

    /// The span, for a time that does not depend on `as_of`.
    pub fn closed(self) -> Option<TimeSpan> {
        self.latest.map(|latest| TimeSpan {
            earliest: self.earliest,
            latest,
        })
    }
}

/// Why a string is not a time of docs/format.md ("Times").
///
/// The text after [`HELP`] is what to write instead: the message shows it
/// on its own `help:` line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a time: {reason}{HELP}{help}")]
pub struct TimeSyntaxError {
    pub text: String,
    pub reason: String,
    pub help: String,
}

/// What to write for a time that is none of the forms.
const TIME_FORMS: &str = "write `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDTHH`, `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS`, optionally followed by `Z` or `+HH:MM`/`-HH:MM`, or an interval `A/B` or `A/..` of two such times";

/// Why a well-formed time denotes no instant in the site's timezone.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    #[error("`{text}` does not exist in {zone}: the clocks skipped it at a daylight-saving change; write the time with an explicit offset or pick a time outside the gap")]
    Skipped { text: String, zone: String },
    #[error("`{text}` falls outside the years 0001 to 9999 (in UTC), which every export can write")]
    OutOfRange { text: String },
    #[error(
        "the interval `{text}` is empty: it ends ({end}) before it begins ({start}); write the earlier time first"
    )]
    Empty { text: String, start: String, end: String },
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

    /// Whether the time is `A/..`, running to `as_of`.
    pub fn is_open(&self) -> bool {
        self.to == Until::AsOf
    }

    /// The time as an HTML `datetime` value, which a `<time>` needs when
    /// its text is not one: as written where HTML has the form; an hour
    /// gets `:00` (HTML has no hour precision), and a year, month or day
    /// drops its offset (HTML's date forms have none). HTML has no
    /// interval: an interval gives the value of its first side, the
    /// earliest it may mean.
    pub fn html_datetime(&self) -> String {
        let first = self.text.split('/').next().unwrap_or(&self.text);
        let body = match self.from.precision {
            Precision::Year => 4,
            Precision::Month => 7,
            Precision::Day => 10,
            Precision::Hour => 13,
            Precision::Minute | Precision::Second => return first.to_string(),
        };
        let (body, offset) = first.split_at(body);
        match self.from.precision {
            Precision::Hour => format!("{body}:00{offset}"),
            _ => body.to_string(),
        }
    }

    /// The instants this time denotes; `zone` applies to each side that has
    /// no offset of its own. `A/B` is `[A.earliest, B.latest)`; `A/..` is
    /// open until `as_of` is known.
    pub fn resolve(&self, zone: Tz) -> Result<Resolved, ResolveError> {
        let side = |p: &Point, text: &str| -> Result<(DateTime<Utc>, DateTime<Utc>), ResolveError> {
            let (earliest, latest) = p.instants(zone);
            if earliest < first_instant() || latest > last_instant() {
                return Err(ResolveError::OutOfRange { text: text.to_string() });
            }
            if earliest >= latest {
                return Err(ResolveError::Skipped {
                    text: text.to_string(),
                    zone: zone.name().to_string(),
                });
            }
            Ok((earliest, latest))
        };
        let (a, b) = self.text.split_once('/').unwrap_or((&self.text, ""));
        let (earliest, own_latest) = side(&self.from, a)?;
        let latest = match &self.to {
            Until::Itself => Some(own_latest),
            Until::AsOf => None,
            Until::Point(to) => {
                let (_, latest) = side(to, b)?;
                if latest <= earliest {
                    return Err(ResolveError::Empty {
                        text: self.text.clone(),
                        start: rfc3339(earliest),
                        end: rfc3339(latest),
                    });
                }
                Some(latest)
            }
        };
        Ok(Resolved { earliest, latest })
    }
}

/// What people type instead of the time forms, why it is not one and what
/// to write: a date in day/month order, a zone abbreviation, an offset
/// without its colon or its minutes.
fn common_mistake(text: &str) -> Option<(String, String)> {
    let t = text.trim();
    // 10/10/2022, 25.08.2024, 08-25-2024: the year last.
    let parts: Vec<&str> = t.split(['/', '.', '-']).collect();
    let number = |p: &str| {
        (!p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    if let [a, b, y] = parts[..] {
        if let (Some(a), Some(b), true) = (
            number(a),
            number(b),
            y.len() == 4 && y.bytes().all(|c| c.is_ascii_digit()),
        ) {
            let write = match (a > 12, b > 12) {
                (true, false) => format!("`{y}-{b:02}-{a:02}`"),
                (false, true) => format!("`{y}-{a:02}-{b:02}`"),
                _ if a == b => format!("`{y}-{a:02}-{b:02}`"),
                _ => format!("`{y}-{a:02}-{b:02}` or `{y}-{b:02}-{a:02}`, whichever is meant"),
            };
            return Some((
                "the day and month come in a different order from one country to another".into(),
                format!("write the year first: {write}"),
            ));
        }
    }
    t.split('/').find_map(point_mistake)
}

/// The common zone abbreviations, what they usually mean and their offset:
/// said in the help, never applied (each has other meanings somewhere).
const ZONE_ABBREVIATIONS: [(&str, &str, &str); 35] = [
    ("UTC", "Coordinated Universal Time", "Z"),
    ("GMT", "Greenwich Mean Time", "+00:00"),
    ("WET", "Western European Time", "+00:00"),
    ("WEST", "Western European Summer Time", "+01:00"),
    ("BST", "British Summer Time", "+01:00"),
    ("CET", "Central European Time", "+01:00"),
    ("CEST", "Central European Summer Time", "+02:00"),
    ("EET", "Eastern European Time", "+02:00"),
    ("EEST", "Eastern European Summer Time", "+03:00"),
    ("MSK", "Moscow Time", "+03:00"),
    ("IST", "India Standard Time", "+05:30"),
    ("PKT", "Pakistan Standard Time", "+05:00"),
    ("ICT", "Indochina Time", "+07:00"),
    ("WIB", "Western Indonesia Time", "+07:00"),
    ("SGT", "Singapore Time", "+08:00"),
    ("HKT", "Hong Kong Time", "+08:00"),
    ("AWST", "Australian Western Standard Time", "+08:00"),
    ("JST", "Japan Standard Time", "+09:00"),
    ("KST", "Korea Standard Time", "+09:00"),
    ("ACST", "Australian Central Standard Time", "+09:30"),
    ("AEST", "Australian Eastern Standard Time", "+10:00"),
    ("AEDT", "Australian Eastern Daylight Time", "+11:00"),
    ("NZST", "New Zealand Standard Time", "+12:00"),
    ("NZDT", "New Zealand Daylight Time", "+13:00"),
    ("HST", "Hawaii Standard Time", "-10:00"),
    ("AKST", "Alaska Standard Time", "-09:00"),
    ("AKDT", "Alaska Daylight Time", "-08:00"),
    ("PST", "Pacific Standard Time (North America)", "-08:00"),
    ("PDT", "Pacific Daylight Time (North America)", "-07:00"),
    ("MST", "Mountain Standard Time (North America)", "-07:00"),
    ("MDT", "Mountain Daylight Time (North America)", "-06:00"),
    (
        "CST",
        "Central Standard Time (North America; also China Standard Time, +08:00, and Cuba)",
        "-06:00",
    ),
    ("CDT", "Central Daylight Time (North America; also Cuba)", "-05:00"),
    ("EST", "Eastern Standard Time (North America)", "-05:00"),
    ("EDT", "Eastern Daylight Time (North America)", "-04:00"),
];

/// A zone abbreviation or a short offset in one time of an interval.
fn point_mistake(t: &str) -> Option<(String, String)> {
    // 14:30 CDT, 2024-08-25T14:30 CEST: a zone abbreviation.
    if let Some((time, last)) = t.rsplit_once(' ') {
        if !last.is_empty() && last.len() <= 5 && last.bytes().all(|b| b.is_ascii_alphabetic()) {
            let upper = last.to_ascii_uppercase();
            if let Some(&(_, name, offset)) = ZONE_ABBREVIATIONS.iter().find(|(a, _, _)| *a == upper) {
                // The user's own time with the usual offset, when it is one.
                let time = time.trim();
                let rewritten = format!("{time}{offset}");
                let write = if point::parse(&rewritten).is_ok() {
                    format!("write `{rewritten}`")
                } else {
                    format!("write the offset `{offset}` after the time, e.g. `2024-08-25T14:30{offset}`")
                };
                return Some((
                    format!(
                        "`{last}` is a zone abbreviation: usually {name}, UTC{}, but abbreviations are ambiguous and sitrep does not guess",
                        offset.replace('-', "−")
                    ),
                    format!("{write} if that is what the source meant, or nothing for the site's timezone"),
                ));
            }
            return Some((
                format!("`{last}` is a zone abbreviation, and abbreviations are ambiguous (CST is used in America, China and Cuba)"),
                "write the offset as ±HH:MM after the time, e.g. `2024-08-25T14:30-05:00`, or nothing for the site's timezone".into(),
            ));
        }
    }
    // 06:00-0700, T14+5, T14+05: an offset needs its colon and minutes.
    if let Some(at) = t.rfind(['+', '-']).filter(|&at| t[..at].contains('T')) {
        let offset = &t[at + 1..];
        let digits = offset.bytes().all(|b| b.is_ascii_digit());
        if digits && matches!(offset.len(), 1 | 2 | 4) {
            let (h, m) = if offset.len() == 4 {
                (&offset[..2], &offset[2..])
            } else {
                (offset, "00")
            };
            let sign = &t[at..at + 1];
            return Some((
                format!("the offset `{sign}{offset}` needs two digits of hours, a colon and two of minutes"),
                format!("write the offset as ±HH:MM, e.g. `{sign}{h:0>2}:{m}`"),
            ));
        }
    }
    None
}

/// The first instant every export can write: 0001-01-01T00:00:00Z.
fn first_instant() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(1, 1, 1)
        .unwrap_or(NaiveDate::MIN)
        .and_time(NaiveTime::MIN)
        .and_utc()
}

/// The last second every export can write: 9999-12-31T23:59:59Z.
fn last_instant() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .unwrap_or(NaiveDate::MAX)
        .and_hms_opt(23, 59, 59)
        .unwrap_or(NaiveDateTime::MAX)
        .and_utc()
}

impl FromStr for WrittenTime {
    type Err = TimeSyntaxError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_written(text).map_err(|reason| {
            // Checked only on failure: a valid corpus pays nothing for it.
            let (reason, help) = common_mistake(text).unwrap_or((reason, TIME_FORMS.into()));
            TimeSyntaxError {
                text: text.to_string(),
                reason,
                help,
            }
        })
    }
}

/// A point or an interval `A/B`, `A/..`; the error says why not.
fn parse_written(text: &str) -> Result<WrittenTime, String> {
    let Some((a, b)) = text.split_once('/') else {
        return Ok(WrittenTime {
            text: text.to_string(),
            from: point::parse(text)?,
            to: Until::Itself,
        });
    };
    if a.is_empty() || a == ".." {
        return Err(
            "an interval needs a start (`../B` is not supported: write the earliest the time may be, e.g. the year)"
                .into(),
        );
    }
    let from = point::parse(a).map_err(|r| format!("its start `{a}`: {r}"))?;
    let to = match b {
        ".." => Until::AsOf,
        "" => return Err("the interval has no end: write `A/B`, or `A/..` for \"at A or later\"".into()),
        _ if b.contains('/') => return Err("an interval has one `/`".into()),
        _ => Until::Point(point::parse(b).map_err(|r| format!("its end `{b}`: {r}"))?),
    };
    Ok(WrittenTime {
        text: text.to_string(),
        from,
        to,
    })
}

impl fmt::Display for WrittenTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
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
mod tests;
