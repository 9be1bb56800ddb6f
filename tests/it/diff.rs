//! `sitrep diff`: what a change does to the data, from folders or git revisions,
//! escaped for Markdown, never writing through a crafted tree.

use std::fs;
use std::io::Write;

use crate::common::{self, *};

#[test]
fn diff_of_two_folders_names_added_and_changed_incidents() {
    let base = fixture("example");
    let head = fixture("example");
    let ansm = head.path().join("content/incidents/2024/ansm-ddos.yaml");
    let text = fs::read_to_string(&ansm).unwrap();
    fs::write(
        &ansm,
        text.replace(
            "started: 2024-08-24/2024-08-25\n",
            "started: 2024-08-24/2024-08-25\nended: 2024-08-26T18\n",
        ),
    )
    .unwrap();
    fs::write(
        head.path().join("content/incidents/2024/syane-again.yaml"),
        "title: Syane down again\nattack: [ddos]\ntargets: [syane]\nstarted: 2024-08-26T10\nimpact: outage\nsources:\n  - id: s\n    title: T\n",
    )
    .unwrap();
    let note = head.path().join("content/notes/reading-the-times.md");
    fs::write(&note, fs::read_to_string(&note).unwrap() + "\nOne more paragraph.\n").unwrap();
    let (code, out, err) = stdout_of(sitrep().arg("diff").arg(base.path()).arg(head.path()));
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("(`reading-the-times`)\n  - the text was edited\n"),
        "{out}"
    );
    assert!(out.contains("### Incidents added (1)"), "{out}");
    assert!(out.contains("**Syane down again** (`syane-again`)"), "{out}");
    assert!(out.contains("### Incidents changed (1)"), "{out}");
    assert!(out.contains("(`ansm-ddos`)"), "{out}");
    assert!(out.contains("  - status: ongoing → ended"), "{out}");
    assert!(out.contains("  - ended: — → 2024-08-26T18"), "{out}");
    assert!(out.contains("| Incidents | 5 | 6 **changed** |"), "{out}");
    // The same folder twice: nothing changed.
    let (_, same, _) = stdout_of(sitrep().arg("diff").arg(base.path()).arg(base.path().join("content")));
    assert!(same.contains("No change to the data."), "{same}");
}

#[test]
fn diff_of_a_bulk_import_lists_a_hundred_and_counts_the_rest() {
    let base = fixture("valid/time-rules");
    let head = many_incidents(150);
    let (code, out, err) = stdout_of(sitrep().arg("diff").arg(base.path()).arg(head.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("### Incidents added (150)"), "{out}");
    assert_eq!(out.matches("- **Many ").count(), 100, "{out}");
    assert!(
        out.contains("- … and 50 more (`sitrep diff --all` lists them all)\n"),
        "{out}"
    );
    let (_, all, _) = stdout_of(sitrep().arg("diff").arg("--all").arg(base.path()).arg(head.path()));
    assert_eq!(all.matches("- **Many ").count(), 150);
    assert!(!all.contains("more (`sitrep diff --all`"));
}

#[test]
fn diff_reads_git_revisions_without_touching_the_work_tree() {
    let dir = fixture("example");
    let git = |args: &[&str]| common::git(dir.path(), args);
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "base"]);
    let target = dir.path().join("content/targets/ansm.yaml");
    fs::write(
        &target,
        fs::read_to_string(&target)
            .unwrap()
            .replace("sector: health", "sector: public health"),
    )
    .unwrap();
    git(&["commit", "-qam", "head"]);
    // An uncommitted edit must not show up in a diff of revisions.
    fs::write(&target, "name: [broken\n").unwrap();
    // Revisions are checked out under the temporary folder, and removed.
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = stdout_of(
        sitrep()
            .current_dir(dir.path())
            .env("TMPDIR", tmp.path())
            .args(["diff", "HEAD~1", "HEAD"]),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(tree(tmp.path()).len(), 0, "a checkout was left behind");
    // (and it is that folder they go to: none there, no diff of revisions)
    let not_a_folder = tmp.path().join("file");
    fs::write(&not_a_folder, "").unwrap();
    sitrep()
        .current_dir(dir.path())
        .env("TMPDIR", &not_a_folder)
        .args(["diff", "HEAD~1", "HEAD"])
        .assert()
        .code(2);
    assert!(out.contains("- changed: **ANSM** (`ansm`)"), "{out}");
    assert!(out.contains("  - sector: health → public health"), "{out}");
    assert_eq!(
        fs::read_to_string(&target).unwrap(),
        "name: [broken\n",
        "the work tree was touched"
    );
    sitrep()
        .current_dir(dir.path())
        .args(["diff", "HEAD~1", "no-such-rev"])
        .assert()
        .code(2);
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
    // The line `key: …` of a record, its value replaced by `evil`, quoted.
    let set = |rel: &str, key: &str| {
        let file = dir.path().join(rel);
        let text = fs::read_to_string(&file).unwrap();
        let line = text.lines().find(|l| l.starts_with(&format!("{key}:"))).unwrap();
        let quoted = serde_json::to_string(evil).unwrap();
        fs::write(&file, text.replace(line, &format!("{key}: {quoted}"))).unwrap();
    };
    set("content/incidents/2024/ansm-ddos.yaml", "title");
    set("content/targets/syane.yaml", "sector");
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
