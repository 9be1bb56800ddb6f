//! Claims, impact, written intervals, confidence and related actors
//! (docs/format.md: "Times", "Impact", the incident and actor records),
//! driven through the real binary on `tests/fixtures/valid/claims`, whose
//! expected bounds are computed by hand in `expected.tsv`.

use std::fs;

use serde_json::Value;

use crate::common::{self, *};

fn built() -> tempfile::TempDir {
    common::built("valid/claims")
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[test]
fn every_impact_and_interval_gives_the_hand_computed_bounds() {
    let dir = built();
    let json: Value = serde_json::from_str(&read(&dir, "incidents.json")).unwrap();
    let got: Vec<String> = json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let confidence: Vec<String> = i["actors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| text(&a["confidence"]))
                .collect();
            [
                text(&i["id"]),
                text(&i["impact"]),
                text(&i["status"]),
                text(&i["duration_seconds"]["min"]),
                text(&i["duration_seconds"]["max"]),
                text(&i["start"]["earliest"]),
                text(&i["start"]["latest"]),
                text(&i["end"]["earliest"]),
                text(&i["end"]["latest"]),
                confidence.join(","),
            ]
            .join("\t")
        })
        .collect();
    let expected = common::expected_lines("tests/fixtures/valid/claims/expected.tsv");
    assert_eq!(got, expected);
    // Written intervals keep their text and give their span.
    let first = &json["incidents"][0];
    assert_eq!(first["started"]["value"], "2024-08-24/2024-08-25");
    assert_eq!(first["started"]["earliest"], "2024-08-23T22:00:00Z");
    assert_eq!(first["started"]["latest"], "2024-08-25T22:00:00Z");
    let degraded = &json["incidents"][3];
    assert_eq!(degraded["started"]["value"], "2024-08-28T20/..");
    // `A/..` runs to as_of, the end of 2024-09-01 in Paris.
    assert_eq!(degraded["started"]["latest"], "2024-09-01T22:00:00Z");
    assert_eq!(json["as_of"], "2024-09-01T22:00:00Z");
}

#[test]
fn headline_counts_outages_claims_and_attacks_without_impact_apart() {
    let dir = built();
    let home = read(&dir, "index.html");
    let figure = |name: &str| {
        let at = home
            .find(&format!("<dt>{name}"))
            .unwrap_or_else(|| panic!("no figure {name}"));
        let dd = &home[at..];
        dd[dd.find("<dd>").unwrap() + 4..dd.find("</dd>").unwrap()].to_string()
    };
    assert_eq!(figure("Ongoing outages"), "1");
    assert_eq!(figure("Unverified claims"), "2");
    assert_eq!(figure("Attacks without impact"), "1");
    // Certain: only the degraded incident, 29 h; open, so no upper bound;
    // the claims stated apart, one of them open.
    assert_eq!(
        figure("Total downtime"),
        "at least 1 d 5 h, an outage is ongoing; and unverified claims not known to be over"
    );
    // t-a: an outage (up to 3 d), a claim (up to 6 h more, possible only,
    // stated apart) and an absorbed attack (nothing).
    let t_a = read(&dir, "targets/t-a/index.html");
    assert!(
        t_a.contains("up to 3 d; and up to 6 h more in unverified claims"),
        "{t_a}"
    );
    assert!(t_a.contains("1 ended, 1 unverified claim, 1 without impact"), "{t_a}");
    // An open claim alone leaves its target's total without an upper bound,
    // and says why.
    let t_c = read(&dir, "targets/t-c/index.html");
    assert!(
        t_c.contains("none; and unverified claims not known to be over"),
        "{t_c}"
    );
}

