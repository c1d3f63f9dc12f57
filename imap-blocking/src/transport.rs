//! The byte pipes a session runs over: TCP, TLS over TCP, or any
//! `Read + Write` pair (a child process's stdio) read by a helper thread so
//! that reads can time out.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::Child;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use imap_net::{TlsConfig, TlsError};

use imap_net::{Error, Result};

/// What a read produced.
pub(crate) enum ReadOutcome {
    Data(usize),
    Eof,
    TimedOut,
}

pub(crate) enum Transport {
    /// TCP, under TLS from the start or after STARTTLS.
    Socket(Socket),
    /// Any byte stream (a child process's stdio).
    Channel(ChannelStream),
}

pub(crate) struct Socket {
    tcp: TcpStream,
    tls: Option<Box<rustls::ClientConnection>>,
    read_timeout: Option<Duration>,
    /// Re-arm TCP_QUICKACK after every read.
    quickack: bool,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::Socket(Socket { tls: None, .. }) => "Transport::Tcp",
            Transport::Socket(Socket { tls: Some(_), .. }) => "Transport::Tls",
            Transport::Channel(_) => "Transport::Channel",
        })
    }
}

/// Socket read timeouts are only re-set when they change by more than this,
/// to save a system call per read.
const TIMEOUT_SLACK: Duration = Duration::from_millis(20);

impl Socket {
    pub(crate) fn new(tcp: TcpStream, quickack: bool) -> Self {
        Socket { tcp, tls: None, read_timeout: None, quickack }
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<ReadOutcome> {
        let wanted = timeout.max(Duration::from_millis(1));
        if self.read_timeout.is_none_or(|c| c.abs_diff(wanted) >= TIMEOUT_SLACK) {
            self.tcp.set_read_timeout(Some(wanted))?;
            self.read_timeout = Some(wanted);
        }
        let r = match self.tls.as_deref_mut() {
            Some(conn) => rustls::Stream::new(conn, &mut self.tcp).read(buf),
            None => self.tcp.read(buf),
        };
        // No delayed ACK for what comes next, so a server that leaves Nagle
        // on sends the rest of its response at once. Best effort.
        if self.quickack && matches!(r, Ok(n) if n > 0) {
            let _ = imap_net::rearm_quickack(&self.tcp);
        }
        match r {
            Ok(0) => Ok(ReadOutcome::Eof),
            Ok(n) => Ok(ReadOutcome::Data(n)),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                Ok(ReadOutcome::TimedOut)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(ReadOutcome::TimedOut),
            // A TLS peer that closes without close_notify: treat as EOF.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(ReadOutcome::Eof),
            Err(e) => Err(e),
        }
    }

    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self.tls.as_deref_mut() {
            Some(conn) => rustls::Stream::new(conn, &mut self.tcp).write(data),
            None => self.tcp.write(data),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.tls.as_deref_mut() {
            Some(conn) => rustls::Stream::new(conn, &mut self.tcp).flush(),
            None => self.tcp.flush(),
        }
    }

    /// TLS on this connection, now (implicit TLS, or STARTTLS's switch).
    pub(crate) fn start_tls(&mut self, tls: &TlsConfig, handshake_timeout: Duration) -> Result<()> {
        let mut conn = tls.connection()?;
        self.tcp.set_read_timeout(Some(handshake_timeout))?;
        self.read_timeout = Some(handshake_timeout);
        let write_timeout = self.tcp.write_timeout()?;
        self.tcp.set_write_timeout(Some(handshake_timeout))?;
        while conn.is_handshaking() {
            // rustls reports its own errors as io::Error wrapping a
            // rustls::Error: TlsError classifies both.
            conn.complete_io(&mut self.tcp).map_err(|e| TlsError::from_io(e, handshake_timeout))?;
        }
        self.tcp.set_write_timeout(write_timeout)?;
        self.tls = Some(Box::new(conn));
        Ok(())
    }
}

impl Transport {
    /// Reads what is available, waiting at most `timeout`.
    pub(crate) fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<ReadOutcome> {
        match self {
            Transport::Socket(s) => s.read(buf, timeout),
            Transport::Channel(c) => c.read(buf, timeout),
        }
    }

    pub(crate) fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Socket(s) => s.write(data),
            Transport::Channel(c) => c.writer.write(data),
        }
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        match self {
            Transport::Socket(s) => s.flush(),
            Transport::Channel(c) => c.writer.flush(),
        }
    }

    /// Sets the socket write timeout (sockets only).
    pub(crate) fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Transport::Socket(s) => s.tcp.set_write_timeout(timeout),
            Transport::Channel(_) => Ok(()),
        }
    }

    /// STARTTLS: the same TCP connection, now under TLS.
    pub(crate) fn upgrade(&mut self, tls: &TlsConfig, handshake_timeout: Duration) -> Result<()> {
        match self {
            Transport::Socket(s) if s.tls.is_none() => s.start_tls(tls, handshake_timeout),
            _ => Err(Error::Unsupported("STARTTLS on a connection that is not plain TCP")),
        }
    }

    pub(crate) fn child_id(&self) -> Option<u32> {
        match self {
            Transport::Channel(c) => c.child.as_ref().map(Child::id),
            Transport::Socket(_) => None,
        }
    }

    pub(crate) fn shutdown(&mut self) {
        match self {
            Transport::Socket(s) => {
                if let Some(conn) = s.tls.as_deref_mut() {
                    conn.send_close_notify();
                    let _ = conn.complete_io(&mut s.tcp);
                }
                let _ = s.tcp.shutdown(Shutdown::Both);
            }
            Transport::Channel(c) => c.close(),
        }
    }
}

