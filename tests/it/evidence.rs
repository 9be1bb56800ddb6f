//! Evidence as real reporting gives it (docs/format.md: statements,
//! `attacked`, totals), on `tests/fixtures/valid/evidence`: a two-hour
//! outage claimed on Telegram and attributed by a vendor ten days later, a
//! week-long ransom-note claim on the same target, an `up` "as of writing"
//! that overlaps its `down`, and a target seen in DDoSia's lists.

use std::fs;

use serde_json::Value;

use crate::common::{self, *};

fn built() -> tempfile::TempDir {
    common::built("valid/evidence")
}

/// The fixture with one incident's text edited: `from` replaced by `to`.
fn edited(incident: &str, from: &str, to: &str) -> tempfile::TempDir {
    let dir = fixture("valid/evidence");
    let file = dir.path().join(format!("content/incidents/{incident}.yaml"));
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{incident}: no `{from}`");
    fs::write(&file, text.replace(from, to)).unwrap();
    dir
}

/// The number written right after the first `before` in `text` (an
/// attribute's value).
fn number_after(text: &str, before: &str) -> f64 {
    let rest = text
        .split(before)
        .nth(1)
        .unwrap_or_else(|| panic!("no {before} in {text}"));
    rest.split('"').next().unwrap().parse().unwrap()
}

/// `sitrep check --format github`: exit code and annotations.
fn check_github(dir: &tempfile::TempDir) -> (i32, String) {
    let (code, out, _) = stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(dir.path()));
    (code, out)
}

fn incident<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

