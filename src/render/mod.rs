//! Stage 5: the model as pages, through Tera templates.
//!
//! Templates see small view structs built here for display (never the
//! model), so a template change never touches the model and the model never
//! leaks Rust types into templates. Built-in templates are compiled in; a
//! file of the same name in the project's `templates/` overrides one.
//! Links are relative (`{{ root }}incidents/x/`), so the site works under any
//! sub-path of `base_url`; only `404.html`, served at any depth, uses
//! root-absolute links.

use serde::Serialize;
use tera::{Context, Tera};

use crate::markdown::to_html;
use crate::model::page_path;
use crate::model::{list_path, Site, ROWS_PER_PAGE};
use crate::parse::Parsed;
use crate::records::{Id, Kind};
use crate::routes::Place;
use crate::time::TimeSpan;
use crate::wording;

mod actor_page;
mod cache;
pub mod charts;
mod html;
mod incident_page;
mod templates;
pub mod timeline;
mod views;

use html::{drop_blank_lines, push_with_root, ROOT_MARK};
pub use templates::{assets, load_templates, TemplateError};
use views::*;

pub use cache::Shared;

/// A fragment without its trailing line break: templates put each on a
/// line of its own, and the break would leave a blank line to take out.
fn trimmed(mut html: String) -> String {
    html.truncate(html.trim_end_matches('\n').len());
    html
}

/// Renders pages; shared between page kinds.
pub struct Renderer<'a> {
    pub site: &'a Site,
    pub tera: &'a Tera,
    /// A context holding `site`, converted for Tera once and copied for
    /// every page and row.
    base: Context,
    /// Summaries and table rows, rendered once for all pages.
    shared: &'a Shared,
}

/// Targets (and actors) a table row names; the rest are counted. A row is
/// on the page of each of its targets, so naming them all would make those
/// pages grow with the square of a mass incident's targets.
pub const ROW_LINKS: usize = 10;

impl<'a> Renderer<'a> {
    /// A renderer; `shared` caches what pages share (see [`Shared`]).
    pub fn new(site: &'a Site, tera: &'a Tera, shared: &'a Shared) -> Self {
        let site_view = SiteView {
            title: &site.title,
            description_html: site.description.as_deref().map(to_html),
            base_url: &site.base_url,
            language: &site.language,
            timezone: site.zone.name(),
            as_of: shared.as_of.clone(),
        };
        let mut base = Context::new();
        base.insert("site", &site_view);
        Renderer {
            site,
            tera,
            base,
            shared,
        }
    }

    /// Makes every summary, table row and bar title, in parallel. A build
    /// needs all of them; made on demand instead, two pages that need the
    /// same one wait for each other, and pages that share many (a target's
    /// page and its co-targets') end up taking turns.
    pub fn prepare_all(&self) -> Result<(), TemplateError> {
        use rayon::prelude::*;
        (0..self.site.incidents.len()).into_par_iter().try_for_each(|i| {
            self.summary(i);
            self.bar_title(i);
            self.row_html(i).map(|_| ())
        })
    }

    fn bar_title(&self, i: usize) -> &str {
        self.shared.bar_titles[i]
            .get_or_init(|| {
                let w = self.time_words(i);
                let end = wording::end_phrase(&self.site.incidents[i], w.ended.as_deref(), w.up_by.as_deref());
                timeline::bar_title(self.site, i, &w.started, &end)
            })
            .as_str()
    }

    /// Incident `i`'s summary as sanitised HTML.
    pub fn summary(&self, i: usize) -> Option<&str> {
        self.shared.summaries[i]
            .get_or_init(|| {
                self.site.incidents[i].record.summary.as_deref().map(|s| {
                    let mut html = to_html(s);
                    html.shrink_to_fit();
                    html
                })
            })
            .as_deref()
    }

    pub(super) fn context(&self, at: &Place, section: &str) -> Context {
        let mut c = self.base.clone();
        c.insert("root", &at.root);
        c.insert("section", section);
        c.insert("canonical", &format!("{}{}", self.site.base_url, at.folder));
        c
    }

    pub(super) fn render(&self, template: &str, context: &Context) -> Result<String, TemplateError> {
        let html = self
            .tera
            .render(template, context)
            .map_err(|e| TemplateError::render(template, e))?;
        Ok(drop_blank_lines(html))
    }

