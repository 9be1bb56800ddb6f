//! The preview's HTTP side: a small HTTP/1.1 server on `std::net`, one
//! thread per connection. A preview that a web page in the same browser
//! can reach needs limits that general servers leave out: a request head
//! of at most [`MAX_HEAD`] bytes (else 431), at most [`MAX_CONNECTIONS`]
//! open connections (else 503), only `Host` values of this machine's
//! loopback names (a DNS-rebinding page gets 421), GET and HEAD only, and
//! an event stream written and flushed as each event happens (see
//! `reload`). The kept servers (`tiny_http`, `hyper`) either lack these
//! limits or bring an async runtime; the README says more.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The longest request line and headers read, in bytes.
pub const MAX_HEAD: usize = 16 * 1024;
/// The most connections served at once (each holds a thread).
pub const MAX_CONNECTIONS: usize = 64;

/// What answers a good request: the connection, the request target (path
/// and query, as sent) and whether only the head is wanted.
pub(super) type Answer = dyn Fn(TcpStream, &str, bool) + Send + Sync;

/// Accepts connections until `stop` is set (a connection to the port wakes
/// the loop to see it), each on a thread of its own, at most
/// [`MAX_CONNECTIONS`] at once.
pub(super) fn accept(listener: TcpListener, port: u16, stop: &AtomicBool, answer: Arc<Answer>) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::SeqCst);
            busy(stream, b"too many connections", false);
            continue;
        }
        let (open, answer) = (open.clone(), answer.clone());
        std::thread::spawn(move || {
            connection(stream, port, &*answer);
            open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// Wakes [`accept`] (to see its stop flag) by connecting to it.
pub(super) fn wake(port: u16) {
    drop(TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port))));
}

/// A request as far as the preview needs it.
struct Request {
    method: String,
    /// The path and query, as sent.
    target: String,
    host: Option<String>,
}

/// Why a request was not read.
enum BadRequest {
    /// The connection closed or timed out before a whole head arrived.
    Gone,
    /// The head is longer than [`MAX_HEAD`].
    TooLarge,
    Malformed,
}

/// Reads a request head (request line and headers), at most [`MAX_HEAD`] bytes.
fn read_request(stream: &mut TcpStream) -> Result<Request, BadRequest> {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    let end = loop {
        let n = stream.read(&mut chunk).map_err(|_| BadRequest::Gone)?;
        if n == 0 {
            return Err(BadRequest::Gone);
        }
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        if let Some(i) = head[from..].windows(4).position(|w| w == b"\r\n\r\n") {
            break from + i;
        }
        if head.len() > MAX_HEAD {
            return Err(BadRequest::TooLarge);
        }
    };
    if end > MAX_HEAD {
        return Err(BadRequest::TooLarge);
    }
    let text = std::str::from_utf8(&head[..end]).map_err(|_| BadRequest::Malformed)?;
    let mut lines = text.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version)) = (first.next(), first.next(), first.next()) else {
        return Err(BadRequest::Malformed);
    };
    if !version.starts_with("HTTP/1.") || !target.starts_with('/') {
        return Err(BadRequest::Malformed);
    }
    let host = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("host"))
        .map(|(_, value)| value.trim().to_ascii_lowercase());
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        host,
    })
}

/// Whether a `Host` value names this preview: a loopback name, with this
/// port or none. Any other name is a page of another site that reached
/// 127.0.0.1 through its own DNS (rebinding), and gets nothing.
fn is_own_host(host: &str, port: u16) -> bool {
    // The allowed names carry no port: any port but ours is left on and fails.
    let name = host.strip_suffix(&format!(":{port}")).unwrap_or(host);
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

/// Writes a whole response and closes the exchange (`Connection: close`).
pub(super) fn respond(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
) -> io::Result<()> {
    let reason = match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        _ => "Service Unavailable",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// 503 with a hint to retry: too many connections, or no good build yet.
pub(super) fn busy(mut stream: TcpStream, why: &[u8], head_only: bool) {
    let _ = respond(&mut stream, 503, &[("Retry-After", "1")], why, head_only);
}

/// Serves one connection: one request, then close.
fn connection(mut stream: TcpStream, port: u16, answer: &Answer) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    const TEXT: [(&str, &str); 2] = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("X-Content-Type-Options", "nosniff"),
    ];
    let request = match read_request(&mut stream) {
        Ok(r) => r,
        Err(BadRequest::Gone) => return,
        Err(BadRequest::TooLarge) => {
            let _ = respond(&mut stream, 431, &TEXT, b"request head too large", false);
            return;
        }
        Err(BadRequest::Malformed) => {
            let _ = respond(&mut stream, 400, &TEXT, b"bad request", false);
            return;
        }
    };
    if !request.host.as_deref().is_some_and(|h| is_own_host(h, port)) {
        let body = format!("this preview answers only for 127.0.0.1:{0} or localhost:{0}", port);
        let _ = respond(&mut stream, 421, &TEXT, body.as_bytes(), false);
        return;
    }
    let head_only = request.method == "HEAD";
    if request.method != "GET" && !head_only {
        let _ = respond(&mut stream, 405, &[("Allow", "GET, HEAD")], b"", false);
        return;
    }
    answer(stream, &request.target, head_only);
}
