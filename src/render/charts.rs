//! Small charts for the home page, drawn at build time as inline SVG:
//! incidents under way per day (certainly and possibly), downtime per target,
//! incidents per actor and per attack kind. Every figure keeps the
//! uncertainty visible: a solid part for what is certain, a pale part for
//! what is only possible. Text is escaped here; the SVG goes into pages as is.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::escape::xml;
use crate::model::Site;
use crate::records::{AttackKind, Kind};

const WIDTH: i64 = 640;
const LABEL: i64 = 190;
const ROW: i64 = 22;
const MAX_ROWS: usize = 15;

/// One bar: label, certain value, possible value (`None`: open-ended), words.
struct Bar {
    label: String,
    certain: i64,
    possible: Option<i64>,
    text: String,
}

impl Bar {
    /// A bar of a count, which is certain.
    fn count(label: String, n: i64) -> Bar {
        Bar {
            label,
            certain: n,
            possible: Some(n),
            text: n.to_string(),
        }
    }

    /// Orders counts: the largest first, then by label.
    fn most_first(a: &Bar, b: &Bar) -> std::cmp::Ordering {
        (b.certain, &a.label).cmp(&(a.certain, &b.label))
    }
}

/// The first [`MAX_ROWS`] of `bars` as a chart, its description told how
/// many it shows.
fn top_chart(id: &str, title: &str, mut bars: Vec<Bar>, describe: impl Fn(usize) -> String) -> String {
    bars.truncate(MAX_ROWS);
    bar_chart(id, title, &describe(bars.len()), &bars)
}

/// A horizontal bar chart with an accessible name and description.
fn bar_chart(id: &str, title: &str, desc: &str, bars: &[Bar]) -> String {
    if bars.is_empty() {
        return String::new();
    }
    let top = bars
        .iter()
        .map(|b| b.possible.unwrap_or(b.certain).max(b.certain))
        .max()
        .unwrap_or(1)
        .max(1);
    let scale = |v: i64| (WIDTH - LABEL - 200) * v / top;
    let height = ROW * bars.len() as i64 + 8;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    let _ = writeln!(s, "<title id=\"{id}-title\">{}</title>", xml(title));
    let _ = writeln!(s, "<desc id=\"{id}-desc\">{}</desc>", xml(desc));
    for (n, b) in bars.iter().enumerate() {
        let y = 4 + ROW * n as i64;
        let label = crate::wording::shorten(&b.label, 28);
        let _ = writeln!(s, "<g class=\"chart-row\">");
        let _ = writeln!(s, "<title>{}: {}</title>", xml(&b.label), xml(&b.text));
        let _ = writeln!(
            s,
            "<text class=\"chart-label\" x=\"2\" y=\"{}\">{}</text>",
            y + 14,
            xml(&label)
        );
        let end = match b.possible {
            Some(p) => LABEL + scale(p.max(b.certain)),
            None => WIDTH - 200,
        };
        if end > LABEL + scale(b.certain) {
            let _ = writeln!(
                s,
                "<rect class=\"possible\" x=\"{LABEL}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                y + 3,
                end - LABEL,
                ROW - 8
            );
        }
        if b.certain > 0 {
            let _ = writeln!(
                s,
                "<rect class=\"certain\" x=\"{LABEL}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                y + 3,
                scale(b.certain).max(1),
                ROW - 8
            );
        }
        let _ = writeln!(
            s,
            "<text class=\"chart-value\" x=\"{}\" y=\"{}\">{}</text>",
            end + 6,
            y + 14,
            xml(&b.text)
        );
        s.push_str("</g>\n");
    }
    s.push_str("</svg>\n");
    s
}

