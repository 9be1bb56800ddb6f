//! `sitrep serve`: rebuilds on edit, keeps the last good site, reloads pages, and
//! answers only what `build` would publish, within its limits.

use std::fs;
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use crate::common::*;

/// A GET's status and body.
fn http_get(port: u16, path: &str) -> (u16, String) {
    let text = http_raw(port, path);
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

/// The status line and headers of a GET, lower-cased.
fn http_head(port: u16, path: &str) -> String {
    let text = http_raw(port, path).to_lowercase();
    text.split_once("\r\n\r\n").map_or(text.clone(), |(h, _)| h.to_string())
}

/// Polls until `check` holds on the page, for at most 3 s.
fn eventually(port: u16, path: &str, check: impl Fn(u16, &str) -> bool) -> (u16, String) {
    let start = std::time::Instant::now();
    loop {
        let (status, body) = http_get(port, path);
        if check(status, &body) || start.elapsed() > std::time::Duration::from_secs(3) {
            return (status, body);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn serve_rebuilds_on_edit_keeps_the_last_good_site_and_stays_inside() {
    let dir = fixture("valid/time-rules");
    fs::create_dir_all(dir.path().join("static/img")).unwrap();
    fs::write(
        dir.path().join("static/img/logo.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .unwrap();
    // Port 0: the OS picks a free one, and serve prints it.
    let mut served = serve(dir.path());
    let port = served.port;

    let (status, home) = http_get(port, "/");
    assert_eq!(status, 200);
    assert!(home.contains("/__sitrep/reload.js"), "reload script injected");
    let (status, page) = http_get(port, "/incidents/zulu-minutes/");
    assert_eq!(status, 200);
    assert!(page.contains("Incident zulu-minutes"));

    // Edit a record: the page changes within 3 s.
    let file = dir.path().join("content/incidents/zulu-minutes.yaml");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replace("title: Incident zulu-minutes", "title: Edited while serving"),
    )
    .unwrap();
    let (_, page) = eventually(port, "/incidents/zulu-minutes/", |_, b| {
        b.contains("Edited while serving")
    });
    assert!(page.contains("Edited while serving"), "no rebuild within 3 s");
    // The search index follows the edit: the preview's search finds it.
    let (status, shard) = http_get(port, "/search/t/0.json");
    assert_eq!(status, 200);
    assert!(shard.contains("\"serving\":[["), "{shard}");
    let (status, search) = http_get(port, "/search/?q=serving");
    assert_eq!(status, 200);
    assert!(
        search.contains("assets/search.js") && search.matches("connect-src").count() == 1,
        "{search}"
    );

    // Break it: still 200, the last good page, and the error overlay.
    fs::write(&file, "title: [broken\n").unwrap();
    let (status, page) = eventually(port, "/incidents/zulu-minutes/", |_, b| b.contains("sitrep-errors"));
    assert_eq!(status, 200);
    assert!(
        page.contains("sitrep-errors") && page.contains("zulu-minutes.yaml:1:8"),
        "{page}"
    );
    assert!(page.contains("Edited while serving"), "the last good page is kept");

    // Fix it: the overlay goes away.
    fs::write(&file, text).unwrap();
    let (_, page) = eventually(port, "/incidents/zulu-minutes/", |_, b| !b.contains("sitrep-errors"));
    assert!(!page.contains("sitrep-errors"));

    // Nothing outside the site, however the path is written.
    for path in [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/%252e%252e/etc/passwd",
        "/incidents/..%5c..%5c/etc/passwd",
    ] {
        let (status, body) = http_get(port, path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("root:"), "{path}");
    }
    let (status, body) = http_get(port, "/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"));
    let (_, css) = http_get(port, "/assets/style.css");
    assert!(css.contains("prefers-color-scheme"));
    // Content types, exports rendered on request, static files, folder redirects.
    for (path, kind) in [
        ("/", "text/html"),
        ("/assets/style.css", "text/css"),
        ("/assets/table.js", "text/javascript"),
        ("/assets/search.js", "text/javascript"),
        ("/search/index.json", "application/json"),
        ("/incidents.json", "application/json"),
        ("/feed.xml", "application/xml"),
        ("/schema/incident.schema.json", "application/json"),
        ("/img/logo.svg", "image/svg+xml"),
    ] {
        let head = http_head(port, path);
        assert!(head.starts_with("http/1.1 200"), "{path}: {head}");
        assert!(head.contains(&format!("content-type: {kind}")), "{path}: {head}");
    }
    let (_, json) = http_get(port, "/incidents.json");
    assert!(
        json.contains(&format!("\"url\": \"http://127.0.0.1:{port}/incidents/zulu-minutes/\"")),
        "base_url is local"
    );
    let head = http_head(port, "/incidents/zulu-minutes");
    assert!(
        head.starts_with("http/1.1 301") && head.contains("location: /incidents/zulu-minutes/"),
        "{head}"
    );

    // Many requests at once.
    let handles: Vec<_> = (0..32)
        .map(|_| std::thread::spawn(move || http_get(port, "/incidents/").0))
        .collect();
    assert!(handles.into_iter().all(|h| h.join().unwrap() == 200));

    // Ctrl-C stops it and leaves no temporary folder.
    let pid = served.child.id().to_string();
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    let status = served.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn serve_limits_heads_answers_only_its_own_host_and_never_redirects_away() {
    let (_dir, root, _) = project();
    let served = serve(&root);
    let port = served.port;
    assert_ne!(port, 0, "--port 0 prints the real port");
    let get = |path: &str, host: &str| send(port, format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes());
    assert_eq!(get("/", &format!("127.0.0.1:{port}")).0, 200);
    assert_eq!(get("/", &format!("localhost:{port}")).0, 200);
    for host in [
        format!("evil.example:{port}"),
        "evil.example".into(),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
    ] {
        let (status, text) = get("/", &host);
        assert_eq!(status, 421, "{host}");
        assert!(!text.contains("<html"), "{host}");
    }
    let (status, _) = send(port, b"GET / HTTP/1.1\r\n\r\n");
    assert_eq!(status, 421, "no Host");
    let big = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20_000)
    );
    assert_eq!(send(port, big.as_bytes()).0, 431);
    let (_, text) = get("//evil.example/incidents", &format!("127.0.0.1:{port}"));
    assert!(!text.to_lowercase().contains("location: //"), "{text}");
    let (status, text) = get("//incidents", &format!("127.0.0.1:{port}"));
    assert_eq!(status, 301);
    assert!(text.contains("Location: /incidents/\r\n"), "{text}");
    assert_eq!(
        send(
            port,
            format!("DELETE / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes()
        )
        .0,
        405
    );
    // Garbage never takes the server down.
    for junk in [&b"\xff\xfe\r\n\r\n"[..], b"GET\r\n\r\n", b"GET x HTTP/1.1\r\n\r\n"] {
        assert_eq!(send(port, junk).0, 400);
    }
    assert_eq!(get("/", &format!("127.0.0.1:{port}")).0, 200);
}

#[test]
fn serve_overlay_works_with_any_template() {
    let (_dir, root, _) = project();
    fs::create_dir_all(root.join("templates")).unwrap();
    // No newline after <body>, a multi-byte character right after it, upper case.
    fs::write(
        root.join("templates/404.html"),
        "<!DOCTYPE html><HTML><HEAD><title>é</title></HEAD><BODY class=\"x\">é<p>Page not found</p></BODY></HTML>",
    )
    .unwrap();
    let served = serve(&root);
    let record = root.join("content/incidents/zulu-minutes.yaml");
    fs::write(&record, "title: [broken\n").unwrap();
    let start = Instant::now();
    loop {
        let (status, text) = send(
            served.port,
            format!("GET /nope/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", served.port).as_bytes(),
        );
        assert_eq!(status, 404);
        if text.contains("sitrep-errors") {
            assert!(text.contains("<BODY class=\"x\">\n<div id=\"sitrep-errors\""), "{text}");
            assert!(text.contains("reload.js"), "{text}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "no overlay");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_pushes_a_reload_within_a_second_of_a_rebuild() {
    let (_dir, root, _) = project();
    let served = serve(&root);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", served.port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        stream,
        "GET /__sitrep/events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        served.port
    )
    .unwrap();
    let mut reader = std::io::BufReader::new(stream);
    let mut line = String::new();
    // The head arrives at once, before any event.
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("HTTP/1.1 200"), "{line}");
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line.starts_with("retry:") {
            break;
        }
    }
    let record = root.join("content/incidents/zulu-minutes.yaml");
    let text = fs::read_to_string(&record).unwrap();
    fs::write(&record, text.replace("Incident zulu-minutes", "Edited")).unwrap();
    let edited = Instant::now();
    loop {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the stream closed");
        if line.trim() == "event: reload" {
            break;
        }
    }
    // The watcher waits 100 ms for edits to settle; the rebuild is ms.
    assert!(edited.elapsed() < Duration::from_millis(1500), "{:?}", edited.elapsed());
}

#[test]
fn serve_turns_away_connections_past_its_limit() {
    let (_dir, root, _) = project();
    let served = serve(&root);
    // 64 idle connections hold every slot (each waits for its request).
    let idle: Vec<std::net::TcpStream> = (0..64)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", served.port)).unwrap())
        .collect();
    let start = Instant::now();
    let status = loop {
        let (status, _) = send(
            served.port,
            format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", served.port).as_bytes(),
        );
        if status == 503 || start.elapsed() > Duration::from_secs(5) {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status, 503, "the 65th connection is turned away");
    // Freed slots serve again.
    drop(idle);
    let start = Instant::now();
    loop {
        let (status, _) = send(
            served.port,
            format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", served.port).as_bytes(),
        );
        if status == 200 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "still {status}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_and_check_refuse_a_static_link_out_as_build_does() {
    // A `static` that is a link out, a link to a folder out, a link to a
    // file out: build refuses each; check must say so, serve must not serve it.
    for (link, to) in [
        ("static", "../outside"),
        ("static/leak", "../../outside"),
        ("static/keep.txt", "../../outside/keep.txt"),
    ] {
        let (_dir, root, _) = project();
        let link_path = root.join(link);
        fs::create_dir_all(link_path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(to, &link_path).unwrap();
        let (code, text) = check(&root);
        assert_eq!(code, 1, "{link}: {text}");
        assert!(text.contains(link) && text.contains("outside"), "{link}: {text}");
        assert!(!text.contains(SECRET), "{link}: {text}");
        let served = serve(&root);
        for path in ["/keep.txt", "/leak/keep.txt", "/secret.html", "/leak/secret.html"] {
            let (status, body) = send(
                served.port,
                format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", served.port).as_bytes(),
            );
            assert_ne!(status, 200, "{link} {path}: {body}");
            assert!(
                !body.contains(SECRET),
                "{link} {path}: served a file outside the project"
            );
        }
    }
}

#[test]
fn serve_answers_static_files_read_through_the_guard() {
    let (_dir, root, _) = project();
    fs::create_dir_all(root.join("static/img")).unwrap();
    fs::write(root.join("static/img/logo.txt"), "logo").unwrap();
    let served = serve(&root);
    let get = |path: &str| {
        send(
            served.port,
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", served.port).as_bytes(),
        )
    };
    let (status, body) = get("/img/logo.txt");
    assert_eq!(status, 200, "{body}");
    assert!(body.ends_with("logo"), "{body}");
    assert_eq!(get("/img/../img/logo.txt").0, 404);
}

#[test]
fn serve_never_reads_through_a_static_folder_swapped_for_a_link_while_it_runs() {
    let (_dir, root, outside) = project();
    fs::create_dir_all(root.join("static/img")).unwrap();
    fs::write(root.join("static/img/keep.txt"), "mine").unwrap();
    let served = serve(&root);
    let get = || {
        send(
            served.port,
            format!("GET /img/keep.txt HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", served.port).as_bytes(),
        )
    };
    assert!(get().1.ends_with("mine"));
    // A checkout swaps the folder for a link out: the rebuild fails, the
    // preview keeps the last good build (and its listing), and still reads
    // nothing through the link.
    fs::remove_dir_all(root.join("static/img")).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("static/img")).unwrap();
    for _ in 0..10 {
        let (status, body) = get();
        assert!(!body.contains(SECRET), "served a file outside the project ({status})");
        std::thread::sleep(Duration::from_millis(100));
    }
}