#[test]
fn claims_and_attacks_without_impact_are_drawn_apart_from_outages() {
    let dir = built();
    let home = read(&dir, "index.html");
    let svg = &home[home.find("<svg class=\"timeline\"").unwrap()..];
    let bar_of = |title: &str| {
        let at = svg
            .find(&format!("<title>{title}"))
            .unwrap_or_else(|| panic!("no bar {title}"));
        let start = svg[..at].rfind("<g class=\"bar").unwrap();
        let end = at + svg[at..].find("</g>").unwrap();
        svg[start..end].to_string()
    };
    let claim = bar_of("A bare claim");
    assert!(claim.starts_with("<g class=\"bar unverified\">"), "{claim}");
    assert!(
        claim.contains("class=\"claim\"") && claim.contains("class=\"claim-mark\""),
        "{claim}"
    );
    for outage_part in ["class=\"possible\"", "class=\"certain\"", "class=\"open-end\""] {
        assert!(!claim.contains(outage_part), "a claim drawn as an outage: {claim}");
    }
    let absorbed = bar_of("An attack absorbed");
    assert!(absorbed.starts_with("<g class=\"bar no-impact\">"), "{absorbed}");
    assert!(
        absorbed.contains("no-impact-mark") && !absorbed.contains("<rect"),
        "{absorbed}"
    );
    let degraded = bar_of("Degraded, open start");
    assert!(degraded.contains("class=\"open-end\""), "{degraded}");
    // Each has its own legend entry, with a swatch drawn like its mark.
    for (swatch, entry) in [
        ("claim", "an unverified claim"),
        ("no-impact", "an attack without impact"),
        ("open-end", "an outage not known to have ended"),
    ] {
        let item = format!("<span class=\"swatch {swatch}\" aria-hidden=\"true\"></span> {entry}");
        assert!(home.contains(&item), "legend lacks {entry}");
    }
    // The table says so in words, not as an outage.
    assert!(home.contains("<span class=\"badge unverified\">unverified</span>"));
    assert!(home.contains("no impact <span class=\"badge no-impact\">no impact</span>"));
}

#[test]
fn times_are_shown_in_words() {
    let dir = built();
    let page = read(&dir, "incidents/weekend-outage/index.html");
    for words in [
        "<time datetime=\"2024-08-24\">between Sat 24 and Sun 25 Aug 2024</time>",
        "<time datetime=\"2024-08-25T12:00\">Sun 25 Aug 2024, 12:00–14:00 CEST</time>",
        "<time datetime=\"2024-08-26T12:00\">Mon 26 Aug 2024, 12:00–24:00 CEST</time>",
        "<time datetime=\"2024-08-26T12:00\">after 12:00 CEST on Mon 26 Aug 2024</time>",
    ] {
        assert!(page.contains(words), "lacks {words}");
    }
    let open = read(&dir, "incidents/degraded-open/index.html");
    assert!(open.contains("after 20:00 CEST on Wed 28 Aug 2024"), "{open}");
    let note = read(&dir, "notes/times/index.html");
    assert!(note.contains("Fri 30 Aug 2024, 09:00–13:00 CEST"), "{note}");
}

#[test]
fn actor_pages_keep_apart_what_it_said_and_what_others_say_with_sources_and_dates() {
    let dir = built();
    let rcat = read(&dir, "actors/rcat/index.html");
    let announced = rcat
        .find("Announced by Russian Cyber Army Team")
        .expect("an announced section");
    let attributed = rcat
        .find("Attributed to Russian Cyber Army Team by others")
        .expect("an attributed section");
    assert!(announced < attributed);
    let section = &rcat[announced..attributed];
    assert!(section.contains("Announced, then down"), "{section}");
    assert!(
        section.contains("per <a href=\"https://example.org/announce\" rel=\"noopener noreferrer\">A channel</a>"),
        "{section}"
    );
    assert!(section.contains("on or after Tue 20 Aug 2024"), "{section}");
    let rest = &rcat[attributed..];
    assert!(
        rest.contains("Weekend outage") && rest.contains("confidence 70/100"),
        "{rest}"
    );
    let pca = read(&dir, "actors/pca/index.html");
    assert!(pca.contains("Claimed by People&#39;s Cyber Army"), "{pca}");
    assert!(pca.contains("Tue 27 Aug 2024, 05:30–06:30 CEST"), "{pca}");
    assert!(pca.contains("confidence 15/100"), "{pca}");
}

