//! Stage 6: put the site on disk without ever losing the previous one, and
//! without touching anything sitrep did not write.
//!
//! Files go into a fresh staging folder beside the output folder; only when
//! every page is written is it swapped in by two renames. Every site sitrep
//! writes carries a marker file ([`MARKER`]), and an output folder is
//! replaced only when it carries one (or is empty, or `--force` says so).
//! The output path is checked on the disk as it is, never through a
//! symbolic link: a committed `site -> ../../elsewhere` is refused, not
//! followed. A build killed between the two renames is finished by the
//! next one, which puts the previous site back and clears what the killed
//! build left.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// The file at the top of every site sitrep writes: it tells a later build
/// that this folder is its own to replace.
pub const MARKER: &str = ".sitrep";
/// What the marker says: the tool and the format of its output.
const MARKER_TEXT: &str = "sitrep site, format 1\nThis folder is written by `sitrep build`, which replaces it whole.\n";

/// Why an output folder is refused or could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("refusing to write the site to {path}: {why}")]
    Refused { path: String, why: String },
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    /// A file of `static/` that cannot be published as it is.
    #[error("{path}: {why}")]
    Static { path: String, why: String },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Makes `path` absolute and resolves `.` and `..` by the text alone,
/// following no symbolic link (the folder may not exist yet, and a link
/// must be seen as a link, not as where it points).
pub fn lexical_absolute(path: &Path) -> io::Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut clean = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    Ok(clean)
}

/// `path` with its existing part resolved (symbolic links included) and the
/// rest appended: where it really is, for comparing folders.
fn resolved(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while fs::symlink_metadata(&existing).is_err() {
        match (existing.file_name().map(|n| n.to_os_string()), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = fs::canonicalize(&existing).unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

/// Whether `dir` is a site sitrep wrote: it has the marker, or (written by a
/// sitrep from before the marker) every file that only sitrep writes together.
fn is_sitrep_site(dir: &Path) -> bool {
    let regular = |name: &str| fs::symlink_metadata(dir.join(name)).is_ok_and(|m| m.is_file());
    regular(MARKER)
        || [".nojekyll", "incidents.json", "stix.json", "sitemap.xml", "404.html"]
            .into_iter()
            .all(regular)
}

fn is_empty_dir(dir: &Path) -> bool {
    fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none())
}

/// Refuses output folders whose replacement would destroy something else;
/// gives back where the site goes, its parent resolved. `force` lets a
/// non-empty folder without the marker be replaced, never a non-folder.
pub fn check_output_folder(out: &Path, root: &Path, force: bool) -> Result<PathBuf, WriteError> {
    let refuse = |why: &str| WriteError::Refused {
        path: out.display().to_string(),
        why: why.to_string(),
    };
    let out_lex = lexical_absolute(out).map_err(io_err(out))?;
    let root_lex = lexical_absolute(root).map_err(io_err(root))?;
    let root_real = resolved(&root_lex);
    let (Some(parent), Some(name)) = (out_lex.parent(), out_lex.file_name()) else {
        return Err(refuse("it is the file-system root"));
    };
    // The path itself, as it is on the disk: never through a link.
    let meta = fs::symlink_metadata(&out_lex).ok();
    if meta.as_ref().is_some_and(|m| m.file_type().is_symlink()) {
        return Err(refuse(
            "it is a symbolic link; sitrep does not follow it (point --out at a real folder)",
        ));
    }
    if let Some(m) = meta.as_ref().filter(|m| !m.is_dir()) {
        return Err(refuse(&format!("it is {}, not a folder", crate::guard::kind_name(m))));
    }
    // A link on the way that leaves the project (`site/` under `out -> ../..`).
    for ancestor in parent.ancestors() {
        let inside = ancestor.starts_with(&root_lex) && ancestor != root_lex;
        let is_link = fs::symlink_metadata(ancestor).is_ok_and(|m| m.file_type().is_symlink());
        if inside && is_link && !resolved(ancestor).starts_with(&root_real) {
            return Err(refuse(&format!(
                "{} is a symbolic link that leads out of the project",
                ancestor.display()
            )));
        }
    }
    let dest = resolved(parent).join(name);
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        if let Ok(home) = lexical_absolute(Path::new(&home)) {
            if resolved(&home).starts_with(&dest) {
                return Err(refuse("it is or contains your home folder"));
            }
        }
    }
    for (folder, why) in [
        ("content", "it is or contains the content folder"),
        ("templates", "it is or contains the templates folder"),
        ("static", "it is or contains the static folder"),
    ] {
        let protected = resolved(&root_lex.join(folder));
        if protected.starts_with(&dest) || dest.starts_with(&protected) {
            return Err(refuse(why));
        }
    }
    if root_real.starts_with(&dest) {
        return Err(refuse("it is or contains the project folder"));
    }
    if meta.is_some() && !is_empty_dir(&dest) && !is_sitrep_site(&dest) && !force {
        return Err(refuse(&format!(
            "it is a folder sitrep did not write (it has files but no `{MARKER}` marker); \
             check --out, or pass --force to replace it"
        )));
    }
    Ok(dest)
}

/// A site being written into a staging folder beside its destination.
pub struct Staging {
    dest: PathBuf,
    temp: PathBuf,
    committed: bool,
    /// What the start found and mended (an interrupted build's leftovers).
    pub notes: Vec<String>,
}

/// The names of the staging and the previous-site folders of `name`.
fn staging_name(name: &str, what: &str, pid: u32) -> String {
    format!(".{name}.sitrep-{what}-{pid}")
}

/// Whether the process that named a staging folder may still be writing it.
fn is_alive(pid: u32) -> bool {
    pid == std::process::id() || (Path::new("/proc/self").exists() && Path::new("/proc").join(pid.to_string()).exists())
}

/// Removes a leftover of an earlier build: a link as a link (never what it
/// points to), a folder only when sitrep wrote it.
fn remove_leftover(path: &Path) -> io::Result<bool> {
    let meta = fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        fs::remove_file(path)?;
        return Ok(true);
    }
    if meta.is_dir() && (is_sitrep_site(path) || is_empty_dir(path)) {
        fs::remove_dir_all(path)?;
        return Ok(true);
    }
    Ok(false)
}

