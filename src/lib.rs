//! sitrep: incident records and notes in, a static site out.
//!
//! The pipeline, one module per stage:
//! [`load`] (walk `content/`) → [`parse`] (YAML, front matter) →
//! [`validate`] (references, time contradictions) → [`model`] (the resolved
//! site, with [`bounds`] of every outage) → [`render`] (Markdown, Tera,
//! [`timeline`]), [`export`] and [`search`] (the index of the search page)
//! → [`write`] (atomic output).
//! The time model of docs/format.md ("Times") lives in [`time`] and [`bounds`]; its wording in
//! [`wording`]. [`lint`] runs the stages up to validation (what `sitrep
//! check` reports); [`check`] adds the model; [`Prepared`] adds
//! the templates and what pages share; [`build`] renders every page of it
//! and writes the site, while [`serve`] renders pages of it on request.

pub mod bounds;
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
pub use render::{charts, timeline};
pub mod routes;
pub mod scaffold;
pub mod schema;
pub mod search;
pub mod serve;
pub mod time;
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
            load::normalize(&mut text);
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

/// Everything `sitrep check` reports: the content ([`lint`]), and the
/// project's templates and `static/` checked as `build` checks them (links
/// out, names, collisions with generated files), with one page of every
/// kind rendered, so a template that fails does so here, not at build.
pub fn check_project(root: &Path) -> Report {
    let (validated, mut report) = lint(root, None);
    let project = |message: String| {
        // Template and static errors name their file first.
        let (file, message) = match message.split_once(": ") {
            Some((file, rest)) if file.starts_with("templates") || file.starts_with("static") => {
                (file.to_string(), rest.to_string())
            }
            Some((file, rest)) if file.starts_with("template ") => {
                (format!("templates/{}", &file["template ".len()..]), rest.to_string())
            }
            _ => ("templates".to_string(), message),
        };
        Diagnostic::error(&file, (0, 0), message)
    };
    let Some(validated) = validated else {
        // The content has errors: its model cannot be made, but templates
        // and static files stand alone.
        if let Err(why) = render::load_templates(root).and_then(|_| render::assets(root).map(drop)) {
            report.diagnostics.push(project(why));
        }
        if let Err(e) = write::Statics::list(root) {
            report.diagnostics.push(project(e.to_string()));
        }
        report.diagnostics.sort();
        return report;
    };
    match Prepared::from_site(root, Site::build(validated, None)) {
        Ok(prepared) => {
            if let Err(why) = prepared.render_samples() {
                report.diagnostics.push(project(why));
            }
            std::mem::forget(prepared);
        }
        Err(BuildError::Template(why)) => report.diagnostics.push(project(why)),
        Err(_) => {}
    }
    report.diagnostics.sort();
    report
}

/// Why a build wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the content has {}", wording::count(.0.errors(), "error"))]
    Content(Report),
    /// A template that does not parse or render, or a file of `static/`
    /// that would replace a generated one: the project is wrong.
    #[error("{0}")]
    Template(String),
    /// A bad argument (`--base-url`).
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Write(#[from] write::WriteError),
}

/// The exit code of every outcome, in one place: 0 ok, 1 the project
/// (content, templates, static files) has errors, 2 usage or I/O.
pub mod exit {
    pub const OK: u8 = 0;
    pub const CONTENT_ERRORS: u8 = 1;
    pub const USAGE_OR_IO: u8 = 2;
}

