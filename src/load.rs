//! Stage 1: find and read every content file (docs/format.md).
//!
//! Walks `content/` in a fixed order, decides what each file is from its
//! folder, checks the id rule on its stem, and reads it as UTF-8 text. A file
//! that cannot be read is a diagnostic for that file; the walk goes on.

use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::{display_path, Diagnostic};
use crate::guard::{reason, Project};
use crate::records::{Id, Kind};

/// Files larger than this are refused rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// More records than this are refused (a runaway generator, not a campaign).
pub const MAX_RECORDS: usize = 1_000_000;

/// A content file, read.
#[derive(Debug)]
pub struct SourceFile {
    pub kind: Kind,
    pub id: Id,
    /// Path relative to the project root, `/`-separated, for messages.
    pub file: String,
    pub text: String,
}

/// Everything the walk found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// `content/site.yaml`, when readable.
    pub site: Option<SourceFile>,
    pub files: Vec<SourceFile>,
    /// Records whose file has a valid name but could not be read (reported):
    /// they exist, for references.
    pub unreadable: Vec<(Kind, Id)>,
}

/// The record kinds that live in `content/<folder>/`, with their extension.
const FOLDERS: [(Kind, &str); 5] = [
    (Kind::Incident, "yaml"),
    (Kind::Actor, "yaml"),
    (Kind::Target, "yaml"),
    (Kind::Campaign, "yaml"),
    (Kind::Note, "md"),
];

/// Reads `root/content`; problems go to `diagnostics`.
pub fn load(root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Loaded {
    let content = root.join("content");
    let mut loaded = Loaded::default();
    let Some(project) = content_folder(root, diagnostics) else {
        return loaded;
    };
    let project = &project;
    loaded.site = load_site(root, project, diagnostics);

    // Files are read in batches while the walk goes on, so reading (in
    // parallel) overlaps the walk (sequential, for its fixed order).
    const BATCH: usize = 512;
    let batches = std::sync::Mutex::new(Vec::new());
    let mut found = 0;
    rayon::scope(|scope| {
        let mut next = 0;
        let mut read_batch = |batch: Vec<(Kind, PathBuf)>| {
            let (n, batches) = (next, &batches);
            next += 1;
            scope.spawn(move |_| {
                let read: Vec<Read> = batch.into_iter().map(|f| read_one(root, project, f)).collect();
                batches.lock().unwrap_or_else(|e| e.into_inner()).push((n, read));
            });
        };
        let mut batch = Vec::with_capacity(BATCH);
        for (kind, ext) in FOLDERS {
            let folder = content.join(kind.folder());
            if fs::symlink_metadata(&folder).is_err() {
                continue;
            }
            if let Err(why) = project.dir(&folder) {
                diagnostics.push(Diagnostic::error(&display_path(root, &folder), (0, 0), why.to_string()));
                continue;
            }
            let walker = WalkDir::new(&folder)
                .min_depth(1)
                .follow_links(false)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| !is_hidden(e.file_name()));
            for entry in walker {
                let entry = match entry {
                    Ok(e) => e,
                    Err(err) => {
                        let path = err.path().unwrap_or(&folder).to_path_buf();
                        diagnostics.push(Diagnostic::error(
                            &display_path(root, &path),
                            (0, 0),
                            format!("cannot read this folder: {err}"),
                        ));
                        continue;
                    }
                };
                if !is_record_file(root, kind, ext, &entry, diagnostics) {
                    continue;
                }
                let path = entry.path();
                batch.push((kind, path.to_path_buf()));
                found += 1;
                if batch.len() == BATCH && found <= MAX_RECORDS {
                    read_batch(std::mem::take(&mut batch));
                }
            }
        }
        if found <= MAX_RECORDS {
            read_batch(batch);
        }
    });
    if found > MAX_RECORDS {
        diagnostics.push(Diagnostic::error(
            &display_path(root, &content),
            (0, 0),
            format!("{found} records is more than the limit of {MAX_RECORDS}"),
        ));
        return loaded;
    }
    let batches = batches.into_inner().unwrap_or_else(|e| e.into_inner());
    keep_in_walk_order(batches, &mut loaded, diagnostics);
    loaded
}

