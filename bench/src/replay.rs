//! Recorded server replies, and a loopback server that plays them back.
//!
//! A [`Recording`] holds the exact bytes a real server sent for one session:
//! the greeting, then the reply to each kind of command ([`Kind`]). The
//! [`ReplayServer`] serves it from memory to any number of clients: it sends
//! the greeting, then answers each command line with the recorded reply for
//! that command's kind, its final tagged line rewritten to carry the
//! client's tag. So a client does all the work of a real session while the
//! server costs no more than its socket writes, the same for every client.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use imap_core::parse::{Frame, Framer};

/// The kinds of command a recording answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// LOGIN (or AUTHENTICATE).
    Login,
    /// EXAMINE (or SELECT).
    Examine,
    /// CAPABILITY.
    Capability,
    /// A FETCH of whole messages: `UID FETCH 1:* (BODY.PEEK[])`.
    FetchBody,
    /// Any other FETCH: `UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)`.
    FetchMeta,
    /// LOGOUT: the server closes the connection after the reply.
    Logout,
}

impl Kind {
    /// Every kind, in the order of a capture session.
    pub const ALL: [Kind; 6] =
        [Kind::Login, Kind::Examine, Kind::Capability, Kind::FetchBody, Kind::FetchMeta, Kind::Logout];

    /// The file the reply is kept in.
    pub fn file_name(self) -> &'static str {
        match self {
            Kind::Login => "login.bin",
            Kind::Examine => "examine.bin",
            Kind::Capability => "capability.bin",
            Kind::FetchBody => "fetch-body.bin",
            Kind::FetchMeta => "fetch-meta.bin",
            Kind::Logout => "logout.bin",
        }
    }

    /// The kind of a command line (`tag SP command ...`), by its command
    /// name; `None` for a command no recording answers.
    pub fn of_command(line: &[u8]) -> Option<Kind> {
        let line = String::from_utf8_lossy(line).to_ascii_uppercase();
        let mut words = line.split_ascii_whitespace().skip(1);
        let mut name = words.next()?;
        if name == "UID" {
            name = words.next()?;
        }
        Some(match name {
            "LOGIN" | "AUTHENTICATE" => Kind::Login,
            "EXAMINE" | "SELECT" => Kind::Examine,
            "CAPABILITY" => Kind::Capability,
            "FETCH" if line.contains("BODY.PEEK[]") || line.contains("BODY[]") => Kind::FetchBody,
            "FETCH" => Kind::FetchMeta,
            "LOGOUT" => Kind::Logout,
            _ => return None,
        })
    }
}

/// A server's whole reply to one command, its tagged completion last.
#[derive(Debug, Clone)]
pub struct Reply {
    bytes: Vec<u8>,
    /// Offset of the final (tagged) line.
    last_line: usize,
    /// Length of the tag at the start of the final line.
    tag_len: usize,
}

impl Reply {
    /// Checks that `bytes` end in a tagged line.
    pub fn new(bytes: Vec<u8>) -> Result<Reply, String> {
        if !bytes.ends_with(b"\n") {
            return Err("the reply does not end with a line end".into());
        }
        let last_line = bytes[..bytes.len() - 1].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let line = &bytes[last_line..];
        let tag_len = line.iter().position(|&b| b == b' ').ok_or("the final line has no tag")?;
        if tag_len == 0 || line[..tag_len] == *b"*" || line[..tag_len] == *b"+" {
            return Err(format!("the final line is not tagged: {:?}", String::from_utf8_lossy(line)));
        }
        Ok(Reply { bytes, last_line, tag_len })
    }

    /// The bytes as recorded.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The tag of the recorded final line.
    pub fn tag(&self) -> &[u8] {
        &self.bytes[self.last_line..self.last_line + self.tag_len]
    }

    /// How many bytes the reply takes when sent with `tag`.
    pub fn len_with_tag(&self, tag: &[u8]) -> usize {
        self.bytes.len() - self.tag_len + tag.len()
    }

