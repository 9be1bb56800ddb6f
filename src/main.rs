//! The `sitrep` command: parses arguments, runs one subcommand, maps the
//! result to an exit code (0 ok, 1 the content has errors, 2 usage or I/O).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Rendering allocates many small strings from several threads; mimalloc
/// handles that markedly faster than the system allocator. Its 2.x line
/// (feature `v2`) is as fast here as 3.x with about 30% less peak memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use sitrep::diagnostics::Format;
use sitrep::wording::count;
use sitrep::BuildError;

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

use sitrep::exit::{CONTENT_ERRORS, OK, USAGE_OR_IO};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { USAGE_OR_IO } else { OK });
        }
    };
    ExitCode::from(match cli.command {
        Command::Build {
            root,
            out,
            base_url,
            force,
        } => build(root, out, base_url, force),
        Command::Check { root, format } => check(root, format),
        Command::Schema { kind } => schema(kind.as_deref()),
        Command::Diff {
            base,
            head,
            all,
            folders,
        } => diff(&base, &head, all, folders),
        Command::Serve { root, port, open } => serve(root, port, open),
        Command::Init { dir } => init(&dir),
        Command::New { kind, id, root } => new(&kind, &id, &root),
    })
}

/// Prints to stdout, ignoring a closed pipe (`sitrep check | head`). What
/// is printed quotes the data (paths, titles, template errors): no control
/// character of it reaches the terminal.
fn print(text: &str) {
    let text = sitrep::diagnostics::terminal_safe(text, true);
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn eprint(text: &str) {
    let text = sitrep::diagnostics::terminal_safe(text, true);
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn build(root: PathBuf, out: Option<PathBuf>, base_url: Option<String>, force: bool) -> u8 {
    if !root.join("content").is_dir() {
        eprint(&format!(
            "error: {} has no content/ folder; run sitrep in a project or pass --root\n",
            root.display()
        ));
        return USAGE_OR_IO;
    }
    let out = out.unwrap_or_else(|| root.join("site"));
    match sitrep::build(&root, &out, base_url.as_deref(), force) {
        Ok(built) => {
            eprint(&built.report.render(&root, Format::Human));
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
            // As in `check`: the process ends here, and the OS takes the
            // model, rows and summaries back faster than their destructors.
            std::mem::forget(built.prepared);
            OK
        }
        Err(e) => {
            match &e {
                BuildError::Content(report) => {
                    eprint(&report.render(&root, Format::Human));
                    eprint(&format!(
                        "error: {}, {}; nothing was written, {} is unchanged\n",
                        count(report.errors(), "error"),
                        count(report.warnings(), "warning"),
                        out.display()
                    ));
                }
                BuildError::Template(message) | BuildError::Usage(message) => eprint(&format!(
                    "error: {message}\nnothing was written, {} is unchanged\n",
                    out.display()
                )),
                BuildError::Write(e) => eprint(&format!("error: {e}\n")),
            }
            e.exit_code()
        }
    }
}

fn check(root: PathBuf, format: Format) -> u8 {
    if !root.join("content").is_dir() {
        eprint(&format!(
            "error: {} has no content/ folder; run sitrep in a project or pass --root\n",
            root.display()
        ));
        return USAGE_OR_IO;
    }
    let report = sitrep::check_project(&root);
    print(&report.render(&root, format));
    if format == Format::Human {
        eprint(&format!(
            "{}, {}\n",
            count(report.errors(), "error"),
            count(report.warnings(), "warning")
        ));
    }
    if report.errors() > 0 {
        CONTENT_ERRORS
    } else {
        OK
    }
}

fn schema(kind: Option<&str>) -> u8 {
    let all = sitrep::schema::all();
    match kind {
        None => {
            let map: serde_json::Map<String, serde_json::Value> = all.into_iter().collect();
            print(&sitrep::schema::to_text(&serde_json::Value::Object(map)));
            OK
        }
        Some(kind) => match all
            .into_iter()
            .find(|(name, _)| name.strip_suffix(".schema.json") == Some(kind))
        {
            Some((_, schema)) => {
                print(&sitrep::schema::to_text(&schema));
                OK
            }
            None => {
                eprint(&format!(
                    "error: no schema for `{kind}`; kinds: site, incident, actor, target, campaign, note\n"
                ));
                USAGE_OR_IO
            }
        },
    }
}

fn diff(base: &str, head: &str, all: bool, folders: bool) -> u8 {
    let here = std::path::Path::new(".");
    let load = |spec: &str| sitrep::diff::load_side(spec, here, folders);
    match (load(base), load(head)) {
        (Ok(b), Ok(h)) => {
            let limit = if all { usize::MAX } else { sitrep::diff::LISTED };
            print(&sitrep::diff::summarize(&b, &h, limit));
            OK
        }
        (Err(e), _) | (_, Err(e)) => {
            eprint(&format!("error: {e}\n"));
            match e {
                sitrep::diff::DiffError::Content { .. } => CONTENT_ERRORS,
                _ => USAGE_OR_IO,
            }
        }
    }
}

fn init(dir: &std::path::Path) -> u8 {
    match sitrep::scaffold::init(dir) {
        Ok(done) => {
            for kept in &done.kept {
                eprint(&format!("note: kept {} as it is\n", kept.display()));
            }
            eprint(&format!(
                "created a project with {} in {}\nnext: cd {} && sitrep build\n",
                sitrep::wording::count(done.written.len(), "file"),
                dir.display(),
                dir.display()
            ));
            OK
        }
        Err(e) => {
            eprint(&format!("error: {e}\n"));
            USAGE_OR_IO
        }
    }
}

fn new(kind: &str, id: &str, root: &std::path::Path) -> u8 {
    let Some(kind) = sitrep::scaffold::kind_of(kind) else {
        eprint(&format!(
            "error: `{kind}` is not a kind of record; use incident, actor, target, campaign or note\n"
        ));
        return USAGE_OR_IO;
    };
    match sitrep::scaffold::new_record(root, kind, id) {
        Ok(path) => {
            eprint(&format!("created {}\n", path.display()));
            OK
        }
        Err(e) => {
            eprint(&format!("error: {e}\n"));
            USAGE_OR_IO
        }
    }
}

fn serve(root: PathBuf, port: u16, open: bool) -> u8 {
    if !root.join("content").is_dir() {
        eprint(&format!(
            "error: {} has no content/ folder; run sitrep in a project or pass --root\n",
            root.display()
        ));
        return USAGE_OR_IO;
    }
    match sitrep::serve::run(sitrep::serve::Options { root, port, open }, &|text| eprint(text)) {
        Ok(()) => OK,
        Err(e) => {
            eprint(&format!("error: {e}\n"));
            USAGE_OR_IO
        }
    }
}
