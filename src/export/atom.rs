//! `feed.xml`: an Atom feed of the most recent incidents.

use super::Input;
use std::io::{self, Write};

use chrono::{DateTime, Utc};

use crate::escape::xml;
use crate::records::Kind;
use crate::time::rfc3339;
use crate::wording;

/// Entries in `feed.xml`: the most recent incidents. A feed is polled for
/// what is new; one of every incident was 56 MB at 100k, fetched whole at
/// each poll. `incidents.json` has them all.
pub const FEED_ENTRIES: usize = 1000;

/// `feed.xml`: Atom 1.0, an entry per incident for the [`FEED_ENTRIES`]
/// most recent, newest first, each with its summary.
pub fn atom_feed(input: &Input, w: &mut dyn Write) -> io::Result<()> {
    let site = input.site;
    // Newest news first: by the latest moment each record's facts reach
    // (a new statement about an old attack is news), then the latest
    // start, then by id.
    let updated: Vec<DateTime<Utc>> = site.incidents.iter().map(|i| i.updated(site.as_of)).collect();
    let mut order: Vec<usize> = (0..site.incidents.len()).collect();
    let started = |i: usize| site.incidents[i].times.started.earliest;
    order.sort_by(|&a, &b| {
        (updated[b], started(b), &site.incidents[a].id).cmp(&(updated[a], started(a), &site.incidents[b].id))
    });
    order.truncate(FEED_ENTRIES);
    let feed_updated = updated.iter().copied().max().unwrap_or(site.as_of);
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
        let mut summary = (input.summary)(i).unwrap_or_default();
        if !summary.is_empty() {
            summary.push('\n');
        }
        summary.push_str(&format!(
            "<p>{}. Started {}; {}; duration {}.</p>",
            xml(inc.status().sentence()),
            xml(&crate::wording::started(inc, site.zone)),
            xml(&crate::wording::end(inc, site.zone)),
            xml(&wording::how_long(inc.status(), inc.duration))
        ));
        w.write_all("<entry>\n".as_bytes())?;
        writeln!(w, "<title>{}</title>", xml(&r.title))?;
        writeln!(w, "<id>{}</id>", xml(&url))?;
        writeln!(w, "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", xml(&url))?;
        writeln!(
            w,
            "<published>{}</published>",
            rfc3339(inc.times.started.earliest.min(site.as_of))
        )?;
        writeln!(w, "<updated>{}</updated>", rfc3339(updated[i]))?;
        for a in &r.attack {
            writeln!(w, "<category term=\"{}\"/>", a.key())?;
        }
        writeln!(w, "<category term=\"{}\" label=\"status\"/>", inc.status().key())?;
        writeln!(w, "<summary type=\"html\">{}</summary>", xml(&summary))?;
        w.write_all("</entry>\n".as_bytes())?;
    }
    w.write_all("</feed>\n".as_bytes())?;
    Ok(())
}
