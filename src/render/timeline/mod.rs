//! The timeline, drawn at build time as inline SVG (docs/format.md, "Exports").
//!
//! One lane per target, one bar per incident. The part of a bar where the
//! outage was certainly under way, `[S.latest, E.earliest]`, is solid; the
//! parts that are only possible, `[S.earliest, S.latest]` and
//! `[E.earliest, E.latest]`, are hatched; an ongoing incident runs open-ended
//! to `as_of`. Observations are marks on the bar. Past [`MAX_BARS`] bars,
//! each lane's overlapping bars are merged into runs, so the drawing stays
//! the size of the picture, not of the data. Every text is escaped here,
//! since the SVG is inserted into pages as markup.

use std::fmt::Write;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};

use crate::bounds::Status;
use crate::model::Site;
use crate::time::TimeSpan;
use crate::wording;

mod incident;
mod layout;
mod legend;
pub use incident::incident_svg;
mod merged;
use layout::Layout;
use merged::merged_bars;

/// Lanes drawn at most; the rest are summarised in the text alternative.
pub(super) const MAX_LANES: usize = 40;
/// Bars drawn one by one at most (an incident has a bar in each of its
/// targets' lanes); past this, each lane's outages are drawn merged.
pub const MAX_BARS: usize = 1000;
/// Observation marks drawn at most (monitoring data can hold hundreds per
/// incident); past this, bars are drawn without them.
pub const MAX_MARKS: usize = 2000;
const WIDTH: f64 = 960.0;
const LABEL: f64 = 200.0;
pub(super) const LANE: f64 = 30.0;
pub(super) const TOP: f64 = 34.0;
/// Height of a campaign heading between groups of lanes.
pub(super) const GROUP: f64 = 20.0;

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
        // Whole numbers without their `.0`: most coordinates are.
        match t % 10 {
            0 => write!(f, "{sign}{}", t / 10),
            d => write!(f, "{sign}{}.{d}", t / 10),
        }
    }
}

/// The title of incident `i`'s bars, escaped, from its start and end in
/// words: the same on every timeline the incident is drawn in, so it is
/// made once (see `render::Shared`).
pub fn bar_title(site: &Site, i: usize, started: &str, end: &str) -> String {
    let inc = &site.incidents[i];
    escape(&format!(
        "{}: {started} → {end}; {}",
        inc.record.title,
        wording::how_long(inc.status(), inc.duration)
    ))
}

/// The timeline of `incidents` (indexes into `site.incidents`), `as_of`
/// being the time the data goes up to, in words;
/// `bar_title(i)` is [`bar_title`] of incident `i`. When lanes are left
/// out, the target at position `focus` (a target's own page) is kept.
/// Bars link to their incident and lane labels to their target, relative to
/// the page's `root`.
pub fn svg<'t>(
    site: &Site,
    as_of: &str,
    incidents: &[usize],
    title: &str,
    bar_title: &dyn Fn(usize) -> &'t str,
    focus: Option<usize>,
    root: &str,
) -> String {
    if incidents.is_empty() {
        return String::new();
    }
    let layout = Layout::new(site, incidents, focus);
    let (first, last) = (layout.first, layout.last);
    let span = (last - first).num_seconds().max(1) as f64;
    let x = |t: DateTime<Utc>| LABEL + (WIDTH - LABEL - 10.0) * ((t - first).num_seconds() as f64 / span);
    // Narrower than the drawing, the box scrolls: say so where it does.
    let mut s = String::from("<p class=\"scroll-hint\">Scroll sideways to see the whole timeline.</p>\n");
    let _ = writeln!(
        s,
        "<svg class=\"timeline\" viewBox=\"0 0 {} {}\" aria-labelledby=\"timeline-title\" aria-describedby=\"timeline-desc\" xmlns=\"http://www.w3.org/2000/svg\">",
        P(WIDTH),
        P(layout.height)
    );
    let _ = writeln!(s, "<title id=\"timeline-title\">{}</title>", escape(title));
    let _ = writeln!(
        s,
        "<desc id=\"timeline-desc\">{}</desc>",
        escape(&describe(site, incidents, &layout))
    );
    s.push_str("<defs>\n<pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">\n<rect class=\"hatch-bg\" width=\"6\" height=\"6\"/>\n<line class=\"hatch-line\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke-width=\"3\"/>\n</pattern>\n</defs>\n");
    draw_axis(&mut s, site, as_of, &layout, &x);
    draw_lanes(&mut s, site, &layout, root);
    let scale = Scale {
        x: &x,
        lane_y: &layout.lane_y,
        last,
        root,
    };
    if layout.merged {
        merged_bars(
            &mut s,
            site,
            incidents,
            &layout.lanes,
            &layout.pair_lanes,
            &scale,
            bar_title,
        );
    } else {
        bars(
            &mut s,
            site,
            incidents,
            &layout.pair_lanes,
            &scale,
            bar_title,
            layout.marks,
        );
    }
    s.push_str("</svg>\n");
    s.push_str(&legend::legend(site, incidents, layout.merged, layout.marks, false));
    s
}

