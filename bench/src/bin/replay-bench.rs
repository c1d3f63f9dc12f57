//! The client's own cost: Dovecot's replies to a mailbox download, recorded
//! once, played back from memory by a loopback server, and read by a raw
//! socket drain (the ceiling), imap-blocking's `fetch_stream` and `fetch`,
//! imap-smol's `fetch_stream` (its connection driven on the reading thread,
//! or spawned on smol's executor), and `imap_core::Decoder` alone.
//!
//! ```text
//! scripts/dovecot start                                         # only for the capture
//! cargo run --release -p imap-bench --bin replay-bench
//! cargo run --release -p imap-bench --bin replay-bench -- --capture          # record again
//! cargo run --release -p imap-bench --bin replay-bench -- --reader stream --reply body --rounds 3   # for a profiler
//! ```
//!
//! Capture: the mailbox (by default `bench-replay`, filled once with 2,000
//! generated messages of 2–200 KiB, ~130 MB) is read over plain TCP with a
//! raw socket: the greeting and the replies to LOGIN, EXAMINE, CAPABILITY,
//! `UID FETCH 1:* (BODY.PEEK[])`, `UID FETCH 1:* (FLAGS ENVELOPE
//! BODYSTRUCTURE RFC822.SIZE)` and LOGOUT are kept, byte for byte, under
//! `target/replay/`. Later runs reuse them and need no Dovecot.
//!
//! Replay: see [`imap_bench::replay`]. Every reader connects, logs in and
//! EXAMINEs untimed, then the full-body FETCH is timed once and the meta
//! FETCH as often as fits in 20 ms (the mean is its time). Readers take
//! turns within a round, the order rotating from round to round, so a slow
//! spell of the shared machine weighs on all of them alike; the table shows
//! the median and the fastest round. Each run's count of messages and of
//! bytes is checked against the recording, so no row times a failure. The
//! reading thread and the server's threads are pinned to two CPUs (`--pin`),
//! so that the loopback TCP work is split between them the same way in
//! every run.

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

use imap_bench::replay::{self, Kind, Recording, ReplayServer};
use imap_blocking::imap_core::parse::Decoder;
use imap_blocking::imap_core::types::{AppendMessage, Data, Fetch, Response};
use imap_blocking::imap_core::ClientConfig;
use imap_blocking::prelude::*;
use imap_blocking::{ConnectOptions, FetchAttr, Security, Session, StatusAttr};
use smol::future::FutureExt as _;
use smol::stream::StreamExt as _;

const USAGE: &str = "usage: replay-bench [--capture] [--dir DIR] [--mailbox NAME] [--messages N] \
[--rounds N] [--reader raw|stream|collect|smol-stream|smol-spawned|decoder-whole|decoder-64k|decoder-4k]... [--reply body|meta] [--no-trace] \
[--pin R,S | --no-pin]";

const HELP: &str = "
  --capture        record again from the local Dovecot (scripts/dovecot start), even if
                   target/replay/ holds a recording
  --dir DIR        where the recording is kept (default: <target dir>/replay)
  --mailbox NAME   the mailbox to record (default bench-replay, filled by replay-bench;
                   another one must exist, e.g. e2e-bench's bench-e2e)
  --messages N     messages in bench-replay (default 2000)
  --rounds N       timed rounds (default 15)
  --reader NAME    only these readers (repeatable)
  --reply WHICH    only the body or the meta FETCH
  --no-trace       imap-blocking with the engine's protocol trace off (trace_lines = 0)
  --pin R,S        the reading thread on CPU R, the server's threads on CPU S (default 0,1
                   with two CPUs or more): else the scheduler sometimes puts both on one
                   CPU, and both the wall and the CPU figures change regime
  --no-pin         leave the threads where the scheduler puts them";

/// The mailbox replay-bench fills itself.
const DEFAULT_MAILBOX: &str = "bench-replay";

/// The least time a meta FETCH sample covers (it is repeated until then).
const META_SLICE: Duration = Duration::from_millis(20);

const BODY_COMMAND: &str = "UID FETCH 1:* (BODY.PEEK[])";
const META_COMMAND: &str = "UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)";

fn body_attrs() -> Vec<FetchAttr> {
    vec![FetchAttr::body_peek()]
}

fn meta_attrs() -> Vec<FetchAttr> {
    vec![FetchAttr::Flags, FetchAttr::Envelope, FetchAttr::BodyStructure, FetchAttr::Rfc822Size]
}

