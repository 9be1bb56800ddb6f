//! The search index: what the search page (`search/`, with
//! `assets/search.js`) reads to find records without a server.
//!
//! Made in Rust with the rest of the site, as plain JSON files fetched on
//! demand, so a query on a site of 100,000 incidents fetches tens of
//! kilobytes, not the whole index:
//!
//! - `search/index.json`: how many documents, the shard keys, the filters
//!   (facets) with their values and counts;
//! - `search/t/<n>.json`: a run of the sorted words (see
//!   [`postings::shard`]: at most [`postings::SHARD_BYTES`] each, named by
//!   number, the manifest giving each one's first word), each word with two
//!   lists of documents: where it is in
//!   what the record is called (title, name, aliases, hashtags, host) and
//!   where it is anywhere else (summary, text, names of related records,
//!   dates, kinds);
//! - `search/d/<n>.json`: kind, title, page and one line of each document,
//!   [`CHUNK`] documents a file, fetched for the results shown;
//! - `search/f/<facet>/<n>.json`: the documents of one filter value (by
//!   number: a value is data, never a file name).
//!
//! Bounded whatever the text: one record adds at most [`MAX_RECORD_WORDS`]
//! words, files grow with the index's bytes, names are numbers, and a
//! word typed as a prefix fetches at most [`postings::MAX_PREFIX_SHARDS`].
//!
//! Documents are numbered campaigns, actors, targets, incidents (newest
//! first), notes: the order results are listed in, after the ones whose
//! names hold every word of the query. Everything is sorted, so the files
//! are the same bytes whatever the machine or the number of threads.

pub mod postings;
pub mod tokens;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io;

use chrono::Datelike;
use rayon::prelude::*;
use serde::Serialize;

use crate::bounds::Status;
use crate::model::{page_path, Site};
use crate::records::{Id, Kind};
use crate::time::TimeSpan;
use crate::wording;
use postings::List;

/// Documents per file of titles and lines: the first results of a query
/// fetch one or a few of them.
pub const CHUNK: usize = 64;

/// Longer words are not indexed (a hash, a pasted blob); the search page
/// finds nothing for them, as for any word not in the index.
const MAX_WORD_BYTES: usize = 100;

/// The most distinct words one record adds to the index (its names come
/// first): a pull request of one huge record cannot swell the index past
/// what a host takes, and an analyst's longest note stays whole (a
/// novel's chapter has some 3,000).
pub const MAX_RECORD_WORDS: usize = 10_000;

/// The folder of the index inside the site.
pub const FOLDER: &str = "search/";

/// A filter of the search page: record kind, attack, status, year, country.
#[derive(Clone, Debug, Serialize)]
pub struct Facet {
    pub name: &'static str,
    pub label: &'static str,
    pub values: Vec<FacetValue>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FacetValue {
    pub key: String,
    pub label: String,
    pub count: usize,
    /// Its list's file, under `search/f/`, without `.json`.
    pub file: String,
}

/// The filters, by position in [`Doc::facets`].
const FACETS: [(&str, &str); 5] = [
    ("kind", "Record"),
    ("attack", "Attack"),
    ("status", "Status"),
    ("year", "Year"),
    ("country", "Country"),
];
const KIND: usize = 0;
const ATTACK: usize = 1;
const STATUS: usize = 2;
const YEAR: usize = 3;
const COUNTRY: usize = 4;

/// One record as the index sees it; the words it borrows are those that
/// related records lend it ([`Lent`]).
#[derive(Default)]
struct Doc<'a> {
    kind: &'static str,
    title: String,
    path: String,
    line: String,
    /// What it is called (title or name, aliases, hashtags, host), folded,
    /// a space between texts; its words are read from it when it is indexed.
    names: String,
    /// Everything else about it, folded, likewise.
    others: String,
    /// Words that related records lend it: as names, or as other words.
    lent: Vec<(&'a [String], bool)>,
    /// Its filter values: (position in [`FACETS`], key, label).
    facets: Vec<(usize, String, String)>,
}

impl<'a> Doc<'a> {
    fn new(kind: Kind, id: &Id, title: &str) -> Doc<'a> {
        let mut doc = Doc {
            kind: kind.folder(),
            title: title.to_string(),
            path: page_path(kind, id),
            ..Doc::default()
        };
        doc.facet(KIND, kind.folder(), kind.label());
        doc.name(title);
        doc.name(id.as_str());
        doc
    }

