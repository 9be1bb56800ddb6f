//! The timeline, drawn at build time as inline SVG (SPEC §4).
//!
//! One lane per target, one bar per incident. The part of a bar where the
//! outage was certainly under way, `[S.latest, E.earliest]`, is solid; the
//! parts that are only possible, `[S.earliest, S.latest]` and
//! `[E.earliest, E.latest]`, are hatched; an ongoing incident runs open-ended
//! to `as_of`. Observations are marks on the bar. Every text is escaped here,
//! since the SVG is inserted into pages as markup.

use std::collections::HashMap;
use std::fmt::Write;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use crate::model::Site;
use crate::records::{Id, State};
use crate::wording;

/// Lanes drawn at most; the rest are summarised in the text alternative.
const MAX_LANES: usize = 40;
const WIDTH: f64 = 960.0;
const LABEL: f64 = 200.0;
const LANE: f64 = 30.0;
const TOP: f64 = 34.0;
/// Height of a campaign heading between groups of lanes.
const GROUP: f64 = 20.0;

use crate::escape::xml as escape;

/// A coordinate with one decimal, formatted without float formatting
/// machinery (which dominated the timeline's cost on big sites).
#[derive(Clone, Copy)]
struct P(f64);

impl std::fmt::Display for P {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let t = tenths.abs();
        write!(f, "{sign}{}.{}", t / 10, t % 10)
    }
}

/// The title of incident `i`'s bars, escaped: the same on every timeline
/// the incident is drawn in, so it is made once (see `render::Shared`).
pub fn bar_title(site: &Site, i: usize) -> String {
    let inc = &site.incidents[i];
    escape(&format!(
        "{}: {} → {}; {}",
        inc.record.title,
        inc.record.started.text(),
        inc.end_text(),
        wording::duration(inc.duration)
    ))
}

