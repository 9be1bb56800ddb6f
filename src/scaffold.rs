//! `sitrep init DIR` (a new project) and `sitrep new KIND ID` (a new record).
//!
//! Both only ever create files: they refuse to overwrite anything.

use std::fs;
use std::path::{Path, PathBuf};

use crate::records::{Id, Kind};

/// Why a scaffold was refused.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("{0} already exists; sitrep does not overwrite it")]
    Exists(String),
    #[error("{0}")]
    BadId(String),
    #[error("{0} is a symbolic link that leads out of the project; sitrep does not write through it")]
    Link(String),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

/// Writes a new file at `base/rel`, creating its folders one by one. A
/// folder or file that already exists as a symbolic link is followed only
/// when it resolves inside `base`: a committed link (`.github` →
/// elsewhere) never makes sitrep write outside the project.
fn write_new(base: &Path, rel: &str, text: &str) -> Result<PathBuf, ScaffoldError> {
    let path = base.join(rel);
    let io = |at: &Path| {
        let at = at.display().to_string();
        move |source| ScaffoldError::Io { path: at, source }
    };
    // `base` is what the user named: made if need be, followed if a link.
    fs::create_dir_all(base).map_err(io(base))?;
    let real_base = fs::canonicalize(base).ok();
    let mut at = base.to_path_buf();
    for part in Path::new(rel).components() {
        at.push(part);
        let Ok(meta) = fs::symlink_metadata(&at) else {
            if at != path {
                fs::create_dir(&at).map_err(io(&at))?;
            }
            continue;
        };
        if at == path {
            return Err(ScaffoldError::Exists(path.display().to_string()));
        }
        if meta.file_type().is_symlink() {
            let inside = fs::canonicalize(&at)
                .ok()
                .zip(real_base.as_ref())
                .is_some_and(|(real, base)| real.starts_with(base));
            if !inside {
                return Err(ScaffoldError::Link(at.display().to_string()));
            }
        }
    }
    // `create_new` so that a file (or a link) appearing meanwhile is not
    // clobbered or followed either.
    use std::io::Write;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(io(&path))?;
    f.write_all(text.as_bytes()).map_err(io(&path))?;
    Ok(path)
}

/// What `init` did: the files it wrote, and those it found and kept.
pub struct Initialised {
    pub written: Vec<PathBuf>,
    pub kept: Vec<PathBuf>,
}

/// Creates a new project in `dir`: a new folder, an empty one, or an
/// existing repository that has no `content/` or `templates/` yet (a
/// README, a LICENSE, `.git`). Files that exist are kept, never overwritten.
/// Templates are not copied: a project uses the built-in ones (and gets
/// their fixes) until it overrides one.
pub fn init(dir: &Path) -> Result<Initialised, ScaffoldError> {
    for taken in ["content", "templates"] {
        if fs::symlink_metadata(dir.join(taken)).is_ok() {
            return Err(ScaffoldError::Exists(dir.join(taken).display().to_string()));
        }
    }
    let files: Vec<(String, &str)> = vec![
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
        (
            "templates/README.md".into(),
            include_str!("scaffold/templates-README.md"),
        ),
    ];
    let mut done = Initialised {
        written: Vec::new(),
        kept: Vec::new(),
    };
    for (rel, text) in files {
        let path = dir.join(&rel);
        if fs::symlink_metadata(&path).is_ok() {
            done.kept.push(path);
            continue;
        }
        done.written.push(write_new(dir, &rel, text)?);
    }
    Ok(done)
}

/// The kinds `sitrep new` knows, by the word used on the command line.
pub fn kind_of(word: &str) -> Option<Kind> {
    Kind::ALL.into_iter().find(|k| k.word() == word)
}

/// Writes `content/<kind>s/<id>.yaml` (or `.md`) from a commented template.
pub fn new_record(root: &Path, kind: Kind, id: &str) -> Result<PathBuf, ScaffoldError> {
    let id = Id::parse(id).map_err(ScaffoldError::BadId)?;
    let (ext, body) = match kind {
        Kind::Incident => ("yaml", INCIDENT),
        Kind::Actor => ("yaml", ACTOR),
        Kind::Target => ("yaml", TARGET),
        Kind::Campaign => ("yaml", CAMPAIGN),
        Kind::Note => ("md", NOTE),
    };
    let schema = kind.word();
    let rel = format!("content/{}/{id}.{ext}", kind.folder());
    // A record of this id in a sub-folder counts too (ids are unique across them).
    let folder = root.join("content").join(kind.folder());
    if folder.is_dir() {
        for entry in walkdir::WalkDir::new(&folder).into_iter().flatten() {
            if entry.path().file_stem().is_some_and(|s| s == id.as_str()) && entry.file_type().is_file() {
                return Err(ScaffoldError::Exists(entry.path().display().to_string()));
            }
        }
    }
    let body = if kind == Kind::Incident {
        let (started, from) = started_for(root, &id);
        let body = body.replace(
            "started: 2024-08-24/2024-08-25\n",
            &format!("started: {started}   # from {from}\n"),
        );
        match first_id(&root.join("content/targets")) {
            Some(t) => body.replace(
                "targets: [target-id]    # ids of content/targets/",
                &format!("targets: [{t}]    # replace with the ids of content/targets/ that were attacked"),
            ),
            None => body,
        }
    } else {
        body.to_string()
    };
    let text = if kind == Kind::Note {
        body
    } else {
        format!("# yaml-language-server: $schema=../../site/schema/{schema}.schema.json\n{body}")
    };
    write_new(root, &rel, &text)
}

/// The first record id in a folder (by name), so a new incident names a
/// target that exists and passes `check` until it is edited.
fn first_id(folder: &Path) -> Option<String> {
    walkdir::WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let name = e.file_name().to_str()?;
            let stem = name.strip_suffix(".yaml")?;
            (!stem.starts_with(['.', '_']) && Id::parse(stem).is_ok()).then(|| stem.to_string())
        })
        .next()
}

/// A `started` for a new incident that passes `check`: the date its id
/// begins with (`2022-10-10-…`, `2024-08-…`), else the project's `as_of`,
/// else a placeholder; and where it came from, for the comment.
fn started_for(root: &Path, id: &Id) -> (String, &'static str) {
    use crate::time::WrittenTime;
    let id = id.as_str();
    for len in [10, 7] {
        if let Some(prefix) = id.get(..len) {
            let dated = id.len() == len || id.as_bytes().get(len) == Some(&b'-');
            if dated && prefix.parse::<WrittenTime>().is_ok() {
                return (prefix.to_string(), "the id; write it as precisely as is known");
            }
        }
    }
    let as_of = fs::read_to_string(root.join("content/site.yaml"))
        .ok()
        .and_then(|text| serde_yaml::from_str::<serde_yaml::Value>(&text).ok())
        .and_then(|v| match v.get("as_of")? {
            serde_yaml::Value::String(s) => Some(s.clone()),
            serde_yaml::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|t| t.parse::<WrittenTime>().is_ok());
    match as_of {
        Some(t) => (t, "as_of in content/site.yaml; write when the attack began"),
        None => (
            "2024-08-24/2024-08-25".into(),
            "a placeholder; write when the attack began",
        ),
    }
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
