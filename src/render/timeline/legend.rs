//! The key to a timeline, as HTML under it: one entry for each kind of
//! mark the timeline draws, each with a swatch drawn like the mark, so an
//! outage, an unverified claim and an attack without impact are told apart
//! without reading the text alternative.

use std::fmt::Write;

use crate::bounds::Status;
use crate::model::Site;

/// The legend of a timeline of `incidents`: `merged` when their bars are
/// merged into runs, `marks` when observations are marked, `statements`
/// when actors' statements are marked (an incident's own timeline).
pub(super) fn legend(site: &Site, incidents: &[usize], merged: bool, marks: bool, statements: bool) -> String {
    let mut has = [false; 4];
    let mut certain = false;
    let (mut down, mut up, mut attacked) = (false, false, false);
    for &i in incidents {
        let inc = &site.incidents[i];
        let status = inc.status();
        if let Some(k) = Status::ALL.iter().position(|s| *s == status) {
            has[k] = true;
        }
        certain |= inc.outcome.certain().is_some();
        for o in &inc.record.observations {
            match o.state {
                crate::records::State::Down => down = true,
                crate::records::State::Up => up = true,
                crate::records::State::Attacked => attacked = true,
            }
        }
    }
    let [ongoing, ended, no_impact, unverified] = has;
    // Swatches are drawn by the stylesheet: a legend is on every page that
    // has a timeline, and a small SVG per entry was most of its bytes.
    let swatch = |kind: &str| format!("<span class=\"swatch {kind}\" aria-hidden=\"true\"></span>");
    let mut entries: Vec<(String, &str)> = Vec::new();
    if certain {
        entries.push((swatch("certain"), "certainly down"));
    }
    if ongoing || ended {
        entries.push((swatch("possible"), "possibly down (the evidence says no more)"));
    }
    if ongoing {
        entries.push((swatch("open-end"), "an outage not known to have ended"));
    }
    if unverified && !merged {
        entries.push((
            swatch("claim"),
            "an unverified claim: nothing shows the target went down",
        ));
    }
    if no_impact && !merged {
        entries.push((swatch("no-impact"), "an attack without impact"));
    }
    if marks && down {
        entries.push((swatch("obs-down"), "seen down"));
    }
    if marks && up {
        entries.push((swatch("obs-up"), "seen up"));
    }
    if marks && attacked {
        entries.push((
            swatch("obs-attacked"),
            "the attack seen under way (whatever it did to the target)",
        ));
    }
    if statements {
        entries.push((
            swatch("statement"),
            "when an actor said it (announced, claimed) or was named",
        ));
    }
    let mut html = String::from("<ul class=\"legend\" aria-label=\"Key to the timeline\">\n");
    for (swatch, words) in entries {
        let _ = writeln!(html, "<li>{swatch} {words}</li>");
    }
    html.push_str("</ul>\n");
    html
}
