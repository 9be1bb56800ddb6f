//! Durations in words a reader trusts.
//!
//! Every shown figure keeps the truth inside it: a lower bound is rounded
//! down, an upper bound up, and a "± x" is wide enough to cover both bounds.
//! The same wording is used on every page, in the table and in `diff`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike};
use chrono_tz::Tz;

use crate::bounds::{AttackSeen, DurationBounds, Status, Totals};
use crate::model::{IncidentModel, Site};
use crate::time::TimeSpan;

const UNITS: [(i64, &str); 4] = [(86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")];

/// `seconds` in every non-zero unit: `1 d 2 h 3 min 4 s`.
pub fn exact(seconds: i64) -> String {
    if seconds <= 0 {
        return "0 s".into();
    }
    let mut rest = seconds;
    let mut parts = Vec::new();
    for (size, name) in UNITS {
        if rest >= size {
            parts.push(format!("{} {name}", rest / size));
            rest %= size;
        }
    }
    parts.join(" ")
}

/// The two most significant units of `seconds`, rounded down.
pub fn at_least(seconds: i64) -> String {
    exact(truncate(seconds))
}

/// The two most significant units of `seconds`, rounded up.
pub fn at_most(seconds: i64) -> String {
    let t = truncate(seconds);
    if t == seconds {
        return exact(t);
    }
    // Round up in the second unit kept (or the first if only one).
    let step = step_of(seconds);
    exact(t + step)
}

/// Keeps the two most significant units of `seconds`, dropping the rest.
fn truncate(seconds: i64) -> i64 {
    let step = step_of(seconds);
    seconds - seconds.rem_euclid(step)
}

/// The size of the second most significant unit of `seconds`.
fn step_of(seconds: i64) -> i64 {
    let first = UNITS
        .iter()
        .position(|(size, _)| seconds >= *size)
        .unwrap_or(UNITS.len() - 1);
    UNITS[(first + 1).min(UNITS.len() - 1)].0
}

/// How long, as the bounds allow: "between 20 h and 2 d 4 h",
/// "at least 15 h, ongoing", "2 h 30 min ± 1 min", "3 h".
pub fn duration(d: DurationBounds) -> String {
    let Some(max) = d.max else {
        return if d.min > 0 {
            format!("at least {}, ongoing", at_least(d.min))
        } else {
            "at least 0 s (nothing certain yet), ongoing".into()
        };
    };
    let min = d.min.min(max);
    if min == max {
        return exact(max);
    }
    if min == 0 {
        return format!("up to {}", at_most(max));
    }
    if (max - min) * 10 <= max {
        return plus_minus(min, max);
    }
    let (low, high) = (at_least(min), at_most(max));
    if low == high {
        return plus_minus(min, max);
    }
    format!("between {low} and {high}")
}

/// How long an incident's target was affected, as its status allows: the
/// duration of an outage; for an unverified claim only how long it may
/// have lasted; nothing for an attack without impact.
pub fn how_long(status: Status, d: DurationBounds) -> String {
    match status {
        Status::NoImpact => "no impact".into(),
        Status::Unverified => match d.max {
            Some(0) => "unverified".into(),
            Some(max) => format!("unverified; up to {}", at_most(max)),
            None => "unverified, not known to be over".into(),
        },
        Status::Ongoing | Status::Ended => duration(d),
    }
}

/// `mid ± half`, wide enough to cover `[min, max]`.
fn plus_minus(min: i64, max: i64) -> String {
    let half = (max - min + 1) / 2;
    let unit = UNITS
        .iter()
        .map(|(size, _)| *size)
        .find(|size| half >= *size)
        .unwrap_or(1);
    let mid = (min + max) / 2;
    let mid = (mid + unit / 2) / unit * unit;
    let reach = (max - mid).max(mid - min);
    let reach = (reach + unit - 1) / unit * unit;
    format!("{} ± {}", exact(mid), exact(reach))
}

/// `name` in at most `max` characters, its start kept: "Public Service
/// informatio…".
pub fn shorten_end(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_string();
    }
    let start: String = name.chars().take(max - 1).collect();
    format!("{}…", start.trim_end())
}

/// `name` in at most `max` characters: whole when it fits, else its start
/// and its end around a `…`, since names of one family differ at the end
/// ("Ministry of Health – Region A" and "… – Region B"); the full name
/// goes in a `<title>` beside it.
pub fn shorten(name: &str, max: usize) -> String {
    let count = name.chars().count();
    if count <= max {
        return name.to_string();
    }
    let head = (max - 1) / 2;
    let tail = max - 1 - head;
    let start: String = name.chars().take(head).collect();
    let end: String = name.chars().skip(count - tail).collect();
    format!("{}…{}", start.trim_end(), end.trim_start())
}

/// A count and its noun, agreeing in number: "1 warning", "2 warnings".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Total downtime in words, with the unverified claims' time apart from
/// it: "between 20 h and 2 d 4 h; and up to 7 d more in unverified claims".
pub fn totals_words(t: Totals) -> String {
    let d = t.downtime;
    let mut words = match d.max {
        None if d.min == 0 => "at least 0 s (nothing certain yet), an outage is ongoing".to_string(),
        None => format!("at least {}, an outage is ongoing", at_least(d.min)),
        Some(0) => "none".into(),
        Some(_) => duration(d),
    };
    if t.has_claims {
        match t.unverified_max {
            Some(0) => {}
            Some(max) => words.push_str(&format!("; and up to {} more in unverified claims", at_most(max))),
            None => words.push_str("; and unverified claims not known to be over"),
        }
    }
    words
}

/// Incidents by status (counts in the order of `Status::ALL`), the
/// non-zero ones: "1 ongoing, 3 ended, 1 unverified claim, 1 without impact".
pub fn breakdown(counts: [usize; 4]) -> String {
    let [ongoing, ended, none, unverified] = counts;
    let mut parts = Vec::new();
    if ongoing > 0 {
        parts.push(format!("{ongoing} ongoing"));
    }
    if ended > 0 {
        parts.push(format!("{ended} ended"));
    }
    if unverified > 0 {
        parts.push(count(unverified, "unverified claim"));
    }
    if none > 0 {
        parts.push(format!("{none} without impact"));
    }
    parts.join(", ")
}

/// A time as a reader says it, in the display zone (each date and clock
/// time held together by no-break spaces, so no line breaks inside one): "Sun 25 Aug 2024",
/// "between Sat 24 and Sun 25 Aug 2024", "Mon 26 Aug 2024, 12:00–18:00
/// CEST", "Aug 2024", "after 20:00 CEST on Sun 25 Aug 2024". Made from the
/// span the time denotes, so it says exactly what the bounds use; `open`
/// is `A/..`, whose end is only `as_of`. Formatted by hand: every table
/// row and record page says several times, and `strftime` showed in
/// profiles.
pub fn when(span: TimeSpan, open: bool, zone: Tz) -> String {
    let (e, l) = (span.earliest.with_timezone(&zone), span.latest.with_timezone(&zone));
    let midnight = |t: &DateTime<Tz>| t.time() == NaiveTime::MIN;
    let seconds = e.second() != 0 || l.second() != 0;
    let day = |t: &DateTime<Tz>| date(t.date_naive(), Upto::Year);
    if open {
        return if midnight(&e) {
            format!("on or after {}", day(&e))
        } else {
            format!("after {}\u{a0}{} on {}", clock(&e, seconds), abbr(&e), day(&e))
        };
    }
    if midnight(&e) && midnight(&l) {
        return whole_days(e.date_naive(), l.date_naive());
    }
    let l_day = if midnight(&l) {
        l.date_naive().pred_opt()
    } else {
        Some(l.date_naive())
    };
    let (ae, al) = (abbr(&e), abbr(&l));
    let first_zone = if ae == al { String::new() } else { format!("\u{a0}{ae}") };
    if l_day == Some(e.date_naive()) {
        let end = if midnight(&l) {
            "24:00".to_string()
        } else {
            clock(&l, seconds)
        };
        let one_unit = (l - e).num_seconds() == if seconds { 1 } else { 60 };
        return if one_unit {
            format!("{}, {}\u{a0}{al}", day(&e), clock(&e, seconds))
        } else {
            format!("{}, {}{first_zone}–{end}\u{a0}{al}", day(&e), clock(&e, seconds))
        };
    }
    if midnight(&l) {
        // An end written as a day reads as that day, not as the next
        // day's midnight (a date no source gave).
        if let Some(last) = l_day {
            return format!(
                "from {}, {}{first_zone} to the end of {}",
                day(&e),
                clock(&e, seconds),
                date(last, Upto::Year)
            );
        }
    }
    format!(
        "from {}, {}{first_zone} to {}, {}\u{a0}{al}",
        day(&e),
        clock(&e, seconds),
        day(&l),
        clock(&l, seconds)
    )
}

/// How long the attack itself was seen under way, from its first and last
/// sightings (indexes into the incident's `observations` spans):
/// "attacked for at least 3 d 4 h (seen from Sat 24 Aug 2024 to
/// Tue 27 Aug 2024, 14:00 CEST)".
pub fn attacked(seen: AttackSeen, observations: &[TimeSpan], zone: Tz) -> String {
    let (min, first, last) = (seen.min, observations[seen.first], observations[seen.last]);
    let (from, to) = (when(first, false, zone), when(last, false, zone));
    if first == last {
        return format!("seen under attack {from}");
    }
    if min == 0 {
        return format!("seen under attack from {from} to {to} (the sightings overlap: no length is certain)");
    }
    format!("attacked for at least {} (seen from {from} to {to})", at_least(min))
}

/// An instant in words, in the display zone: "Tue 27 Aug 2024, 00:00 CEST".
pub fn instant(t: DateTime<chrono::Utc>, zone: Tz) -> String {
    let t = t.with_timezone(&zone);
    format!(
        "{}, {} {}",
        date(t.date_naive(), Upto::Year),
        clock(&t, false),
        abbr(&t)
    )
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// How much of a date to say: "Sun 25", "Sun 25 Aug", "Sun 25 Aug 2024".
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Upto {
    Day,
    Month,
    Year,
}

fn date(d: NaiveDate, upto: Upto) -> String {
    let weekday = WEEKDAYS[d.weekday().num_days_from_monday() as usize];
    let mut out = format!("{weekday}\u{a0}{}", d.day());
    if upto >= Upto::Month {
        out.push('\u{a0}');
        out.push_str(MONTHS[d.month0() as usize]);
    }
    if upto == Upto::Year {
        out.push_str(&format!("\u{a0}{}", d.year()));
    }
    out
}

/// "Aug" or "Aug 2024".
fn month(d: NaiveDate, year: bool) -> String {
    let name = MONTHS[d.month0() as usize];
    if year {
        format!("{name}\u{a0}{}", d.year())
    } else {
        name.to_string()
    }
}

/// "14:30" or, with `seconds`, "14:30:15".
fn clock(t: &DateTime<Tz>, seconds: bool) -> String {
    if seconds {
        format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
    } else {
        format!("{:02}:{:02}", t.hour(), t.minute())
    }
}

/// The zone's abbreviation at `t` ("CEST"), else its offset.
fn abbr(t: &DateTime<Tz>) -> String {
    use chrono::Offset;
    use chrono_tz::OffsetName;
    match t.offset().abbreviation() {
        Some(a) => a.to_string(),
        None => t.offset().fix().to_string(),
    }
}

/// Whole local days `[from, to)`: a year, a month, a day, or a range of them.
fn whole_days(from: NaiveDate, to: NaiveDate) -> String {
    let first_of = |d: NaiveDate| d.day() == 1;
    let last = to.pred_opt().unwrap_or(to);
    if first_of(from) && first_of(to) {
        let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
        if from.month() == 1 && to.month() == 1 {
            return if months == 12 {
                from.year().to_string()
            } else {
                format!("between {} and {}", from.year(), last.year())
            };
        }
        if months == 1 {
            return month(from, true);
        }
        return format!(
            "between {} and {}",
            month(from, from.year() != last.year()),
            month(last, true)
        );
    }
    if last == from {
        return date(from, Upto::Year);
    }
    let first = if (from.year(), from.month()) == (last.year(), last.month()) {
        date(from, Upto::Day)
    } else if from.year() == last.year() {
        date(from, Upto::Month)
    } else {
        date(from, Upto::Year)
    };
    format!("between {first} and {}", date(last, Upto::Year))
}

/// How an incident ended, in words (what the model holds is times and
/// bounds; their wording is here).
/// `ended` in words, when it is written.
pub fn ended(inc: &IncidentModel, zone: Tz) -> Option<String> {
    let (e, span) = inc.record.ended.as_ref().zip(inc.times.ended)?;
    Some(when(span, e.is_open(), zone))
}

/// Without `ended`: the `up` observation that bounds the end, in words.
pub fn up_by(inc: &IncidentModel, zone: Tz) -> Option<String> {
    let k = inc.up_by?;
    Some(when(
        inc.times.observations[k],
        inc.record.observations[k].at.is_open(),
        zone,
    ))
}

/// How the incident ended, in words: `ended`, else the `up`
/// observation that bounds the end, else that no end is known.
pub fn end(inc: &IncidentModel, zone: Tz) -> String {
    end_phrase(inc, ended(inc, zone).as_deref(), up_by(inc, zone).as_deref())
}

/// [`end`] from `ended` and the bounding `up` already in words.
pub fn end_phrase(inc: &IncidentModel, ended: Option<&str>, up_by: Option<&str>) -> String {
    if inc.status() == Status::NoImpact {
        return "no outage".into();
    }
    match (ended, up_by) {
        (Some(e), _) => format!("ended {e}"),
        (None, Some(up)) => format!("up by {up}"),
        (None, None) => "not known to have ended".into(),
    }
}

/// `started` in words, in the display zone.
pub fn started(inc: &IncidentModel, zone: Tz) -> String {
    when(inc.times.started, inc.record.started.is_open(), zone)
}

/// `as_of` for readers: "the end of Mon 26 Aug 2024, 12:00–24:00 CEST" as
/// written, else the derived instant ("Tue 27 Aug 2024, 00:00 CEST").
pub fn as_of(site: &Site) -> String {
    let zone = site.zone;
    match site.as_of_written.as_ref().and_then(|t| t.resolve(zone).ok()?.closed()) {
        Some(span) => format!("the end of {}", when(span, false, zone)),
        None => instant(site.as_of, zone),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn times_read_in_words() {
        let paris: Tz = "Europe/Paris".parse().unwrap();
        let said = |text: &str| {
            let t: crate::time::WrittenTime = text.parse().unwrap();
            let as_of = "2024-08-27"
                .parse::<crate::time::WrittenTime>()
                .unwrap()
                .resolve(paris)
                .unwrap();
            let span = t.resolve(paris).unwrap().close(as_of.latest.unwrap());
            when(span, t.is_open(), paris).replace('\u{a0}', " ")
        };
        for (text, words) in [
            ("2024", "2024"),
            ("2023/2024", "between 2023 and 2024"),
            ("2024-08", "Aug 2024"),
            ("2024-08/2024-09", "between Aug and Sep 2024"),
            ("2023-12/2024-01", "between Dec 2023 and Jan 2024"),
            ("2024-08-25", "Sun 25 Aug 2024"),
            ("2024-08-24/2024-08-25", "between Sat 24 and Sun 25 Aug 2024"),
            ("2024-08-31/2024-09-01", "between Sat 31 Aug and Sun 1 Sep 2024"),
            ("2024-08-26T12/2024-08-26T15", "Mon 26 Aug 2024, 12:00–16:00 CEST"),
            ("2024-08-26T14", "Mon 26 Aug 2024, 14:00–15:00 CEST"),
            ("2024-08-26T14:30", "Mon 26 Aug 2024, 14:30 CEST"),
            ("2024-08-26T14:30:15", "Mon 26 Aug 2024, 14:30:15 CEST"),
            ("2024-08-26T20/2024-08-26T23", "Mon 26 Aug 2024, 20:00–24:00 CEST"),
            ("2024-08-25T20/..", "after 20:00 CEST on Sun 25 Aug 2024"),
            ("2024-08-25/..", "on or after Sun 25 Aug 2024"),
            (
                "2024-08-25T20/2024-08-26T03",
                "from Sun 25 Aug 2024, 20:00 to Mon 26 Aug 2024, 04:00 CEST",
            ),
            // An offset is shown on the site's clock.
            ("2024-08-26T10Z", "Mon 26 Aug 2024, 12:00–13:00 CEST"),
            // The repeated hour at the end of summer time: both occurrences.
            ("2024-10-27T02", "Sun 27 Oct 2024, 02:00 CEST–03:00 CET"),
        ] {
            assert_eq!(said(text), words, "{text}");
        }
    }

    #[test]
    fn long_names_keep_their_start_and_end() {
        assert_eq!(shorten("ANSM", 26), "ANSM");
        let a = shorten("Ministry of Health of the Republic – Region A", 26);
        let b = shorten("Ministry of Health of the Republic – Region B", 26);
        assert!(a.chars().count() <= 26 && a != b, "{a} {b}");
        assert!(a.starts_with("Ministry of") && a.ends_with("Region A"), "{a}");
    }

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(count(0, "error"), "0 errors");
        assert_eq!(count(1, "warning"), "1 warning");
        assert_eq!(count(2, "incident"), "2 incidents");
    }

    use super::*;

    const H: i64 = 3600;
    const D: i64 = 86_400;

    fn words(min: i64, max: Option<i64>) -> String {
        duration(DurationBounds { min, max })
    }

    #[test]
    fn wording_snapshots() {
        let cases = [
            (20 * H, Some(2 * D + 4 * H), "between 20 h and 2 d 4 h"),
            (D + 6 * H, None, "at least 1 d 6 h, ongoing"),
            (0, None, "at least 0 s (nothing certain yet), ongoing"),
            (15 * H, None, "at least 15 h, ongoing"),
            (2 * H + 29 * 60, Some(2 * H + 31 * 60), "2 h 30 min ± 1 min"),
            (3 * H, Some(3 * H), "3 h"),
            (0, Some(D + 3 * H), "up to 1 d 3 h"),
            (D + 2 * H, Some(D + 3 * H), "1 d 2 h 30 min ± 30 min"),
            (10 * H, Some(35 * H), "between 10 h and 1 d 11 h"),
            // Rounding outward keeps the truth inside the words.
            (
                20 * H + 59 * 60,
                Some(2 * D + 4 * H + 1),
                "between 20 h 59 min and 2 d 5 h",
            ),
            (90, Some(3 * 60 + 1), "between 1 min 30 s and 3 min 1 s"),
        ];
        for (min, max, want) in cases {
            assert_eq!(words(min, max), want, "{min} {max:?}");
        }
    }

    #[test]
    fn plus_minus_always_covers_the_bounds() {
        for min in (0..5000).step_by(37) {
            for extra in [1, 7, 59, 61, 599] {
                let max = min * 20 + extra;
                let lo = min * 20;
                let text = plus_minus(lo, max);
                let (mid, reach) = text.split_once(" ± ").unwrap();
                let secs = |s: &str| -> i64 {
                    s.split(' ')
                        .collect::<Vec<_>>()
                        .chunks(2)
                        .map(|c| {
                            let n: i64 = c[0].parse().unwrap();
                            n * UNITS.iter().find(|(_, u)| *u == c[1]).unwrap().0
                        })
                        .sum()
                };
                assert!(
                    secs(mid) - secs(reach) <= lo && secs(mid) + secs(reach) >= max,
                    "{lo}..{max}: {text}"
                );
            }
        }
    }
}
