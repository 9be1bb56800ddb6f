//! Hostile pull requests, one test per class of attack: the real binary on
//! real folders, with canary files standing in for what must survive or
//! stay secret. No test touches a real system path.

mod common;

use std::fs;
use std::io::{BufRead, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use common::{fixture, sitrep, stdout_of, tree};

const SECRET: &str = "CANARY-SECRET-7f3a";

/// A folder outside the project holding a canary file, and its snapshot.
fn canary(dir: &Path) -> std::path::PathBuf {
    let outside = dir.join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("keep.txt"), SECRET).unwrap();
    fs::write(outside.join("secret.html"), format!("<p>{SECRET}</p>")).unwrap();
    fs::write(outside.join("secret.yaml"), format!("name: {SECRET}\n")).unwrap();
    outside
}

/// A project (time-rules fixture) inside `dir/project`, beside `dir/outside`.
fn project() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = fixture("valid/time-rules");
    let root = dir.path().join("project");
    fs::create_dir(&root).unwrap();
    fs::rename(dir.path().join("content"), root.join("content")).unwrap();
    let outside = canary(dir.path());
    (dir, root, outside)
}

fn build(root: &Path, extra: &[&str]) -> (i32, String, String) {
    stdout_of(sitrep().arg("build").arg("--root").arg(root).args(extra))
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo");
}

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

// ---- diff ----

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The example as a repository with two commits: HEAD changes ANSM's
/// sector and adds `.gitattributes` that would hide and alter records.
fn repository() -> tempfile::TempDir {
    let dir = fixture("example");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "base"]);
    git(dir.path(), &["branch", "base"]);
    let target = dir.path().join("content/targets/ansm.yaml");
    let text = fs::read_to_string(&target).unwrap();
    fs::write(&target, text.replace("sector: health", "sector: public health")).unwrap();
    fs::write(
        dir.path().join(".gitattributes"),
        "content/targets/ansm.yaml export-ignore\ncontent/** filter=hide\n",
    )
    .unwrap();
    git(dir.path(), &["config", "filter.hide.smudge", "cat /dev/null"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "head"]);
    dir
}