fn main() -> ExitCode {
    if std::env::args().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}\n{HELP}");
        return ExitCode::SUCCESS;
    }
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("replay-bench: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("replay-bench: built without optimisations; the figures mean nothing (use --release)");
    }
    match run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("replay-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: &Options) -> Result<(), String> {
    let recording = Arc::new(recording(options)?);
    let reference = Reference::of(&recording)?;
    if let Some((reader, server)) = options.pin {
        if !replay::pin_current_thread(reader) {
            return Err(format!("could not pin the reading thread to CPU {reader} (taskset; or --no-pin)"));
        }
        eprintln!("reading thread on CPU {reader}, server threads on CPU {server}");
    }
    let server = ReplayServer::start_on(recording.clone(), options.pin.map(|(_, s)| s))
        .map_err(|e| format!("replay server: {e}"))?;
    let ctx = Context { addr: server.addr(), recording: &recording, reference: &reference, options };
    let runners = &options.runners;
    let replies = &options.replies;

    let pressure_before = cpu_pressure();
    eprintln!("checking every reader once ...");
    for &runner in runners {
        ctx.round(runner, replies)?;
    }
    let mut samples: Vec<Vec<RoundSample>> = vec![Vec::new(); runners.len()];
    for round in 0..options.rounds {
        eprint!("\rround {}/{} ", round + 1, options.rounds);
        for k in 0..runners.len() {
            let i = (k + round) % runners.len();
            samples[i].push(ctx.round(runners[i], replies)?);
        }
    }
    eprintln!();
    print_report(&ctx, &samples);
    if let (Some(a), Some(b)) = (pressure_before, cpu_pressure()) {
        println!(
            "CPU pressure (PSI some avg10, share of time some task waited for a CPU): {a:.0} % before, \
             {b:.0} % after"
        );
    }
    Ok(())
}

// ------------------------------------------------------------------ options

#[derive(Debug)]
struct Options {
    capture: bool,
    dir: PathBuf,
    mailbox: String,
    messages: usize,
    rounds: usize,
    runners: Vec<Runner>,
    replies: Vec<Which>,
    no_trace: bool,
    /// The CPUs of the reading thread and of the server's threads.
    pin: Option<(usize, usize)>,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
        let mut o = Options {
            capture: false,
            dir: target.join("replay"),
            mailbox: DEFAULT_MAILBOX.to_owned(),
            messages: 2000,
            rounds: 15,
            runners: Vec::new(),
            replies: Vec::new(),
            no_trace: false,
            pin: std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2).then_some((0, 1)),
        };
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--capture" => o.capture = true,
                "--no-trace" => o.no_trace = true,
                "--no-pin" => o.pin = None,
                "--pin" => {
                    let v = value()?;
                    let cpus = v.split_once(',').and_then(|(r, s)| Some((r.parse().ok()?, s.parse().ok()?)));
                    o.pin = Some(
                        cpus.ok_or_else(|| format!("--pin wants two CPU numbers, READER,SERVER: {v:?}"))?,
                    );
                }
                "--dir" => o.dir = PathBuf::from(value()?),
                "--mailbox" => o.mailbox = value()?,
                "--messages" => o.messages = value()?.parse().map_err(|e| format!("--messages: {e}"))?,
                "--rounds" => o.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
                "--reader" => {
                    let name = value()?;
                    let runner = Runner::ALL.into_iter().find(|r| r.key() == name).ok_or_else(|| {
                        let keys: Vec<_> = Runner::ALL.iter().map(|r| r.key()).collect();
                        format!("unknown reader {name:?}; one of {keys:?}")
                    })?;
                    o.runners.push(runner);
                }
                "--reply" => o.replies.push(match value()?.as_str() {
                    "body" => Which::Body,
                    "meta" => Which::Meta,
                    other => return Err(format!("unknown reply {other:?}")),
                }),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        if o.runners.is_empty() {
            o.runners = Runner::ALL.to_vec();
        }
        if o.replies.is_empty() {
            o.replies = vec![Which::Body, Which::Meta];
        }
        if o.rounds == 0 {
            return Err("--rounds must be at least 1".into());
        }
        Ok(o)
    }
}

// ---------------------------------------------------------------- recording

/// The recording under `--dir`, captured first if it is missing, is of
/// another mailbox, or `--capture` asks.
fn recording(options: &Options) -> Result<Recording, String> {
    if !options.capture {
        match Recording::load(&options.dir) {
            Ok(r) if manifest_matches(&r.manifest, options) => {
                eprintln!("replaying the recording in {}", options.dir.display());
                return Ok(r);
            }
            Ok(_) => eprintln!("the recording in {} is of another mailbox", options.dir.display()),
            Err(e) => eprintln!("no recording to reuse ({e})"),
        }
    }
    let s = dovecot()?;
    if options.mailbox == DEFAULT_MAILBOX {
        fill_mailbox(&s, options.messages)?;
    }
    eprintln!("capturing {} from {}:{} ...", options.mailbox, s.host, s.port);
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&(s.host.as_str(), s.port))
        .map_err(|e| format!("{}: {e}", s.host))?
        .next()
        .ok_or("the server's address resolves to nothing")?;
    let mut recording = replay::capture(addr, &s.user, &s.password, &options.mailbox)?;
    let reference = Reference::of(&recording)?;
    recording.manifest = format!(
        "mailbox {}\nmessages {}\nserver {addr} (plain TCP)\ngreeting {}\n",
        options.mailbox,
        reference.body.messages,
        String::from_utf8_lossy(&recording.greeting).trim_end()
    );
    recording.save(&options.dir).map_err(|e| format!("save to {}: {e}", options.dir.display()))?;
    eprintln!("saved in {}", options.dir.display());
    Ok(recording)
}

