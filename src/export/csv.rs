//! `incidents.csv`: the rows of `incidents.json` for spreadsheets, each
//! cell quoted and neutralised (no formula runs).

use super::Input;
use std::io::{self, Write};

use crate::escape::csv_cell;
use crate::records::Kind;
use crate::time::rfc3339;
use crate::wording;

/// `incidents.csv`: the same rows as the JSON, one header line, CRLF lines.
pub fn incidents_csv(input: &Input, w: &mut dyn Write) -> io::Result<()> {
    let site = input.site;
    let header = [
        "id",
        "title",
        "campaign",
        "attack",
        "targets",
        "actors",
        "started",
        "ended",
        "start_earliest",
        "start_latest",
        "end_earliest",
        "end_latest",
        "duration_min_seconds",
        "duration_max_seconds",
        "duration",
        "impact",
        "status",
        "url",
    ];
    w.write_all(header.join(",").as_bytes())?;
    w.write_all(b"\r\n")?;
    for inc in &site.incidents {
        let r = &inc.record;
        let b = inc.outcome.bounds;
        let (end_earliest, end_latest) = inc.outcome.end();
        let cells = [
            inc.id.to_string(),
            r.title.clone(),
            r.campaign.as_ref().map_or(String::new(), |c| c.to_string()),
            r.attack.iter().map(|a| a.key()).collect::<Vec<_>>().join(" "),
            r.targets.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(" "),
            r.actors
                .iter()
                .map(|a| match a.confidence {
                    Some(c) => format!("{} ({}, confidence {})", a.actor, a.basis.key(), c.value()),
                    None => format!("{} ({})", a.actor, a.basis.key()),
                })
                .collect::<Vec<_>>()
                .join("; "),
            r.started.text().to_string(),
            r.ended.as_ref().map_or(String::new(), |e| e.text().to_string()),
            rfc3339(b.start_earliest),
            rfc3339(b.start_latest),
            end_earliest.map_or(String::new(), rfc3339),
            end_latest.map_or(String::new(), rfc3339),
            inc.duration.min.to_string(),
            inc.duration.max.map_or(String::new(), |m| m.to_string()),
            wording::how_long(inc.status(), inc.duration),
            inc.outcome.impact.key().to_string(),
            inc.status().key().to_string(),
            site.url_of(Kind::Incident, &inc.id),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        w.write_all(line.join(",").as_bytes())?;
        w.write_all("\r\n".as_bytes())?;
    }
    Ok(())
}