    /// Incident `i` for display, naming at most `links` targets and actors.
    pub(super) fn row(&self, i: usize, links: usize) -> IncidentRow {
        let inc = &self.site.incidents[i];
        let r = &inc.record;
        let words = self.time_words(i).clone();
        let (targets, more_targets) = self.target_links(&r.targets, links);
        // Each actor once, with the bases of its statements (each basis
        // once, with the highest confidence given for it).
        let actors: Vec<ActorLink> = r
            .actors_named()
            .into_iter()
            .map(|id| {
                let said = r.actors.iter().filter(|a| a.actor == *id);
                let mut bases: Vec<BasisView> = Vec::new();
                for a in said {
                    let confidence = a.confidence.map(|c| c.value());
                    match bases.iter_mut().find(|b| b.basis == a.basis.key()) {
                        Some(b) => b.confidence = b.confidence.max(confidence),
                        None => bases.push(BasisView {
                            basis: a.basis.key(),
                            confidence,
                        }),
                    }
                }
                let l = self.link(Kind::Actor, id);
                ActorLink {
                    name: l.name,
                    url: l.url,
                    basis: bases[0].basis,
                    confidence: bases[0].confidence,
                    bases,
                }
            })
            .collect();
        IncidentRow {
            id: inc.id.to_string(),
            url: page_path(Kind::Incident, &inc.id),
            title: r.title.clone(),
            attack: r.attack.iter().map(|a| a.label()).collect(),
            targets,
            more_targets,
            more_actors: actors.len().saturating_sub(links),
            actors: actors.into_iter().take(links).collect(),
            campaign: r.campaign.as_ref().map(|c| self.link(Kind::Campaign, c)),
            started: r.started.text().to_string(),
            started_words: words.started,
            ended: r.ended.as_ref().map(|e| e.text().to_string()),
            ended_words: words.ended,
            up_by: inc.up_by.map(|k| r.observations[k].at.text().to_string()),
            up_by_words: words.up_by,
            duration: wording::how_long(inc.status(), inc.duration),
            attacked: (inc.attack_seen()).map(|seen| wording::attacked(seen, &inc.times.observations, self.site.zone)),
            status: inc.status().key(),
            status_label: inc.status().label(),
            impact: inc.outcome.impact.key(),
            start_key: inc.times.started.earliest.timestamp(),
            min_seconds: inc.duration.min,
            max_sort: inc.duration.max.unwrap_or(i64::MAX / 2),
        }
    }

    /// Incident `i`'s times in words, made once for its row and its page.
    fn time_words(&self, i: usize) -> &cache::TimeWords {
        self.shared.times[i].get_or_init(|| {
            let inc = &self.site.incidents[i];
            let zone = self.site.zone;
            cache::TimeWords {
                started: wording::started(inc, zone),
                ended: wording::ended(inc, zone),
                up_by: wording::up_by(inc, zone),
            }
        })
    }

    /// When statement `n` of incident `i` was made, in words.
    pub(super) fn statement_when(&self, i: usize, n: usize) -> Option<String> {
        let inc = &self.site.incidents[i];
        let at = inc.record.actors[n].at.as_ref()?;
        Some(self.when(at, inc.times.statements[n]?))
    }

    /// A written time in words, from the span it denotes.
    pub(super) fn when(&self, written: &crate::time::WrittenTime, span: crate::time::TimeSpan) -> String {
        wording::when(span, written.is_open(), self.site.zone)
    }

    /// Incident `i`'s table row, rendered once for every page.
    fn row_html(&self, i: usize) -> Result<&str, TemplateError> {
        self.shared.rows[i]
            .get_or_init(|| {
                let mut c = self.base.clone();
                c.insert("root", ROOT_MARK);
                c.insert("row", &self.row(i, ROW_LINKS));
                self.tera
                    .render("incident_row.html", &c)
                    .map(|html| {
                        // Tidied once here, so pages of many rows have
                        // little left to tidy.
                        let mut html = trimmed(drop_blank_lines(html));
                        html.shrink_to_fit();
                        html
                    })
                    .map_err(|e| TemplateError::render("incident_row.html", e))
            })
            .as_deref()
            .map_err(Clone::clone)
    }

