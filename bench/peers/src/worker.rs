//! The Rust workers: one process per client and operation, started by the
//! orchestrator as `peers-bench worker <client> <op> <mailbox> <uid-lo>
//! <uid-hi>` with the server in `IMAP_HOST`, `IMAP_PORT`, `IMAP_USER` and
//! `IMAP_PASSWORD` (plain TCP).
//!
//! It logs in and EXAMINEs the mailbox, prints `{"ready":true}`, then for
//! each `run` line on its input times the operation once and prints
//! `{"ms":..,"messages":..,"bytes":..}` (or `{"error":".."}`); `quit` or
//! the end of input logs out. Only the operation is timed. `messages` counts
//! the messages that came with everything asked for (the body, or flags,
//! envelope, body structure and size); `bytes` is the sum of the bodies'
//! lengths, or of `RFC822.SIZE` for the meta fetch.

mod pool;

use std::io::{BufRead, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use futures_lite::StreamExt;
use imap_blocking::imap_core::request;
use imap_blocking::prelude::*;
use imap_blocking::{ConnectOptions, Fetch, FetchAttr, Security};

use crate::clients::Op;
use crate::tally::{Counter, Tally};

/// What one timed run saw.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outcome {
    pub(crate) elapsed: Duration,
    pub(crate) messages: u64,
    pub(crate) bytes: u64,
    /// The whole reply's bytes, if the worker knows them (the floor).
    pub(crate) reply: u64,
}

/// A logged-in client ready to run its operation again and again.
trait Worker {
    fn run(&mut self, op: Op, uids: (u32, u32)) -> Result<Outcome, String>;
    fn quit(self: Box<Self>);
}

/// The server, from the environment the orchestrator sets.
#[derive(Debug, Clone)]
struct Server {
    host: String,
    port: u16,
    user: String,
    password: String,
}

impl Server {
    fn from_env() -> Result<Server, String> {
        let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
        Ok(Server {
            host: var("IMAP_HOST")?,
            port: var("IMAP_PORT")?.parse().map_err(|_| "bad IMAP_PORT".to_owned())?,
            user: var("IMAP_USER")?,
            password: var("IMAP_PASSWORD")?,
        })
    }
}

const META_ATTRS: &[FetchAttr] =
    &[FetchAttr::Flags, FetchAttr::Envelope, FetchAttr::BodyStructure, FetchAttr::Rfc822Size];
const META_COMMAND: &str = "(FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)";

/// `peers-bench worker ...`: runs until told to quit; the exit status says
/// whether it could start.
pub(crate) fn main(args: &[String]) -> Result<(), String> {
    let [client, op, mailbox, lo, hi] = args else {
        return Err("usage: peers-bench worker CLIENT OP MAILBOX UID-LO UID-HI".into());
    };
    let op = Op::parse(op).ok_or_else(|| format!("unknown operation {op}"))?;
    let uids = (lo.parse().map_err(|_| "bad UID-LO")?, hi.parse().map_err(|_| "bad UID-HI")?);
    let server = Server::from_env()?;
    let mut worker: Box<dyn Worker> = match client.as_str() {
        "raw" => Box::new(Raw::connect(&server, mailbox)?),
        "blocking" => Box::new(Blocking::connect(&server, mailbox, false)?),
        "blocking-stream" => Box::new(Blocking::connect(&server, mailbox, true)?),
        "smol" => Box::new(Smol::connect(&server, mailbox, false)?),
        "smol-stream" => Box::new(Smol::connect(&server, mailbox, true)?),
        "mio" => Box::new(pool::Mio::connect(&server, mailbox, false)?),
        "mio-stream" => Box::new(pool::Mio::connect(&server, mailbox, true)?),
        "imap" => Box::new(ImapCrate::connect(&server, mailbox)?),
        "async-imap" => Box::new(AsyncImap::connect(&server, mailbox)?),
        other => return Err(format!("no Rust worker for {other}")),
    };
    let mut out = std::io::stdout().lock();
    let say = |out: &mut std::io::StdoutLock<'_>, line: String| {
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    };
    say(&mut out, r#"{"ready":true}"#.into());
    for line in std::io::stdin().lock().lines() {
        match line.as_deref().map(str::trim) {
            Ok("run") => match worker.run(op, uids) {
                Ok(o) => say(
                    &mut out,
                    format!(
                        r#"{{"ms":{},"messages":{},"bytes":{},"reply":{}}}"#,
                        o.elapsed.as_secs_f64() * 1e3,
                        o.messages,
                        o.bytes,
                        o.reply
                    ),
                ),
                Err(e) => say(&mut out, serde_json::json!({ "error": e }).to_string()),
            },
            _ => break,
        }
    }
    worker.quit();
    Ok(())
}

