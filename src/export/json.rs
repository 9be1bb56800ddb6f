//! `incidents.json`: every incident with its written times, the bounds
//! derived from them, its status and duration (docs/format.md, "Exports").

use super::Input;
use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::bounds::Totals;
use crate::model::{IncidentModel, Site};
use crate::records::Kind;
use crate::time::{rfc3339, TimeSpan, WrittenTime};

#[derive(Serialize)]
struct JsonSite<'a> {
    as_of: String,
    incidents: Incidents<'a>,
    totals: JsonTotals<'a>,
}

/// The aggregates: the site's, and each target's, actor's and campaign's
/// that has an incident; computed by the same code as the pages' figures.
#[derive(Serialize)]
struct JsonTotals<'a> {
    site: JsonTotal,
    targets: BTreeMap<&'a str, JsonTotal>,
    actors: BTreeMap<&'a str, JsonTotal>,
    campaigns: BTreeMap<&'a str, JsonTotal>,
}

#[derive(Serialize)]
struct JsonTotal {
    downtime_seconds: JsonDuration,
    unverified_seconds: JsonMax,
}

#[derive(Serialize)]
struct JsonMax {
    max: Option<i64>,
}

impl From<Totals> for JsonTotal {
    fn from(t: Totals) -> Self {
        JsonTotal {
            downtime_seconds: JsonDuration {
                min: t.downtime.min,
                max: t.downtime.max,
            },
            unverified_seconds: JsonMax { max: t.unverified_max },
        }
    }
}

fn json_totals<'a>(site: &'a Site) -> JsonTotals<'a> {
    let of = |kind: Kind, ids: Vec<&'a crate::records::Id>| -> BTreeMap<&'a str, JsonTotal> {
        ids.into_iter()
            .filter_map(|id| {
                let incidents = site.incidents_of(kind, id);
                (!incidents.is_empty()).then(|| (id.as_str(), site.totals(incidents).into()))
            })
            .collect()
    };
    JsonTotals {
        site: site.site_totals().into(),
        targets: of(Kind::Target, site.targets.iter().map(|p| &p.id).collect()),
        actors: of(Kind::Actor, site.actors.iter().map(|p| &p.id).collect()),
        campaigns: of(Kind::Campaign, site.campaigns.iter().map(|p| &p.id).collect()),
    }
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
    /// How long the attack was seen under way: null without `attacked`
    /// observations.
    attacked_seconds: Option<JsonMin>,
    url: String,
}

#[derive(Serialize)]
struct JsonMin {
    min: i64,
}

#[derive(Serialize)]
struct JsonActor<'a> {
    actor: &'a str,
    basis: &'static str,
    confidence: Option<u8>,
    source: Option<&'a str>,
    at: Option<JsonTime<'a>>,
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
        actors: (r.actors.iter().zip(&inc.times.statements))
            .map(|(a, span)| JsonActor {
                actor: a.actor.as_str(),
                basis: a.basis.key(),
                confidence: a.confidence.map(|c| c.value()),
                source: a.source.as_ref().map(|s| s.as_str()),
                at: a.at.as_ref().zip(*span).map(|(t, s)| json_time(t, s)),
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
        attacked_seconds: inc.attack_seen().map(|seen| JsonMin { min: seen.min }),
        url: site.url_of(Kind::Incident, &inc.id),
    }
}

/// `incidents.json`, exactly as docs/format.md ("Exports") defines it.
pub fn incidents_json(input: &Input, w: &mut dyn Write) -> io::Result<()> {
    let site = input.site;
    let doc = JsonSite {
        as_of: rfc3339(site.as_of),
        incidents: Incidents(site),
        totals: json_totals(site),
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}
