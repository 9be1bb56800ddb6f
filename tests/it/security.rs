//! Hostile pull requests, one test per class of attack: the real binary on
//! real folders, with canary files standing in for what must survive or
//! stay secret. No test touches a real system path.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::*;

// ---- the output folder ----

#[test]
fn a_committed_site_symlink_is_refused_and_its_target_kept() {
    let (_dir, root, outside) = project();
    std::os::unix::fs::symlink("../outside", root.join("site")).unwrap();
    let (code, _, err) = build(&root, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(fs::read_to_string(outside.join("keep.txt")).unwrap(), SECRET);
    // A link higher up that leaves the project is refused too.
    fs::remove_file(root.join("site")).unwrap();
    std::os::unix::fs::symlink("../outside", root.join("out")).unwrap();
    let (code, _, err) = build(&root, &["--out", root.join("out/site").to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("leads out of the project"), "{err}");
    assert_eq!(
        tree(&outside).len(),
        3,
        "nothing was added to or removed from the outside folder"
    );
}

#[test]
fn an_output_path_that_is_no_folder_or_a_foreign_folder_is_refused() {
    let (_dir, root, _) = project();
    let file = root.join("a-file");
    fs::write(&file, SECRET).unwrap();
    let fifo = root.join("a-fifo");
    mkfifo(&fifo);
    for (out, force) in [(&file, false), (&file, true), (&fifo, false), (&fifo, true)] {
        let mut args = vec!["--out", out.to_str().unwrap()];
        if force {
            args.push("--force");
        }
        let (code, _, err) = build(&root, &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("not a folder"), "{err}");
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), SECRET);
    assert!(fs::symlink_metadata(&fifo).is_ok_and(|m| !m.is_file() && !m.is_dir()));
    // A folder with someone's files and no marker: refused, then --force.
    let foreign = root.join("docs");
    fs::create_dir(&foreign).unwrap();
    fs::write(foreign.join("thesis.txt"), SECRET).unwrap();
    let (code, _, err) = build(&root, &["--out", foreign.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--force") && err.contains(".sitrep"), "{err}");
    assert_eq!(fs::read_to_string(foreign.join("thesis.txt")).unwrap(), SECRET);
    let (code, _, err) = build(&root, &["--out", foreign.to_str().unwrap(), "--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(foreign.join(".sitrep").is_file() && !foreign.join("thesis.txt").exists());
    // The site written is sitrep's from now on: no --force needed.
    let (code, _, err) = build(&root, &["--out", foreign.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_build_killed_between_its_renames_is_mended_by_the_next() {
    let (_dir, root, _) = project();
    let (code, _, err) = build(&root, &[]);
    assert_eq!(code, 0, "{err}");
    let before = tree(&root.join("site"));
    // What a build killed after its first rename leaves: the previous site
    // set aside, a finished staging folder, and no site.
    let dead = 4_194_000; // above any pid this machine hands out by default
    fs::rename(root.join("site"), root.join(format!(".site.sitrep-old-{dead}"))).unwrap();
    fs::create_dir(root.join(format!(".site.sitrep-new-{dead}"))).unwrap();
    fs::write(root.join(format!(".site.sitrep-new-{dead}/.sitrep")), "x").unwrap();
    // Broken content: this build fails, yet the previous site is back.
    let record = root.join("content/incidents/zulu-minutes.yaml");
    let good = fs::read_to_string(&record).unwrap();
    fs::write(&record, "title: [broken\n").unwrap();
    let (code, _, err) = build(&root, &[]);
    assert_eq!(code, 1, "{err}");
    fs::write(&record, good).unwrap();
    let (code, _, err) = build(&root, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("interrupted"), "{err}");
    assert_eq!(tree(&root.join("site")), before);
    let leftovers: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("sitrep-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

// ---- nothing from outside the project ----

/// Asserts the canary's text is nowhere in what a run printed or wrote.
fn assert_no_leak(root: &Path, out: &str, err: &str) {
    assert!(!out.contains(SECRET) && !err.contains(SECRET), "leaked: {out}{err}");
    if root.join("site").is_dir() {
        for (name, bytes) in tree(&root.join("site")) {
            assert!(
                !String::from_utf8_lossy(&bytes).contains(SECRET),
                "leaked into site/{name}"
            );
        }
    }
}

#[test]
fn symlinks_out_of_templates_static_and_content_are_errors_naming_the_link() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "templates/base.html",
            "../../outside/secret.html",
            "templates/base.html",
        ),
        ("templates", "../outside", "templates"),
        ("templates/assets/style.css", "../../../outside/keep.txt", "style.css"),
        ("static/leak.txt", "../../outside/keep.txt", "leak.txt"),
        ("static", "../outside", "static"),
        ("content/actors", "../../outside", "content/actors"),
    ];
    for (link, to, named) in cases {
        let (_dir, root, _) = project();
        let link_path = root.join(link);
        fs::create_dir_all(link_path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(to, &link_path).unwrap();
        let (code, out, err) = build(&root, &[]);
        assert_ne!(code, 0, "{link}: {err}");
        assert!(err.contains(named), "{link}: {err}");
        assert!(err.contains("outside"), "{link}: {err}");
        assert!(!root.join("site").exists(), "{link}: a site was written");
        assert_no_leak(&root, &out, &err);
        let (_, out, err) = stdout_of(sitrep().args(["check", "--root"]).arg(&root));
        assert_no_leak(&root, &out, &err);
    }
}

#[test]
fn a_named_pipe_in_an_input_folder_is_an_error_not_a_hang() {
    for at in [
        "content/incidents/pipe.yaml",
        "content/notes/pipe.md",
        "content/site.yaml",
        "static/pipe.txt",
    ] {
        let (_dir, root, _) = project();
        let path = root.join(at);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let _ = fs::remove_file(&path);
        mkfifo(&path);
        let started = Instant::now();
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sitrep"))
            .arg("build")
            .arg("--root")
            .arg(&root)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                panic!("{at}: sitrep waits on a named pipe");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        assert!(!status.success(), "{at}");
        let name = Path::new(at).file_name().unwrap().to_str().unwrap();
        assert!(err.contains("named pipe") && err.contains(name), "{at}: {err}");
    }
}

/// Peak memory of a `check` run in KiB, read from the kernel's record of
/// the child (`/proc/<pid>/status`, VmHWM) while it runs.
fn check_peak_kib(root: &Path) -> (u64, Duration, String) {
    let started = Instant::now();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sitrep"))
        .args(["check", "--format", "github", "--root"])
        .arg(root)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let mut out = String::new();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    while child.try_wait().unwrap().is_none() {
        if let Ok(status) = fs::read_to_string(&status_file) {
            if let Some(kb) = status.lines().find_map(|l| l.strip_prefix("VmHWM:")) {
                peak = peak.max(kb.trim().trim_end_matches(" kB").trim().parse().unwrap_or(0));
            }
        }
        // A runaway is stopped here, not left to eat the machine.
        if started.elapsed() > Duration::from_secs(30) || peak > 1024 * 1024 {
            let _ = child.kill();
            let _ = child.wait();
            panic!("check ran away: {peak} KiB after {:?}", started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    out.push_str(&reader.join().unwrap());
    (peak, started.elapsed(), out)
}

#[test]
fn alias_expansion_is_bounded_by_the_size_written() {
    let (_dir, root, _) = project();
    // 9 levels of 9 aliases: 387 million strings if expanded.
    let mut yaml = String::from("title: bomb\nattack: [ddos]\ntargets: [t]\nstarted: 2024-08-25\ntags: [&a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]");
    let names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    for pair in names.windows(2) {
        let refs: Vec<String> = (0..9).map(|_| format!("*{}", pair[0])).collect();
        yaml.push_str(&format!(", &{} [{}]", pair[1], refs.join(",")));
    }
    yaml.push_str("]\n");
    write_incident(&root, "bomb.yaml", &yaml);
    // Wide, not deep: one anchor of 20,000 strings and 20,000 aliases of it,
    // 120 KB that expand to 400 million strings. Each alias is one jump, so
    // a limit on alias jumps alone (the YAML library's) lets it through.
    let items = vec!["a"; 20_000].join(",");
    let aliases = vec!["*w"; 20_000].join(",");
    write_incident(
        &root,
        "wide.yaml",
        &format!("title: wide\nattack: [ddos]\ntargets: [t]\nstarted: 2024-08-25\nsources: []\ntags: [&w [{items}], {aliases}]\n"),
    );
    let (peak, took, out) = check_peak_kib(&root);
    for file in ["bomb", "wide"] {
        assert!(
            out.contains(&format!("file=content/incidents/{file}.yaml")) && out.contains("aliases expand"),
            "{file}: {out}"
        );
    }
    assert!(peak < 200 * 1024, "check peaked at {peak} KiB");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn nesting_a_hundred_thousand_deep_fails_fast_in_yaml_and_markdown() {
    let (_dir, root, _) = project();
    let deep = format!(
        "title: deep\nattack: [ddos]\ntargets: {}{}\nstarted: 2024-08-25\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    write_incident(&root, "deep.yaml", &deep);
    let notes = root.join("content/notes");
    fs::create_dir_all(&notes).unwrap();
    fs::write(
        notes.join("divs.md"),
        format!("---\ntitle: divs\n---\nText\n\n{}\n", "<div>".repeat(100_000)),
    )
    .unwrap();
    fs::write(
        notes.join("quotes.md"),
        format!("---\ntitle: quotes\n---\n{} x\n", "> ".repeat(100_000)),
    )
    .unwrap();
    let summary = format!(
        "title: s\nattack: [ddos]\ntargets: [t]\nstarted: 2024-08-25\nsummary: {}\n",
        serde_json::to_string(&"<b>".repeat(100_000)).unwrap()
    );
    write_incident(&root, "summary.yaml", &summary);
    let (_, took, out) = check_peak_kib(&root);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(
        out.contains("file=content/incidents/deep.yaml,line=3") && out.contains("nested more than 64"),
        "{out}"
    );
    assert!(out.contains("file=content/notes/divs.md,line=6"), "{out}");
    assert!(out.contains("file=content/notes/quotes.md,line=4"), "{out}");
    assert!(out.contains("file=content/incidents/summary.yaml,line=5"), "{out}");
}

#[test]
fn a_long_title_is_an_error_not_gigabytes_of_site() {
    let (_dir, root, _) = project();
    let long = "A".repeat(100_000);
    let path = root.join("content/incidents/zulu-minutes.yaml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replace("title: Incident zulu-minutes", &format!("title: {long}")),
    )
    .unwrap();
    let (code, out, _) = stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(&root));
    assert_eq!(code, 1);
    assert!(
        out.contains("file=content/incidents/zulu-minutes.yaml,line=1") && out.contains("100000 characters"),
        "{out}"
    );
    let (code, _, _) = build(&root, &[]);
    assert_eq!(code, 1);
    assert!(!root.join("site").exists());
}

// ---- valid output for any valid input ----

#[test]
fn characters_xml_forbids_never_reach_an_output() {
    let (_dir, root, _) = project();
    let path = root.join("content/incidents/zulu-minutes.yaml");
    let text = fs::read_to_string(&path).unwrap();
    // Written as YAML escapes: the raw characters are refused by the parser.
    let escaped = r#""Incident \uFFFEzulu\uFFFF minutes""#;
    fs::write(
        &path,
        format!(
            "{}summary: \"{}\"\n",
            text.replace("title: Incident zulu-minutes", &format!("title: {escaped}")),
            "a\\uFFFEb"
        ),
    )
    .unwrap();
    let (code, _, err) = build(&root, &[]);
    assert_eq!(code, 0, "{err}");
    for (name, bytes) in tree(&root.join("site")) {
        if name.ends_with(".xml") || name.ends_with(".html") {
            let text = String::from_utf8(bytes).unwrap();
            assert!(!text.contains(['\u{FFFE}', '\u{FFFF}']), "{name}");
        }
    }
    let feed = fs::read_to_string(root.join("site/feed.xml")).unwrap();
    assert!(feed.contains("Incident zulu minutes"), "the rest of the title stays");
}

#[test]
fn years_outside_0001_to_9999_and_bad_site_settings_are_errors_at_their_line() {
    let (_dir, root, _) = project();
    write_incident(
        &root,
        "year-zero.yaml",
        "title: y\nattack: [ddos]\ntargets: [t]\nstarted: 0000-12-31\n",
    );
    write_incident(
        &root,
        "year-max.yaml",
        "title: y\nattack: [ddos]\ntargets: [t]\nstarted: 9999\n",
    );
    let site = root.join("content/site.yaml");
    let text = fs::read_to_string(&site).unwrap();
    let text = text.replace(
        "base_url: https://example.org/time/",
        "base_url: https://example.org/time/?a=1#top",
    );
    fs::write(
        &site,
        format!("{text}language: \"en_US!\"\ncname: \"evil.example/path\"\n"),
    )
    .unwrap();
    let (code, out, _) = stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(&root));
    assert_eq!(code, 1, "{out}");
    for expected in [
        "file=content/incidents/year-zero.yaml,line=4",
        "file=content/incidents/year-max.yaml,line=4",
        "file=content/site.yaml,line=2",
        "BCP 47",
        "host name",
        "query or a fragment",
    ] {
        assert!(out.contains(expected), "{expected}: {out}");
    }
    assert!(!out.contains("-001-"), "{out}");
}

// ---- terminal and CI safety ----

#[test]
fn control_characters_of_the_data_never_reach_a_terminal_or_a_log() {
    let (_dir, root, _) = project();
    let evil_name = "evil\u{1b}[2J\u{7}.yaml";
    write_incident(
        &root,
        "zz-ctl.yaml",
        "title: x\n\"k\\e]0;pwned\\a\\r\\n::error file=x::injected\": 1\nattack: [ddos]\ntargets: [\"t\\e[31m\"]\nstarted: 2024-08-25\n",
    );
    fs::write(root.join("content/incidents").join(evil_name), "title: x\n").unwrap();
    for format in ["human", "github", "json"] {
        let (_, out, err) = stdout_of(sitrep().args(["check", "--format", format, "--root"]).arg(&root));
        let all = format!("{out}{err}");
        for c in all.chars() {
            assert!(
                !c.is_control() || c == '\n' || c == '\t',
                "{format}: {:?} printed in {all}",
                c
            );
        }
        if format == "github" {
            let annotations: Vec<&str> = out
                .lines()
                .filter(|l| l.contains("::error") || l.contains("::warning"))
                .collect();
            assert!(annotations.iter().all(|l| l.starts_with("::")), "{out}");
            assert!(
                !out.lines().any(|l| l.starts_with("::error file=x")),
                "an injected annotation: {out}"
            );
        }
    }
    let (_, _, err) = build(&root, &[]);
    assert!(!err.contains('\u{1b}'), "{err}");
}

#[test]
fn a_base_url_override_with_a_query_or_fragment_is_a_usage_error() {
    let (_dir, root, _) = project();
    for url in ["https://example.org/x/?a=1", "https://example.org/x/#top"] {
        let (code, _, err) = build(&root, &["--base-url", url]);
        assert_eq!(code, 2, "{url}: {err}");
        assert!(err.contains("query or a fragment"), "{err}");
    }
    assert!(!root.join("site").exists());
}

#[test]
fn templates_cannot_read_the_environment_clock_or_randomness() {
    for call in [
        "{{ get_env(name=\"SITREP_TEST_SECRET\") }}",
        "{% if false %}{{ get_env(name=\"SITREP_TEST_SECRET\", default=\"x\") }}{% endif %}",
        "{{ now() }}",
        "{{ get_random(end=10) }}",
    ] {
        let (_dir, root, _) = project();
        fs::create_dir_all(root.join("templates")).unwrap();
        fs::write(
            root.join("templates/404.html"),
            format!("{{% extends \"base.html\" %}}{{% block content %}}{call}{{% endblock %}}"),
        )
        .unwrap();
        let (code, out, err) = stdout_of(
            sitrep()
                .env("SITREP_TEST_SECRET", SECRET)
                .args(["build", "--root"])
                .arg(&root),
        );
        assert_eq!(code, 1, "{call}: {err}");
        assert!(
            err.contains("templates/404.html") && err.contains("reads the machine"),
            "{call}: {err}"
        );
        assert_no_leak(&root, &out, &err);
        let (code, text) = check(&root);
        assert_eq!(code, 1, "{call}: {text}");
        assert!(text.contains("templates/404.html"), "{text}");
    }
}

#[test]
fn an_as_of_nothing_gives_is_an_error_not_an_invented_now() {
    let (_dir, root, _) = project();
    let content = root.join("content");
    fs::remove_dir_all(content.join("incidents")).unwrap();
    fs::create_dir(content.join("incidents")).unwrap();
    fs::write(
        content.join("site.yaml"),
        "title: T\nbase_url: https://example.org/\ntimezone: UTC\n",
    )
    .unwrap();
    fs::write(
        content.join("incidents/open.yaml"),
        "title: Open\nattack: [ddos]\ntargets: [t1]\nstarted: 2024-08-25/..\n",
    )
    .unwrap();
    let (code, text) = check(&root);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("as_of cannot be derived") && text.contains("site.yaml"),
        "{text}"
    );
    assert!(!text.contains("1970"), "{text}");
    // With `as_of` written, the same data is fine.
    fs::write(
        content.join("site.yaml"),
        "title: T\nbase_url: https://example.org/\ntimezone: UTC\nas_of: 2024-08-27\n",
    )
    .unwrap();
    let (code, text) = check(&root);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn names_windows_cannot_check_out_are_errors() {
    for (file, text, said) in [
        ("content/targets/con.yaml", "name: Con\n", "device name on Windows"),
        ("content/actors/lpt1.yaml", "name: L\n", "device name on Windows"),
        ("content/incidents/aux/x.yaml", "", "device name on Windows"),
        ("static/nul.txt", "x", "device name on Windows"),
        ("static/a:b.txt", "x", "Windows does not allow"),
        ("static/Logo.png", "x", "only in case"),
        ("static/Feed.xml", "x", "would replace the generated feed.xml"),
        ("templates/Base.html", "x", "only in case"),
    ] {
        let (_dir, root, _) = project();
        let path = root.join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        if file == "static/Logo.png" {
            fs::write(root.join("static/logo.png"), "y").unwrap();
        }
        if file == "templates/Base.html" {
            fs::write(root.join("templates/base.html"), "{% block content %}{% endblock %}").unwrap();
        }
        let (code, text) = check(&root);
        assert_eq!(code, 1, "{file}: {text}");
        assert!(text.contains(said), "{file}: {text}");
        let (code, _, err) = build(&root, &[]);
        assert_ne!(code, 0, "{file}: {err}");
    }
}

#[test]
fn stix_keeps_every_relation_between_two_actors_and_part_of_cannot_circle() {
    let dir = fixture("valid/claims");
    let actors = dir.path().join("content/actors");
    fs::write(
        actors.join("cell.yaml"),
        "name: Cell\nrelations:\n  - actor: rcat\n    kind: part-of\n    url: https://example.org/cell\n  - actor: rcat\n    kind: allied-with\n    url: https://example.org/allies\n",
    )
    .unwrap();
    let (code, _, err) = stdout_of(sitrep().args(["build", "--root"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let bundle: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("site/stix.json")).unwrap()).unwrap();
    let relations: Vec<&str> = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["type"] == "relationship" && o.get("x_sitrep_relation").is_some())
        .filter(|o| {
            o["description"]
                .as_str()
                .is_some_and(|d| d.contains("part of") || d.contains("allied"))
        })
        .filter_map(|o| o["x_sitrep_relation"].as_str())
        .collect();
    assert!(
        relations.contains(&"part-of") && relations.contains(&"allied-with"),
        "{relations:?}"
    );
    let ids: std::collections::BTreeSet<&str> = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert_eq!(ids.len(), bundle["objects"].as_array().unwrap().len(), "an id twice");
    // rcat part of cell, while cell is part of rcat: an error at the line
    // that closes the circle.
    let rcat = actors.join("rcat.yaml");
    let text = fs::read_to_string(&rcat).unwrap();
    fs::write(
        &rcat,
        format!("{text}  - actor: cell\n    kind: part-of\n    url: https://example.org/x\n"),
    )
    .unwrap();
    let (code, text) = check(dir.path());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("part-of` goes round in a circle"), "{text}");
}

#[test]
fn line_numbers_agree_with_the_yaml_parser_whatever_the_line_breaks() {
    // A misspelt key on line 4, and nothing wrong above it.
    let lines = [
        "title: Breaks",
        "attack: [ddos]",
        "targets: [t1]",
        "startd: 2024-08-25",
        "started: 2024-08-25",
    ];
    for brk in ["\r", "\r\n", "\u{2028}", "\u{85}"] {
        let (_dir, root, _) = project();
        fs::write(root.join("content/incidents/breaks.yaml"), lines.join(brk) + brk).unwrap();
        let (code, out, _) = stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(&root));
        assert_eq!(code, 1, "{brk:?}: {out}");
        let mine: Vec<&str> = out.lines().filter(|l| l.contains("breaks.yaml")).collect();
        assert!(
            mine.iter()
                .any(|l| l.starts_with("::error file=content/incidents/breaks.yaml,line=4,")),
            "{brk:?}: {mine:?}"
        );
        assert!(!mine.iter().any(|l| l.contains("line=1,")), "{brk:?}: {mine:?}");
    }
}

#[test]
fn controls_that_reorder_text_never_reach_a_page() {
    let dir = fixture("valid/claims");
    let rcat = dir.path().join("content/actors/rcat.yaml");
    let text = fs::read_to_string(&rcat).unwrap();
    fs::write(
        &rcat,
        text.replace(
            "name: Russian Cyber Army Team",
            "name: \"Russian Cyber Army Team\u{202e}\u{2067}\"",
        ),
    )
    .unwrap();
    let (code, text) = check(dir.path());
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("rcat.yaml:1:") && text.contains("U+202E"), "{text}");
    let (code, _, err) = stdout_of(sitrep().args(["build", "--root"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    for (name, bytes) in tree(&dir.path().join("site")) {
        let text = String::from_utf8_lossy(&bytes);
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            assert!(!text.contains(c), "site/{name} holds U+{:04X}", c as u32);
        }
    }
}