    /// The reply with its final line carrying `tag`, as one buffer.
    pub fn with_tag(&self, tag: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len_with_tag(tag));
        out.extend_from_slice(&self.bytes[..self.last_line]);
        out.extend_from_slice(tag);
        out.extend_from_slice(&self.bytes[self.last_line + self.tag_len..]);
        out
    }

    /// Sends the reply with `tag`: everything before the final line in one
    /// large write straight from memory, then the final line.
    pub fn send(&self, to: &mut impl Write, tag: &[u8]) -> io::Result<()> {
        to.write_all(&self.bytes[..self.last_line])?;
        let mut last = Vec::with_capacity(tag.len() + self.bytes.len() - self.last_line);
        last.extend_from_slice(tag);
        last.extend_from_slice(&self.bytes[self.last_line + self.tag_len..]);
        to.write_all(&last)
    }
}

/// One session's server bytes: the greeting and a reply per [`Kind`].
#[derive(Debug, Clone)]
pub struct Recording {
    /// The greeting line(s).
    pub greeting: Vec<u8>,
    /// A short note on where the bytes came from, kept with them.
    pub manifest: String,
    replies: Vec<(Kind, Reply)>,
}

/// The greeting's file.
const GREETING: &str = "greeting.bin";

/// The manifest's file.
const MANIFEST: &str = "manifest.txt";

impl Recording {
    /// A recording of these bytes.
    pub fn new(greeting: Vec<u8>, replies: Vec<(Kind, Reply)>, manifest: String) -> Recording {
        Recording { greeting, manifest, replies }
    }

    /// The reply to a command of this kind, if recorded.
    pub fn reply(&self, kind: Kind) -> Option<&Reply> {
        self.replies.iter().find(|(k, _)| *k == kind).map(|(_, r)| r)
    }

