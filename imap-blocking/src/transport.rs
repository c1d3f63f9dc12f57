//! The byte pipes a session runs over: TCP, TLS over TCP, or any
//! `Read + Write` pair (a child process's stdio) read by a helper thread so
//! that reads can time out.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use imap_net::{TlsConfig, TlsError};

use crate::error::{Error, Result};

/// What a read produced.
pub(crate) enum ReadOutcome {
    Data(usize),
    Eof,
    TimedOut,
}

pub(crate) enum Transport {
    Tcp {
        stream: TcpStream,
        read_timeout: Option<Duration>,
        /// Re-arm TCP_QUICKACK after every read.
        quickack: bool,
    },
    Tls {
        stream: Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>,
        read_timeout: Option<Duration>,
        quickack: bool,
    },
    Channel(ChannelStream),
    /// Only during a STARTTLS swap.
    Gone,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::Tcp { .. } => "Transport::Tcp",
            Transport::Tls { .. } => "Transport::Tls",
            Transport::Channel(_) => "Transport::Channel",
            Transport::Gone => "Transport::Gone",
        })
    }
}

/// Socket read timeouts are only re-set when they change by more than this,
/// to save a system call per read.
const TIMEOUT_SLACK: Duration = Duration::from_millis(20);

fn set_timeout(stream: &TcpStream, current: &mut Option<Duration>, wanted: Duration) -> io::Result<()> {
    let wanted = wanted.max(Duration::from_millis(1));
    let close_enough = current.is_some_and(|c| c.abs_diff(wanted) < TIMEOUT_SLACK);
    if !close_enough {
        stream.set_read_timeout(Some(wanted))?;
        *current = Some(wanted);
    }
    Ok(())
}

/// After a read that returned data: no delayed ACK for what comes next, so a
/// server that leaves Nagle on sends the rest of its response at once. Best
/// effort: a socket that refuses only loses the optimisation.
fn after_read(stream: &TcpStream, quickack: bool, read: &io::Result<usize>) {
    if quickack && matches!(read, Ok(n) if *n > 0) {
        let _ = imap_net::rearm_quickack(stream);
    }
}

