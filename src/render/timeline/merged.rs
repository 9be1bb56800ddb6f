//! Timelines of too many bars: each lane's outages merged into runs, the
//! certain parts shaded by how much of each pixel's time they cover.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::{bar_rect, escape, lane_index, open_end, Scale, BAR, P};
use crate::model::Site;

/// A stretch of a lane where bars overlap, drawn as one.
#[derive(Clone, Copy)]
pub(super) struct Run {
    pub(super) x0: f64,
    pub(super) x1: f64,
    pub(super) from: DateTime<Utc>,
    pub(super) to: DateTime<Utc>,
    pub(super) incidents: usize,
    pub(super) ongoing: bool,
    /// The first incident of the run, whose own title a run of one keeps.
    pub(super) first: usize,
}

impl Run {
    /// Takes in a span that touches this run.
    pub(super) fn absorb(&mut self, span: Run) {
        self.x0 = self.x0.min(span.x0);
        self.x1 = self.x1.max(span.x1);
        self.from = self.from.min(span.from);
        self.to = self.to.max(span.to);
        self.incidents += span.incidents;
        self.ongoing |= span.ongoing;
    }
}

/// A lane's runs: disjoint, in order, merged as spans come in. Spans mostly
/// come in order of their start (incidents are sorted by `S.earliest`), so
/// each one usually joins or follows the last run; one that does not (a
/// certain part starts at `S.latest`) is placed by a binary search.
#[derive(Default)]
pub(super) struct Runs(pub(super) Vec<Run>);

impl Runs {
    pub(super) fn add(&mut self, span: Run) {
        let runs = &mut self.0;
        // The first run that ends at or after the span's start.
        let at = match runs.last() {
            Some(last) if last.x1 < span.x0 => runs.len(),
            _ => runs.partition_point(|r| r.x1 < span.x0),
        };
        if at == runs.len() || runs[at].x0 > span.x1 {
            runs.insert(at, span);
            return;
        }
        runs[at].absorb(span);
        while at + 1 < runs.len() && runs[at + 1].x0 <= runs[at].x1 {
            let next = runs.remove(at + 1);
            runs[at].absorb(next);
        }
    }
}

/// A merged lane's certain parts at the screen's resolution: each pixel
/// column is shaded by how much of its time the target was certainly down
/// (up to a quarter, a half, three quarters, all of it: levels 1 to 4), so
/// that a thousand one-hour outages over two years, a pixel a day, do not
/// look like two years of outage. `solid` is disjoint and in order; the
/// result is runs of columns of one level: `(x, width, level)`.
pub(super) fn shades(solid: &[Run]) -> Vec<(f64, f64, u8)> {
    let (Some(first), Some(last)) = (solid.first(), solid.last()) else {
        return Vec::new();
    };
    let base = first.x0.floor();
    let mut cover = vec![0.0_f64; (last.x1.ceil() - base) as usize + 1];
    for run in solid {
        let mut column = run.x0.floor();
        while column < run.x1 {
            let overlap = run.x1.min(column + 1.0) - run.x0.max(column);
            cover[(column - base) as usize] += overlap.max(0.0);
            column += 1.0;
        }
    }
    let mut out: Vec<(f64, f64, u8)> = Vec::new();
    for (k, &covered) in cover.iter().enumerate() {
        if covered <= 0.0 {
            continue;
        }
        let level = ((covered * 4.0).ceil() as u8).clamp(1, 4);
        let x = base + k as f64;
        match out.last_mut() {
            Some((x0, width, l)) if *l == level && *x0 + *width == x => *width += 1.0,
            _ => out.push((x, 1.0, level)),
        }
    }
    out
}