    /// The rows of a table on a page whose root is `root`, newest first
    /// (`incidents` come oldest first, in the model's order), as one piece
    /// of HTML: the table template writes it as is (`{{ rows | safe }}`),
    /// which spares Tera a loop and a copy per row on pages of a thousand rows.
    pub(super) fn rows_for(&self, incidents: &[usize], root: &str) -> Result<String, TemplateError> {
        let mut html = String::new();
        for &i in incidents.iter().rev() {
            push_with_root(&mut html, self.row_html(i)?, root);
            html.push('\n');
        }
        // The template puts the rows on a line of their own.
        html.pop();
        Ok(html)
    }

    /// The most recent `ROWS_PER_PAGE` incidents as rows, and how many are left out.
    pub(super) fn recent_rows(&self, c: &mut Context, root: &str, incidents: &[usize]) -> Result<(), TemplateError> {
        let hidden = incidents.len().saturating_sub(ROWS_PER_PAGE);
        c.insert("rows", &self.rows_for(&incidents[hidden..], root)?);
        c.insert("hidden", &hidden);
        Ok(())
    }

    /// A link to a record, named by its title or name.
    pub(super) fn link(&self, kind: Kind, id: &Id) -> Link {
        let name = self.site.name(kind, id).unwrap_or(id.as_str()).to_string();
        Link {
            name,
            url: page_path(kind, id),
        }
    }

    /// Links to the first `limit` of `targets`, and how many more there are.
    pub(super) fn target_links(&self, targets: &[Id], limit: usize) -> (Vec<Link>, usize) {
        let links = targets.iter().take(limit).map(|t| self.link(Kind::Target, t)).collect();
        (links, targets.len().saturating_sub(limit))
    }

    pub(super) fn note_links(&self, kind: Kind, id: &Id) -> Vec<Link> {
        self.site
            .notes_about(kind, id)
            .iter()
            .map(|&n| self.link(Kind::Note, &self.site.notes[n].parsed.id))
            .collect()
    }

    fn figures(&self, incidents: &[usize]) -> Figures {
        let s = self.site;
        let mut targets: Vec<u32> = Vec::new();
        let mut actors = std::collections::BTreeSet::new();
        let mut campaigns = std::collections::BTreeSet::new();
        for &i in incidents {
            let r = &s.incidents[i].record;
            targets.extend_from_slice(&s.incidents[i].target_at);
            actors.extend(r.actors.iter().map(|a| &a.actor));
            campaigns.extend(r.campaign.iter());
        }
        targets.sort_unstable();
        targets.dedup();
        // In the order of `Status::ALL`: ongoing, ended, no impact, unverified.
        let counts = s.status_counts(incidents);
        Figures {
            incidents: incidents.len(),
            targets: targets.len(),
            actors: actors.len(),
            campaigns: campaigns.len(),
            ongoing: counts[0],
            unverified: counts[3],
            no_impact: counts[2],
            breakdown: wording::breakdown(counts),
            downtime: wording::totals_words(s.totals(incidents)),
        }
    }

    /// The timeline of `incidents`; `focus`, the page's own target, always
    /// has its lane.
    pub(super) fn timeline(&self, incidents: &[usize], title: &str, focus: Option<usize>, root: &str) -> String {
        let mut svg = timeline::svg(
            self.site,
            &self.shared.as_of,
            incidents,
            title,
            &|i| self.bar_title(i),
            focus,
            root,
        );
        // On a line of its own in the templates: no blank line after it.
        svg.truncate(svg.trim_end_matches('\n').len());
        svg
    }

