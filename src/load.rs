//! Stage 1: find and read every content file (SPEC §1).
//!
//! Walks `content/` in a fixed order, decides what each file is from its
//! folder, checks the id rule on its stem, and reads it as UTF-8 text. A file
//! that cannot be read is a diagnostic for that file; the walk goes on.

use std::fs;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::{display_path, Diagnostic};
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
    pub path: PathBuf,
    pub text: String,
}

/// Everything the walk found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// `content/site.yaml`, when readable.
    pub site: Option<SourceFile>,
    pub files: Vec<SourceFile>,
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
    let site_path = content.join("site.yaml");
    let site_file = display_path(root, &site_path);
    let site_is_symlink = fs::symlink_metadata(&site_path).is_ok_and(|m| m.file_type().is_symlink());
    match read_text(&site_path, &site_file, &content, site_is_symlink) {
        Ok(text) => {
            loaded.site = Some(SourceFile {
                kind: Kind::Note, // unused for the site file
                id: Id::parse("site").expect("valid id"),
                file: site_file,
                path: site_path,
                text,
            })
        }
        Err(d) => diagnostics
            .push(d.with_hint("every project needs content/site.yaml with at least `title:` and `base_url:`")),
    }

    // Files are read in batches while the walk goes on, so reading (in
    // parallel) overlaps the walk (sequential, for its fixed order).
    const BATCH: usize = 512;
    let batches = std::sync::Mutex::new(Vec::new());
    let mut found = 0;
    rayon::scope(|scope| {
        let mut next = 0;
        let mut read_batch = |batch: Vec<(Kind, PathBuf, bool)>| {
            let (n, batches, content) = (next, &batches, &content);
            next += 1;
            scope.spawn(move |_| {
                let read: Vec<Result<SourceFile, Diagnostic>> =
                    batch.into_iter().map(|f| read_one(root, content, f)).collect();
                batches.lock().unwrap_or_else(|e| e.into_inner()).push((n, read));
            });
        };
        let mut batch = Vec::with_capacity(BATCH);
        for (kind, ext) in FOLDERS {
            let folder = content.join(kind.folder());
            if !folder.exists() {
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
                let path = entry.path();
                let has_ext = path.extension().is_some_and(|e| e == ext);
                if entry.file_type().is_dir() {
                    if has_ext {
                        diagnostics.push(Diagnostic::error(
                            &display_path(root, path),
                            (0, 0),
                            format!("this is a folder, but its name says it is a `.{ext}` record"),
                        ));
                    }
                    continue;
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
                    continue;
                }
                batch.push((kind, path.to_path_buf(), entry.path_is_symlink()));
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
    let mut batches = batches.into_inner().unwrap_or_else(|e| e.into_inner());
    batches.sort_unstable_by_key(|(n, _)| *n);
    let results = batches.into_iter().flat_map(|(_, read)| read);
    for result in results {
        match result {
            Ok(file) => loaded.files.push(file),
            Err(d) => diagnostics.push(d),
        }
    }
    loaded
}

/// Reads one record file found by the walk: its id from its name, its text.
fn read_one(
    root: &Path,
    content: &Path,
    (kind, path, is_symlink): (Kind, PathBuf, bool),
) -> Result<SourceFile, Diagnostic> {
    let file = display_path(root, &path);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = Id::parse(&stem).map_err(|why| {
        Diagnostic::error(&file, (0, 0), format!("bad file name: {why}"))
            .with_hint("the file name (without extension) is the record's id")
    })?;
    let text = read_text(&path, &file, content, is_symlink)?;
    Ok(SourceFile {
        kind,
        id,
        file,
        path,
        text,
    })
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with('.') || name.starts_with('_')
}

/// Reads a file as UTF-8, refusing what would be unsafe or unreasonable.
/// `is_symlink` comes from the walk, which already knows it: one path
/// lookup less per file.
fn read_text(path: &Path, file: &str, content: &Path, is_symlink: bool) -> Result<String, Diagnostic> {
    let whole = |msg: String| Diagnostic::error(file, (0, 0), msg);
    if is_symlink {
        let target = fs::canonicalize(path)
            .map_err(|e| whole(format!("this symbolic link cannot be followed: {}", io_reason(&e))))?;
        let inside = fs::canonicalize(content).is_ok_and(|c| target.starts_with(c));
        if !inside {
            return Err(whole(
                "this symbolic link points outside content/; it is not followed".into(),
            ));
        }
    }
    let mut f = fs::File::open(path).map_err(|e| whole(format!("cannot read: {}", io_reason(&e))))?;
    let meta = f
        .metadata()
        .map_err(|e| whole(format!("cannot read: {}", io_reason(&e))))?;
    if meta.is_dir() {
        return Err(whole("this is a folder, not a file".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(whole(format!(
            "this file is {} bytes, more than the limit of {MAX_FILE_BYTES}",
            meta.len()
        )));
    }
    // Read at most one byte past the limit, in case the file grows meanwhile.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    use std::io::Read;
    (&mut f)
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| whole(format!("cannot read: {}", io_reason(&e))))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(whole(format!(
            "this file is more than the limit of {MAX_FILE_BYTES} bytes"
        )));
    }
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let line = valid.matches('\n').count() + 1;
        let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Diagnostic::error(file, (line, column), "this file is not valid UTF-8 text").with_hint("save the file as UTF-8")
    })?;
    strip_bom(&mut text);
    Ok(text)
}

/// Drops a byte-order mark, which editors on Windows put at the start of
/// UTF-8 files: the YAML parser takes a file that starts with one for two
/// documents, and it is not part of the text anyway.
pub fn strip_bom(text: &mut String) {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
