//! Integration tests: the real `sitrep` binary on real folders.
//!
//! Fixtures live in `tests/fixtures/{valid,invalid}/<case>/`; each is copied to
//! a temporary folder before a run. Invalid fixtures carry `expected.github`,
//! the exact `check --format github` output (file, line, column, message);
//! set `UPDATE_EXPECT=1` to rewrite them after a reviewed change.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{self, *};

// ---- the example and the committed site ----

#[test]
fn committed_site_is_built_from_content() {
    // Guards against a `site/` that no longer matches `content/` or the code.
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    sitrep()
        .arg("build")
        .arg("--root")
        .arg(repo())
        .arg("--out")
        .arg(&site)
        .assert()
        .success();
    let fresh = tree(&site);
    let committed = tree(&repo().join("site"));
    let names = |t: &BTreeMap<String, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&fresh),
        names(&committed),
        "site/ is stale: run `cargo run --release -- build`"
    );
    for (name, bytes) in &fresh {
        assert!(
            committed[name] == *bytes,
            "site/{name} is stale: run `cargo run --release -- build`"
        );
    }
}

#[test]
fn example_has_a_page_for_every_record() {
    let dir = fixture("example");
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let site = dir.path().join("site");
    for (folder, ids) in [
        (
            "incidents",
            vec![
                "ansm-ddos",
                "syane-ddos",
                "service-public-ddos",
                "la-voix-du-nord-ddos",
                "confederation-paysanne-ddos",
            ],
        ),
        (
            "targets",
            vec![
                "ansm",
                "syane",
                "service-public",
                "la-voix-du-nord",
                "confederation-paysanne",
            ],
        ),
        ("actors", vec!["russian-cyber-army-team"]),
        ("campaigns", vec!["opdurov"]),
        ("notes", vec!["reading-the-times", "who-is-behind-opdurov"]),
    ] {
        assert!(site.join(folder).join("index.html").is_file(), "{folder}/index.html");
        for id in ids {
            assert!(site.join(folder).join(id).join("index.html").is_file(), "{folder}/{id}");
        }
    }
    let home = fs::read_to_string(site.join("index.html")).unwrap();
    for name in [
        "ANSM",
        "Syane",
        "La Voix du Nord",
        "Confédération Paysanne",
        "Russian Cyber Army Team",
        "<svg",
    ] {
        assert!(home.contains(name), "home page lacks {name}");
    }
    for file in [
        "incidents.json",
        "incidents.csv",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        ".nojekyll",
        "assets/style.css",
    ] {
        assert!(site.join(file).is_file(), "{file}");
    }
}

#[test]
fn builds_are_byte_identical_whatever_the_environment() {
    let dir = fixture("example");
    let a = dir.path().join("out-a");
    let b = dir.path().join("elsewhere/deeper/out-b");
    sitrep()
        .args(["build", "--root"])
        .arg(dir.path())
        .arg("--out")
        .arg(&a)
        .env("TZ", "America/New_York")
        .env("LANG", "fr_FR.UTF-8")
        .env("RAYON_NUM_THREADS", "1")
        .assert()
        .success();
    sitrep()
        .args(["build", "--root"])
        .arg(dir.path())
        .arg("--out")
        .arg(&b)
        .env("TZ", "Asia/Tokyo")
        .env("LANG", "C")
        .env("RAYON_NUM_THREADS", "7")
        .assert()
        .success();
    assert!(tree(&a) == tree(&b), "two builds differ");
}

// ---- time rules (docs/format.md, "Times") ----

#[test]
fn time_rules_give_the_expected_bounds() {
    let dir = fixture("valid/time-rules");
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let json: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("site/incidents.json")).unwrap()).unwrap();
    assert_eq!(json["as_of"], "2024-11-01T23:00:00Z");
    let text = |v: &Value| match v {
        Value::Null => "null".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let got: Vec<String> = json["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            [
                text(&i["id"]),
                text(&i["status"]),
                text(&i["duration_seconds"]["min"]),
                text(&i["duration_seconds"]["max"]),
                text(&i["start"]["earliest"]),
                text(&i["start"]["latest"]),
                text(&i["end"]["earliest"]),
                text(&i["end"]["latest"]),
            ]
            .join("\t")
        })
        .collect();
    let expected = common::expected_lines("tests/fixtures/valid/time-rules/expected.tsv");
    assert_eq!(got, expected);
}

