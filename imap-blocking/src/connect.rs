//! Connecting: plain TCP, implicit TLS, STARTTLS, or any stream.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use imap_core::types::StateName;
use imap_core::{ClientConfig, Commands};
use imap_net::{ConnectError, Security, TlsOptions};

use crate::error::Result;
use crate::session::Session;
use crate::transport::{ChannelStream, Transport};

/// Where and how to connect: [`imap_net::ConnectOptions`], shared by every
/// driver, with a blocking [`connect`](Self::connect).
///
/// ```no_run
/// use imap_blocking::prelude::*;
/// use imap_blocking::{ConnectOptions, Security};
/// let mut session = ConnectOptions::new("imap.example.org")
///     .security(Security::Tls)
///     .connect()?;
/// session.login("alice", "secret")?;
/// # Ok::<(), imap_blocking::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ConnectOptions(imap_net::ConnectOptions);

impl ConnectOptions {
    /// Connect to `host` with implicit TLS on port 993 and default timeouts.
    pub fn new(host: impl Into<String>) -> Self {
        Self(imap_net::ConnectOptions::new(host))
    }

    /// The port (default: by security, 993 or 143).
    pub fn port(self, port: u16) -> Self {
        Self(self.0.port(port))
    }

    /// TLS, STARTTLS or plain.
    pub fn security(self, security: Security) -> Self {
        Self(self.0.security(security))
    }

    /// Certificate verification settings.
    pub fn tls(self, tls: TlsOptions) -> Self {
        Self(self.0.tls(tls))
    }

    /// Also trusts the CA certificates in this PEM file.
    pub fn ca_file(self, path: impl AsRef<Path>) -> Self {
        Self(self.0.ca_file(path))
    }

    /// How long the TCP connect, and then the TLS handshake, may take.
    /// Default 30 s.
    pub fn connect_timeout(self, timeout: Duration) -> Self {
        Self(self.0.connect_timeout(timeout))
    }

    /// How long a command may wait for the server's answer with no
    /// progress before the session fails with a timeout. Default 60 s.
    pub fn response_timeout(self, timeout: Duration) -> Self {
        Self(self.0.response_timeout(timeout))
    }

    /// How long a blocked write may take. Default 60 s.
    pub fn write_timeout(self, timeout: Duration) -> Self {
        Self(self.0.write_timeout(timeout))
    }

    /// Whether to re-arm TCP_QUICKACK after every read, so that a server
    /// that leaves Nagle on never waits for a delayed ACK (Linux; see
    /// [`imap_net::rearm_quickack`]). Default on.
    pub fn quickack(self, on: bool) -> Self {
        Self(self.0.quickack(on))
    }

    /// The protocol engine's settings (tag prefix, limits, leniency, trace).
    pub fn engine(self, config: ClientConfig) -> Self {
        Self(self.0.engine(config))
    }

    /// The shared options.
    pub fn net(&self) -> &imap_net::ConnectOptions {
        &self.0
    }

    /// Connects, waits for the greeting and, for STARTTLS, upgrades.
    pub fn connect(self) -> Result<Session> {
        let options = self.0;
        let port = options.server_port();
        let tls = options.tls_config()?;
        let tcp = connect_tcp(&options.host, port, options.connect_timeout)?;
        imap_net::tune_socket(&tcp, options.quickack)?;
        tcp.set_write_timeout(Some(options.write_timeout))?;
        let transport = match &tls {
            Some(tls) if options.security == Security::Tls => {
                let mut t = Transport::tls(tcp, tls, options.connect_timeout, options.quickack)?;
                t.set_write_timeout(Some(options.write_timeout))?;
                t
            }
            _ => Transport::Tcp { stream: tcp, read_timeout: None, quickack: options.quickack },
        };
        let core = imap_core::Client::new(options.engine);
        let mut session = Session::new(core, transport, options.connect_timeout);
        // STARTTLS, now or later, upgrades with the same settings.
        session.tls = Some((options.host, options.tls));
        session.wait_for_greeting()?;
        if options.security == Security::StartTls {
            session.starttls()?;
        }
        Ok(session)
    }
}

impl From<imap_net::ConnectOptions> for ConnectOptions {
    fn from(options: imap_net::ConnectOptions) -> Self {
        Self(options)
    }
}

/// The first address of `host` that accepts, else why the last one failed.
fn connect_tcp(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, ConnectError> {
    let mut error = None;
    for addr in imap_net::resolve(host, port)? {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => return Ok(stream),
            Err(e) => error = Some(e),
        }
    }
    let error = error.unwrap_or_else(|| io::ErrorKind::AddrNotAvailable.into());
    Err(ConnectError::from_connect(host, port, timeout, error))
}

impl Session {
    /// A session over any byte stream, e.g. a child process speaking IMAP
    /// on its stdio (imaplib's `IMAP4_stream`). The stream is read on a
    /// helper thread so that reads time out.
    ///
    /// ```no_run
    /// use std::process::{Command, Stdio};
    /// let mut child = Command::new("/usr/lib/dovecot/imap")
    ///     .stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
    /// let (out, inp) = (child.stdout.take().unwrap(), child.stdin.take().unwrap());
    /// let session = imap_blocking::Session::from_stream(out, inp, Default::default())?;
    /// # Ok::<(), imap_blocking::Error>(())
    /// ```
    pub fn from_stream<R, W>(reader: R, writer: W, config: ClientConfig) -> Result<Session>
    where
        R: Read + Send + 'static,
        W: Write + Send + 'static,
    {
        let transport = Transport::Channel(ChannelStream::new(reader, writer));
        let mut session = Session::new(imap_core::Client::new(config), transport, Duration::from_secs(30));
        session.wait_for_greeting()?;
        Ok(session)
    }

    fn wait_for_greeting(&mut self) -> Result<()> {
        self.wait_until(|s| s.core.state() != StateName::Greeting && s.core.capabilities_known())
    }
}