    /// Words of what the record is called.
    fn name(&mut self, text: &str) {
        tokens::fold_into(&mut self.names, text);
        self.names.push(' ');
    }

    /// Any other words about it.
    fn text(&mut self, text: &str) {
        tokens::fold_into(&mut self.others, text);
        self.others.push(' ');
    }

    /// Words a related record lends: as names, or as other words.
    fn lend(&mut self, words: &'a [String], as_name: bool) {
        self.lent.push((words, as_name));
    }

    /// Every word, each with whether it is one of the names; names first.
    fn words(&self) -> impl Iterator<Item = (&str, bool)> {
        let lent = |as_name: bool| {
            self.lent
                .iter()
                .filter(move |l| l.1 == as_name)
                .flat_map(move |l| l.0.iter().map(move |w| (w.as_str(), as_name)))
        };
        let names = tokens::each_word(&self.names).map(|w| (w, true)).chain(lent(true));
        names.chain(tokens::each_word(&self.others).map(|w| (w, false)).chain(lent(false)))
    }

    fn facet(&mut self, facet: usize, key: &str, label: &str) {
        self.facets.push((facet, key.to_string(), label.to_string()));
    }
}

/// What a record lends the incidents that name it: the words of an actor's
/// name and aliases, a target's name, host and country, a campaign's name
/// and hashtags; made once, not once per incident.
struct Lent {
    actors: Vec<Vec<String>>,
    targets: Vec<Vec<String>>,
    campaigns: Vec<Vec<String>>,
}

impl Lent {
    fn new(site: &Site) -> Lent {
        // A name and its other names (aliases, hashtags).
        let words = |name: &str, others: &[String]| -> Vec<String> {
            let all = std::iter::once(name).chain(others.iter().map(String::as_str));
            all.flat_map(tokens::words).collect()
        };
        Lent {
            actors: site
                .actors
                .par_iter()
                .map(|a| words(&a.record.name, &a.record.aliases))
                .collect(),
            targets: site
                .targets
                .par_iter()
                .map(|t| {
                    let r = &t.record;
                    let host = r.url.as_ref().map(|u| u.host());
                    words(
                        &r.name,
                        &[host, r.country.clone()].into_iter().flatten().collect::<Vec<_>>(),
                    )
                })
                .collect(),
            campaigns: site
                .campaigns
                .par_iter()
                .map(|c| words(&c.record.name, &c.record.hashtags))
                .collect(),
        }
    }
}

/// A record to index, in the documents' order.
#[derive(Clone, Copy)]
enum Record {
    Campaign(usize),
    Actor(usize),
    Target(usize),
    Incident(usize),
    Note(usize),
}

/// The records in the documents' order.
fn records(site: &Site) -> Vec<Record> {
    let mut all: Vec<Record> = (0..site.campaigns.len()).map(Record::Campaign).collect();
    all.extend((0..site.actors.len()).map(Record::Actor));
    all.extend((0..site.targets.len()).map(Record::Target));
    all.extend((0..site.incidents.len()).rev().map(Record::Incident));
    all.extend((0..site.notes.len()).map(Record::Note));
    all
}

/// Records made into documents at a time, then folded into the tables of
/// words and filter values: the documents' words never all exist at once.
const BATCH: usize = 4 * CHUNK;

/// What the documents add up to, as they are folded in.
#[derive(Default)]
struct Tables {
    /// Each word's documents.
    words: HashMap<String, Lists>,
    /// Each filter value (position in [`FACETS`], key): its label, its documents.
    facets: BTreeMap<(usize, String), (String, List)>,
}

