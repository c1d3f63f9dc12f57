//! The scripted server: listens on `127.0.0.1:0` and plays a [`Script`] on
//! every connection, each on its own thread.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::script::{escape, Script, Step, StepKind, Vars};
use crate::wire::{Fill, Wire};

/// How long a step waits for the client (a line, bytes, a handshake, the
/// close at the end) before the scenario fails.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(5);

/// Lines of the exchange kept for failure messages.
const TRANSCRIPT_LINES: usize = 24;

/// A running scripted server.
///
/// ```
/// use std::io::{BufRead, BufReader, Write};
/// use imap_conformance::{Script, ScriptServer};
///
/// let script = Script::parse("doc", "S: * OK hi\nC: {t} NOOP\nS: {t} OK done\n")?;
/// let server = ScriptServer::start(script)?;
/// let mut tcp = std::net::TcpStream::connect(("127.0.0.1", server.port()))?;
/// let mut lines = BufReader::new(tcp.try_clone()?);
/// let mut line = String::new();
/// lines.read_line(&mut line)?;
/// assert_eq!(line, "* OK hi\r\n");
/// tcp.write_all(b"x1 NOOP\r\n")?;
/// line.clear();
/// lines.read_line(&mut line)?;
/// assert_eq!(line, "x1 OK done\r\n");
/// drop((tcp, lines));
/// server.finish()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ScriptServer {
    name: String,
    port: u16,
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
    acceptor: JoinHandle<Vec<JoinHandle<Result<(), Failure>>>>,
}

impl ScriptServer {
    /// Binds `127.0.0.1:0` and serves `script` to every client that
    /// connects until [`finish`](Self::finish).
    pub fn start(script: Script) -> io::Result<ScriptServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let name = script.name().to_owned();
        let acceptor = {
            let (stop, accepted, script) = (stop.clone(), accepted.clone(), Arc::new(script));
            thread::Builder::new()
                .name(format!("imap-conformance {name}"))
                .spawn(move || accept(listener, script, stop, accepted))?
        };
        Ok(ScriptServer { name, port, stop, accepted, acceptor })
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Waits (up to [`STEP_TIMEOUT`]) for a first client, stops accepting,
    /// waits for every connection's script to end, and says how it went.
    pub fn finish(self) -> Result<(), Failure> {
        self.finish_within(STEP_TIMEOUT)
    }

    /// [`finish`](Self::finish), waiting up to `first_client` for a client.
    pub fn finish_within(self, first_client: Duration) -> Result<(), Failure> {
        let deadline = Instant::now() + first_client;
        while self.accepted.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
        self.stop.store(true, Ordering::SeqCst);
        let connections =
            self.acceptor.join().map_err(|_| Failure::new(&self.name, "the acceptor panicked"))?;
        if connections.is_empty() {
            return Err(Failure::new(&self.name, format!("no client connected within {first_client:?}")));
        }
        let mut failures = Vec::new();
        for (i, connection) in connections.into_iter().enumerate() {
            match connection.join() {
                Ok(Ok(())) => {}
                Ok(Err(f)) if i == 0 => failures.push(f.message),
                Ok(Err(f)) => failures.push(format!("connection {}: {}", i + 1, f.message)),
                Err(_) => failures.push(format!("connection {}: the server thread panicked", i + 1)),
            }
        }
        match failures.is_empty() {
            true => Ok(()),
            false => Err(Failure::new(&self.name, failures.join("\n"))),
        }
    }
}

fn accept(
    listener: TcpListener,
    script: Arc<Script>,
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicUsize>,
) -> Vec<JoinHandle<Result<(), Failure>>> {
    let mut connections = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((tcp, _)) => {
                let n = accepted.fetch_add(1, Ordering::SeqCst) + 1;
                let for_thread = script.clone();
                let spawned = thread::Builder::new()
                    .name(format!("imap-conformance {} #{n}", script.name()))
                    .spawn(move || serve(&for_thread, tcp));
                match spawned {
                    Ok(handle) => connections.push(handle),
                    Err(e) => {
                        let failed = Failure::new(script.name(), format!("cannot spawn: {e}"));
                        connections.push(thread::spawn(move || Err(failed)));
                    }
                }
            }
            // Nobody yet (the listener does not block, so `stop` is seen),
            // or a connection that failed before it was accepted.
            Err(_) => thread::sleep(Duration::from_millis(2)),
        }
    }
    connections
}

/// Plays the script on one connection.
fn serve(script: &Script, tcp: TcpStream) -> Result<(), Failure> {
    let wire = Wire::new(tcp, STEP_TIMEOUT).map_err(|e| Failure::new(script.name(), e.to_string()))?;
    let mut player = Player { wire, vars: Vars::new(), transcript: Transcript::default() };
    for step in &script.steps {
        player.step(step).map_err(|why| player.failure(script, Some(step), why))?;
        if matches!(step.kind, StepKind::Close) {
            return Ok(());
        }
    }
    player.await_close().map_err(|why| player.failure(script, None, why))
}