    pub fn home(&self, at: &Place) -> Result<String, TemplateError> {
        let s = self.site;
        let all: Vec<usize> = (0..s.incidents.len()).collect();
        let mut c = self.context(at, "home");
        let mut figures = self.figures(&all);
        figures.targets = s.targets.len();
        figures.actors = s.actors.len();
        figures.campaigns = s.campaigns.len();
        c.insert("figures", &figures);
        self.recent_rows(&mut c, "", &all)?;
        c.insert(
            "timeline",
            &self.timeline(&all, "All incidents by target", None, &at.root),
        );
        c.insert(
            "charts",
            &Charts {
                per_day: trimmed(charts::incidents_per_day(s)),
                per_target: trimmed(charts::downtime_per_target(s)),
                per_actor: trimmed(charts::incidents_per_actor(s)),
                per_attack: trimmed(charts::incidents_per_attack(s)),
            },
        );
        // Every target and actor by name (the busiest first past the limit),
        // so a reader finds any of them from the home page.
        let by_count = |kind: Kind, ids: Vec<&Id>| {
            let mut list: Vec<(usize, Link)> = ids
                .into_iter()
                .map(|id| (s.incidents_of(kind, id).len(), self.link(kind, id)))
                .collect();
            let hidden = list.len().saturating_sub(ROWS_PER_PAGE);
            if hidden > 0 {
                list.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
                list.truncate(ROWS_PER_PAGE);
            }
            list.sort_by_cached_key(|a| a.1.name.to_lowercase());
            (list.into_iter().map(|(_, l)| l).collect::<Vec<_>>(), hidden)
        };
        let (targets, more_targets) = by_count(Kind::Target, s.targets.iter().map(|t| &t.id).collect());
        let (actors, more_actors) = by_count(Kind::Actor, s.actors.iter().map(|a| &a.id).collect());
        c.insert("targets", &targets);
        c.insert("more_targets", &more_targets);
        c.insert("actors", &actors);
        c.insert("more_actors", &more_actors);
        c.insert(
            "notes",
            &(0..s.notes.len().min(10))
                .map(|n| self.link(Kind::Note, &s.notes[n].parsed.id))
                .collect::<Vec<_>>(),
        );
        self.render("index.html", &c)
    }

    /// What the page of an actor, target or campaign starts from: the
    /// record (under its kind's word: `actor`), and what it shows of its
    /// incidents (headline figures, notes about the record, the timeline);
    /// with those incidents, for the rest of the page.
    pub(super) fn record_page<R: Serialize>(
        &self,
        kind: Kind,
        record: &Parsed<R>,
        title: &str,
        focus: Option<usize>,
        at: &Place,
    ) -> (Context, &'a [usize]) {
        let mut c = self.context(at, kind.folder());
        let view = RecordView {
            id: record.id.as_str(),
            record: &record.record,
        };
        c.insert(kind.word(), &view);
        let incidents = self.site.incidents_of(kind, &record.id);
        c.insert("figures", &self.figures(incidents));
        c.insert("notes", &self.note_links(kind, &record.id));
        c.insert("timeline", &self.timeline(incidents, title, focus, &at.root));
        (c, incidents)
    }

    pub fn target(&self, i: usize, at: &Place) -> Result<String, TemplateError> {
        let p = &self.site.targets[i];
        let title = format!("Incidents against {}", p.record.name);
        let (mut c, incidents) = self.record_page(Kind::Target, p, &title, Some(i), at);
        c.insert("description_html", &p.record.description.as_deref().map(to_html));
        self.recent_rows(&mut c, &at.root, incidents)?;
        self.render("target.html", &c)
    }

    pub fn campaign(&self, i: usize, at: &Place) -> Result<String, TemplateError> {
        let s = self.site;
        let p = &s.campaigns[i];
        let title = format!("Incidents of {}", p.record.name);
        let (mut c, incidents) = self.record_page(Kind::Campaign, p, &title, None, at);
        c.insert("summary_html", &p.record.summary.as_deref().map(to_html));
        c.insert("trigger_html", &p.record.trigger.as_deref().map(to_html));
        // In words, as every other span: "between Thu 1 Jun and Mon 3 Jul
        // 2023", "on or after Sat 24 Aug 2024, ongoing".
        let span = s.extent(incidents).map(|(first, last, ongoing)| {
            if ongoing {
                format!(
                    "{}, ongoing",
                    wording::when(
                        TimeSpan {
                            earliest: first,
                            latest: first
                        },
                        true,
                        s.zone
                    )
                )
            } else if last > first {
                wording::when(
                    TimeSpan {
                        earliest: first,
                        latest: last,
                    },
                    false,
                    s.zone,
                )
            } else {
                wording::instant(first, s.zone)
            }
        });
        c.insert("span", &span);
        self.recent_rows(&mut c, &at.root, incidents)?;
        self.render("campaign.html", &c)
    }

