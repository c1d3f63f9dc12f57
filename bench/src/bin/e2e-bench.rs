//! End to end against the local Dovecot: how fast the blocking client and
//! imap-smol fetch a mailbox, next to a raw socket that sends the same
//! command and only counts the bytes of the reply (the ceiling for any
//! client).
//!
//! ```text
//! scripts/dovecot start
//! cargo run --release -p imap-bench --bin e2e-bench [-- --messages N --size BYTES]
//! ```
//!
//! Plain TCP on the local server's port, so TLS does not dominate; the
//! mailbox is filled once (MULTIAPPEND) and reused. `E2E_NO_TRACE=1` turns
//! the engine's protocol trace off, to see what it costs.

use imap_blocking::prelude::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use imap_blocking::imap_core::types::AppendMessage;
use imap_blocking::{ConnectOptions, FetchAttr, Security, Session, StatusAttr};

const MAILBOX: &str = "bench-e2e";

struct Server {
    host: String,
    port: u16,
    user: String,
    password: String,
}

fn server() -> Server {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(root.join("scripts/dovecot"))
        .arg("env")
        .output()
        .unwrap_or_else(|e| fail(&format!("run scripts/dovecot env: {e}")));
    if !out.status.success() {
        fail("the local Dovecot is not running: scripts/dovecot start");
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let var = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("export {name}=")))
            .map(|v| v.trim_matches(['\'', '"']).to_owned())
            .unwrap_or_else(|| fail(&format!("{name} missing from scripts/dovecot env")))
    };
    Server {
        host: var("IMAP_HOST"),
        port: var("IMAP_PORT").parse().unwrap_or_else(|_| fail("bad IMAP_PORT")),
        user: var("IMAP_USER"),
        password: var("IMAP_PASSWORD"),
    }
}

fn fail(message: &str) -> ! {
    eprintln!("e2e-bench: {message}");
    std::process::exit(1)
}

fn options(s: &Server) -> ConnectOptions {
    let mut engine = imap_blocking::imap_core::ClientConfig::default();
    if std::env::var_os("E2E_NO_TRACE").is_some() {
        engine.trace_lines = 0;
    }
    ConnectOptions::new(s.host.clone())
        .engine(engine)
        .port(s.port)
        .security(Security::Plain)
        .response_timeout(Duration::from_secs(120))
}

fn login(s: &Server) -> Session {
    let mut session = options(s).connect().unwrap_or_else(|e| fail(&format!("connect: {e}")));
    session.login(&s.user, &s.password).unwrap_or_else(|e| fail(&format!("login: {e}")));
    session
}

/// Fills the mailbox with `n` messages of about `size` bytes, once.
fn prepare(s: &Server, n: usize, size: usize) {
    let mut session = login(s);
    let have = session.status(MAILBOX, &[StatusAttr::Messages]).ok().and_then(|st| st.messages);
    if have == Some(n as u32) {
        return;
    }
    let _ = session.delete(MAILBOX);
    session.create(MAILBOX).unwrap_or_else(|e| fail(&format!("create: {e}")));
    let line = "The quick brown fox jumps over the lazy dog, again and again and again.\r\n";
    let messages: Vec<AppendMessage> = (0..n)
        .map(|i| {
            let mut m = format!("From: bench@example.org\r\nSubject: message {i}\r\n\r\n").into_bytes();
            while m.len() < size {
                m.extend_from_slice(line.as_bytes());
            }
            AppendMessage::new(m)
        })
        .collect();
    for chunk in messages.chunks(200) {
        session.append_many(MAILBOX, chunk.to_vec()).unwrap_or_else(|e| fail(&format!("append: {e}")));
    }
}

/// The blocking client, collecting every message.
fn client_collect(s: &Server) -> (usize, Duration) {
    let mut session = login(s);
    session.examine(MAILBOX).unwrap_or_else(|e| fail(&format!("examine: {e}")));
    let start = Instant::now();
    let fetched =
        session.fetch(1.., &[FetchAttr::body_peek()]).unwrap_or_else(|e| fail(&format!("fetch: {e}")));
    let elapsed = start.elapsed();
    (fetched.iter().filter_map(|f| f.message()).map(|b| b.len()).sum(), elapsed)
}

/// The blocking client, streaming (one message in memory at a time).
fn client_stream(s: &Server) -> (usize, Duration) {
    let mut session = login(s);
    session.examine(MAILBOX).unwrap_or_else(|e| fail(&format!("examine: {e}")));
    let start = Instant::now();
    let mut bytes = 0;
    for f in
        session.fetch_stream(1.., &[FetchAttr::body_peek()]).unwrap_or_else(|e| fail(&format!("fetch: {e}")))
    {
        bytes += f.unwrap_or_else(|e| fail(&format!("fetch: {e}"))).message().map_or(0, |b| b.len());
    }
    (bytes, start.elapsed())
}

