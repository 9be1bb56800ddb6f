//! The key to a timeline, as HTML under it: one entry for each kind of
//! mark the timeline draws, each with a swatch drawn like the mark, so an
//! outage, an unverified claim and an attack without impact are told apart
//! without reading the text alternative.

use std::fmt::Write;

use super::layout::Layout;
use crate::bounds::Status;
use crate::model::Site;

/// The legend of a timeline of `incidents`, drawn as `layout` says.
pub(super) fn legend(site: &Site, incidents: &[usize], layout: &Layout) -> String {
    let mut has = [false; 4];
    let mut certain = false;
    let (mut down, mut up) = (false, false);
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
            }
        }
    }
    let [ongoing, ended, no_impact, unverified] = has;
    let swatch = |shape: &str| {
        format!("<svg class=\"timeline swatch\" viewBox=\"0 0 24 16\" aria-hidden=\"true\">{shape}</svg>")
    };
    let bar = |class: &str| format!("<rect class=\"{class}\" x=\"1\" y=\"2\" width=\"22\" height=\"12\"/>");
    let diamond = |class: &str| format!("<path class=\"{class}\" d=\"M12 2 l6 6 l-6 6 l-6 -6 z\"/>");
    let mut entries: Vec<(String, &str)> = Vec::new();
    if certain {
        entries.push((swatch(&bar("certain")), "certainly down"));
    }
    if ongoing || ended {
        entries.push((swatch(&bar("possible")), "possibly down (the evidence says no more)"));
    }
    if ongoing {
        entries.push((
            swatch("<path class=\"open-end\" d=\"M8 1 l8 7 l-8 7 z\"/>"),
            "an outage not known to have ended",
        ));
    }
    if unverified && !layout.merged {
        entries.push((
            swatch(&format!("{}{}", bar("claim"), diamond("claim-mark"))),
            "an unverified claim: nothing shows the target went down",
        ));
    }
    if no_impact && !layout.merged {
        entries.push((swatch(&diamond("no-impact-mark")), "an attack without impact"));
    }
    if layout.marks && down {
        entries.push((
            swatch("<circle class=\"obs-down\" cx=\"12\" cy=\"8\" r=\"4\"/>"),
            "seen down",
        ));
    }
    if layout.marks && up {
        entries.push((
            swatch("<circle class=\"obs-up\" cx=\"12\" cy=\"8\" r=\"4\"/>"),
            "seen up",
        ));
    }
    let mut html = String::from("<ul class=\"legend\" aria-label=\"Key to the timeline\">\n");
    for (swatch, words) in entries {
        let _ = writeln!(html, "<li>{swatch} {words}</li>");
    }
    html.push_str("</ul>\n");
    html
}