#[test]
fn relations_show_on_both_actors_pages_and_stay_two_records() {
    let dir = built();
    let rcat = read(&dir, "actors/rcat/index.html");
    let pca = read(&dir, "actors/pca/index.html");
    let cell = read(&dir, "actors/cell/index.html");
    let noname = read(&dir, "actors/noname/index.html");
    let link = |id: &str, name: &str| format!("<a href=\"../../actors/{id}/\">{name}</a>");
    // same-as, written by both: shown once on each.
    let same = format!("the same group as {}", link("pca", "People&#39;s Cyber Army"));
    assert_eq!(rcat.matches(&same).count(), 1, "{rcat}");
    assert!(pca.contains(&format!(
        "the same group as {}",
        link("rcat", "Russian Cyber Army Team")
    )));
    // part-of reads backwards on the whole's page.
    assert!(cell.contains(&format!("part of {}", link("rcat", "Russian Cyber Army Team"))));
    assert!(rcat.contains(&format!("has as a part {}", link("cell", "Cell"))));
    // allied-with, written once, shown both ways with its source.
    assert!(noname.contains(&format!("allied with {}", link("rcat", "Russian Cyber Army Team"))));
    assert!(rcat.contains(&format!(
        "allied with {} (<a href=\"https://example.org/allies\"",
        link("noname", "NoName")
    )));
    // Never merged: both records keep their pages, in the list and the exports.
    let json: Value = serde_json::from_str(&read(&dir, "incidents.json")).unwrap();
    let actors: Vec<String> = json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["actors"].as_array().unwrap().iter().map(|a| text(&a["actor"])))
        .collect();
    assert!(actors.contains(&"pca".to_string()) && actors.contains(&"rcat".to_string()));
}

#[test]
fn stix_reports_no_claim_as_an_observed_outage_and_carries_confidence_and_sources() {
    let dir = built();
    let bundle: Value = serde_json::from_str(&read(&dir, "stix.json")).unwrap();
    let objects = bundle["objects"].as_array().unwrap();
    let of_type = |t: &'static str| objects.iter().filter(move |o| o["type"] == t);
    let id_of = |t: &'static str, name: &str| -> String {
        text(
            &of_type(t)
                .find(|o| o["name"] == name)
                .unwrap_or_else(|| panic!("no {t} {name}"))["id"],
        )
    };
    // Sightings: the three outages only; the claims and the absorbed attack are notes.
    let sighted: Vec<String> = of_type("sighting")
        .map(|s| text(&s["external_references"][0]["external_id"]))
        .collect();
    assert_eq!(sighted, ["weekend-outage", "degraded-open", "announced-only"]);
    let noted: Vec<(String, String)> = of_type("note")
        .map(|n| {
            (
                text(&n["external_references"][0]["external_id"]),
                text(&n["x_sitrep_status"]),
            )
        })
        .collect();
    assert_eq!(
        noted,
        [
            ("claim-bare".to_string(), "unverified".to_string()),
            ("claim-checked-up".to_string(), "unverified".to_string()),
            ("absorbed".to_string(), "no-impact".to_string()),
        ]
    );
    let relationship = |from: &str, kind: &str, to: &str| {
        objects
            .iter()
            .find(|o| {
                o["type"] == "relationship"
                    && o["source_ref"] == from
                    && o["relationship_type"] == kind
                    && o["target_ref"] == to
            })
            .unwrap_or_else(|| panic!("no {from} {kind} {to}"))
            .clone()
    };
    let (rcat, pca) = (
        id_of("threat-actor", "Russian Cyber Army Team"),
        id_of("threat-actor", "People's Cyber Army"),
    );
    let (t_a, t_c, t_d) = (
        id_of("identity", "Target t-a"),
        id_of("identity", "Target t-c"),
        id_of("identity", "Target t-d"),
    );
    let attributed = relationship(&rcat, "targets", &t_a);
    assert_eq!(
        (attributed["confidence"].as_u64(), text(&attributed["x_sitrep_basis"])),
        (Some(70), "attributed".into())
    );
    // A claim keeps its source as an external reference; its confidence is the word's.
    let claimed = relationship(&pca, "targets", &t_c);
    assert_eq!(claimed["confidence"].as_u64(), Some(15));
    assert_eq!(claimed["external_references"][0]["url"], "https://example.org/claim");
    let announced = relationship(&rcat, "targets", &t_d);
    assert_eq!(text(&announced["x_sitrep_basis"]), "announced");
    assert_eq!(announced["external_references"][0]["source_name"], "A channel");
    // Related actors: STIX relationships between the two threat actors.
    let same = relationship(&pca, "duplicate-of", &rcat);
    assert_eq!(same["x_sitrep_relation"], "same-as");
    assert_eq!(same["external_references"][0]["url"], "https://example.org/same");
    relationship(&rcat, "duplicate-of", &pca);
    let part = relationship(&id_of("threat-actor", "Cell"), "related-to", &rcat);
    assert_eq!(part["x_sitrep_relation"], "part-of");
}

