//! Stage 6: put the site on disk without ever losing the previous one.
//!
//! Files go into a fresh folder beside the output folder; only when every
//! page is written is it swapped in by renames. A failed build removes its
//! own temporary folder and leaves the old site byte for byte. Output folders
//! that would destroy something else (`/`, `$HOME`, the content, the project)
//! are refused before anything is touched.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Why an output folder is refused or could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("refusing to write the site to {path}: {why}")]
    Refused { path: String, why: String },
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Makes `path` absolute and resolves `.`/`..` without touching the disk
/// (the folder may not exist yet); existing parts are canonicalised so a
/// symlink cannot disguise where it points.
pub fn absolute(path: &Path) -> io::Result<PathBuf> {
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
    // Canonicalise the longest existing prefix.
    let mut existing = clean.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
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
    Ok(out)
}

/// Refuses output folders whose replacement would destroy something else.
pub fn check_output_folder(out: &Path, root: &Path) -> Result<PathBuf, WriteError> {
    let refuse = |why: &str| WriteError::Refused {
        path: out.display().to_string(),
        why: why.to_string(),
    };
    let out_abs = absolute(out).map_err(io_err(out))?;
    let root_abs = absolute(root).map_err(io_err(root))?;
    if out_abs.parent().is_none() {
        return Err(refuse("it is the file-system root"));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        if let Ok(home) = absolute(Path::new(&home)) {
            if home.starts_with(&out_abs) {
                return Err(refuse("it is or contains your home folder"));
            }
        }
    }
    for (name, why) in [
        ("content", "it is or contains the content folder"),
        ("templates", "it is or contains the templates folder"),
        ("static", "it is or contains the static folder"),
    ] {
        let protected = root_abs.join(name);
        if protected.starts_with(&out_abs) || out_abs.starts_with(&protected) {
            return Err(refuse(why));
        }
    }
    if root_abs.starts_with(&out_abs) {
        return Err(refuse("it is or contains the project folder"));
    }
    if out_abs.is_file() {
        return Err(refuse("it is a file"));
    }
    Ok(out_abs)
}

/// A site being written into a temporary folder beside its destination.
pub struct Staging {
    dest: PathBuf,
    temp: PathBuf,
    committed: bool,
}

impl Staging {
    /// Starts a build for `dest` (already checked by [`check_output_folder`]).
    pub fn begin(dest: &Path) -> Result<Staging, WriteError> {
        let parent = dest.parent().unwrap_or(Path::new("/"));
        fs::create_dir_all(parent).map_err(io_err(parent))?;
        let name = dest
            .file_name()
            .map_or("site".into(), |n| n.to_string_lossy().into_owned());
        let temp = parent.join(format!(".{name}.sitrep-new-{}", std::process::id()));
        if temp.exists() {
            fs::remove_dir_all(&temp).map_err(io_err(&temp))?;
        }
        fs::create_dir(&temp).map_err(io_err(&temp))?;
        Ok(Staging {
            dest: dest.to_path_buf(),
            temp,
            committed: false,
        })
    }

    /// The folder files are written into.
    pub fn folder(&self) -> &Path {
        &self.temp
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

    /// Swaps the new site in place of the old one.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let parent = self.dest.parent().unwrap_or(Path::new("/")).to_path_buf();
        let name = self
            .dest
            .file_name()
            .map_or("site".into(), |n| n.to_string_lossy().into_owned());
        let old = parent.join(format!(".{name}.sitrep-old-{}", std::process::id()));
        let had_old = self.dest.exists();
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
        if had_old {
            fs::remove_dir_all(&old).map_err(io_err(&old))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
}

/// Copies the project's `static/` into the site, refusing symlinks that
/// lead out of it.
pub fn copy_static(root: &Path, staging: &Staging) -> Result<usize, WriteError> {
    let dir = root.join("static");
    if !dir.is_dir() {
        return Ok(0);
    }
    let base = fs::canonicalize(&dir).map_err(io_err(&dir))?;
    let mut copied = 0;
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name().follow_links(false) {
        let entry = entry.map_err(|e| WriteError::Io {
            path: dir.display().to_string(),
            source: e.into(),
        })?;
        let path = entry.path();
        let real = fs::canonicalize(path).map_err(io_err(path))?;
        if !real.starts_with(&base) {
            return Err(WriteError::Refused {
                path: path.display().to_string(),
                why: "a symbolic link in static/ points outside it".into(),
            });
        }
        if !real.is_file() {
            continue;
        }
        let rel = crate::diagnostics::display_path(&dir, path);
        let bytes = fs::read(&real).map_err(io_err(path))?;
        staging.write(&rel, &bytes)?;
        copied += 1;
    }
    Ok(copied)
}