#[test]
fn several_statements_per_actor_each_with_its_source_and_time() {
    let dir = built();
    let json: Value = serde_json::from_str(&read(&dir, "incidents.json")).unwrap();
    let actors = incident(&json, "portal-outage")["actors"].as_array().unwrap().clone();
    let said: Vec<(String, String, String)> = actors
        .iter()
        .map(|a| {
            (
                a["basis"].as_str().unwrap().to_string(),
                a["source"].as_str().unwrap().to_string(),
                a["at"]["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        said,
        [
            ("announced", "telegram", "2023-06-03/2023-06-04"),
            ("claimed", "telegram", "2023-06-05"),
            ("attributed", "vendor", "2023-06-16"),
        ]
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    );
    assert_eq!(actors[2]["confidence"], 85);
    assert_eq!(actors[0]["at"]["earliest"], "2023-06-03T00:00:00Z");
    assert_eq!(actors[0]["at"]["latest"], "2023-06-05T00:00:00Z");
    // A row names the actor once, with every basis.
    let row_page = read(&dir, "targets/portal/index.html");
    let row = row_page
        .split("<tr class=\"ended\">")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert_eq!(row.matches("actors/storm/").count(), 1, "{row}");
    for basis in ["announced", "claimed", "attributed, 85%"] {
        assert!(row.contains(&format!(">{basis}</span>")), "{basis}: {row}");
    }
    // The incident page lists every statement in time order, with who
    // says so (linked to the source) and when.
    let page = read(&dir, "incidents/portal-outage/index.html");
    let list = page
        .split("<ol class=\"statements\">")
        .nth(1)
        .unwrap()
        .split("</ol>")
        .next()
        .unwrap();
    let at = |needle: &str| list.find(needle).unwrap_or_else(|| panic!("{needle}: {list}"));
    assert!(
        at("announced") < at("claimed") && at("claimed") < at("attributed"),
        "{list}"
    );
    assert!(list.contains("per <a href=\"https://vendor.example/blog/june\" rel=\"noopener noreferrer\">The vendor</a>, <time datetime=\"2023-06-16\">Fri 16 Jun 2023</time>"), "{list}");
    assert!(
        list.contains("between Sat 3 and Sun 4 Jun 2023"),
        "an interval is said as one: {list}"
    );
    assert!(
        page.contains("href=\"https://archive.example/telegram-post\" rel=\"noopener noreferrer\">archived copy</a>"),
        "{page}"
    );
    // STIX: the actor `targets` the portal once per basis (the claim and
    // the vendor's attribution are two relationships, kept apart), each
    // with its confidence and the source of its statement.
    let stix: Value = serde_json::from_str(&read(&dir, "stix.json")).unwrap();
    let targets: Vec<&Value> = stix["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| {
            o["type"] == "relationship" && o["relationship_type"] == "targets" && o["x_sitrep_basis"].is_string()
        })
        .collect();
    let bases: std::collections::BTreeSet<&str> =
        targets.iter().map(|o| o["x_sitrep_basis"].as_str().unwrap()).collect();
    assert!(
        bases.is_superset(&["announced", "claimed", "attributed"].into()),
        "{bases:?}"
    );
    let attributed = targets
        .iter()
        .find(|o| o["x_sitrep_basis"] == "attributed" && o["confidence"] == 85)
        .unwrap();
    assert!(
        attributed.to_string().contains("https://vendor.example/blog/june"),
        "{attributed}"
    );
    // The search result line says how long the attack was seen.
    let search: String = fs::read_dir(dir.path().join("site/search/d"))
        .unwrap()
        .map(|e| fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(search.contains("attacked for at least 3 d 3 h"), "{search}");
}

#[test]
fn the_same_actor_basis_and_source_twice_is_one_error_at_the_later_line() {
    let dir = edited(
        "portal-outage",
        "impact: outage\n",
        "  - actor: storm\n    basis: claimed\n    source: telegram\nimpact: outage\n",
    );
    let (code, out) = check_github(&dir);
    assert_eq!(code, 1, "{out}");
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(errors.len(), 1, "{out}");
    assert!(
        errors[0].contains("portal-outage.yaml,line=21,") && errors[0].contains("repeats statement 2"),
        "{out}"
    );
}

#[test]
fn the_attack_seen_under_way_is_shown_and_exported() {
    let dir = built();
    let json: Value = serde_json::from_str(&read(&dir, "incidents.json")).unwrap();
    // From the first sighting's end (08:00:01) to the last one's start
    // (12:00:00, three days later): 3 d 4 h less a second.
    assert_eq!(
        incident(&json, "airport-listed")["attacked_seconds"]["min"],
        3 * 86_400 + 4 * 3600 - 1
    );
    assert_eq!(incident(&json, "portal-outage")["attacked_seconds"], Value::Null);
    let home = read(&dir, "index.html");
    assert!(
        home.contains(
            "attacked for at least 3 d 3 h (seen from Sat 10 Jun 2023, 08:00:00 UTC to Tue 13 Jun 2023, 12:00:00 UTC)"
        ),
        "{home}"
    );
    let page = read(&dir, "incidents/airport-listed/index.html");
    assert!(page.contains("<dt>Attack seen</dt>"), "{page}");
    assert!(page.contains("class=\"obs-attacked\""), "a mark of its own: {page}");
    assert!(page.contains("the attack seen under way"), "in the legend: {page}");
    // Seen before it started: an error.
    let dir = edited("airport-listed", "at: 2023-06-13T12:00:00Z", "at: 2023-06-01");
    let (code, out) = check_github(&dir);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("`attacked` observation (2023-06-01) is wholly before `started`"),
        "{out}"
    );
}

#[test]
fn an_up_that_bounds_nothing_is_a_warning_that_says_what_to_write() {
    let dir = fixture("valid/evidence");
    let (code, out) = check_github(&dir);
    assert_eq!(code, 0, "{out}");
    let warning = out
        .lines()
        .find(|l| l.contains("mail-overlap.yaml"))
        .unwrap_or_else(|| panic!("no warning: {out}"));
    assert!(
        warning.starts_with("::warning file=content/incidents/mail-overlap.yaml,line=12,"),
        "{warning}"
    );
    assert!(
        warning.contains("bounds nothing") && warning.contains("ended: 2023-06-08/2023-06-09"),
        "{warning}"
    );
}

#[test]
fn totals_count_outages_and_state_unverified_claims_apart() {
    let dir = built();
    let json: Value = serde_json::from_str(&read(&dir, "incidents.json")).unwrap();
    let portal = &json["totals"]["targets"]["portal"];
    // The two-hour outage: certain 1 h (15:00–16:00), possible 3 h; the
    // ransom note's week (20 to 27 June, whole days: 8 d) apart from it.
    assert_eq!(portal["downtime_seconds"]["min"], 3600);
    assert_eq!(portal["downtime_seconds"]["max"], 3 * 3600);
    assert_eq!(portal["unverified_seconds"]["max"], 8 * 86_400);
    // The overlapping `up` bounds nothing: the webmail is open-ended.
    assert_eq!(
        json["totals"]["targets"]["mail"]["downtime_seconds"]["max"],
        Value::Null
    );
    // The airport has only a claim, not known to be over.
    assert_eq!(json["totals"]["targets"]["airport"]["downtime_seconds"]["max"], 0);
    assert_eq!(
        json["totals"]["targets"]["airport"]["unverified_seconds"]["max"],
        Value::Null
    );
    assert_eq!(json["totals"]["actors"]["storm"], *portal);
    assert!(json["totals"]["site"].is_object() && json["totals"]["campaigns"]["june"].is_object());
    // The pages say the same, in words.
    let page = read(&dir, "targets/portal/index.html");
    assert!(
        page.contains("between 1 h and 3 h; and up to 8 d more in unverified claims"),
        "{page}"
    );
}

#[test]
fn the_feed_dates_an_entry_by_the_latest_fact_it_holds() {
    let dir = built();
    let feed = read(&dir, "feed.xml");
    let entry = |title: &str| {
        let at = feed.find(&format!("<title>{title}</title>")).unwrap();
        let updated = feed[at..]
            .split("<updated>")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string();
        (at, updated)
    };
    // Started on 5 June, attributed on 16 June: dated the 16th's end, and
    // listed above incidents that started later but say nothing newer.
    let (outage_at, outage_updated) = entry("Cloud portal down for two hours");
    assert_eq!(outage_updated, "2023-06-17T00:00:00Z");
    let (mail_at, _) = entry("Webmail down, restored as of writing");
    let (airport_at, _) = entry("Airport listed as a DDoSia target");
    assert!(outage_at < airport_at && outage_at < mail_at, "{feed}");
}

#[test]
fn an_end_written_as_a_day_reads_as_that_day() {
    let dir = edited(
        "portal-outage",
        "ended: 2023-06-05T16Z",
        "ended: 2023-06-05T21:30Z/2023-06-06",
    );
    let (code, _, err) = stdout_of(sitrep().args(["build", "--root"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
    let page = fs::read_to_string(dir.path().join("site/incidents/portal-outage/index.html"))
        .unwrap()
        .replace('\u{a0}', " ");
    assert!(
        page.contains("from Mon 5 Jun 2023, 21:30 to the end of Tue 6 Jun 2023"),
        "{page}"
    );
    assert!(!page.contains("Wed 7 Jun"), "a date no source gave: {page}");
}

#[test]
fn a_short_outage_stays_readable_beside_late_statements_and_ranges_are_drawn_as_ranges() {
    let dir = built();
    let page = read(&dir, "incidents/portal-outage/index.html");
    let svg = page
        .split("<svg class=\"timeline incident-timeline\"")
        .nth(1)
        .unwrap()
        .split("</svg>")
        .next()
        .unwrap();
    let width = |class: &str| -> f64 {
        let tag = svg
            .split(&format!("<rect class=\"{class}\""))
            .nth(1)
            .unwrap_or_else(|| panic!("{class}: {svg}"));
        number_after(tag, "width=\"")
    };
    // The certain hour of a two-hour outage, whose attribution came ten
    // days later: wide enough to see (it was a sliver).
    assert!(width("certain") >= 15.0, "{svg}");
    assert!(width("possible") >= 45.0, "{svg}");
    // The announcement "over the weekend" and the attribution on the 16th
    // lie far from it: not drawn, and the page says so.
    assert!(
        page.contains("Not drawn, to keep the outage readable: 2 statements"),
        "{page}"
    );
    // The claim, made "on the 5th" (a whole day), is drawn as that day.
    assert!(width("statement span claimed") > 100.0, "{svg}");
}

#[test]
fn spans_are_in_words_and_no_tick_lies_past_as_of() {
    let dir = built();
    let campaign = read(&dir, "campaigns/june/index.html");
    assert!(
        campaign.contains("<dd>after 14:00 UTC on Mon 5 Jun 2023, ongoing</dd>"),
        "{campaign}"
    );
    for page in [
        "index.html",
        "campaigns/june/index.html",
        "incidents/mail-overlap/index.html",
    ] {
        let html = read(&dir, page);
        let axis = html
            .split("<g class=\"axis\">")
            .nth(1)
            .unwrap()
            .split("</g>")
            .next()
            .unwrap();
        let as_of = number_after(axis, "class=\"as-of\" x1=\"");
        for text in axis.split("<text").skip(1) {
            let x = number_after(text, "x=\"");
            assert!(x <= as_of, "{page}: a tick at {x} past as_of at {as_of}: {axis}");
        }
    }
}
