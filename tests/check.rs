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
