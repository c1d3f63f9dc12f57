//! A loopback proxy in front of an IMAP server that sends the way Cyrus
//! does: Nagle's algorithm left on for the client's socket, and each
//! response's tagged completion line written on its own, a moment after the
//! rest. The tagged line is then a small segment that Nagle holds until the
//! client acknowledges the previous one; a client that delays that ACK (Linux:
//! up to 40 ms) waits that long for every such response.
//!
//! Loopback's MSS is 64 KiB, which would make nearly every write a "small"
//! segment for Nagle; the proxy clamps its client socket's MSS to an
//! Ethernet-sized one (TCP_MAXSEG, 1448 by default), so that, as on a real
//! network, only the tail of a response is small.
//!
//! Forwarding is bounded by the connections the caller opens: each runs
//! until either side closes, and the accepting thread ends with the process.
//!
//! The proxy also measures the stall itself, apart from any client's
//! timing: after writing a tagged line it watches the connection's send
//! queue (`tx_queue` in `/proc/net/tcp`: bytes written and not yet
//! acknowledged) until it is empty, and records how long that took, per
//! client port ([`NagleProxy::holds`]). A client that acknowledges at once
//! empties it in well under a millisecond; one that delays its ACK leaves
//! the tagged line held for up to 40 ms.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, Socket, Type};

/// A running proxy.
#[derive(Debug)]
pub struct NagleProxy {
    addr: SocketAddr,
    holds: Holds,
    commands: Holds,
}

/// For each client port, durations in order: how long each tagged line
/// waited in the send queue, or how long each command line took to arrive
/// whole.
type Holds = Arc<Mutex<HashMap<u16, Vec<Duration>>>>;

/// Longer than any delayed ACK: a hold is not watched past this.
const HOLD_LIMIT: Duration = Duration::from_millis(500);

impl NagleProxy {
    /// Listens on a free loopback port and forwards each connection to
    /// `upstream`, pausing `pause` before each tagged line that follows other
    /// output. `mss` clamps the client socket's segment size (`None`: the
    /// loopback default).
    pub fn start(upstream: SocketAddr, pause: Duration, mss: Option<u32>) -> io::Result<NagleProxy> {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
        if let Some(mss) = mss {
            // Inherited by accepted sockets and announced in the SYN-ACK.
            socket.set_tcp_mss(mss)?;
        }
        socket.bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())?;
        socket.listen(64)?;
        let listener: TcpListener = socket.into();
        let addr = listener.local_addr()?;
        let (holds, commands) = (Holds::default(), Holds::default());
        let shared = (holds.clone(), commands.clone());
        thread::Builder::new().name("nagle-proxy".into()).spawn(move || {
            for client in listener.incoming().flatten() {
                let (holds, commands) = shared.clone();
                let _ = thread::Builder::new()
                    .name("nagle-proxy-conn".into())
                    .spawn(move || forward(client, upstream, pause, holds, commands));
            }
        })?;
        Ok(NagleProxy { addr, holds, commands })
    }

    /// How long each command line from the client connected from
    /// `client_port` took from its first byte to its end, in order: a client
    /// that writes a command in pieces with Nagle on waits for the ACK of
    /// the first piece before sending the rest (up to 40 ms).
    pub fn command_times(&self, client_port: u16) -> Vec<Duration> {
        self.commands
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&client_port)
            .cloned()
            .unwrap_or_default()
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How long each tagged line sent to the client connected from
    /// `client_port` waited for the client's ACK, in order (empty when
    /// `/proc/net/tcp` cannot be read).
    pub fn holds(&self, client_port: u16) -> Vec<Duration> {
        self.holds
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&client_port)
            .cloned()
            .unwrap_or_default()
    }
}

/// One IPv4 TCP socket of this network namespace, from `/proc/net/tcp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpEntry {
    /// This end's port.
    pub local_port: u16,
    /// The peer's port.
    pub remote_port: u16,
    /// Bytes written and not yet acknowledged by the peer.
    pub tx_queue: u64,
    /// The socket's inode (`/proc/<pid>/fd/*` links to `socket:[inode]`).
    pub inode: u64,
}

/// The IPv4 TCP sockets of this network namespace (empty where
/// `/proc/net/tcp` does not exist).
pub fn tcp_sockets() -> Vec<TcpEntry> {
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else { return Vec::new() };
    table.lines().skip(1).filter_map(parse_tcp_line).collect()
}