/// The text alternative: what is drawn, and what is left out or merged.
fn describe(site: &Site, incidents: &[usize], layout: &Layout) -> String {
    let zone = site.zone;
    let targets = layout.targets;
    let mut desc = format!(
        "{} incident{} on {} target{}, from {} to {} ({}). The key below says how each kind of mark is drawn; the table lists the same incidents.",
        incidents.len(),
        if incidents.len() == 1 { "" } else { "s" },
        targets,
        if targets == 1 { "" } else { "s" },
        layout.first.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
        layout.last.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
        zone.name(),
    );
    if layout.hidden_lanes > 0 {
        let _ = write!(
            desc,
            " The {} targets with the fewest incidents are not drawn.",
            layout.hidden_lanes
        );
    }
    if layout.merged {
        desc.push_str(
            " Too many incidents to draw one by one: each target's overlapping outages are drawn merged, paler where they cover only part of a pixel's time, without observation marks; unverified claims and attacks without impact are not drawn.",
        );
    } else if !layout.marks {
        let _ = write!(
            desc,
            " The {} observations are too many to mark; the incidents' pages list them.",
            layout.drawn_marks
        );
    }
    desc
}

/// Where a tick label at `x` would end, if it starts right of `free_from`
/// (the end of the label before it) and so does not overlap it; `anchor`
/// is the share of its width left of `x` (0 start, 0.5 middle, 1 end).
fn label_fits(free_from: f64, x: f64, label: &str, anchor: f64) -> Option<f64> {
    // About 7 px a character at 12 px, with room between two labels.
    let width = label.chars().count() as f64 * 7.0;
    let left = x - anchor * width;
    (left >= free_from + 8.0).then_some(left + width)
}

/// The time axis: ticks at round local times and the `as_of` line.
/// `as_of` is the time the data goes up to, in words.
fn draw_axis(s: &mut String, site: &Site, as_of: &str, layout: &Layout, x: &dyn Fn(DateTime<Utc>) -> f64) {
    let zone = site.zone;
    let height = layout.height;
    s.push_str("<g class=\"axis\">\n");
    // The grid lines as one path, their labels one text each.
    // No tick past "now": the data says nothing of it.
    let ticks: Vec<(DateTime<Utc>, String)> = ticks(layout.first, layout.last, zone)
        .into_iter()
        .filter(|(t, _)| *t <= site.as_of)
        .collect();
    let mut grid = String::new();
    for (t, _) in &ticks {
        let _ = write!(grid, "M{} {}v{}", P(x(*t)), P(TOP - 6.0), P(height - TOP));
    }
    if !grid.is_empty() {
        let _ = writeln!(s, "<path class=\"grid\" d=\"{grid}\"/>");
    }
    let mut free_from = f64::MIN;
    for (t, label) in ticks {
        let tx = x(t);
        // A label at the right edge ends there instead of running off it.
        let end = tx > WIDTH - 50.0;
        let Some(right) = label_fits(free_from, tx, &label, if end { 1.0 } else { 0.5 }) else {
            continue;
        };
        free_from = right;
        let anchor = if end { " class=\"end\"" } else { "" };
        let _ = writeln!(
            s,
            "<text{anchor} x=\"{}\" y=\"{}\">{}</text>",
            P(tx),
            P(TOP - 12.0),
            escape(&label)
        );
    }
    // "Now", where it falls inside the drawing.
    if site.as_of <= layout.last {
        let asx = P(x(site.as_of));
        let _ = writeln!(
            s,
            "<line class=\"as-of\" x1=\"{asx}\" y1=\"{}\" x2=\"{asx}\" y2=\"{}\"><title>as of {}</title></line>",
            P(TOP - 6.0),
            P(height - 6.0),
            escape(as_of)
        );
    }
    s.push_str("</g>\n");
}

