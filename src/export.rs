//! Machine-readable outputs: `incidents.json` (SPEC §4), `incidents.csv`,
//! the Atom feed, the sitemap and `robots.txt`.
//!
//! Written from Rust with explicit escaping for each format rather than
//! through HTML templates, so each context gets the escaping it needs.

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::escape::{csv_cell, xml};
use crate::model::{IncidentModel, Site};
use crate::records::Kind;
use crate::time::{rfc3339, TimeSpan, WrittenTime};
use crate::wording;

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
    status: &'static str,
    duration_seconds: JsonDuration,
    url: String,
}

#[derive(Serialize)]
struct JsonActor<'a> {
    actor: &'a str,
    basis: &'static str,
}

#[derive(Serialize)]
struct JsonTime<'a> {
    value: &'a str,
    earliest: String,
    latest: String,
}

#[derive(Serialize)]
struct JsonBounds {
    earliest: String,
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
    let b = inc.bounds;
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
            })
            .collect(),
        started: json_time(&r.started, inc.started),
        ended: r.ended.as_ref().zip(inc.ended).map(|(e, s)| json_time(e, s)),
        start: JsonBounds {
            earliest: rfc3339(b.start_earliest),
            latest: Some(rfc3339(b.start_latest)),
        },
        end: JsonBounds {
            earliest: rfc3339(b.end_earliest),
            latest: b.end_latest.map(rfc3339),
        },
        status: inc.status(),
        duration_seconds: JsonDuration {
            min: inc.duration.min,
            max: inc.duration.max,
        },
        url: site.url_of(Kind::Incident, &inc.id),
    }
}

/// `incidents.json`, exactly as SPEC §4 defines it.
pub fn incidents_json(site: &Site, w: &mut dyn Write) -> io::Result<()> {
    let doc = JsonSite {
        as_of: rfc3339(site.as_of),
        incidents: Incidents(site),
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}

/// `incidents.csv`: the same rows as the JSON, one header line, CRLF lines.
pub fn incidents_csv(site: &Site, w: &mut dyn Write) -> io::Result<()> {
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
        "status",
        "url",
    ];
    w.write_all(header.join(",").as_bytes())?;
    w.write_all(b"\r\n")?;
    for inc in &site.incidents {
        let r = &inc.record;
        let b = inc.bounds;
        let cells = [
            inc.id.to_string(),
            r.title.clone(),
            r.campaign.as_ref().map_or(String::new(), |c| c.to_string()),
            r.attack.iter().map(|a| a.key()).collect::<Vec<_>>().join(" "),
            r.targets.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(" "),
            r.actors
                .iter()
                .map(|a| format!("{} ({})", a.actor, a.basis.key()))
                .collect::<Vec<_>>()
                .join("; "),
            r.started.text().to_string(),
            r.ended.as_ref().map_or(String::new(), |e| e.text().to_string()),
            rfc3339(b.start_earliest),
            rfc3339(b.start_latest),
            rfc3339(b.end_earliest),
            b.end_latest.map_or(String::new(), rfc3339),
            inc.duration.min.to_string(),
            inc.duration.max.map_or(String::new(), |m| m.to_string()),
            wording::duration(inc.duration),
            inc.status().to_string(),
            site.url_of(Kind::Incident, &inc.id),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        w.write_all(line.join(",").as_bytes())?;
        w.write_all("\r\n".as_bytes())?;
    }
    Ok(())
}

/// The latest moment the data says something happened to an incident.
fn updated(inc: &IncidentModel, as_of: DateTime<Utc>) -> DateTime<Utc> {
    [Some(inc.started), inc.ended]
        .into_iter()
        .flatten()
        .chain(inc.observations.iter().copied())
        .map(|s| s.earliest)
        .max()
        .unwrap_or(inc.started.earliest)
        .min(as_of)
}

/// Entries in `feed.xml`: the most recent incidents. A feed is polled for
/// what is new; one of every incident was 56 MB at 100k, fetched whole at
/// each poll. `incidents.json` has them all.
pub const FEED_ENTRIES: usize = 1000;

/// `feed.xml`: Atom 1.0, an entry per incident for the [`FEED_ENTRIES`]
/// most recent, newest first. `summary_of(i)` is incident `i`'s summary as
/// sanitised HTML.
pub fn atom_feed(site: &Site, summary_of: &dyn Fn(usize) -> Option<String>, w: &mut dyn Write) -> io::Result<()> {
    let mut order: Vec<usize> = (0..site.incidents.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&site.incidents[a], &site.incidents[b]);
        (b.started.earliest, &a.id).cmp(&(a.started.earliest, &b.id))
    });
    order.truncate(FEED_ENTRIES);
    let feed_updated = site
        .incidents
        .iter()
        .map(|i| updated(i, site.as_of))
        .max()
        .unwrap_or(site.as_of);
    w.write_all("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n".as_bytes())?;
    writeln!(
        w,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        xml(&site.language)
    )?;
    writeln!(w, "<title>{}</title>", xml(&site.title))?;
    writeln!(w, "<id>{}</id>", xml(&site.base_url))?;
    writeln!(
        w,
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}feed.xml\"/>",
        xml(&site.base_url)
    )?;
    writeln!(
        w,
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        xml(&site.base_url)
    )?;
    writeln!(w, "<updated>{}</updated>", rfc3339(feed_updated))?;
    writeln!(w, "<author>\n<name>{}</name>\n</author>", xml(&site.title))?;
    w.write_all("<generator>sitrep</generator>\n".as_bytes())?;
    for i in order {
        let inc = &site.incidents[i];
        let r = &inc.record;
        let url = site.url_of(Kind::Incident, &inc.id);
        let mut summary = summary_of(i).unwrap_or_default();
        summary.push_str(&format!(
            "<p>Started {}; {}; duration {}.</p>",
            xml(r.started.text()),
            xml(&inc.end_text()),
            xml(&wording::duration(inc.duration))
        ));
        w.write_all("<entry>\n".as_bytes())?;
        writeln!(w, "<title>{}</title>", xml(&r.title))?;
        writeln!(w, "<id>{}</id>", xml(&url))?;
        writeln!(w, "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", xml(&url))?;
        writeln!(
            w,
            "<published>{}</published>",
            rfc3339(inc.started.earliest.min(site.as_of))
        )?;
        writeln!(w, "<updated>{}</updated>", rfc3339(updated(inc, site.as_of)))?;
        for a in &r.attack {
            writeln!(w, "<category term=\"{}\"/>", a.key())?;
        }
        writeln!(w, "<summary type=\"html\">{}</summary>", xml(&summary))?;
        w.write_all("</entry>\n".as_bytes())?;
    }
    w.write_all("</feed>\n".as_bytes())?;
    Ok(())
}

/// `sitemap.xml`: every page, absolute URLs, sorted.
/// The sitemap of `urls` (absolute, in order).
pub fn sitemap(urls: &[String]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for u in urls {
        out.push_str(&format!("<url>\n<loc>{}</loc>\n</url>\n", xml(u)));
    }
    out.push_str("</urlset>\n");
    out
}

pub fn robots(site: &Site) -> String {
    format!("User-agent: *\nAllow: /\nSitemap: {}sitemap.xml\n", site.base_url)
}
