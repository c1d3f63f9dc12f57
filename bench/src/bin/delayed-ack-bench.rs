//! The delayed-ACK stall and its fix, measured: the meta fetch of a mailbox
//! of 2,000 messages (`UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE
//! RFC822.SIZE)`) through a loopback proxy in front of the local Dovecot that
//! sends like Cyrus (Nagle on, the tagged line written apart; see
//! `imap_bench::nagle_proxy`), by:
//!
//! - imap-blocking with TCP_QUICKACK re-armed after every read (the default),
//! - imap-blocking with it off,
//! - a raw socket reader (the command, then reads until the tagged OK),
//! - the same raw reader re-arming TCP_QUICKACK,
//! - and, for reference, imap-blocking without quickack straight to Dovecot
//!   (which corks its output, so never stalls).
//!
//! Each run is a fresh connection (login and EXAMINE untimed); the readers
//! take turns, run after run, so a slow spell of the machine hits all alike.
//!
//! ```text
//! scripts/dovecot start
//! cargo run --release -p imap-bench --bin delayed-ack-bench [-- --runs 20 --pause-ms 2 --mss 1448]
//! ```

use imap_blocking::prelude::*;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::Command;
use std::time::{Duration, Instant};

use imap_bench::corpus;
use imap_bench::nagle_proxy::NagleProxy;
use imap_blocking::imap_core::types::AppendMessage;
use imap_blocking::{ConnectOptions, FetchAttr, Security, Session, StatusAttr};

const MAILBOX: &str = "bench-meta";
const MESSAGES: u32 = 2000;
const FETCH: &[FetchAttr] =
    &[FetchAttr::Flags, FetchAttr::Envelope, FetchAttr::BodyStructure, FetchAttr::Rfc822Size];
/// A run slower than this waited for a delayed ACK (the fetch itself takes
/// well under it here).
const STALL: Duration = Duration::from_millis(35);

struct Server {
    addr: SocketAddr,
    user: String,
    password: String,
}

/// A way to run the meta fetch once, on a fresh connection to `addr`.
#[derive(Clone, Copy)]
enum Reader {
    Blocking { quickack: bool },
    Raw { quickack: bool },
}

