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

/// The most a shard's words' entries take (in bytes of JSON), unless one
/// word's entry alone is bigger. Small enough that a query fetches a few
/// tens of kilobytes per word, big enough that a site of 100,000
/// incidents has a few hundred shards, not a file per word.
pub const SHARD_BYTES: usize = 32 * 1024;

/// The most shards the search page fetches for a word typed as a prefix
/// (the words that begin with it lie in consecutive shards): a prefix of
/// two letters that thousands of words share costs a few fetches, never
/// thousands. Past it, the page finds the prefix's first words and says
/// to type more.
pub const MAX_PREFIX_SHARDS: usize = 4;

/// One file of words: a run of the sorted words, `t/<n>.json` for the
/// `n`th shard, known to the page by its first word.
pub struct Shard {
    /// The shard's first word.
    pub first: String,
    /// Its entries, as a range of the sorted words.
    pub entries: std::ops::Range<usize>,
}

/// Cuts the sorted `words` (each with the size of its entry) into runs of
/// at most [`SHARD_BYTES`]: as many files as the index has bytes (divided
/// by the limit), named by their number whatever the words, and a word is
/// in the last shard whose first word is not after it (code point order,
/// which is how the search page finds it).
pub fn shard(words: &[(&str, usize)]) -> Vec<Shard> {
    let mut shards: Vec<Shard> = Vec::new();
    let mut size = 0;
    for (i, &(word, bytes)) in words.iter().enumerate() {
        match shards.last_mut() {
            Some(last) if size + bytes <= SHARD_BYTES => {
                last.entries.end = i + 1;
                size += bytes;
            }
            _ => {
                shards.push(Shard {
                    first: word.to_string(),
                    entries: i..i + 1,
                });
                size = bytes;
            }
        }
    }
    shards
}

/// The shards the search page fetches for `word` (their numbers), given
/// each shard's first word: the one that holds it and, for a word typed as
/// a prefix, those after it whose first word begins with it, at most
/// [`MAX_PREFIX_SHARDS`] in all; and whether some were left out.
pub fn shards_of<S: AsRef<str>>(firsts: &[S], word: &str, prefix: bool) -> (Vec<usize>, bool) {
    let own = firsts.partition_point(|f| f.as_ref() <= word).saturating_sub(1);
    let mut found = vec![own];
    if prefix {
        let more = (own + 1..firsts.len()).take_while(|&k| firsts[k].as_ref().starts_with(word));
        found.extend(more);
    }
    let cut = found.len() > MAX_PREFIX_SHARDS;
    found.truncate(MAX_PREFIX_SHARDS);
    (found, cut)
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
    fn shards_are_bounded_whatever_the_words() {
        // 21,000 words sharing a two-letter start, each with a third letter
        // of its own (the fan-out that once made a file per word), and
        // words of 100 bytes: files grow with the bytes, names are numbers.
        let mut owned: Vec<(String, usize)> = (0..21_000u32)
            .map(|i| (format!("xy{}", char::from_u32(0x4e00 + i).unwrap()), 20))
            .chain((0..2000).map(|i| (format!("{i:0>100}"), 120)))
            .collect();
        owned.sort();
        let words: Vec<(&str, usize)> = owned.iter().map(|(w, n)| (w.as_str(), *n)).collect();
        let shards = shard(&words);
        let total: usize = words.iter().map(|w| w.1).sum();
        assert!(shards.len() <= total / SHARD_BYTES + 2, "{} shards", shards.len());
        assert_eq!(shards.iter().map(|s| s.entries.len()).sum::<usize>(), words.len());
        let firsts: Vec<&str> = shards.iter().map(|s| s.first.as_str()).collect();
        // Every word is in the shard the page fetches for it.
        for (i, (w, _)) in words.iter().enumerate() {
            let (found, _) = shards_of(&firsts, w, false);
            assert!(shards[found[0]].entries.contains(&i), "{w}");
        }
        // A prefix all of them share costs a few fetches, and says so.
        let (found, cut) = shards_of(&firsts, "xy", true);
        assert_eq!(found.len(), MAX_PREFIX_SHARDS);
        assert!(cut);
        // A prefix of a few words fetches their shard(s) only.
        let (found, cut) = shards_of(&firsts, "xy\u{4e01}", true);
        assert!(found.len() <= 2 && !cut, "{found:?}");
    }

    #[test]
    fn a_word_bigger_than_a_shard_is_a_shard_of_its_own() {
        let words = [("a", 10), ("b", SHARD_BYTES * 2), ("c", 10)];
        let shards = shard(&words);
        let ranges: Vec<_> = shards.iter().map(|s| s.entries.clone()).collect();
        assert_eq!(ranges, vec![0..1, 1..2, 2..3]);
    }
}