/// `sl local rem st tx_queue:rx_queue tr:when retrnsmt uid timeout inode ...`
fn parse_tcp_line(line: &str) -> Option<TcpEntry> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let port = |addr: &str| u16::from_str_radix(addr.rsplit(':').next()?, 16).ok();
    let tx_queue = u64::from_str_radix(fields.get(4)?.split(':').next()?, 16).ok()?;
    Some(TcpEntry {
        local_port: port(fields.get(1)?)?,
        remote_port: port(fields.get(2)?)?,
        tx_queue,
        inode: fields.get(9)?.parse().ok()?,
    })
}

/// One connection: commands pass straight through; responses pass through
/// [`TaggedLines`] so that each tagged line goes out on its own.
fn forward(
    client: TcpStream,
    upstream: SocketAddr,
    pause: Duration,
    holds: Holds,
    command_times: Holds,
) -> io::Result<()> {
    let server = TcpStream::connect(upstream)?;
    server.set_nodelay(true)?;
    // Cyrus's habit: Nagle stays on towards the client.
    client.set_nodelay(false)?;
    let ports = (client.local_addr()?.port(), client.peer_addr()?.port());
    let (client_in, server_out) = (client.try_clone()?, server.try_clone()?);
    let commands = thread::spawn(move || {
        let _ = send_commands(client_in, server_out, |took| {
            command_times
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(ports.1)
                .or_default()
                .push(took);
        });
    });
    let result = send_responses(
        server,
        &client,
        pause,
        |held| {
            holds.lock().unwrap_or_else(PoisonError::into_inner).entry(ports.1).or_default().push(held);
        },
        ports,
    );
    let _ = client.shutdown(Shutdown::Both);
    let _ = commands.join();
    result
}

/// Passes commands on as they come, timing each line from its first byte
/// to its LF. (Literal bytes count as lines too; the bench's commands have
/// none.)
fn send_commands(
    mut client: TcpStream,
    mut server: TcpStream,
    mut record: impl FnMut(Duration),
) -> io::Result<()> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut line_start: Option<Instant> = None;
    loop {
        let n = client.read(&mut buf)?;
        if n == 0 {
            return server.shutdown(Shutdown::Write);
        }
        let now = Instant::now();
        server.write_all(&buf[..n])?;
        let mut rest = &buf[..n];
        while let Some(lf) = rest.iter().position(|&b| b == b'\n') {
            record(now - line_start.take().unwrap_or(now));
            rest = &rest[lf + 1..];
        }
        if !rest.is_empty() && line_start.is_none() {
            line_start = Some(now);
        }
    }
}

fn send_responses(
    mut server: TcpStream,
    mut client: &TcpStream,
    pause: Duration,
    mut record: impl FnMut(Duration),
    ports: (u16, u16),
) -> io::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut lines = TaggedLines::default();
    let mut starts = Vec::new();
    // Output other than a tagged line was sent since the last tagged line.
    let mut body_sent = false;
    loop {
        let n = server.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        starts.clear();
        lines.find(&buf[..n], &mut starts);
        let mut from = 0;
        for &start in &starts {
            if start > from {
                client.write_all(&buf[from..start])?;
                body_sent = true;
            }
            if body_sent {
                thread::sleep(pause);
            }
            body_sent = false;
            from = start;
        }
        if from < n {
            client.write_all(&buf[from..n])?;
            body_sent |= starts.last() != Some(&from);
        }
        if !starts.is_empty() {
            if let Some(held) = wait_acknowledged(ports) {
                record(held);
            }
        }
    }
}

/// Waits until everything written to the connection `(local, remote)` is
/// acknowledged; how long that took (`None` without `/proc/net/tcp`).
fn wait_acknowledged((local, remote): (u16, u16)) -> Option<Duration> {
    let start = Instant::now();
    loop {
        let queued =
            tcp_sockets().into_iter().find(|e| e.local_port == local && e.remote_port == remote)?.tx_queue;
        if queued == 0 || start.elapsed() > HOLD_LIMIT {
            return Some(start.elapsed());
        }
        thread::sleep(Duration::from_micros(100));
    }
}

