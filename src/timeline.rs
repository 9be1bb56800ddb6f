//! The timeline, drawn at build time as inline SVG (SPEC §4).
//!
//! One lane per target, one bar per incident. The part of a bar where the
//! outage was certainly under way, `[S.latest, E.earliest]`, is solid; the
//! parts that are only possible, `[S.earliest, S.latest]` and
//! `[E.earliest, E.latest]`, are hatched; an ongoing incident runs open-ended
//! to `as_of`. Observations are marks on the bar. Past [`MAX_BARS`] bars,
//! each lane's overlapping bars are merged into runs, so the drawing stays
//! the size of the picture, not of the data. Every text is escaped here,
//! since the SVG is inserted into pages as markup.

use std::collections::HashMap;
use std::fmt::Write;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use crate::model::Site;
use crate::records::{Id, State};
use crate::wording;

/// Lanes drawn at most; the rest are summarised in the text alternative.
const MAX_LANES: usize = 40;
/// Bars drawn one by one at most (an incident has a bar in each of its
/// targets' lanes); past this, each lane's outages are drawn merged.
pub const MAX_BARS: usize = 1000;
/// Observation marks drawn at most (monitoring data can hold hundreds per
/// incident); past this, bars are drawn without them.
pub const MAX_MARKS: usize = 2000;
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
    // Lanes: targets in order of their first incident, with the campaign
    // of that incident and how many bars each lane has. Each (incident,
    // target) pair's lane is kept, so drawing looks nothing up again.
    let mut lanes: Vec<u32> = Vec::new();
    let mut lane_of: HashMap<u32, u32> = HashMap::new();
    let mut per_lane: Vec<usize> = Vec::new();
    let mut marks_per_lane: Vec<usize> = Vec::new();
    let mut campaign_of_lane: Vec<Option<&Id>> = Vec::new();
    let mut pair_lanes: Vec<u32> = Vec::new();
    for &i in incidents {
        let r = &site.incidents[i].record;
        for &t in site.incidents[i].target_at.iter() {
            let n = *lane_of.entry(t).or_insert_with(|| {
                lanes.push(t);
                per_lane.push(0);
                marks_per_lane.push(0);
                campaign_of_lane.push(r.campaign.as_ref());
                (lanes.len() - 1) as u32
            });
            per_lane[n as usize] += 1;
            marks_per_lane[n as usize] += r.observations.len();
            pair_lanes.push(n);
        }
    }
    drop(lane_of);
    // Where each lane found first ends up (NO_LANE: not drawn).
    let mut found_at: Vec<usize> = (0..lanes.len()).collect();
    let targets = lanes.len();
    let hidden_lanes = lanes.len().saturating_sub(MAX_LANES);
    let mut drawn_bars: usize = per_lane.iter().sum();
    let mut drawn_marks: usize = marks_per_lane.iter().sum();
    if hidden_lanes > 0 {
        // Keep the busiest lanes, in their original order.
        let mut order: Vec<usize> = (0..lanes.len()).collect();
        order.sort_by_key(|&n| (std::cmp::Reverse(per_lane[n]), n));
        let mut keep: Vec<usize> = order[..MAX_LANES].to_vec();
        keep.sort_unstable();
        drawn_bars = keep.iter().map(|&n| per_lane[n]).sum();
        drawn_marks = keep.iter().map(|&n| marks_per_lane[n]).sum();
        lanes = keep.iter().map(|&n| lanes[n]).collect();
        campaign_of_lane = keep.iter().map(|&n| campaign_of_lane[n]).collect();
        found_at = keep;
    }
    let merged = drawn_bars > MAX_BARS;
    let marks = !merged && drawn_marks <= MAX_MARKS;

    // Group lanes by the campaign of their first incident, groups in order
    // of their first incident, when more than one campaign is drawn.
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
    let mut lane_now = vec![NO_LANE; targets];
    for (now, &n) in order.iter().enumerate() {
        lane_now[found_at[n]] = now as u32;
    }
    for lane in &mut pair_lanes {
        *lane = lane_now[*lane as usize];
    }
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
    if merged {
        desc.push_str(
            " Too many incidents to draw one by one: each target's overlapping outages are drawn merged, without observation marks.",
        );
    } else if !marks {
        let _ = write!(
            desc,
            " The {drawn_marks} observations are too many to mark; the incidents' pages list them."
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
    for (n, &t) in lanes.iter().enumerate() {
        let y = lane_y[n];
        let name = site.targets[t as usize].record.name.as_str();
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

    let scale = Scale {
        x: &x,
        lane_y: &lane_y,
        last,
    };
    if merged {
        merged_bars(&mut s, site, incidents, &lanes, &pair_lanes, &scale, bar_title);
    } else {
        bars(&mut s, site, incidents, &pair_lanes, &scale, bar_title, marks);
    }
    s.push_str("</svg>\n");
    s
}

/// Where things go on a timeline: `x` of a time, `y` of a lane, the time
/// at its right end.
struct Scale<'a> {
    x: &'a dyn Fn(DateTime<Utc>) -> f64,
    lane_y: &'a [f64],
    last: DateTime<Utc>,
}

/// A pair's lane when its target is not drawn.
const NO_LANE: u32 = u32::MAX;

fn lane_index(lane: u32) -> Option<usize> {
    (lane != NO_LANE).then_some(lane as usize)
}

/// Height of a bar in its lane.
const BAR: f64 = LANE - 14.0;

/// One bar per incident and lane, with its title and, when `marks`, its
/// observation marks.
fn bars<'t>(
    s: &mut String,
    site: &Site,
    incidents: &[usize],
    pair_lanes: &[u32],
    scale: &Scale,
    bar_title: &dyn Fn(usize) -> &'t str,
    marks: bool,
) {
    let (x, last) = (scale.x, scale.last);
    let mut pair_lanes = pair_lanes.iter();
    for &i in incidents {
        let inc = &site.incidents[i];
        let b = inc.bounds;
        let end = b.end_latest.unwrap_or(site.as_of);
        for n in pair_lanes.by_ref().take(inc.record.targets.len()) {
            let Some(n) = lane_index(*n) else { continue };
            let label = bar_title(i);
            let y = scale.lane_y[n] + 6.0;
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
                P(BAR)
            );
            if let Some((c0, c1)) = b.certain() {
                let (c0, c1) = (x(c0), x(c1).max(x(c0) + 1.0));
                let _ = writeln!(
                    s,
                    "<rect class=\"certain\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                    P(c0),
                    P(y),
                    P(c1 - c0),
                    P(BAR)
                );
            }
            if b.is_ongoing() {
                let _ = writeln!(
                    s,
                    "<path class=\"open-end\" d=\"M{} {} l8 {} l-8 {} z\"/>",
                    P(x1),
                    P(y - 2.0),
                    P(BAR / 2.0 + 2.0),
                    P(BAR / 2.0 + 2.0)
                );
            }
            let observations = if marks { inc.record.observations.len() } else { 0 };
            for (o, span) in inc.record.observations.iter().zip(&inc.observations).take(observations) {
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
                    P(y + BAR / 2.0),
                    escape(o.at.text())
                );
            }
            s.push_str("</g>\n");
        }
    }
}

