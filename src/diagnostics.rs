//! Problems found in the content, where they are, and how to show them.
//!
//! Every stage reports into a list of [`Diagnostic`]s instead of stopping at
//! the first; `check` and `build` print them all, sorted by file and line, in
//! one of three formats: human (with the source line and a caret, rendered by
//! `annotate-snippets`), GitHub workflow annotations, or JSON.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use saphyr_parser::{Event, Parser, Span};
use serde::Serialize;

/// Separates a value's error message from what to write instead, in the
/// errors of the record types; `parse` turns what follows it into the
/// diagnostic's `help:` line.
pub const HELP: &str = "\nhelp: ";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, pinned to a place in a file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    /// Path relative to the project root, with `/` separators.
    pub file: String,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub severity: Severity,
    pub message: String,
    /// How to fix it, when there is something to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Length of the offending text in characters (for the caret).
    #[serde(skip)]
    pub width: usize,
}

impl Diagnostic {
    pub fn error(file: &str, (line, column): (usize, usize), message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_string(),
            line,
            column,
            severity: Severity::Error,
            message: message.into(),
            hint: None,
            width: 1,
        }
    }

    pub fn warning(file: &str, at: (usize, usize), message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, at, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_width(mut self, width: usize) -> Self {
        self.width = width.max(1);
        self
    }
}

/// The output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Github,
    Json,
}

/// Renders diagnostics. The human format shows the offending line:
/// `source_of(file)` gives a file's text, asked once per file shown.
pub fn render(diagnostics: &[Diagnostic], format: Format, source_of: &dyn Fn(&str) -> Option<String>) -> String {
    // Messages, hints and file names quote the data: no control character
    // of it may reach a terminal or a CI log (see [`terminal_safe`]).
    let cleaned: Vec<Diagnostic>;
    let diagnostics = if diagnostics.iter().any(needs_cleaning) {
        cleaned = diagnostics.iter().map(cleaned_diagnostic).collect();
        &cleaned[..]
    } else {
        diagnostics
    };
    let source_of = |file: &str| source_of(file).map(|text| terminal_safe(&text, true).into_owned());
    match format {
        Format::Human => {
            let (shown, left_out) = shown_in_human(diagnostics);
            // Each file read and cut into lines once; each long line's
            // characters found once: thousands of diagnostics in one file,
            // or on one long line, cost what they print.
            let mut sources: BTreeMap<&str, Option<Source>> = BTreeMap::new();
            for d in shown.iter().filter(|d| d.line > 0) {
                sources
                    .entry(d.file.as_str())
                    .or_insert_with(|| source_of(&d.file).map(Source::new));
            }
            let mut long_lines: std::collections::HashMap<(&str, usize), Vec<usize>> = Default::default();
            let mut out = String::new();
            for d in &shown {
                let text = sources
                    .get(d.file.as_str())
                    .and_then(Option::as_ref)
                    .filter(|_| d.line > 0)
                    .and_then(|s| s.line(d.line - 1));
                let excerpt = text.map(|text| {
                    if text.len() <= SHOWN_CHARS {
                        return excerpt(text, &[], d);
                    }
                    let chars = long_lines
                        .entry((d.file.as_str(), d.line))
                        .or_insert_with(|| text.char_indices().map(|(i, _)| i).chain([text.len()]).collect());
                    excerpt(text, chars, d)
                });
                out.push_str(&human(d, excerpt));
            }
            for (kind, count) in &left_out {
                out.push_str(&format!(
                    "… and {count} more warning{} of this kind: {kind}\n",
                    if *count == 1 { "" } else { "s" }
                ));
            }
            if !left_out.is_empty() {
                out.push_str("(`--format json` or `--format github` lists every one)\n\n");
            }
            out
        }
        Format::Github => diagnostics.iter().map(github).collect(),
        Format::Json => {
            // Strings and numbers only: this cannot fail, and if it ever
            // did, an empty answer would read as "no problem".
            let mut text = serde_json::to_string_pretty(diagnostics).expect("diagnostics serialise");
            text.push('\n');
            text
        }
    }
}