impl BuildError {
    pub fn exit_code(&self) -> u8 {
        match self {
            BuildError::Content(_) | BuildError::Template(_) => exit::CONTENT_ERRORS,
            BuildError::Usage(_) | BuildError::Write(_) => exit::USAGE_OR_IO,
        }
    }
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

pub use routes::{Output, Page};

/// Everything rendering needs, prepared once: the model, the templates, and
/// what pages share (summaries as HTML, table rows). `build` renders every
/// page from it; `serve` renders pages from it on request.
pub struct Prepared {
    pub root: PathBuf,
    pub site: Site,
    pub tera: tera::Tera,
    pub shared: render::Shared,
    /// Files that are the same text whatever the data: assets (the
    /// project's or the built-in ones) and schemas, read and made once:
    /// their names (for [`routes::Routes`]) and, by position, their texts.
    fixed_names: Vec<String>,
    fixed: Vec<String>,
    /// The project's `static/`, checked and listed: `build` copies it,
    /// `serve` answers from it.
    pub statics: write::Statics,
    /// The search index, made once from the model when first needed
    /// (see [`routes::Routes::search`]).
    search: std::sync::OnceLock<search::Index>,
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
            records::HttpUrl::parse(url).map_err(|e| BuildError::Usage(format!("--base-url: {e}")))?;
            if url.contains(['?', '#']) {
                return Err(BuildError::Usage(format!(
                    "--base-url: `{url}` has a query or a fragment; every page's address is made by adding to it"
                )));
            }
        }
        let (site, report) = check(root, base_url, cache);
        let Some(site) = site else {
            return Err(BuildError::Content(report));
        };
        Ok((Prepared::from_site(root, site)?, report))
    }

    /// Prepares a checked site: templates, assets, `static/` (with the
    /// collision check), what pages share.
    pub fn from_site(root: &Path, site: Site) -> Result<Prepared, BuildError> {
        let tera = render::load_templates(root).map_err(BuildError::Template)?;
        let shared = render::Shared::new(&site);
        let (fixed_names, fixed) = render::assets(root)
            .map_err(BuildError::Template)?
            .into_iter()
            .map(|(name, text)| (name.to_string(), text))
            .chain(
                schema::all()
                    .into_iter()
                    .map(|(name, value)| (format!("schema/{name}"), schema::to_text(&value))),
            )
            .unzip();
        let statics = write::Statics::list(root).map_err(|e| BuildError::Template(e.to_string()))?;
        let prepared = Prepared {
            root: root.to_path_buf(),
            statics,
            site,
            tera,
            shared,
            fixed_names,
            fixed,
            search: std::sync::OnceLock::new(),
        };
        let collisions = prepared.routes().collisions(&prepared.statics.files);
        if let Some((file, generated)) = collisions.first() {
            return Err(BuildError::Template(format!(
                "static/{file}: this would replace the generated {generated}{}; rename or remove it in static/",
                match collisions.len() {
                    1 => String::new(),
                    n => format!(" (and {} more files of static/ collide)", n - 1),
                }
            )));
        }
        Ok(prepared)
    }
    pub fn renderer(&self) -> render::Renderer<'_> {
        render::Renderer::new(&self.site, &self.tera, &self.shared)
    }

    /// The table of the site's outputs.
    pub fn routes(&self) -> routes::Routes<'_> {
        routes::Routes::new(&self.site, &self.fixed_names, &self.search)
    }

    /// Renders one page's HTML.
    pub fn render(&self, renderer: &render::Renderer, page: Page) -> Result<String, String> {
        let at = self.routes().place(page);
        match page {
            Page::Home => renderer.home(&at),
            Page::NotFound => renderer.not_found(&at),
            Page::Search => renderer.search(&self.routes().search().facets, &at),
            Page::List(kind, n) => renderer.list(kind, n, &at),
            Page::Record(Kind::Incident, i) => renderer.incident(i, &at),
            Page::Record(Kind::Actor, i) => renderer.actor(i, &at),
            Page::Record(Kind::Target, i) => renderer.target(i, &at),
            Page::Record(Kind::Campaign, i) => renderer.campaign(i, &at),
            Page::Record(Kind::Note, i) => renderer.note(i, &at),
        }
    }

    /// Renders the first page of every kind (home, 404, search without
    /// its filters, each list, each kind's first record): what `check`
    /// does to find a template that fails at render time.
    pub fn render_samples(&self) -> Result<(), String> {
        let renderer = self.renderer();
        let routes = self.routes();
        renderer.search(&[], &routes.place(Page::Search))?;
        let mut pages = vec![Page::Home, Page::NotFound];
        for kind in Kind::ALL {
            pages.push(Page::List(kind, 1));
            if self.site.count(kind) > 0 {
                pages.push(Page::Record(kind, 0));
            }
        }
        pages
            .into_iter()
            .try_for_each(|page| self.render(&renderer, page).map(drop))
    }

    /// Writes a file that is not a page (exports, schemas, assets, …) into `w`.
    pub fn write_file(&self, file: routes::File, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        use routes::File;
        let site = &self.site;
        let text = |w: &mut dyn std::io::Write, t: &str| w.write_all(t.as_bytes());
        match file {
            File::Stix => export::stix::bundle(site, w),
            File::IncidentsJson => export::incidents_json(site, w),
            File::IncidentsCsv => export::incidents_csv(site, w),
            File::Feed => {
                let renderer = self.renderer();
                export::atom_feed(site, &|i| renderer.summary(i).map(str::to_string), w)
            }
            File::Robots => export::robots(site, w),
            File::Sitemap => export::sitemap(&self.routes().sitemap_urls(), w),
            File::NoJekyll => Ok(()),
            File::Cname => text(w, &format!("{}\n", site.cname.as_deref().unwrap_or_default())),
            File::Fixed(n) => text(w, &self.fixed[n]),
            File::Search(n) => text(w, &self.routes().search().files[n].1),
        }
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
    let routes = prepared.routes();
    // The search page waits for the index (it lists the filters); the index
    // is made beside the other pages and files.
    let pages: Vec<Page> = routes.pages().into_iter().filter(|&p| p != Page::Search).collect();
    // Pages and other files are independent: render them side by side, each
    // export as its own task (streamed to its file, never held whole), so no
    // export is the critical path.
    let files = routes.files();
    let results = std::sync::Mutex::new(Vec::new());
    let mut written = Ok(0);
    let mut facets = Ok(Vec::new());
    rayon::scope(|scope| {
        // The index is written as it is made, never held whole.
        scope.spawn(|_| {
            let lap = stopwatch("  ");
            facets = search::write(&prepared.site, &mut |path, text| staging.write(&path, text.as_bytes()));
            lap("search index");
        });
        for &file in &files {
            let (results, staging, prepared, routes) = (&results, &staging, &prepared, &routes);
            scope.spawn(move |_| {
                let result = staging.stream(routes.file_path(file), |w| prepared.write_file(file, w));
                results.lock().unwrap_or_else(|e| e.into_inner()).push(result);
            });
        }
        written = pages
            .par_iter()
            .map(|&page| {
                let html = prepared.render(&renderer, page).map_err(BuildError::Template)?;
                staging.write(&routes.place(page).file, html.as_bytes())?;
                Ok(1)
            })
            .sum::<Result<usize, BuildError>>();
    });
    let written = written? + 1;
    for result in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
        result?;
    }
    let at = routes.place(Page::Search);
    let html = renderer.search(&facets?, &at).map_err(BuildError::Template)?;
    staging.write(&at.file, html.as_bytes())?;
    prepared.statics.copy(&staging)?;
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