impl Tables {
    /// Adds document `n`.
    fn add(&mut self, n: u32, doc: Doc<'_>) {
        // Documents come in order, so a word met again in the same document
        // ends its list already: each word once, and a word of the name
        // only as one (names come first).
        let mut distinct = 0;
        for (word, as_name) in doc.words() {
            // Nobody types such a word; a pasted blob would only swell a shard.
            if word.len() > MAX_WORD_BYTES {
                continue;
            }
            let (names, others) = match self.words.get_mut(word) {
                Some(lists) => lists,
                None => self.words.entry(word.to_string()).or_default(),
            };
            if names.ends_with(n) || others.ends_with(n) {
                continue;
            }
            if as_name { names } else { others }.push(n);
            distinct += 1;
            if distinct == MAX_RECORD_WORDS {
                break;
            }
        }
        for (facet, key, label) in doc.facets {
            let entry = self
                .facets
                .entry((facet, key))
                .or_insert_with(|| (label, List::default()));
            if !entry.1.ends_with(n) {
                entry.1.push(n);
            }
        }
    }
}

/// Makes the index of a site and hands each file (its path inside the site,
/// its text) to `out` as soon as it is made, so that `build` holds none of
/// them; returns the filters, for the search page.
pub fn write(site: &Site, out: &mut dyn FnMut(String, String) -> io::Result<()>) -> io::Result<Vec<Facet>> {
    let lent = Lent::new(site);
    let records = records(site);
    // About two new words a record (a site's words grow with its records):
    // sized once, not doubled again and again.
    let mut tables = Tables {
        words: HashMap::with_capacity(2 * records.len()),
        ..Tables::default()
    };
    for (b, batch) in records.chunks(BATCH).enumerate() {
        let docs: Vec<Doc> = batch.par_iter().map(|&r| document(site, &lent, r)).collect();
        for (k, chunk) in docs.chunks(CHUNK).enumerate() {
            let rows: Vec<[&str; 4]> = chunk.iter().map(|d| [d.kind, &d.title, &d.path, &d.line]).collect();
            let n = b * (BATCH / CHUNK) + k;
            out(format!("{FOLDER}d/{n}.json"), json(&rows)?)?;
        }
        for (k, doc) in docs.into_iter().enumerate() {
            tables.add((b * BATCH + k) as u32, doc);
        }
    }
    let shards = words_files(tables.words, out)?;
    let facets = facet_files(tables.facets, out)?;
    let manifest = Manifest {
        docs: records.len(),
        chunk: CHUNK,
        shards,
        facets: &facets,
    };
    out(format!("{FOLDER}index.json"), json(&manifest)?)?;
    Ok(facets)
}

#[derive(Serialize)]
struct Manifest<'a> {
    docs: usize,
    chunk: usize,
    shards: Vec<String>,
    facets: &'a [Facet],
}

/// `value` as one line of JSON; a failure is the build's error, never an
/// empty file.
fn json<T: Serialize + ?Sized>(value: &T) -> io::Result<String> {
    let mut text = serde_json::to_string(value)?;
    text.push('\n');
    Ok(text)
}

/// A word's documents: those it names (title, name, aliases, hashtags,
/// host), and those it is in elsewhere.
type Lists = (List, List);

/// The words' shards, handed to `out`; their keys.
fn words_files(
    lists: HashMap<String, Lists>,
    out: &mut dyn FnMut(String, String) -> io::Result<()>,
) -> io::Result<Vec<String>> {
    let mut words: Vec<(String, Lists)> = lists.into_iter().collect();
    words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let entries: Vec<String> = words
        .iter_mut()
        .map(|(w, lists)| {
            let (primary, secondary) = std::mem::take(lists);
            Ok(format!(
                "{}:[{},{}]",
                serde_json::to_string(w)?,
                primary.finish(),
                secondary.finish()
            ))
        })
        .collect::<io::Result<_>>()?;
    let sizes: Vec<(&str, usize)> = words
        .iter()
        .zip(&entries)
        .map(|((w, _), e)| (w.as_str(), e.len() + 1))
        .collect();
    let shards = postings::shard(&sizes);
    for (n, s) in shards.iter().enumerate() {
        let text = format!("{{{}}}\n", entries[s.entries.clone()].join(","));
        out(format!("{FOLDER}t/{n}.json"), text)?;
    }
    Ok(shards.into_iter().map(|s| s.first).collect())
}