/// Whether a character could act on a terminal or a log instead of being
/// shown: C0 and C1 controls, DEL, and the bidirectional overrides that
/// make a line read differently from what it is ("Trojan source").
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character that could rewrite a terminal or inject a
/// line into a CI log replaced by a visible stand-in, one character for
/// one so that columns still match: C0 controls by their Control Pictures
/// (`ESC` → `␛`), DEL by `␡`, C1 controls and bidi overrides by `�`. Tabs
/// stay; newlines stay when `lines` (a source file), else become `␊`; a
/// carriage return stays only before a newline (CRLF files).
pub fn terminal_safe(text: &str, lines: bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' => out.push(c),
            '\n' if lines => out.push(c),
            '\r' if lines && chars.peek() == Some(&'\n') => out.push(c),
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}')),
            '\u{7f}' => out.push('\u{2421}'),
            c if is_unsafe(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

fn needs_cleaning(d: &Diagnostic) -> bool {
    [d.file.as_str(), d.message.as_str(), d.hint.as_deref().unwrap_or("")]
        .iter()
        .any(|t| t.chars().any(is_unsafe))
}

fn cleaned_diagnostic(d: &Diagnostic) -> Diagnostic {
    Diagnostic {
        file: terminal_safe(&d.file, false).into_owned(),
        message: terminal_safe(&d.message, false).into_owned(),
        hint: d.hint.as_deref().map(|h| terminal_safe(h, false).into_owned()),
        ..d.clone()
    }
}

/// Warnings of one kind shown in full by the human format; the rest are
/// counted. Real data can give the same warning tens of thousands of times
/// (every source without a URL), which would bury everything else.
pub const WARNINGS_SHOWN_PER_KIND: usize = 10;

/// What the human format shows: every error, and the first
/// [`WARNINGS_SHOWN_PER_KIND`] warnings of each kind (their message with
/// the quoted names left out); then each kind with how many were left out.
fn shown_in_human(diagnostics: &[Diagnostic]) -> (Vec<&Diagnostic>, Vec<(String, usize)>) {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut shown = Vec::new();
    let mut order = Vec::new();
    for d in diagnostics {
        if d.severity == Severity::Error {
            shown.push(d);
            continue;
        }
        let kind = warning_kind(&d.message);
        let count = seen.entry(kind.clone()).or_insert_with(|| {
            order.push(kind);
            0
        });
        *count += 1;
        if *count <= WARNINGS_SHOWN_PER_KIND {
            shown.push(d);
        }
    }
    let left_out = order
        .into_iter()
        .filter_map(|kind| {
            let hidden = seen[&kind].saturating_sub(WARNINGS_SHOWN_PER_KIND);
            (hidden > 0).then_some((kind, hidden))
        })
        .collect();
    (shown, left_out)
}

/// A warning's message with what it quotes (ids, values) replaced by `…`.
fn warning_kind(message: &str) -> String {
    let mut kind = String::with_capacity(message.len());
    for (n, part) in message.split('`').enumerate() {
        if n % 2 == 1 {
            kind.push_str("`…`");
        } else {
            kind.push_str(part);
        }
    }
    kind
}

/// A source file cut into lines once.
struct Source {
    text: String,
    /// Where each line starts, in bytes.
    starts: Vec<usize>,
}

impl Source {
    fn new(text: String) -> Source {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source { text, starts }
    }

    /// Line `n` (0-based), without its line break.
    fn line(&self, n: usize) -> Option<&str> {
        let start = *self.starts.get(n)?;
        let end = self.starts.get(n + 1).map_or(self.text.len(), |&e| e - 1);
        let line = self.text.get(start..end.max(start))?;
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// Lines longer than this (in bytes) are shown as a window around the
/// mistake, not whole: a 300 KB line is not printed once per mistake.
const SHOWN_CHARS: usize = 200;

/// The part of `text` to show for `d`, and the bytes to underline in it.
/// `chars`: the byte of each character of `text` (and its length), for a
/// line longer than [`SHOWN_CHARS`]; empty for a short one.
fn excerpt(text: &str, chars: &[usize], d: &Diagnostic) -> Excerpt {
    let first = d.column.saturating_sub(1);
    if chars.is_empty() {
        let start = byte_of_char(text, first);
        let end = byte_of_char(text, first + d.width).max(start);
        return (text.to_string(), start..end, false);
    }
    let n = chars.len() - 1;
    let first = first.min(n);
    let from = first.saturating_sub(40);
    let to = (from + 120).min(n).max(first);
    let last = (first + d.width).min(to).max(first);
    let lead = if from > 0 { "…" } else { "" };
    let tail = if to < n { "…" } else { "" };
    let shown = format!("{lead}{}{tail}", &text[chars[from]..chars[to]]);
    let at = lead.len() + chars[first] - chars[from];
    (shown, at..at + chars[last] - chars[first], true)
}

/// A line to show, the bytes to underline, and whether it is a window of
/// a longer line (whose columns are not the file's).
type Excerpt = (String, std::ops::Range<usize>, bool);

fn human(d: &Diagnostic, excerpt: Option<Excerpt>) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let word = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = if d.line == 0 {
        format!("{}: {word}: {}\n", d.file, d.message)
    } else {
        format!("{}:{}:{}: {word}: {}\n", d.file, d.line, d.column, d.message)
    };
    let mut groups = Vec::new();
    if let Some((text, span, window)) = &excerpt {
        let snippet = Snippet::source(text.as_str()).line_start(d.line);
        // A window's columns are not the file's: the first line says where.
        let snippet = if *window {
            snippet
        } else {
            snippet.path(d.file.as_str())
        };
        let snippet = snippet.annotation(AnnotationKind::Primary.span(span.clone()));
        groups.push(Group::with_level(level.clone()).element(snippet));
    }
    if let Some(hint) = &d.hint {
        groups.push(Group::with_title(Level::HELP.secondary_title(hint.as_str())));
    }
    if !groups.is_empty() {
        out.push_str(&Renderer::plain().render(&groups));
        out.push('\n');
    }
    out.push('\n');
    out
}

fn byte_of_char(text: &str, chars: usize) -> usize {
    text.char_indices().nth(chars).map_or(text.len(), |(i, _)| i)
}

/// `::error file=…,line=…,col=…::message`, escaped as GitHub requires.
fn github(d: &Diagnostic) -> String {
    let word = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let prop = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
            .replace(':', "%3A")
            .replace(',', "%2C")
    };
    let data = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let mut message = d.message.clone();
    if let Some(hint) = &d.hint {
        message.push_str(" (");
        message.push_str(hint);
        message.push(')');
    }
    let line = d.line.max(1);
    let col = d.column.max(1);
    format!(
        "::{word} file={},line={line},col={col}::{}\n",
        prop(&d.file),
        data(&message)
    )
}

/// One step of a path into a YAML document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(key: &str) -> Seg {
        Seg::Key(key.to_string())
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Seg {
        Seg::Index(i)
    }
}