impl Staging {
    /// Starts a build for `dest` (already checked by [`check_output_folder`]):
    /// mends what an interrupted build left, then makes the staging folder.
    pub fn begin(dest: &Path) -> Result<Staging, WriteError> {
        let parent = dest.parent().unwrap_or(Path::new("/"));
        fs::create_dir_all(parent).map_err(io_err(parent))?;
        let name = dest
            .file_name()
            .map_or("site".into(), |n| n.to_string_lossy().into_owned());
        let notes = recover(parent, &name, dest)?;
        let temp = parent.join(staging_name(&name, "new", std::process::id()));
        if fs::symlink_metadata(&temp).is_ok() {
            remove_leftover(&temp).map_err(io_err(&temp))?;
        }
        fs::create_dir(&temp).map_err(io_err(&temp))?;
        let staging = Staging {
            dest: dest.to_path_buf(),
            temp,
            committed: false,
            notes,
        };
        staging.write(MARKER, MARKER_TEXT.as_bytes())?;
        Ok(staging)
    }

    /// Writes one file at `rel` (a `/`-separated path inside the site).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), WriteError> {
        let path = self.temp.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        fs::write(&path, bytes).map_err(io_err(&path))
    }

    /// Writes one file at `rel` through `fill`, streamed (for big exports).
    pub fn stream(&self, rel: &str, fill: impl FnOnce(&mut dyn io::Write) -> io::Result<()>) -> Result<(), WriteError> {
        let path = self.temp.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io_err(dir))?;
        }
        let file = fs::File::create(&path).map_err(io_err(&path))?;
        let mut w = io::BufWriter::with_capacity(1 << 16, file);
        fill(&mut w).map_err(io_err(&path))?;
        io::Write::flush(&mut w).map_err(io_err(&path))
    }

    /// Swaps the new site in place of the old one. Once the new site is in
    /// place the build has succeeded: a previous site that cannot be removed
    /// is left for the next build to clear, and said in a note.
    pub fn commit(mut self) -> Result<Vec<String>, WriteError> {
        let parent = self.dest.parent().unwrap_or(Path::new("/")).to_path_buf();
        let name = self
            .dest
            .file_name()
            .map_or("site".into(), |n| n.to_string_lossy().into_owned());
        let old = parent.join(staging_name(&name, "old", std::process::id()));
        let had_old = fs::symlink_metadata(&self.dest).is_ok();
        if had_old {
            fs::rename(&self.dest, &old).map_err(io_err(&self.dest))?;
        }
        if let Err(e) = fs::rename(&self.temp, &self.dest) {
            if had_old {
                let _ = fs::rename(&old, &self.dest);
            }
            return Err(io_err(&self.dest)(e));
        }
        self.committed = true;
        let mut notes = std::mem::take(&mut self.notes);
        if had_old {
            if let Err(e) = fs::remove_dir_all(&old) {
                notes.push(format!(
                    "the new site is in place; the previous one could not be removed ({e}) and is left in {} for the next build to clear",
                    old.display()
                ));
            }
        }
        Ok(notes)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
}