#[test]
fn overlapping_incidents_count_once_on_their_target() {
    let dir = fixture("valid/time-rules");
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let page = fs::read_to_string(dir.path().join("site/targets/t-overlap/index.html")).unwrap();
    // Certain union 5 h 59 min, possible union 6 h 1 min (not 7 h 58 min–8 h 2 min).
    assert!(page.contains("6 h ± 1 min"), "{page}");
}

#[test]
fn incidents_json_has_the_spec_shape() {
    let dir = fixture("valid/time-rules");
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let json: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("site/incidents.json")).unwrap()).unwrap();
    let first = &json["incidents"][2];
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    let spec = [
        "id",
        "title",
        "campaign",
        "attack",
        "targets",
        "actors",
        "started",
        "ended",
        "start",
        "end",
        "impact",
        "status",
        "duration_seconds",
        "attacked_seconds",
        "url",
    ];
    assert_eq!(keys.len(), spec.len(), "{keys:?}");
    // The keys come in the order docs/format.md ("Exports") lists them.
    let raw = fs::read_to_string(dir.path().join("site/incidents.json")).unwrap();
    let object = &raw[raw.find("\"id\": \"date-start-hour-end\"").unwrap()..];
    let positions: Vec<usize> = spec[1..]
        .iter()
        .map(|k| object.find(&format!("\n      \"{k}\": ")).unwrap_or(0))
        .collect();
    assert!(positions.iter().all(|&p| p > 0), "{positions:?}");
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert_eq!(first["started"]["value"], "2024-08-25");
    assert_eq!(first["started"]["earliest"], "2024-08-24T22:00:00Z");
    assert_eq!(first["ended"]["value"], "2024-08-26T10");
    assert_eq!(first["url"], "https://example.org/time/incidents/date-start-hour-end/");
    assert!(first["campaign"].is_null());
}

// ---- output safety ----