/// Builds a YAML path: `path!["observations", 2, "at"]`.
macro_rules! yaml_path {
    ($($seg:expr),* $(,)?) => { [$($crate::diagnostics::Seg::from($seg)),*] };
}
pub(crate) use yaml_path;

/// Where the value at `path` is written in a YAML document: 1-based line and
/// column and width in characters. Parsing again is only done when there is
/// an error to report, so the happy path pays nothing for it.
pub fn locate(text: &str, path: &[Seg]) -> Option<(usize, usize, usize)> {
    let mut events = Parser::new_from_str(text).map_while(Result::ok);
    loop {
        let (event, span) = events.next()?;
        match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => continue,
            _ => return find((event, span), &mut events, path),
        }
    }
}

type Events<'a, 'b> = dyn Iterator<Item = (Event<'a>, Span)> + 'b;

/// Where [`locate`] looks a path up in a file that gets many diagnostics:
/// [`locate`] reads the text from its start for each one, which is fine
/// for a few and quadratic for thousands (a list of 32,000 unknown ids);
/// after [`Located::DIRECT`] lookups, the file's places are indexed once.
/// It also keeps the count of "did you mean" hints given in its file: each
/// compares an id with every id of its kind, so a file of thousands of
/// unknown ids gets them for its first [`Located::SUGGESTIONS`] only.
#[derive(Debug, Default)]
pub struct Located {
    // Small: every record carries one, and nearly all stay untouched.
    lookups: std::sync::atomic::AtomicU32,
    suggestions: std::sync::atomic::AtomicU32,
    index: std::sync::OnceLock<Box<Places>>,
}

/// Every node's place in a text, by path.
type Places = std::collections::HashMap<Vec<Seg>, (usize, usize, usize)>;

impl Clone for Located {
    fn clone(&self) -> Self {
        Located::default()
    }
}

impl Located {
    /// Lookups read from the text before the index is made.
    const DIRECT: u32 = 8;
    /// "Did you mean" hints given in one file.
    pub const SUGGESTIONS: u32 = 100;

    /// Whether the file may have one more "did you mean" hint.
    pub fn may_suggest(&self) -> bool {
        self.suggestions.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < Self::SUGGESTIONS
    }

    /// [`locate`] of `path` in `text` (the text this belongs to).
    pub fn locate(&self, text: &str, path: &[Seg]) -> Option<(usize, usize, usize)> {
        use std::sync::atomic::Ordering;
        if self.index.get().is_none() && self.lookups.fetch_add(1, Ordering::Relaxed) < Self::DIRECT {
            return locate(text, path);
        }
        self.index
            .get_or_init(|| Box::new(index_places(text)))
            .get(path)
            .copied()
    }
}

/// Every node's place, by path, as [`locate`] finds it.
fn index_places(text: &str) -> Places {
    let mut out = std::collections::HashMap::new();
    let mut events = Parser::new_from_str(text).map_while(Result::ok);
    while let Some((event, span)) = events.next() {
        match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => continue,
            _ => {
                index_node((event, span), &mut events, &mut Vec::new(), &mut out);
                break;
            }
        }
    }
    out
}