/// imap-smol, streaming, its connection spawned on smol's executor as an
/// application runs it.
fn smol_stream(s: &Server) -> (usize, Duration) {
    use imap_smol::prelude::*;
    smol::block_on(async {
        let (mut session, connection) =
            imap_smol::connect(options(s)).await.unwrap_or_else(|e| fail(&format!("connect: {e}")));
        smol::spawn(connection).detach();
        session.login(&s.user, &s.password).await.unwrap_or_else(|e| fail(&format!("login: {e}")));
        session.examine(MAILBOX).await.unwrap_or_else(|e| fail(&format!("examine: {e}")));
        let start = Instant::now();
        let mut bytes = 0;
        let mut stream = session.fetch_stream(1.., &[FetchAttr::body_peek()]);
        while let Some(f) = stream.next().await {
            bytes += f.unwrap_or_else(|e| fail(&format!("fetch: {e}"))).message().map_or(0, |b| b.len());
        }
        let elapsed = start.elapsed();
        drop(stream);
        let _ = session.logout().await;
        (bytes, elapsed)
    })
}

/// A raw socket: the same command, the reply read and counted, no parsing
/// beyond finding the tagged OK at the end.
fn raw_drain(s: &Server) -> (usize, Duration) {
    let mut sock =
        TcpStream::connect((s.host.as_str(), s.port)).unwrap_or_else(|e| fail(&format!("connect: {e}")));
    sock.set_nodelay(true).ok();
    let mut buf = vec![0u8; 64 * 1024];
    let mut read_until = |sock: &mut TcpStream, marker: &[u8]| -> usize {
        let mut tail: Vec<u8> = Vec::new();
        let mut total = 0;
        loop {
            let n = sock.read(&mut buf).unwrap_or_else(|e| fail(&format!("read: {e}")));
            if n == 0 {
                fail("server closed the connection");
            }
            total += n;
            tail.extend_from_slice(&buf[..n]);
            if tail.len() > 4096 {
                tail.drain(..tail.len() - 4096);
            }
            if tail.windows(marker.len()).any(|w| w == marker) {
                return total;
            }
        }
    };
    read_until(&mut sock, b"\r\n");
    let login = format!("r1 LOGIN \"{}\" \"{}\"\r\nr2 EXAMINE {MAILBOX}\r\n", s.user, s.password);
    sock.write_all(login.as_bytes()).unwrap_or_else(|e| fail(&format!("write: {e}")));
    read_until(&mut sock, b"r2 OK");
    let start = Instant::now();
    sock.write_all(b"r3 UID FETCH 1:* (BODY.PEEK[])\r\n").unwrap_or_else(|e| fail(&format!("write: {e}")));
    let total = read_until(&mut sock, b"\r\nr3 OK");
    (total, start.elapsed())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut messages, mut size) = (2000usize, 20_000usize);
    while let Some(a) = args.next() {
        let v = args.next().and_then(|v| v.parse().ok());
        match (a.as_str(), v) {
            ("--messages", Some(v)) => messages = v,
            ("--size", Some(v)) => size = v,
            _ => fail("usage: e2e-bench [--messages N] [--size BYTES]"),
        }
    }
    let s = server();
    prepare(&s, messages, size);
    let rounds = 5;
    let best = |f: &dyn Fn(&Server) -> (usize, Duration)| {
        (0..rounds).map(|_| f(&s)).min_by_key(|(_, d)| *d).unwrap_or((0, Duration::MAX))
    };
    let raw = best(&raw_drain);
    let collect = best(&client_collect);
    let stream = best(&client_stream);
    let smol = best(&smol_stream);
    let mbps = |(bytes, d): (usize, Duration)| bytes as f64 / d.as_secs_f64() / 1e6;
    println!("{messages} messages of ~{size} bytes from the local Dovecot (plain TCP), best of {rounds}:");
    println!("| reader | time | MB/s | vs raw drain |");
    println!("|---|---:|---:|---:|");
    for (name, r) in [
        ("raw socket drain (reply bytes)", raw),
        ("imap-blocking fetch, collected", collect),
        ("imap-blocking fetch_stream", stream),
        ("imap-smol fetch_stream (connection spawned)", smol),
    ] {
        println!(
            "| {name} | {:.0} ms | {:.0} | {:.2}× |",
            r.1.as_secs_f64() * 1e3,
            mbps(r),
            raw.1.as_secs_f64() / r.1.as_secs_f64()
        );
    }
    println!("(raw counts every byte of the reply; the clients count message bytes only)");
}