/// Downtime per target: the targets that were down longest.
pub fn downtime_per_target(site: &Site) -> String {
    let mut bars: Vec<Bar> = site
        .targets
        .iter()
        .filter_map(|t| {
            let incidents = site.incidents_of(Kind::Target, &t.id);
            if incidents.is_empty() {
                return None;
            }
            let d = site.downtime(incidents);
            Some(Bar {
                label: t.record.name.clone(),
                certain: d.min,
                possible: d.max,
                text: match d.max {
                    None if d.min == 0 => "ongoing".into(),
                    None => format!("≥ {}, ongoing", crate::wording::at_least(d.min)),
                    Some(_) => crate::wording::duration(d),
                },
            })
        })
        .collect();
    bars.sort_by(|a, b| {
        (b.possible.is_none(), b.possible.unwrap_or(0), b.certain, &a.label).cmp(&(
            a.possible.is_none(),
            a.possible.unwrap_or(0),
            a.certain,
            &b.label,
        ))
    });
    let total = bars.len();
    top_chart("chart-downtime", "Downtime per target", bars, |shown| {
        format!("Total downtime of the {shown} of {total} targets down longest. Solid: certainly down; pale: possibly down; running to the edge: an incident is ongoing.")
    })
}

/// Incidents per actor (the most active), certain counts only.
pub fn incidents_per_actor(site: &Site) -> String {
    let mut bars: Vec<Bar> = site
        .actors
        .iter()
        .map(|a| {
            let n = site.incidents_of(Kind::Actor, &a.id).len() as i64;
            Bar::count(a.record.name.clone(), n)
        })
        .filter(|b| b.certain > 0)
        .collect();
    let unknown = site.incidents.iter().filter(|i| i.record.actors.is_empty()).count() as i64;
    if unknown > 0 {
        bars.push(Bar::count("(unknown actor)".into(), unknown));
    }
    bars.sort_by(Bar::most_first);
    top_chart("chart-actors", "Incidents per actor", bars, |shown| {
        format!("Number of incidents linked to each of the {shown} most active actors, whatever the basis.")
    })
}

/// Incidents per attack kind.
pub fn incidents_per_attack(site: &Site) -> String {
    let mut counts: BTreeMap<AttackKind, i64> = BTreeMap::new();
    for i in &site.incidents {
        for a in &i.record.attack {
            *counts.entry(*a).or_default() += 1;
        }
    }
    let mut bars: Vec<Bar> = counts
        .into_iter()
        .map(|(k, n)| Bar::count(k.label().into(), n))
        .collect();
    bars.sort_by(Bar::most_first);
    bar_chart(
        "chart-attacks",
        "Incidents per kind of attack",
        "Number of incidents of each kind of attack.",
        &bars,
    )
}

/// The first local date of each bucket (day or month) from `d0` to `d1`,
/// at most 2,000 of them.
fn bucket_starts(d0: NaiveDate, d1: NaiveDate, monthly: bool) -> Vec<NaiveDate> {
    let mut starts: Vec<NaiveDate> = Vec::new();
    let mut d = if monthly {
        NaiveDate::from_ymd_opt(d0.year(), d0.month(), 1).unwrap_or(d0)
    } else {
        d0
    };
    while d <= d1 && starts.len() < 2000 {
        starts.push(d);
        d = if monthly {
            let (y, m) = if d.month() == 12 {
                (d.year() + 1, 1)
            } else {
                (d.year(), d.month() + 1)
            };
            NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d1 + Duration::days(1))
        } else {
            d + Duration::days(1)
        };
    }
    starts
}

/// For each bucket, how many incidents were certainly and possibly under
/// way, by difference arrays: O(incidents + buckets).
fn under_way(site: &Site, starts: &[NaiveDate], last: DateTime<Utc>) -> Vec<(i64, i64)> {
    let zone = site.zone;
    let bucket = |t: DateTime<Utc>| -> usize {
        let d = t.with_timezone(&zone).date_naive();
        starts.partition_point(|s| *s <= d).saturating_sub(1)
    };
    let n = starts.len();
    let mut certain = vec![0i64; n + 1];
    let mut possible = vec![0i64; n + 1];
    for i in &site.incidents {
        // An attack without impact was never under way as an outage.
        let Some((from, to)) = i.outcome.possible() else {
            continue;
        };
        let end = to.unwrap_or(site.as_of).min(last);
        let (p0, p1) = (bucket(from), bucket(end - Duration::seconds(1)).max(bucket(from)));
        possible[p0] += 1;
        possible[p1 + 1] -= 1;
        if let Some((c0, c1)) = i.outcome.certain() {
            let (c0, c1) = (bucket(c0), bucket(c1 - Duration::seconds(1)).max(bucket(c0)));
            certain[c0] += 1;
            certain[c1 + 1] -= 1;
        }
    }
    let (mut c, mut p) = (0, 0);
    let mut counts = Vec::with_capacity(n);
    for k in 0..n {
        c += certain[k];
        p += possible[k];
        counts.push((c, p));
    }
    counts
}