    /// Reads a recording written by [`save`](Self::save).
    pub fn load(dir: &Path) -> Result<Recording, String> {
        let read = |name: &str| {
            std::fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        let greeting = read(GREETING)?;
        let manifest = String::from_utf8_lossy(&read(MANIFEST)?).into_owned();
        let mut replies = Vec::new();
        for kind in Kind::ALL {
            let reply =
                Reply::new(read(kind.file_name())?).map_err(|e| format!("{}: {e}", kind.file_name()))?;
            replies.push((kind, reply));
        }
        Ok(Recording { greeting, manifest, replies })
    }

    /// Writes the recording into `dir`, one file per reply, the manifest
    /// last (a recording without one is incomplete).
    pub fn save(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let _ = std::fs::remove_file(dir.join(MANIFEST));
        std::fs::write(dir.join(GREETING), &self.greeting)?;
        for (kind, reply) in &self.replies {
            std::fs::write(dir.join(kind.file_name()), reply.bytes())?;
        }
        std::fs::write(dir.join(MANIFEST), &self.manifest)
    }
}

/// Records a session with a real server over plain TCP: the greeting, then
/// LOGIN, EXAMINE `mailbox`, CAPABILITY, `UID FETCH 1:* (BODY.PEEK[])`, the
/// meta FETCH and LOGOUT, one command at a time, keeping every byte the
/// server sent. PEEK leaves `\Seen` alone, so the mailbox is unchanged.
pub fn capture(addr: SocketAddr, user: &str, password: &str, mailbox: &str) -> Result<Recording, String> {
    let mut sock = TcpStream::connect(addr).map_err(|e| format!("connect to {addr}: {e}"))?;
    sock.set_nodelay(true).map_err(|e| e.to_string())?;
    sock.set_read_timeout(Some(Duration::from_secs(120))).map_err(|e| e.to_string())?;
    let mut greeting = Vec::new();
    while !greeting.ends_with(b"\n") {
        let mut byte = [0u8];
        match sock.read(&mut byte) {
            Ok(1) => greeting.push(byte[0]),
            Ok(_) => return Err("the server closed the connection before its greeting".into()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("read the greeting: {e}")),
        }
    }
    let commands = [
        (Kind::Login, format!("LOGIN {} {}", quoted(user), quoted(password))),
        (Kind::Examine, format!("EXAMINE {}", quoted(mailbox))),
        (Kind::Capability, "CAPABILITY".to_owned()),
        (Kind::FetchBody, "UID FETCH 1:* (BODY.PEEK[])".to_owned()),
        (Kind::FetchMeta, "UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)".to_owned()),
        (Kind::Logout, "LOGOUT".to_owned()),
    ];
    let mut replies = Vec::new();
    let mut framer = Framer::default();
    let mut buf = vec![0u8; 64 * 1024];
    for (i, (kind, command)) in commands.into_iter().enumerate() {
        let tag = format!("c{}", i + 1);
        sock.write_all(format!("{tag} {command}\r\n").as_bytes()).map_err(|e| format!("write: {e}"))?;
        let mut bytes = Vec::new();
        let mut done = false;
        while !done {
            let n = match sock.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("read the reply to {command}: {e}")),
            };
            if n == 0 {
                return Err(format!("the server closed the connection during the reply to {command}"));
            }
            bytes.extend_from_slice(&buf[..n]);
            framer.push(&buf[..n]);
            while let Some(frame) = framer.next_frame().map_err(|e| format!("framing: {e}"))? {
                let Frame::Response(frame) = frame else {
                    return Err(format!("a response to {command} broke the framer's limits"));
                };
                if frame.starts_with(format!("{tag} ").as_bytes()) {
                    if !frame.starts_with(format!("{tag} OK").as_bytes()) {
                        return Err(format!("{command}: {}", String::from_utf8_lossy(&frame).trim_end()));
                    }
                    done = true;
                }
            }
        }
        if framer.is_mid_response() {
            return Err(format!("bytes after the tagged reply to {command}"));
        }
        replies.push((kind, Reply::new(bytes)?));
    }
    let manifest = format!("mailbox {mailbox}\nserver {addr}\n");
    Ok(Recording::new(greeting, replies, manifest))
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Plays a [`Recording`] back to every client that connects to
/// [`addr`](Self::addr), each on its own thread. Runs until the process
/// ends.
#[derive(Debug)]
pub struct ReplayServer {
    addr: SocketAddr,
}

impl ReplayServer {
    /// Listens on 127.0.0.1, on a port of the system's choice.
    pub fn start(recording: Arc<Recording>) -> io::Result<ReplayServer> {
        Self::start_on(recording, None)
    }

    /// As [`start`](Self::start), each connection's thread pinned to `cpu`
    /// if given (see [`pin_current_thread`]).
    pub fn start_on(recording: Arc<Recording>, cpu: Option<usize>) -> io::Result<ReplayServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        std::thread::Builder::new().name("replay-accept".into()).spawn(move || {
            for stream in listener.incoming().flatten() {
                let recording = recording.clone();
                let _ = std::thread::Builder::new().name("replay-conn".into()).spawn(move || {
                    if let Some(cpu) = cpu {
                        if !pin_current_thread(cpu) {
                            eprintln!("replay server: could not pin to CPU {cpu}");
                        }
                    }
                    if let Err(e) = serve(stream, &recording) {
                        if !matches!(
                            e.kind(),
                            io::ErrorKind::BrokenPipe
                                | io::ErrorKind::ConnectionReset
                                | io::ErrorKind::UnexpectedEof
                        ) {
                            eprintln!("replay server: {e}");
                        }
                    }
                });
            }
        })?;
        Ok(ReplayServer { addr })
    }

    /// Where to connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// Pins the calling thread to one CPU, through `taskset -p` on its thread
