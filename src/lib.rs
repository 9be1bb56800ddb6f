//! sitrep: incident records and notes in, a static site out.
//!
//! The pipeline, one module per stage:
//! [`load`] (walk `content/`) → [`parse`] (YAML, front matter) →
//! [`validate`] (references, time contradictions) → [`model`] (the resolved
//! site, with [`bounds`] of every outage) → [`render`] (Markdown, Tera,
//! [`timeline`], [`export`]) → [`write`] (atomic output).
//! The time model of SPEC §3 lives in [`time`] and [`bounds`]; its wording in
//! [`wording`]. [`lint`] runs the stages up to validation (what `sitrep
//! check` reports); [`check`] adds the model; [`Prepared`] adds
//! the templates and what pages share; [`build`] renders every page of it
//! and writes the site, while [`serve`] renders pages of it on request.

pub mod bounds;
pub mod charts;
pub mod diagnostics;
pub mod diff;
pub mod escape;
pub mod export;
pub mod guard;
pub mod limits;
pub mod load;
pub mod markdown;
pub mod model;
pub mod parse;
pub mod records;
pub mod render;
pub mod scaffold;
pub mod schema;
pub mod serve;
pub mod stix;
pub mod time;
pub mod timeline;
pub mod validate;
pub mod wording;
pub mod write;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Format, Severity};
use crate::model::Site;
use crate::records::Kind;

/// Everything found wrong (or suspicious) in a project.
#[derive(Debug, Default)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    /// Renders every diagnostic; source lines are read from `root`, only
    /// from files inside its `content/` (never through a link out of it).
    pub fn render(&self, root: &Path, format: Format) -> String {
        let content = guard::Project::new(root).ok().and_then(|p| p.folder("content").ok());
        diagnostics::render(&self.diagnostics, format, &|file| {
            let mut text = content
                .as_ref()?
                .read_text(&root.join(file), load::MAX_FILE_BYTES)
                .ok()?;
            load::strip_bom(&mut text);
            Some(text)
        })
    }
}

/// Prints where a run spends its time when `SITREP_TIMINGS` is set.
fn stopwatch(indent: &'static str) -> impl Fn(&str) {
    let timings = std::env::var_os("SITREP_TIMINGS").is_some();
    let clock = std::time::Instant::now();
    move |what: &str| {
        if timings {
            eprintln!("{indent}{what}: {} ms", clock.elapsed().as_millis());
        }
    }
}

/// Loads and validates a project: everything `sitrep check` reports, and
/// the validated content when there is no error. No model is built. With a
/// `cache` (`serve`), only the files whose text changed are parsed.
pub fn lint(root: &Path, cache: Option<&parse::ParseCache>) -> (Option<validate::Validated>, Report) {
    let lap = stopwatch("  ");
    let mut diagnostics = Vec::new();
    let loaded = load::load(root, &mut diagnostics);
    lap("load");
    let content = parse::parse(loaded, &mut diagnostics, cache);
    lap("parse");
    let validated = validate::validate(content, &mut diagnostics);
    lap("validate");
    diagnostics.sort();
    diagnostics.dedup();
    (validated, Report { diagnostics })
}

/// Loads and validates a project ([`lint`]); the site model when there is
/// no error.
pub fn check(root: &Path, base_url: Option<&str>, cache: Option<&parse::ParseCache>) -> (Option<Site>, Report) {
    let (validated, report) = lint(root, cache);
    let lap = stopwatch("  ");
    let site = validated.map(|v| Site::build(v, base_url));
    lap("model");
    (site, report)
}

/// Why a build wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the content has {} error(s)", .0.errors())]
    Content(Report),
    #[error("{0}")]
    Template(String),
    #[error(transparent)]
    Write(#[from] write::WriteError),
}

/// What a successful build did.
#[derive(Debug)]
pub struct Built {
    /// What the write stage found and mended on the way (see [`write::Staging`]).
    pub notes: Vec<String>,
    pub report: Report,
    pub pages: usize,
    pub incidents: usize,
    /// What the pages were rendered from. Handed back rather than dropped,
    /// so a command that exits right away can leave freeing it to the OS.
    pub prepared: Prepared,
}

/// A page of the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Home,
    NotFound,
    /// Page `n` (from 1) of the list of a kind.
    List(Kind, usize),
    Record(Kind, usize),
}