fn manifest_matches(manifest: &str, options: &Options) -> bool {
    let get = |key: &str| manifest.lines().find_map(|l| l.strip_prefix(key)?.strip_prefix(' '));
    get("mailbox") == Some(options.mailbox.as_str())
        && (options.mailbox != DEFAULT_MAILBOX
            || get("messages") == Some(options.messages.to_string().as_str()))
}

struct Server {
    host: String,
    port: u16,
    user: String,
    password: String,
}

/// The local Dovecot's settings, from `scripts/dovecot env`.
fn dovecot() -> Result<Server, String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(root.join("scripts/dovecot"))
        .arg("env")
        .output()
        .map_err(|e| format!("run scripts/dovecot env: {e}"))?;
    let running =
        Command::new(root.join("scripts/dovecot")).arg("status").output().map(|o| o.status.success());
    if !out.status.success() || !running.unwrap_or(false) {
        return Err("a capture needs the local Dovecot: scripts/dovecot start".into());
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let var = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("export {name}=")))
            .map(|v| v.trim_matches(['\'', '"']).to_owned())
            .ok_or_else(|| format!("{name} missing from scripts/dovecot env"))
    };
    Ok(Server {
        host: var("IMAP_HOST")?,
        port: var("IMAP_PORT")?.parse().map_err(|_| "bad IMAP_PORT")?,
        user: var("IMAP_USER")?,
        password: var("IMAP_PASSWORD")?,
    })
}

/// Fills the default mailbox with `n` generated messages, unless it holds
/// `n` already.
fn fill_mailbox(s: &Server, n: usize) -> Result<(), String> {
    let mut session = ConnectOptions::new(s.host.clone())
        .port(s.port)
        .security(Security::Plain)
        .response_timeout(Duration::from_secs(300))
        .connect()
        .map_err(|e| format!("connect: {e}"))?;
    session.login(&s.user, &s.password).map_err(|e| format!("login: {e}"))?;
    let have = session.status(DEFAULT_MAILBOX, &[StatusAttr::Messages]).ok().and_then(|st| st.messages);
    if have == Some(n as u32) {
        return Ok(());
    }
    let _ = session.delete(DEFAULT_MAILBOX);
    session.create(DEFAULT_MAILBOX).map_err(|e| format!("create {DEFAULT_MAILBOX}: {e}"))?;
    let messages = imap_bench::corpus::mailbox(n);
    let total: usize = messages.iter().map(Vec::len).sum();
    eprintln!("filling {DEFAULT_MAILBOX} with {n} messages, {:.1} MB ...", total as f64 / 1e6);
    let mut batch = Vec::new();
    let mut batch_bytes = 0;
    for (i, m) in messages.into_iter().enumerate() {
        batch_bytes += m.len();
        batch.push(AppendMessage::new(m));
        if batch_bytes >= 8 << 20 || i + 1 == n {
            session
                .append_many(DEFAULT_MAILBOX, std::mem::take(&mut batch))
                .map_err(|e| format!("append: {e}"))?;
            batch_bytes = 0;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- reference

/// The two replies this bench reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    /// `UID FETCH 1:* (BODY.PEEK[])`.
    Body,
    /// `UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)`.
    Meta,
}

impl Which {
    fn label(self) -> &'static str {
        match self {
            Which::Body => "full bodies",
            Which::Meta => "meta",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Which::Body => Kind::FetchBody,
            Which::Meta => Kind::FetchMeta,
        }
    }

    fn command(self) -> &'static str {
        match self {
            Which::Body => BODY_COMMAND,
            Which::Meta => META_COMMAND,
        }
    }

    fn attrs(self) -> Vec<FetchAttr> {
        match self {
            Which::Body => body_attrs(),
            Which::Meta => meta_attrs(),
        }
    }
}

/// What a reader saw of one reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    /// Messages with every item asked for; `None` from the raw drain, which
    /// does not parse.
    messages: Option<usize>,
    /// Body: the bytes of the messages. Meta: the sum of their RFC822.SIZE.
    /// Raw drain: the bytes of the reply.
    bytes: u64,
}

impl Seen {
    fn zero() -> Seen {
        Seen { messages: Some(0), bytes: 0 }
    }

    /// Counts a message if it has what `which` asked for.
    fn count(&mut self, which: Which, f: &Fetch) {
        let bytes = match which {
            Which::Body => f.message().map(|m| m.len() as u64),
            Which::Meta => f
                .size()
                .filter(|_| f.flags().is_some() && f.envelope().is_some() && f.body_structure().is_some()),
        };
        if let (Some(b), Some(n)) = (bytes, self.messages.as_mut()) {
            *n += 1;
            self.bytes += b;
        }
    }
}

/// What every reader must see: the recording decoded once.
#[derive(Debug)]
struct Reference {
    body: Counts,
    meta: Counts,
}

#[derive(Debug, Clone, Copy)]
struct Counts {
    messages: usize,
    bytes: u64,
    /// The reply's length as recorded.
    wire: usize,
}