/// Any `Read` + `Write` pair. A thread reads, so reads can time out.
pub(crate) struct ChannelStream {
    /// Chunks read; an empty one (or a gone thread) is the end.
    rx: Receiver<io::Result<Vec<u8>>>,
    pending: io::Cursor<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    /// The process at the other end, reaped on close.
    child: Option<Child>,
}

/// How long a child process gets to exit after its stdin closes before it
/// is killed.
const CHILD_GRACE: Duration = Duration::from_secs(2);

impl ChannelStream {
    pub(crate) fn new<R, W>(mut reader: R, writer: W) -> io::Result<Self>
    where
        R: Read + Send + 'static,
        W: Write + Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel(8);
        std::thread::Builder::new().name("imap-stream-reader".into()).spawn(move || loop {
            let mut chunk = vec![0u8; 64 * 1024];
            match reader.read(&mut chunk) {
                Ok(n) => {
                    chunk.truncate(n);
                    if tx.send(Ok(chunk)).is_err() || n == 0 {
                        return;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        })?;
        Ok(Self { rx, pending: io::Cursor::new(Vec::new()), writer: Box::new(writer), child: None })
    }

    /// A stream that is over (what a detached session keeps).
    pub(crate) fn closed() -> Self {
        let (_, rx) = mpsc::sync_channel(0);
        Self { rx, pending: io::Cursor::new(Vec::new()), writer: Box::new(io::sink()), child: None }
    }

    /// A child process's stdout and stdin; the child is reaped on close.
    pub(crate) fn child(mut child: Child) -> io::Result<Self> {
        let missing =
            |what| io::Error::new(io::ErrorKind::InvalidInput, format!("the child's {what} is not piped"));
        let stdout = child.stdout.take().ok_or_else(|| missing("stdout"))?;
        let stdin = child.stdin.take().ok_or_else(|| missing("stdin"))?;
        let mut stream = Self::new(stdout, stdin)?;
        stream.child = Some(child);
        Ok(stream)
    }

    /// Closes the writing side (the child sees EOF on its stdin) and reaps
    /// the child: it gets two seconds to exit, then it is killed.
    fn close(&mut self) {
        self.writer = Box::new(io::sink());
        if let Some(child) = self.child.take() {
            reap(child);
        }
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<ReadOutcome> {
        if self.pending.position() as usize == self.pending.get_ref().len() {
            match self.rx.recv_timeout(timeout) {
                Ok(Ok(chunk)) if !chunk.is_empty() => self.pending = io::Cursor::new(chunk),
                Ok(Ok(_)) | Err(RecvTimeoutError::Disconnected) => return Ok(ReadOutcome::Eof),
                Ok(Err(e)) => return Err(e),
                Err(RecvTimeoutError::Timeout) => return Ok(ReadOutcome::TimedOut),
            }
        }
        Ok(ReadOutcome::Data(self.pending.read(buf)?))
    }
}

impl Drop for ChannelStream {
    fn drop(&mut self) {
        self.close();
    }
}

// ------------------------------------------------------------- split halves
// A shared session (`SharedSession`) reads on its own thread while any
// thread writes: the transport splits into a reading half, which only
// moves raw bytes, and a writing half, which also holds the TLS state
// (under the session's lock) and decrypts what the reading half brings.

/// The reading half: raw bytes (TLS records still encrypted).
pub(crate) enum ReadHalf {
    Tcp { tcp: TcpStream, quickack: bool, timeout: Option<Duration> },
    Channel(Receiver<io::Result<Vec<u8>>>),
}

/// The writing half, with the TLS state, and the child process to reap.
pub(crate) struct WriteHalf {
    out: Box<dyn Write + Send>,
    tcp: Option<TcpStream>,
    tls: Option<Box<rustls::ClientConnection>>,
    child: Option<Child>,
}

impl std::fmt::Debug for WriteHalf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteHalf").field("tls", &self.tls.is_some()).finish_non_exhaustive()
    }
}

impl Transport {
    /// The two halves, and plaintext already received but not yet read.
    pub(crate) fn split(self) -> io::Result<(ReadHalf, WriteHalf, Vec<u8>)> {
        match self {
            Transport::Socket(s) => {
                let reader = s.tcp.try_clone()?;
                let writer = s.tcp.try_clone()?;
                let read = ReadHalf::Tcp { tcp: reader, quickack: s.quickack, timeout: None };
                let mut write =
                    WriteHalf { out: Box::new(writer), tcp: Some(s.tcp), tls: s.tls, child: None };
                let mut buffered = Vec::new();
                write.decrypt(&[], &mut buffered)?;
                Ok((read, write, buffered))
            }
            Transport::Channel(mut c) => {
                let pos = c.pending.position() as usize;
                let buffered = c.pending.get_ref()[pos..].to_vec();
                let (_, rx) = mpsc::sync_channel(1);
                let rx = std::mem::replace(&mut c.rx, rx);
                let out = std::mem::replace(&mut c.writer, Box::new(io::sink()));
                let write = WriteHalf { out, tcp: None, tls: None, child: c.child.take() };
                Ok((ReadHalf::Channel(rx), write, buffered))
            }
        }
    }
}

impl ReadHalf {
    /// Raw bytes into `buf`, waiting at most `timeout`.
    pub(crate) fn read(&mut self, buf: &mut Vec<u8>, timeout: Duration) -> io::Result<ReadOutcome> {
        match self {
            ReadHalf::Tcp { tcp, quickack, timeout: current } => {
                let wanted = timeout.max(Duration::from_millis(1));
                if current.is_none_or(|c| c.abs_diff(wanted) >= TIMEOUT_SLACK) {
                    tcp.set_read_timeout(Some(wanted))?;
                    *current = Some(wanted);
                }
                buf.resize(64 * 1024, 0);
                let r = tcp.read(buf);
                if *quickack && matches!(r, Ok(n) if n > 0) {
                    let _ = imap_net::rearm_quickack(tcp);
                }
                match r {
                    Ok(0) => Ok(ReadOutcome::Eof),
                    Ok(n) => {
                        buf.truncate(n);
                        Ok(ReadOutcome::Data(n))
                    }
                    Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                        Ok(ReadOutcome::TimedOut)
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(ReadOutcome::TimedOut),
                    Err(e) => Err(e),
                }
            }
            ReadHalf::Channel(rx) => match rx.recv_timeout(timeout) {
                Ok(Ok(chunk)) if !chunk.is_empty() => {
                    *buf = chunk;
                    Ok(ReadOutcome::Data(buf.len()))
                }
                Ok(Ok(_)) | Err(RecvTimeoutError::Disconnected) => Ok(ReadOutcome::Eof),
                Ok(Err(e)) => Err(e),
                Err(RecvTimeoutError::Timeout) => Ok(ReadOutcome::TimedOut),
            },
        }
    }
}

impl WriteHalf {
    /// Whether TLS is on (else raw bytes are the plaintext).
    pub(crate) fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Sends `data` (through TLS if on).
    pub(crate) fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        match self.tls.as_deref_mut() {
            Some(conn) => {
                conn.writer().write_all(data)?;
                while conn.wants_write() {
                    conn.write_tls(&mut self.out)?;
                }
            }
            None => self.out.write_all(data)?,
        }
        self.out.flush()
    }

