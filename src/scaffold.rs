//! `sitrep init DIR` (a new project) and `sitrep new KIND ID` (a new record).
//!
//! Both only ever create files: they refuse to overwrite anything.

use std::fs;
use std::path::{Path, PathBuf};

use crate::records::{Id, Kind};
use crate::render::{BUILTIN_CSS, BUILTIN_JS, BUILTIN_TEMPLATES};

/// Why a scaffold was refused.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("{0} already exists; sitrep does not overwrite it")]
    Exists(String),
    #[error("{0}")]
    BadId(String),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

fn write_new(path: &Path, text: &str) -> Result<(), ScaffoldError> {
    if path.exists() {
        return Err(ScaffoldError::Exists(path.display().to_string()));
    }
    let io = |source| ScaffoldError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io)?;
    }
    // `create_new` so that a file appearing meanwhile is not clobbered either.
    use std::io::Write;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io)?;
    f.write_all(text.as_bytes()).map_err(|source| ScaffoldError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Creates a new project in `dir`, which must not exist or be empty.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, ScaffoldError> {
    if dir.exists() && fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(ScaffoldError::Exists(format!(
            "{} (and it is not empty)",
            dir.display()
        )));
    }
    let mut files: Vec<(String, &str)> = vec![
        ("README.md".into(), include_str!("scaffold/README.md")),
        (".gitignore".into(), "/site\n"),
        (".github/workflows/check.yml".into(), include_str!("scaffold/check.yml")),
        (
            ".github/workflows/deploy.yml".into(),
            include_str!("scaffold/deploy.yml"),
        ),
        ("content/site.yaml".into(), include_str!("scaffold/example/site.yaml")),
        (
            "content/targets/example-agency.yaml".into(),
            include_str!("scaffold/example/target.yaml"),
        ),
        (
            "content/actors/example-collective.yaml".into(),
            include_str!("scaffold/example/actor.yaml"),
        ),
        (
            "content/campaigns/example-campaign.yaml".into(),
            include_str!("scaffold/example/campaign.yaml"),
        ),
        (
            "content/incidents/example-agency-ddos.yaml".into(),
            include_str!("scaffold/example/incident.yaml"),
        ),
        (
            "content/notes/about.md".into(),
            include_str!("scaffold/example/note.md"),
        ),
        ("templates/assets/style.css".into(), BUILTIN_CSS),
        ("templates/assets/table.js".into(), BUILTIN_JS),
    ];
    files.extend(
        BUILTIN_TEMPLATES
            .iter()
            .map(|(name, text)| (format!("templates/{name}"), *text)),
    );
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(&rel);
        write_new(&path, text)?;
        written.push(path);
    }
    Ok(written)
}

/// The kinds `sitrep new` knows, by the word used on the command line.
pub fn kind_of(word: &str) -> Option<Kind> {
    match word {
        "incident" => Some(Kind::Incident),
        "actor" => Some(Kind::Actor),
        "target" => Some(Kind::Target),
        "campaign" => Some(Kind::Campaign),
        "note" => Some(Kind::Note),
        _ => None,
    }
}

/// Writes `content/<kind>s/<id>.yaml` (or `.md`) from a commented template.
pub fn new_record(root: &Path, kind: Kind, id: &str) -> Result<PathBuf, ScaffoldError> {
    let id = Id::parse(id).map_err(ScaffoldError::BadId)?;
    let (ext, schema, body) = match kind {
        Kind::Incident => ("yaml", "incident", INCIDENT),
        Kind::Actor => ("yaml", "actor", ACTOR),
        Kind::Target => ("yaml", "target", TARGET),
        Kind::Campaign => ("yaml", "campaign", CAMPAIGN),
        Kind::Note => ("md", "note", NOTE),
    };
    let path = root.join("content").join(kind.folder()).join(format!("{id}.{ext}"));
    // A record of this id in a sub-folder counts too (ids are unique across them).
    let folder = root.join("content").join(kind.folder());
    if folder.is_dir() {
        for entry in walkdir::WalkDir::new(&folder).into_iter().flatten() {
            if entry.path().file_stem().is_some_and(|s| s == id.as_str()) && entry.file_type().is_file() {
                return Err(ScaffoldError::Exists(entry.path().display().to_string()));
            }
        }
    }
    let text = if kind == Kind::Note {
        body.to_string()
    } else {
        format!("# yaml-language-server: $schema=../../site/schema/{schema}.schema.json\n{body}")
    };
    write_new(&path, &text)?;
    Ok(path)
}

const INCIDENT: &str = "\
# One incident. Times are as precise as the sources allow: 2024, 2024-08,
# 2024-08-25, 2024-08-25T14, 2024-08-25T14:30 (site timezone) or with Z / +02:00.
# Where only a range is known, write an interval: 2024-08-24/2024-08-25
# (\"over the weekend\"), 2024-08-26T12/2024-08-26T17 (\"Monday afternoon\"),
# or 2024-08-25T20/.. (\"at 20:00 or later\", up to as_of).
title: What happened, in a line
summary: One paragraph of Markdown.
# campaign: campaign-id
attack: [ddos]          # ddos defacement data-leak ransomware intrusion phishing other
targets: [target-id]    # ids of content/targets/
actors: []              # - actor: actor-id
                        #   basis: announced | claimed | attributed | suspected
                        #   confidence: medium   # 0-100, or low | medium | high
                        #   source: source-id    # who says so
                        #   at: 2024-08-25       # when it was said
# impact: unknown       # outage | degraded | none | unknown (claimed, not verified);
                        # default: outage with a `down` observation or `ended`, else unknown
started: 2024-08-24/2024-08-25
# ended: 2024-08-26     # leave out while not known to have ended
observations: []        # - at: 2024-08-26T12/2024-08-26T17
                        #   state: down | up
                        #   source: source-id
sources:
  - id: source-id
    title: Title of the article
    publisher: Who published it
    # url: https://…
    # published: 2024-08-26
tags: []
";

const ACTOR: &str = "\
name: The name the actor is best known by
aliases: []
kind: hacktivist        # hacktivist criminal state unknown
# country: RU
description: Markdown.
links: []               # http(s) pages about the actor
relations: []           # - actor: other-actor-id
                        #   kind: same-as | part-of | allied-with
                        #   url: https://… (the source that says so)
";

const TARGET: &str = "\
name: The organisation or service
# url: https://…
sector: government
country: FR
description: Markdown.
";

const CAMPAIGN: &str = "\
name: The campaign name
hashtags: []            # without #
summary: Markdown.
trigger: What set it off, in Markdown.
";

const NOTE: &str = "\
---
title: The note title
date: 2024-08-26
about: []               # incidents/<id>, actors/<id>, targets/<id>, campaigns/<id>
---
The analysis, in Markdown.
";