/// Campaign headings, and each lane's label and line.
fn draw_lanes(s: &mut String, site: &Site, layout: &Layout, root: &str) {
    for (y, name) in &layout.headings {
        let _ = writeln!(
            s,
            "<text class=\"group-label\" x=\"4\" y=\"{}\">{}</text>",
            P(*y),
            escape(name)
        );
    }
    // Labels keep the start of a long name, unless two lanes would then
    // read the same: those keep its start and its end.
    let mut labels: Vec<String> = (layout.lanes.iter())
        .map(|&t| wording::shorten_end(&site.targets[t as usize].record.name, 26))
        .collect();
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for l in &labels {
        *seen.entry(l.as_str()).or_default() += 1;
    }
    let clashing: Vec<bool> = labels.iter().map(|l| seen[l.as_str()] > 1).collect();
    for (n, &t) in layout.lanes.iter().enumerate() {
        if clashing[n] {
            labels[n] = wording::shorten(&site.targets[t as usize].record.name, 26);
        }
    }
    for (n, &t) in layout.lanes.iter().enumerate() {
        let y = layout.lane_y[n];
        let target = &site.targets[t as usize];
        let name = target.record.name.as_str();
        let short = &labels[n];
        let _ = writeln!(s, "<g class=\"lane\">");
        let _ = writeln!(
            s,
            "<a href=\"{root}targets/{}/\"><text class=\"lane-label\" x=\"4\" y=\"{}\">{}<title>{}</title></text></a>",
            target.id,
            P(y + LANE / 2.0 + 4.0),
            escape(short),
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
}

/// Where things go on a timeline: `x` of a time, `y` of a lane, the time
/// at its right end.
struct Scale<'a> {
    x: &'a dyn Fn(DateTime<Utc>) -> f64,
    lane_y: &'a [f64],
    last: DateTime<Utc>,
    /// The page's relative root, for links.
    root: &'a str,
}

/// A pair's lane when its target is not drawn.
pub(super) const NO_LANE: u32 = u32::MAX;

thread_local! {
    /// The lane of each target (by position in `Site::targets`) on the
    /// timeline being drawn, else [`NO_LANE`]: finding a pair's lane is an
    /// index, not a hash, which counts on pages where each of thousands of
    /// incidents has dozens of targets. One table per thread, reset to
    /// [`NO_LANE`] after each timeline by clearing only the lanes it used.
    pub(super) static LANE_OF: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn lane_index(lane: u32) -> Option<usize> {
    (lane != NO_LANE).then_some(lane as usize)
}

/// Height of a bar in its lane.
const BAR: f64 = LANE - 14.0;

/// A bar's `possible` or `certain` part, from `x0` to `x1`, at `y`.
fn bar_rect(s: &mut String, class: &str, x0: f64, x1: f64, y: f64) {
    let _ = writeln!(
        s,
        "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
        P(x0),
        P(y),
        P(x1 - x0),
        P(BAR)
    );
}

/// The arrow at the end of an ongoing bar ending at `x1`.
fn open_end(s: &mut String, x1: f64, y: f64) {
    let _ = writeln!(
        s,
        "<path class=\"open-end\" d=\"M{} {} l8 {} l-8 {} z\"/>",
        P(x1),
        P(y - 2.0),
        P(BAR / 2.0 + 2.0),
        P(BAR / 2.0 + 2.0)
    );
}

/// The middle of a span: where a mark for it goes.
fn midpoint(span: TimeSpan) -> DateTime<Utc> {
    span.earliest + (span.latest - span.earliest) / 2
}

/// A diamond centred at `x` in the lane whose bar starts at `y`: the mark
/// of a claim, or (hollow) of an attack without impact.
fn diamond(s: &mut String, class: &str, x: f64, y: f64) {
    let r = BAR / 2.0;
    let _ = writeln!(
        s,
        "<path class=\"{class}\" d=\"M{} {} l{r} {r} l-{r} {r} l-{r} -{r} z\"/>",
        P(x),
        P(y),
    );
}

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
        let b = inc.outcome.bounds;
        let end = b.end_latest.unwrap_or(site.as_of);
        let status = inc.status();
        for n in pair_lanes.by_ref().take(inc.record.targets.len()) {
            let Some(n) = lane_index(*n) else { continue };
            let label = bar_title(i);
            let y = scale.lane_y[n] + 6.0;
            let _ = writeln!(
                s,
                "<a href=\"{}incidents/{}/\"><g class=\"bar {}\">",
                scale.root,
                inc.id,
                status.key()
            );
            let _ = writeln!(s, "<title>{label}</title>");
            match status {
                Status::Ongoing | Status::Ended => {
                    let (x0, x1) = (x(b.start_earliest), x(end).max(x(b.start_earliest) + 2.0));
                    bar_rect(s, "possible", x0, x1, y);
                    if let Some((c0, c1)) = b.certain() {
                        let (c0, c1) = (x(c0), x(c1).max(x(c0) + 1.0));
                        bar_rect(s, "certain", c0, c1, y);
                    }
                    if status == Status::Ongoing {
                        open_end(s, x1, y);
                    }
                }
                Status::Unverified => {
                    // An outline where it may have been down, never past
                    // the start while nothing bounds its end.
                    let to = b.end_latest.unwrap_or(inc.times.started.latest.min(site.as_of));
                    let (x0, x1) = (x(b.start_earliest), x(to).max(x(b.start_earliest) + 2.0));
                    bar_rect(s, "claim", x0, x1, y);
                    diamond(s, "claim-mark", x(midpoint(inc.times.started)), y);
                }
                Status::NoImpact => diamond(s, "no-impact-mark", x(midpoint(inc.times.started).min(last)), y),
            }
            let observations = if marks { inc.record.observations.len() } else { 0 };
            for (o, span) in inc
                .record
                .observations
                .iter()
                .zip(&inc.times.observations)
                .take(observations)
            {
                let ends = (x(span.earliest.min(last)), x(span.latest.min(last)));
                observation(
                    s,
                    o,
                    ends,
                    x(midpoint(*span).min(last)),
                    (y + BAR / 2.0, 4.0),
                    y + BAR - 4.0,
                );
            }
            s.push_str("</g></a>\n");
        }
    }
}