    pub fn note(&self, i: usize, at: &Place) -> Result<String, TemplateError> {
        let s = self.site;
        let n = &s.notes[i];
        let front = &n.parsed.record.front;
        let mut c = self.context(at, "notes");
        c.insert(
            "note",
            &NoteView {
                id: n.parsed.id.as_str(),
                title: &front.title,
                date: front.date.as_ref().map(|d| d.text()),
                date_words: front.date.as_ref().zip(n.date).map(|(d, span)| self.when(d, span)),
            },
        );
        c.insert(
            "about",
            &front.about.iter().map(|r| self.link(r.kind, &r.id)).collect::<Vec<_>>(),
        );
        c.insert("body_html", &to_html(&n.parsed.record.body));
        self.render("note.html", &c)
    }

    /// Page `n` (from 1) of the list of a kind, [`ROWS_PER_PAGE`] records a
    /// page, with a pager when there is more than one.
    pub fn list(&self, kind: Kind, n: usize, at: &Place) -> Result<String, TemplateError> {
        let s = self.site;
        let folder = kind.folder();
        let root = at.root.as_str();
        let mut c = self.context(at, folder);
        let pages = s.list_pages(kind);
        let from = (n - 1) * ROWS_PER_PAGE;
        let to = (from + ROWS_PER_PAGE).min(s.count(kind));
        c.insert(
            "pager",
            &Pager {
                current: n,
                total: pages,
                first: from + 1,
                last: to,
                count: s.count(kind),
                prev: (n > 1).then(|| list_path(kind, n - 1)),
                next: (n < pages).then(|| list_path(kind, n + 1)),
                pages: (1..=pages).map(|k| (k, list_path(kind, k))).collect(),
            },
        );
        if kind == Kind::Incident {
            // Page 1 holds the newest incidents.
            let total = s.incidents.len();
            let range: Vec<usize> = (total - to..total - from).collect();
            c.insert("rows", &self.rows_for(&range, root)?);
            return self.render("incidents.html", &c);
        }
        let entries = self.list_entries(kind, from, to);
        c.insert("entries", &entries);
        self.render(&format!("{folder}.html"), &c)
    }

    /// The entries of a list page of actors, targets, campaigns or notes:
    /// records `from..to`, each with a detail and its incidents' downtime.
    fn list_entries(&self, kind: Kind, from: usize, to: usize) -> Vec<Entry> {
        let s = self.site;
        let entry = |id: &Id, detail: String, date: Option<String>| {
            let incidents = s.incidents_of(kind, id);
            let l = self.link(kind, id);
            Entry {
                name: l.name,
                url: l.url,
                detail,
                date,
                incidents: incidents.len(),
                downtime: wording::totals_words(s.totals(incidents)),
            }
        };
        match kind {
            Kind::Incident => Vec::new(),
            Kind::Actor => s.actors[from..to]
                .iter()
                .map(|p| entry(&p.id, p.record.kind.map_or("", |k| k.key()).to_string(), None))
                .collect(),
            Kind::Target => s.targets[from..to]
                .iter()
                .map(|p| entry(&p.id, p.record.sector.clone().unwrap_or_default(), None))
                .collect(),
            Kind::Campaign => s.campaigns[from..to]
                .iter()
                .map(|p| {
                    let hashtags: Vec<String> = p.record.hashtags.iter().map(|h| format!("#{h}")).collect();
                    entry(&p.id, hashtags.join(" "), None)
                })
                .collect(),
            Kind::Note => s.notes[from..to]
                .iter()
                .map(|n| {
                    let date = n.parsed.record.front.date.as_ref().zip(n.date);
                    entry(
                        &n.parsed.id,
                        date.map_or(String::new(), |(d, span)| self.when(d, span)),
                        date.map(|(d, _)| d.text().to_string()),
                    )
                })
                .collect(),
        }
    }

    /// The search page: the form with its filters; `assets/search.js`
    /// reads the index and lists the results.
    pub fn search(&self, facets: &[crate::search::Facet], at: &Place) -> Result<String, TemplateError> {
        let mut c = self.context(at, "search");
        c.insert("facets", facets);
        self.render("search.html", &c)
    }

    pub fn not_found(&self, at: &Place) -> Result<String, TemplateError> {
        self.render("404.html", &self.context(at, "404"))
    }
}