fn place(event: &Event, span: Span) -> (usize, usize, usize) {
    let width = match event {
        Event::Scalar(..) => span.end.index().saturating_sub(span.start.index()),
        _ => 1,
    };
    (span.start.line(), span.start.col() + 1, width.max(1))
}

fn index_node<'a>(
    node: (Event<'a>, Span),
    events: &mut Events<'a, '_>,
    path: &mut Vec<Seg>,
    out: &mut Places,
) -> Option<()> {
    out.entry(path.clone()).or_insert_with(|| place(&node.0, node.1));
    match node.0 {
        Event::MappingStart(..) => loop {
            let key = events.next()?;
            match &key.0 {
                Event::MappingEnd => return Some(()),
                Event::Scalar(k, ..) => {
                    path.push(Seg::Key(k.to_string()));
                    let value = events.next()?;
                    if is_null(&value.0) {
                        // `ended:` with nothing after it: the key's place.
                        out.entry(path.clone()).or_insert_with(|| place(&key.0, key.1));
                    }
                    index_node(value, events, path, out)?;
                    path.pop();
                }
                _ => {
                    skip(key, events)?;
                    let value = events.next()?;
                    skip(value, events)?;
                }
            }
        },
        Event::SequenceStart(..) => {
            for i in 0.. {
                let item = events.next()?;
                if matches!(item.0, Event::SequenceEnd) {
                    return Some(());
                }
                path.push(Seg::Index(i));
                index_node(item, events, path, out)?;
                path.pop();
            }
            Some(())
        }
        _ => Some(()),
    }
}

