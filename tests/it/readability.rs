//! Readability at a glance (part of the readability issue): tables newest
//! first with an interval sort key for "how long", times that never break
//! inside, and projects that own only
//! what they changed (`init` copies no template, `new incident` passes
//! `check` as written).

use std::fs;

use crate::common::*;

/// The incident ids of a page's table rows, in page order.
fn row_ids(html: &str) -> Vec<String> {
    html.split("<th scope=\"row\" data-label=\"Incident\">\n<a href=\"")
        .skip(1)
        .map(|s| {
            s.split('"')
                .next()
                .unwrap()
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn tables_list_the_newest_first_and_say_so() {
    let dir = built("valid/claims");
    let site = dir.path().join("site");
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(site.join("incidents.json")).unwrap()).unwrap();
    let mut oldest_first: Vec<String> = json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    oldest_first.reverse();
    for page in ["index.html", "incidents/index.html"] {
        let html = fs::read_to_string(site.join(page)).unwrap();
        assert_eq!(row_ids(&html), oldest_first, "{page}");
        assert!(html.contains("newest first</caption>"), "{page}");
        assert!(
            html.contains("<th scope=\"col\" aria-sort=\"descending\">When</th>"),
            "{page}"
        );
    }
}

#[test]
fn how_long_sorts_by_the_bounds_as_an_interval() {
    let dir = built("valid/claims");
    let html = fs::read_to_string(dir.path().join("site/incidents/index.html")).unwrap();
    // Lower bound, then upper; an open upper bound sorts after every bounded one.
    for (id, key) in [
        ("weekend-outage", "0 259200"),
        ("absorbed", "0 0"),
        ("claim-bare", "0 4611686018427387903"),
        ("degraded-open", "104400 4611686018427387903"),
    ] {
        let row = &html[html.find(&format!("incidents/{id}/")).unwrap()..];
        let cell = &row[row.find("data-label=\"How long\"").unwrap()..];
        assert!(
            cell.starts_with(&format!("data-label=\"How long\" data-sort=\"{key}\">")),
            "{id}: {}",
            &cell[..60]
        );
    }
}

#[test]
fn times_in_words_never_break_inside() {
    let dir = built("valid/claims");
    let page = fs::read_to_string(dir.path().join("site/incidents/weekend-outage/index.html")).unwrap();
    assert!(
        page.contains(">between Sat\u{a0}24 and Sun\u{a0}25\u{a0}Aug\u{a0}2024</time>"),
        "{page}"
    );
    assert!(
        page.contains(">Mon\u{a0}26\u{a0}Aug\u{a0}2024, 12:00–24:00\u{a0}CEST</time>"),
        "{page}"
    );
}

#[test]
fn lane_labels_keep_the_part_that_tells_two_long_names_apart() {
    let dir = fixture("valid/claims");
    let c = dir.path().join("content");
    for (id, name) in [
        ("t-a", "Ministry of Health of the Republic – Region A"),
        ("t-b", "Ministry of Health of the Republic – Region B"),
        ("t-c", "A public service information portal"),
    ] {
        fs::write(c.join(format!("targets/{id}.yaml")), format!("name: {name}\n")).unwrap();
    }
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let home = fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    let labels: Vec<&str> = home
        .split("<text class=\"lane-label\" x=\"4\" y=\"")
        .skip(1)
        .map(|s| &s[s.find('>').unwrap() + 1..s.find("<title>").unwrap()])
        .collect();
    assert!(
        labels
            .iter()
            .any(|l| l.starts_with("Ministry") && l.ends_with("Region A")),
        "{labels:?}"
    );
    assert!(labels.iter().any(|l| l.ends_with("Region B")), "{labels:?}");
    // A long name with no look-alike keeps its start.
    assert!(labels.contains(&"A public service informat…"), "{labels:?}");
    // Every full name is in the label's title.
    assert!(home.contains("<title>Ministry of Health of the Republic – Region A</title>"));
}

/// The incident timeline of an incident page: the SVG and its legend.
fn incident_timeline(dir: &tempfile::TempDir, id: &str) -> (String, String) {
    let page = fs::read_to_string(dir.path().join(format!("site/incidents/{id}/index.html"))).unwrap();
    let start = page
        .find("<svg class=\"timeline incident-timeline\"")
        .unwrap_or_else(|| panic!("{id}: no timeline"));
    let rest = &page[start..];
    let end = rest.find("</svg>").unwrap();
    let legend_end = rest.find("</ul>").unwrap();
    (rest[..end].to_string(), rest[end..legend_end].to_string())
}

/// The numbers of attribute `name` on the elements of `class` in `svg`.
fn attr(svg: &str, class: &str, name: &str) -> Vec<f64> {
    svg.split(&format!("class=\"{class}\""))
        .skip(1)
        .filter_map(|s| {
            let tag = &s[..s.find('>').unwrap_or(s.len())];
            let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            tag[at..].split('"').next()?.parse().ok()
        })
        .collect()
}

#[test]
fn every_incident_page_draws_its_own_timeline_scaled_to_the_incident() {
    let dir = built("valid/claims");
    // An outage with two observations: hatched where possible, both
    // observations marked, no claim or open end. Its down observation is an
    // interval, so no moment is certain (its minimum is 0 in expected.tsv):
    // nothing is drawn solid.
    let (svg, legend) = incident_timeline(&dir, "weekend-outage");
    // The down observation is an interval: drawn as that range, not a point.
    assert_eq!(attr(&svg, "obs-down span", "width").len(), 1, "{svg}");
    assert!(attr(&svg, "obs-down", "cx").is_empty(), "{svg}");
    assert_eq!(svg.matches("class=\"obs-up").count(), 1, "{svg}");
    let possible = attr(&svg, "possible", "width");
    assert_eq!(possible.len(), 1, "{svg}");
    // Scaled to this incident: its bar takes most of the 560-wide drawing
    // (the site's other incidents run until days later).
    assert!(possible[0] > 300.0 && possible[0] <= 532.0, "{svg}");
    assert!(attr(&svg, "certain", "width").is_empty(), "{svg}");
    assert!(!svg.contains("claim-mark") && !svg.contains("open-end"), "{svg}");
    assert!(svg.contains("aria-describedby=\"facts\""), "{svg}");
    for words in ["possibly down", "seen down", "seen up"] {
        assert!(legend.contains(words), "{words}: {legend}");
    }
    assert!(!legend.contains("certainly down"), "{legend}");
    assert!(!legend.contains("unverified claim"), "{legend}");
    // Every coordinate falls inside the drawing.
    for x in attr(&svg, "possible", "x")
        .into_iter()
        .chain(attr(&svg, "obs-down", "cx"))
    {
        assert!((0.0..=560.0).contains(&x), "{x}: {svg}");
    }

    // A bare claim: the claim's outline and mark, the claim's date as a
    // statement, never an outage bar.
    let (svg, legend) = incident_timeline(&dir, "claim-bare");
    assert!(svg.contains("class=\"claim-mark\""), "{svg}");
    assert!(
        !svg.contains("class=\"possible\"") && !svg.contains("class=\"certain\""),
        "{svg}"
    );
    // Written to the hour, it is drawn as that hour (wide enough to see).
    assert!(svg.contains("class=\"statement span claimed\""), "{svg}");
    assert!(svg.contains("claimed it: 2024-08-27T09+05:30"), "{svg}");
    assert!(legend.contains("an unverified claim"), "{legend}");
    assert!(legend.contains("when an actor said it"), "{legend}");
    assert!(!legend.contains("certainly down"), "{legend}");

    // An ongoing outage runs to `as_of`, with its open end.
    let (svg, legend) = incident_timeline(&dir, "degraded-open");
    assert!(svg.contains("class=\"open-end\""), "{svg}");
    assert!(legend.contains("an outage not known to have ended"), "{legend}");
}