/// The timeline of `incidents` (indexes into `site.incidents`);
/// `bar_title(i)` is [`bar_title`] of incident `i`.
pub fn svg<'t>(site: &Site, incidents: &[usize], title: &str, bar_title: &dyn Fn(usize) -> &'t str) -> String {
    if incidents.is_empty() {
        return String::new();
    }
    // Lanes: targets in order of their first incident.
    let mut lanes: Vec<&Id> = Vec::new();
    let mut lane_of: HashMap<&Id, usize> = HashMap::new();
    let mut per_lane: Vec<usize> = Vec::new();
    for &i in incidents {
        for t in &site.incidents[i].record.targets {
            let n = *lane_of.entry(t).or_insert_with(|| {
                lanes.push(t);
                per_lane.push(0);
                lanes.len() - 1
            });
            per_lane[n] += 1;
        }
    }
    let hidden_lanes = lanes.len().saturating_sub(MAX_LANES);
    if hidden_lanes > 0 {
        // Keep the busiest lanes, in their original order.
        let mut order: Vec<usize> = (0..lanes.len()).collect();
        order.sort_by_key(|&n| (std::cmp::Reverse(per_lane[n]), n));
        let mut keep: Vec<usize> = order[..MAX_LANES].to_vec();
        keep.sort_unstable();
        lanes = keep.iter().map(|&n| lanes[n]).collect();
    }

    // Group lanes by the campaign of their first incident, groups in order
    // of their first incident, when more than one campaign is drawn.
    let campaign_of_lane: Vec<Option<&Id>> = lanes
        .iter()
        .map(|t| {
            incidents
                .iter()
                .map(|&i| &site.incidents[i].record)
                .find(|r| r.targets.contains(t))
                .and_then(|r| r.campaign.as_ref())
        })
        .collect();
    let mut group_order: Vec<Option<&Id>> = Vec::new();
    for c in &campaign_of_lane {
        if !group_order.contains(c) {
            group_order.push(*c);
        }
    }
    let grouped = group_order.len() > 1;
    let mut order: Vec<usize> = (0..lanes.len()).collect();
    order.sort_by_key(|&n| (group_order.iter().position(|c| *c == campaign_of_lane[n]), n));
    let campaign_of_lane: Vec<Option<&Id>> = order.iter().map(|&n| campaign_of_lane[n]).collect();
    lanes = order.iter().map(|&n| lanes[n]).collect();
    lane_of = lanes.iter().enumerate().map(|(n, id)| (*id, n)).collect();
    // Vertical position of each lane, leaving room for group headings.
    let mut lane_y = Vec::with_capacity(lanes.len());
    let mut headings: Vec<(f64, String)> = Vec::new();
    let mut y = TOP;
    for (n, c) in campaign_of_lane.iter().enumerate() {
        if grouped && (n == 0 || campaign_of_lane[n - 1] != *c) {
            let name = c
                .and_then(|c| site.position(crate::records::Kind::Campaign, c))
                .map_or("No campaign".to_string(), |k| {
                    format!("Campaign: {}", site.campaigns[k].record.name)
                });
            headings.push((y + 14.0, name));
            y += GROUP;
        }
        lane_y.push(y);
        y += LANE;
    }
    let lanes_bottom = y;

    let first = incidents
        .iter()
        .map(|&i| site.incidents[i].bounds.start_earliest)
        .min()
        .unwrap_or(site.as_of);
    let last = incidents
        .iter()
        .map(|&i| site.incidents[i].bounds.end_latest.unwrap_or(site.as_of))
        .max()
        .unwrap_or(site.as_of)
        .max(first + Duration::hours(1));
    let span = (last - first).num_seconds().max(1) as f64;
    let x = |t: DateTime<Utc>| LABEL + (WIDTH - LABEL - 10.0) * ((t - first).num_seconds() as f64 / span);
    let height = lanes_bottom + 10.0;

    let zone = site.zone;
    let targets = incidents
        .iter()
        .flat_map(|&i| &site.incidents[i].record.targets)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let mut desc = format!(
        "{} incident{} on {} target{}, from {} to {} ({}). Solid: certainly down; hatched: possibly down; an open end: ongoing. The table lists the same incidents.",
        incidents.len(),
        if incidents.len() == 1 { "" } else { "s" },
        targets,
        if targets == 1 { "" } else { "s" },
        first.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
        last.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
        zone.name(),
    );
    if hidden_lanes > 0 {
        let _ = write!(
            desc,
            " The {hidden_lanes} targets with the fewest incidents are not drawn."
        );
    }

    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg class=\"timeline\" viewBox=\"0 0 {} {}\" role=\"img\" aria-labelledby=\"timeline-title timeline-desc\" xmlns=\"http://www.w3.org/2000/svg\">",
        P(WIDTH),
        P(height)
    );
    let _ = writeln!(s, "<title id=\"timeline-title\">{}</title>", escape(title));
    let _ = writeln!(s, "<desc id=\"timeline-desc\">{}</desc>", escape(&desc));
    s.push_str("<defs>\n<pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\n<rect class=\"hatch-bg\" width=\"6\" height=\"6\"/>\n<line class=\"hatch-line\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke-width=\"3\"/>\n</pattern>\n</defs>\n");

    // Axis.
    s.push_str("<g class=\"axis\">\n");
    for (t, label) in ticks(first, last, zone) {
        let tx = P(x(t));
        let _ = writeln!(
            s,
            "<line x1=\"{tx}\" y1=\"{}\" x2=\"{tx}\" y2=\"{}\"/>",
            P(TOP - 6.0),
            P(height - 6.0)
        );
        let _ = writeln!(s, "<text x=\"{tx}\" y=\"{}\">{}</text>", P(TOP - 12.0), escape(&label));
    }
    let asx = P(x(site.as_of.min(last)));
    let _ = writeln!(
        s,
        "<line class=\"as-of\" x1=\"{asx}\" y1=\"{}\" x2=\"{asx}\" y2=\"{}\"><title>as of {}</title></line>",
        P(TOP - 6.0),
        P(height - 6.0),
        escape(&crate::time::local_text(site.as_of, zone))
    );
    s.push_str("</g>\n");

    // Lanes.
    for (y, name) in &headings {
        let _ = writeln!(
            s,
            "<text class=\"group-label\" x=\"4\" y=\"{}\">{}</text>",
            P(*y),
            escape(name)
        );
    }
    for (n, id) in lanes.iter().enumerate() {
        let y = lane_y[n];
        let name = site
            .position(crate::records::Kind::Target, id)
            .map_or(id.as_str(), |t| site.targets[t].record.name.as_str());
        let short: String = if name.chars().count() > 26 {
            name.chars().take(25).chain(['…']).collect()
        } else {
            name.to_string()
        };
        let _ = writeln!(s, "<g class=\"lane\">");
        let _ = writeln!(
            s,
            "<text class=\"lane-label\" x=\"4\" y=\"{}\">{}<title>{}</title></text>",
            P(y + LANE / 2.0 + 4.0),
            escape(&short),
            escape(name)
        );
        let _ = writeln!(
            s,
            "<line class=\"lane-line\" x1=\"{LABEL}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
            P(y + LANE - 1.0),
            P(WIDTH - 10.0),
            P(y + LANE - 1.0)
        );
        let _ = writeln!(s, "</g>");
    }

    // Bars.
    for &i in incidents {
        let inc = &site.incidents[i];
        let b = inc.bounds;
        let end = b.end_latest.unwrap_or(site.as_of);
        for t in &inc.record.targets {
            let Some(&n) = lane_of.get(t) else { continue };
            let label = bar_title(i);
            let y = lane_y[n] + 6.0;
            let h = LANE - 14.0;
            let ongoing = if b.is_ongoing() { " ongoing" } else { "" };
            let _ = writeln!(s, "<g class=\"bar{ongoing}\">");
            let _ = writeln!(s, "<title>{label}</title>");
            let (x0, x1) = (x(b.start_earliest), x(end).max(x(b.start_earliest) + 2.0));
            let _ = writeln!(
                s,
                "<rect class=\"possible\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                P(x0),
                P(y),
                P(x1 - x0),
                P(h)
            );
            if let Some((c0, c1)) = b.certain() {
                let (c0, c1) = (x(c0), x(c1).max(x(c0) + 1.0));
                let _ = writeln!(
                    s,
                    "<rect class=\"certain\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                    P(c0),
                    P(y),
                    P(c1 - c0),
                    P(h)
                );
            }
            if b.is_ongoing() {
                let _ = writeln!(
                    s,
                    "<path class=\"open-end\" d=\"M{} {} l8 {} l-8 {} z\"/>",
                    P(x1),
                    P(y - 2.0),
                    P(h / 2.0 + 2.0),
                    P(h / 2.0 + 2.0)
                );
            }
            for (o, span) in inc.record.observations.iter().zip(&inc.observations) {
                let mid = span.earliest + (span.latest - span.earliest) / 2;
                let ox = x(mid.min(last));
                let (class, word) = match o.state {
                    State::Down => ("obs-down", "down"),
                    State::Up => ("obs-up", "up"),
                };
                let _ = writeln!(
                    s,
                    "<circle class=\"{class}\" cx=\"{}\" cy=\"{}\" r=\"4\"><title>seen {word}: {}</title></circle>",
                    P(ox),
                    P(y + h / 2.0),
                    escape(o.at.text())
                );
            }
            s.push_str("</g>\n");
        }
    }
    s.push_str("</svg>\n");
    s
}

