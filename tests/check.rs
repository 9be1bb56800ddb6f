//! `check` reports each problem once, at its cause: a record whose file has
//! an error still exists for the references to it (part of the issue on
//! finding every problem in one run).

mod common;

use std::fs;

use common::{fixture, sitrep, stdout_of};

#[test]
fn an_unreadable_record_is_still_there_for_its_references() {
    let dir = fixture("valid/claims");
    let c = dir.path().join("content");
    // Not UTF-8: the file cannot even be read, but its name says it is target t-a.
    fs::write(c.join("targets/t-a.yaml"), b"name: Caf\xe9\n").unwrap();
    // A bad field: actor rcat cannot be built, but it exists.
    fs::write(c.join("actors/rcat.yaml"), "name: RCAT\nkind: hacker\n").unwrap();
    let (code, out, _) = stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(dir.path()));
    assert_eq!(code, 1, "{out}");
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(errors.len(), 2, "{out}");
    assert!(
        errors.iter().any(|e| e.contains("file=content/targets/t-a.yaml")),
        "{out}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("file=content/actors/rcat.yaml") && e.contains("hacker")),
        "{out}"
    );
    // Incidents naming t-a and rcat, relations and notes about rcat: no cascade.
    assert!(!out.contains("no target has the id"), "{out}");
    assert!(!out.contains("no actor has the id"), "{out}");
    assert!(!out.contains("does not exist"), "{out}");
}

/// A project of one incident on one target, in `timezone`.
fn one_incident_in(timezone: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("content");
    for folder in ["incidents", "targets"] {
        fs::create_dir_all(c.join(folder)).unwrap();
    }
    let site = format!("title: T\nbase_url: https://example.org/\ntimezone: {timezone}\n");
    fs::write(c.join("site.yaml"), site).unwrap();
    fs::write(c.join("targets/t.yaml"), "name: T\n").unwrap();
    let incident = "title: I\nattack: [ddos]\ntargets: [t]\nstarted: 2024-08-25T14:00\n\
        sources:\n  - id: s\n    title: S\n    url: https://example.org/s\n";
    fs::write(c.join("incidents/i.yaml"), incident).unwrap();
    dir
}

#[test]
fn an_old_fixed_offset_zone_name_is_a_warning_that_says_why() {
    let dir = one_incident_in("EST");
    let (code, out, err) = stdout_of(sitrep().args(["check", "--root"]).arg(dir.path()));
    assert_eq!(code, 0, "a warning does not fail check: {out}");
    assert!(
        out.contains("site.yaml:3:11: warning: `EST` is an old IANA name"),
        "{out}"
    );
    assert!(out.contains("no daylight saving at all"), "{out}");
    assert!(out.contains("help: write America/New_York"), "{out}");
    assert!(err.contains("0 errors, 1 warning\n"), "{err}");
    // A city's zone, even under an old alias, is not warned about.
    let dir = one_incident_in("US/Eastern");
    let (code, out, _) = stdout_of(sitrep().args(["check", "--root"]).arg(dir.path()));
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("warning"), "{out}");
}

#[test]
fn every_mistake_of_a_file_is_one_annotation_in_every_format() {
    let dir = fixture("invalid/many-mistakes");
    let run = |format: &str| stdout_of(sitrep().args(["check", "--format", format, "--root"]).arg(dir.path()));
    let (code, github, _) = run("github");
    assert_eq!(code, 1);
    let annotations = github.lines().filter(|l| l.starts_with("::error")).count();
    // 15 in the incident i, 3 in j, 3 in the note: each once, at its own line.
    assert_eq!(annotations, 21, "{github}");
    let (_, json, _) = run("json");
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    let list = parsed.as_array().or_else(|| parsed["diagnostics"].as_array()).unwrap();
    assert_eq!(
        list.iter().filter(|d| d["severity"] == "error").count(),
        annotations,
        "{json}"
    );
    let (_, human, stderr) = run("human");
    assert_eq!(human.matches(": error: ").count(), annotations, "{human}");
    assert!(stderr.contains("21 errors, 0 warnings"), "{stderr}");
    // The caret covers the whole offending value: a list, a time with spaces.
    assert!(
        human.contains("2 | summary: [one, two]\n  |          ^^^^^^^^^^\n"),
        "{human}"
    );
    assert!(
        human.contains("13 | ended: 2024-08-26T14:30 CEST\n   |        ^^^^^^^^^^^^^^^^^^^^^\n"),
        "{human}"
    );
    // The record with mistakes still names what it references: a target
    // that does not exist is reported, an actor that exists is not.
    assert!(human.contains("no target has the id `ghost`"), "{human}");
    assert!(!human.contains("no actor has the id `a`"), "{human}");
}