    /// Decrypts TLS records read by the reading half, appending the
    /// plaintext; `Ok(true)` at the server's close_notify.
    pub(crate) fn decrypt(&mut self, mut raw: &[u8], plain: &mut Vec<u8>) -> io::Result<bool> {
        let Some(conn) = self.tls.as_deref_mut() else {
            plain.extend_from_slice(raw);
            return Ok(false);
        };
        loop {
            conn.process_new_packets().map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            let mut closed = false;
            loop {
                let start = plain.len();
                plain.resize(start + 16 * 1024, 0);
                match conn.reader().read(&mut plain[start..]) {
                    Ok(0) => {
                        plain.truncate(start);
                        closed = true;
                        break;
                    }
                    Ok(n) => plain.truncate(start + n),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        plain.truncate(start);
                        break;
                    }
                    Err(e) => {
                        plain.truncate(start);
                        return Err(e);
                    }
                }
            }
            // Post-handshake messages may want an answer (key updates).
            while conn.wants_write() {
                conn.write_tls(&mut self.out)?;
            }
            if closed || raw.is_empty() {
                return Ok(closed);
            }
            conn.read_tls(&mut raw)?;
        }
    }

    /// Ends the connection: close_notify and a socket shutdown (the
    /// reading half then sees EOF), or the child's stdin closed and the
    /// child reaped.
    pub(crate) fn shutdown(&mut self) {
        if let Some(conn) = self.tls.as_deref_mut() {
            conn.send_close_notify();
            while conn.wants_write() {
                if conn.write_tls(&mut self.out).is_err() {
                    break;
                }
            }
        }
        if let Some(tcp) = &self.tcp {
            let _ = tcp.shutdown(Shutdown::Both);
        }
        self.out = Box::new(io::sink());
        if let Some(child) = self.child.take() {
            reap(child);
        }
    }
}

impl Drop for WriteHalf {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Waits for a child whose stdin was closed; kills it after the grace time.
fn reap(mut child: Child) {
    let deadline = std::time::Instant::now() + CHILD_GRACE;
    while std::time::Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}