/// Axis ticks at round local times, about six of them.
fn ticks(first: DateTime<Utc>, last: DateTime<Utc>, zone: chrono_tz::Tz) -> Vec<(DateTime<Utc>, String)> {
    let hours = (last - first).num_hours().max(1);
    let steps_h = [1, 3, 6, 12, 24, 48, 24 * 7];
    let mut out = Vec::new();
    if let Some(&step) = steps_h.iter().find(|&&h| hours / h <= 8) {
        let local = first.with_timezone(&zone);
        let day = local.date_naive();
        let mut probe = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        let fmt = if step >= 24 { "%a %d %b" } else { "%d %b %H:%M" };
        let mut guard = 0;
        while guard < 1000 {
            guard += 1;
            if let Some(t) = zone.from_local_datetime(&probe).earliest() {
                let t = t.with_timezone(&Utc);
                if t > last {
                    break;
                }
                if t >= first {
                    out.push((t, t.with_timezone(&zone).format(fmt).to_string()));
                }
            }
            probe += Duration::hours(step);
        }
        return out;
    }
    // Months or years.
    let months = ((last - first).num_days() / 30).max(1);
    let step = [1, 3, 6, 12, 24, 60, 120]
        .into_iter()
        .find(|m| months / m <= 8)
        .unwrap_or(240);
    let local = first.with_timezone(&zone);
    let (mut y, mut m) = (local.year(), local.month0() as i32);
    for _ in 0..200 {
        if let Some(d) = NaiveDate::from_ymd_opt(y, (m + 1) as u32, 1) {
            if let Some(t) = zone
                .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
                .earliest()
            {
                let t = t.with_timezone(&Utc);
                if t > last {
                    break;
                }
                if t >= first {
                    let fmt = if step >= 12 { "%Y" } else { "%b %Y" };
                    out.push((t, t.with_timezone(&zone).format(fmt).to_string()));
                }
            }
        }
        m += step as i32;
        y += m / 12;
        m %= 12;
    }
    out
}
