//! Where a timeline's things go, before anything is drawn: which targets get
//! a lane, in which order and group, at which height, and the time span the
//! width stands for.

use chrono::{DateTime, Duration, Utc};

use super::{GROUP, LANE, LANE_OF, MAX_BARS, MAX_LANES, MAX_MARKS, NO_LANE, TOP};
use crate::model::Site;
use crate::records::Id;

/// The lanes of a timeline and what decides how it is drawn.
pub(super) struct Layout<'s> {
    /// The target (position in `Site::targets`) of each lane, as drawn.
    pub lanes: Vec<u32>,
    /// The lane of each (incident, target) pair, in incident order, or
    /// [`NO_LANE`] when that target's lane is not drawn.
    pub pair_lanes: Vec<u32>,
    /// The top of each lane.
    pub lane_y: Vec<f64>,
    /// Campaign headings: their baseline and text.
    pub headings: Vec<(f64, String)>,
    /// The height of the drawing, lanes and headings included.
    pub height: f64,
    /// Targets of the incidents, drawn or not; the lanes left out past
    /// [`MAX_LANES`], which the caption counts.
    pub targets: usize,
    pub hidden_lanes: usize,
    /// Observation marks on the lanes drawn (the description says how many
    /// when they are too many to draw).
    pub drawn_marks: usize,
    /// Each lane's outages drawn merged (past [`MAX_BARS`] bars).
    pub merged: bool,
    /// Observation marks drawn (at most [`MAX_MARKS`], never when merged).
    pub marks: bool,
    /// The time axis: from the earliest start to the latest end drawn.
    pub first: DateTime<Utc>,
    pub last: DateTime<Utc>,
    campaign_of_lane: Vec<Option<&'s Id>>,
}

/// Lanes as found: targets in order of their first incident, with the
/// campaign of that incident and how many bars and marks each has.
struct Found<'s> {
    lanes: Vec<u32>,
    per_lane: Vec<usize>,
    marks_per_lane: Vec<usize>,
    campaign_of_lane: Vec<Option<&'s Id>>,
    pair_lanes: Vec<u32>,
}

/// Finds the lanes; each (incident, target) pair's lane is kept, so drawing
/// looks nothing up again.
fn find_lanes<'s>(site: &'s Site, incidents: &[usize]) -> Found<'s> {
    let mut found = Found {
        lanes: Vec::new(),
        per_lane: Vec::new(),
        marks_per_lane: Vec::new(),
        campaign_of_lane: Vec::new(),
        pair_lanes: Vec::new(),
    };
    LANE_OF.with_borrow_mut(|lane_of| {
        if lane_of.len() < site.targets.len() {
            lane_of.resize(site.targets.len(), NO_LANE);
        }
        for &i in incidents {
            let r = &site.incidents[i].record;
            for &t in site.incidents[i].target_at.iter() {
                let slot = &mut lane_of[t as usize];
                if *slot == NO_LANE {
                    *slot = found.lanes.len() as u32;
                    found.lanes.push(t);
                    found.per_lane.push(0);
                    found.marks_per_lane.push(0);
                    found.campaign_of_lane.push(r.campaign.as_ref());
                }
                let n = *slot as usize;
                found.per_lane[n] += 1;
                found.marks_per_lane[n] += r.observations.len();
                found.pair_lanes.push(n as u32);
            }
        }
        // Left as found, for the next timeline on this thread.
        for &t in &found.lanes {
            lane_of[t as usize] = NO_LANE;
        }
    });
    found
}

