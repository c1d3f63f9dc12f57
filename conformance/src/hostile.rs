//! Servers that misbehave on purpose, on a loopback socket, and a runner
//! for a driver's example program against them: the example must end with
//! a non-zero exit and a clear message, never a panic or a hang, in bounded
//! memory (peak resident memory read from `/proc`, so measured on Linux).
//!
//! ```no_run
//! use imap_conformance::hostile::{self, Hostile};
//! let server = hostile::serve(Hostile::LiteralBomb);
//! let run = hostile::run_example("target/debug/examples/concurrent_fetch", &server, &[]);
//! run.assert_clean_failure(Hostile::LiteralBomb, 100 << 20);
//! ```
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One way of misbehaving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hostile {
    /// Not IMAP at all: an HTTP error page.
    GarbageGreeting,
    /// `* BYE` instead of a greeting.
    ByeGreeting,
    /// A greeting line that never ends.
    EndlessGreeting,
    /// Logs in, then answers the first command after SELECT/EXAMINE and
    /// SEARCH with a line that never ends.
    EndlessLine,
    /// ... with a literal of 99,999,999,999 bytes, streamed without end.
    LiteralBomb,
    /// ... with the start of a literal, then EOF.
    EofMidLiteral,
    /// ... with untagged data nobody asked for, without end, never
    /// completing the command. (Data the command does ask for, without
    /// end, is bounded by `Limits::max_result_len`: see imap-core's
    /// hostile tests.)
    Flood,
    /// ... with data the command asked for (LIST entries, FETCH flags),
    /// without end: bounded by `Limits::max_result_len` (1 GiB by
    /// default), so not in [`Hostile::ALL`] (a debug build takes minutes
    /// to get there).
    EndlessAnswer,
    /// Answers STARTTLS with OK and, in the same packet, a plaintext
    /// response meant to be read as if it came over TLS.
    StartTlsInjection,
}

impl Hostile {
    /// Every case.
    pub const ALL: [Hostile; 8] = [
        Hostile::GarbageGreeting,
        Hostile::ByeGreeting,
        Hostile::EndlessGreeting,
        Hostile::EndlessLine,
        Hostile::LiteralBomb,
        Hostile::EofMidLiteral,
        Hostile::Flood,
        Hostile::StartTlsInjection,
    ];

    /// The `IMAP_SECURITY` the case needs (STARTTLS for the injection).
    pub fn security(self) -> &'static str {
        if self == Hostile::StartTlsInjection {
            "starttls"
        } else {
            "plain"
        }
    }

    /// Words one of which the client's error message must contain.
    pub fn expected_words(self) -> &'static [&'static str] {
        match self {
            Hostile::GarbageGreeting => &["greeting"],
            Hostile::ByeGreeting => &["refused", "BYE", "server full"],
            Hostile::EndlessGreeting => &["greeting"],
            Hostile::EndlessLine | Hostile::LiteralBomb | Hostile::Flood | Hostile::EndlessAnswer => {
                &["no response from the server"]
            }
            Hostile::EofMidLiteral => &["closed the connection"],
            Hostile::StartTlsInjection => &["STARTTLS", "injection", "injected"],
        }
    }
}

/// A hostile server listening on `127.0.0.1`: every connection gets the
/// same misbehaviour. Lives as long as the process (the threads end when
/// the client hangs up).
#[derive(Debug)]
pub struct HostileServer {
    /// The case it plays.
    pub case: Hostile,
    /// Its port.
    pub port: u16,
}

/// Starts a server playing `case`.
pub fn serve(case: Hostile) -> HostileServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("local address").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                // The client hanging up ends the connection: not an error here.
                let _ = play(case, stream);
            });
        }
    });
    HostileServer { case, port }
}

const CAPS: &str = "IMAP4rev1 LITERAL+ IDLE STARTTLS AUTH=PLAIN";