/// One column per bucket: its possible count pale, its certain count
/// solid over it, scaled to `top`, from `base` up, `bar_w` wide.
fn draw_columns(
    s: &mut String,
    counts: &[(i64, i64)],
    starts: &[NaiveDate],
    monthly: bool,
    (top, base, bar_w): (i64, i64, i64),
) {
    for (k, (c, p)) in counts.iter().enumerate() {
        let x = 30 + bar_w * k as i64;
        let label = if monthly {
            starts[k].format("%Y-%m").to_string()
        } else {
            starts[k].format("%a %d %b %Y").to_string()
        };
        let hp = (base - 10) * p / top;
        let hc = (base - 10) * c / top;
        let _ = writeln!(s, "<g class=\"chart-col\">");
        let _ = writeln!(
            s,
            "<title>{}: {c} certainly, {p} possibly under way</title>",
            xml(&label)
        );
        if *p > 0 {
            let _ = writeln!(
                s,
                "<rect class=\"possible\" x=\"{x}\" y=\"{}\" width=\"{}\" height=\"{hp}\"/>",
                base - hp,
                (bar_w - 1).max(1)
            );
        }
        if *c > 0 {
            let _ = writeln!(
                s,
                "<rect class=\"certain\" x=\"{x}\" y=\"{}\" width=\"{}\" height=\"{hc}\"/>",
                base - hc,
                (bar_w - 1).max(1)
            );
        }
        s.push_str("</g>\n");
    }
}

/// Incidents under way per day (or month, over long spans): how many were
/// certainly under way at some moment of it, and how many possibly.
pub fn incidents_per_day(site: &Site) -> String {
    if site.incidents.is_empty() {
        return String::new();
    }
    let zone = site.zone;
    let first = site
        .incidents
        .iter()
        .map(|i| i.outcome.bounds.start_earliest)
        .min()
        .unwrap_or(site.as_of);
    let last = site.as_of.max(first + Duration::hours(1));
    let day = |t: DateTime<Utc>| t.with_timezone(&zone).date_naive();
    let (d0, d1) = (day(first), day(last));
    let monthly = (d1 - d0).num_days() > 92;
    let starts = bucket_starts(d0, d1, monthly);
    let n = starts.len();
    let counts = under_way(site, &starts, last);
    let top = counts.iter().map(|(_, p)| *p).max().unwrap_or(1).max(1);
    let (height, base) = (150i64, 130i64);
    let bar_w = ((WIDTH - 40) / n as i64).clamp(1, 40);
    let unit = if monthly { "month" } else { "day" };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"chart-days-title chart-days-desc\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    let _ = writeln!(
        s,
        "<title id=\"chart-days-title\">Incidents under way per {unit}</title>"
    );
    let peak = counts.iter().map(|(c, _)| *c).max().unwrap_or(0);
    let _ = writeln!(
        s,
        "<desc id=\"chart-days-desc\">For each {unit} from {} to {}, how many incidents were certainly under way (solid, at most {peak}) and possibly under way (pale, at most {top}).</desc>",
        d0.format("%Y-%m-%d"),
        d1.format("%Y-%m-%d")
    );
    draw_columns(&mut s, &counts, &starts, monthly, (top, base, bar_w));
    // First and last labels.
    let _ = writeln!(
        s,
        "<text class=\"chart-label\" x=\"30\" y=\"{}\">{}</text>",
        base + 16,
        d0.format("%d %b %Y")
    );
    // The last label ends under the last column, but never runs into the
    // first label or off the left edge when there are few columns.
    if d1 != d0 {
        let _ = writeln!(
            s,
            "<text class=\"chart-label end\" x=\"{}\" y=\"{}\">{}</text>",
            (30 + bar_w * n as i64).max(200),
            base + 16,
            d1.format("%d %b %Y")
        );
    }
    let _ = writeln!(s, "<text class=\"chart-label\" x=\"2\" y=\"14\">{top}</text>");
    s.push_str("</svg>\n");
    s
}
