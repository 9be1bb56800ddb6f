//! What the integration tests share: the real binary with a clean
//! environment, fixtures copied to temporary folders, folder snapshots.

#![allow(dead_code)] // each test binary uses its own part of these helpers

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary with a clean environment: nothing from the host may leak in.
pub fn sitrep() -> Command {
    let mut cmd = Command::cargo_bin("sitrep").expect("binary");
    for var in [
        "TZ",
        "LANG",
        "LC_ALL",
        "LC_TIME",
        "SOURCE_DATE_EPOCH",
        "RAYON_NUM_THREADS",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A copy of a fixture (or of the repository's example when `case` is "example").
pub fn fixture(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = if case == "example" {
        repo()
    } else {
        repo().join("tests/fixtures").join(case)
    };
    copy_dir(&from.join("content"), &dir.path().join("content"));
    if from.join("templates").is_dir() && case != "example" {
        copy_dir(&from.join("templates"), &dir.path().join("templates"));
    }
    dir
}

/// Every file of a folder, relative path → bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

/// Exit code, stdout and stderr of a run.
pub fn stdout_of(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Starts `sitrep serve --port PORT --root ROOT`; the child and the port it
/// printed (the next free one when PORT is taken, the OS's pick for 0).
pub fn start_serve(root: &Path, port: u16) -> (std::process::Child, u16) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sitrep"))
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(root)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let port: u16 = loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "serve exited");
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (child, port)
}

/// The lines of a hand-computed expectation file (`tests/fixtures/…`),
/// without its `#` comments.
#[allow(dead_code)]
pub fn expected_lines(rel: &str) -> Vec<String> {
    std::fs::read_to_string(repo().join(rel))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}