/// The files read, in the walk's order whichever batch was read first;
/// those that could not be read are noted with why.
fn keep_in_walk_order(mut batches: Vec<(usize, Vec<Read>)>, loaded: &mut Loaded, diagnostics: &mut Vec<Diagnostic>) {
    batches.sort_unstable_by_key(|(n, _)| *n);
    for result in batches.into_iter().flat_map(|(_, read)| read) {
        match result {
            Ok((file, notice)) => {
                diagnostics.extend(notice);
                loaded.files.push(file);
            }
            Err(failed) => {
                let (record, d) = *failed;
                loaded.unreadable.extend(record);
                diagnostics.push(d);
            }
        }
    }
}

/// A file read (with a notice, such as a byte order mark dropped), or why not.
type Read = Result<(SourceFile, Option<Diagnostic>), Unread>;

/// `content/` as a folder inside the project, or why not.
fn content_folder(root: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<Project> {
    let project = match Project::new(root) {
        Ok(p) => p,
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                ".",
                (0, 0),
                format!("cannot read the project: {}", reason(&e)),
            ));
            return None;
        }
    };
    match project.folder("content") {
        Ok(p) => Some(p),
        Err(why) => {
            diagnostics.push(Diagnostic::error("content", (0, 0), why.to_string()));
            None
        }
    }
}

/// `content/site.yaml`, read.
fn load_site(root: &Path, project: &Project, diagnostics: &mut Vec<Diagnostic>) -> Option<SourceFile> {
    let site_path = root.join("content/site.yaml");
    let site_file = display_path(root, &site_path);
    match read_text(project, &site_path, &site_file, false) {
        Ok((text, notice)) => {
            diagnostics.extend(notice);
            Some(SourceFile {
                kind: Kind::Note, // unused for the site file
                id: Id::parse("site").expect("valid id"),
                file: site_file,
                text,
            })
        }
        Err(d) => {
            diagnostics
                .push(d.with_hint("every project needs content/site.yaml with at least `title:` and `base_url:`"));
            None
        }
    }
}

/// Whether an entry of a record folder is a record to read: a file with
/// the folder's extension. Anything else is said (a pipe, a folder named
/// like a record, a file of another extension), unless it is hidden.
fn is_record_file(
    root: &Path,
    kind: Kind,
    ext: &str,
    entry: &walkdir::DirEntry,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let path = entry.path();
    let has_ext = path.extension().is_some_and(|e| e == ext);
    let file_type = entry.file_type();
    if !(file_type.is_dir() || file_type.is_file() || file_type.is_symlink()) {
        let why = fs::symlink_metadata(path).map_or("not a file".into(), |m| {
            format!("this is {}, not a file; it is not read", crate::guard::kind_name(&m))
        });
        diagnostics.push(Diagnostic::error(&display_path(root, path), (0, 0), why.to_string()));
        return false;
    }
    if file_type.is_dir() {
        if let Err(why) = crate::guard::portable_name(&entry.file_name().to_string_lossy()) {
            diagnostics.push(Diagnostic::error(&display_path(root, path), (0, 0), why.to_string()));
        }
        if has_ext {
            diagnostics.push(Diagnostic::error(
                &display_path(root, path),
                (0, 0),
                format!("this is a folder, but its name says it is a `.{ext}` record"),
            ));
        }
        return false;
    }
    if !has_ext {
        diagnostics.push(
            Diagnostic::warning(
                &display_path(root, path),
                (0, 0),
                format!("ignored: records in {}/ are `.{ext}` files", kind.folder()),
            )
            .with_hint("rename it, or start its name with `_` to silence this"),
        );
        return false;
    }
    true
}

/// Reads one record file found by the walk: its id from its name, its text.
/// A file with a valid name that cannot be read still names its record.
/// Boxed: errors are rare, and records are read by the thousand.
type Unread = Box<(Option<(Kind, Id)>, Diagnostic)>;

fn read_one(
    root: &Path,
    project: &Project,
    (kind, path): (Kind, PathBuf),
) -> Result<(SourceFile, Option<Diagnostic>), Unread> {
    let file = display_path(root, &path);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = Id::parse(&stem).map_err(|why| {
        let d = Diagnostic::error(&file, (0, 0), format!("bad file name: {why}"))
            .with_hint("the file name (without extension) is the record's id");
        Box::new((None, d))
    })?;
    let (text, notice) = read_text(project, &path, &file, true).map_err(|d| Box::new((Some((kind, id.clone())), d)))?;
    Ok((SourceFile { kind, id, file, text }, notice))
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name.starts_with('_')
}