fn map_read(r: io::Result<usize>) -> io::Result<ReadOutcome> {
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

impl Transport {
    /// Reads what is available, waiting at most `timeout`.
    pub(crate) fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<ReadOutcome> {
        match self {
            Transport::Tcp { stream, read_timeout, quickack } => {
                set_timeout(stream, read_timeout, timeout)?;
                let r = stream.read(buf);
                after_read(stream, *quickack, &r);
                map_read(r)
            }
            Transport::Tls { stream, read_timeout, quickack } => {
                set_timeout(&stream.sock, read_timeout, timeout)?;
                let r = stream.read(buf);
                after_read(&stream.sock, *quickack, &r);
                map_read(r)
            }
            Transport::Channel(c) => c.read(buf, timeout),
            Transport::Gone => Err(io::Error::new(io::ErrorKind::NotConnected, "transport gone")),
        }
    }

    pub(crate) fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self {
            Transport::Tcp { stream, .. } => stream.write(data),
            Transport::Tls { stream, .. } => stream.write(data),
            Transport::Channel(c) => c.writer.write(data),
            Transport::Gone => Err(io::Error::new(io::ErrorKind::NotConnected, "transport gone")),
        }
    }

    pub(crate) fn flush(&mut self) -> io::Result<()> {
        match self {
            Transport::Tcp { stream, .. } => stream.flush(),
            Transport::Tls { stream, .. } => stream.flush(),
            Transport::Channel(c) => c.writer.flush(),
            Transport::Gone => Ok(()),
        }
    }

    /// Sets the socket write timeout (TCP and TLS only).
    pub(crate) fn set_write_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Transport::Tcp { stream, .. } => stream.set_write_timeout(timeout),
            Transport::Tls { stream, .. } => stream.sock.set_write_timeout(timeout),
            _ => Ok(()),
        }
    }

    /// Wraps a TCP stream in TLS and completes the handshake.
    pub(crate) fn tls(
        mut tcp: TcpStream,
        tls: &TlsConfig,
        handshake_timeout: Duration,
        quickack: bool,
    ) -> Result<Transport> {
        let mut conn = tls.connection()?;
        tcp.set_read_timeout(Some(handshake_timeout))?;
        tcp.set_write_timeout(Some(handshake_timeout))?;
        while conn.is_handshaking() {
            // rustls reports its own errors as io::Error wrapping a
            // rustls::Error: TlsError classifies both.
            conn.complete_io(&mut tcp).map_err(|e| TlsError::from_io(e, handshake_timeout))?;
        }
        Ok(Transport::Tls {
            stream: Box::new(rustls::StreamOwned::new(conn, tcp)),
            read_timeout: Some(handshake_timeout),
            quickack,
        })
    }

    /// STARTTLS: the same TCP connection, now under TLS.
    pub(crate) fn upgrade(&mut self, tls: &TlsConfig, handshake_timeout: Duration) -> Result<()> {
        match std::mem::replace(self, Transport::Gone) {
            Transport::Tcp { stream, quickack, .. } => {
                *self = Transport::tls(stream, tls, handshake_timeout, quickack)?;
                Ok(())
            }
            other => {
                *self = other;
                Err(Error::Unsupported("STARTTLS on a connection that is not plain TCP"))
            }
        }
    }

    pub(crate) fn shutdown(&mut self) {
        match self {
            Transport::Tcp { stream, .. } => {
                let _ = stream.shutdown(Shutdown::Both);
            }
            Transport::Tls { stream, .. } => {
                stream.conn.send_close_notify();
                let _ = stream.conn.complete_io(&mut stream.sock);
                let _ = stream.sock.shutdown(Shutdown::Both);
            }
            Transport::Channel(_) | Transport::Gone => {}
        }
    }
}

/// Any `Read` + `Write` pair. A thread reads, so reads can time out.
pub(crate) struct ChannelStream {
    rx: Receiver<io::Result<Vec<u8>>>,
    pending: Vec<u8>,
    pending_at: usize,
    writer: Box<dyn Write + Send>,
    eof: bool,
}

impl ChannelStream {
    pub(crate) fn new<R, W>(mut reader: R, writer: W) -> Self
    where
        R: Read + Send + 'static,
        W: Write + Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel(8);
        std::thread::Builder::new()
            .name("imap-stream-reader".into())
            .spawn(move || {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    match reader.read(&mut buf) {
                        Ok(0) => {
                            let _ = tx.send(Ok(Vec::new()));
                            return;
                        }
                        Ok(n) => {
                            if tx.send(Ok(buf[..n].to_vec())).is_err() {
                                return;
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
            })
            .expect("spawn reader thread");
        Self { rx, pending: Vec::new(), pending_at: 0, writer: Box::new(writer), eof: false }
    }

    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<ReadOutcome> {
        if self.pending_at == self.pending.len() {
            if self.eof {
                return Ok(ReadOutcome::Eof);
            }
            match self.rx.recv_timeout(timeout) {
                Ok(Ok(chunk)) if chunk.is_empty() => {
                    self.eof = true;
                    return Ok(ReadOutcome::Eof);
                }
                Ok(Ok(chunk)) => {
                    self.pending = chunk;
                    self.pending_at = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(RecvTimeoutError::Timeout) => return Ok(ReadOutcome::TimedOut),
                Err(RecvTimeoutError::Disconnected) => {
                    self.eof = true;
                    return Ok(ReadOutcome::Eof);
                }
            }
        }
        let n = buf.len().min(self.pending.len() - self.pending_at);
        buf[..n].copy_from_slice(&self.pending[self.pending_at..self.pending_at + n]);
        self.pending_at += n;
        Ok(ReadOutcome::Data(n))
    }
}