impl Reference {
    fn of(recording: &Recording) -> Result<Reference, String> {
        let counts = |which: Which| -> Result<Counts, String> {
            let reply = recording.reply(which.kind()).ok_or("incomplete recording")?;
            let seen = decode(reply.bytes(), None, which)?;
            Ok(Counts { messages: seen.messages.unwrap_or(0), bytes: seen.bytes, wire: reply.bytes().len() })
        };
        let (body, meta) = (counts(Which::Body)?, counts(Which::Meta)?);
        if body.messages == 0 {
            return Err("the recorded FETCH replies hold no messages: is the mailbox empty?".into());
        }
        if body.messages != meta.messages || body.bytes != meta.bytes {
            return Err(format!(
                "the recording disagrees with itself: {} messages of {} bytes in the body FETCH, {} of \
                 RFC822.SIZE {} in the meta FETCH",
                body.messages, body.bytes, meta.messages, meta.bytes
            ));
        }
        Ok(Reference { body, meta })
    }

    fn get(&self, which: Which) -> Counts {
        match which {
            Which::Body => self.body,
            Which::Meta => self.meta,
        }
    }
}

// ------------------------------------------------------------------ readers

/// A reader under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runner {
    /// A socket that sends the command and counts the reply's bytes.
    Raw,
    /// `Session::fetch_stream`, one message in memory at a time.
    Stream,
    /// `Session::fetch`, every message collected.
    Collect,
    /// imap-smol's `Session::fetch_stream`, its `Connection` polled on the
    /// reading thread beside the stream: all the client's work on one
    /// thread, as with imap-blocking.
    SmolStream,
    /// The same with the `Connection` spawned on smol's executor (its own
    /// thread), as an application runs it.
    SmolSpawned,
    /// `imap_core::Decoder`, the recorded reply pushed whole.
    DecoderWhole,
    /// `imap_core::Decoder`, 64 KiB pushes.
    Decoder64K,
    /// `imap_core::Decoder`, 4 KiB pushes.
    Decoder4K,
}

impl Runner {
    const ALL: [Runner; 8] = [
        Runner::Raw,
        Runner::Stream,
        Runner::Collect,
        Runner::SmolStream,
        Runner::SmolSpawned,
        Runner::DecoderWhole,
        Runner::Decoder64K,
        Runner::Decoder4K,
    ];

    fn key(self) -> &'static str {
        match self {
            Runner::Raw => "raw",
            Runner::Stream => "stream",
            Runner::Collect => "collect",
            Runner::SmolStream => "smol-stream",
            Runner::SmolSpawned => "smol-spawned",
            Runner::DecoderWhole => "decoder-whole",
            Runner::Decoder64K => "decoder-64k",
            Runner::Decoder4K => "decoder-4k",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Runner::Raw => "raw socket drain",
            Runner::Stream => "imap-blocking fetch_stream",
            Runner::Collect => "imap-blocking fetch, collected",
            Runner::SmolStream => "imap-smol fetch_stream, one thread",
            Runner::SmolSpawned => "imap-smol fetch_stream, connection spawned",
            Runner::DecoderWhole => "Decoder, one push",
            Runner::Decoder64K => "Decoder, 64 KiB pushes",
            Runner::Decoder4K => "Decoder, 4 KiB pushes",
        }
    }

    /// The push size of a Decoder row (`None` for one push).
    fn chunk(self) -> Option<Option<usize>> {
        match self {
            Runner::DecoderWhole => Some(None),
            Runner::Decoder64K => Some(Some(64 * 1024)),
            Runner::Decoder4K => Some(Some(4 * 1024)),
            _ => None,
        }
    }
}

/// The raw socket: sends a command and reads into a 64 KiB buffer until
/// its tagged line, counting bytes; no parsing. The line is found by
/// looking at the last bytes of each read that ends a line.
struct RawConnection {
    sock: TcpStream,
    buf: Vec<u8>,
    commands: u32,
}

impl RawConnection {
    /// Connects, reads the greeting, logs in and EXAMINEs (untimed).
    fn open(addr: SocketAddr) -> Result<RawConnection, String> {
        let sock = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
        sock.set_nodelay(true).map_err(|e| e.to_string())?;
        sock.set_read_timeout(Some(Duration::from_secs(120))).map_err(|e| e.to_string())?;
        let mut raw = RawConnection { sock, buf: vec![0; 64 * 1024], commands: 0 };
        raw.drain(b"*")?;
        raw.command("LOGIN \"alice\" \"secret\"")?;
        raw.command("EXAMINE bench")?;
        Ok(raw)
    }

    /// Sends `tag command`; returns the bytes of the reply and the tag.
    fn command(&mut self, command: &str) -> Result<(usize, String), String> {
        use std::io::Write as _;
        self.commands += 1;
        let tag = format!("raw{}", self.commands);
        self.sock.write_all(format!("{tag} {command}\r\n").as_bytes()).map_err(|e| format!("write: {e}"))?;
        Ok((self.drain(tag.as_bytes())?, tag))
    }

    /// Reads until a line that starts with `tag` and a space ends a read.
    #[inline(never)]
    fn drain(&mut self, tag: &[u8]) -> Result<usize, String> {
        use std::io::Read as _;
        let mut watch = TagWatch::new(tag);
        let mut total = 0;
        loop {
            let n = match self.sock.read(&mut self.buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("read: {e}")),
            };
            if n == 0 {
                return Err("the server closed the connection".into());
            }
            total += n;
            if watch.ends_reply(&self.buf[..n]) {
                return Ok(total);
            }
        }
    }
}

