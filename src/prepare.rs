//! The checked site made ready to render: the model, the templates, the
//! assets, `static/` listed, and what pages share. [`Prepared`] is where
//! every output is made, once: `build` writes them all, `serve` answers
//! each from the same methods.

use std::io;
use std::path::{Path, PathBuf};

use crate::build::BuildError;
use crate::check::Report;
use crate::model::Site;
use crate::records::Kind;
use crate::render::TemplateError;
use crate::routes::{File, Page};
use crate::search::Facet;
use crate::{check, export, parse, records, render, routes, schema, search, write};

/// Everything rendering needs, prepared once: the model, the templates, and
/// what pages share (summaries as HTML, table rows). `build` renders every
/// page from it; `serve` renders pages from it on request.
pub struct Prepared {
    pub root: PathBuf,
    pub site: Site,
    tera: tera::Tera,
    shared: render::Shared,
    /// Files that are the same text whatever the data: assets (the
    /// project's or the built-in ones) and schemas, read and made once:
    /// their names (for [`routes::Routes`]) and, by position, their texts.
    fixed_names: Vec<String>,
    fixed: Vec<String>,
    /// The project's `static/`, checked and listed: `build` copies it,
    /// `serve` answers from it.
    pub statics: write::Statics,
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
    /// `cache` is [`check::check`]'s.
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
        let (site, report) = check::check(root, base_url, cache);
        let Some(site) = site else {
            return Err(BuildError::Content(report));
        };
        Ok((Prepared::from_site(root, site).map_err(BuildError::Template)?, report))
    }

    /// Prepares a checked site: templates, assets, `static/` (with the
    /// collision check), what pages share.
    pub fn from_site(root: &Path, site: Site) -> Result<Prepared, TemplateError> {
        let tera = render::load_templates(root)?;
        let shared = render::Shared::new(&site);
        let (fixed_names, fixed) = render::assets(root)?
            .into_iter()
            .map(|(name, text)| (name.to_string(), text))
            .chain(
                schema::all()
                    .into_iter()
                    .map(|(name, value)| (format!("schema/{name}"), schema::to_text(&value))),
            )
            .unzip();
        let statics = write::Statics::list(root)?;
        let prepared = Prepared {
            root: root.to_path_buf(),
            statics,
            site,
            tera,
            shared,
            fixed_names,
            fixed,
        };
        let collisions = prepared.routes().collisions(&prepared.statics.files);
        if let Some((file, generated)) = collisions.first() {
            return Err(TemplateError::File {
                file: format!("static/{file}"),
                why: format!(
                    "this would replace the generated {generated}{}; rename or remove it in static/",
                    match collisions.len() {
                        1 => String::new(),
                        n => format!(" (and {} more files of static/ collide)", n - 1),
                    }
                ),
            });
        }
        Ok(prepared)
    }

    pub fn renderer(&self) -> render::Renderer<'_> {
        render::Renderer::new(&self.site, &self.tera, &self.shared)
    }

    /// The table of the site's outputs.
    pub fn routes(&self) -> routes::Routes<'_> {
        routes::Routes::new(&self.site, &self.fixed_names)
    }

    /// Renders one page's HTML. The search page lists the index's filters,
    /// `facets` (what [`Prepared::search_index`] returned).
    pub fn render(&self, renderer: &render::Renderer, page: Page, facets: &[Facet]) -> Result<String, TemplateError> {
        let at = self.routes().place(page);
        match page {
            Page::Home => renderer.home(&at),
            Page::NotFound => renderer.not_found(&at),
            Page::Search => renderer.search(facets, &at),
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
    pub fn render_samples(&self) -> Result<(), TemplateError> {
        let renderer = self.renderer();
        let mut pages = vec![Page::Home, Page::NotFound, Page::Search];
        for kind in Kind::ALL {
            pages.push(Page::List(kind, 1));
            if self.site.count(kind) > 0 {
                pages.push(Page::Record(kind, 0));
            }
        }
        pages
            .into_iter()
            .try_for_each(|page| self.render(&renderer, page, &[]).map(drop))
    }

    /// Makes the search index, the one output whose file names come from
    /// the data, and hands each file (its path inside the site, its text)
    /// to `out` as it is made: `build` streams them to disk, `serve` keeps
    /// them. Returns the filters, for the search page.
    pub fn search_index(&self, out: &mut dyn FnMut(String, String) -> io::Result<()>) -> io::Result<Vec<Facet>> {
        search::write(&self.site, out)
    }

    /// Writes a file that is not a page (exports, schemas, assets, …) into `w`.
    pub fn write_file(&self, file: File, w: &mut dyn io::Write) -> io::Result<()> {
        let exporter: export::Exporter = match file {
            File::Stix => export::stix::bundle,
            File::IncidentsJson => export::json::incidents_json,
            File::IncidentsCsv => export::csv::incidents_csv,
            File::Feed => export::atom::atom_feed,
            File::Robots => export::sitemap::robots,
            File::Sitemap => export::sitemap::sitemap,
            File::NoJekyll => export::nothing,
            File::Cname => export::cname,
            // The same text whatever the data: made once, in `from_site`.
            File::Fixed(n) => return w.write_all(self.fixed[n].as_bytes()),
        };
        let renderer = self.renderer();
        let input = export::Input {
            site: &self.site,
            routes: &self.routes(),
            summary: &|i| renderer.summary(i).map(str::to_string),
        };
        exporter(&input, w)
    }
}
