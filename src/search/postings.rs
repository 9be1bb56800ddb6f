//! The index's lists of documents and its shards, as the search page reads
//! them.
//!
//! A list of documents is a JSON array of numbers read left to right from
//! -1: `n > 0` steps `n` documents forward to the next one in the list,
//! `-k` adds the `k` documents right after the last one. Records come in
//! the order the index numbers them (incidents newest first), so a word
//! or a filter value that most records share is a handful of runs.

use std::fmt::Write as _;

/// A list of documents, written as it grows: documents are added in
/// ascending order, and no list of numbers is held besides its text.
#[derive(Default)]
pub struct List {
    /// The steps and runs written so far, comma-separated.
    text: String,
    /// One past the last document added (0: none yet).
    next: u32,
    /// Documents right after the last step, not written yet.
    run: u32,
    count: u32,
}

impl List {
    pub fn push(&mut self, id: u32) {
        if self.count > 0 && id == self.next {
            self.run += 1;
        } else {
            self.end_run();
            push_number(&mut self.text, i64::from(id) - i64::from(self.next) + 1);
        }
        self.next = id + 1;
        self.count += 1;
    }

    /// Whether `id` is the last document added.
    pub fn ends_with(&self, id: u32) -> bool {
        self.count > 0 && self.next == id + 1
    }

    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn end_run(&mut self) {
        if self.run > 0 {
            push_number(&mut self.text, -i64::from(self.run));
            self.run = 0;
        }
    }

    /// The list as the search page reads it: `[4,-2,4]`.
    pub fn finish(mut self) -> String {
        self.end_run();
        format!("[{}]", self.text)
    }
}

/// The document numbers `ids` (ascending), as the search page decodes them.
#[cfg(test)]
fn encode(ids: &[u32]) -> String {
    let mut list = List::default();
    for &id in ids {
        list.push(id);
    }
    list.finish()
}

fn push_number(out: &mut String, n: i64) {
    if !out.is_empty() {
        out.push(',');
    }
    let _ = write!(out, "{n}");
}

/// A shard whose words' entries pass this size (in bytes of JSON) is split
/// by one more character of its words. Small enough that a query fetches a
/// few tens of kilobytes per word, big enough that a site of 100,000
/// incidents has a few hundred shards, not a file per word.
pub const SHARD_BYTES: usize = 32 * 1024;

/// The longest shard key, in characters: words that share a longer start
/// (a pull request can write thousands of them) stay in one shard rather
/// than splitting ever deeper, and a key's file name stays far below the
/// 255 bytes a file system allows (8 bytes at most a character).
pub const MAX_KEY_CHARS: usize = 24;

/// One file of words: every word that starts with `key` and has no longer
/// shard of its own.
pub struct Shard {
    pub key: String,
    /// Entries (`"word":[primary,secondary]`), as indexes into the sorted entries.
    pub entries: Vec<usize>,
}

/// Cuts the sorted `words` (each with the size of its entry) into shards:
/// all in one (key `""`) while they fit in [`SHARD_BYTES`], else by one
/// more character wherever a shard would pass it. A word is in the shard of
/// the longest key that begins it, which is how the search page finds it.
pub fn shard(words: &[(&str, usize)]) -> Vec<Shard> {
    let mut shards = Vec::new();
    split(words, ("", (0..words.len()).collect()), 0, &mut shards);
    shards.sort_by(|a, b| a.key.cmp(&b.key));
    shards
}

/// The file name of a shard's key: [`super::tokens::file_name`], and `_`
/// for the shard of every word (which no other key is named).
pub fn shard_file(key: &str) -> String {
    if key.is_empty() {
        "_".to_string()
    } else {
        super::tokens::file_name(key)
    }
}

/// `indexes` (of words that all begin alike) grouped by their first `n`
/// characters (the whole word when shorter), in order.
fn groups<'w>(words: &[(&'w str, usize)], indexes: &[usize], n: usize) -> Vec<(&'w str, Vec<usize>)> {
    let mut out: Vec<(&str, Vec<usize>)> = Vec::new();
    for &i in indexes {
        let word = words[i].0;
        let prefix = &word[..word.char_indices().nth(n).map_or(word.len(), |(at, _)| at)];
        match out.last_mut() {
            Some((key, members)) if *key == prefix => members.push(i),
            _ => out.push((prefix, vec![i])),
        }
    }
    out
}