/// Everything rendering needs, prepared once: the model, the templates, and
/// what pages share (summaries as HTML, table rows). `build` renders every
/// page from it; `serve` renders pages from it on request.
pub struct Prepared {
    pub root: PathBuf,
    pub site: Site,
    pub tera: tera::Tera,
    pub shared: render::Shared,
    /// Files that are the same text whatever the data: assets (the
    /// project's or the built-in ones) and schemas, read and made once.
    fixed: Vec<(String, String)>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("root", &self.root)
            .field("incidents", &self.site.incidents.len())
            .finish_non_exhaustive()
    }
}

impl Prepared {
    /// Checks the project and prepares it; `base_url` overrides `site.yaml`'s.
    /// `cache` is [`check`]'s.
    pub fn new(
        root: &Path,
        base_url: Option<&str>,
        cache: Option<&parse::ParseCache>,
    ) -> Result<(Prepared, Report), BuildError> {
        if let Some(url) = base_url {
            records::HttpUrl::parse(url).map_err(|e| BuildError::Template(format!("--base-url: {e}")))?;
            if url.contains(['?', '#']) {
                return Err(BuildError::Template(format!(
                    "--base-url: `{url}` has a query or a fragment; every page's address is made by adding to it"
                )));
            }
        }
        let (site, report) = check(root, base_url, cache);
        let Some(site) = site else {
            return Err(BuildError::Content(report));
        };
        let tera = render::load_templates(root).map_err(BuildError::Template)?;
        let shared = render::Shared::new(&site);
        let fixed = render::assets(root)
            .map_err(BuildError::Template)?
            .into_iter()
            .map(|(name, text)| (name.to_string(), text))
            .chain(
                schema::all()
                    .into_iter()
                    .map(|(name, value)| (format!("schema/{name}"), schema::to_text(&value))),
            )
            .collect();
        Ok((
            Prepared {
                root: root.to_path_buf(),
                site,
                tera,
                shared,
                fixed,
            },
            report,
        ))
    }

    pub fn renderer(&self) -> render::Renderer<'_> {
        render::Renderer::new(&self.site, &self.tera, &self.shared)
    }

    /// Every page, in a fixed order.
    pub fn pages(&self) -> Vec<Page> {
        let s = &self.site;
        let mut pages = vec![Page::Home, Page::NotFound];
        for kind in [Kind::Incident, Kind::Actor, Kind::Target, Kind::Campaign, Kind::Note] {
            pages.extend((1..=s.list_pages(kind)).map(|n| Page::List(kind, n)));
            pages.extend((0..s.count(kind)).map(|i| Page::Record(kind, i)));
        }
        pages
    }

    /// The page at a path of the site (`/incidents/x/`, `/incidents/x/index.html`).
    pub fn route(&self, path: &str) -> Option<Page> {
        let path = path.trim_start_matches('/');
        if path == "404.html" {
            return Some(Page::NotFound);
        }
        let path = path.strip_suffix("index.html").unwrap_or(path).trim_end_matches('/');
        let parts: Vec<&str> = if path.is_empty() {
            Vec::new()
        } else {
            path.split('/').collect()
        };
        let kind_of = |folder: &str| {
            [Kind::Incident, Kind::Actor, Kind::Target, Kind::Campaign, Kind::Note]
                .into_iter()
                .find(|k| k.folder() == folder)
        };
        match parts.as_slice() {
            [] => Some(Page::Home),
            [folder] => kind_of(folder).map(|kind| Page::List(kind, 1)),
            [folder, "page", n] => {
                let kind = kind_of(folder)?;
                let n: usize = n.parse().ok()?;
                (2..=self.site.list_pages(kind))
                    .contains(&n)
                    .then_some(Page::List(kind, n))
            }
            [folder, id] => {
                let kind = kind_of(folder)?;
                let id = records::Id::parse(id).ok()?;
                self.site.position(kind, &id).map(|i| Page::Record(kind, i))
            }
            _ => None,
        }
    }

    /// Renders one page: its path inside the site and its HTML.
    pub fn render(&self, renderer: &render::Renderer, page: Page) -> Result<(String, String), String> {
        match page {
            Page::Home => renderer.home(),
            Page::NotFound => renderer.not_found(),
            Page::List(kind, n) => renderer.list(kind, n),
            Page::Record(Kind::Incident, i) => renderer.incident(i),
            Page::Record(Kind::Actor, i) => renderer.actor(i),
            Page::Record(Kind::Target, i) => renderer.target(i),
            Page::Record(Kind::Campaign, i) => renderer.campaign(i),
            Page::Record(Kind::Note, i) => renderer.note(i),
        }
    }

    /// The site's path of every page, for the sitemap.
    fn page_paths(&self, pages: &[Page]) -> Vec<String> {
        pages
            .iter()
            .map(|p| match *p {
                Page::Home => "index.html".to_string(),
                Page::NotFound => "404.html".to_string(),
                Page::List(kind, n) => format!("{}index.html", model::list_path(kind, n)),
                Page::Record(kind, i) => {
                    let s = &self.site;
                    let id = match kind {
                        Kind::Incident => &s.incidents[i].id,
                        Kind::Actor => &s.actors[i].id,
                        Kind::Target => &s.targets[i].id,
                        Kind::Campaign => &s.campaigns[i].id,
                        Kind::Note => &s.notes[i].parsed.id,
                    };
                    format!("{}index.html", model::page_path(kind, id))
                }
            })
            .collect()
    }

    /// Writes a file that is not a page (exports, schemas, assets, …) into
    /// `w`; `None` if `name` is not one.
    pub fn write_file(&self, name: &str, w: &mut dyn std::io::Write) -> Option<std::io::Result<()>> {
        let site = &self.site;
        let text = |w: &mut dyn std::io::Write, t: &str| w.write_all(t.as_bytes());
        Some(match name {
            "stix.json" => stix::bundle(site, w),
            "incidents.json" => export::incidents_json(site, w),
            "incidents.csv" => export::incidents_csv(site, w),
            "feed.xml" => {
                let renderer = self.renderer();
                export::atom_feed(site, &|i| renderer.summary(i).map(str::to_string), w)
            }
            "robots.txt" => text(w, &export::robots(site)),
            "sitemap.xml" => text(w, &export::sitemap(site, &self.page_paths(&self.pages()))),
            ".nojekyll" => Ok(()),
            "CNAME" => text(w, &format!("{}\n", site.cname.as_deref()?)),
            _ => {
                let (_, fixed) = self.fixed.iter().find(|(n, _)| n == name)?;
                text(w, fixed)
            }
        })
    }

    /// The names `write_file` knows, in a fixed order.
    pub fn file_names(&self) -> Vec<String> {
        let mut names: Vec<String> = [
            "stix.json",
            "incidents.json",
            "incidents.csv",
            "feed.xml",
            "robots.txt",
            ".nojekyll",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        names.extend(self.fixed.iter().map(|(n, _)| n.clone()));
        if self.site.cname.is_some() {
            names.push("CNAME".into());
        }
        names.push("sitemap.xml".into());
        names
    }
}