/// Tells whether a read ends with the tagged line, looking only at the end
/// of each read: the last line start, found backwards, and the first bytes
/// of a line that began in an earlier read.
struct TagWatch<'a> {
    tag: &'a [u8],
    /// The first bytes of the line still open at the end of the last read.
    head: [u8; TagWatch::HEAD],
    head_len: usize,
}

impl<'a> TagWatch<'a> {
    const HEAD: usize = 32;

    fn new(tag: &'a [u8]) -> Self {
        assert!(tag.len() < Self::HEAD);
        TagWatch { tag, head: [0; Self::HEAD], head_len: 0 }
    }

    /// Whether `chunk`, the next read, ends with the tagged line.
    fn ends_reply(&mut self, chunk: &[u8]) -> bool {
        let Some(&last) = chunk.last() else { return false };
        let ends_line = last == b'\n';
        let last_lf = chunk[..chunk.len() - usize::from(ends_line)].iter().rposition(|&b| b == b'\n');
        let open = match last_lf {
            Some(i) => {
                self.head_len = 0;
                &chunk[i + 1..]
            }
            None => chunk,
        };
        let take = (Self::HEAD - self.head_len).min(open.len());
        self.head[self.head_len..self.head_len + take].copy_from_slice(&open[..take]);
        self.head_len += take;
        if !ends_line {
            return false;
        }
        let line = &self.head[..self.head_len];
        self.head_len = 0;
        line.starts_with(self.tag) && line.get(self.tag.len()) == Some(&b' ')
    }
}

/// imap-blocking: connects, logs in and EXAMINEs (untimed).
fn client_open(addr: SocketAddr, no_trace: bool) -> Result<Session, String> {
    let mut engine = ClientConfig::default();
    if no_trace {
        engine.trace_lines = 0;
    }
    let mut session = ConnectOptions::new(addr.ip().to_string())
        .engine(engine)
        .port(addr.port())
        .security(Security::Plain)
        .response_timeout(Duration::from_secs(120))
        .connect()
        .map_err(|e| format!("connect: {e}"))?;
    session.login("alice", "secret").map_err(|e| format!("login: {e}"))?;
    session.examine("bench").map_err(|e| format!("examine: {e}"))?;
    Ok(session)
}

/// `Session::fetch_stream`: each message counted as it arrives, then dropped.
#[inline(never)]
fn client_stream(session: &mut Session, which: Which) -> Result<Seen, String> {
    let mut seen = Seen::zero();
    for f in session.fetch_stream(1.., &which.attrs()).map_err(|e| format!("fetch_stream: {e}"))? {
        seen.count(which, &f.map_err(|e| format!("fetch_stream: {e}"))?);
    }
    Ok(seen)
}

/// `Session::fetch`: every message collected, then counted and dropped
/// (the drop is timed too: an application frees what it fetched).
#[inline(never)]
fn client_collect(session: &mut Session, which: Which) -> Result<Seen, String> {
    let fetched = session.fetch(1.., &which.attrs()).map_err(|e| format!("fetch: {e}"))?;
    let mut seen = Seen::zero();
    for f in &fetched {
        seen.count(which, f);
    }
    Ok(seen)
}

/// An imap-smol session; with its `Connection` when that is driven by
/// [`SmolClient::block_on`] on the reading thread, without when it was
/// spawned.
struct SmolClient {
    session: imap_smol::Session,
    connection: Option<imap_smol::Connection>,
}

impl SmolClient {
    /// Connects, logs in and EXAMINEs (untimed); `spawned`: the connection
    /// runs on smol's executor thread.
    fn open(addr: SocketAddr, no_trace: bool, spawned: bool) -> Result<SmolClient, String> {
        let mut engine = ClientConfig::default();
        if no_trace {
            engine.trace_lines = 0;
        }
        let options = ConnectOptions::new(addr.ip().to_string())
            .engine(engine)
            .port(addr.port())
            .security(Security::Plain)
            .response_timeout(Duration::from_secs(120));
        let (session, connection) =
            smol::block_on(imap_smol::connect(options)).map_err(|e| format!("connect: {e}"))?;
        let connection = match spawned {
            true => {
                smol::spawn(connection).detach();
                None
            }
            false => Some(connection),
        };
        let mut client = SmolClient { session, connection };
        let mut s = client.session.clone();
        client.block_on(async move {
            s.login("alice", "secret").await.map_err(|e| format!("login: {e}"))?;
            s.examine("bench").await.map_err(|e| format!("examine: {e}"))?;
            Ok(())
        })?;
        Ok(client)
    }

    /// Runs `task` on this thread, the connection polled beside it unless
    /// it was spawned.
    fn block_on<T>(
        &mut self,
        task: impl std::future::Future<Output = Result<T, String>>,
    ) -> Result<T, String> {
        let Some(connection) = self.connection.as_mut() else { return smol::block_on(task) };
        let ended = async {
            Err(match connection.await {
                Ok(()) => "the connection ended".to_owned(),
                Err(e) => format!("connection: {e}"),
            })
        };
        smol::block_on(task.or(ended))
    }