/// Reads a file as UTF-8, refusing what would be unsafe or unreasonable:
/// a link out of the project, a pipe or device, a huge file. `walked`: it
/// was found by the walk, which follows no link (see [`Project::read_walked`]).
fn read_text(
    project: &Project,
    path: &Path,
    file: &str,
    walked: bool,
) -> Result<(String, Option<Diagnostic>), Diagnostic> {
    let whole = |msg: String| Diagnostic::error(file, (0, 0), msg);
    let bytes = if walked {
        project.read_walked(path, MAX_FILE_BYTES)
    } else {
        project.read(path, MAX_FILE_BYTES)
    }
    .map_err(|why| whole(why.to_string()))?;
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Diagnostic::error(file, (line, column), "this file is not valid UTF-8 text").with_hint("save the file as UTF-8")
    })?;
    normalize(&mut text);
    let notice = strip_bidi_controls(&mut text, file);
    Ok((text, notice))
}

/// The characters that reorder the text around them (embeddings,
/// overrides, isolates: U+202A–U+202E, U+2066–U+2069). One at the end of
/// an actor's name would make "A (suspected)" read as something else on
/// every page, feed and row that shows it; the reader must see what the
/// record says, so they are removed as the file is read, with a warning.
/// (Right-to-left text needs none of them: its letters carry their
/// direction.)
const BIDI_CONTROLS: [char; 9] = [
    '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
];

/// Removes [`BIDI_CONTROLS`] from `text`; a warning at the first one.
fn strip_bidi_controls(text: &mut String, file: &str) -> Option<Diagnostic> {
    // In UTF-8 each is E2 80 AA–AE or E2 81 A6–A9: a byte scan, since
    // 0xE2 alone starts every curly quote and dash of ordinary text.
    let bidi = |w: &[u8]| w[0] == 0xe2 && matches!((w[1], w[2]), (0x80, 0xaa..=0xae) | (0x81, 0xa6..=0xa9));
    if !text.as_bytes().windows(3).any(bidi) {
        return None;
    }
    let at = text.find(BIDI_CONTROLS)?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let count = text.matches(BIDI_CONTROLS).count();
    let first = text[at..].chars().next().map_or(0, u32::from);
    text.retain(|c| !BIDI_CONTROLS.contains(&c));
    Some(
        Diagnostic::warning(
            file,
            (line, column),
            format!(
                "U+{first:04X}, a control that reorders the text around it, was removed ({} in this file): it could make a page show something else than the record says",
                count
            ),
        )
        .with_hint("remove it from the file; right-to-left text needs no control characters"),
    )
}

/// Drops a byte-order mark, which editors on Windows put at the start of
/// UTF-8 files (the YAML parser takes a file that starts with one for two
/// documents, and it is not part of the text anyway), and writes every
/// line break as `\n`: YAML also breaks lines at `\r\n`, a lone `\r`,
/// U+0085, U+2028 and U+2029, so one break for all makes every line number
/// of `check` (which counts `\n`) the parser's own.
pub fn normalize(text: &mut String) {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    // Each looked for alone: a one-character search runs on `memchr`, a
    // set of characters goes through the text a character at a time.
    let breaks = ['\r', '\u{85}', '\u{2028}', '\u{2029}'];
    if breaks.iter().any(|&c| text.contains(c)) {
        *text = text.replace("\r\n", "\n").replace(breaks, "\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_the_reordering_controls_are_removed() {
        for c in BIDI_CONTROLS {
            let mut text = format!("name: A{c}B ’\n");
            let warning = strip_bidi_controls(&mut text, "f.yaml").expect("a warning");
            assert_eq!(text, "name: AB ’\n");
            assert_eq!((warning.line, warning.column), (1, 8));
        }
        // Their neighbours in the code table, and curly quotes, stay.
        for c in ['\u{2019}', '\u{2029}', '\u{202f}', '\u{2065}', '\u{206a}', '\u{200f}'] {
            let mut text = format!("a{c}b");
            assert!(strip_bidi_controls(&mut text, "f.yaml").is_none(), "U+{:04X}", c as u32);
            assert_eq!(text, format!("a{c}b"));
        }
    }
}