/// Finds where tagged lines (status responses to the client's commands)
/// start in a response stream fed in any chunks: lines that begin with
/// neither `*` nor `+`. Literal bytes (`{N}` at a line's end) are skipped
/// uncounted, so message text never looks like a tagged line.
#[derive(Debug)]
pub struct TaggedLines {
    at_line_start: bool,
    literal_left: u64,
    /// The end of the current line, enough to see a `{N}` before its CRLF.
    tail: Vec<u8>,
}

impl Default for TaggedLines {
    fn default() -> Self {
        Self { at_line_start: true, literal_left: 0, tail: Vec::new() }
    }
}

/// Longest line ending a literal announcement can need: `{` 20 digits `+}\r`.
const TAIL: usize = 24;

impl TaggedLines {
    /// Appends to `starts` the offsets in `chunk` where a tagged line starts.
    pub fn find(&mut self, chunk: &[u8], starts: &mut Vec<usize>) {
        let mut i = 0;
        while i < chunk.len() {
            if self.literal_left > 0 {
                let skip = self.literal_left.min((chunk.len() - i) as u64);
                self.literal_left -= skip;
                i += skip as usize;
                continue;
            }
            if self.at_line_start {
                if chunk[i] != b'*' && chunk[i] != b'+' {
                    starts.push(i);
                }
                self.at_line_start = false;
                self.tail.clear();
            }
            let rest = &chunk[i..];
            let Some(lf) = rest.iter().position(|&b| b == b'\n') else {
                self.keep_tail(rest);
                return;
            };
            self.keep_tail(&rest[..lf]);
            i += lf + 1;
            match literal_len(&self.tail) {
                // The line goes on after the literal: not a line start.
                Some(len) => self.literal_left = len,
                None => self.at_line_start = true,
            }
            self.tail.clear();
        }
    }

    fn keep_tail(&mut self, bytes: &[u8]) {
        self.tail.extend_from_slice(&bytes[bytes.len().saturating_sub(TAIL)..]);
        if self.tail.len() > TAIL {
            self.tail.drain(..self.tail.len() - TAIL);
        }
    }
}

/// `N` if the line (without its LF) ends in `{N}\r` or `{N+}\r`.
fn literal_len(line: &[u8]) -> Option<u64> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let digits = &inner[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &[u8] = b"* 1 FETCH (UID 1 ENVELOPE (\"d\" {13}\r\nA9 OK fake\r\n NIL))\r\n\
        * 2 FETCH (FLAGS (\\Seen))\r\nA1 OK done\r\n+ go\r\nA2 NO no\r\n";

    fn starts_fed(chunk: usize) -> Vec<usize> {
        let mut lines = TaggedLines::default();
        let mut all = Vec::new();
        for (n, piece) in STREAM.chunks(chunk).enumerate() {
            let mut starts = Vec::new();
            lines.find(piece, &mut starts);
            all.extend(starts.into_iter().map(|s| s + n * chunk));
        }
        all
    }

    #[test]
    fn tagged_lines_are_found_in_any_chunking_and_literals_are_skipped() {
        let a1 = STREAM.windows(5).position(|w| w == b"A1 OK").unwrap();
        let a2 = STREAM.windows(5).position(|w| w == b"A2 NO").unwrap();
        for chunk in [1, 2, 3, 7, 13, 64, STREAM.len()] {
            assert_eq!(starts_fed(chunk), vec![a1, a2], "chunks of {chunk}");
        }
    }

    #[test]
    fn proc_net_tcp_lines() {
        let line = "   3: 0100007F:373F 0100007F:D2F0 01 0000002A:00000000 00:00000000 00000000     0        0 1032827 1 0 100 0 0 10 0";
        let e = parse_tcp_line(line).unwrap();
        assert_eq!(e, TcpEntry { local_port: 0x373F, remote_port: 0xD2F0, tx_queue: 42, inode: 1032827 });
    }

    #[test]
    fn literal_announcements() {
        assert_eq!(literal_len(b"* 1 FETCH (BODY[] {1234}\r"), Some(1234));
        assert_eq!(literal_len(b"A1 APPEND x {5+}\r"), Some(5));
        assert_eq!(literal_len(b"* OK {x}\r"), None);
        assert_eq!(literal_len(b"* OK }\r"), None);
    }
}