struct Player {
    wire: Wire,
    vars: Vars,
    transcript: Transcript,
}

impl Player {
    fn step(&mut self, step: &Step) -> Result<(), String> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        match &step.kind {
            StepKind::Send(template) => {
                let bytes = template.render(&self.vars);
                self.transcript.push("S", &bytes);
                self.wire.send(&bytes).map_err(|e| format!("cannot send: {e}"))
            }
            StepKind::ExpectLine(pattern) => {
                let line = self.line(deadline, pattern)?;
                if pattern.matches(&line, &mut self.vars) {
                    return Ok(());
                }
                Err(format!(
                    "expected the line `{}`\n  the client sent `{}`",
                    escape(&pattern.describe(&self.vars)),
                    escape(&line)
                ))
            }
            StepKind::ExpectBytes(pattern) => {
                let want = pattern.describe(&self.vars);
                let got = self.bytes(want.len(), deadline, &want)?;
                if pattern.matches(&got, &mut self.vars) {
                    return Ok(());
                }
                Err(format!("expected the bytes `{}`\n  the client sent `{}`", escape(&want), escape(&got)))
            }
            StepKind::Pause(d) => {
                std::thread::sleep(*d);
                Ok(())
            }
            StepKind::Tls => {
                if !self.wire.input.is_empty() {
                    let early = escape(&self.wire.input);
                    return Err(format!("the client sent `{early}` before the TLS handshake"));
                }
                self.transcript.note("(TLS handshake)");
                self.wire.start_tls(STEP_TIMEOUT).map_err(|e| format!("the TLS handshake failed: {e}"))
            }
            StepKind::Deflate => {
                self.transcript.note("(DEFLATE from here on)");
                self.wire.start_deflate().map_err(|e| e.to_string())
            }
            StepKind::Close => {
                self.transcript.note("(server closes)");
                self.wire.close(deadline);
                Ok(())
            }
        }
    }

    /// The next CRLF-terminated line (CRLF removed).
    fn line(&mut self, deadline: Instant, expected: &crate::script::Template) -> Result<Vec<u8>, String> {
        let expected = format!("the line `{}`", escape(&expected.describe(&self.vars)));
        loop {
            if let Some(end) = self.wire.input.windows(2).position(|w| w == b"\r\n") {
                let line: Vec<u8> = self.wire.input.drain(..end + 2).take(end).collect();
                self.transcript.push("C", &line);
                return Ok(line);
            }
            self.fill(deadline, &expected)?;
        }
    }

    /// Exactly `n` bytes.
    fn bytes(&mut self, n: usize, deadline: Instant, expected: &[u8]) -> Result<Vec<u8>, String> {
        let expected = format!("the bytes `{}`", escape(expected));
        while self.wire.input.len() < n {
            self.fill(deadline, &expected)?;
        }
        let bytes: Vec<u8> = self.wire.input.drain(..n).collect();
        self.transcript.push("C", &bytes);
        Ok(bytes)
    }

    /// Reads once more; a failure says what was `expected`.
    fn fill(&mut self, deadline: Instant, expected: &str) -> Result<(), String> {
        let why = match self.wire.fill(deadline) {
            Ok(Fill::Data) => return Ok(()),
            Ok(Fill::Eof) => "the client closed the connection".to_owned(),
            Ok(Fill::TimedOut) => format!("the client sent nothing more within {STEP_TIMEOUT:?}"),
            Err(e) => format!("reading failed: {e}"),
        };
        let partial = match self.wire.input.is_empty() {
            true => String::new(),
            false => format!(" (it sent `{}` so far)", escape(&self.wire.input)),
        };
        Err(format!("expected {expected}\n  {why}{partial}"))
    }

    /// The end of the script: the client must close without sending more.
    fn await_close(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            if !self.wire.input.is_empty() {
                let extra = escape(&self.wire.input);
                return Err(format!("the script is over, but the client sent `{extra}`"));
            }
            match self.wire.fill(deadline) {
                Ok(Fill::Data) => {}
                Ok(Fill::Eof) => return Ok(()),
                Ok(Fill::TimedOut) => {
                    return Err(format!(
                    "the script is over, but the client did not close the connection within {STEP_TIMEOUT:?}"
                ))
                }
                Err(e) => return Err(format!("the script is over; reading failed: {e}")),
            }
        }
    }

    fn failure(&self, script: &Script, step: Option<&Step>, why: String) -> Failure {
        let place = match step {
            Some(step) => format!("{} `{}`", step.at, step.source.replace('\n', " / ")),
            None => "after the last step".to_owned(),
        };
        let message = format!("{place}:\n  {why}\n  the exchange so far:\n{}", self.transcript);
        Failure::new(script.name(), message)
    }
}

/// The last lines exchanged, for failure messages.
#[derive(Default)]
struct Transcript(VecDeque<String>);

impl Transcript {
    fn push(&mut self, who: &str, bytes: &[u8]) {
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            self.note(format!("{who}: {}", escape(line)));
        }
    }

    fn note(&mut self, text: impl Into<String>) {
        if self.0.len() == TRANSCRIPT_LINES {
            self.0.pop_front();
        }
        self.0.push_back(text.into());
    }
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.0 {
            writeln!(f, "    {line}")?;
        }
        Ok(())
    }
}