/// A time whose drawn width reaches this many pixels is drawn as a range,
/// not a point: a check made "on Sunday" is not a moment in the middle of it.
const INTERVAL_PX: f64 = 8.0;

/// The mark of an observation: a dot of radius `r` at (`mid`, `cy`), or,
/// when its time is drawn `INTERVAL_PX` wide or more, that range (`ends`)
/// as a thin bar at `range_y`.
fn observation(
    s: &mut String,
    o: &crate::records::Observation,
    ends: (f64, f64),
    mid: f64,
    (cy, r): (f64, f64),
    range_y: f64,
) {
    let class = format!("obs-{}", o.state.key());
    let title = format!("<title>{}: {}</title>", o.state.seen(), escape(o.at.text()));
    let (x0, x1) = ends;
    if x1 - x0 >= INTERVAL_PX {
        let _ = writeln!(
            s,
            "<rect class=\"{class} span\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"4\" rx=\"2\">{title}</rect>",
            P(x0),
            P(range_y),
            P(x1 - x0)
        );
    } else {
        let _ = writeln!(
            s,
            "<circle class=\"{class}\" cx=\"{}\" cy=\"{}\" r=\"{}\">{title}</circle>",
            P(mid),
            P(cy),
            P(r)
        );
    }
}

/// Axis ticks at round local times, about six of them, with their labels.
fn ticks(first: DateTime<Utc>, last: DateTime<Utc>, zone: chrono_tz::Tz) -> Vec<(DateTime<Utc>, String)> {
    let (times, fmt) = tick_times(first, last, zone);
    times.into_iter().map(|t| (t, tick_label(t, zone, fmt))).collect()
}

/// A tick's label in `fmt` (a strftime format of [`tick_times`]).
fn tick_label(t: DateTime<Utc>, zone: chrono_tz::Tz, fmt: &str) -> String {
    t.with_timezone(&zone).format(fmt).to_string()
}