/// id (Linux; this crate has no libc). Whether it worked.
pub fn pin_current_thread(cpu: usize) -> bool {
    let Ok(link) = std::fs::read_link("/proc/thread-self") else { return false };
    let Some(tid) = link.file_name().and_then(|t| t.to_str()) else { return false };
    std::process::Command::new("taskset")
        .args(["-p", "-c", &cpu.to_string(), tid])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// One connection: the greeting, then a reply per command line.
fn serve(mut stream: TcpStream, recording: &Recording) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.write_all(&recording.greeting)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    loop {
        let Some(line) = read_command(&mut reader, &mut stream)? else {
            return Ok(());
        };
        let tag_len = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
        let tag = &line[..tag_len];
        let kind = Kind::of_command(&line);
        match kind.and_then(|k| recording.reply(k)) {
            Some(reply) => reply.send(&mut stream, tag)?,
            None => {
                let shown = String::from_utf8_lossy(&line[..line.len().min(80)]).trim_end().to_owned();
                eprintln!("replay server: no recorded reply for {shown:?}");
                let mut bad = tag.to_vec();
                bad.extend_from_slice(b" BAD replay-bench recorded no reply for this command\r\n");
                stream.write_all(&bad)?;
            }
        }
        if kind == Some(Kind::Logout) {
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return Ok(());
        }
    }
}

/// Reads one command, literals included (a synchronising literal gets its
/// `+` first); `None` at the end of the stream.
fn read_command(reader: &mut impl BufRead, stream: &mut TcpStream) -> io::Result<Option<Vec<u8>>> {
    let mut command = Vec::new();
    loop {
        let start = command.len();
        if reader.read_until(b'\n', &mut command)? == 0 {
            return if command.is_empty() { Ok(None) } else { Err(io::ErrorKind::UnexpectedEof.into()) };
        }
        let Some(len) = literal_len(&command[start..]) else {
            return Ok(Some(command));
        };
        if !command[start..].ends_with(b"+}\r\n") {
            stream.write_all(b"+ go ahead\r\n")?;
        }
        let at = command.len();
        command.resize(at + len, 0);
        reader.read_exact(&mut command[at..])?;
    }
}

