//! `incidents.json`: every incident with its written times, the bounds
//! derived from them, its status and duration (docs/format.md, "Exports").

use std::io::{self, Write};

use serde::Serialize;

use crate::model::{IncidentModel, Site};
use crate::records::Kind;
use crate::time::{rfc3339, TimeSpan, WrittenTime};

#[derive(Serialize)]
struct JsonSite<'a> {
    as_of: String,
    incidents: Incidents<'a>,
}

/// Every incident, serialised one at a time as the list is written, so the
/// whole document is never built in memory.
struct Incidents<'a>(&'a Site);

impl Serialize for Incidents<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let site = self.0;
        serializer.collect_seq(site.incidents.iter().map(|inc| json_incident(site, inc)))
    }
}

#[derive(Serialize)]
struct JsonIncident<'a> {
    id: &'a str,
    title: &'a str,
    campaign: Option<&'a str>,
    attack: Vec<&'static str>,
    targets: Vec<&'a str>,
    actors: Vec<JsonActor<'a>>,
    started: JsonTime<'a>,
    ended: Option<JsonTime<'a>>,
    start: JsonBounds,
    end: JsonBounds,
    impact: &'static str,
    status: &'static str,
    duration_seconds: JsonDuration,
    url: String,
}

#[derive(Serialize)]
struct JsonActor<'a> {
    actor: &'a str,
    basis: &'static str,
    confidence: Option<u8>,
}

#[derive(Serialize)]
struct JsonTime<'a> {
    value: &'a str,
    earliest: String,
    latest: String,
}

#[derive(Serialize)]
struct JsonBounds {
    /// Absent only in `end` of an attack without impact: nothing ended.
    earliest: Option<String>,
    latest: Option<String>,
}

#[derive(Serialize)]
struct JsonDuration {
    min: i64,
    max: Option<i64>,
}

fn json_time<'a>(written: &'a WrittenTime, span: TimeSpan) -> JsonTime<'a> {
    JsonTime {
        value: written.text(),
        earliest: rfc3339(span.earliest),
        latest: rfc3339(span.latest),
    }
}

fn json_incident<'a>(site: &Site, inc: &'a IncidentModel) -> JsonIncident<'a> {
    let r = &inc.record;
    let b = inc.outcome.bounds;
    let (end_earliest, end_latest) = inc.outcome.end();
    JsonIncident {
        id: inc.id.as_str(),
        title: &r.title,
        campaign: r.campaign.as_ref().map(|c| c.as_str()),
        attack: r.attack.iter().map(|a| a.key()).collect(),
        targets: r.targets.iter().map(|t| t.as_str()).collect(),
        actors: r
            .actors
            .iter()
            .map(|a| JsonActor {
                actor: a.actor.as_str(),
                basis: a.basis.key(),
                confidence: a.confidence.map(|c| c.value()),
            })
            .collect(),
        started: json_time(&r.started, inc.times.started),
        ended: r.ended.as_ref().zip(inc.times.ended).map(|(e, s)| json_time(e, s)),
        start: JsonBounds {
            earliest: Some(rfc3339(b.start_earliest)),
            latest: Some(rfc3339(b.start_latest)),
        },
        end: JsonBounds {
            earliest: end_earliest.map(rfc3339),
            latest: end_latest.map(rfc3339),
        },
        impact: inc.outcome.impact.key(),
        status: inc.status().key(),
        duration_seconds: JsonDuration {
            min: inc.duration.min,
            max: inc.duration.max,
        },
        url: site.url_of(Kind::Incident, &inc.id),
    }
}

/// `incidents.json`, exactly as docs/format.md ("Exports") defines it.
pub fn incidents_json(site: &Site, w: &mut dyn Write) -> io::Result<()> {
    let doc = JsonSite {
        as_of: rfc3339(site.as_of),
        incidents: Incidents(site),
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}