/// The filters' lists, handed to `out`; the filters with their values.
fn facet_files(
    values: BTreeMap<(usize, String), (String, List)>,
    out: &mut dyn FnMut(String, String) -> io::Result<()>,
) -> io::Result<Vec<Facet>> {
    let mut facets: Vec<Facet> = FACETS
        .iter()
        .map(|&(name, label)| Facet {
            name,
            label,
            values: Vec::new(),
        })
        .collect();
    for ((facet, key), (label, ids)) in values {
        // Named by number, whatever the value (a country of 70 letters).
        let file = format!("{}/{}", FACETS[facet].0, facets[facet].values.len());
        let count = ids.len();
        out(format!("{FOLDER}f/{file}.json"), format!("{}\n", ids.finish()))?;
        facets[facet].values.push(FacetValue {
            key,
            label,
            count,
            file,
        });
    }
    // Kinds and statuses in the site's order, years newest first, the rest
    // (attacks, countries) by key.
    facets[KIND]
        .values
        .sort_by_key(|v| Kind::ALL.iter().position(|k| k.folder() == v.key));
    facets[STATUS]
        .values
        .sort_by_key(|v| Status::ALL.iter().position(|s| s.key() == v.key));
    facets[YEAR].values.reverse();
    facets.retain(|f| !f.values.is_empty());
    Ok(facets)
}

/// The document of one record.
fn document<'a>(site: &Site, lent: &'a Lent, record: Record) -> Doc<'a> {
    match record {
        Record::Incident(i) => incident(site, lent, i),
        Record::Actor(i) => {
            let p = &site.actors[i];
            let a = &p.record;
            let mut doc = Doc::new(Kind::Actor, &p.id, &a.name);
            doc.lend(&lent.actors[i], true);
            let mut line: Vec<String> = Vec::new();
            if !a.aliases.is_empty() {
                line.push(format!("also {}", a.aliases.join(", ")));
            }
            if let Some(kind) = a.kind {
                doc.text(kind.key());
                line.push(kind.key().to_string());
            }
            country(&mut doc, a.country.as_deref(), &mut line);
            for r in &site.relations[i] {
                doc.lend(&lent.actors[r.other], false);
            }
            finish(doc, line, a.description.iter(), site.incidents_of(Kind::Actor, &p.id))
        }
        Record::Target(i) => {
            let p = &site.targets[i];
            let t = &p.record;
            let mut doc = Doc::new(Kind::Target, &p.id, &t.name);
            let mut line = Vec::new();
            if let Some(url) = &t.url {
                let host = url.host();
                doc.name(&host);
                line.push(host);
            }
            if let Some(sector) = &t.sector {
                doc.text(sector);
                line.push(sector.clone());
            }
            country(&mut doc, t.country.as_deref(), &mut line);
            finish(doc, line, t.description.iter(), site.incidents_of(Kind::Target, &p.id))
        }
        Record::Campaign(i) => {
            let p = &site.campaigns[i];
            let c = &p.record;
            let mut doc = Doc::new(Kind::Campaign, &p.id, &c.name);
            doc.lend(&lent.campaigns[i], true);
            let line = c.hashtags.iter().map(|h| format!("#{h}")).collect();
            let texts = c.summary.iter().chain(&c.trigger);
            finish(doc, line, texts, site.incidents_of(Kind::Campaign, &p.id))
        }
        Record::Note(i) => {
            let n = &site.notes[i];
            let front = &n.parsed.record.front;
            let mut doc = Doc::new(Kind::Note, &n.parsed.id, &front.title);
            doc.text(&crate::markdown::plain_text(&n.parsed.record.body));
            for r in &front.about {
                doc.text(site.name(r.kind, &r.id).unwrap_or_default());
            }
            if let Some((written, span)) = front.date.as_ref().zip(n.date) {
                dates(&mut doc, site, span);
                doc.line = format!("Note of {}", wording::when(span, written.is_open(), site.zone));
            }
            doc
        }
    }
}

/// A country as a word and a filter value, and on the result's line.
fn country(doc: &mut Doc, country: Option<&str>, line: &mut Vec<String>) {
    if let Some(c) = country.map(str::trim).filter(|c| !c.is_empty()) {
        doc.text(c);
        doc.facet(COUNTRY, c, c);
        line.push(c.to_string());
    }
}