#[test]
fn diff_reads_revisions_from_git_objects_whatever_the_work_tree_holds() {
    let dir = repository();
    // A folder named like the base revision, with content of its own.
    let shadow = dir.path().join("base");
    common::copy_dir(&dir.path().join("content"), &shadow.join("content"));
    let ansm = shadow.join("content/targets/ansm.yaml");
    fs::write(
        &ansm,
        fs::read_to_string(&ansm).unwrap().replace("public health", "shadowed"),
    )
    .unwrap();
    let (code, out, err) = stdout_of(sitrep().current_dir(dir.path()).args(["diff", "base", "main"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(git revision)"), "{out}");
    // export-ignore and the filter hide nothing: the change is listed.
    assert!(out.contains("sector: health → public health"), "{out}");
    assert!(!out.contains("shadowed"), "{out}");
    // With --folders, the folder is read, and the summary says so.
    let (code, out, err) = stdout_of(
        sitrep()
            .current_dir(dir.path())
            .args(["diff", "--folders", "base", "."]),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(folder)") && out.contains("shadowed"), "{out}");
}

#[test]
fn diff_escapes_every_value_for_markdown() {
    let dir = repository();
    let evil = "[click](https://evil.example/x) ![img](https://evil.example/i.png) <img src=x> `code` | cell\n# heading www.evil.example";
    let incident = dir.path().join("content/incidents/2024/ansm-ddos.yaml");
    let text = fs::read_to_string(&incident).unwrap();
    let title_line = text.lines().find(|l| l.starts_with("title:")).unwrap().to_string();
    fs::write(
        &incident,
        text.replace(&title_line, &format!("title: {}", serde_json::to_string(evil).unwrap())),
    )
    .unwrap();
    let target = dir.path().join("content/targets/syane.yaml");
    let text = fs::read_to_string(&target).unwrap();
    let sector = text.lines().find(|l| l.starts_with("sector:")).unwrap().to_string();
    fs::write(
        &target,
        text.replace(&sector, &format!("sector: {}", serde_json::to_string(evil).unwrap())),
    )
    .unwrap();
    git(dir.path(), &["commit", "-qam", "evil"]);
    let (code, out, err) = stdout_of(sitrep().current_dir(dir.path()).args(["diff", "base", "main"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("click"), "{out}");
    // Read as GitHub Markdown would be: no link, image or HTML comes from the data.
    let options = pulldown_cmark::Options::ENABLE_TABLES;
    for event in pulldown_cmark::Parser::new_ext(&out, options) {
        use pulldown_cmark::{Event, Tag};
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                // The summary's own headings are the `##`/`###` lines it writes.
                assert!(level >= pulldown_cmark::HeadingLevel::H2, "a heading from the data");
            }
            Event::Html(h) | Event::InlineHtml(h) => panic!("HTML from the data: {h}"),
            Event::Code(c) if c.contains("code") => panic!("a code span from the data: {c}"),
            _ => {}
        }
    }
    for line in out.lines() {
        assert!(!line.starts_with("# "), "a heading from the data: {line}");
        assert!(!line.contains("](http"), "{line}");
        assert!(
            !line.contains("https://") && !line.contains("www.evil"),
            "an autolink: {line}"
        );
    }
    let links = pulldown_cmark::Parser::new_ext(&out, options)
        .filter(|e| {
            matches!(
                e,
                pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { .. } | pulldown_cmark::Tag::Image { .. })
            )
        })
        .count();
    assert_eq!(links, 0, "{out}");
}

// ---- bounded cost ----

fn write_incident(root: &Path, name: &str, text: &str) {
    fs::write(root.join("content/incidents").join(name), text).unwrap();
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

// ---- serve ----

struct Served {
    child: std::process::Child,
    port: u16,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `sitrep serve --port 0` on `root`: the port it printed.
fn serve(root: &Path) -> Served {
    let (child, port) = common::start_serve(root, 0);
    Served { child, port }
}

/// Sends `request` as it is; the response's status and whole text.
fn send(port: u16, request: &[u8]) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = stream.write_all(request);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

#[test]
fn serve_limits_heads_answers_only_its_own_host_and_never_redirects_away() {
    let (_dir, root, _) = project();
    let served = serve(&root);
    let port = served.port;
    assert_ne!(port, 0, "--port 0 prints the real port");
    let get = |path: &str, host: &str| send(port, format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes());
    assert_eq!(get("/", &format!("127.0.0.1:{port}")).0, 200);
    assert_eq!(get("/", &format!("localhost:{port}")).0, 200);
    for host in [
        format!("evil.example:{port}"),
        "evil.example".into(),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
    ] {
        let (status, text) = get("/", &host);
        assert_eq!(status, 421, "{host}");
        assert!(!text.contains("<html"), "{host}");
    }
    let (status, _) = send(port, b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(status, 421, "no Host");
    let big = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    assert_eq!(send(port, big.as_bytes()).0, 431);
    let (_, text) = get("//evil.example/incidents", &format!("127.0.0.1:{port}"));
    assert!(!text.to_lowercase().contains("location: //"), "{text}");
    let (status, text) = get("//incidents", &format!("127.0.0.1:{port}"));
    assert_eq!(status, 301);
    assert!(text.contains("Location: /incidents/\r\n"), "{text}");
    assert_eq!(
        send(
            port,
            format!("DELETE / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes()
        )
        .0,
        405
    );
    // Garbage never takes the server down.
    for junk in [&b"\xff\xfe\r\n\r\n"[..], b"GET\r\n\r\n", b"GET x HTTP/1.1\r\n\r\n"] {
        assert_eq!(send(port, junk).0, 400);
    }
    assert_eq!(get("/", &format!("127.0.0.1:{port}")).0, 200);
}

#[test]
fn serve_overlay_works_with_any_template() {
    let (_dir, root, _) = project();
    fs::create_dir_all(root.join("templates")).unwrap();
    // No newline after <body>, a multi-byte character right after it, upper case.
    fs::write(
        root.join("templates/404.html"),
        "<!DOCTYPE html><HTML><HEAD><title>é</title></HEAD><BODY class=\"x\">é<p>Page not found</p></BODY></HTML>",
    )
    .unwrap();
    let served = serve(&root);
    let record = root.join("content/incidents/zulu-minutes.yaml");
    fs::write(&record, "title: [broken\n").unwrap();
    let start = Instant::now();
    loop {
        let (status, text) = send(
            served.port,
            format!("GET /nope/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", served.port).as_bytes(),
        );
        assert_eq!(status, 404);
        if text.contains("sitrep-errors") {
            assert!(text.contains("<BODY class=\"x\">\n<div id=\"sitrep-errors\""), "{text}");
            assert!(text.contains("reload.js"), "{text}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "no overlay");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_pushes_a_reload_within_a_second_of_a_rebuild() {
    let (_dir, root, _) = project();
    let served = serve(&root);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", served.port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        stream,
        "GET /__sitrep/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        served.port
    )
    .unwrap();
    let mut reader = std::io::BufReader::new(stream);
    let mut line = String::new();
    // The head arrives at once, before any event.
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line.starts_with("retry:") {
            break;
        }
    }
    let record = root.join("content/incidents/zulu-minutes.yaml");
    let text = fs::read_to_string(&record).unwrap();
    fs::write(&record, text.replace("Incident zulu-minutes", "Edited")).unwrap();
    let edited = Instant::now();
    loop {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the stream closed");
        if line.trim() == "event: reload" {
            break;
        }
    }
    // The watcher waits 100 ms for edits to settle; the rebuild is ms.
    assert!(edited.elapsed() < Duration::from_millis(1500), "{:?}", edited.elapsed());
}

#[test]
fn serve_turns_away_connections_past_its_limit() {
    let (_dir, root, _) = project();
    let served = serve(&root);
    // 64 idle connections hold every slot (each waits for its request).
    let idle: Vec<std::net::TcpStream> = (0..64)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", served.port)).unwrap())
        .collect();
    let start = Instant::now();
    let status = loop {
        let (status, _) = send(
            served.port,
            format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", served.port).as_bytes(),
        );
        if status == 503 || start.elapsed() > Duration::from_secs(5) {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status, 503, "the 65th connection is turned away");
    // Freed slots serve again.
    drop(idle);
    let start = Instant::now();
    loop {
        let (status, _) = send(
            served.port,
            format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", served.port).as_bytes(),
        );
        if status == 200 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "still {status}");
        std::thread::sleep(Duration::from_millis(50));
    }
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

// ---- round 3: the data never chooses a path, templates see only the data ----

/// `sitrep check` on `root`: exit code and everything it printed.
fn check(root: &Path) -> (i32, String) {
    let (code, out, err) = stdout_of(sitrep().args(["check", "--root"]).arg(root));
    (code, format!("{out}{err}"))
}

#[test]
fn serve_and_check_refuse_a_static_link_out_as_build_does() {
    // A `static` that is a link out, a link to a folder out, a link to a
    // file out: build refuses each; check must say so, serve must not serve it.
    for (link, to) in [
        ("static", "../outside"),
        ("static/leak", "../../outside"),
        ("static/keep.txt", "../../outside/keep.txt"),
    ] {
        let (_dir, root, _) = project();
        let link_path = root.join(link);
        fs::create_dir_all(link_path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(to, &link_path).unwrap();
        let (code, text) = check(&root);
        assert_eq!(code, 1, "{link}: {text}");
        assert!(text.contains(link) && text.contains("outside"), "{link}: {text}");
        assert!(!text.contains(SECRET), "{link}: {text}");
        let served = serve(&root);
        for path in ["/keep.txt", "/leak/keep.txt", "/secret.html", "/leak/secret.html"] {
            let (status, body) = send(
                served.port,
                format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", served.port).as_bytes(),
            );
            assert_ne!(status, 200, "{link} {path}: {body}");
            assert!(
                !body.contains(SECRET),
                "{link} {path}: served a file outside the project"
            );
        }
    }
}

#[test]
fn serve_answers_static_files_read_through_the_guard() {
    let (_dir, root, _) = project();
    fs::create_dir_all(root.join("static/img")).unwrap();
    fs::write(root.join("static/img/logo.txt"), "logo").unwrap();
    let served = serve(&root);
    let get = |path: &str| {
        send(
            served.port,
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", served.port).as_bytes(),
        )
    };
    let (status, body) = get("/img/logo.txt");
    assert_eq!(status, 200, "{body}");
    assert!(body.ends_with("logo"), "{body}");
    assert_eq!(get("/img/../img/logo.txt").0, 404);
}

#[test]
fn init_and_new_never_write_through_a_committed_link() {
    // `init` in a repository whose `.github` leads out.
    let (dir, _root, outside) = project();
    let repo = dir.path().join("repo");
    fs::create_dir(&repo).unwrap();
    std::os::unix::fs::symlink("../outside", repo.join(".github")).unwrap();
    let before = tree(&outside);
    let (code, _, err) = stdout_of(sitrep().arg("init").arg(&repo));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(".github") && err.contains("symbolic link"), "{err}");
    assert_eq!(tree(&outside), before, "init wrote outside the repository");
    // `new` in a project whose `content/actors` leads out.
    let (_dir, root, outside) = project();
    std::os::unix::fs::symlink("../../outside", root.join("content/actors")).unwrap();
    let before = tree(&outside);
    let (code, _, err) = stdout_of(sitrep().args(["new", "actor", "x", "--root"]).arg(&root));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("content/actors") && err.contains("symbolic link"), "{err}");
    assert_eq!(tree(&outside), before, "new wrote outside the project");
}

#[test]
fn diff_never_writes_through_a_link_of_a_crafted_tree() {
    let dir = repository();
    let outside = canary(dir.path().parent().unwrap_or(dir.path()));
    let git_out = |args: &[&str], input: Option<&str>| -> String {
        use std::process::Stdio;
        let mut child = std::process::Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.unwrap_or("").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    // content/ holds a link `actors` to the canary folder and, beside it,
    // a folder `actors/` with a file that would be written through it.
    let link = git_out(&["hash-object", "-w", "--stdin"], Some(outside.to_str().unwrap()));
    let evil = git_out(&["hash-object", "-w", "--stdin"], Some("name: written through\n"));
    let sub = git_out(&["mktree"], Some(&format!("100644 blob {evil}\tpwned.yaml\n")));
    let content = git_out(&["rev-parse", "HEAD:content"], None);
    let listing = git_out(&["ls-tree", &content], None);
    let crafted = format!("{listing}\n120000 blob {link}\tactors\n040000 tree {sub}\tactors\n");
    let content = git_out(&["mktree", "--missing"], Some(&crafted));
    let top = git_out(&["mktree"], Some(&format!("040000 tree {content}\tcontent\n")));
    let commit = git_out(&["commit-tree", &top, "-m", "crafted"], None);
    let before = tree(&outside);
    let (code, out, err) = stdout_of(sitrep().current_dir(dir.path()).args(["diff", "base", &commit]));
    assert_ne!(code, 0, "{out}{err}");
    assert_eq!(tree(&outside), before, "diff wrote through a link: {out}{err}");
    assert!(!outside.join("pwned.yaml").exists());
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

#[test]
fn the_search_index_stays_bounded_whatever_the_text() {
    let (_dir, root, _) = project();
    // One record of ~20,000 distinct words, 10,500 of them sharing a
    // two-letter start, each with a third letter of its own; a country of
    // 70 letters; a target of 200 words of 100 letters.
    let shared: Vec<String> = (0..10_500u32)
        .map(|i| format!("xy{}", char::from_u32(0x4e00 + i).unwrap()))
        .collect();
    let other: Vec<String> = (0..10_000).map(|i| format!("w{i}q")).collect();
    write_incident(
        &root,
        "huge.yaml",
        &format!(
            "title: Huge\nattack: [ddos]\ntargets: [t1]\nstarted: 2024-08-25\nsummary: \"{} {}\"\n",
            shared.join(" "),
            other.join(" ")
        ),
    );
    let long: Vec<String> = (0..200).map(|i| format!("{i:0>100}")).collect();
    fs::write(
        root.join("content/targets/t1.yaml"),
        format!(
            "name: T1\ncountry: {}\ndescription: \"{}\"\n",
            "a".repeat(70),
            long.join(" ")
        ),
    )
    .unwrap();
    let (code, _, err) = build(&root, &[]);
    assert_eq!(code, 0, "{err}");
    let search = tree(&root.join("site/search"));
    let bytes: usize = search.values().map(Vec::len).sum();
    // Files grow with the bytes of the index, never one per word.
    assert!(search.len() < 60, "{} files, {bytes} bytes", search.len());
    assert!(
        search.keys().all(|name| name.len() < 40),
        "{:?}",
        search.keys().max_by_key(|n| n.len())
    );
    // One record adds at most MAX_RECORD_WORDS words.
    let words: usize = search
        .iter()
        .filter(|(name, _)| name.starts_with("t/"))
        .map(|(_, text)| {
            serde_json::from_slice::<serde_json::Value>(text)
                .unwrap()
                .as_object()
                .unwrap()
                .len()
        })
        .sum();
    assert!(
        words <= sitrep::search_rules::MAX_RECORD_WORDS + 2_000,
        "{words} words indexed"
    );
    // Typing the shared two letters fetches a few shards, not thousands.
    let manifest: serde_json::Value = serde_json::from_slice(&search["index.json"]).unwrap();
    let firsts: Vec<&str> = manifest["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let (fetched, cut) = sitrep::search_rules::shards_of(&firsts, "xy", true);
    assert!(fetched.len() <= sitrep::search_rules::MAX_PREFIX_SHARDS);
    assert!(cut, "the page says to type more");
}

#[test]
fn serve_never_reads_through_a_static_folder_swapped_for_a_link_while_it_runs() {
    let (_dir, root, outside) = project();
    fs::create_dir_all(root.join("static/img")).unwrap();
    fs::write(root.join("static/img/keep.txt"), "mine").unwrap();
    let served = serve(&root);
    let get = || {
        send(
            served.port,
            format!("GET /img/keep.txt HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", served.port).as_bytes(),
        )
    };
    assert!(get().1.ends_with("mine"));
    // A checkout swaps the folder for a link out: the rebuild fails, the
    // preview keeps the last good build (and its listing), and still reads
    // nothing through the link.
    fs::remove_dir_all(root.join("static/img")).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("static/img")).unwrap();
    for _ in 0..10 {
        let (status, body) = get();
        assert!(!body.contains(SECRET), "served a file outside the project ({status})");
        std::thread::sleep(Duration::from_millis(100));
    }
}