/// Why a scenario failed on the server's side: the step, what was expected,
/// what came, and the last lines exchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The scenario.
    pub scenario: String,
    /// What went wrong, over several lines.
    pub message: String,
}

impl Failure {
    fn new(scenario: &str, message: impl Into<String>) -> Self {
        Failure { scenario: scenario.to_owned(), message: message.into() }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "scenario {}: {}", self.scenario, self.message)
    }
}

impl std::error::Error for Failure {}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};

    use super::*;

    fn connect(server: &ScriptServer) -> (TcpStream, BufReader<TcpStream>) {
        let tcp = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        let reader = BufReader::new(tcp.try_clone().unwrap());
        (tcp, reader)
    }

    fn read_line(reader: &mut BufReader<TcpStream>) -> String {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        line
    }

    #[test]
    fn a_wrong_line_names_the_step_and_both_sides() {
        let script = Script::parse("t", "S: * OK hi\nC: {t} LOGIN alice \"secret\"\nS: {t} OK\n").unwrap();
        let server = ScriptServer::start(script).unwrap();
        let (mut tcp, mut reader) = connect(&server);
        assert_eq!(read_line(&mut reader), "* OK hi\r\n");
        tcp.write_all(b"a1 LOGIN alice secret\r\n").unwrap();
        let err = server.finish().unwrap_err().to_string();
        assert!(err.starts_with("scenario t: t:2 `C: {t} LOGIN alice \"secret\"`:"), "{err}");
        assert!(err.contains("expected the line `{t} LOGIN alice \"secret\"`"), "{err}");
        assert!(err.contains("the client sent `a1 LOGIN alice secret`"), "{err}");
        assert!(err.contains("S: * OK hi\\r\\n"), "the transcript: {err}");
    }

    #[test]
    fn bytes_after_the_script_and_early_close_fail() {
        let script = Script::parse("t", "S: * OK hi\nC: {t} NOOP\nS: {t} OK\n").unwrap();
        let server = ScriptServer::start(script).unwrap();
        let (mut tcp, mut reader) = connect(&server);
        read_line(&mut reader);
        tcp.write_all(b"a1 NOOP\r\na2 NOOP\r\n").unwrap();
        assert_eq!(read_line(&mut reader), "a1 OK\r\n");
        drop((tcp, reader));
        let err = server.finish().unwrap_err().to_string();
        assert!(err.contains("the script is over, but the client sent `a2 NOOP\\r\\n`"), "{err}");

        let script = Script::parse("t", "S: * OK hi\nC: {t} NOOP\n").unwrap();
        let server = ScriptServer::start(script).unwrap();
        let (tcp, reader) = connect(&server);
        drop((tcp, reader));
        let err = server.finish().unwrap_err().to_string();
        assert!(err.contains("the client closed the connection"), "{err}");
    }

    #[test]
    fn exact_bytes_after_a_captured_line() {
        let script =
            Script::parse("t", "S: * OK hi\nC: {t} X {3}\nCB: \\x00\\x01\\x02\nS: {t} OK\n").unwrap();
        let server = ScriptServer::start(script).unwrap();
        let (mut tcp, mut reader) = connect(&server);
        read_line(&mut reader);
        tcp.write_all(b"q9 X {3}\r\n\x00\x01\x02").unwrap();
        assert_eq!(read_line(&mut reader), "q9 OK\r\n");
        drop((tcp, reader));
        server.finish().unwrap();

        let script = Script::parse("t", "S: * OK hi\nCB: ab\\x00\n").unwrap();
        let server = ScriptServer::start(script).unwrap();
        let (mut tcp, mut reader) = connect(&server);
        read_line(&mut reader);
        tcp.write_all(b"ab\x01").unwrap();
        let err = server.finish().unwrap_err().to_string();
        assert!(err.contains("expected the bytes `ab\\x00`\n  the client sent `ab\\x01`"), "{err}");
    }

    #[test]
    fn no_client_is_a_failure() {
        let server = ScriptServer::start(Script::parse("t", "S: * OK hi\n").unwrap()).unwrap();
        let err = server.finish_within(Duration::from_millis(50)).unwrap_err().to_string();
        assert!(err.contains("no client connected"), "{err}");
    }

    #[test]
    fn close_mid_literal_delivers_what_was_sent() {
        let script = Script::parse("t", "S: * OK hi\nS: * 1 FETCH (BODY[] {10}\nSB: Hel\nCLOSE\n").unwrap();
        let server = ScriptServer::start(script).unwrap();
        let (tcp, mut reader) = connect(&server);
        let mut all = String::new();
        std::io::Read::read_to_string(&mut reader, &mut all).unwrap();
        assert_eq!(all, "* OK hi\r\n* 1 FETCH (BODY[] {10}\r\nHel");
        drop((tcp, reader));
        server.finish().unwrap();
    }
}