/// The times of the ticks, and the format of their labels: labels are
/// made only for the ticks that get one.
fn tick_times(first: DateTime<Utc>, last: DateTime<Utc>, zone: chrono_tz::Tz) -> (Vec<DateTime<Utc>>, &'static str) {
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
                    out.push(t);
                }
            }
            probe += Duration::hours(step);
        }
        return (out, fmt);
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
                    out.push(t);
                }
            }
        }
        m += step as i32;
        y += m / 12;
        m %= 12;
    }
    (out, if step >= 12 { "%Y" } else { "%b %Y" })
}

#[cfg(test)]
mod tests {
    use super::merged::{shades, Run, Runs};
    use super::*;

    fn span(x0: f64, x1: f64) -> Run {
        let t = |x: f64| DateTime::<Utc>::from_timestamp(x as i64, 0).unwrap_or_default();
        Run {
            x0,
            x1,
            from: t(x0),
            to: t(x1),
            incidents: 1,
            ongoing: false,
            first: x0 as usize,
        }
    }

    /// The union of spans by brute force: spans on a quarter-pixel grid are
    /// joined where the point between two grid steps is covered.
    fn union_by_grid(spans: &[(f64, f64)]) -> Vec<(f64, f64)> {
        let covered = |x: f64| spans.iter().any(|&(a, b)| a <= x && x <= b);
        let mut out: Vec<(f64, f64)> = Vec::new();
        let mut x = 0.0;
        while x <= 100.0 {
            if covered(x) {
                match out.last_mut() {
                    Some(run) if run.1 + 0.25 >= x && covered(x - 0.125) => run.1 = x,
                    _ => out.push((x, x)),
                }
            }
            x += 0.25;
        }
        out
    }

    #[test]
    fn runs_are_the_union_of_spans_in_any_order() {
        // A small deterministic generator: spans on a quarter-pixel grid.
        let mut seed: u64 = 42;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..500 {
            let spans: Vec<(f64, f64)> = (0..1 + next(12))
                .map(|_| {
                    let a = next(360) as f64 / 4.0;
                    (a, a + next(40) as f64 / 4.0)
                })
                .collect();
            let mut runs = Runs::default();
            for &(a, b) in &spans {
                runs.add(span(a, b));
            }
            let got: Vec<(f64, f64)> = runs.0.iter().map(|r| (r.x0, r.x1)).collect();
            assert_eq!(got, union_by_grid(&spans), "spans {spans:?}");
            assert_eq!(runs.0.iter().map(|r| r.incidents).sum::<usize>(), spans.len());
        }
    }

    #[test]
    fn certain_parts_are_shaded_by_how_much_of_each_pixel_they_cover() {
        // A quarter of column 0; all of 2; half of 3, 4 and 5 (0.5 each).
        let solid = [span(0.0, 0.25), span(2.0, 3.5), span(4.25, 4.75), span(5.5, 6.0)];
        assert_eq!(shades(&solid), vec![(0.0, 1.0, 1), (2.0, 1.0, 4), (3.0, 3.0, 2)]);
        // A sliver still shows, at the palest level.
        assert_eq!(shades(&[span(7.1, 7.1001)]), vec![(7.0, 1.0, 1)]);
        assert!(shades(&[]).is_empty());
    }

    #[test]
    fn a_tick_label_that_would_overlap_the_one_before_is_left_out() {
        // "26 Aug 12:00" centred at 800 spans about 758–842.
        let right = label_fits(f64::MIN, 800.0, "26 Aug 12:00", 0.5).unwrap();
        assert!((right - 842.0).abs() < 0.01);
        // Ending at 950, "27 Aug 00:00" starts at 866, clear of it.
        assert!(label_fits(right, 950.0, "27 Aug 00:00", 1.0).is_some());
        // Ending at 900 it would start at 816, inside the first: left out.
        assert!(label_fits(right, 900.0, "27 Aug 00:00", 1.0).is_none());
    }

    #[test]
    fn a_late_span_joins_the_runs_it_bridges() {
        let mut runs = Runs::default();
        for (a, b) in [(0.0, 1.0), (5.0, 6.0), (10.0, 11.0), (0.5, 10.0)] {
            runs.add(span(a, b));
        }
        assert_eq!(runs.0.len(), 1);
        let run = &runs.0[0];
        assert_eq!((run.x0, run.x1, run.incidents), (0.0, 11.0, 4));
    }
}
