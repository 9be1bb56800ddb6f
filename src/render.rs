//! Stage 5: the model as pages, through Tera templates.
//!
//! Templates see small view structs built here for display (never the
//! model), so a template change never touches the model and the model never
//! leaks Rust types into templates. Built-in templates are compiled in; a
//! file of the same name in the project's `templates/` overrides one.
//! Links are relative (`{{ root }}incidents/x/`), so the site works under any
//! sub-path of `base_url`; only `404.html`, served at any depth, uses
//! root-absolute links.

use std::path::Path;
use std::sync::OnceLock;

use chrono_tz::Tz;
use serde::Serialize;
use tera::{Context, Tera};

use crate::bounds::DurationBounds;
use crate::markdown::to_html;
use crate::model::page_path;
use crate::model::{list_path, Site, ROWS_PER_PAGE};
use crate::records::{Id, Kind};
use crate::routes::Place;
use crate::time::{local_text, TimeSpan};
use crate::timeline;
use crate::wording;

/// The built-in templates: name and text.
pub const BUILTIN_TEMPLATES: [(&str, &str); 16] = [
    ("base.html", include_str!("../templates/base.html")),
    ("incident_table.html", include_str!("../templates/incident_table.html")),
    ("incident_row.html", include_str!("../templates/incident_row.html")),
    ("pager.html", include_str!("../templates/pager.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("incident.html", include_str!("../templates/incident.html")),
    ("incidents.html", include_str!("../templates/incidents.html")),
    ("actor.html", include_str!("../templates/actor.html")),
    ("actors.html", include_str!("../templates/actors.html")),
    ("target.html", include_str!("../templates/target.html")),
    ("targets.html", include_str!("../templates/targets.html")),
    ("campaign.html", include_str!("../templates/campaign.html")),
    ("campaigns.html", include_str!("../templates/campaigns.html")),
    ("note.html", include_str!("../templates/note.html")),
    ("notes.html", include_str!("../templates/notes.html")),
    ("404.html", include_str!("../templates/404.html")),
];

/// The built-in stylesheet, written to `assets/style.css`.
pub const BUILTIN_CSS: &str = include_str!("../templates/assets/style.css");
/// The built-in table script (sort and filter), written to `assets/table.js`.
pub const BUILTIN_JS: &str = include_str!("../templates/assets/table.js");

/// Loads the built-in templates, then the project's overrides.
pub fn load_templates(root: &Path) -> Result<Tera, String> {
    let mut tera = Tera::default();
    let mut all: Vec<(String, String)> = BUILTIN_TEMPLATES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let dir = root.join("templates");
    if std::fs::symlink_metadata(&dir).is_ok() {
        let folder = templates_folder(root)?;
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name().follow_links(false) {
            let entry = entry.map_err(|e| format!("templates/: {e}"))?;
            let path = entry.path();
            if entry.file_type().is_dir() || path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let name = crate::diagnostics::display_path(&dir, path);
            let text = folder
                .read_walked(path, crate::load::MAX_FILE_BYTES)
                .and_then(|b| String::from_utf8(b).map_err(|_| "this file is not valid UTF-8 text".into()))
                .map_err(|why| format!("templates/{name}: {why}"))?;
            match all.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = text,
                None => all.push((name, text)),
            }
        }
    }
    tera.add_raw_templates(all).map_err(|e| tera_error(&e))?;
    tera.register_filter("datetime", datetime_filter);
    tera.autoescape_on(vec![".html", ".xml", ".svg"]);
    // Tera's default also escapes `/`, which makes every link unreadable in
    // a diff; `&<>"'` is what HTML text and quoted attributes need.
    tera.set_escape_fn(crate::escape::xml);
    Ok(tera)
}

/// `{{ t | datetime }}`: a written time as an HTML `datetime` value
/// ([`crate::time::WrittenTime::html_datetime`]), so that
/// `<time datetime="{{ t | datetime }}">{{ t }}</time>` is valid HTML for
/// every form of SPEC §3 (`2024-08-25T14` is not a valid `<time>` text).
/// Anything else comes back as it is.
fn datetime_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    Ok(match value.as_str().map(str::parse::<crate::time::WrittenTime>) {
        Some(Ok(t)) => tera::Value::String(t.html_datetime()),
        _ => value.clone(),
    })
}

