//! `check` reports each problem once, at its cause: a record whose file has
//! an error still exists for the references to it (part of the issue on
//! finding every problem in one run).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;

use crate::common::{self, *};

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

// ---- errors ----

#[test]
fn every_invalid_fixture_reports_exactly_its_errors() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let root = repo().join("tests/fixtures/invalid");
    let mut cases: Vec<PathBuf> = fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 25);
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let dir = fixture(&format!("invalid/{name}"));
        let (code, stdout, stderr) =
            stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(dir.path()));
        assert_eq!(code, 1, "{name}: exit code; stderr: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        let expected_file = case.join("expected.github");
        if update {
            fs::write(&expected_file, &stdout).unwrap();
        }
        let expected = fs::read_to_string(&expected_file).unwrap_or_default();
        assert_eq!(stdout, expected, "{name}: check output differs from expected.github");
        // `build` fails the same way and writes nothing.
        let (code, _, stderr) = stdout_of(sitrep().args(["build", "--root"]).arg(dir.path()));
        assert_eq!(code, 1, "{name}: build exit code");
        assert!(!dir.path().join("site").exists(), "{name}: build wrote a site");
        assert!(stderr.contains("nothing was written"), "{name}: {stderr}");
    }
}

#[test]
fn human_format_shows_the_line_a_caret_and_a_hint() {
    let dir = fixture("invalid/unknown-key");
    let (code, stdout, _) = stdout_of(sitrep().args(["check", "--root"]).arg(dir.path()));
    assert_eq!(code, 1);
    assert!(
        stdout.contains("content/incidents/i.yaml:8:1: error: unknown key `strated`"),
        "{stdout}"
    );
    assert!(stdout.contains("8 | strated: 2024-08-25"), "{stdout}");
    assert!(stdout.contains("  | ^^^^^^^"), "{stdout}");
    assert!(stdout.contains("help: did you mean `started`?"), "{stdout}");
}

#[test]
fn json_format_is_an_array_of_problems() {
    let dir = fixture("invalid/several-files");
    let (code, stdout, _) = stdout_of(sitrep().args(["check", "--format", "json", "--root"]).arg(dir.path()));
    assert_eq!(code, 1);
    let problems: Value = serde_json::from_str(&stdout).unwrap();
    let problems = problems.as_array().unwrap();
    let errors: Vec<(&str, u64)> = problems
        .iter()
        .filter(|p| p["severity"] == "error")
        .map(|p| (p["file"].as_str().unwrap(), p["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        errors,
        [
            ("content/actors/b.yaml", 2),
            ("content/incidents/i.yaml", 3),
            ("content/incidents/j.yaml", 2),
            ("content/targets/u.yaml", 1)
        ]
    );
}

#[test]
fn clean_content_checks_with_exit_zero() {
    let dir = fixture("valid/time-rules");
    let (code, stdout, _) = stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(dir.path()));
    assert_eq!(code, 0, "{stdout}");
    assert!(!dir.path().join("site").exists(), "check wrote a site");
}

#[test]
fn usage_errors_exit_two() {
    sitrep().arg("frobnicate").assert().code(2);
    sitrep()
        .args(["check", "--root", "/nonexistent/sitrep"])
        .assert()
        .code(2);
}

#[test]
fn warnings_do_not_fail_check_and_odd_files_are_errors_not_panics() {
    // The example has sources without a URL: warnings, exit 0.
    let dir = fixture("example");
    let (code, out, _) = stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(dir.path()));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("::warning file=content/incidents/2024/ansm-ddos.yaml,line=31,col=9::source `scmedia` has no url"),
        "{out}"
    );

    let dir = fixture("valid/time-rules");
    let c = dir.path().join("content");
    // Longer than a year: legal, but suspicious.
    fs::write(c.join("incidents/long.yaml"), "title: Long\nattack: [ddos]\ntargets: [t1]\nstarted: 2020-01-01\nended: 2024-01-01\nsources:\n  - id: s\n    url: https://example.org/\n").unwrap();
    let (code, out, _) = stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(dir.path()));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("::warning file=content/incidents/long.yaml,line=4,col=10::this incident lasted more than a year"),
        "{out}"
    );
    // A folder named like a record, and a dangling symlink: errors for those files, the run goes on.
    fs::create_dir(c.join("incidents/folder.yaml")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(c.join("nowhere.yaml"), c.join("incidents/dangling.yaml")).unwrap();
    fs::write(c.join("incidents/bad-one.yaml"), "title: [\n").unwrap();
    let (code, out, err) = stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(dir.path()));
    assert_eq!(code, 1, "{out}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        out.contains("file=content/incidents/folder.yaml,line=1,col=1::this is a folder"),
        "{out}"
    );
    #[cfg(unix)]
    assert!(
        out.contains("file=content/incidents/dangling.yaml,line=1,col=1::this symbolic link cannot be followed"),
        "{out}"
    );
    assert!(
        out.contains("file=content/incidents/bad-one.yaml,line=1,col=8"),
        "{out}"
    );
}