#[test]
fn csv_and_feed_say_impact_and_status() {
    let dir = built();
    let csv = read(&dir, "incidents.csv");
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let (impact, status) = (
        header.iter().position(|h| *h == "impact").unwrap(),
        header.iter().position(|h| *h == "status").unwrap(),
    );
    let absorbed = csv.lines().find(|l| l.starts_with("absorbed,")).unwrap();
    let cells: Vec<&str> = absorbed.split(',').collect();
    assert_eq!((cells[impact], cells[status]), ("none", "no-impact"), "{absorbed}");
    assert!(csv.contains("\"pca (claimed, confidence 15)\""), "{csv}");
    let feed = read(&dir, "feed.xml");
    assert!(
        feed.contains("Unverified claim: nothing shows the target went down. Started Tue 27 Aug 2024;"),
        "{feed}"
    );
    assert!(
        feed.contains("<category term=\"no-impact\" label=\"status\"/>"),
        "{feed}"
    );
}

#[test]
fn diff_lists_impact_and_status_changes() {
    let base = fixture("valid/claims");
    let head = fixture("valid/claims");
    let path = head.path().join("content/incidents/claim-checked-up.yaml");
    let text = fs::read_to_string(&path).unwrap();
    // A source saw it down: the claim is verified.
    fs::write(
        &path,
        text.replace("impact: unknown\n", "impact: outage\n").replace(
            "observations:\n",
            "observations:\n  - at: 2024-08-27T12Z\n    state: down\n",
        ),
    )
    .unwrap();
    let (code, out, err) = stdout_of(sitrep().arg("diff").arg(base.path()).arg(head.path()));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("  - status: unverified → ended"), "{out}");
    assert!(out.contains("  - impact: unknown → outage"), "{out}");
    assert!(out.contains("| Unverified claims | 2 | 1 **changed** |"), "{out}");
}

/// Writes `files` into a copy of the claims fixture and runs `check`.
fn check_with(files: &[(&str, &str)]) -> (i32, String) {
    let dir = fixture("valid/claims");
    for (path, text) in files {
        fs::write(dir.path().join("content").join(path), text).unwrap();
    }
    let (code, out, err) = stdout_of(sitrep().args(["check", "--root"]).arg(dir.path()));
    (code, out + &err)
}

#[test]
fn each_contradiction_of_the_impact_is_an_error_at_the_later_field_with_a_hint() {
    let incident = |body: &str| {
        format!("title: T\nattack: [ddos]\ntargets: [t-a]\n{body}sources:\n  - id: s\n    url: https://example.org/\n")
    };
    for (body, line, message, hint) in [
        (
            "impact: none\nstarted: 2024-08-25\nobservations:\n  - at: 2024-08-25T12\n    state: down\n",
            8,
            "`impact: none` says the target stayed available, but this observation (2024-08-25T12) saw it down",
            "write `impact: outage`",
        ),
        (
            "started: 2024-08-25\nobservations:\n  - at: 2024-08-25T12\n    state: down\nimpact: none\n",
            8,
            "`impact: none` says the target stayed available",
            "write `impact: outage` (or `degraded`), or remove the observation",
        ),
        (
            "impact: none\nstarted: 2024-08-25\nended: 2024-08-26\n",
            6,
            "`impact: none` says there was no outage, but `ended` (2024-08-26) says when one ended",
            "remove `ended`",
        ),
        (
            "started: 2024-08-25\nobservations:\n  - at: 2024-08-25T12\n    state: down\nimpact: unknown\n",
            8,
            "`impact: unknown` says nobody verified an outage, but this observation (2024-08-25T12) saw the target down",
            "a `down` observation verifies it",
        ),
    ] {
        let (code, out) = check_with(&[("incidents/bad.yaml", &incident(body))]);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains(&format!("content/incidents/bad.yaml:{line}:")), "line {line}: {out}");
        assert!(out.contains(message), "{out}");
        assert!(out.contains(&format!("help: {hint}")), "{out}");
    }
}