/// Counts a result the same way for each of our drivers.
fn count(fetched: &[Fetch], op: Op) -> (u64, u64) {
    let mut t = (0, 0);
    for f in fetched {
        add(&mut t, f, op);
    }
    t
}

fn add(t: &mut (u64, u64), f: &Fetch, op: Op) {
    if op.fetches_bodies() {
        if let Some(body) = f.message() {
            t.0 += 1;
            t.1 += body.len() as u64;
        }
    } else if let (Some(_), Some(_), Some(_), Some(size)) =
        (f.flags(), f.envelope(), f.body_structure(), f.size())
    {
        t.0 += 1;
        t.1 += size;
    }
}

fn attrs(op: Op) -> Vec<FetchAttr> {
    if op.fetches_bodies() {
        vec![FetchAttr::body_peek()]
    } else {
        META_ATTRS.to_vec()
    }
}

fn options(s: &Server) -> ConnectOptions {
    ConnectOptions::new(s.host.clone())
        .port(s.port)
        .security(Security::Plain)
        .response_timeout(Duration::from_secs(300))
}

/// imap-blocking, with its defaults (TCP_NODELAY, TCP_QUICKACK re-armed).
struct Blocking {
    session: imap_blocking::Session,
    stream: bool,
}

impl Blocking {
    fn connect(s: &Server, mailbox: &str, stream: bool) -> Result<Blocking, String> {
        let mut session = options(s).connect().map_err(|e| format!("connect: {e}"))?;
        session.login(&s.user, &s.password).map_err(|e| format!("login: {e}"))?;
        session.examine(mailbox).map_err(|e| format!("examine: {e}"))?;
        Ok(Blocking { session, stream })
    }
}

impl Worker for Blocking {
    fn run(&mut self, op: Op, (lo, hi): (u32, u32)) -> Result<Outcome, String> {
        let s = &mut self.session;
        let attrs = attrs(op);
        let start = Instant::now();
        let (messages, bytes) = match op {
            Op::Full | Op::Meta if self.stream => {
                let mut t = (0, 0);
                for f in s.fetch_stream(1.., &attrs).map_err(|e| e.to_string())? {
                    add(&mut t, &f.map_err(|e| e.to_string())?, op);
                }
                t
            }
            Op::Full | Op::Meta => count(&s.fetch(1.., &attrs).map_err(|e| e.to_string())?, op),
            Op::Sequential => {
                let mut t = (0, 0);
                for uid in lo..=hi {
                    let one = s.fetch(uid, &attrs).map_err(|e| e.to_string())?;
                    let (m, b) = count(&one, op);
                    t = (t.0 + m, t.1 + b);
                }
                t
            }
            Op::Pipelined => {
                let requests = (lo..=hi).map(|uid| request::fetch(true, uid, &attrs)).collect();
                let mut t = (0, 0);
                for one in s.pipeline(requests).map_err(|e| e.to_string())? {
                    let (m, b) = count(&one.map_err(|e| e.to_string())?, op);
                    t = (t.0 + m, t.1 + b);
                }
                t
            }
        };
        Ok(Outcome { elapsed: start.elapsed(), messages, bytes, reply: 0 })
    }

    fn quit(self: Box<Self>) {
        let _ = self.session.logout();
    }
}

/// imap-smol on one thread, as async-imap runs here on a current-thread
/// tokio runtime: the connection future spawned on a `LocalExecutor`, the
/// session's futures awaited on the same one.
struct Smol {
    executor: smol::LocalExecutor<'static>,
    session: imap_smol::Session,
    stream: bool,
}

