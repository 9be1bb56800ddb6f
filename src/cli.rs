//! The `sitrep` command: parses arguments, runs one subcommand, and maps
//! every outcome to an exit code in one place ([`main`]): 0 ok, 1 the
//! project (content, templates, static files) has errors, 2 usage or I/O.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::build::BuildError;
use crate::diagnostics::{terminal_safe, Format};
use crate::diff::DiffError;
use crate::scaffold::ScaffoldError;
use crate::serve::ServeError;
use crate::wording::count;

#[derive(Parser)]
#[command(
    name = "sitrep",
    version,
    about = "Static reports of incidents: who attacked what, when, and how long it lasted"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render content/ and templates/ into the site folder.
    Build {
        /// The project folder (holding content/ and templates/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site [default: ROOT/site].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Override `base_url` of site.yaml (for preview deployments).
        #[arg(long)]
        base_url: Option<String>,
        /// Replace the output folder even if it has files and no `.sitrep`
        /// marker (never a file, a link or a device).
        #[arg(long)]
        force: bool,
    },
    /// Validate everything, write nothing.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Local preview on 127.0.0.1 that rebuilds and reloads on change.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The first port to try; the next free one is used if it is taken.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Open the preview in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Markdown summary of what changed between two content folders or git revisions.
    Diff {
        /// The state before: a project folder, a content folder or a git revision.
        base: String,
        /// The state after.
        head: String,
        /// List every changed record, not only the first 100 of each section.
        #[arg(long)]
        all: bool,
        /// BASE and HEAD are folders, never git revisions (by default a
        /// git revision is read first, from git's objects).
        #[arg(long)]
        folders: bool,
    },
    /// Create a new project: example content, templates, GitHub workflows.
    Init { dir: PathBuf },
    /// Write a new record from a commented template.
    New {
        /// incident, actor, target, campaign or note.
        kind: String,
        /// The id: lowercase letters, digits and `-`.
        id: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Print the JSON Schemas of the record kinds.
    Schema {
        /// Only this kind: site, incident, actor, target, campaign or note.
        kind: Option<String>,
    },
}

/// What a command that ran found.
enum Outcome {
    Done,
    /// `check` found errors: reported, not a failure of the command.
    ProjectErrors,
}

/// Why a command failed; what was worth saying before is already printed.
#[derive(Debug, thiserror::Error)]
enum Error {
    #[error("{0}")]
    Usage(String),
    #[error("{}", build_failure(error, out))]
    Build { error: BuildError, out: PathBuf },
    #[error(transparent)]
    Diff(#[from] DiffError),
    #[error(transparent)]
    Scaffold(#[from] ScaffoldError),
    #[error(transparent)]
    Serve(#[from] ServeError),
}

/// A failed build in words: what went wrong, and that nothing changed.
fn build_failure(error: &BuildError, out: &Path) -> String {
    match error {
        BuildError::Content(report) => format!(
            "{}, {}; nothing was written, {} is unchanged",
            count(report.errors(), "error"),
            count(report.warnings(), "warning"),
            out.display()
        ),
        BuildError::Template(_) | BuildError::Usage(_) => {
            format!("{error}\nnothing was written, {} is unchanged", out.display())
        }
        BuildError::Write(e) => e.to_string(),
    }
}

/// Runs the command line and exits with the code of its outcome.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = run(cli);
    if let Err(e) = &result {
        eprint(&format!("error: {e}\n"));
    }
    ExitCode::from(match result {
        Ok(Outcome::Done) => 0,
        Ok(Outcome::ProjectErrors) => 1,
        Err(Error::Build {
            error: BuildError::Content(_) | BuildError::Template(_),
            ..
        })
        | Err(Error::Diff(DiffError::Content { .. })) => 1,
        Err(Error::Build { .. } | Error::Diff(_) | Error::Usage(_) | Error::Scaffold(_) | Error::Serve(_)) => 2,
    })
}

fn run(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        Command::Build {
            root,
            out,
            base_url,
            force,
        } => build(&root, out, base_url, force),
        Command::Check { root, format } => check(&root, format),
        Command::Schema { kind } => schema(kind.as_deref()),
        Command::Diff {
            base,
            head,
            all,
            folders,
        } => diff(&base, &head, all, folders),
        Command::Serve { root, port, open } => {
            has_content(&root)?;
            crate::serve::run(crate::serve::Options { root, port, open }, &|text| eprint(text))?;
            Ok(Outcome::Done)
        }
        Command::Init { dir } => init(&dir),
        Command::New { kind, id, root } => new(&kind, &id, &root),
    }
}

/// Prints to stdout, ignoring a closed pipe (`sitrep check | head`). What
/// is printed quotes the data (paths, titles, template errors): no control
/// character of it reaches the terminal.
fn print(text: &str) {
    let text = terminal_safe(text, true);
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn eprint(text: &str) {
    let text = terminal_safe(text, true);
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// The precondition of every command that reads a project.
fn has_content(root: &Path) -> Result<(), Error> {
    if root.join("content").is_dir() {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "{} has no content/ folder; run sitrep in a project or pass --root",
            root.display()
        )))
    }
}

