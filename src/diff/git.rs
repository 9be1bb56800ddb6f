//! Reading a revision's `content/` from git's objects alone (`rev-parse`,
//! `ls-tree`, `cat-file`): the working tree is never read, and no
//! `.gitattributes` can hide or alter a file.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{temp_dir, DiffError, TempDir};

fn git(repo: &Path) -> Command {
    let mut cmd = Command::new("git");
    // No pager, no prompt, no attribute or filter of the repository's own.
    cmd.arg("-C")
        .arg(repo)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ATTR_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    cmd
}

/// Whether `spec` names a commit of the repository at `repo`.
pub(super) fn is_revision(spec: &str, repo: &Path) -> bool {
    !spec.starts_with('-')
        && git(repo)
            .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
            .arg(format!("{spec}^{{commit}}"))
            .output()
            .is_ok_and(|o| o.status.success())
}

/// One entry of `git ls-tree -r -z`: mode, object id, path.
struct TreeEntry {
    mode: String,
    oid: String,
    path: String,
}

fn parse_tree(listing: &[u8]) -> Vec<TreeEntry> {
    listing
        .split(|&b| b == 0)
        .filter(|e| !e.is_empty())
        .filter_map(|e| {
            let e = String::from_utf8_lossy(e);
            let (meta, path) = e.split_once('\t')?;
            let mut parts = meta.split(' ');
            let (mode, kind, oid) = (parts.next()?, parts.next()?, parts.next()?);
            (kind == "blob").then(|| TreeEntry {
                mode: mode.into(),
                oid: oid.into(),
                path: path.into(),
            })
        })
        .collect()
}

/// Writes `content/` of a git revision into a temporary folder, from git's
/// objects (`ls-tree`, `cat-file`): no `.gitattributes` (export-ignore,
/// filters, LFS smudging) can hide or alter a file, and the working tree is
/// never read.
pub(super) fn checkout_revision(rev: &str, repo: &Path) -> Result<TempDir, DiffError> {
    let fail = |message: String| DiffError::Git {
        rev: rev.into(),
        message,
    };
    let run = |cmd: &mut Command| -> Result<Vec<u8>, DiffError> {
        let out = cmd.output().map_err(|e| fail(e.to_string()))?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(fail(String::from_utf8_lossy(&out.stderr).trim().to_string()))
        }
    };
    let prefix = String::from_utf8_lossy(&run(git(repo).args(["rev-parse", "--show-prefix"]))?)
        .trim()
        .to_string();
    let commit = String::from_utf8_lossy(&run(git(repo)
        .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
        .arg(format!("{rev}^{{commit}}")))?)
    .trim()
    .to_string();
    let listing = run(git(repo)
        .args(["ls-tree", "-r", "-z", "--end-of-options"])
        .arg(format!("{commit}:{prefix}content")))?;
    let entries = parse_tree(&listing);
    let tmp = temp_dir("rev")?;
    let content = tmp.path().join("content");
    std::fs::create_dir(&content)?;
    let mut child = git(repo)
        .args(["cat-file", "--batch"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| fail(e.to_string()))?;
    let mut stdin = child.stdin.take().ok_or_else(|| fail("no stdin".into()))?;
    let oids: Vec<String> = entries.iter().map(|e| e.oid.clone()).collect();
    let feeder = std::thread::spawn(move || {
        use std::io::Write as _;
        let mut w = std::io::BufWriter::new(&mut stdin);
        for oid in oids {
            if writeln!(w, "{oid}").is_err() {
                break;
            }
        }
    });
    let stdout = child.stdout.take().ok_or_else(|| fail("no stdout".into()))?;
    let mut reader = std::io::BufReader::new(stdout);
    for entry in &entries {
        let bytes = read_blob(&mut reader).map_err(|e| fail(format!("{}: {e}", entry.path)))?;
        let Some(dest) = safe_join(&content, &entry.path) else {
            return Err(fail(format!(
                "the tree holds a path that leaves content/: {}",
                entry.path
            )));
        };
        make_parents(&content, &dest).map_err(|why| fail(format!("{}: {why}", entry.path)))?;
        match entry.mode.as_str() {
            // A link is kept a link, so the loader applies its own rule to it
            // (it must stay inside content/), as in a build. It is never
            // written through: no later entry's folder may be a link.
            "120000" => {
                #[cfg(unix)]
                std::os::unix::fs::symlink(String::from_utf8_lossy(&bytes).as_ref(), &dest)?;
            }
            _ => {
                use std::io::Write as _;
                // `create_new`: an entry named twice, or a link in its
                // place, fails instead of being written through.
                std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&dest)
                    .and_then(|mut f| f.write_all(&bytes))
                    .map_err(|e| fail(format!("{}: {e}", entry.path)))?;
            }
        }
    }
    let _ = feeder.join();
    let _ = child.wait();
    Ok(tmp)
}

/// Reads one object of `git cat-file --batch`: a header line, the bytes, a newline.
fn read_blob(reader: &mut impl std::io::BufRead) -> std::io::Result<Vec<u8>> {
    let mut header = String::new();
    reader.read_line(&mut header)?;
    let size: usize = header
        .split(' ')
        .nth(2)
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("unexpected answer from git: {}", header.trim())))?;
    if size > 64 << 20 {
        return Err(std::io::Error::other(format!(
            "an object of {size} bytes is too big for a record"
        )));
    }
    let mut bytes = vec![0; size + 1];
    std::io::Read::read_exact(reader, &mut bytes)?;
    bytes.pop();
    Ok(bytes)
}

/// Creates the folders between `base` and `dest`, one by one, refusing
/// any that exists as something else than a real folder: a crafted tree
/// can hold a link `actors` beside a folder `actors/`, and a file written
/// below the link would land wherever it points.
fn make_parents(base: &Path, dest: &Path) -> Result<(), String> {
    let Some(parent) = dest.parent() else { return Ok(()) };
    let Ok(rel) = parent.strip_prefix(base) else {
        return Err("outside the revision's folder".into());
    };
    let mut at = base.to_path_buf();
    for part in rel.components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => {
                return Err(format!(
                    "`{}` is both a link or file and a folder in this tree; it is not followed",
                    at.strip_prefix(base).unwrap_or(&at).display()
                ))
            }
            Err(_) => std::fs::create_dir(&at).map_err(|e| e.to_string())?,
        }
    }
    Ok(())
}

/// `base/rel` for a path from a git tree, if it has no `..`, `.` or empty part.
fn safe_join(base: &Path, rel: &str) -> Option<PathBuf> {
    let mut out = base.to_path_buf();
    for part in rel.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
            return None;
        }
        out.push(part);
    }
    Some(out)
}