impl Smol {
    fn connect(s: &Server, mailbox: &str, stream: bool) -> Result<Smol, String> {
        let executor = smol::LocalExecutor::new();
        let session = smol::block_on(executor.run(async {
            let (mut session, connection) =
                imap_smol::connect(options(s)).await.map_err(|e| format!("connect: {e}"))?;
            executor.spawn(connection).detach();
            session.login(&s.user, &s.password).await.map_err(|e| format!("login: {e}"))?;
            session.examine(mailbox).await.map_err(|e| format!("examine: {e}"))?;
            Ok::<_, String>(session)
        }))?;
        Ok(Smol { executor, session, stream })
    }
}

impl Worker for Smol {
    fn run(&mut self, op: Op, (lo, hi): (u32, u32)) -> Result<Outcome, String> {
        let s = &mut self.session;
        let attrs = attrs(op);
        smol::block_on(self.executor.run(async {
            let start = Instant::now();
            let (messages, bytes) = match op {
                Op::Full | Op::Meta if self.stream => {
                    let mut t = (0, 0);
                    let mut fetched = s.fetch_stream(1.., &attrs);
                    while let Some(f) = fetched.next().await {
                        add(&mut t, &f.map_err(|e| e.to_string())?, op);
                    }
                    t
                }
                Op::Full | Op::Meta => count(&s.fetch(1.., &attrs).await.map_err(|e| e.to_string())?, op),
                Op::Sequential => {
                    let mut t = (0, 0);
                    for uid in lo..=hi {
                        let one = s.fetch(uid, &attrs).await.map_err(|e| e.to_string())?;
                        let (m, b) = count(&one, op);
                        t = (t.0 + m, t.1 + b);
                    }
                    t
                }
                Op::Pipelined => {
                    // Each call submits at once: all 1,000 go out together.
                    let pending: Vec<_> = (lo..=hi).map(|uid| s.fetch(uid, &attrs)).collect();
                    let mut t = (0, 0);
                    for one in pending {
                        let (m, b) = count(&one.await.map_err(|e| e.to_string())?, op);
                        t = (t.0 + m, t.1 + b);
                    }
                    t
                }
            };
            Ok(Outcome { elapsed: start.elapsed(), messages, bytes, reply: 0 })
        }))
    }

    fn quit(self: Box<Self>) {
        let Smol { executor, session, .. } = *self;
        let _ = smol::block_on(executor.run(session.logout()));
    }
}

/// The `imap` crate (3.0.0-alpha.15), connected as its docs show, without TLS.
struct ImapCrate {
    session: imap::Session<imap::Connection>,
}

impl ImapCrate {
    fn connect(s: &Server, mailbox: &str) -> Result<ImapCrate, String> {
        let client = imap::ClientBuilder::new(s.host.as_str(), s.port)
            .mode(imap::ConnectionMode::Plaintext)
            .connect()
            .map_err(|e| format!("connect: {e}"))?;
        let mut session = client.login(&s.user, &s.password).map_err(|(e, _)| format!("login: {e}"))?;
        session.examine(mailbox).map_err(|e| format!("examine: {e}"))?;
        Ok(ImapCrate { session })
    }
}

impl Worker for ImapCrate {
    fn run(&mut self, op: Op, (lo, hi): (u32, u32)) -> Result<Outcome, String> {
        let query = if op.fetches_bodies() { "(BODY.PEEK[])" } else { META_COMMAND };
        let s = &mut self.session;
        let start = Instant::now();
        let count = |fetches: &imap::types::Fetches, t: &mut (u64, u64)| {
            for f in fetches.iter() {
                if op.fetches_bodies() {
                    if let Some(body) = f.body() {
                        t.0 += 1;
                        t.1 += body.len() as u64;
                    }
                } else if let (Some(_), Some(_), Some(size)) = (f.envelope(), f.bodystructure(), f.size) {
                    t.0 += 1;
                    t.1 += u64::from(size);
                }
            }
        };
        let mut t = (0, 0);
        match op {
            Op::Full | Op::Meta => count(&s.uid_fetch("1:*", query).map_err(|e| e.to_string())?, &mut t),
            Op::Sequential => {
                for uid in lo..=hi {
                    count(&s.uid_fetch(uid.to_string(), query).map_err(|e| e.to_string())?, &mut t);
                }
            }
            Op::Pipelined => return Err("no pipelining".into()),
        }
        Ok(Outcome { elapsed: start.elapsed(), messages: t.0, bytes: t.1, reply: 0 })
    }