/// Each lane's outages merged, for timelines with too many bars to draw one
/// by one (a target hit thousands of times): the union of the incidents'
/// possible parts, hatched, with the union of their certain parts, solid
/// (paler where it covers only part of a pixel's time: [`shades`]), over
/// it. The target was certainly down wherever one of its incidents
/// says so (docs/format.md, "Times"), so the union keeps the chart's meaning. Bars that
/// touch on screen become one run, titled with its count and times; the
/// size of the drawing is bounded by the lanes' width in pixels, whatever
/// the number of incidents.
pub(super) fn merged_bars<'t>(
    s: &mut String,
    site: &Site,
    incidents: &[usize],
    lanes: &[u32],
    pair_lanes: &[u32],
    scale: &Scale,
    bar_title: &dyn Fn(usize) -> &'t str,
) {
    let (possible, certain) = lane_runs(site, incidents, lanes.len(), pair_lanes, scale.x);
    let zone = site.zone;
    for (n, (spans, solid)) in possible.into_iter().zip(certain).enumerate() {
        let runs = spans.0;
        let solid_runs = shades(&solid.0);
        let name = site.targets[lanes[n] as usize].record.name.as_str();
        let y = scale.lane_y[n] + 6.0;
        for run in runs {
            let ongoing = if run.ongoing { " ongoing" } else { "" };
            // One incident links to its page; a run of several, to the target's.
            let href = if run.incidents == 1 {
                format!("incidents/{}/", site.incidents[run.first].id)
            } else {
                format!("targets/{}/", site.targets[lanes[n] as usize].id)
            };
            let _ = writeln!(s, "<a href=\"{}{href}\"><g class=\"bar merged{ongoing}\">", scale.root);
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
            bar_rect(s, "possible", run.x0, run.x1, y);
            if run.ongoing {
                open_end(s, run.x1, y);
            }
            s.push_str("</g></a>\n");
        }
        draw_shades(s, &solid_runs, y);
    }
}

/// Each lane's possible and certain runs, from the outages of `incidents`
/// (claims and attacks without impact are counted in the text alternative
/// instead).
fn lane_runs(
    site: &Site,
    incidents: &[usize],
    lanes: usize,
    pair_lanes: &[u32],
    x: &dyn Fn(DateTime<Utc>) -> f64,
) -> (Vec<Runs>, Vec<Runs>) {
    let mut possible: Vec<Runs> = (0..lanes).map(|_| Runs::default()).collect();
    let mut certain: Vec<Runs> = (0..lanes).map(|_| Runs::default()).collect();
    let mut pair_lanes = pair_lanes.iter();
    for &i in incidents {
        let inc = &site.incidents[i];
        if !inc.outcome.impact.is_outage() {
            pair_lanes.by_ref().take(inc.record.targets.len()).for_each(drop);
            continue;
        }
        let b = inc.outcome.bounds;
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
        // Certain parts at their true width: `shades` turns them into
        // pixels, so short outages are not widened into long ones.
        let solid = b.certain().map(|(c0, c1)| Run {
            x0: x(c0),
            x1: x(c1),
            ..span
        });
        for n in pair_lanes.by_ref().take(inc.record.targets.len()) {
            let Some(n) = lane_index(*n) else { continue };
            possible[n].add(span);
            if let Some(solid) = solid {
                certain[n].add(solid);
            }
        }
    }
    (possible, certain)
}

/// The certain parts over a lane's runs, one path per shade: a lane can
/// have hundreds of strips, and a path spends a few bytes on each where a
/// rect would spend seventy.
fn draw_shades(s: &mut String, solid_runs: &[(f64, f64, u8)], y: f64) {
    for level in 1..=4u8 {
        let mut d = String::new();
        let mut at = None;
        for &(x0, width, _) in solid_runs.iter().filter(|r| r.2 == level) {
            // `z` brings the pen back to where a strip began: the next
            // strip moves on from there.
            match at {
                None => {
                    let _ = write!(d, "M{} {}", x0, P(y));
                }
                Some(prev) => {
                    let _ = write!(d, "m{} 0", x0 - prev);
                }
            }
            let _ = write!(d, "h{width}v{BAR}h-{width}z");
            at = Some(x0);
        }
        if !d.is_empty() {
            let shade = if level < 4 {
                format!(" shade{level}")
            } else {
                String::new()
            };
            let _ = writeln!(s, "<path class=\"certain{shade}\" d=\"{d}\"/>");
        }
    }
}