/// The length of the literal a command line announces at its end.
fn literal_len(line: &[u8]) -> Option<usize> {
    let line = line.strip_suffix(b"\r\n").or_else(|| line.strip_suffix(b"\n"))?;
    let line = line.strip_suffix(b"}")?;
    let line = line.strip_suffix(b"+").unwrap_or(line);
    let open = line.iter().rposition(|&b| b == b'{')?;
    std::str::from_utf8(&line[open + 1..]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use imap_blocking::prelude::*;

    #[test]
    fn command_kinds() {
        assert_eq!(Kind::of_command(b"A1 LOGIN alice secret\r\n"), Some(Kind::Login));
        assert_eq!(Kind::of_command(b"a2 examine \"bench\"\r\n"), Some(Kind::Examine));
        assert_eq!(Kind::of_command(b"A3 UID FETCH 1:* (BODY.PEEK[])\r\n"), Some(Kind::FetchBody));
        assert_eq!(
            Kind::of_command(b"A4 UID FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)\r\n"),
            Some(Kind::FetchMeta)
        );
        assert_eq!(Kind::of_command(b"A5 LOGOUT\r\n"), Some(Kind::Logout));
        assert_eq!(Kind::of_command(b"A6 NOOP\r\n"), None);
    }

    #[test]
    fn the_tag_is_rewritten() {
        let reply = Reply::new(b"* 1 FETCH (BODY[] {4}\r\nc3 O)\r\nc3 OK done\r\n".to_vec()).unwrap();
        assert_eq!(reply.tag(), b"c3");
        assert_eq!(reply.with_tag(b"A0042"), b"* 1 FETCH (BODY[] {4}\r\nc3 O)\r\nA0042 OK done\r\n");
        let mut sent = Vec::new();
        reply.send(&mut sent, b"A0042").unwrap();
        assert_eq!(sent, reply.with_tag(b"A0042"));
        assert_eq!(reply.len_with_tag(b"A0042"), sent.len());
        assert!(Reply::new(b"* OK\r\n".to_vec()).is_err());
        assert!(Reply::new(b"c1 OK".to_vec()).is_err());
    }

    /// A small session: the replies of the parse-bench corpora.
    fn small_recording() -> (Recording, usize, usize) {
        let bodies = crate::corpus::bodies(600_000);
        let headers = crate::corpus::headers(60);
        let reply = |bytes: &[u8]| Reply::new(bytes.to_vec()).unwrap();
        let replies = vec![
            (Kind::Login, reply(b"c1 OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS] Logged in\r\n")),
            (Kind::Examine, reply(b"* 3 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\nc2 OK [READ-ONLY] done\r\n")),
            (Kind::Capability, reply(b"* CAPABILITY IMAP4rev1 LITERAL+\r\nc3 OK done\r\n")),
            (Kind::FetchBody, reply(&bodies.bytes)),
            (Kind::FetchMeta, reply(&headers.bytes)),
            (Kind::Logout, reply(b"* BYE bye\r\nc6 OK done\r\n")),
        ];
        // No capabilities in the greeting: the client asks with CAPABILITY.
        let recording = Recording::new(b"* OK ready\r\n".to_vec(), replies, "mailbox test\n".into());
        (recording, bodies.responses - 1, headers.responses - 1)
    }

    /// The blocking client runs a whole session against the replay: every
    /// reply ends with the client's own tag, or it would wait for ever.
    #[test]
    fn a_client_reads_the_replay() {
        let (recording, bodies, headers) = small_recording();
        let server = ReplayServer::start(Arc::new(recording)).unwrap();
        let mut session = imap_blocking::ConnectOptions::new("127.0.0.1")
            .port(server.addr().port())
            .security(imap_blocking::Security::Plain)
            .response_timeout(Duration::from_secs(10))
            .connect()
            .unwrap();
        session.login("alice", "pass word").unwrap();
        session.examine("bench").unwrap();
        for _ in 0..2 {
            let streamed = session.fetch_stream(1.., &[imap_blocking::FetchAttr::body_peek()]).unwrap();
            let messages: Vec<_> = streamed.map(|f| f.unwrap()).collect();
            assert_eq!(messages.len(), bodies);
            assert!(messages.iter().all(|f| f.message().is_some()));
            let meta = session.fetch(1.., &[imap_blocking::FetchAttr::Envelope]).unwrap();
            assert_eq!(meta.len(), headers);
        }
        session.logout().unwrap();
    }

    /// A capture of the replay gives back the recording (with the capture's
    /// tags).
    #[test]
    fn capture_round_trip() {
        let (recording, _, _) = small_recording();
        let server = ReplayServer::start(Arc::new(recording.clone())).unwrap();
        let captured = capture(server.addr(), "alice", "pass \"word\"", "bench").unwrap();
        assert_eq!(captured.greeting, recording.greeting);
        for (i, kind) in Kind::ALL.into_iter().enumerate() {
            let tag = format!("c{}", i + 1);
            let want = recording.reply(kind).unwrap().with_tag(tag.as_bytes());
            assert_eq!(captured.reply(kind).unwrap().bytes(), &want[..], "{kind:?}");
        }
        let dir = std::env::temp_dir().join(format!("replay-test-{}", std::process::id()));
        captured.save(&dir).unwrap();
        let loaded = Recording::load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(loaded.manifest, captured.manifest);
        for kind in Kind::ALL {
            assert_eq!(loaded.reply(kind).unwrap().bytes(), captured.reply(kind).unwrap().bytes());
        }
    }

    #[test]
    fn literal_lengths() {
        assert_eq!(literal_len(b"A1 LOGIN {5}\r\n"), Some(5));
        assert_eq!(literal_len(b"A1 LOGIN {12+}\r\n"), Some(12));
        assert_eq!(literal_len(b"A1 LOGIN alice x\r\n"), None);
    }
}