    fn quit(mut self: Box<Self>) {
        let _ = self.session.logout();
    }
}

/// `async-imap` 0.12 on a current-thread tokio runtime (it spawns nothing).
struct AsyncImap {
    runtime: tokio::runtime::Runtime,
    session: async_imap::Session<tokio::net::TcpStream>,
}

impl AsyncImap {
    fn connect(s: &Server, mailbox: &str) -> Result<AsyncImap, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio: {e}"))?;
        let session = runtime.block_on(async {
            let tcp = tokio::net::TcpStream::connect((s.host.as_str(), s.port))
                .await
                .map_err(|e| format!("connect: {e}"))?;
            let mut client = async_imap::Client::new(tcp);
            client.read_response().await.map_err(|e| format!("greeting: {e}"))?;
            let mut session =
                client.login(&s.user, &s.password).await.map_err(|(e, _)| format!("login: {e}"))?;
            session.examine(mailbox).await.map_err(|e| format!("examine: {e}"))?;
            Ok::<_, String>(session)
        })?;
        Ok(AsyncImap { runtime, session })
    }
}

impl Worker for AsyncImap {
    fn run(&mut self, op: Op, (lo, hi): (u32, u32)) -> Result<Outcome, String> {
        let query = if op.fetches_bodies() { "(BODY.PEEK[])" } else { META_COMMAND };
        let s = &mut self.session;
        self.runtime.block_on(async {
            let start = Instant::now();
            let mut t = (0u64, 0u64);
            let count = |fetches: Vec<async_imap::types::Fetch>, t: &mut (u64, u64)| {
                for f in fetches {
                    if op.fetches_bodies() {
                        if let Some(body) = f.body() {
                            t.0 += 1;
                            t.1 += body.len() as u64;
                        }
                    } else if let (Some(_), Some(_), Some(size)) = (f.envelope(), f.bodystructure(), f.size) {
                        t.0 += 1;
                        t.1 += u64::from(size);
                    }
                }
            };
            let ranges: Vec<String> = match op {
                Op::Full | Op::Meta => vec!["1:*".into()],
                Op::Sequential => (lo..=hi).map(|uid| uid.to_string()).collect(),
                Op::Pipelined => return Err("no pipelining".into()),
            };
            for set in ranges {
                let stream = s.uid_fetch(set, query).await.map_err(|e| e.to_string())?;
                let fetches: Vec<_> = stream.try_collect().await.map_err(|e| e.to_string())?;
                count(fetches, &mut t);
            }
            Ok(Outcome { elapsed: start.elapsed(), messages: t.0, bytes: t.1, reply: 0 })
        })
    }

    fn quit(mut self: Box<Self>) {
        let _ = self.runtime.block_on(self.session.logout());
    }
}

/// The floor: a socket that sends the same command bytes and reads the
/// reply into a 64 KiB buffer until its tagged OK, looking only at the end
/// of each read. The first run also counts what it reads (that is the
/// warm-up, untimed by the orchestrator); later runs must read as many
/// bytes.
struct Raw {
    sock: TcpStream,
    buf: Vec<u8>,
    tag: u32,
    first: Option<(u64, Tally)>,
}

impl Raw {
    fn connect(s: &Server, mailbox: &str) -> Result<Raw, String> {
        let sock = TcpStream::connect((s.host.as_str(), s.port)).map_err(|e| format!("connect: {e}"))?;
        // TCP_NODELAY and TCP_QUICKACK (re-armed after every read), as our
        // drivers do: the floor is the best a socket can do.
        imap_blocking::imap_net::tune_socket(&sock, true).map_err(|e| e.to_string())?;
        let mut raw = Raw { sock, buf: vec![0; 64 * 1024], tag: 0, first: None };
        raw.drain(b"\r\n", None)?;
        let login = format!(
            "L1 LOGIN {} {}\r\nL2 EXAMINE {}\r\n",
            quoted(&s.user),
            quoted(&s.password),
            quoted(mailbox)
        );
        raw.sock.write_all(login.as_bytes()).map_err(|e| e.to_string())?;
        raw.drain(b"\r\nL2 OK", None)?;
        Ok(raw)
    }