/// The whole chain of a Tera error, which hides the useful part in sources.
pub fn tera_error(e: &tera::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The project's `templates/`, checked: a folder inside the project, whose
/// links stay inside it.
fn templates_folder(root: &Path) -> Result<crate::guard::Project, String> {
    crate::guard::Project::new(root)
        .map_err(|e| format!("templates/: {}", crate::guard::reason(&e)))?
        .folder("templates")
        .map_err(|why| format!("templates/: {why}"))
}

/// The assets: the project's `templates/assets/<name>` if present, else the
/// built-in. One that is there but cannot be read (a link out of the
/// project, a pipe) is an error, not a silent fall-back.
pub fn assets(root: &Path) -> Result<[(&'static str, String); 2], String> {
    let dir = root.join("templates/assets");
    let folder = if std::fs::symlink_metadata(&dir).is_ok() {
        Some(templates_folder(root)?)
    } else {
        None
    };
    let read = |name: &str, builtin: &str| -> Result<String, String> {
        let path = dir.join(name);
        match &folder {
            Some(folder) if std::fs::symlink_metadata(&path).is_ok() => folder
                .read_text(&path, crate::load::MAX_FILE_BYTES)
                .map_err(|why| format!("templates/assets/{name}: {why}")),
            _ => Ok(builtin.to_string()),
        }
    };
    Ok([
        ("assets/style.css", read("style.css", BUILTIN_CSS)?),
        ("assets/table.js", read("table.js", BUILTIN_JS)?),
    ])
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description_html: Option<String>,
    base_url: &'a str,
    language: &'a str,
    timezone: &'a str,
    as_of: String,
}

#[derive(Serialize, Clone)]
struct Link {
    name: String,
    url: String,
}

#[derive(Serialize)]
struct ActorLink {
    name: String,
    url: String,
    basis: &'static str,
}

/// One row of the who / what / when / how-long table.
#[derive(Serialize)]
struct IncidentRow {
    id: String,
    url: String,
    title: String,
    attack: Vec<&'static str>,
    targets: Vec<Link>,
    /// Targets left out of `targets` (table rows name [`ROW_LINKS`]).
    more_targets: usize,
    actors: Vec<ActorLink>,
    /// Actors left out of `actors`.
    more_actors: usize,
    campaign: Option<Link>,
    started: String,
    ended: Option<String>,
    /// With no `ended`: the `up` observation that bounds the end.
    up_by: Option<String>,
    duration: String,
    status: &'static str,
    /// Sort keys for the optional table script.
    start_key: i64,
    min_seconds: i64,
    max_seconds: Option<i64>,
}

#[derive(Serialize)]
struct Figures {
    incidents: usize,
    targets: usize,
    actors: usize,
    campaigns: usize,
    ongoing: usize,
    downtime: String,
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

/// What pages share, computed at most once per incident and only when a page
/// needs it: `build` needs all of it, `serve` only what is viewed.
pub struct Shared {
    /// Each incident's summary as sanitised HTML.
    summaries: Vec<OnceLock<Option<String>>>,
    /// Each incident's table row from `incident_row.html`, with [`ROOT_MARK`]
    /// where the page's `root` goes.
    rows: Vec<OnceLock<Result<String, String>>>,
    /// Each incident's bar title on timelines (it is drawn on up to three).
    bar_titles: Vec<OnceLock<String>>,
}

impl Shared {
    pub fn new(site: &Site) -> Shared {
        let n = site.incidents.len();
        Shared {
            summaries: (0..n).map(|_| OnceLock::new()).collect(),
            rows: (0..n).map(|_| OnceLock::new()).collect(),
            bar_titles: (0..n).map(|_| OnceLock::new()).collect(),
        }
    }
}

/// Targets (and actors) a table row names; the rest are counted. A row is
/// on the page of each of its targets, so naming them all would make those
/// pages grow with the square of a mass incident's targets.
pub const ROW_LINKS: usize = 10;

/// Stands for a page's relative `root` in rows rendered once for all pages.
const ROOT_MARK: &str = "\u{e000}root\u{e000}";
/// The first character of [`ROOT_MARK`], which rows are searched for.
const ROOT_MARK_START: char = '\u{e000}';

/// Appends a cached row with the page's `root` in place of [`ROOT_MARK`].
/// Like `str::replace`, but finds the mark by its first character (a
/// `memchr`) instead of setting up a substring search for every row, and
/// writes into the page's buffer.
fn push_with_root(out: &mut String, row: &str, root: &str) {
    let mark = ROOT_MARK_START;
    let mut rest = row;
    while let Some(at) = rest.find(mark) {
        out.push_str(&rest[..at]);
        if rest[at..].starts_with(ROOT_MARK) {
            out.push_str(root);
            rest = &rest[at + ROOT_MARK.len()..];
        } else {
            out.push(mark);
            rest = &rest[at + mark.len_utf8()..];
        }
    }
    out.push_str(rest);
}

impl<'a> Renderer<'a> {
    /// A renderer; `shared` caches what pages share (see [`Shared`]).
    pub fn new(site: &'a Site, tera: &'a Tera, shared: &'a Shared) -> Self {
        let site_view = SiteView {
            title: &site.title,
            description_html: site.description.as_deref().map(to_html),
            base_url: &site.base_url,
            language: &site.language,
            timezone: site.zone.name(),
            as_of: site.as_of_text.clone(),
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
    pub fn prepare_all(&self) -> Result<(), String> {
        use rayon::prelude::*;
        (0..self.site.incidents.len()).into_par_iter().try_for_each(|i| {
            self.summary(i);
            self.bar_title(i);
            self.row_html(i).map(|_| ())
        })
    }

    fn bar_title(&self, i: usize) -> &str {
        self.shared.bar_titles[i]
            .get_or_init(|| timeline::bar_title(self.site, i))
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

    fn context(&self, at: &Place, section: &str) -> Context {
        let mut c = self.base.clone();
        c.insert("root", &at.root);
        c.insert("section", section);
        c.insert("canonical", &format!("{}{}", self.site.base_url, at.folder));
        c
    }

    fn render(&self, template: &str, context: &Context) -> Result<String, String> {
        let html = self
            .tera
            .render(template, context)
            .map_err(|e| format!("template {template}: {}", tera_error(&e)))?;
        Ok(drop_blank_lines(html))
    }

    /// Incident `i` for display, naming at most `links` targets and actors.
    fn row(&self, i: usize, links: usize) -> IncidentRow {
        let inc = &self.site.incidents[i];
        let r = &inc.record;
        IncidentRow {
            id: inc.id.to_string(),
            url: page_path(Kind::Incident, &inc.id),
            title: r.title.clone(),
            attack: r.attack.iter().map(|a| a.label()).collect(),
            targets: r
                .targets
                .iter()
                .take(links)
                .map(|t| self.link(Kind::Target, t))
                .collect(),
            more_targets: r.targets.len().saturating_sub(links),
            more_actors: r.actors.len().saturating_sub(links),
            actors: r
                .actors
                .iter()
                .take(links)
                .map(|a| {
                    let l = self.link(Kind::Actor, &a.actor);
                    ActorLink {
                        name: l.name,
                        url: l.url,
                        basis: a.basis.key(),
                    }
                })
                .collect(),
            campaign: r.campaign.as_ref().map(|c| self.link(Kind::Campaign, c)),
            started: r.started.text().to_string(),
            ended: r.ended.as_ref().map(|e| e.text().to_string()),
            up_by: inc.up_by.map(|k| r.observations[k].at.text().to_string()),
            duration: wording::duration(inc.duration),
            status: inc.status(),
            start_key: inc.started.earliest.timestamp(),
            min_seconds: inc.duration.min,
            max_seconds: inc.duration.max,
        }
    }

    /// Incident `i`'s table row, rendered once for every page.
    fn row_html(&self, i: usize) -> Result<&str, String> {
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
                        let mut html = drop_blank_lines(html);
                        html.shrink_to_fit();
                        html
                    })
                    .map_err(|e| format!("template incident_row.html: {}", tera_error(&e)))
            })
            .as_deref()
            .map_err(Clone::clone)
    }

    /// The rows of a table on a page whose root is `root`, as one piece of
    /// HTML: the table template writes it as is (`{{ rows | safe }}`), which
    /// spares Tera a loop and a copy per row on pages of a thousand rows.
    fn rows_for(&self, incidents: &[usize], root: &str) -> Result<String, String> {
        let mut html = String::new();
        for &i in incidents {
            push_with_root(&mut html, self.row_html(i)?, root);
            html.push('\n');
        }
        Ok(html)
    }

    /// The most recent `ROWS_PER_PAGE` incidents as rows, and how many are left out.
    fn recent_rows(&self, c: &mut Context, root: &str, incidents: &[usize]) -> Result<(), String> {
        let hidden = incidents.len().saturating_sub(ROWS_PER_PAGE);
        c.insert("rows", &self.rows_for(&incidents[hidden..], root)?);
        c.insert("hidden", &hidden);
        Ok(())
    }

    /// A link to a record, named by its title or name.
    fn link(&self, kind: Kind, id: &Id) -> Link {
        let s = self.site;
        let name = s
            .position(kind, id)
            .map(|i| match kind {
                Kind::Incident => s.incidents[i].record.title.clone(),
                Kind::Actor => s.actors[i].record.name.clone(),
                Kind::Target => s.targets[i].record.name.clone(),
                Kind::Campaign => s.campaigns[i].record.name.clone(),
                Kind::Note => s.notes[i].parsed.record.front.title.clone(),
            })
            .unwrap_or_else(|| id.to_string());
        Link {
            name,
            url: page_path(kind, id),
        }
    }

    fn note_links(&self, kind: Kind, id: &Id) -> Vec<Link> {
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
        Figures {
            incidents: incidents.len(),
            targets: targets.len(),
            actors: actors.len(),
            campaigns: campaigns.len(),
            ongoing: s.ongoing(incidents),
            downtime: downtime_words(s.downtime(incidents)),
        }
    }

    /// The timeline of `incidents`; `focus`, the page's own target, always
    /// has its lane.
    fn timeline(&self, incidents: &[usize], title: &str, focus: Option<usize>) -> String {
        timeline::svg(self.site, incidents, title, &|i| self.bar_title(i), focus)
    }

    pub fn home(&self, at: &Place) -> Result<String, String> {
        let s = self.site;
        let all: Vec<usize> = (0..s.incidents.len()).collect();
        let mut c = self.context(at, "home");
        let mut figures = self.figures(&all);
        figures.targets = s.targets.len();
        figures.actors = s.actors.len();
        figures.campaigns = s.campaigns.len();
        c.insert("figures", &figures);
        self.recent_rows(&mut c, "", &all)?;
        c.insert("timeline", &self.timeline(&all, "All incidents by target", None));
        #[derive(Serialize)]
        struct Charts {
            per_day: String,
            per_target: String,
            per_actor: String,
            per_attack: String,
        }
        c.insert(
            "charts",
            &Charts {
                per_day: crate::charts::incidents_per_day(s),
                per_target: crate::charts::downtime_per_target(s),
                per_actor: crate::charts::incidents_per_actor(s),
                per_attack: crate::charts::incidents_per_attack(s),
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

    pub fn incident(&self, i: usize, at: &Place) -> Result<String, String> {
        let s = self.site;
        let inc = &s.incidents[i];
        let r = &inc.record;
        let mut c = self.context(at, "incidents");
        c.insert("incident", &self.row(i, usize::MAX));
        c.insert("summary_html", &self.summary(i));
        c.insert("tags", &r.tags);
        let zone = s.zone;
        c.insert("started_span", &span_text(inc.started, zone));
        c.insert("ended_span", &inc.ended.map(|e| span_text(e, zone)));
        let b = inc.bounds;
        c.insert(
            "start_bounds",
            &format!(
                "{} – {}",
                local_text(b.start_earliest, zone),
                local_text(b.start_latest, zone)
            ),
        );
        c.insert(
            "end_bounds",
            &match b.end_latest {
                Some(l) => format!("{} – {}", local_text(b.end_earliest, zone), local_text(l, zone)),
                None => format!(
                    "not before {}; not known to have ended",
                    local_text(b.end_earliest, zone)
                ),
            },
        );
        #[derive(Serialize)]
        struct ObservationView {
            at: String,
            span: String,
            state: &'static str,
            source: Option<String>,
        }
        let observations: Vec<ObservationView> = r
            .observations
            .iter()
            .zip(&inc.observations)
            .map(|(o, span)| ObservationView {
                at: o.at.text().to_string(),
                span: span_text(*span, zone),
                state: match o.state {
                    crate::records::State::Down => "down",
                    crate::records::State::Up => "up",
                },
                source: o.source.as_ref().map(|id| {
                    r.sources
                        .iter()
                        .find(|src| src.id == *id)
                        .and_then(|src| src.title.clone().or(src.publisher.clone()))
                        .unwrap_or_else(|| id.to_string())
                }),
            })
            .collect();
        c.insert("observations", &observations);
        #[derive(Serialize)]
        struct SourceView<'b> {
            id: &'b str,
            title: Option<&'b str>,
            publisher: Option<&'b str>,
            url: Option<&'b str>,
            published: Option<&'b str>,
        }
        let sources: Vec<SourceView> = r
            .sources
            .iter()
            .map(|src| SourceView {
                id: src.id.as_str(),
                title: src.title.as_deref(),
                publisher: src.publisher.as_deref(),
                url: src.url.as_ref().map(|u| u.as_str()),
                published: src.published.as_ref().map(|p| p.text()),
            })
            .collect();
        c.insert("sources", &sources);
        c.insert("notes", &self.note_links(Kind::Incident, &inc.id));
        self.render("incident.html", &c)
    }

    pub fn actor(&self, i: usize, at: &Place) -> Result<String, String> {
        let s = self.site;
        let p = &s.actors[i];
        let a = &p.record;
        let mut c = self.context(at, "actors");
        let incidents = s.incidents_of(Kind::Actor, &p.id);
        c.insert(
            "actor",
            &serde_json::json!({
                "id": p.id.as_str(),
                "name": a.name,
                "aliases": a.aliases,
                "kind": a.kind.map(|k| k.key()),
                "country": a.country,
                "links": a.links.iter().map(|l| l.as_str()).collect::<Vec<_>>(),
            }),
        );
        c.insert("description_html", &a.description.as_deref().map(to_html));
        // What the actor claimed, what others attributed to it, what is suspected.
        let mut by_basis: Vec<(&str, String, usize)> = Vec::new();
        for basis in ["claimed", "attributed", "suspected"] {
            let group: Vec<usize> = incidents
                .iter()
                .copied()
                .filter(|&k| {
                    s.incidents[k]
                        .record
                        .actors
                        .iter()
                        .any(|x| x.actor == p.id && x.basis.key() == basis)
                })
                .collect();
            let hidden = group.len().saturating_sub(ROWS_PER_PAGE);
            if !group.is_empty() {
                by_basis.push((basis, self.rows_for(&group[hidden..], &at.root)?, hidden));
            }
        }
        c.insert("by_basis", &by_basis);
        c.insert("figures", &self.figures(incidents));
        c.insert("notes", &self.note_links(Kind::Actor, &p.id));
        c.insert(
            "timeline",
            &self.timeline(incidents, &format!("Incidents involving {}", a.name), None),
        );
        self.render("actor.html", &c)
    }

    pub fn target(&self, i: usize, at: &Place) -> Result<String, String> {
        let s = self.site;
        let p = &s.targets[i];
        let t = &p.record;
        let mut c = self.context(at, "targets");
        let incidents = s.incidents_of(Kind::Target, &p.id);
        c.insert(
            "target",
            &serde_json::json!({
                "id": p.id.as_str(),
                "name": t.name,
                "url": t.url.as_ref().map(|u| u.as_str()),
                "sector": t.sector,
                "country": t.country,
            }),
        );
        c.insert("description_html", &t.description.as_deref().map(to_html));
        self.recent_rows(&mut c, &at.root, incidents)?;
        c.insert("figures", &self.figures(incidents));
        c.insert("notes", &self.note_links(Kind::Target, &p.id));
        c.insert(
            "timeline",
            &self.timeline(incidents, &format!("Incidents against {}", t.name), Some(i)),
        );
        self.render("target.html", &c)
    }

    pub fn campaign(&self, i: usize, at: &Place) -> Result<String, String> {
        let s = self.site;
        let p = &s.campaigns[i];
        let k = &p.record;
        let mut c = self.context(at, "campaigns");
        let incidents = s.incidents_of(Kind::Campaign, &p.id);
        c.insert(
            "campaign",
            &serde_json::json!({
                "id": p.id.as_str(),
                "name": k.name,
                "hashtags": k.hashtags,
            }),
        );
        c.insert("summary_html", &k.summary.as_deref().map(to_html));
        c.insert("trigger_html", &k.trigger.as_deref().map(to_html));
        let span = s.extent(incidents).map(|(first, last, ongoing)| {
            if ongoing {
                format!("since {}, ongoing", local_text(first, s.zone))
            } else {
                format!("{} – {}", local_text(first, s.zone), local_text(last, s.zone))
            }
        });
        c.insert("span", &span);
        self.recent_rows(&mut c, &at.root, incidents)?;
        c.insert("figures", &self.figures(incidents));
        c.insert("notes", &self.note_links(Kind::Campaign, &p.id));
        c.insert(
            "timeline",
            &self.timeline(incidents, &format!("Incidents of {}", k.name), None),
        );
        self.render("campaign.html", &c)
    }

    pub fn note(&self, i: usize, at: &Place) -> Result<String, String> {
        let s = self.site;
        let n = &s.notes[i];
        let front = &n.parsed.record.front;
        let mut c = self.context(at, "notes");
        c.insert(
            "note",
            &serde_json::json!({
                "id": n.parsed.id.as_str(),
                "title": front.title,
                "date": front.date.as_ref().map(|d| d.text()),
            }),
        );
        c.insert(
            "about",
            &front.about.iter().map(|r| self.link(r.kind, &r.id)).collect::<Vec<_>>(),
        );
        c.insert("body_html", &to_html(&n.parsed.record.body));
        self.render("note.html", &c)
    }

    /// The list page of a kind.
    /// Page `n` (from 1) of the list of a kind, [`ROWS_PER_PAGE`] records a
    /// page, with a pager when there is more than one.
    pub fn list(&self, kind: Kind, n: usize, at: &Place) -> Result<String, String> {
        let s = self.site;
        let folder = kind.folder();
        let root = at.root.as_str();
        let mut c = self.context(at, folder);
        let pages = s.list_pages(kind);
        let from = (n - 1) * ROWS_PER_PAGE;
        let to = (from + ROWS_PER_PAGE).min(s.count(kind));
        #[derive(Serialize)]
        struct Pager {
            current: usize,
            total: usize,
            first: usize,
            last: usize,
            count: usize,
            prev: Option<String>,
            next: Option<String>,
            pages: Vec<(usize, String)>,
        }
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
        #[derive(Serialize)]
        struct Entry {
            name: String,
            url: String,
            detail: String,
            incidents: usize,
            downtime: String,
        }
        let entry = |id: &Id, detail: String| {
            let incidents = s.incidents_of(kind, id);
            let l = self.link(kind, id);
            Entry {
                name: l.name,
                url: l.url,
                detail,
                incidents: incidents.len(),
                downtime: downtime_words(s.downtime(incidents)),
            }
        };
        let entries: Vec<Entry> = match kind {
            Kind::Incident => {
                let range: Vec<usize> = (from..to).collect();
                c.insert("rows", &self.rows_for(&range, root)?);
                return self.render("incidents.html", &c);
            }
            Kind::Actor => s.actors[from..to]
                .iter()
                .map(|p| entry(&p.id, p.record.kind.map_or("", |k| k.key()).to_string()))
                .collect(),
            Kind::Target => s.targets[from..to]
                .iter()
                .map(|p| entry(&p.id, p.record.sector.clone().unwrap_or_default()))
                .collect(),
            Kind::Campaign => s.campaigns[from..to]
                .iter()
                .map(|p| {
                    let hashtags: Vec<String> = p.record.hashtags.iter().map(|h| format!("#{h}")).collect();
                    entry(&p.id, hashtags.join(" "))
                })
                .collect(),
            Kind::Note => s.notes[from..to]
                .iter()
                .map(|n| {
                    let date = n.parsed.record.front.date.as_ref();
                    entry(&n.parsed.id, date.map_or(String::new(), |d| d.text().to_string()))
                })
                .collect(),
        };
        c.insert("entries", &entries);
        self.render(&format!("{folder}.html"), &c)
    }

    pub fn not_found(&self, at: &Place) -> Result<String, String> {
        self.render("404.html", &self.context(at, "404"))
    }
}

/// Removes the blank lines that template tags leave behind, so a page reads
/// one element per line and diffs cleanly; pages with `<pre>` are left as is.
fn drop_blank_lines(html: String) -> String {
    if html.contains("<pre") || !html.contains("\n\n") {
        return html;
    }
    // The blank lines, found with `memchr` (behind `match_indices` of a
    // `char`); then the page is compacted in place, with no second copy.
    let mut blank: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for end in html.match_indices('\n').map(|(i, _)| i + 1).chain([html.len()]) {
        if html.as_bytes()[start..end].iter().all(u8::is_ascii_whitespace) && end > start {
            blank.push((start, end));
        }
        start = end;
    }
    let mut bytes = html.into_bytes();
    let (mut read, mut write) = (0, 0);
    for (from, to) in blank {
        bytes.copy_within(read..from, write);
        write += from - read;
        read = to;
    }
    let len = bytes.len();
    bytes.copy_within(read..len, write);
    bytes.truncate(write + len - read);
    // Whole lines were kept or dropped, so this is still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A span as a reader reads it: `2024-08-25 00:00 CEST – 2024-08-26 00:00 CEST`.
pub fn span_text(span: TimeSpan, zone: Tz) -> String {
    format!(
        "{} – {}",
        local_text(span.earliest, zone),
        local_text(span.latest, zone)
    )
}

/// Total downtime in words.
pub fn downtime_words(d: DurationBounds) -> String {
    match d.max {
        None if d.min == 0 => "unknown, an incident is ongoing".into(),
        None => format!("at least {}, an incident is ongoing", wording::at_least(d.min)),
        Some(0) => "none".into(),
        Some(_) => wording::duration(d),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn blank_lines_are_dropped_but_not_in_pre() {
        let html = "<p>\n\n  \t\n<b>é</b>\n \n\nend\n  ".to_string();
        assert_eq!(super::drop_blank_lines(html), "<p>\n<b>é</b>\nend\n");
        let pre = "<pre>\n\n</pre>\n".to_string();
        assert_eq!(super::drop_blank_lines(pre.clone()), pre);
        assert_eq!(super::drop_blank_lines("a\nb".into()), "a\nb");
    }

    #[test]
    fn push_with_root_replaces_the_mark_and_nothing_else() {
        assert!(super::ROOT_MARK.starts_with(super::ROOT_MARK_START));
        let row = format!("<a href=\"{m}x\">\u{e000}t{m}</a>{m}", m = super::ROOT_MARK);
        let mut out = String::from("<tr>");
        super::push_with_root(&mut out, &row, "../../");
        assert_eq!(out, "<tr><a href=\"../../x\">\u{e000}t../../</a>../../");
        assert_eq!(out[4..], row.replace(super::ROOT_MARK, "../../"));
    }
}
