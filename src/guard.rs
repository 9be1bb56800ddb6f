//! Reading the project's files without leaving the project.
//!
//! Content, templates and `static/` arrive in pull requests. A symbolic
//! link committed among them may point anywhere on the machine that builds
//! the site, and a named pipe or a device would make a plain `open` wait
//! forever. Every input file is read through [`Project`], which follows a
//! link only when it resolves inside the project root, reads only regular
//! files (opened without blocking), and says why it refused in words that
//! never quote what lies outside.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Why a file of the project was not read, or a name is refused: words
/// that never quote what lies outside the project.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("this symbolic link points outside {0}; it is not followed")]
    LinkOut(String),
    #[error("this lies outside {0} (through a symbolic link); it is not read")]
    Outside(String),
    #[error("this symbolic link cannot be followed: its target does not exist")]
    DanglingLink,
    #[error("this is {0}, not a folder")]
    NotAFolder(&'static str),
    #[error("this is {0}, not a file; it is not read")]
    NotAFile(&'static str),
    #[error("this file is {size} bytes, more than the limit of {limit}")]
    TooLarge { size: u64, limit: u64 },
    #[error("this file is more than the limit of {0} bytes")]
    Grew(u64),
    #[error("this file is not valid UTF-8 text")]
    NotUtf8,
    /// Asked of `static/` for a file its listing does not hold.
    #[error("not a file of static/")]
    NotListed,
    /// The system's error, in words ([`reason`]).
    #[error("{0}")]
    Unreadable(String),
    #[error("`{0}` is a device name on Windows (CON, PRN, AUX, NUL, COM1–9, LPT1–9): the repository could not be checked out there; rename it")]
    WindowsDevice(String),
    #[error("the name has `{}`, which Windows does not allow in a file name; rename it", .0.escape_default())]
    WindowsChar(char),
    #[error("the name ends with a dot or a space, which Windows drops; rename it")]
    TrailingDotOrSpace,
}

impl From<&std::io::Error> for Refused {
    fn from(e: &std::io::Error) -> Refused {
        Refused::Unreadable(reason(e))
    }
}

/// Files of `static/` larger than this are refused (a site is not a file store).
pub const MAX_STATIC_BYTES: u64 = 64 * 1024 * 1024;

/// What kind of thing a path is, named for a message.
pub fn kind_name(meta: &fs::Metadata) -> &'static str {
    let t = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_symlink() {
        "a symbolic link"
    } else if t.is_dir() {
        "a folder"
    } else if t.is_file() {
        "a file"
    } else {
        "neither a file nor a folder"
    }
}

/// A folder files are read from, the real place it is at, and its name
/// for messages: the project, or one of its input folders.
#[derive(Clone, Debug)]
pub struct Project {
    root: PathBuf,
    real: PathBuf,
    name: String,
}

impl Project {
    /// The project at `root` (which must exist).
    pub fn new(root: &Path) -> std::io::Result<Project> {
        Ok(Project {
            root: root.to_path_buf(),
            real: fs::canonicalize(root)?,
            name: "the project".into(),
        })
    }

    /// One of the project's input folders (`content`, `templates`,
    /// `static`), checked to be a folder inside the project; links in it
    /// must stay inside it.
    pub fn folder(&self, name: &str) -> Result<Project, Refused> {
        let path = self.root.join(name);
        self.dir(&path)?;
        Ok(Project {
            real: fs::canonicalize(&path).map_err(|e| Refused::from(&e))?,
            root: path,
            name: format!("{name}/"),
        })
    }

    /// Refuses `path` when it really is outside the project: it is a link
    /// that leads out (or nowhere), or it is reached through one. `walked`:
    /// the path was found by a walk that follows no link, from a folder
    /// already checked, so only a link itself needs resolving.
    fn follow(&self, path: &Path, meta: &fs::Metadata, walked: bool) -> Result<(), Refused> {
        let is_link = meta.file_type().is_symlink();
        if walked && !is_link {
            return Ok(());
        }
        match fs::canonicalize(path) {
            Ok(real) if real.starts_with(&self.real) => Ok(()),
            Ok(_) if is_link => Err(Refused::LinkOut(self.name.clone())),
            Ok(_) => Err(Refused::Outside(self.name.clone())),
            Err(_) if is_link => Err(Refused::DanglingLink),
            Err(e) => Err(Refused::from(&e)),
        }
    }