fn find<'a>(node: (Event<'a>, Span), events: &mut Events<'a, '_>, path: &[Seg]) -> Option<(usize, usize, usize)> {
    let (event, span) = node;
    let Some((seg, rest)) = path.split_first() else {
        let width = match &event {
            Event::Scalar(..) => span.end.index().saturating_sub(span.start.index()),
            _ => 1,
        };
        return Some((span.start.line(), span.start.col() + 1, width.max(1)));
    };
    match (event, seg) {
        (Event::MappingStart(..), Seg::Key(want)) => loop {
            let key = events.next()?;
            match &key.0 {
                Event::MappingEnd => return None,
                Event::Scalar(k, ..) if k == want => {
                    let value = events.next()?;
                    if rest.is_empty() && is_null(&value.0) {
                        // `ended:` with nothing after it: point at the key.
                        return find(key, events, rest);
                    }
                    return find(value, events, rest);
                }
                _ => {
                    skip(key, events)?;
                    let value = events.next()?;
                    skip(value, events)?;
                }
            }
        },
        (Event::SequenceStart(..), Seg::Index(want)) => {
            for _ in 0..*want {
                let item = events.next()?;
                if matches!(item.0, Event::SequenceEnd) {
                    return None;
                }
                skip(item, events)?;
            }
            let item = events.next()?;
            if matches!(item.0, Event::SequenceEnd) {
                return None;
            }
            find(item, events, rest)
        }
        _ => None,
    }
}

fn is_null(event: &Event) -> bool {
    matches!(event, Event::Scalar(v, ..) if v.is_empty() || v == "~" || v == "null")
}

/// Consumes the rest of a node whose first event is `node`.
fn skip<'a>(node: (Event<'a>, Span), events: &mut Events<'a, '_>) -> Option<()> {
    let mut depth = match node.0 {
        Event::MappingStart(..) | Event::SequenceStart(..) => 1usize,
        _ => return Some(()),
    };
    while depth > 0 {
        match events.next()?.0 {
            Event::MappingStart(..) | Event::SequenceStart(..) => depth += 1,
            Event::MappingEnd | Event::SequenceEnd => depth -= 1,
            _ => {}
        }
    }
    Some(())
}

/// Turns a path inside the project into the `/`-separated text diagnostics use.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path;

    #[test]
    fn the_human_format_counts_a_flood_of_one_warning_and_shows_every_error() {
        let mut all: Vec<Diagnostic> = (0..25)
            .map(|n| Diagnostic::warning(&format!("f{n:02}.yaml"), (1, 1), format!("source `s{n}` has no url")))
            .collect();
        all.push(Diagnostic::warning("g.yaml", (1, 1), "no incident mentions target `t`"));
        all.extend((0..15).map(|n| Diagnostic::error(&format!("e{n:02}.yaml"), (1, 1), format!("bad `{n}`"))));
        let (shown, left_out) = shown_in_human(&all);
        assert_eq!(shown.len(), 10 + 1 + 15);
        assert_eq!(left_out, vec![("source `…` has no url".to_string(), 15)]);
        let text = render(&all, Format::Human, &|_| None);
        assert!(text.contains("f09.yaml") && !text.contains("f10.yaml"), "{text}");
        assert!(
            text.contains("… and 15 more warnings of this kind: source `…` has no url\n"),
            "{text}"
        );
        // The other formats list every one.
        assert_eq!(render(&all, Format::Github, &|_| None).lines().count(), all.len());
    }

    const DOC: &str = "title: x\ntargets:\n  - a\n  - bee\nobservations:\n  - at: 2024-08-25\n    state: down\n  - { at: '2024-08-26', state: up }\nended:\n";

    #[test]
    fn locates_values_by_path() {
        assert_eq!(locate(DOC, &path!["title"]), Some((1, 8, 1)));
        assert_eq!(locate(DOC, &path!["targets", 1]), Some((4, 5, 3)));
        assert_eq!(locate(DOC, &path!["observations", 0, "state"]), Some((7, 12, 4)));
        assert_eq!(locate(DOC, &path!["observations", 1, "at"]), Some((8, 11, 12)));
        assert_eq!(locate(DOC, &path!["ended"]), Some((9, 1, 5)));
        assert_eq!(locate(DOC, &path!["targets", 5]), None);
        assert_eq!(locate(DOC, &path!["nope"]), None);
    }

    #[test]
    fn github_format_escapes_properties() {
        let d = Diagnostic::error("content/a,b.yaml", (3, 4), "bad: 100%\nvalue");
        assert_eq!(
            github(&d),
            "::error file=content/a%2Cb.yaml,line=3,col=4::bad: 100%25%0Avalue\n"
        );
    }
}
