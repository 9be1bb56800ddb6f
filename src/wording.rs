//! Durations in words a reader trusts.
//!
//! Every shown figure keeps the truth inside it: a lower bound is rounded
//! down, an upper bound up, and a "± x" is wide enough to cover both bounds.
//! The same wording is used on every page, in the table and in `diff`.

use crate::bounds::DurationBounds;

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
            "ongoing, no minimum known".into()
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

/// A count and its noun, agreeing in number: "1 warning", "2 warnings".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Total downtime in words.
pub fn downtime_words(d: crate::bounds::DurationBounds) -> String {
    match d.max {
        None if d.min == 0 => "unknown, an incident is ongoing".into(),
        None => format!("at least {}, an incident is ongoing", at_least(d.min)),
        Some(0) => "none".into(),
        Some(_) => duration(d),
    }
}

/// A span as a reader reads it: `2024-08-25 00:00 CEST – 2024-08-26 00:00 CEST`.
pub fn span_text(span: crate::time::TimeSpan, zone: chrono_tz::Tz) -> String {
    format!(
        "{} – {}",
        crate::time::local_text(span.earliest, zone),
        crate::time::local_text(span.latest, zone)
    )
}

#[cfg(test)]
mod tests {

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
            (0, None, "ongoing, no minimum known"),
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