fn play(case: Hostile, stream: TcpStream) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let endless = |out: &mut TcpStream, prefix: &[u8], fill: &[u8]| -> std::io::Result<()> {
        out.write_all(prefix)?;
        let chunk = fill.repeat((64 * 1024) / fill.len().max(1));
        loop {
            out.write_all(&chunk)?;
        }
    };
    match case {
        Hostile::GarbageGreeting => {
            out.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")?;
        }
        Hostile::ByeGreeting => out.write_all(b"* BYE server full, try later\r\n")?,
        Hostile::EndlessGreeting => endless(&mut out, b"* OK ", b"a")?,
        _ => out.write_all(format!("* OK [CAPABILITY {CAPS}] hostile server ready\r\n").as_bytes())?,
    }
    let mut lines = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut words = line.split_whitespace();
        let (Some(tag), Some(command)) = (words.next(), words.next()) else { continue };
        let command = command.to_ascii_uppercase();
        let command =
            if command == "UID" { words.next().unwrap_or_default().to_ascii_uppercase() } else { command };
        match command.as_str() {
            "STARTTLS" if case == Hostile::StartTlsInjection => {
                let reply = format!("{tag} OK begin TLS now\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n");
                out.write_all(reply.as_bytes())?;
            }
            "CAPABILITY" => out.write_all(format!("* CAPABILITY {CAPS}\r\n{tag} OK done\r\n").as_bytes())?,
            "LOGIN" | "AUTHENTICATE" => {
                out.write_all(format!("{tag} OK [CAPABILITY {CAPS}] logged in\r\n").as_bytes())?
            }
            "SELECT" | "EXAMINE" => out.write_all(
                format!("* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 4] ok\r\n{tag} OK [READ-WRITE] done\r\n")
                    .as_bytes(),
            )?,
            "SEARCH" => out.write_all(format!("* SEARCH 1 2 3\r\n{tag} OK done\r\n").as_bytes())?,
            "NOOP" | "ENABLE" | "ID" => out.write_all(format!("{tag} OK done\r\n").as_bytes())?,
            "LOGOUT" => {
                out.write_all(format!("* BYE bye\r\n{tag} OK done\r\n").as_bytes())?;
                return Ok(());
            }
            _ => match case {
                Hostile::EndlessLine => endless(&mut out, b"* OK ", b"a")?,
                Hostile::LiteralBomb => endless(&mut out, b"* 1 FETCH (BODY[] {99999999999}\r\n", b"x")?,
                Hostile::EofMidLiteral => {
                    out.write_all(b"* 1 FETCH (UID 1 ENVELOPE {500}\r\nabc")?;
                    return Ok(());
                }
                // Nothing any command claims: EXISTS and RECENT (the engine
                // keeps the latest), FLAGS and an ALERT (queued for the
                // application, bounded by the driver's backlog).
                Hostile::Flood => {
                    endless(&mut out, b"", b"* 4 EXISTS\r\n* 1 RECENT\r\n* FLAGS (\\Seen $Flood)\r\n* OK [ALERT] flood\r\n")?
                }
                Hostile::EndlessAnswer => endless(&mut out, b"", b"* LIST () \"/\" more\r\n* 1 FETCH (FLAGS (\\Seen))\r\n")?,
                _ => out.write_all(format!("{tag} NO not here\r\n").as_bytes())?,
            },
        }
    }
}

/// The path of an example binary of `package`, built first (once per test
/// process and package) with the calling test's profile. Call from an
/// integration test: the test binary's location says where the target
/// directory is.
pub fn example(package: &str, name: &str) -> std::path::PathBuf {
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    // target/<profile>/deps/<the test> -> target/<profile>
    let exe = std::env::current_exe().expect("the test binary's path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("a target directory").to_path_buf();
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|p| p == package) {
        let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cargo.args(["build", "-q", "-p", package, "--examples"]);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            cargo.arg("--release");
        }
        let status = cargo.status().expect("run cargo");
        assert!(status.success(), "building the examples of {package} failed");
        built.push(package.to_owned());
    }
    profile_dir.join("examples").join(name)
}

/// How an example run against a hostile server ended.
#[derive(Debug)]
pub struct Run {
    /// `None` if it had to be killed (a hang).
    pub code: Option<i32>,
    /// Its standard error.
    pub stderr: String,
    /// Its peak resident memory, in KiB.
    pub max_rss_kib: u64,
    /// How long it ran.
    pub elapsed: Duration,
}

impl Run {
    /// Asserts the run ended on its own, non-zero, without a panic, with
    /// an `error:` line naming the problem, in under `max_rss` bytes.
    pub fn assert_clean_failure(&self, case: Hostile, max_rss: u64) {
        let code = self.code.unwrap_or_else(|| panic!("{case:?}: killed after {:?}: a hang", self.elapsed));
        assert_ne!(code, 0, "{case:?}: exit 0\n{}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "{case:?}: panic\n{}", self.stderr);
        let error = self.stderr.lines().find(|l| l.starts_with("error:")).unwrap_or_else(|| {
            panic!("{case:?}: no `error:` line\n{}", self.stderr);
        });
        let lower = error.to_ascii_lowercase();
        assert!(
            case.expected_words().iter().any(|w| lower.contains(&w.to_ascii_lowercase())),
            "{case:?}: {error:?} names none of {:?}",
            case.expected_words()
        );
        assert!(self.max_rss_kib * 1024 <= max_rss, "{case:?}: peak memory {} KiB", self.max_rss_kib);
    }
}

/// Runs `program` (an example binary) against `server` with the `IMAP_*`
/// settings of a test account, `IMAP_TIMEOUT=2`, and `args`; kills it
/// after 60 s.
pub fn run_example(program: impl AsRef<Path>, server: &HostileServer, args: &[&str]) -> Run {
    let started = Instant::now();
    let mut child = Command::new(program.as_ref())
        .args(args)
        .env("IMAP_HOST", "127.0.0.1")
        .env("IMAP_PORT", server.port.to_string())
        .env("IMAP_USER", "alice")
        .env("IMAP_PASSWORD", "secret")
        .env("IMAP_SECURITY", server.case.security())
        .env("IMAP_TIMEOUT", "2")
        .env_remove("IMAP_CA_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.as_ref().display()));
    let status_file = format!("/proc/{}/status", child.id());
    let mut stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let deadline = started + Duration::from_secs(60);
    let (mut killed, mut max_rss_kib) = (false, 0);
    let status = loop {
        // The high-water mark of resident memory, while the process lives
        // (Linux; elsewhere not measured).
        if let Some(kib) = std::fs::read_to_string(&status_file).ok().as_deref().and_then(high_water_kib) {
            max_rss_kib = max_rss_kib.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait for the example") {
            break status;
        }
        if Instant::now() > deadline && !killed {
            let _ = child.kill();
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let code = if killed { None } else { status.code() };
    Run { code, stderr: reader.join().unwrap_or_default(), max_rss_kib, elapsed: started.elapsed() }
}

/// `VmHWM` of a `/proc/PID/status` text, in KiB.
fn high_water_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