#[test]
fn a_failed_build_keeps_the_previous_site() {
    let dir = fixture("valid/time-rules");
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let before = tree(&dir.path().join("site"));
    fs::write(
        dir.path().join("content/incidents/zulu-minutes.yaml"),
        "title: [broken\n",
    )
    .unwrap();
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().code(1);
    assert!(tree(&dir.path().join("site")) == before, "the previous site changed");
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("sitrep-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn dangerous_output_folders_are_refused() {
    let dir = fixture("valid/time-rules");
    let root = dir.path();
    let content_before = tree(&root.join("content"));
    for out in [
        PathBuf::from("/"),
        root.to_path_buf(),
        root.join("content"),
        root.join("content/incidents"),
        root.join("templates"),
        root.join(".."),
    ] {
        let (code, _, stderr) = stdout_of(sitrep().arg("build").arg("--root").arg(root).arg("--out").arg(&out));
        assert_eq!(code, 2, "{}: {stderr}", out.display());
        assert!(stderr.contains("refusing"), "{stderr}");
    }
    let home = root.join("home");
    fs::create_dir(&home).unwrap();
    let (code, _, stderr) = stdout_of(
        sitrep()
            .arg("build")
            .arg("--root")
            .arg(root)
            .arg("--out")
            .arg(&home)
            .env("HOME", &home),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(tree(&root.join("content")) == content_before);
}

// ---- links and escaping ----

/// Every `href`/`src` of every page that points inside the site resolves to a file.
fn assert_links_resolve(site: &Path, base_path: &str) {
    let files = tree(site);
    for (name, bytes) in &files {
        if !name.ends_with(".html") || name == "404.html" {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        for attr in ["href=\"", "src=\""] {
            for piece in html.split(attr).skip(1) {
                let link = &piece[..piece.find('"').unwrap()];
                if link.starts_with("http") || link.starts_with("mailto:") || link.starts_with('#') {
                    continue;
                }
                let link = link.split('#').next().unwrap();
                let mut path: Vec<&str> = name.split('/').collect();
                path.pop();
                let target = if let Some(abs) = link.strip_prefix(base_path) {
                    abs.to_string()
                } else {
                    assert!(!link.starts_with('/'), "{name}: {link} escapes the base path");
                    for part in link.split('/') {
                        match part {
                            ".." => {
                                assert!(path.pop().is_some(), "{name}: {link} climbs above the site root");
                            }
                            "" | "." => {}
                            p => path.push(p),
                        }
                    }
                    path.join("/")
                };
                let file = if target.is_empty() || link.ends_with('/') || target.ends_with('/') {
                    format!(
                        "{}index.html",
                        if target.is_empty() {
                            String::new()
                        } else {
                            format!("{}/", target.trim_end_matches('/'))
                        }
                    )
                } else {
                    target
                };
                assert!(files.contains_key(&file), "{name}: link {link} → {file} does not exist");
            }
        }
    }
}

#[test]
fn every_internal_link_resolves_under_a_sub_path() {
    let dir = fixture("example");
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    assert_links_resolve(&dir.path().join("site"), "/sitrep/");
    let dir = fixture("valid/hostile");
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    assert_links_resolve(&dir.path().join("site"), "/deep/sub/");
    let not_found = fs::read_to_string(dir.path().join("site/404.html")).unwrap();
    assert!(not_found.contains("href=\"/deep/sub/assets/style.css\""), "{not_found}");
}

#[test]
fn base_url_can_be_overridden_for_previews() {
    let dir = fixture("example");
    sitrep()
        .args(["build", "--base-url", "https://preview.example/pr-7/", "--root"])
        .arg(dir.path())
        .assert()
        .success();
    let json = fs::read_to_string(dir.path().join("site/incidents.json")).unwrap();
    assert!(json.contains("\"url\": \"https://preview.example/pr-7/incidents/ansm-ddos/\""));
    // A bad --base-url is a usage error, as the README says.
    sitrep()
        .args(["build", "--base-url", "javascript:x", "--root"])
        .arg(dir.path())
        .assert()
        .code(2);
}

#[test]
fn hostile_text_never_becomes_markup_or_a_formula() {
    let dir = fixture("valid/hostile");
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    for (name, bytes) in tree(&dir.path().join("site")) {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        if name.ends_with(".html") || name.ends_with(".xml") {
            // Escaped text has no raw `<`, so every `<…>` here is real markup.
            for tag in text.split('<').skip(1).map(|t| t.split('>').next().unwrap_or_default()) {
                // The only scripts are sitrep's own table and search scripts.
                let own_script = tag.starts_with("script src=\"")
                    && (tag.ends_with("assets/table.js\" defer") || tag.ends_with("assets/search.js\" defer"));
                for bad in ["script", "iframe", "object", "style", "img src=x"] {
                    assert!(!tag.starts_with(bad) || own_script, "{name}: <{tag}>");
                }
                // Attribute names live outside the quoted values.
                let outside: String = tag.split('"').step_by(2).collect();
                for bad in [" onerror", " onclick", " onload", " onmouseover", " style="] {
                    assert!(!outside.contains(bad), "{name}: <{tag}>");
                }
                for bad in ["=\"javascript:", "=\"vbscript:", "=\"data:"] {
                    assert!(!tag.contains(bad), "{name}: <{tag}>");
                }
            }
        }
        if name.ends_with(".csv") {
            for line in text.lines().skip(1) {
                for cell in line.split(',') {
                    let cell = cell.trim_start_matches('"');
                    assert!(!cell.starts_with(['=', '+', '-', '@']), "{name}: formula cell {cell}");
                }
            }
        }
    }
    let feed = fs::read_to_string(dir.path().join("site/feed.xml")).unwrap();
    assert!(feed.contains("&lt;script&gt;"), "escaped text is kept, not dropped");
}

#[test]
fn cname_is_written_when_configured() {
    let dir = fixture("valid/time-rules");
    let site = dir.path().join("content/site.yaml");
    fs::write(
        &site,
        fs::read_to_string(&site).unwrap() + "cname: incidents.example.org\n",
    )
    .unwrap();
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    assert_eq!(
        fs::read_to_string(dir.path().join("site/CNAME")).unwrap(),
        "incidents.example.org\n"
    );
    assert!(dir.path().join("site/.nojekyll").is_file());
}

// ---- limits and symlinks ----

#[test]
fn oversized_files_and_symlinks_out_of_content_are_refused() {
    let dir = fixture("valid/time-rules");
    let huge = dir.path().join("content/incidents/huge.yaml");
    let mut text = String::from("title: huge\nsummary: |\n");
    while text.len() < 5 * 1024 * 1024 {
        text.push_str("  lorem ipsum dolor sit amet, consectetur adipiscing elit\n");
    }
    fs::write(&huge, text).unwrap();
    let outside = dir.path().join("secret.yaml");
    fs::write(&outside, "title: secret\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, dir.path().join("content/incidents/link.yaml")).unwrap();
    let (code, out, _) = stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(dir.path()));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("file=content/incidents/huge.yaml") && out.contains("more than the limit"),
        "{out}"
    );
    #[cfg(unix)]
    assert!(
        out.contains("file=content/incidents/link.yaml") && out.contains("points outside content/"),
        "{out}"
    );
}

/// A record that is a link to a file inside `content/` is read through the
/// link (the walk's fast path opens no link; the link takes the checked way).
#[cfg(unix)]
#[test]
fn a_record_linked_to_a_file_inside_content_is_read() {
    let dir = fixture("valid/time-rules");
    let c = dir.path().join("content");
    fs::create_dir_all(c.join("shared")).unwrap();
    fs::write(
        c.join("shared/real.yaml"),
        "title: Kept elsewhere\nattack: [ddos]\ntargets: [t1]\nstarted: 2024-05-01\nsources:\n  - id: s\n    url: https://example.org/s\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("../shared/real.yaml", c.join("incidents/linked.yaml")).unwrap();
    let (code, out, err) = stdout_of(sitrep().args(["check", "--format", "github", "--root"]).arg(dir.path()));
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("linked.yaml"), "{out}");
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let page = fs::read_to_string(dir.path().join("site/incidents/linked/index.html")).unwrap();
    assert!(page.contains("<h1>Kept elsewhere</h1>"), "{page}");
}

#[test]
fn files_saved_with_a_byte_order_mark_and_crlf_are_read_as_written() {
    // What Notepad on Windows writes.
    let dir = fixture("valid/time-rules");
    fs::write(
        dir.path().join("content/incidents/windows.yaml"),
        "\u{feff}title: Saved on Windows\r\nattack: [ddos]\r\ntargets: [t1]\r\nstarted: 2024-05-01\r\nsources:\r\n  - id: s\r\n    title: T\r\n    url: https://example.org/s\r\n",
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("content/notes")).unwrap();
    fs::write(
        dir.path().join("content/notes/windows.md"),
        "\u{feff}---\r\ntitle: A note from Windows\r\n---\r\nText.\r\n",
    )
    .unwrap();
    let (code, out, err) = stdout_of(sitrep().arg("check").arg("--root").arg(dir.path()));
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("windows"), "{out}");
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let page = fs::read_to_string(dir.path().join("site/incidents/windows/index.html")).unwrap();
    assert!(page.contains("<h1>Saved on Windows</h1>"), "{page}");
}

#[test]
fn big_lists_are_paginated_and_every_page_is_in_the_sitemap_with_a_feed_link() {
    let dir = many_incidents(1000);
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let site = dir.path().join("site");
    // 1,013 incidents: two list pages of at most 1,000 rows.
    let first = fs::read_to_string(site.join("incidents/index.html")).unwrap();
    let second = fs::read_to_string(site.join("incidents/page/2/index.html")).unwrap();
    let rows = |html: &str| html.matches("<th scope=\"row\"").count();
    assert_eq!((rows(&first), rows(&second)), (1000, 13));
    assert!(
        first.contains("href=\"../incidents/page/2/\" rel=\"next\""),
        "pager link"
    );
    assert!(!site.join("incidents/page/3").exists());
    // The home page lists the most recent 1,000 and says how many are left out.
    let home = fs::read_to_string(site.join("index.html")).unwrap();
    assert_eq!(rows(&home), 1000);
    assert!(home.contains("The 13 earlier incidents are left out here"), "home note");
    // The feed holds the 1,000 most recent.
    let feed = fs::read_to_string(site.join("feed.xml")).unwrap();
    assert_eq!(feed.matches("<entry>").count(), 1000);
    assert!(feed.contains("/incidents/m-00999/</id>") && !feed.contains("/incidents/m-00000/</id>"));
    assert_links_resolve(&site, "/time/");
    // Every page (but the search page, which holds nothing of its own) is
    // in the sitemap and announces the feed.
    let files = tree(&site);
    let sitemap = String::from_utf8(files["sitemap.xml"].clone()).unwrap();
    let pages: Vec<&String> = files
        .keys()
        .filter(|n| n.ends_with("index.html") && *n != "search/index.html")
        .collect();
    assert_eq!(sitemap.matches("<loc>").count(), pages.len());
    for page in pages {
        let url = format!(
            "<loc>https://example.org/time/{}</loc>",
            page.trim_end_matches("index.html")
        );
        assert!(sitemap.contains(&url), "{url} missing from the sitemap");
        let html = String::from_utf8_lossy(&files[page]);
        assert!(
            html.contains("type=\"application/atom+xml\""),
            "{page} has no feed link"
        );
        assert!(
            html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"),
            "{page} has no CSP"
        );
    }
    let robots = String::from_utf8(files["robots.txt"].clone()).unwrap();
    assert!(robots.contains("Sitemap: https://example.org/time/sitemap.xml"));
}

#[test]
fn every_list_is_paginated_at_a_thousand() {
    // 1,005 more targets than the fixture's 10: two pages of targets.
    let dir = fixture("valid/time-rules");
    let targets = dir.path().join("content/targets");
    for i in 0..1005 {
        fs::write(targets.join(format!("z{i:04}.yaml")), format!("name: Zone {i}\n")).unwrap();
    }
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let site = dir.path().join("site");
    let first = fs::read_to_string(site.join("targets/index.html")).unwrap();
    let second = fs::read_to_string(site.join("targets/page/2/index.html")).unwrap();
    let rows = |html: &str| html.matches("<th scope=\"row\"").count();
    assert_eq!((rows(&first), rows(&second)), (1000, 15));
    assert!(first.contains("<p>Targets 1–1000 of 1015, by id.</p>"), "range");
    assert!(first.contains("<nav class=\"pager\" aria-label=\"Pages of targets\">"));
    assert!(first.contains("href=\"../targets/page/2/\" rel=\"next\""), "pager link");
    assert!(second.contains("href=\"../../../targets/\" rel=\"prev\""), "back link");
    // The last target by id is on page 2, with links relative to its depth.
    assert!(second.contains("<a href=\"../../../targets/z1004/\">Zone 1004</a>"));
    assert!(!site.join("targets/page/3").exists());
    // One page needs no pager.
    let actors = fs::read_to_string(site.join("actors/index.html")).unwrap();
    assert!(!actors.contains("class=\"pager\""));
    let sitemap = fs::read_to_string(site.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://example.org/time/targets/page/2/</loc>"),
        "sitemap"
    );
    assert_links_resolve(&site, "/time/");
}

#[test]
fn timeline_shows_certain_possible_ongoing_and_observations_grouped_by_campaign() {
    let dir = fixture("valid/time-rules");
    let c = dir.path().join("content");
    fs::create_dir_all(c.join("campaigns")).unwrap();
    fs::write(c.join("campaigns/alpha.yaml"), "name: Alpha\n").unwrap();
    for id in ["down-up", "ongoing-down"] {
        let f = c.join(format!("incidents/{id}.yaml"));
        let text = fs::read_to_string(&f).unwrap();
        fs::write(&f, text.replace("attack:", "campaign: alpha\nattack:")).unwrap();
    }
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let home = fs::read_to_string(dir.path().join("site/index.html"))
        .unwrap()
        .replace('\u{a0}', " ");
    let svg = &home[home.find("<svg class=\"timeline\"").unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    for needle in [
        "\" aria-labelledby=\"timeline-title\" aria-describedby=\"timeline-desc\" xmlns=",
        "<desc id=\"timeline-desc\">13 incidents on 10 targets",
        "class=\"possible\"",
        "class=\"certain\"",
        "class=\"open-end\"",
        "class=\"obs-down\"",
        "class=\"obs-up\"",
        "class=\"as-of\"",
        "<text class=\"group-label\" x=\"4\" y=\"48\">No campaign</text>",
        ">Campaign: Alpha</text>",
        "<title>Incident down-up: Sun 25 Aug 2024 → up by Tue 27 Aug 2024, 09:00–10:00 CEST; between 15 h and 2 d 10 h</title>",
        "<title>Incident ongoing-down: Sun 25 Aug 2024 → not known to have ended; at least 15 h, ongoing</title>",
        "<title>Incident zulu-minutes: Sun 25 Aug 2024, 12:00 CEST → ended Sun 25 Aug 2024, 14:30 CEST; 2 h 30 min ± 1 min</title>",
    ] {
        assert!(svg.contains(needle), "timeline lacks {needle}");
    }
    // Every written time is a valid HTML <time>, whatever its precision.
    let page = fs::read_to_string(dir.path().join("site/incidents/down-up/index.html"))
        .unwrap()
        .replace('\u{a0}', " ");
    for needle in [
        "<time datetime=\"2024-08-25\">Sun 25 Aug 2024</time>",
        "<time datetime=\"2024-08-27T09:00\">Tue 27 Aug 2024, 09:00–10:00 CEST</time>",
    ] {
        assert!(page.contains(needle), "incident page lacks {needle}");
    }
    // The feed says the same about how it ended.
    let feed = fs::read_to_string(dir.path().join("site/feed.xml"))
        .unwrap()
        .replace('\u{a0}', " ");
    assert!(
        feed.contains(
            "Started Sun 25 Aug 2024; up by Tue 27 Aug 2024, 09:00–10:00 CEST; duration between 15 h and 2 d 10 h."
        ),
        "feed"
    );
    // One lane per target: 10 targets, 10 lane labels.
    assert_eq!(svg.matches("class=\"lane-label\"").count(), 10);
    for chart in [
        "chart-days-title",
        "chart-downtime-title",
        "chart-actors-title",
        "chart-attacks-title",
    ] {
        assert!(
            home.contains(&format!("<title id=\"{chart}\">")),
            "home lacks chart {chart}"
        );
    }
}

#[test]
fn a_big_site_is_the_same_at_any_thread_count() {
    // Merged timelines, shared rows made in parallel, per-thread lane tables
    // and paginated lists: the parts of a build that only big sites reach.
    let dir = many_incidents(1000);
    let build = |out: &str, threads: &str| {
        let out = dir.path().join(out);
        sitrep()
            .args(["build", "--root"])
            .arg(dir.path())
            .arg("--out")
            .arg(&out)
            .env("RAYON_NUM_THREADS", threads)
            .assert()
            .success();
        tree(&out)
    };
    let one = build("one", "1");
    assert!(one.contains_key("incidents/page/2/index.html"));
    // The search index too, cut into several shards and chunks.
    let index = String::from_utf8_lossy(&one["search/index.json"]).to_string();
    let manifest: serde_json::Value = serde_json::from_str(&index).unwrap();
    assert!(manifest["shards"].as_array().unwrap().len() >= 2, "{index}");
    assert!(one.contains_key("search/d/15.json"));
    assert!(String::from_utf8_lossy(&one["index.html"]).contains("drawn merged"));
    assert!(one == build("seven", "7"), "1 and 7 threads built different sites");
}

#[test]
fn a_timeline_of_too_many_bars_draws_each_target_merged() {
    // 1,000 overlapping incidents on t1, beside the fixture's 13.
    let dir = many_incidents(1000);
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let site = dir.path().join("site");
    let svg_of = |page: &str| {
        let html = fs::read_to_string(site.join(page)).unwrap();
        let svg = &html[html.find("<svg class=\"timeline\"").unwrap()..];
        svg[..svg.find("</svg>").unwrap()].to_string()
    };
    let home = svg_of("index.html");
    assert!(
        home.contains(
            "drawn merged, paler where they cover only part of a pixel&#39;s time, without observation marks; unverified claims and attacks without impact are not drawn.</desc>"
        ),
        "{home}"
    );
    // One group per run of overlapping bars: t1's thousand are one run, its
    // other incident (two months later) another, each other target one.
    let runs: Vec<&str> = home
        .match_indices("<g class=\"bar")
        .map(|(at, _)| &home[at..])
        .collect();
    assert_eq!(runs.len(), 11, "{home}");
    assert!(runs.iter().all(|r| r.starts_with("<g class=\"bar merged")));
    assert!(home.contains("<title>Target t1: 1000 incidents, 2024-06-01 02:00 CEST → 2024-06-03 00:00 CEST</title>"));
    // A run of one keeps its incident's title; an ongoing one its open end.
    assert!(
        home.replace('\u{a0}', " ")
            .contains("<title>Incident down-up: Sun 25 Aug 2024 → up by Tue 27 Aug 2024, 09:00–10:00 CEST; between 15 h and 2 d 10 h</title>")
    );
    assert!(home.contains("<title>Target t9: 3 incidents, 2024-01-01 00:00 CET → ongoing</title>"));
    assert!(home.contains("class=\"open-end\""));
    // Certain parts are one path per shade, over the runs.
    assert!(home.contains("<path class=\"certain\" d=\"M"), "{home}");
    assert!(!home.contains("class=\"obs-"), "no observation marks when merged");
    assert!(home.len() < 20_000, "the drawing stays small: {} bytes", home.len());
    // A timeline of few bars still draws each incident with its marks.
    let t3 = svg_of("targets/t3/index.html");
    assert!(
        t3.contains("<g class=\"bar ended\">") && t3.contains("class=\"obs-down"),
        "{t3}"
    );
    assert!(!t3.contains("merged"));
}

#[test]
fn a_timeline_leaves_out_observation_marks_past_two_thousand() {
    // Monitoring data: an incident checked every minute for a day and a half,
    // beside the fixture's 6 observations.
    let dir = fixture("valid/time-rules");
    let mut yaml = String::from("title: Watched\nattack: [ddos]\ntargets: [t1]\nstarted: 2024-06-01\nobservations:\n");
    for m in 0..2001 {
        yaml.push_str(&format!(
            "  - at: 2024-06-{:02}T{:02}:{:02}Z\n    state: down\n",
            1 + m / 1440,
            m / 60 % 24,
            m % 60
        ));
    }
    fs::write(dir.path().join("content/incidents/watched.yaml"), yaml).unwrap();
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let site = dir.path().join("site");
    let home = fs::read_to_string(site.join("index.html")).unwrap();
    let svg = &home[home.find("<svg class=\"timeline\"").unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    assert!(
        svg.contains("The 2007 observations are too many to mark; the incidents&#39; pages list them.</desc>"),
        "{svg}"
    );
    assert!(!svg.contains("<circle"));
    assert!(
        svg.contains("<title>Incident down-up: "),
        "bars are still drawn one by one"
    );
    // The incident's page still lists every observation.
    let page = fs::read_to_string(site.join("incidents/watched/index.html")).unwrap();
    assert_eq!(page.matches("<span class=\"badge obs-down\">").count(), 2001);
}

#[test]
fn table_rows_name_ten_targets_and_count_the_rest() {
    // A mass incident is on the page of each of its targets: rows that named
    // every target would make those pages grow with the square of its size.
    let dir = fixture("valid/time-rules");
    let c = dir.path().join("content");
    let ids: Vec<String> = (1..=45).map(|n| format!("x{n:02}")).collect();
    for id in &ids {
        fs::write(c.join(format!("targets/{id}.yaml")), format!("name: Site {id}\n")).unwrap();
    }
    fs::write(
        c.join("incidents/mass.yaml"),
        format!(
            "title: Mass defacement\nattack: [defacement]\ntargets: [{}]\nstarted: 2024-05-01\nended: 2024-05-02\n",
            ids.join(", ")
        ),
    )
    .unwrap();
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let site = dir.path().join("site");
    let page = fs::read_to_string(site.join("targets/x45/index.html")).unwrap();
    let row = &page[page.find("<td data-label=\"What\">").unwrap()..];
    let row = &row[..row.find("</td>").unwrap()];
    assert_eq!(row.matches("href=\"../../targets/").count(), 10, "{row}");
    assert!(
        row.contains("Site x10</a>\n<a href=\"../../incidents/mass/\">and 35 more</a>"),
        "{row}"
    );
    // Its timeline draws 40 of the 45 lanes, its own among them.
    assert_eq!(page.matches("class=\"lane-label\"").count(), 40);
    assert!(page.contains("<title>Site x45</title></text>"), "the page's own lane");
    // The incident's own page names them all.
    let incident = fs::read_to_string(site.join("incidents/mass/index.html")).unwrap();
    assert!(ids.iter().all(|id| incident.contains(&format!(">Site {id}</a>"))));
}

/// A record page's template sees the record as written: fields the
/// built-in template leaves out (a description as Markdown, relations,
/// hashtags) reach a project's own template without a change to sitrep.
#[test]
fn a_record_pages_template_sees_every_field_of_its_record() {
    let dir = fixture("valid/search");
    fs::create_dir_all(dir.path().join("templates")).unwrap();
    for (name, body) in [
        ("actor.html", "{{ actor.id }}|{{ actor.name }}|{{ actor.aliases | join(sep=\",\") }}|{{ actor.kind }}|{{ actor.description }}|{{ actor.relations | length }}"),
        ("target.html", "{{ target.id }}|{{ target.url }}|{{ target.sector }}|{{ target.country }}"),
        ("campaign.html", "{{ campaign.id }}|{{ campaign.hashtags | join(sep=\",\") }}|{{ campaign.summary }}"),
    ] {
        fs::write(dir.path().join("templates").join(name), format!("<p>{body}</p>\n")).unwrap();
    }
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let page = |path: &str| fs::read_to_string(dir.path().join("site").join(path).join("index.html")).unwrap();
    assert_eq!(
        page("actors/noname"),
        "<p>noname|NoName057(16)|НоуНейм057(16),NoName057|hacktivist|Claims DDoS attacks on its Telegram channel.|0</p>\n"
    );
    assert_eq!(
        page("targets/kyiv-metro"),
        "<p>kyiv-metro|https://metro.kyiv.example/|transport|Ukraine</p>\n"
    );
    assert_eq!(
        page("campaigns/opeu"),
        "<p>opeu|OpEU,DDoSia|Waves of DDoS attacks on European public websites.</p>\n"
    );
}

#[test]
fn a_broken_template_fails_the_build_and_keeps_the_site() {
    let dir = fixture("valid/time-rules");
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let before = tree(&dir.path().join("site"));
    fs::create_dir_all(dir.path().join("templates")).unwrap();
    fs::write(
        dir.path().join("templates/incident_row.html"),
        "<tr>{{ row.title | no_such_filter }}</tr>\n",
    )
    .unwrap();
    let (code, _, stderr) = stdout_of(sitrep().arg("build").arg("--root").arg(dir.path()));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("no_such_filter") && stderr.contains("nothing was written"),
        "{stderr}"
    );
    assert!(tree(&dir.path().join("site")) == before, "the previous site changed");
}

#[test]
fn a_static_file_on_a_generated_path_is_an_error_naming_both() {
    // `static/index.html` used to replace the home page without a word.
    let dir = fixture("valid/time-rules");
    fs::create_dir_all(dir.path().join("static/incidents/zulu-minutes")).unwrap();
    fs::write(dir.path().join("static/index.html"), "mine").unwrap();
    fs::write(dir.path().join("static/incidents/zulu-minutes/index.html"), "mine").unwrap();
    fs::write(dir.path().join("static/logo.svg"), "<svg/>").unwrap();
    let (code, _, err) = stdout_of(sitrep().arg("build").arg("--root").arg(dir.path()));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "static/incidents/zulu-minutes/index.html: this would replace the generated incidents/zulu-minutes/index.html"
        ),
        "{err}"
    );
    assert!(err.contains("and 1 more"), "{err}");
    fs::remove_file(dir.path().join("static/index.html")).unwrap();
    fs::remove_file(dir.path().join("static/incidents/zulu-minutes/index.html")).unwrap();
    // The search index's folder is named by the data: all of it is the index's.
    fs::create_dir_all(dir.path().join("static/search/t")).unwrap();
    fs::write(dir.path().join("static/search/t/zz.json"), "{}").unwrap();
    let (code, _, err) = stdout_of(sitrep().arg("build").arg("--root").arg(dir.path()));
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("static/search/t/zz.json: this would replace the generated search/* (the search index)"),
        "{err}"
    );
    fs::remove_dir_all(dir.path().join("static/search")).unwrap();
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    assert!(dir.path().join("site/logo.svg").is_file());
}

