//! The loader never panics, whatever the bytes (issue: `check` on hostile input).
//!
//! Arbitrary bytes and YAML-shaped noise go through the same path as a real
//! file: `check` on a project whose incident, actor and note are that text.

use std::fs;

use proptest::prelude::*;

use crate::test_cases as cases;

/// YAML-ish fragments, so the noise reaches deep into the parser.
fn yamlish() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("title: x\n".to_string()),
        Just("attack: [ddos]\n".to_string()),
        Just("targets: [t]\n".to_string()),
        Just("started: 2024-08-25\n".to_string()),
        Just("ended: 2024-08-26T10\n".to_string()),
        Just("observations:\n  - at: 2024-08-25\n    state: down\n".to_string()),
        Just("actors:\n  - actor: a\n    basis: claimed\n".to_string()),
        Just("&a [*a]\n".to_string()),
        Just("- ".to_string()),
        Just("{".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("---\n".to_string()),
        Just("\t".to_string()),
        Just(": ".to_string()),
        Just("!!binary ".to_string()),
        Just("<<: *a\n".to_string()),
        "[a-z0-9:\\-\\[\\]{}\n ]{0,12}",
    ];
    proptest::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
}

fn check_project(incident: &[u8], note: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("content");
    for sub in ["incidents", "targets", "actors", "notes"] {
        fs::create_dir_all(c.join(sub)).unwrap();
    }
    fs::write(c.join("site.yaml"), "title: T\nbase_url: https://example.org/\n").unwrap();
    fs::write(c.join("targets/t.yaml"), "name: T\n").unwrap();
    fs::write(c.join("incidents/i.yaml"), incident).unwrap();
    fs::write(c.join("actors/a.yaml"), incident).unwrap();
    fs::write(c.join("notes/n.md"), note).unwrap();
    let (_, report) = crate::check::check(dir.path(), None, None);
    // Rendering the report reads the files again: it must not panic either.
    for format in [
        crate::diagnostics::Format::Human,
        crate::diagnostics::Format::Github,
        crate::diagnostics::Format::Json,
    ] {
        let _ = report.render(dir.path(), format);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(300)))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut note = b"---\n".to_vec();
        note.extend_from_slice(&bytes);
        check_project(&bytes, &note);
    }

    #[test]
    fn yaml_shaped_noise_never_panics(text in yamlish(), body in yamlish()) {
        check_project(text.as_bytes(), format!("---\n{text}---\n{body}").as_bytes());
    }
}