    /// LOGOUT (untimed); the connection ends with it.
    fn close(self) -> Result<(), String> {
        let logout = self.session.logout();
        let done = match self.connection {
            Some(connection) => {
                let (logout, ended) = smol::block_on(smol::future::zip(logout, connection));
                logout.and(ended)
            }
            None => smol::block_on(logout),
        };
        done.map_err(|e| format!("logout: {e}"))
    }
}

/// imap-smol's `Session::fetch_stream`: each message counted as it
/// arrives, then dropped.
#[inline(never)]
fn smol_stream(client: &mut SmolClient, which: Which) -> Result<Seen, String> {
    let session = client.session.clone();
    client.block_on(async move {
        let mut seen = Seen::zero();
        let mut stream = session.fetch_stream(1.., &which.attrs());
        while let Some(f) = stream.next().await {
            seen.count(which, &f.map_err(|e| format!("fetch_stream: {e}"))?);
        }
        Ok(seen)
    })
}

/// `imap_core::Decoder` on the recorded reply, pushed whole or in `chunk`s.
#[inline(never)]
fn decode(input: &[u8], chunk: Option<usize>, which: Which) -> Result<Seen, String> {
    let mut decoder = Decoder::default();
    let mut seen = Seen::zero();
    for piece in input.chunks(chunk.unwrap_or(input.len()).max(1)) {
        decoder.push(piece);
        while let Some(response) = decoder.next_response() {
            if let Response::Data(Data::Fetch(f)) = response.map_err(|e| format!("Decoder: {e}"))? {
                seen.count(which, &f);
            }
        }
    }
    if decoder.framer().is_mid_response() {
        return Err("Decoder: the reply ends inside a response".into());
    }
    Ok(seen)
}

// ------------------------------------------------------------------- timing

/// One timed read of one reply.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    wall: Duration,
    /// CPU time of the client's threads (user and system): see [`Usage`].
    cpu: Option<Duration>,
    /// Minor page faults of the client's threads.
    faults: Option<u64>,
}

/// One round of one reader: a sample per reply asked for.
#[derive(Debug, Clone, Default)]
struct RoundSample {
    body: Option<Sample>,
    meta: Option<Sample>,
}

impl RoundSample {
    fn get(&self, which: Which) -> Option<Sample> {
        match which {
            Which::Body => self.body,
            Which::Meta => self.meta,
        }
    }
}

/// The client's CPU time and minor faults so far, from /proc: those of
/// every thread of the process but the replay server's (`replay-accept`,
/// `replay-conn`).
/// For the raw drain and imap-blocking that is the reading thread (the
/// others idle); for imap-smol with a spawned connection it adds smol's
/// executor thread, which does the reading there.
#[derive(Debug, Clone, Copy)]
struct Usage {
    cpu: Option<Duration>,
    faults: Option<u64>,
}

impl Usage {
    fn now() -> Usage {
        // The kernel brings a running thread's CPU time up to date only at
        // a tick or a trip through the scheduler: make one, so the figure
        // is exact rather than rounded to a tick. (The other client threads
        // are asleep by now: their figures are current.)
        std::thread::yield_now();
        let mut usage = Usage { cpu: Some(Duration::ZERO), faults: Some(0) };
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return Usage { cpu: None, faults: None };
        };
        for task in tasks.flatten() {
            let dir = task.path();
            let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
            if matches!(name.trim_end(), "replay-accept" | "replay-conn") {
                continue;
            }
            let cpu = std::fs::read_to_string(dir.join("schedstat"))
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse().ok())
                .map(Duration::from_nanos);
            // Field 10 of stat is minflt; the name in field 2 may hold spaces.
            let faults = std::fs::read_to_string(dir.join("stat"))
                .ok()
                .and_then(|s| s.rsplit_once(')')?.1.split_whitespace().nth(7)?.parse::<u64>().ok());
            usage.cpu = usage.cpu.zip(cpu).map(|(a, b)| a + b);
            usage.faults = usage.faults.zip(faults).map(|(a, b)| a + b);
        }
        usage
    }

    fn since(self, start: Usage, runs: u32) -> (Option<Duration>, Option<u64>) {
        (
            self.cpu.zip(start.cpu).map(|(a, b)| a.saturating_sub(b) / runs),
            self.faults.zip(start.faults).map(|(a, b)| a.saturating_sub(b) / u64::from(runs)),
        )
    }
}

struct Context<'a> {
    addr: SocketAddr,
    recording: &'a Recording,
    reference: &'a Reference,
    options: &'a Options,
}

