//! Templates: the built-in ones compiled in, overridden by the project's
//! `templates/` (read through [`crate::guard`]), Tera's settings and filters.

use std::path::Path;
use std::sync::Arc;

use tera::Tera;

/// The built-in templates: name and text.
pub const BUILTIN_TEMPLATES: [(&str, &str); 17] = [
    ("base.html", include_str!("../../templates/base.html")),
    (
        "incident_table.html",
        include_str!("../../templates/incident_table.html"),
    ),
    ("incident_row.html", include_str!("../../templates/incident_row.html")),
    ("pager.html", include_str!("../../templates/pager.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("incident.html", include_str!("../../templates/incident.html")),
    ("incidents.html", include_str!("../../templates/incidents.html")),
    ("actor.html", include_str!("../../templates/actor.html")),
    ("actors.html", include_str!("../../templates/actors.html")),
    ("target.html", include_str!("../../templates/target.html")),
    ("targets.html", include_str!("../../templates/targets.html")),
    ("campaign.html", include_str!("../../templates/campaign.html")),
    ("campaigns.html", include_str!("../../templates/campaigns.html")),
    ("note.html", include_str!("../../templates/note.html")),
    ("notes.html", include_str!("../../templates/notes.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("search.html", include_str!("../../templates/search.html")),
];

/// The built-in stylesheet, written to `assets/style.css`.
pub const BUILTIN_CSS: &str = include_str!("../../templates/assets/style.css");
/// The built-in table script (sort and filter), written to `assets/table.js`.
pub const BUILTIN_JS: &str = include_str!("../../templates/assets/table.js");
/// The built-in search script, written to `assets/search.js`.
pub const BUILTIN_SEARCH_JS: &str = include_str!("../../templates/assets/search.js");

/// Why the project's templates, assets or `static/` cannot make the site.
#[derive(Clone, Debug, thiserror::Error)]
pub enum TemplateError {
    /// A template that fails to render: its name, and Tera's error.
    #[error("template {name}: {}", tera_error(source))]
    Render { name: String, source: Arc<tera::Error> },
    /// A file of the project (`templates/…`, `static/…`) that cannot be
    /// used, and why.
    #[error("{file}: {why}")]
    File { file: String, why: String },
    /// The templates as a set (one inherits from a template that is not
    /// there, …): Tera's error.
    #[error("{}", tera_error(.0))]
    Set(Arc<tera::Error>),
}

impl TemplateError {
    pub fn render(name: &str, source: tera::Error) -> TemplateError {
        TemplateError::Render {
            name: name.to_string(),
            source: Arc::new(source),
        }
    }

    fn file(file: impl Into<String>, why: impl std::fmt::Display) -> TemplateError {
        TemplateError::File {
            file: file.into(),
            why: why.to_string(),
        }
    }

    /// The project file it is about, and what is wrong with it: where
    /// `check` reports it.
    pub fn place(&self) -> (String, String) {
        match self {
            TemplateError::Render { name, source } => (format!("templates/{name}"), tera_error(source)),
            TemplateError::File { file, why } => (file.clone(), why.clone()),
            TemplateError::Set(e) => ("templates".into(), tera_error(e)),
        }
    }
}

/// A file of `static/` that cannot be published is the project's mistake,
/// as a template's is.
impl From<crate::write::WriteError> for TemplateError {
    fn from(e: crate::write::WriteError) -> TemplateError {
        match e {
            crate::write::WriteError::Static { path, why } => TemplateError::File { file: path, why },
            other => TemplateError::file("static", other),
        }
    }
}

/// Loads the built-in templates, then the project's overrides.
pub fn load_templates(root: &Path) -> Result<Tera, TemplateError> {
    let mut tera = Tera::default();
    let mut all: Vec<(String, String)> = BUILTIN_TEMPLATES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    let dir = root.join("templates");
    if std::fs::symlink_metadata(&dir).is_ok() {
        let folder = templates_folder(root)?;
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name().follow_links(false) {
            let entry = entry.map_err(|e| TemplateError::file("templates/", e))?;
            let path = entry.path();
            if entry.file_type().is_dir() || path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let name = crate::diagnostics::display_path(&dir, path);
            crate::guard::portable_name(&entry.file_name().to_string_lossy())
                .map_err(|why| TemplateError::file(format!("templates/{name}"), why))?;
            if let Some((other, _)) = all.iter().find(|(n, _)| n != &name && n.eq_ignore_ascii_case(&name)) {
                return Err(TemplateError::file(
                    format!("templates/{name}"),
                    format!("its name differs from {other} only in case: one file on Windows and macOS; rename it"),
                ));
            }
            let text = folder
                .read_walked(path, crate::load::MAX_FILE_BYTES)
                .and_then(|b| String::from_utf8(b).map_err(|_| crate::guard::Refused::NotUtf8))
                .map_err(|why| TemplateError::file(format!("templates/{name}"), why))?;
            match all.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = text,
                None => all.push((name, text)),
            }
        }
    }
    for (name, text) in &all {
        machine_reads(text).map_err(|why| TemplateError::file(format!("templates/{name}"), why))?;
    }
    tera.add_raw_templates(all).map_err(|e| {
        // Named first, as every other error of a project file is.
        let text = tera_error(&e);
        match text.strip_prefix("Failed to parse '").and_then(|r| r.split_once('\'')) {
            Some((name, _)) => TemplateError::file(format!("templates/{name}"), text),
            None => TemplateError::Set(Arc::new(e)),
        }
    })?;
    tera.register_filter("datetime", datetime_filter);
    // Tera registers `get_env` whatever its features; a template from a
    // pull request must not publish the CI's secrets, nor make the output
    // depend on the machine. Replaced, in case a call slips past the scan.
    for name in MACHINE_FUNCTIONS {
        tera.register_function(name, move |_: &std::collections::HashMap<String, tera::Value>| {
            Err(tera::Error::msg(format!(
                "{name}() is not available: templates see only the data"
            )))
        });
    }
    tera.autoescape_on(vec![".html", ".xml", ".svg"]);
    // Tera's default also escapes `/`, which makes every link unreadable in
    // a diff; `&<>"'` is what HTML text and quoted attributes need.
    tera.set_escape_fn(crate::escape::xml);
    Ok(tera)
}

/// Tera functions that read the machine (environment, clock, randomness):
/// the site must be the same bytes wherever it is built, and a template
/// from a pull request must not read the builder's secrets.
const MACHINE_FUNCTIONS: [&str; 3] = ["get_env", "now", "get_random"];

/// Refuses a template that calls one of [`MACHINE_FUNCTIONS`], before any
/// page is rendered (so `check` finds it even in a branch no page takes).
fn machine_reads(text: &str) -> Result<(), String> {
    for name in MACHINE_FUNCTIONS {
        let mut rest = text;
        while let Some(at) = rest.find(name) {
            let before = text.len() - rest.len() + at;
            let is_word_start = text[..before]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
            rest = &rest[at + name.len()..];
            if is_word_start && rest.trim_start().starts_with('(') {
                let line = text[..before].matches('\n').count() + 1;
                return Err(format!(
                    "line {line}: {name}() reads the machine that builds the site (its environment, clock or randomness), \
                     which templates may not: the site must be the same whoever builds it, and must not publish the builder's secrets; \
                     use a value of site.yaml instead"
                ));
            }
        }
    }
    Ok(())
}

/// `{{ t | datetime }}`: a written time as an HTML `datetime` value
/// ([`crate::time::WrittenTime::html_datetime`]), so that
/// `<time datetime="{{ t | datetime }}">{{ t }}</time>` is valid HTML for
/// every form of docs/format.md ("Times") (`2024-08-25T14` is not a valid `<time>` text).
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
fn tera_error(e: &tera::Error) -> String {
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
fn templates_folder(root: &Path) -> Result<crate::guard::Project, TemplateError> {
    crate::guard::Project::new(root)
        .map_err(|e| TemplateError::file("templates/", crate::guard::reason(&e)))?
        .folder("templates")
        .map_err(|why| TemplateError::file("templates/", why))
}

/// The assets: the project's `templates/assets/<name>` if present, else the
/// built-in. One that is there but cannot be read (a link out of the
/// project, a pipe) is an error, not a silent fall-back.
pub fn assets(root: &Path) -> Result<[(&'static str, String); 3], TemplateError> {
    let dir = root.join("templates/assets");
    let folder = if std::fs::symlink_metadata(&dir).is_ok() {
        Some(templates_folder(root)?)
    } else {
        None
    };
    let read = |name: &str, builtin: &str| -> Result<String, TemplateError> {
        let path = dir.join(name);
        match &folder {
            Some(folder) if std::fs::symlink_metadata(&path).is_ok() => folder
                .read_text(&path, crate::load::MAX_FILE_BYTES)
                .map_err(|why| TemplateError::file(format!("templates/assets/{name}"), why)),
            _ => Ok(builtin.to_string()),
        }
    };
    Ok([
        ("assets/style.css", read("style.css", BUILTIN_CSS)?),
        ("assets/table.js", read("table.js", BUILTIN_JS)?),
        ("assets/search.js", read("search.js", BUILTIN_SEARCH_JS)?),
    ])
}
