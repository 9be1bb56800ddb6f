//! An incident's own timeline, on its page: the bounds of its outage, its
//! observations and the dates of the actors' statements, scaled to this
//! incident alone (a campaign's timeline shows it among the others). One
//! lane, drawn at its own size in a box that scrolls on a phone, as the
//! other timelines are; the facts it draws are in words just above it.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::{
    bar_rect, diamond, escape, label_fits, midpoint, observation, open_end, tick_label, tick_times, BAR, INTERVAL_PX, P,
};
use crate::bounds::Status;
use crate::model::Site;
use crate::records::Basis;
use crate::time::TimeSpan;

/// A statement by its place in the record, and when it was made.
type Dated = (usize, TimeSpan);

const WIDTH: f64 = 560.0;
/// Room left and right of the drawn times.
const SIDE: f64 = 14.0;
const AXIS: f64 = 22.0;
const OUTAGE_Y: f64 = 32.0;
const STATEMENTS_Y: f64 = 62.0;

/// The timeline of incident `i`, with its legend; `as_of` is the time the
/// data goes up to, in words; `described_by` is the id of the element that
/// says the same in words.
pub fn incident_svg(site: &Site, as_of: &str, i: usize, described_by: &str) -> String {
    let inc = &site.incidents[i];
    let status = inc.status();
    let dated: Vec<(usize, TimeSpan)> = (inc.times.statements.iter().enumerate())
        .filter_map(|(n, s)| Some((n, (*s)?)))
        .collect();
    // The outage stays readable however far its statements lie: those made
    // long before or after it are not drawn (the page lists every one).
    let (core_first, core_last) = core(site, i);
    let reach = (core_last - core_first).max(chrono::Duration::hours(6));
    let (near_first, near_last) = (core_first - reach, core_last + reach);
    let (statements, far): (Vec<Dated>, Vec<Dated>) = dated
        .into_iter()
        .partition(|(_, span)| span.latest > near_first && span.earliest < near_last);
    let (first, last) = extent(site, (core_first, core_last), &statements);
    let span = (last - first).num_seconds().max(1) as f64;
    let x =
        |t: DateTime<Utc>| SIDE + (WIDTH - 2.0 * SIDE) * ((t.clamp(first, last) - first).num_seconds() as f64 / span);
    let height = if statements.is_empty() {
        OUTAGE_Y + 26.0
    } else {
        STATEMENTS_Y + 26.0
    };
    let mut s = String::from("<p class=\"scroll-hint incident-hint\">Scroll sideways to see the whole timeline.</p>\n");
    let _ = writeln!(
        s,
        "<svg class=\"timeline incident-timeline\" viewBox=\"0 0 {} {}\" aria-labelledby=\"timeline-title\" aria-describedby=\"{described_by}\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"timeline-title\">This incident in time</title>",
        P(WIDTH),
        P(height)
    );
    if matches!(status, Status::Ongoing | Status::Ended) {
        s.push_str("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect class=\"hatch-bg\" width=\"6\" height=\"6\"/><line class=\"hatch-line\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke-width=\"3\"/></pattern></defs>\n");
    }
    axis(&mut s, site, as_of, first, last, height, &x);
    let y = OUTAGE_Y;
    outage(&mut s, site, i, &x);
    for (o, span) in inc.record.observations.iter().zip(&inc.times.observations) {
        let ends = (x(span.earliest), x(span.latest));
        observation(&mut s, o, ends, x(midpoint(*span)), (y + BAR / 2.0, 5.0), y + BAR + 3.0);
    }
    for (n, span) in &statements {
        let a = &inc.record.actors[*n];
        let name = site
            .name(crate::records::Kind::Actor, &a.actor)
            .unwrap_or(a.actor.as_str());
        let title = format!(
            "<title>{} {}: {}</title>",
            escape(name),
            said(a.basis),
            escape(a.at.as_ref().map_or("", |t| t.text()))
        );
        let (x0, x1) = (x(span.earliest), x(span.latest));
        if x1 - x0 >= INTERVAL_PX {
            let _ = writeln!(
                s,
                "<rect class=\"statement span {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"6\" rx=\"3\">{title}</rect>",
                a.basis.key(),
                P(x0),
                P(STATEMENTS_Y + 5.0),
                P(x1 - x0)
            );
        } else {
            let _ = writeln!(
                s,
                "<path class=\"statement {}\" d=\"M{} {} l6 8 l-6 8 l-6 -8 z\">{title}</path>",
                a.basis.key(),
                P(x(midpoint(*span))),
                P(STATEMENTS_Y)
            );
        }
    }
    s.push_str("</svg>\n");
    if !far.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"timeline-note\">Not drawn, to keep the outage readable: {} made long before or after it (listed under “Who says who did it”).</p>",
            if far.len() == 1 { "1 statement".to_string() } else { format!("{} statements", far.len()) }
        );
    }
    let legend = super::legend::legend(site, &[i], false, true, !statements.is_empty());
    s.push_str(legend.trim_end());
    s
}