/// A stretch of a lane where bars overlap, drawn as one.
#[derive(Clone, Copy)]
struct Run {
    x0: f64,
    x1: f64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    incidents: usize,
    ongoing: bool,
    /// The first incident of the run, whose own title a run of one keeps.
    first: usize,
}

/// Each lane's outages merged, for timelines with too many bars to draw one
/// by one (a target hit thousands of times): the union of the incidents'
/// possible parts, hatched, with the union of their certain parts, solid,
/// over it. The target was certainly down wherever one of its incidents
/// says so (SPEC §3), so the union keeps the chart's meaning. Bars that
/// touch on screen become one run, titled with its count and times; the
/// size of the drawing is bounded by the lanes' width in pixels, whatever
/// the number of incidents.
fn merged_bars<'t>(
    s: &mut String,
    site: &Site,
    incidents: &[usize],
    lanes: &[u32],
    pair_lanes: &[u32],
    scale: &Scale,
    bar_title: &dyn Fn(usize) -> &'t str,
) {
    let x = scale.x;
    let mut possible: Vec<Vec<Run>> = (0..lanes.len()).map(|_| Vec::new()).collect();
    let mut certain: Vec<Vec<(f64, f64)>> = (0..lanes.len()).map(|_| Vec::new()).collect();
    let mut pair_lanes = pair_lanes.iter();
    for &i in incidents {
        let inc = &site.incidents[i];
        let b = inc.bounds;
        let end = b.end_latest.unwrap_or(site.as_of);
        let x0 = x(b.start_earliest);
        let span = Run {
            x0,
            x1: x(end).max(x0 + 2.0),
            from: b.start_earliest,
            to: end,
            incidents: 1,
            ongoing: b.is_ongoing(),
            first: i,
        };
        let solid = b.certain().map(|(c0, c1)| (x(c0), x(c1).max(x(c0) + 1.0)));
        for n in pair_lanes.by_ref().take(inc.record.targets.len()) {
            let Some(n) = lane_index(*n) else { continue };
            possible[n].push(span);
            certain[n].extend(solid);
        }
    }
    let zone = site.zone;
    for (n, (mut spans, mut solid)) in possible.into_iter().zip(certain).enumerate() {
        spans.sort_by(|a, b| a.x0.total_cmp(&b.x0).then(a.x1.total_cmp(&b.x1)));
        let mut runs: Vec<Run> = Vec::new();
        for span in spans {
            match runs.last_mut() {
                Some(run) if span.x0 <= run.x1 => {
                    run.x1 = run.x1.max(span.x1);
                    run.from = run.from.min(span.from);
                    run.to = run.to.max(span.to);
                    run.incidents += 1;
                    run.ongoing |= span.ongoing;
                }
                _ => runs.push(span),
            }
        }
        solid.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut solid_runs: Vec<(f64, f64)> = Vec::new();
        for (c0, c1) in solid {
            match solid_runs.last_mut() {
                Some(run) if c0 <= run.1 => run.1 = run.1.max(c1),
                _ => solid_runs.push((c0, c1)),
            }
        }
        let name = site.targets[lanes[n] as usize].record.name.as_str();
        let y = scale.lane_y[n] + 6.0;
        let mut solid_runs = solid_runs.into_iter().peekable();
        for run in runs {
            let ongoing = if run.ongoing { " ongoing" } else { "" };
            let _ = writeln!(s, "<g class=\"bar merged{ongoing}\">");
            if run.incidents == 1 {
                let _ = writeln!(s, "<title>{}</title>", bar_title(run.first));
            } else {
                let to = if run.ongoing {
                    "ongoing".to_string()
                } else {
                    crate::time::local_text(run.to, zone)
                };
                let _ = writeln!(
                    s,
                    "<title>{}: {} incidents, {} → {to}</title>",
                    escape(name),
                    run.incidents,
                    crate::time::local_text(run.from, zone),
                );
            }
            let _ = writeln!(
                s,
                "<rect class=\"possible\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                P(run.x0),
                P(y),
                P(run.x1 - run.x0),
                P(BAR)
            );
            // Certain parts lie within the possible ones: those starting in
            // this run are drawn in it.
            while let Some(&(c0, c1)) = solid_runs.peek() {
                if c0 > run.x1 {
                    break;
                }
                solid_runs.next();
                let _ = writeln!(
                    s,
                    "<rect class=\"certain\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                    P(c0),
                    P(y),
                    P(c1 - c0),
                    P(BAR)
                );
            }
            if run.ongoing {
                let _ = writeln!(
                    s,
                    "<path class=\"open-end\" d=\"M{} {} l8 {} l-8 {} z\"/>",
                    P(run.x1),
                    P(y - 2.0),
                    P(BAR / 2.0 + 2.0),
                    P(BAR / 2.0 + 2.0)
                );
            }
            s.push_str("</g>\n");
        }
    }
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