#[test]
fn bad_intervals_confidence_sources_and_relations_are_errors_with_file_and_line() {
    let incident = |actors: &str, started: &str| {
        format!("title: T\nattack: [ddos]\ntargets: [t-a]\nactors:\n{actors}started: {started}\nsources:\n  - id: s\n    url: https://example.org/\n")
    };
    for (path, text, at, message) in [
        (
            "incidents/bad.yaml",
            incident("", "2024-08-26/2024-08-25"),
            "content/incidents/bad.yaml:5:10",
            "the interval `2024-08-26/2024-08-25` is empty",
        ),
        (
            "incidents/bad.yaml",
            incident("", "2024-08-26T12/2024-08-26T11"),
            "content/incidents/bad.yaml:5:10",
            "write the earlier time first",
        ),
        (
            "incidents/bad.yaml",
            incident("", "2024-09-05/.."),
            "content/incidents/bad.yaml:5:10",
            "is wholly after as_of",
        ),
        (
            "incidents/bad.yaml",
            incident("", "../2024-08-25"),
            "content/incidents/bad.yaml:5:10",
            "an interval needs a start",
        ),
        (
            "incidents/bad.yaml",
            incident(
                "  - actor: rcat\n    basis: claimed\n    confidence: 101\n",
                "2024-08-25",
            ),
            "content/incidents/bad.yaml:7:17",
            "confidence 101 is not from 0 to 100",
        ),
        (
            "incidents/bad.yaml",
            incident(
                "  - actor: rcat\n    basis: claimed\n    confidence: sure\n",
                "2024-08-25",
            ),
            "content/incidents/bad.yaml:7:17",
            "`sure` is not a confidence",
        ),
        (
            "incidents/bad.yaml",
            incident(
                "  - actor: rcat\n    basis: claimed\n    source: nowhere\n",
                "2024-08-25",
            ),
            "content/incidents/bad.yaml:7:13",
            "no source of this incident has the id `nowhere`",
        ),
        (
            "incidents/bad.yaml",
            incident("  - actor: rcat\n    basis: boasted\n", "2024-08-25"),
            "content/incidents/bad.yaml:6:12",
            "announced",
        ),
        (
            "actors/self.yaml",
            "name: Self\nrelations:\n  - actor: self\n    kind: same-as\n".to_string(),
            "content/actors/self.yaml:3:12",
            "actor `self` is related to itself",
        ),
        (
            "actors/lost.yaml",
            "name: Lost\nrelations:\n  - actor: rcta\n    kind: allied-with\n".to_string(),
            "content/actors/lost.yaml:3:12",
            "no actor has the id `rcta`",
        ),
        (
            "site.yaml",
            "title: T\nbase_url: https://example.org/\nas_of: 2024-08-26/..\n".to_string(),
            "content/site.yaml:3:8",
            "`as_of` (2024-08-26/..) cannot be open-ended",
        ),
    ] {
        let (code, out) = check_with(&[(path, &text)]);
        assert_eq!(code, 1, "{message}: {out}");
        assert!(out.contains(&format!("{at}: error: ")), "{at}: {out}");
        assert!(out.contains(message), "{message}: {out}");
        assert!(!out.contains("panicked"), "{out}");
    }
}