#[test]
fn a_title_cut_by_a_comment_is_a_warning_with_the_quoted_title() {
    let dir = one_incident_in("UTC");
    let file = dir.path().join("content/incidents/i.yaml");
    let text = fs::read_to_string(&file)
        .unwrap()
        .replace("title: I", "title: We are #1 today");
    fs::write(&file, text).unwrap();
    let (code, out, _) = stdout_of(sitrep().args(["check", "--root"]).arg(dir.path()));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("warning: `#` starts a comment here: the title reads only `We are`"),
        "{out}"
    );
    assert!(
        out.contains(r#"help: if `#` is part of the title, quote it: `title: "We are #1 today"`"#),
        "{out}"
    );
    // A source's publisher too; a comment after any other value is a comment.
    let text = fs::read_to_string(&file)
        .unwrap()
        .replace("    title: S\n", "    title: S\n    publisher: Team #2\n")
        .replace(
            "started: 2024-08-25T14:00",
            "started: 2024-08-25T14:00 # seen on the Sunday",
        );
    fs::write(&file, text).unwrap();
    let (code, out, err) = stdout_of(sitrep().args(["check", "--root"]).arg(dir.path()));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("the publisher reads only `Team`"), "{out}");
    assert!(err.contains("0 errors, 2 warnings"), "{err}");
}

#[test]
fn a_site_file_with_a_mistake_still_gives_its_timezone_to_the_other_checks() {
    let dir = one_incident_in("Europe/Paris");
    let c = dir.path().join("content");
    let site = fs::read_to_string(c.join("site.yaml"))
        .unwrap()
        .replace("title: T", "titel: T");
    fs::write(c.join("site.yaml"), site).unwrap();
    // 02:30 on 31 March 2024 does not exist in Paris (it does in UTC).
    let incident = fs::read_to_string(c.join("incidents/i.yaml"))
        .unwrap()
        .replace("started: 2024-08-25T14:00", "started: 2024-03-31T02:30");
    fs::write(c.join("incidents/i.yaml"), incident).unwrap();
    let (code, out, _) = stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(dir.path()));
    assert_eq!(code, 1);
    assert!(
        out.contains("file=content/site.yaml,line=1,col=1::unknown key `titel`"),
        "{out}"
    );
    assert!(out.contains("does not exist in Europe/Paris"), "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with("::error")).count(), 2, "{out}");
}

/// Values that are wrong for each key, as people get them wrong.
const WRONG: &[(&str, &str)] = &[
    ("started", "25/08/2024"),
    ("ended", "2024-08-26T14:30 CEST"),
    ("at", "2024-13-01"),
    ("state", "dwn"),
    ("basis", "rumoured"),
    ("impact", "outrage"),
    ("url", "example.org/x"),
    ("confidence", "sure"),
    ("published", "yesterday"),
];

#[test]
fn every_mistake_put_into_the_example_incidents_is_reported_in_one_run_at_its_line() {
    let incidents = common::repo().join("content/incidents");
    let mut files: Vec<std::path::PathBuf> = walkdir::WalkDir::new(&incidents)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .map(|e| e.path().to_path_buf())
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    for file in files {
        let dir = tempfile::tempdir().unwrap();
        common::copy_dir(&common::repo().join("content"), &dir.path().join("content"));
        let rel = file
            .strip_prefix(common::repo())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let mut broken = Vec::new();
        let mut lines: Vec<String> = fs::read_to_string(&file).unwrap().lines().map(str::to_string).collect();
        for (n, line) in lines.iter_mut().enumerate() {
            let body = line.trim_start_matches([' ', '-']);
            let lead = line.len() - body.len();
            if let Some((key, wrong)) = WRONG.iter().find(|(k, _)| body.starts_with(&format!("{k}: "))) {
                *line = format!("{}{key}: {wrong}", &line[..lead]);
                broken.push(n + 1);
            }
        }
        lines.push("strated: 2024".into());
        broken.push(lines.len());
        fs::write(dir.path().join(&rel), lines.join("\n") + "\n").unwrap();
        let (code, out, stderr) = stdout_of(sitrep().args(["check", "--format", "json", "--root"]).arg(dir.path()));
        assert_eq!(code, 1, "{rel}: {stderr}");
        let all: serde_json::Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<&serde_json::Value> = all
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error")
            .collect();
        let lines_hit: Vec<usize> = errors.iter().map(|d| d["line"].as_u64().unwrap() as usize).collect();
        // Each mistake once, at its line, and nothing else: no cascade into
        // other files, no error that follows from another.
        assert_eq!(lines_hit, broken, "{rel}: {out}");
        assert!(errors.iter().all(|d| d["file"] == rel.as_str()), "{rel}: {out}");
    }
}