fn build(root: &Path, out: Option<PathBuf>, base_url: Option<String>, force: bool) -> Result<Outcome, Error> {
    has_content(root)?;
    let out = out.unwrap_or_else(|| root.join("site"));
    let built = match crate::build::build(root, &out, base_url.as_deref(), force) {
        Ok(built) => built,
        Err(error) => {
            if let BuildError::Content(report) = &error {
                eprint(&report.render(root, Format::Human));
            }
            return Err(Error::Build { error, out });
        }
    };
    eprint(&built.report.render(root, Format::Human));
    for note in &built.notes {
        eprint(&format!("note: {note}\n"));
    }
    eprint(&format!(
        "built {} for {} into {} ({})\n",
        count(built.pages, "page"),
        count(built.incidents, "incident"),
        out.display(),
        count(built.report.warnings(), "warning")
    ));
    // The process ends here, and the OS takes the model, rows and
    // summaries back faster than their destructors.
    std::mem::forget(built.prepared);
    Ok(Outcome::Done)
}

fn check(root: &Path, format: Format) -> Result<Outcome, Error> {
    has_content(root)?;
    let report = crate::check::check_project(root);
    print(&report.render(root, format));
    if format == Format::Human {
        eprint(&format!(
            "{}, {}\n",
            count(report.errors(), "error"),
            count(report.warnings(), "warning")
        ));
    }
    Ok(if report.errors() > 0 {
        Outcome::ProjectErrors
    } else {
        Outcome::Done
    })
}

fn schema(kind: Option<&str>) -> Result<Outcome, Error> {
    let all = crate::schema::all();
    let value = match kind {
        None => serde_json::Value::Object(all.into_iter().collect()),
        Some(kind) => all
            .into_iter()
            .find(|(name, _)| name.strip_suffix(".schema.json") == Some(kind))
            .map(|(_, schema)| schema)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "no schema for `{kind}`; kinds: site, incident, actor, target, campaign, note"
                ))
            })?,
    };
    print(&crate::schema::to_text(&value));
    Ok(Outcome::Done)
}

fn diff(base: &str, head: &str, all: bool, folders: bool) -> Result<Outcome, Error> {
    let here = Path::new(".");
    let base = crate::diff::load_side(base, here, folders)?;
    let head = crate::diff::load_side(head, here, folders)?;
    let limit = if all { usize::MAX } else { crate::diff::LISTED };
    print(&crate::diff::summarize(&base, &head, limit));
    Ok(Outcome::Done)
}

fn init(dir: &Path) -> Result<Outcome, Error> {
    let done = crate::scaffold::init(dir)?;
    for kept in &done.kept {
        eprint(&format!("note: kept {} as it is\n", kept.display()));
    }
    eprint(&format!(
        "created a project with {} in {}\nnext: cd {} && sitrep build\n",
        count(done.written.len(), "file"),
        dir.display(),
        dir.display()
    ));
    Ok(Outcome::Done)
}

fn new(kind: &str, id: &str, root: &Path) -> Result<Outcome, Error> {
    let kind = crate::scaffold::kind_of(kind).ok_or_else(|| {
        Error::Usage(format!(
            "`{kind}` is not a kind of record; use incident, actor, target, campaign or note"
        ))
    })?;
    let path = crate::scaffold::new_record(root, kind, id)?;
    eprint(&format!("created {}\n", path.display()));
    Ok(Outcome::Done)
}