impl Context<'_> {
    /// One round of `runner`: connects (untimed), times each reply, checks
    /// every run's counts.
    fn round(&self, runner: Runner, replies: &[Which]) -> Result<RoundSample, String> {
        let mut raw = None;
        let mut session = None;
        let mut smol = None;
        match runner {
            Runner::Raw => raw = Some(RawConnection::open(self.addr)?),
            Runner::Stream | Runner::Collect => {
                session = Some(client_open(self.addr, self.options.no_trace)?)
            }
            Runner::SmolStream | Runner::SmolSpawned => {
                let spawned = runner == Runner::SmolSpawned;
                smol = Some(SmolClient::open(self.addr, self.options.no_trace, spawned)?)
            }
            _ => {}
        }
        let mut out = RoundSample::default();
        for &which in replies {
            let mut once = || -> Result<Seen, String> {
                match runner {
                    Runner::Raw => {
                        let raw = raw.as_mut().ok_or("no connection")?;
                        let (bytes, tag) = raw.command(which.command())?;
                        // As if the reply carried the recorded tag.
                        let reply = self.recording.reply(which.kind()).ok_or("incomplete recording")?;
                        let bytes = bytes + reply.tag().len() - tag.len();
                        Ok(Seen { messages: None, bytes: bytes as u64 })
                    }
                    Runner::Stream => client_stream(session.as_mut().ok_or("no session")?, which),
                    Runner::Collect => client_collect(session.as_mut().ok_or("no session")?, which),
                    Runner::SmolStream | Runner::SmolSpawned => {
                        smol_stream(smol.as_mut().ok_or("no session")?, which)
                    }
                    _ => {
                        let reply = self.recording.reply(which.kind()).ok_or("incomplete recording")?;
                        decode(reply.bytes(), runner.chunk().flatten(), which)
                    }
                }
            };
            let start_usage = Usage::now();
            let start = Instant::now();
            let mut runs = 0u32;
            loop {
                let seen = once()?;
                runs += 1;
                self.check(runner, which, seen)?;
                if which == Which::Body || start.elapsed() >= META_SLICE {
                    break;
                }
            }
            let wall = start.elapsed() / runs;
            let (cpu, faults) = Usage::now().since(start_usage, runs);
            let sample = Sample { wall, cpu, faults };
            match which {
                Which::Body => out.body = Some(sample),
                Which::Meta => out.meta = Some(sample),
            }
        }
        if let Some(client) = smol {
            client.close()?;
        }
        Ok(out)
    }

    fn check(&self, runner: Runner, which: Which, seen: Seen) -> Result<(), String> {
        let want = self.reference.get(which);
        let ok = match seen.messages {
            Some(n) => n == want.messages && seen.bytes == want.bytes,
            None => seen.bytes == want.wire as u64,
        };
        if ok {
            return Ok(());
        }
        Err(format!(
            "{} read {:?} messages and {} bytes of the {} reply; the recording has {} messages and {} bytes \
             ({} bytes on the wire)",
            runner.name(),
            seen.messages,
            seen.bytes,
            which.label(),
            want.messages,
            want.bytes,
            want.wire
        ))
    }
}

// ------------------------------------------------------------------- report

fn median<T: Ord + Copy>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