/// The end of an actor's, a target's or a campaign's document: the words of
/// its Markdown texts, and its line, which ends with its number of incidents.
fn finish<'a, 't>(
    mut doc: Doc<'a>,
    mut line: Vec<String>,
    texts: impl Iterator<Item = &'t String>,
    incidents: &[usize],
) -> Doc<'a> {
    for text in texts {
        doc.text(&crate::markdown::plain_text(text));
    }
    line.push(wording::count(incidents.len(), "incident"));
    doc.line = line.join(" · ");
    doc
}

/// The words of when something happened (`2024`, `2024-08`, `2024-08-25`,
/// `august`), at both ends of its span, and its year as a filter value.
fn dates(doc: &mut Doc, site: &Site, span: TimeSpan) {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let first = span.earliest.with_timezone(&site.zone).date_naive();
    let last = (span.latest - chrono::Duration::seconds(1))
        .with_timezone(&site.zone)
        .date_naive()
        .max(first);
    for day in BTreeSet::from([first, last]) {
        let (y, m, d) = (day.year(), day.month(), day.day());
        let _ = write!(
            doc.others,
            "{y} {y}-{m:02} {y}-{m:02}-{d:02} {} ",
            MONTHS[m as usize - 1]
        );
    }
    let year = first.year().to_string();
    doc.facet(YEAR, &year, &year);
}

/// Names of records of `kind`, at most three, and how many more.
fn names(site: &Site, kind: Kind, ids: &mut dyn Iterator<Item = &Id>, total: usize) -> String {
    let mut shown: Vec<&str> = ids
        .take(3)
        .map(|id| site.name(kind, id).unwrap_or(id.as_str()))
        .collect();
    let more = total.saturating_sub(shown.len());
    let more_text = format!("and {more} more");
    if more > 0 {
        shown.push(&more_text);
    }
    shown.join(", ")
}

fn incident<'a>(site: &Site, lent: &'a Lent, i: usize) -> Doc<'a> {
    let inc = &site.incidents[i];
    let r = &inc.record;
    let mut doc = Doc::new(Kind::Incident, &inc.id, &r.title);
    for tag in &r.tags {
        doc.name(tag);
    }
    if let Some(summary) = &r.summary {
        doc.text(&crate::markdown::plain_text(summary));
    }
    for a in &r.attack {
        doc.text(a.key());
        doc.text(a.label());
        doc.facet(ATTACK, a.key(), a.label());
    }
    let status = inc.status();
    doc.text(status.label());
    doc.facet(STATUS, status.key(), status.label());
    dates(&mut doc, site, inc.times.started);
    let mut countries = BTreeSet::new();
    for &p in inc.target_at.iter() {
        doc.lend(&lent.targets[p as usize], false);
        countries.extend(site.targets[p as usize].record.country.as_deref().map(str::trim));
    }
    for c in countries.into_iter().filter(|c| !c.is_empty()) {
        doc.facet(COUNTRY, c, c);
    }
    for a in &r.actors {
        if let Some(p) = site.position(Kind::Actor, &a.actor) {
            doc.lend(&lent.actors[p], false);
        }
    }
    if let Some(p) = r.campaign.as_ref().and_then(|c| site.position(Kind::Campaign, c)) {
        doc.lend(&lent.campaigns[p], false);
    }
    for s in &r.sources {
        for text in s.publisher.iter().chain(&s.title) {
            doc.text(text);
        }
    }
    // Each actor once, however many statements name it.
    let actors = r.actors_named();
    let who = match actors.len() {
        0 => "unknown actor".to_string(),
        n => names(site, Kind::Actor, &mut actors.into_iter(), n),
    };
    let what = names(site, Kind::Target, &mut r.targets.iter(), r.targets.len());
    let when = wording::started(inc, site.zone);
    let mut how_long = wording::how_long(status, inc.duration);
    // For a claim, often the one length that is known.
    if let Some(seen) = inc.attack_seen() {
        how_long.push_str(" · ");
        how_long.push_str(&wording::attacked(seen, &inc.times.observations, site.zone));
    }
    doc.line = format!("{who} → {what} · {when} · {how_long}");
    doc
}