fn split(words: &[(&str, usize)], (key, members): (&str, Vec<usize>), depth: usize, out: &mut Vec<Shard>) {
    let size: usize = members.iter().map(|&i| words[i].1).sum();
    if size <= SHARD_BYTES || depth >= MAX_KEY_CHARS {
        out.push(Shard {
            key: key.to_string(),
            entries: members,
        });
        return;
    }
    // The word that is the key itself stays here, and so do the smallest
    // groups while they fit: a shard of a few words is not worth a request
    // of its own. The others get shards of their own.
    let mut subs: Vec<(usize, (&str, Vec<usize>))> = groups(words, &members, depth + 1)
        .into_iter()
        .map(|g| (g.1.iter().map(|&i| words[i].1).sum(), g))
        .collect();
    subs.sort_by_key(|(size, (sub, _))| (*sub != key, *size));
    let (mut kept, mut kept_size) = (Vec::new(), 0);
    for (sub_size, (sub, sub_members)) in subs {
        if sub == key || kept_size + sub_size <= SHARD_BYTES {
            kept_size += sub_size;
            kept.extend(sub_members);
        } else {
            split(words, (sub, sub_members), depth + 1, out);
        }
    }
    kept.sort_unstable();
    if !kept.is_empty() {
        out.push(Shard {
            key: key.to_string(),
            entries: kept,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the search page does with a list.
    fn decode(text: &str) -> Vec<u32> {
        let numbers: Vec<i64> = serde_json::from_str(text).unwrap();
        let (mut ids, mut at) = (Vec::new(), -1i64);
        for n in numbers {
            if n > 0 {
                at += n;
                ids.push(at as u32);
            } else {
                for _ in 0..-n {
                    at += 1;
                    ids.push(at as u32);
                }
            }
        }
        ids
    }

    #[test]
    fn lists_are_steps_and_runs() {
        assert_eq!(encode(&[]), "[]");
        assert_eq!(encode(&[0]), "[1]");
        assert_eq!(encode(&[3, 4, 5, 9]), "[4,-2,4]");
        assert_eq!(encode(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), "[1,-9]");
        for ids in [
            vec![0, 2, 3, 7, 8, 9, 100],
            vec![5],
            vec![1, 2],
            (0..1000).step_by(3).collect(),
        ] {
            assert_eq!(decode(&encode(&ids)), ids);
        }
    }

    #[test]
    fn words_sharing_a_long_start_stop_splitting_at_the_longest_key() {
        let start = "x".repeat(5000);
        let owned: Vec<(String, usize)> = (0..2000).map(|i| (format!("{start}{i:04}"), 100)).collect();
        let words: Vec<(&str, usize)> = owned.iter().map(|(w, n)| (w.as_str(), *n)).collect();
        let shards = shard(&words);
        assert!(shards.iter().all(|s| s.key.chars().count() <= MAX_KEY_CHARS));
        assert_eq!(shards.iter().map(|s| s.entries.len()).sum::<usize>(), 2000);
        assert!(shards.iter().all(|s| shard_file(&s.key).len() < 200));
    }

    #[test]
    fn every_word_is_in_the_shard_of_the_longest_key_that_begins_it() {
        // Words of many sizes: "se…" words are big enough to be split.
        let mut owned: Vec<(String, usize)> = (0..400).map(|i| (format!("se{i}"), 300)).collect();
        owned.extend([("s".to_string(), 10), ("se".to_string(), 10), ("sa".to_string(), 10)]);
        owned.extend((0..20).map(|i| (format!("sex{i}"), 10)));
        owned.sort();
        let words: Vec<(&str, usize)> = owned.iter().map(|(w, n)| (w.as_str(), *n)).collect();
        let shards = shard(&words);
        let keys: Vec<&str> = shards.iter().map(|s| s.key.as_str()).collect();
        assert!(keys.len() > 3, "{keys:?}");
        let mut seen = vec![0; words.len()];
        for s in &shards {
            assert!(
                s.entries.iter().map(|&i| words[i].1).sum::<usize>() <= SHARD_BYTES,
                "{}",
                s.key
            );
            for &i in &s.entries {
                seen[i] += 1;
                let longest = keys
                    .iter()
                    .filter(|k| words[i].0.starts_with(**k))
                    .max_by_key(|k| k.len());
                assert_eq!(longest, Some(&s.key.as_str()), "{}", words[i].0);
            }
        }
        assert!(seen.iter().all(|&n| n == 1));
    }
}
