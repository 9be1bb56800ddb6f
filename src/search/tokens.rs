//! Words as the search index and the search page both cut them.
//!
//! `assets/search.js` folds and cuts a query with the same rules, written
//! with the same Unicode properties, so a word indexed here is the word a
//! reader types: compatibility decomposition (NFKD, so `ﬁ` is `fi` and
//! full-width letters are letters), no marks (`Clément` is `clement`), lower
//! case; then runs of letters and digits (`Alphabetic`, `Numeric`), except
//! that `2024-08` and `2024-08-25` stay one word, as people type dates.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// `text` folded: NFKD, marks dropped, lower case.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(&mut out, text);
    out
}

/// Appends `text` folded to `out`.
pub fn fold_into(out: &mut String, text: &str) {
    // Most text is ASCII, which has nothing to decompose.
    if text.is_ascii() {
        out.extend(text.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    let bare: String = text.nfkd().filter(|&c| !is_combining_mark(c)).collect();
    out.push_str(&bare.to_lowercase());
}

/// The words of `text`, folded, in order (repeats included).
pub fn words(text: &str) -> Vec<String> {
    each_word(&fold(text)).map(str::to_string).collect()
}

/// The words of text already folded, in order (repeats included).
pub fn each_word(folded: &str) -> impl Iterator<Item = &str> {
    let mut rest = folded;
    std::iter::from_fn(move || {
        let start = rest.find(is_word_char)?;
        rest = &rest[start..];
        let len = date_len(rest).unwrap_or_else(|| rest.find(|c| !is_word_char(c)).unwrap_or(rest.len()));
        let (word, after) = rest.split_at(len);
        rest = after;
        Some(word)
    })
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The length of a date (`dddd-dd` or `dddd-dd-dd`) at the start of `s`.
fn date_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| b.len() >= from + n && b[from..from + n].iter().all(u8::is_ascii_digit);
    if !(digits(0, 4) && b.get(4) == Some(&b'-') && digits(5, 2)) {
        return None;
    }
    Some(if b.get(7) == Some(&b'-') && digits(8, 2) { 10 } else { 7 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_marks_case_and_compatibility_forms() {
        let mut appended = String::from("already ");
        fold_into(&mut appended, "Clément DOMINGO");
        assert_eq!(appended, "already clement domingo");
        assert_eq!(fold("Ｔａｒｇｅｔ ﬁle"), "target file");
        assert_eq!(
            fold("Agence nationale de sécurité du médicament"),
            "agence nationale de securite du medicament"
        );
    }

    #[test]
    fn words_split_on_punctuation_but_keep_dates() {
        assert_eq!(words("www.service-public.fr"), ["www", "service", "public", "fr"]);
        assert_eq!(words("#FreeDurov, opDurov!"), ["freedurov", "opdurov"]);
        assert_eq!(
            words("on 2024-08-25T14 and 2024-08"),
            ["on", "2024-08-25", "t14", "and", "2024-08"]
        );
        assert_eq!(words("12024-08-01"), ["12024", "08", "01"]);
        assert_eq!(words("2024-0812"), ["2024-08", "12"]);
        assert_eq!(words("Кибер Армия 2024"), ["кибер", "армия", "2024"]);
        assert!(words(" — ").is_empty());
    }
}