impl Reader {
    fn run(self, addr: SocketAddr, s: &Server) -> Duration {
        match self {
            Reader::Blocking { quickack } => blocking_fetch(addr, s, quickack),
            Reader::Raw { quickack } => raw_fetch(addr, s, quickack),
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut runs, mut pause_ms, mut mss) = (20usize, 2u64, 1448u32);
    while let Some(a) = args.next() {
        let v = args.next().and_then(|v| v.parse::<u64>().ok());
        match (a.as_str(), v) {
            ("--runs", Some(v)) if v > 0 => runs = v as usize,
            ("--pause-ms", Some(v)) => pause_ms = v,
            ("--mss", Some(v)) => mss = v as u32,
            _ => fail("usage: delayed-ack-bench [--runs N] [--pause-ms MS] [--mss BYTES (0: loopback's)]"),
        }
    }
    let s = server();
    prepare(&s);
    let proxy = NagleProxy::start(s.addr, Duration::from_millis(pause_ms), (mss > 0).then_some(mss))
        .unwrap_or_else(|e| fail(&format!("start the proxy: {e}")));
    let rows: [(&str, Reader, SocketAddr); 5] = [
        ("imap-blocking, quickack on (default)", Reader::Blocking { quickack: true }, proxy.addr()),
        ("imap-blocking, quickack off", Reader::Blocking { quickack: false }, proxy.addr()),
        ("raw socket reader", Reader::Raw { quickack: false }, proxy.addr()),
        ("raw socket reader, quickack re-armed", Reader::Raw { quickack: true }, proxy.addr()),
        ("imap-blocking, quickack off, straight to Dovecot", Reader::Blocking { quickack: false }, s.addr),
    ];
    // Warm Dovecot's cache of envelopes and body structures.
    for (_, reader, addr) in &rows {
        reader.run(*addr, &s);
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(runs); rows.len()];
    for _ in 0..runs {
        for ((_, reader, addr), t) in rows.iter().zip(&mut times) {
            t.push(reader.run(*addr, &s));
        }
    }
    println!(
        "UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE) of {MESSAGES} messages, {runs} runs each; \
         proxy: Nagle on, tagged line {pause_ms} ms after the rest, MSS {}",
        if mss > 0 { mss.to_string() } else { "of loopback".into() }
    );
    println!("| reader | min | median | max | runs > {} ms |", STALL.as_millis());
    println!("|---|---:|---:|---:|---:|");
    for ((name, ..), mut t) in rows.iter().zip(times) {
        t.sort();
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
        let median = (t[(t.len() - 1) / 2] + t[t.len() / 2]) / 2;
        let stalls = t.iter().filter(|d| **d > STALL).count();
        println!("| {name} | {} | {} | {} | {stalls} of {runs} |", ms(t[0]), ms(median), ms(t[t.len() - 1]));
    }
}

/// imap-blocking: connect, log in, EXAMINE, then time the fetch.
fn blocking_fetch(addr: SocketAddr, s: &Server, quickack: bool) -> Duration {
    let mut session = login(addr, s, quickack);
    session.examine(MAILBOX).unwrap_or_else(|e| fail(&format!("examine: {e}")));
    let start = Instant::now();
    let fetched = session.fetch(1.., FETCH).unwrap_or_else(|e| fail(&format!("fetch: {e}")));
    let elapsed = start.elapsed();
    if fetched.len() != MESSAGES as usize {
        fail(&format!("fetched {} messages, not {MESSAGES}", fetched.len()));
    }
    elapsed
}

/// A raw socket: the same command, reads until the tagged OK, no parsing.
fn raw_fetch(addr: SocketAddr, s: &Server, quickack: bool) -> Duration {
    let mut sock = TcpStream::connect(addr).unwrap_or_else(|e| fail(&format!("connect: {e}")));
    imap_blocking::imap_net::tune_socket(&sock, quickack).unwrap_or_else(|e| fail(&format!("tune: {e}")));
    let mut buf = vec![0u8; 64 * 1024];
    let mut read_until = |sock: &mut TcpStream, marker: &[u8]| {
        let mut tail: Vec<u8> = Vec::new();
        loop {
            let n = sock.read(&mut buf).unwrap_or_else(|e| fail(&format!("read: {e}")));
            if n == 0 {
                fail("the server closed the connection");
            }
            if quickack {
                let _ = imap_blocking::imap_net::rearm_quickack(sock);
            }
            tail.extend_from_slice(&buf[..n]);
            if tail.windows(marker.len()).any(|w| w == marker) {
                return;
            }
            tail.drain(..tail.len().saturating_sub(marker.len()));
        }
    };
    read_until(&mut sock, b"\r\n");
    let login = format!("r1 LOGIN \"{}\" \"{}\"\r\nr2 EXAMINE {MAILBOX}\r\n", s.user, s.password);
    sock.write_all(login.as_bytes()).unwrap_or_else(|e| fail(&format!("write: {e}")));
    read_until(&mut sock, b"\r\nr2 OK");
    let start = Instant::now();
    sock.write_all(b"r3 UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)\r\n")
        .unwrap_or_else(|e| fail(&format!("write: {e}")));
    read_until(&mut sock, b"\r\nr3 OK");
    let elapsed = start.elapsed();
    let _ = sock.write_all(b"r4 LOGOUT\r\n");
    elapsed
}

fn login(addr: SocketAddr, s: &Server, quickack: bool) -> Session {
    let mut session = ConnectOptions::new(addr.ip().to_string())
        .port(addr.port())
        .security(Security::Plain)
        .quickack(quickack)
        .response_timeout(Duration::from_secs(60))
        .connect()
        .unwrap_or_else(|e| fail(&format!("connect: {e}")));
    session.login(&s.user, &s.password).unwrap_or_else(|e| fail(&format!("login: {e}")));
    session
}

/// Fills the mailbox with varied messages (multipart, attachments, encoded
/// subjects), once, with MULTIAPPEND straight to Dovecot.
fn prepare(s: &Server) {
    let mut session = login(s.addr, s, true);
    let have = session.status(MAILBOX, &[StatusAttr::Messages]).ok().and_then(|st| st.messages);
    if have == Some(MESSAGES) {
        return;
    }
    let _ = session.delete(MAILBOX);
    session.create(MAILBOX).unwrap_or_else(|e| fail(&format!("create: {e}")));
    let messages: Vec<AppendMessage> =
        (0..MESSAGES).map(|i| AppendMessage::new(corpus::small_message(i))).collect();
    for chunk in messages.chunks(200) {
        session.append_many(MAILBOX, chunk.to_vec()).unwrap_or_else(|e| fail(&format!("append: {e}")));
    }
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
    let (host, port) = (var("IMAP_HOST"), var("IMAP_PORT"));
    let addr = format!("{host}:{port}")
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .unwrap_or_else(|| fail(&format!("bad IMAP_HOST/IMAP_PORT {host}:{port}")));
    Server { addr, user: var("IMAP_USER"), password: var("IMAP_PASSWORD") }
}

fn fail(message: &str) -> ! {
    eprintln!("delayed-ack-bench: {message}");
    std::process::exit(1)
}