#[test]
fn check_finds_what_build_refuses_in_templates_and_static() {
    let cases: [(&str, &str, &str); 4] = [
        (
            "templates/incident.html",
            "{% extends \"base.html\" %}{% block content %}{{ nope.x }}{% endblock %}",
            "incident.html",
        ),
        ("templates/base.html", "{% block content %}", "base.html"),
        ("static/feed.xml", "<feed/>", "static/feed.xml"),
        ("static/Incidents.json", "[]", "static/Incidents.json"),
    ];
    for (file, text, named) in cases {
        let (_dir, root, _) = project();
        fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
        fs::write(root.join(file), text).unwrap();
        let (code, _, err) = build(&root, &[]);
        assert_eq!(code, 1, "{file}: build {err}");
        let (code, said) = check(&root);
        assert_eq!(code, 1, "{file}: check passed what build refuses: {said}");
        assert!(said.contains(named), "{file}: {said}");
        let (_, out, _) = stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(&root));
        assert!(
            out.contains(&format!("::error file={}/", file.split('/').next().unwrap())),
            "{out}"
        );
    }
}

/// A failing incident of `n` list entries, of each shape that once made
/// `check` quadratic: a block list beside a misspelt key, a list of
/// mappings with one bad entry, a flow list of ids nobody has.
fn failing_files(root: &Path, n: usize) {
    let dir = root.join("content/incidents");
    let head = "title: Many\nattack: [ddos]\ntargets: [t1]\nstarted: 2024-08-25\n";
    let tags: String = (0..n).map(|i| format!("  - t{i}\n")).collect();
    write_incident(root, "tags.yaml", &format!("{head}tags:\n{tags}bogus: 1\n"));
    let observations: String = (0..n / 2)
        .map(|i| {
            format!(
                "  - at: 2024-08-25\n    state: {}\n",
                if i == 5 { "sideways" } else { "down" }
            )
        })
        .collect();
    write_incident(
        root,
        "observations.yaml",
        &format!("{head}observations:\n{observations}"),
    );
    let ids: Vec<String> = (0..n / 2).map(|i| format!("t{i}")).collect();
    fs::write(
        dir.join("flow.yaml"),
        format!(
            "title: Many\nattack: [ddos]\ntargets: [{}]\nstarted: 2024-08-25\n",
            ids.join(", ")
        ),
    )
    .unwrap();
}

#[test]
fn check_is_near_linear_in_a_failing_file() {
    // The fastest of three runs, for inputs 4x apart: a linear `check`
    // takes about 4x as long, a quadratic one 16x. The bound leaves room
    // for a noisy machine, not for a square.
    let time = |n: usize| {
        let (_dir, root, _) = project();
        failing_files(&root, n);
        (0..3)
            .map(|_| {
                let started = Instant::now();
                let (code, _, _) = stdout_of(sitrep().args(["check", "--root"]).arg(&root));
                assert_eq!(code, 1);
                started.elapsed()
            })
            .min()
            .unwrap()
    };
    let small = time(3_000);
    let large = time(12_000);
    let ratio = large.as_secs_f64() / small.as_secs_f64();
    assert!(
        ratio < 9.0,
        "4x the input took {ratio:.1}x the time ({small:?} -> {large:?})"
    );
}
