//! The search index, read as the search page reads it (`assets/search.js`):
//! the cases the browser test types are found here too, every word of every
//! record is in the shard the page fetches for it, and the files a query
//! fetches stay small.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::*;
use sitrep::search_rules::{shards_of, words, SHARD_BYTES};

/// A built site's index, read file by file on demand like the search page
/// does, counting the bytes it fetched.
struct Index {
    dir: PathBuf,
    manifest: Value,
    fetched: std::cell::Cell<usize>,
    /// Files read so far, as the page keeps what it fetched.
    /// (Shared, never copied: a lookup reads its shard in place.)
    cache: std::cell::RefCell<BTreeMap<String, std::rc::Rc<Value>>>,
}

impl Index {
    fn open(site: &Path) -> Index {
        let dir = site.join("search");
        let manifest = serde_json::from_str(&fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
        Index {
            dir,
            manifest,
            fetched: std::cell::Cell::new(0),
            cache: Default::default(),
        }
    }

    fn get(&self, path: &str) -> std::rc::Rc<Value> {
        if let Some(value) = self.cache.borrow().get(path) {
            return value.clone();
        }
        let text = fs::read_to_string(self.dir.join(path)).unwrap_or_else(|e| panic!("search/{path}: {e}"));
        self.fetched.set(self.fetched.get() + text.len());
        let value = std::rc::Rc::new(serde_json::from_str::<Value>(&text).unwrap());
        self.cache.borrow_mut().insert(path.to_string(), value.clone());
        value
    }

    fn docs(&self) -> usize {
        self.manifest["docs"].as_u64().unwrap() as usize
    }

    fn keys(&self) -> Vec<&str> {
        self.manifest["shards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect()
    }

    /// The shards the page fetches for a word (by number).
    fn shards_of(&self, word: &str, prefix: bool) -> Vec<usize> {
        shards_of(&self.keys(), word, prefix).0
    }

    fn shard(&self, n: usize) -> std::rc::Rc<Value> {
        self.get(&format!("t/{n}.json"))
    }

    /// 2 where `word` is in a record's name, 1 where it is elsewhere in it.
    fn marks(&self, word: &str, prefix: bool) -> Vec<u8> {
        let mut marks = vec![0u8; self.docs()];
        let mut mark = |lists: &Value| {
            decode(&lists[1], &mut marks, 1);
            decode(&lists[0], &mut marks, 2);
        };
        for n in self.shards_of(word, prefix) {
            let shard = self.shard(n);
            let terms = shard.as_object().unwrap();
            if !prefix {
                terms.get(word).map(&mut mark);
                continue;
            }
            terms
                .iter()
                .filter(|(t, _)| t.starts_with(word))
                .for_each(|(_, l)| mark(l));
        }
        marks
    }

    /// The pages a query lists, in order.
    fn query(&self, q: &str, filters: &BTreeMap<String, String>) -> Vec<String> {
        let ws = words(q);
        let mut marks = vec![2u8; self.docs()];
        for (i, w) in ws.iter().enumerate() {
            let prefix = i == ws.len() - 1 && w.chars().count() >= 2;
            for (m, n) in marks.iter_mut().zip(self.marks(w, prefix)) {
                *m = (*m).min(n);
            }
        }
        for (facet, value) in filters {
            let mut keep = vec![0u8; self.docs()];
            let file = self.manifest["facets"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["name"] == facet.as_str())
                .flat_map(|f| f["values"].as_array().unwrap())
                .find(|v| v["key"] == value.as_str())
                .map(|v| v["file"].as_str().unwrap().to_string())
                .unwrap_or_else(|| panic!("no filter {facet}={value}"));
            decode(&self.get(&format!("f/{file}.json")), &mut keep, 1);
            for (m, k) in marks.iter_mut().zip(keep) {
                if k == 0 {
                    *m = 0;
                }
            }
        }
        let chunk = self.manifest["chunk"].as_u64().unwrap() as usize;
        let mut hits: Vec<usize> = (0..marks.len()).filter(|&d| marks[d] == 2).collect();
        hits.extend((0..marks.len()).filter(|&d| marks[d] == 1));
        hits.iter()
            .map(|&d| {
                let rows = self.get(&format!("d/{}.json", d / chunk));
                rows[d % chunk][2].as_str().unwrap().to_string()
            })
            .collect()
    }
}

/// A list of documents as `src/search/postings.rs` writes it.
fn decode(list: &Value, into: &mut [u8], mark: u8) {
    let mut at: i64 = -1;
    for n in list.as_array().unwrap() {
        let n = n.as_i64().unwrap();
        let steps = if n > 0 { vec![n] } else { vec![1; (-n) as usize] };
        for step in steps {
            at += step;
            let slot = &mut into[at as usize];
            *slot = (*slot).max(mark);
        }
    }
}

/// Runs the cases of a browser test's file against a built site.
fn check_cases(site: &Path, cases: &str) {
    let index = Index::open(site);
    let cases: Vec<Value> = serde_json::from_str(&fs::read_to_string(repo().join(cases)).unwrap()).unwrap();
    assert!(cases.len() >= 5, "{cases:?}");
    for case in cases {
        let q = case["q"].as_str().unwrap();
        let filters: BTreeMap<String, String> = case["filters"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let found = index.query(q, &filters);
        let label = format!("{q:?} {filters:?}: {found:?}");
        if let Some(first) = case["first"].as_str() {
            assert_eq!(found.first().map(String::as_str), Some(first), "{label}");
        }
        for page in case["finds"].as_array().into_iter().flatten() {
            assert!(found.iter().any(|f| f == page.as_str().unwrap()), "{page} in {label}");
        }
        for page in case["misses"].as_array().into_iter().flatten() {
            assert!(
                !found.iter().any(|f| f == page.as_str().unwrap()),
                "{page} not in {label}"
            );
        }
        if let Some(count) = case["count"].as_u64() {
            assert_eq!(found.len() as u64, count, "{label}");
        }
    }
}

#[test]
fn what_the_browser_test_types_is_found_in_the_example() {
    let dir = fixture("example");
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    check_cases(&dir.path().join("site"), "tests/e2e/search-example.json");
}

#[test]
fn names_aliases_hosts_hashtags_countries_and_dates_are_found() {
    let dir = fixture("valid/search");
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let site = dir.path().join("site");
    check_cases(&site, "tests/fixtures/valid/search/search-cases.json");
    // The filters are in the page's form, with their counts.
    let page = fs::read_to_string(site.join("search/index.html")).unwrap();
    assert!(page.contains("<option value=\"Germany\" data-file=\"country/1\">Germany (2)</option>"));
    assert!(page.contains("<option value=\"no-impact\" data-file=\"status/1\">no impact (1)</option>"));
    // Every other page has the box, which leads here.
    let home = fs::read_to_string(site.join("index.html")).unwrap();
    assert!(home.contains("<form class=\"site-search\" role=\"search\" method=\"get\" action=\"search/\">"));
    let note = fs::read_to_string(site.join("notes/on-ddosia/index.html")).unwrap();
    assert!(note.contains("action=\"../../search/\""));
    assert!(!page.contains("site-search"), "the search page has its own box");
}

#[test]
fn every_word_of_every_record_is_in_the_shard_the_page_fetches() {
    let dir = corpus(600);
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let site = dir.path().join("site");
    let index = Index::open(&site);
    let keys = index.keys();
    assert!(keys.len() >= 4, "600 incidents need several shards: {keys:?}");
    // No shard passes the limit unless it is one word; shards hold runs
    // of the sorted words, each starting at the first word the manifest
    // gives, and the page looks every word up in the shard that holds it.
    let mut last: Option<String> = None;
    for (n, first) in keys.iter().enumerate() {
        let shard = index.shard(n);
        let size = serde_json::to_string(&*shard).unwrap().len();
        assert!(
            size <= SHARD_BYTES + 2 || shard.as_object().unwrap().len() == 1,
            "{n}: {size} bytes"
        );
        let mut terms: Vec<&String> = shard.as_object().unwrap().keys().collect();
        terms.sort();
        assert_eq!(terms[0], first, "shard {n} starts elsewhere");
        assert!(last.as_deref().is_none_or(|l| l < *first), "shards out of order at {n}");
        last = terms.last().map(|t| t.to_string());
        for term in terms {
            assert_eq!(index.shards_of(term, false), vec![n], "{term}");
        }
    }
    // Each record's title words lead to it, as a name.
    let chunk = index.manifest["chunk"].as_u64().unwrap() as usize;
    let mut seen = 0;
    for n in 0..index.docs().div_ceil(chunk) {
        for (k, row) in index.get(&format!("d/{n}.json")).as_array().unwrap().iter().enumerate() {
            let doc = n * chunk + k;
            for w in words(row[1].as_str().unwrap()) {
                assert_eq!(index.marks(&w, false)[doc], 2, "{w} of {row}");
            }
            seen += 1;
        }
    }
    assert_eq!(seen, index.docs());
    // A query fetches tens of kilobytes, not the index.
    index.fetched.set(0);
    let found = index.query("town-42.example", &BTreeMap::new());
    assert_eq!(found[0], "targets/t-0042/");
    assert!(index.fetched.get() < 300_000, "{} bytes", index.fetched.get());
    let total: usize = tree(&site.join("search")).values().map(Vec::len).sum();
    assert!(
        index.fetched.get() * 4 < total,
        "{} of {total} bytes",
        index.fetched.get()
    );
}

#[test]
fn a_filter_alone_lists_its_records_newest_first() {
    let dir = corpus(200);
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    let index = Index::open(&dir.path().join("site"));
    let filters = BTreeMap::from([("kind".to_string(), "incidents".to_string())]);
    let found = index.query("", &filters);
    assert_eq!(found.len(), 203);
    let json: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("site/incidents.json")).unwrap()).unwrap();
    let newest = json["incidents"].as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap();
    assert_eq!(found[0], format!("incidents/{newest}/"));
    let by_country = BTreeMap::from([("country".to_string(), "C3".to_string())]);
    let found = index.query("", &by_country);
    // Targets 3, 10, 17: 3 targets and their 30 incidents.
    assert_eq!(found.len(), 33, "{found:?}");
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