impl<'s> Layout<'s> {
    /// The layout of `incidents`; when lanes are left out, the target at
    /// position `focus` is kept.
    pub fn new(site: &'s Site, incidents: &[usize], focus: Option<usize>) -> Layout<'s> {
        let found = find_lanes(site, incidents);
        let targets = found.lanes.len();
        let hidden_lanes = targets.saturating_sub(MAX_LANES);
        // For each lane kept, its number when found (pairs are numbered so).
        let keep: Vec<usize> = if hidden_lanes > 0 {
            // Keep the focus and the busiest lanes, in their original order.
            let mut order: Vec<usize> = (0..targets).collect();
            let focus = focus.map(|t| t as u32);
            order.sort_by_key(|&n| (Some(found.lanes[n]) != focus, std::cmp::Reverse(found.per_lane[n]), n));
            let mut keep = order[..MAX_LANES].to_vec();
            keep.sort_unstable();
            keep
        } else {
            (0..targets).collect()
        };
        let drawn_bars: usize = keep.iter().map(|&n| found.per_lane[n]).sum();
        let drawn_marks: usize = keep.iter().map(|&n| found.marks_per_lane[n]).sum();
        let merged = drawn_bars > MAX_BARS;
        let (first, last) = extent(site, incidents);
        let mut layout = Layout {
            lanes: keep.iter().map(|&n| found.lanes[n]).collect(),
            pair_lanes: found.pair_lanes,
            lane_y: Vec::new(),
            headings: Vec::new(),
            height: 0.0,
            targets,
            hidden_lanes,
            drawn_marks,
            merged,
            marks: !merged && drawn_marks <= MAX_MARKS,
            first,
            last,
            campaign_of_lane: keep.iter().map(|&n| found.campaign_of_lane[n]).collect(),
        };
        layout.group(&keep);
        layout.place(site);
        layout
    }

    /// Groups lanes by the campaign of their first incident, groups in order
    /// of their first incident, and renumbers the pairs' lanes as drawn.
    fn group(&mut self, found_at: &[usize]) {
        let mut group_order: Vec<Option<&Id>> = Vec::new();
        for c in &self.campaign_of_lane {
            if !group_order.contains(c) {
                group_order.push(*c);
            }
        }
        let mut order: Vec<usize> = (0..self.lanes.len()).collect();
        order.sort_by_key(|&n| (group_order.iter().position(|c| *c == self.campaign_of_lane[n]), n));
        self.campaign_of_lane = order.iter().map(|&n| self.campaign_of_lane[n]).collect();
        self.lanes = order.iter().map(|&n| self.lanes[n]).collect();
        let mut lane_now = vec![NO_LANE; self.targets];
        for (now, &n) in order.iter().enumerate() {
            lane_now[found_at[n]] = now as u32;
        }
        for lane in &mut self.pair_lanes {
            *lane = lane_now[*lane as usize];
        }
    }

    /// The vertical position of each lane, leaving room for group headings
    /// when more than one campaign is drawn.
    fn place(&mut self, site: &Site) {
        let grouped = self.campaign_of_lane.iter().any(|c| *c != self.campaign_of_lane[0]);
        let mut y = TOP;
        for (n, c) in self.campaign_of_lane.iter().enumerate() {
            if grouped && (n == 0 || self.campaign_of_lane[n - 1] != *c) {
                let name = c
                    .and_then(|c| site.position(crate::records::Kind::Campaign, c))
                    .map_or("No campaign".to_string(), |k| {
                        format!("Campaign: {}", site.campaigns[k].record.name)
                    });
                self.headings.push((y + 14.0, name));
                y += GROUP;
            }
            self.lane_y.push(y);
            y += LANE;
        }
        self.height = y + 10.0;
    }
}

/// The time the width stands for: from the earliest start to the latest end
/// (as_of for the open, the start for an attack without impact), at least
/// an hour.
fn extent(site: &Site, incidents: &[usize]) -> (DateTime<Utc>, DateTime<Utc>) {
    let first = incidents
        .iter()
        .map(|&i| site.incidents[i].outcome.bounds.start_earliest)
        .min()
        .unwrap_or(site.as_of);
    let last = incidents
        .iter()
        .map(|&i| site.incidents[i].last_moment(site.as_of))
        .max()
        .unwrap_or(site.as_of)
        .max(first + Duration::hours(1));
    (first, last)
}
