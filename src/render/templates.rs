//! Templates: the built-in ones compiled in, overridden by the project's
//! `templates/` (read through [`crate::guard`]), Tera's settings and filters.

use std::path::Path;

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
pub fn assets(root: &Path) -> Result<[(&'static str, String); 3], String> {
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
        ("assets/search.js", read("search.js", BUILTIN_SEARCH_JS)?),
    ])
}