#[test]
fn stix_ids_are_stable_and_every_reference_resolves() {
    let dir = fixture("example");
    let read = |dir: &Path| -> Value {
        sitrep().arg("build").arg("--root").arg(dir).assert().success();
        serde_json::from_str(&fs::read_to_string(dir.join("site/stix.json")).unwrap()).unwrap()
    };
    let bundle = read(dir.path());
    let objects = bundle["objects"].as_array().unwrap();
    let ids: std::collections::BTreeSet<&str> = objects.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), objects.len(), "ids are unique");
    for o in objects {
        for key in ["source_ref", "target_ref", "created_by_ref"] {
            if let Some(r) = o[key].as_str() {
                assert!(ids.contains(r), "{key} {r} resolves");
            }
        }
        for r in o["object_refs"].as_array().into_iter().flatten() {
            assert!(ids.contains(r.as_str().unwrap()), "object_refs {r}");
        }
    }
    // Ids derive from the records, not the run: a second project with one
    // more incident keeps every id of the first.
    let other = fixture("example");
    fs::write(
        other.path().join("content/incidents/2024/extra.yaml"),
        "title: Extra\nattack: [ddos]\ntargets: [ansm]\nstarted: 2024-08-25\n",
    )
    .unwrap();
    let more = read(other.path());
    let more_ids: std::collections::BTreeSet<&str> = more["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    let lost: Vec<&&str> = ids.iter().filter(|i| !more_ids.contains(*i)).collect();
    assert!(lost.is_empty(), "ids that changed with the data: {lost:?}");
    assert_eq!(more_ids.len(), ids.len() + 1, "one sighting more, nothing else");
}