/// What the drawing of incident `i` is about: from the outage's earliest
/// start (and the first observation) to its latest end (an outage not known
/// to have ended runs to `as_of`, a claim only as far as its evidence goes)
/// and the last observation.
fn core(site: &Site, i: usize) -> (DateTime<Utc>, DateTime<Utc>) {
    let inc = &site.incidents[i];
    let b = inc.outcome.bounds;
    let mut first = b.start_earliest;
    let mut last = match inc.status() {
        Status::Ongoing => site.as_of,
        Status::Ended => b.end_latest.unwrap_or(site.as_of),
        Status::Unverified | Status::NoImpact => b.end_latest.unwrap_or(inc.times.started.latest).min(site.as_of),
    };
    for span in &inc.times.observations {
        first = first.min(span.earliest);
        last = last.max(span.latest.min(site.as_of));
    }
    (first, last)
}

/// Where the drawing begins and ends: the core and the statements drawn,
/// padded.
fn extent(
    site: &Site,
    (mut first, mut last): (DateTime<Utc>, DateTime<Utc>),
    statements: &[(usize, TimeSpan)],
) -> (DateTime<Utc>, DateTime<Utc>) {
    for (_, span) in statements {
        first = first.min(span.earliest);
        last = last.max(span.latest.min(site.as_of));
    }
    let pad = ((last - first) / 20).max(chrono::Duration::minutes(30));
    (first - pad, last + pad)
}

/// The outage bar of incident `i` (or its claim, or its mark without
/// impact) on the one lane.
fn outage(s: &mut String, site: &Site, i: usize, x: &dyn Fn(DateTime<Utc>) -> f64) {
    let inc = &site.incidents[i];
    let (b, status, y) = (inc.outcome.bounds, inc.status(), OUTAGE_Y);
    match status {
        Status::Ongoing | Status::Ended => {
            let end = b.end_latest.unwrap_or(site.as_of);
            let (x0, x1) = (x(b.start_earliest), x(end).max(x(b.start_earliest) + 2.0));
            bar_rect(s, "possible", x0, x1, y);
            if let Some((c0, c1)) = b.certain() {
                bar_rect(s, "certain", x(c0), x(c1).max(x(c0) + 1.0), y);
            }
            if status == Status::Ongoing {
                open_end(s, x1, y);
            }
        }
        Status::Unverified => {
            let to = b.end_latest.unwrap_or(inc.times.started.latest.min(site.as_of));
            bar_rect(s, "claim", x(b.start_earliest), x(to).max(x(b.start_earliest) + 2.0), y);
            diamond(s, "claim-mark", x(midpoint(inc.times.started)), y);
        }
        Status::NoImpact => diamond(s, "no-impact-mark", x(midpoint(inc.times.started)), y),
    }
}

/// What an actor's statement of `basis` is, in words.
fn said(basis: Basis) -> &'static str {
    match basis {
        Basis::Announced => "announced the attack",
        Basis::Claimed => "claimed it",
        Basis::Attributed => "named by others",
        Basis::Suspected => "suspected",
    }
}

/// The ticks of the axis, fewer than on a campaign's timeline.
fn axis(
    s: &mut String,
    site: &Site,
    as_of: &str,
    first: DateTime<Utc>,
    last: DateTime<Utc>,
    height: f64,
    x: &dyn Fn(DateTime<Utc>) -> f64,
) {
    let (mut all, fmt) = tick_times(first, last, site.zone);
    // No tick past "now": the data says nothing of it.
    all.retain(|t| *t <= site.as_of);
    // At most four labels fit in the width.
    let every = all.len().div_ceil(4).max(1);
    s.push_str("<g class=\"axis\">");
    let mut grid = String::new();
    for t in &all {
        let _ = write!(grid, "M{} {}v{}", P(x(*t)), P(AXIS - 4.0), P(height - AXIS));
    }
    if !grid.is_empty() {
        let _ = write!(s, "<path class=\"grid\" d=\"{grid}\"/>");
    }
    let mut free_from = f64::MIN;
    for t in all.iter().step_by(every) {
        let (tx, label) = (x(*t), tick_label(*t, site.zone, fmt));
        let (anchor, share) = match tx {
            tx if tx > WIDTH - 60.0 => (" class=\"end\"", 1.0),
            tx if tx < 60.0 => (" class=\"start\"", 0.0),
            _ => ("", 0.5),
        };
        let Some(right) = label_fits(free_from, tx, &label, share) else {
            continue;
        };
        free_from = right;
        let _ = write!(
            s,
            "<text{anchor} x=\"{}\" y=\"{}\">{}</text>",
            P(tx),
            P(AXIS - 8.0),
            escape(&label)
        );
    }
    if site.as_of <= last {
        let asx = P(x(site.as_of));
        let _ = write!(
            s,
            "<line class=\"as-of\" x1=\"{asx}\" y1=\"{}\" x2=\"{asx}\" y2=\"{}\"><title>as of {}</title></line>",
            P(AXIS - 4.0),
            P(height - 4.0),
            escape(as_of)
        );
    }
    s.push_str("</g>\n");
}
