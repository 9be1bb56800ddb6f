//! What the integration tests share: the real binary with a clean
//! environment, fixtures copied to temporary folders, folder snapshots.

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
fn start_serve(root: &Path, port: u16) -> (std::process::Child, u16) {
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

// ---- diff ----

pub fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Sends `request` as it is; the response's status and whole text.
pub fn send(port: u16, request: &[u8]) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

// ---- serve ----

/// A running `sitrep serve`, killed when dropped (a failing test never
/// leaves one behind).
pub struct Served {
    pub child: std::process::Child,
    pub port: u16,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `sitrep serve --port 0` on `root`: the port it printed.
pub fn serve(root: &Path) -> Served {
    let (child, port) = start_serve(root, 0);
    Served { child, port }
}

// ---- the site's pages ----

/// Writes `n` small incidents on one target into a copy of the time-rules fixture.
pub fn many_incidents(n: usize) -> tempfile::TempDir {
    let dir = fixture("valid/time-rules");
    let incidents = dir.path().join("content/incidents/many");
    fs::create_dir_all(&incidents).unwrap();
    for i in 0..n {
        fs::write(
            incidents.join(format!("m-{i:05}.yaml")),
            format!(
                "title: Many {i}\nattack: [ddos]\ntargets: [t1]\nstarted: 2024-06-01T{:02}:{:02}Z\nended: 2024-06-02\nsources:\n  - id: s\n    url: https://example.org/{i}\n",
                (i / 60) % 24,
                i % 60
            ),
        )
        .unwrap();
    }
    dir
}

/// `n` incidents on `n / 10` targets with hosts, each with words of its own.
pub fn corpus(n: usize) -> tempfile::TempDir {
    let dir = fixture("valid/search");
    let content = dir.path().join("content");
    for t in 0..n / 10 {
        fs::write(
            content.join(format!("targets/t-{t:04}.yaml")),
            format!(
                "name: Target {t} of the region\nurl: https://www.town-{t}.example/\ncountry: C{}\n",
                t % 7
            ),
        )
        .unwrap();
    }
    for i in 0..n {
        fs::write(
            content.join(format!("incidents/2024/m-{i:05}.yaml")),
            format!(
                // With a source: no warning to render for each of them.
                // Seven words of its own each: a few hundred records fill
                // several shards of the index.
                "title: Outage number{i} at town {t}\nsummary: Word{i}x and unique{}y, also alpha{i}a beta{i}b gamma{i}c delta{i}d epsilon{i}e.\nattack: [ddos]\ntargets: [t-{t:04}]\nstarted: 2024-{:02}-{:02}\nsources:\n  - id: s\n    url: https://news.example/{i}\n",
                i * 7,
                1 + i % 12,
                1 + i % 28,
                t = i % (n / 10)
            ),
        )
        .unwrap();
    }
    dir
}

pub fn built(case: &str) -> tempfile::TempDir {
    let dir = fixture(case);
    sitrep().arg("build").arg("--root").arg(dir.path()).assert().success();
    dir
}

pub fn read(dir: &tempfile::TempDir, path: &str) -> String {
    // Times in words hold together with no-break spaces; the tests read them as spaces.
    fs::read_to_string(dir.path().join("site").join(path))
        .unwrap()
        .replace('\u{a0}', " ")
}

/// A GET of `path`: the whole response's text.
pub fn http_raw(port: u16, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    send(port, request.as_bytes()).1
}

pub const SECRET: &str = "CANARY-SECRET-7f3a";

/// A folder outside the project holding a canary file, and its snapshot.
pub fn canary(dir: &Path) -> std::path::PathBuf {
    let outside = dir.join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("keep.txt"), SECRET).unwrap();
    fs::write(outside.join("secret.html"), format!("<p>{SECRET}</p>")).unwrap();
    fs::write(outside.join("secret.yaml"), format!("name: {SECRET}\n")).unwrap();
    outside
}

/// A project (time-rules fixture) inside `dir/project`, beside `dir/outside`.
pub fn project() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = fixture("valid/time-rules");
    let root = dir.path().join("project");
    fs::create_dir(&root).unwrap();
    fs::rename(dir.path().join("content"), root.join("content")).unwrap();
    let outside = canary(dir.path());
    (dir, root, outside)
}

pub fn build(root: &Path, extra: &[&str]) -> (i32, String, String) {
    stdout_of(sitrep().arg("build").arg("--root").arg(root).args(extra))
}

// ---- bounded cost ----

pub fn write_incident(root: &Path, name: &str, text: &str) {
    fs::write(root.join("content/incidents").join(name), text).unwrap();
}

pub fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo");
}

// ---- round 3: the data never chooses a path, templates see only the data ----

/// `sitrep check` on `root`: exit code and everything it printed.
pub fn check(root: &Path) -> (i32, String) {
    let (code, out, err) = stdout_of(sitrep().args(["check", "--root"]).arg(root));
    (code, format!("{out}{err}"))
}