/// Mends what interrupted builds of `name` left in `parent`: a previous site
/// set aside but never replaced (the build died between its two renames) is
/// put back; staging folders of builds no longer running are removed.
fn recover(parent: &Path, name: &str, dest: &Path) -> Result<Vec<String>, WriteError> {
    let mut notes = Vec::new();
    let prefix = format!(".{name}.sitrep-");
    let mut leftovers: Vec<(String, u32, PathBuf)> = Vec::new();
    for entry in fs::read_dir(parent).map_err(io_err(parent))?.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some((what, pid)) = file_name.strip_prefix(&prefix).and_then(|rest| rest.split_once('-')) else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if (what == "new" || what == "old") && !is_alive(pid) {
            leftovers.push((what.to_string(), pid, entry.path()));
        }
    }
    leftovers.sort();
    if fs::symlink_metadata(dest).is_err() {
        let set_aside = leftovers.iter().position(|(what, _, path)| {
            what == "old" && fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) && is_sitrep_site(path)
        });
        if let Some(i) = set_aside {
            let (_, _, path) = leftovers.remove(i);
            fs::rename(&path, dest).map_err(io_err(&path))?;
            notes.push(format!(
                "an earlier build was interrupted while swapping; its previous site is back in {}",
                dest.display()
            ));
        }
    }
    for (_, _, path) in leftovers {
        if remove_leftover(&path).map_err(io_err(&path))? {
            notes.push(format!("removed {}, left by an interrupted build", path.display()));
        }
    }
    Ok(notes)
}

/// The project's `static/`, checked once and listed: what `build` copies
/// and `serve` answers from, read through the same guard by both, so the
/// preview never serves what the site would not hold.
#[derive(Debug, Default)]
pub struct Statics {
    /// The folder, checked to be inside the project; `None` without one.
    folder: Option<(crate::guard::Project, std::path::PathBuf)>,
    /// Each file's path inside `static/` (`/`-separated), sorted.
    pub files: Vec<String>,
}

impl Statics {
    /// Lists `static/`, refusing (naming the path) a link that leads out
    /// of it, a link to a folder, anything but files and folders, a name
    /// that cannot exist on Windows, and two names that differ only in case
    /// (one file on a case-insensitive file system).
    pub fn list(root: &Path) -> Result<Statics, WriteError> {
        let dir = root.join("static");
        if fs::symlink_metadata(&dir).is_err() {
            return Ok(Statics::default());
        }
        let refused = |path: &Path, why: &dyn std::fmt::Display| WriteError::Static {
            path: crate::diagnostics::display_path(root, path),
            why: why.to_string(),
        };
        let project = crate::guard::Project::new(root).map_err(io_err(root))?;
        let folder = project.folder("static").map_err(|why| refused(&dir, &why))?;
        let mut files = Vec::new();
        let mut folded: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
        for entry in walkdir::WalkDir::new(&dir)
            .min_depth(1)
            .sort_by_file_name()
            .follow_links(false)
        {
            let entry = entry.map_err(|e| WriteError::Io {
                path: dir.display().to_string(),
                source: e.into(),
            })?;
            let path = entry.path();
            let rel = crate::diagnostics::display_path(&dir, path);
            crate::guard::portable_name(&entry.file_name().to_string_lossy()).map_err(|why| refused(path, &why))?;
            if let Some(other) = folded.insert(rel.to_lowercase(), rel.clone()) {
                return Err(refused(
                    path,
                    &format!(
                        "its name differs from static/{other} only in case: one file on Windows and macOS; rename one"
                    ),
                ));
            }
            if entry.file_type().is_dir() {
                continue;
            }
            if entry.file_type().is_symlink() && folder.dir(path).is_ok() {
                return Err(refused(path, &"a symbolic link to a folder is not followed in static/"));
            }
            folder.file(path).map_err(|why| refused(path, &why))?;
            files.push(rel);
        }
        files.sort_unstable();
        Ok(Statics {
            folder: Some((folder, dir)),
            files,
        })
    }

    /// Reads the file at `rel` (a path inside `static/`), through the guard.
    pub fn read(&self, rel: &str) -> Result<Vec<u8>, crate::guard::Refused> {
        let not_listed = crate::guard::Refused::NotListed;
        let (folder, dir) = self.folder.as_ref().ok_or(not_listed.clone())?;
        if self.files.binary_search_by(|f| f.as_str().cmp(rel)).is_err() {
            return Err(not_listed);
        }
        // The checked way, not the walk's fast path: `serve` reads long
        // after the listing, and a folder on the way may have become a
        // link since (a `git checkout` while the preview runs).
        folder.read(&dir.join(rel), crate::guard::MAX_STATIC_BYTES)
    }

    /// Copies every file into the site.
    pub fn copy(&self, staging: &Staging) -> Result<usize, WriteError> {
        for rel in &self.files {
            let bytes = self.read(rel).map_err(|why| WriteError::Static {
                path: format!("static/{rel}"),
                why: why.to_string(),
            })?;
            staging.write(rel, &bytes)?;
        }
        Ok(self.files.len())
    }
}