/// Builds the site of `root` into `out`, atomically.
/// `force` lets a non-empty folder that sitrep did not write be replaced.
pub fn build(root: &Path, out: &Path, base_url: Option<&str>, force: bool) -> Result<Built, BuildError> {
    let dest = write::check_output_folder(out, root, force)?;
    let lap = stopwatch("");
    let (prepared, report) = Prepared::new(root, base_url, None)?;
    lap("checked and prepared");
    let staging = write::Staging::begin(&dest)?;
    let renderer = prepared.renderer();
    renderer.prepare_all().map_err(BuildError::Template)?;
    lap("rows, summaries and bar titles made");
    let pages = prepared.pages();
    // Pages and other files are independent: render them side by side, each
    // export as its own task (streamed to its file, never held whole), so no
    // export is the critical path.
    let names = prepared.file_names();
    let results = std::sync::Mutex::new(Vec::new());
    let mut written = Ok(0);
    rayon::scope(|scope| {
        for name in &names {
            let (results, staging, prepared) = (&results, &staging, &prepared);
            scope.spawn(move |_| {
                let result = staging.stream(name, |w| prepared.write_file(name, w).unwrap_or(Ok(())));
                results.lock().unwrap_or_else(|e| e.into_inner()).push(result);
            });
        }
        written = pages
            .par_iter()
            .map(|&page| {
                let (path, html) = prepared.render(&renderer, page).map_err(BuildError::Template)?;
                staging.write(&path, html.as_bytes())?;
                Ok(1)
            })
            .sum::<Result<usize, BuildError>>();
    });
    let written = written?;
    for result in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
        result?;
    }
    write::copy_static(root, &staging)?;
    lap("pages and files written");
    let notes = staging.commit()?;
    lap("committed");
    drop(renderer);
    Ok(Built {
        notes,
        report,
        pages: written,
        incidents: prepared.site.incidents.len(),
        prepared,
    })
}