    /// A fixed-width tag, so every run's reply has the same length.
    fn next_tag(&mut self) -> String {
        self.tag += 1;
        format!("Z{:06}", self.tag)
    }

    /// Reads until a read ends with `marker` + the rest of its line; returns
    /// the bytes read.
    fn drain(&mut self, marker: &[u8], mut count: Option<&mut Counter>) -> Result<u64, String> {
        let mut total = 0u64;
        let mut tail: Vec<u8> = Vec::with_capacity(256);
        loop {
            let n = self.sock.read(&mut self.buf).map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                return Err("the server closed the connection".into());
            }
            total += n as u64;
            let _ = imap_blocking::imap_net::rearm_quickack(&self.sock);
            if let Some(count) = count.as_deref_mut() {
                count.feed(&self.buf[..n]);
            }
            tail.extend_from_slice(&self.buf[n.saturating_sub(128)..n]);
            if tail.ends_with(b"\r\n") && last_line(&tail).starts_with(&marker[2..]) {
                return Ok(total);
            }
            let cut = tail.len().saturating_sub(128);
            tail.drain(..cut);
        }
    }
}

/// The last CRLF-terminated line of `bytes` (without its CRLF).
fn last_line(bytes: &[u8]) -> &[u8] {
    let body = &bytes[..bytes.len() - 2];
    match body.iter().rposition(|&b| b == b'\n') {
        Some(i) => &body[i + 1..],
        None => body,
    }
}

impl Worker for Raw {
    fn run(&mut self, op: Op, (lo, hi): (u32, u32)) -> Result<Outcome, String> {
        let what = if op.fetches_bodies() { "(BODY.PEEK[])" } else { META_COMMAND };
        let mut count = self.first.is_none().then(Counter::default);
        let start = Instant::now();
        let mut total = 0;
        match op {
            Op::Full | Op::Meta => {
                let tag = self.next_tag();
                let command = format!("{tag} UID FETCH 1:* {what}\r\n");
                self.sock.write_all(command.as_bytes()).map_err(|e| e.to_string())?;
                total += self.drain(format!("\r\n{tag} OK").as_bytes(), count.as_mut())?;
            }
            Op::Sequential => {
                for uid in lo..=hi {
                    let tag = self.next_tag();
                    let command = format!("{tag} UID FETCH {uid} {what}\r\n");
                    self.sock.write_all(command.as_bytes()).map_err(|e| e.to_string())?;
                    total += self.drain(format!("\r\n{tag} OK").as_bytes(), count.as_mut())?;
                }
            }
            Op::Pipelined => {
                let mut commands = String::new();
                let mut tag = String::new();
                for uid in lo..=hi {
                    tag = self.next_tag();
                    commands.push_str(&format!("{tag} UID FETCH {uid} {what}\r\n"));
                }
                self.sock.write_all(commands.as_bytes()).map_err(|e| e.to_string())?;
                total += self.drain(format!("\r\n{tag} OK").as_bytes(), count.as_mut())?;
            }
        }
        let elapsed = start.elapsed();
        if let Some(count) = count {
            self.first = Some((total, count.tally()));
        }
        let (first_total, t) = self.first.unwrap_or_default();
        // Dovecot's tagged lines say how long each command took ("(0.001 +
        // 0.000 secs)"), so their length varies a little; the data does not.
        let commands = if matches!(op, Op::Full | Op::Meta) { 1 } else { u64::from(hi - lo + 1) };
        if total.abs_diff(first_total) > 16 * commands {
            return Err(format!("the reply had {total} bytes, the first one {first_total}"));
        }
        let bytes = if op.fetches_bodies() { t.body_bytes } else { t.size_sum };
        Ok(Outcome { elapsed, messages: t.messages, bytes, reply: total })
    }

    fn quit(mut self: Box<Self>) {
        let _ = self.sock.write_all(b"L3 LOGOUT\r\n");
    }
}

/// An IMAP quoted string (the bench's own names and credentials).
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
