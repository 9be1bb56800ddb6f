//! `sitrep build`: every output of the prepared site, rendered side by
//! side and written atomically through [`write`].

use std::path::Path;

use rayon::prelude::*;

use crate::check::{stopwatch, Report};
use crate::prepare::Prepared;
use crate::render::TemplateError;
use crate::routes::Page;
use crate::{search, wording, write};

/// Why a build wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the content has {}", wording::count(.0.errors(), "error"))]
    Content(Report),
    /// A template that does not parse or render, or a file of `static/`
    /// that cannot be published: the project is wrong.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A bad argument (`--base-url`).
    #[error("{0}")]
    Usage(String),
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

/// Builds the site of `root` into `out`, atomically.
/// `force` lets a non-empty folder that sitrep did not write be replaced.
pub(crate) fn build(root: &Path, out: &Path, base_url: Option<&str>, force: bool) -> Result<Built, BuildError> {
    let dest = write::check_output_folder(out, root, force)?;
    let lap = stopwatch("");
    let (prepared, report) = Prepared::new(root, base_url, None)?;
    lap("checked and prepared");
    let staging = write::Staging::begin(&dest)?;
    let renderer = prepared.renderer();
    renderer.prepare_all()?;
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
            facets = prepared
                .search_index(&mut |path, text| staging.write(&path, text.as_bytes()).map_err(std::io::Error::other));
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
                let html = prepared.render(&renderer, page, &[])?;
                staging.write(&routes.place(page).file, html.as_bytes())?;
                Ok(1)
            })
            .sum::<Result<usize, BuildError>>();
    });
    let written = written? + 1;
    for result in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
        result?;
    }
    // The staging's own error comes back as it was; anything else (the
    // index's JSON) is an error of the index's folder.
    let facets = facets.map_err(|e| match e.downcast::<write::WriteError>() {
        Ok(e) => e,
        Err(e) => write::WriteError::Io {
            path: search::FOLDER.into(),
            source: e,
        },
    })?;
    let html = prepared.render(&renderer, Page::Search, &facets)?;
    staging.write(&routes.place(Page::Search).file, html.as_bytes())?;
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