fn print_report(ctx: &Context<'_>, samples: &[Vec<RoundSample>]) {
    let reference = ctx.reference;
    let options = ctx.options;
    println!(
        "Replay of {} ({} messages; full-body reply {:.1} MB, meta reply {:.2} MB), {} rounds, medians",
        options.mailbox,
        reference.body.messages,
        reference.body.wire as f64 / 1e6,
        reference.meta.wire as f64 / 1e6,
        options.rounds
    );
    if let Some(line) = ctx.recording.manifest.lines().find(|l| l.starts_with("server")) {
        println!("recorded from {}", line.trim_start_matches("server "));
    }
    if let Some(cpu) = cpu_model() {
        println!("CPU: {cpu}");
    }
    match options.pin {
        Some((r, s)) => println!("reading thread pinned to CPU {r}, server threads to CPU {s}"),
        None => println!("threads not pinned"),
    }
    println!();
    println!("| reader | reply | ms median | ms min | MB/s | ÷ raw drain | CPU ms | CPU ÷ raw drain | minor faults |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let raw_index = options.runners.iter().position(|&r| r == Runner::Raw);
    let wall_of = |i: usize, which: Which| -> Option<Duration> {
        let v: Vec<Duration> = samples[i].iter().filter_map(|s| s.get(which)).map(|s| s.wall).collect();
        (!v.is_empty()).then(|| median(v))
    };
    let cpu_of = |i: usize, which: Which| -> Option<Duration> {
        let v: Vec<Duration> = samples[i].iter().filter_map(|s| s.get(which)?.cpu).collect();
        (!v.is_empty()).then(|| median(v))
    };
    let over = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    // Against the raw drain round by round (the two ran close in time),
    // then the median of those ratios: steadier than a ratio of medians.
    let paired = |i: usize, which: Which, field: fn(&Sample) -> Option<Duration>| -> Option<f64> {
        let raw = &samples[raw_index?];
        let mut r: Vec<f64> = samples[i]
            .iter()
            .zip(raw)
            .filter_map(|(s, r)| Some(over(field(&s.get(which)?)?, field(&r.get(which)?)?)))
            .collect();
        r.sort_by(f64::total_cmp);
        r.get(r.len() / 2).copied()
    };
    let times = |r: Option<f64>| r.map_or("–".into(), |r| format!("{r:.2}×"));
    let mut ratios = Vec::new();
    for &which in &options.replies {
        for (i, &runner) in options.runners.iter().enumerate() {
            let Some(wall) = wall_of(i, which) else { continue };
            let cpu = cpu_of(i, which);
            let min = samples[i].iter().filter_map(|s| s.get(which)).map(|s| s.wall).min().unwrap_or(wall);
            let faults: Vec<u64> = samples[i].iter().filter_map(|s| s.get(which)?.faults).collect();
            let mb_s = reference.get(which).wire as f64 / wall.as_secs_f64() / 1e6;
            let wall_ratio = paired(i, which, |s| Some(s.wall));
            let cpu_ratio = paired(i, which, |s| s.cpu);
            ratios.push(Ratio { runner, which, wall, wall_ratio, cpu_ratio });
            println!(
                "| {} | {} | {} | {} | {:.0} | {} | {} | {} | {} |",
                runner.name(),
                which.label(),
                ms(wall),
                ms(min),
                mb_s,
                times(wall_ratio),
                cpu.map_or("–".into(), ms),
                times(cpu_ratio),
                if faults.is_empty() { "–".into() } else { median(faults).to_string() },
            );
        }
    }
    println!();
    println!("MB/s: reply bytes (10^6) per second of wall time. ÷ raw drain: the median over rounds of");
    println!("the time over the raw drain's in the same round. CPU ms, minor faults: of the client's");
    println!("threads only (the reading thread, and smol's executor thread for a spawned connection;");
    println!("not the server's), per read.");
    let find = |runner: Runner, which: Which| ratios.iter().find(|r| r.runner == runner && r.which == which);
    for runner in [Runner::Stream, Runner::SmolStream, Runner::SmolSpawned] {
        let Some(r) = find(runner, Which::Body) else { continue };
        let verdict = |ratio: Option<f64>| match ratio {
            Some(x) if x <= 1.05 => format!("{x:.2}× — met"),
            Some(x) => format!("{x:.2}× — MISSED"),
            None => "–".into(),
        };
        println!();
        println!("Target: {} of the full bodies within 1.05× of the raw drain:", runner.name());
        println!("- wall time: {}", verdict(r.wall_ratio));
        println!("- CPU time of the client's threads: {}", verdict(r.cpu_ratio));
        let body_cpu = |runner: Runner| {
            let i = options.runners.iter().position(|&x| x == runner)?;
            cpu_of(i, Which::Body)
        };
        if let (Some(client), Some(raw)) = (body_cpu(runner), body_cpu(Runner::Raw)) {
            println!(
                "- the client's CPU beyond the raw drain: {} ms per body FETCH (the raw drain's own: {} ms)",
                ms(client.saturating_sub(raw)),
                ms(raw)
            );
        }
    }
    for which in [Which::Body, Which::Meta] {
        if let Some(whole) = find(Runner::DecoderWhole, which) {
            let parts: Vec<String> = [Runner::Decoder64K, Runner::Decoder4K]
                .into_iter()
                .filter_map(|r| find(r, which))
                .map(|r| format!("{} {:.2}×", r.runner.name(), over(r.wall, whole.wall)))
                .collect();
            if !parts.is_empty() {
                println!("Decoder on the {} reply, time over one push: {}", which.label(), parts.join(", "));
            }
        }
    }
}

/// A row's figures against the raw drain.
struct Ratio {
    runner: Runner,
    which: Which,
    wall: Duration,
    wall_ratio: Option<f64>,
    cpu_ratio: Option<f64>,
}

fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1e3;
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// `some avg10` of /proc/pressure/cpu: the share of the last 10 s in which
/// some runnable task waited for a CPU.
fn cpu_pressure() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/pressure/cpu").ok()?;
    let some = text.lines().find(|l| l.starts_with("some"))?;
    some.split_whitespace().find_map(|f| f.strip_prefix("avg10="))?.parse().ok()
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tagged line is found however the reads split the reply, and
    /// only there.
    #[test]
    fn the_raw_drain_stops_at_the_tagged_line() {
        let reply = b"* 1 FETCH (BODY[] {11}\r\nraw3 OK x\r\n)\r\n* 2 FETCH (FLAGS ())\r\nraw3 OK Fetch completed.\r\n";
        for split in 1..reply.len() {
            let mut watch = TagWatch::new(b"raw3");
            let chunks: Vec<&[u8]> = reply.chunks(split).collect();
            let ends: Vec<bool> = chunks.iter().map(|c| watch.ends_reply(c)).collect();
            // The literal's "raw3 OK" line ends a read only when the split
            // falls right after it: a raw drain cannot tell, which is why
            // its byte count is checked.
            let literal_end = 35;
            for (i, &end) in ends.iter().enumerate() {
                let at = (i + 1) * split;
                let want = at >= reply.len() || (at == literal_end);
                assert_eq!(end, want, "split {split}, read {i} ending at {at}");
            }
        }
        let mut watch = TagWatch::new(b"raw3");
        assert!(!watch.ends_reply(b"raw31 OK\r\n"));
        assert!(watch.ends_reply(b"raw3 OK\r\n"));
    }
}
