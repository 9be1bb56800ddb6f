//! What `sitrep check` reports, and the checked content every other
//! command starts from: [`lint`] (load → parse → validate), [`check`]
//! (and the model), [`check_project`] (and the templates and `static/`,
//! as `build` would use them).

use std::path::Path;

use crate::diagnostics::{self, Diagnostic, Format, Severity};
use crate::model::Site;
use crate::prepare::Prepared;
use crate::render::TemplateError;
use crate::{guard, load, parse, render, validate, write};

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
pub(crate) fn stopwatch(indent: &'static str) -> impl Fn(&str) {
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
pub(crate) fn lint(root: &Path, cache: Option<&parse::ParseCache>) -> (Option<validate::Validated>, Report) {
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
pub(crate) fn check(root: &Path, base_url: Option<&str>, cache: Option<&parse::ParseCache>) -> (Option<Site>, Report) {
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
pub(crate) fn check_project(root: &Path) -> Report {
    let (validated, mut report) = lint(root, None);
    let mut problems: Vec<TemplateError> = Vec::new();
    match validated {
        Some(validated) => match Prepared::from_site(root, Site::build(validated, None)) {
            Ok(prepared) => {
                problems.extend(prepared.render_samples().err());
                std::mem::forget(prepared);
            }
            Err(e) => problems.push(e),
        },
        // The content has errors: its model cannot be made, but templates
        // and static files stand alone.
        None => {
            problems.extend(render::load_templates(root).and_then(|_| render::assets(root)).err());
            problems.extend(write::Statics::list(root).err().map(TemplateError::from));
        }
    }
    for problem in problems {
        let (file, why) = problem.place();
        report.diagnostics.push(Diagnostic::error(&file, (0, 0), why));
    }
    report.diagnostics.sort();
    report
}

#[cfg(test)]
mod properties;