    /// Checks that `path` is a folder inside the project (a link to one is
    /// fine when it stays inside).
    pub fn dir(&self, path: &Path) -> Result<(), Refused> {
        let link = fs::symlink_metadata(path).map_err(|e| Refused::from(&e))?;
        self.follow(path, &link, false)?;
        let meta = fs::metadata(path).map_err(|e| Refused::from(&e))?;
        if meta.is_dir() {
            Ok(())
        } else {
            Err(Refused::NotAFolder(kind_name(&meta)))
        }
    }

    /// Checks that `path` is a regular file inside the project.
    pub fn file(&self, path: &Path) -> Result<fs::Metadata, Refused> {
        self.checked_file(path, false)
    }

    fn checked_file(&self, path: &Path, walked: bool) -> Result<fs::Metadata, Refused> {
        let link = fs::symlink_metadata(path).map_err(|e| Refused::from(&e))?;
        self.follow(path, &link, walked)?;
        let meta = fs::metadata(path).map_err(|e| Refused::from(&e))?;
        if meta.is_file() {
            Ok(meta)
        } else {
            Err(Refused::NotAFile(kind_name(&meta)))
        }
    }

    /// Reads a regular file inside the project, at most `limit` bytes.
    pub fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
        self.read_found(path, false, limit)
    }

    /// [`Project::read`] for a path found by a walk that follows no link,
    /// from a folder checked with [`Project::dir`]: only a link is resolved.
    pub fn read_walked(&self, path: &Path, limit: u64) -> Result<Vec<u8>, Refused> {
        self.read_found(path, true, limit)
    }

    fn read_found(&self, path: &Path, walked: bool, limit: u64) -> Result<Vec<u8>, Refused> {
        #[cfg(unix)]
        if walked {
            // The walk follows no link, so a file it found is inside the
            // project unless it is a link: opened without following one, it
            // needs no check; a link (or a file swapped for one since) fails
            // to open with ELOOP and takes the checked way. (Elsewhere an
            // open follows links: every file takes the checked way.)
            match open_without_blocking(path, true) {
                Ok(f) => return read_opened(f, limit),
                Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {}
                Err(e) => return Err(Refused::from(&e)),
            }
        }
        self.checked_file(path, walked)?;
        read_opened(
            open_without_blocking(path, false).map_err(|e| Refused::from(&e))?,
            limit,
        )
    }

    /// Reads a file inside the project as UTF-8 text.
    pub fn read_text(&self, path: &Path, limit: u64) -> Result<String, Refused> {
        String::from_utf8(self.read(path, limit)?).map_err(|_| Refused::NotUtf8)
    }
}

/// Opens a file for reading; a FIFO that slipped past the checks fails or
/// reads empty instead of waiting for a writer.
fn open_without_blocking(path: &Path, no_link: bool) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | if no_link { libc::O_NOFOLLOW } else { 0 });
    }
    options.open(path)
}

/// Reads an opened file, at most `limit` bytes; what was opened is what is
/// checked (a regular file), so nothing can be swapped in between.
fn read_opened(mut f: fs::File, limit: u64) -> Result<Vec<u8>, Refused> {
    let meta = f.metadata().map_err(|e| Refused::from(&e))?;
    if !meta.is_file() {
        return Err(Refused::NotAFile(kind_name(&meta)));
    }
    if meta.len() > limit {
        return Err(Refused::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    (&mut f)
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Refused::from(&e))?;
    if bytes.len() as u64 > limit {
        return Err(Refused::Grew(limit));
    }
    Ok(bytes)
}

/// Names Windows gives to devices, whatever the extension (`con.yaml` is
/// the console): a repository holding one cannot be checked out there.
pub const WINDOWS_DEVICES: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2",
    "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Whether `name` (a file or folder name, or an id) is a Windows device
/// name, before its first dot, in any case.
pub fn is_windows_device(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    WINDOWS_DEVICES.iter().any(|d| stem.eq_ignore_ascii_case(d))
}

/// Checks that a file or folder name taken from the project can exist on
/// every system the repository is checked out on: no Windows device name,
/// none of `<>:"\|?*` or control characters, no trailing dot or space.
pub fn portable_name(name: &str) -> Result<(), Refused> {
    if is_windows_device(name) {
        return Err(Refused::WindowsDevice(name.to_string()));
    }
    if let Some(c) = name.chars().find(|&c| c.is_control() || "<>:\"\\|?*".contains(c)) {
        return Err(Refused::WindowsChar(c));
    }
    if name.ends_with(['.', ' ']) {
        return Err(Refused::TrailingDotOrSpace);
    }
    Ok(())
}

/// An I/O error in words.
pub fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "cannot read: no such file".into(),
        std::io::ErrorKind::PermissionDenied => "cannot read: permission denied".into(),
        _ => format!("cannot read: {e}"),
    }
}
