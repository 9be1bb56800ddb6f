//! `sitrep init` and `sitrep new`: projects and records that pass `check` as
//! written, never written through a committed link.

use std::fs;

use crate::common::*;

// ---- pull requests and GitHub Pages ----

#[test]
fn init_makes_a_project_that_builds_and_deploys_to_pages() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("tracker");
    sitrep().arg("init").arg(&project).assert().success();
    sitrep().arg("check").arg("--root").arg(&project).assert().success();
    sitrep().arg("build").arg("--root").arg(&project).assert().success();
    assert!(project.join("site/incidents/example-agency-ddos/index.html").is_file());
    let deploy = fs::read_to_string(project.join(".github/workflows/deploy.yml")).unwrap();
    for needle in [
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
        "pages: write",
        "id-token: write",
        "concurrency:",
    ] {
        assert!(deploy.contains(needle), "deploy.yml lacks {needle}");
    }
    let check = fs::read_to_string(project.join(".github/workflows/check.yml")).unwrap();
    for needle in [
        "pull_request",
        "sitrep check --format github",
        "sitrep build",
        "sitrep diff",
        "GITHUB_STEP_SUMMARY",
    ] {
        assert!(check.contains(needle), "check.yml lacks {needle}");
    }
    // Never over an existing project.
    sitrep().arg("init").arg(&project).assert().code(2);
}

#[test]
fn new_writes_a_template_once() {
    let dir = fixture("valid/time-rules");
    for kind in ["incident", "actor", "target", "campaign", "note"] {
        sitrep()
            .args(["new", kind, &format!("fresh-{kind}"), "--root"])
            .arg(dir.path())
            .assert()
            .success();
    }
    let incident = fs::read_to_string(dir.path().join("content/incidents/fresh-incident.yaml")).unwrap();
    assert!(incident.starts_with("# yaml-language-server: $schema=../../site/schema/incident.schema.json\n"));
    assert!(dir.path().join("content/notes/fresh-note.md").is_file());
    let (code, _, stderr) = stdout_of(
        sitrep()
            .args(["new", "incident", "fresh-incident", "--root"])
            .arg(dir.path()),
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("does not overwrite"), "{stderr}");
    // An id taken in a sub-folder is taken too; bad ids and kinds are refused.
    sitrep()
        .args(["new", "incident", "zulu-minutes", "--root"])
        .arg(dir.path())
        .assert()
        .code(2);
    sitrep()
        .args(["new", "incident", "Bad_Id", "--root"])
        .arg(dir.path())
        .assert()
        .code(2);
    sitrep()
        .args(["new", "weapon", "x", "--root"])
        .arg(dir.path())
        .assert()
        .code(2);
}

#[test]
fn init_copies_no_template_and_works_in_an_existing_repository() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    fs::create_dir(repo.join(".git")).unwrap();
    fs::write(repo.join("README.md"), "# Our tracker\n").unwrap();
    fs::write(repo.join("LICENSE"), "MIT\n").unwrap();
    let (code, _, err) = stdout_of(sitrep().arg("init").arg(repo));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("kept"), "{err}");
    // The repository's own files are untouched.
    assert_eq!(fs::read_to_string(repo.join("README.md")).unwrap(), "# Our tracker\n");
    assert_eq!(fs::read_to_string(repo.join("LICENSE")).unwrap(), "MIT\n");
    // templates/ holds only a README that says how to override one.
    let templates: Vec<String> = fs::read_dir(repo.join("templates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(templates, ["README.md"]);
    let readme = fs::read_to_string(repo.join("templates/README.md")).unwrap();
    assert!(
        readme.contains("incident.html") && readme.contains("built-in"),
        "{readme}"
    );
    // The pages still build, from the built-in templates.
    sitrep().args(["build", "--root"]).arg(repo).assert().success();
    assert!(repo.join("site/assets/style.css").is_file());
    // A second init refuses: this is a project now.
    let (code, _, err) = stdout_of(sitrep().arg("init").arg(repo));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_new_incident_passes_check_as_written() {
    // In a project whose as_of is an interval, with a dated id and without.
    let dir = fixture("example");
    for id in ["2024-08-26-new-ddos", "undated-ddos"] {
        sitrep()
            .args(["new", "incident", id, "--root"])
            .arg(dir.path())
            .assert()
            .success();
    }
    let dated = fs::read_to_string(dir.path().join("content/incidents/2024-08-26-new-ddos.yaml")).unwrap();
    assert!(dated.contains("\nstarted: 2024-08-26   # from the id"), "{dated}");
    let undated = fs::read_to_string(dir.path().join("content/incidents/undated-ddos.yaml")).unwrap();
    assert!(
        undated.contains("\nstarted: 2024-08-26T12/2024-08-26T17-04:00   # from as_of"),
        "{undated}"
    );
    assert!(undated.contains("\ntargets: [ansm]"), "{undated}");
    let (code, out, err) = stdout_of(sitrep().args(["check", "--root"]).arg(dir.path()));
    assert_eq!(code, 0, "{out}{err}");
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
