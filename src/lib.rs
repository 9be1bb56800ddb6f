//! sitrep: incident records and notes in, a static site out.
//!
//! The pipeline, one module per stage:
//! [`load`] (walk `content/`) → [`parse`] (YAML, front matter) →
//! [`validate`] (references, time contradictions) → [`model`] (the resolved
//! site, with [`bounds`] of every outage) → [`render`] (Markdown, Tera,
//! [`timeline`], [`export`]) → [`write`] (atomic output).
//! The time model of SPEC §3 lives in [`time`] and [`bounds`]; its wording in
//! [`wording`].

pub mod bounds;
pub mod charts;
pub mod diagnostics;
pub mod diff;
pub mod escape;
pub mod export;
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

use std::collections::BTreeMap;
use std::path::Path;

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

    /// Renders every diagnostic; source lines are read from `root`.
    pub fn render(&self, root: &Path, format: Format) -> String {
        let mut sources = BTreeMap::new();
        if format == Format::Human {
            for d in &self.diagnostics {
                if d.line > 0 && !sources.contains_key(&d.file) {
                    if let Ok(text) = std::fs::read_to_string(root.join(&d.file)) {
                        sources.insert(d.file.clone(), text);
                    }
                }
            }
        }
        diagnostics::render(&self.diagnostics, &sources, format)
    }
}

/// Loads and validates a project; the site model when there is no error.
pub fn check(root: &Path, base_url: Option<&str>) -> (Option<Site>, Report) {
    let timings = std::env::var_os("SITREP_TIMINGS").is_some();
    let clock = std::time::Instant::now();
    let lap = |what: &str| {
        if timings {
            eprintln!("  {what}: {} ms", clock.elapsed().as_millis());
        }
    };
    let mut diagnostics = Vec::new();
    let loaded = load::load(root, &mut diagnostics);
    lap("load");
    let content = parse::parse(loaded, &mut diagnostics);
    lap("parse");
    let validated = validate::validate(content, &mut diagnostics);
    lap("validate");
    diagnostics.sort();
    diagnostics.dedup();
    let site = validated.map(|v| Site::build(v, base_url));
    lap("model");
    (site, Report { diagnostics })
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
    pub report: Report,
    pub pages: usize,
    pub incidents: usize,
}

/// Builds the site of `root` into `out`, atomically.
pub fn build(root: &Path, out: &Path, base_url: Option<&str>) -> Result<Built, BuildError> {
    if let Some(url) = base_url {
        records::HttpUrl::parse(url).map_err(|e| BuildError::Template(format!("--base-url: {e}")))?;
    }
    let dest = write::check_output_folder(out, root)?;
    let timings = std::env::var_os("SITREP_TIMINGS").is_some();
    let clock = std::time::Instant::now();
    let lap = |what: &str| {
        if timings {
            eprintln!("{what}: {} ms", clock.elapsed().as_millis());
        }
    };
    let (site, report) = check(root, base_url);
    lap("load, parse, validate, model");
    let Some(site) = site else {
        return Err(BuildError::Content(report));
    };
    let tera = render::load_templates(root).map_err(BuildError::Template)?;
    let staging = write::Staging::begin(&dest)?;
    let summaries = render::summaries(&site);
    let renderer = render::Renderer::new(&site, &tera, &summaries).map_err(BuildError::Template)?;

    // Every page, in a fixed order; rendered and written in parallel.
    #[derive(Clone, Copy)]
    enum Job {
        Home,
        List(Kind),
        IncidentListPage(usize),
        Record(Kind, usize),
        NotFound,
    }
    let mut jobs = vec![Job::Home, Job::NotFound];
    for kind in [Kind::Incident, Kind::Actor, Kind::Target, Kind::Campaign, Kind::Note] {
        jobs.push(Job::List(kind));
        if kind == Kind::Incident {
            jobs.extend((2..=renderer.incident_list_pages()).map(Job::IncidentListPage));
        }
        let n = match kind {
            Kind::Incident => site.incidents.len(),
            Kind::Actor => site.actors.len(),
            Kind::Target => site.targets.len(),
            Kind::Campaign => site.campaigns.len(),
            Kind::Note => site.notes.len(),
        };
        jobs.extend((0..n).map(|i| Job::Record(kind, i)));
    }
    // Pages and exports are independent: render them side by side.
    lap("templates, summaries");
    let (pages, exports) = rayon::join(
        || -> Result<Vec<String>, BuildError> {
            jobs.par_iter()
                .map(|job| {
                    let (path, html) = match *job {
                        Job::Home => renderer.home(),
                        Job::List(kind) => renderer.list(kind),
                        Job::IncidentListPage(n) => renderer.incident_list_page(n),
                        Job::Record(Kind::Incident, i) => renderer.incident(i),
                        Job::Record(Kind::Actor, i) => renderer.actor(i),
                        Job::Record(Kind::Target, i) => renderer.target(i),
                        Job::Record(Kind::Campaign, i) => renderer.campaign(i),
                        Job::Record(Kind::Note, i) => renderer.note(i),
                        Job::NotFound => renderer.not_found(),
                    }
                    .map_err(BuildError::Template)?;
                    staging.write(&path, html.as_bytes())?;
                    Ok(path)
                })
                .collect()
        },
        || -> Result<(), BuildError> {
            // Streamed to their files, one after the other: the big exports
            // are never held in memory whole, nor several at once.
            staging.stream("stix.json", |w| stix::bundle(&site, w))?;
            staging.stream("incidents.json", |w| export::incidents_json(&site, w))?;
            staging.stream("incidents.csv", |w| export::incidents_csv(&site, w))?;
            staging.stream("feed.xml", |w| export::atom_feed(&site, &summaries, w))?;
            staging.write("robots.txt", export::robots(&site).as_bytes())?;
            for (name, schema) in schema::all() {
                staging.write(&format!("schema/{name}"), schema::to_text(&schema).as_bytes())?;
            }
            for (name, text) in render::assets(root) {
                staging.write(name, text.as_bytes())?;
            }
            staging.write(".nojekyll", b"")?;
            if let Some(cname) = &site.cname {
                staging.write("CNAME", format!("{cname}\n").as_bytes())?;
            }
            Ok(())
        },
    );
    let pages = pages?;
    exports?;
    staging.write("sitemap.xml", export::sitemap(&site, &pages).as_bytes())?;
    write::copy_static(root, &staging)?;
    lap("pages and exports written");
    staging.commit()?;
    lap("committed");
    Ok(Built {
        report,
        pages: pages.len(),
        incidents: site.incidents.len(),
    })
}
