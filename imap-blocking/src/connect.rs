//! Connecting: plain TCP, implicit TLS, STARTTLS, or any stream.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use imap_core::{ClientConfig, StateName};

use crate::error::{Error, Result};
use crate::session::Session;
use crate::tls::{server_name, TlsOptions};
use crate::transport::{ChannelStream, Transport};

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    /// TLS from the first byte (port 993). The default.
    #[default]
    Tls,
    /// Plain connection upgraded with STARTTLS before anything else (port 143).
    /// Fails if the server does not offer STARTTLS.
    StartTls,
    /// **No encryption.** Passwords travel in clear. Only for local test
    /// servers.
    Plain,
}

impl Security {
    /// The usual port.
    pub fn default_port(self) -> u16 {
        match self {
            Security::Tls => 993,
            Security::StartTls | Security::Plain => 143,
        }
    }
}

impl std::str::FromStr for Security {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "tls" | "ssl" | "imaps" => Ok(Security::Tls),
            "starttls" => Ok(Security::StartTls),
            "plain" | "none" | "insecure" => Ok(Security::Plain),
            other => Err(Error::Config(format!("security must be tls, starttls or plain, not {other:?}"))),
        }
    }
}

/// Where and how to connect.
///
/// ```no_run
/// use imap_blocking::{ConnectOptions, Security};
/// let mut session = ConnectOptions::new("imap.example.org")
///     .security(Security::Tls)
///     .connect()?;
/// session.login("alice", "secret")?;
/// # Ok::<(), imap_blocking::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    host: String,
    port: Option<u16>,
    security: Security,
    tls: TlsOptions,
    connect_timeout: Duration,
    write_timeout: Duration,
    core: ClientConfig,
}

impl ConnectOptions {
    /// Connect to `host` with implicit TLS on port 993 and default timeouts.
    pub fn new(host: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port: None,
            security: Security::Tls,
            tls: TlsOptions::new(),
            connect_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(60),
            core: ClientConfig::default(),
        }
    }

    /// The port (default: by security, 993 or 143).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// TLS, STARTTLS or plain.
    pub fn security(mut self, security: Security) -> Self {
        self.security = security;
        self
    }

    /// Certificate verification settings.
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    /// Also trusts the CA certificates in this PEM file.
    pub fn ca_file(mut self, path: impl AsRef<Path>) -> Self {
        self.tls = self.tls.add_ca_file(path);
        self
    }

    /// How long the TCP connect (and the TLS handshake) may take. Default 30 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a command may wait for the server's answer with no
    /// progress before the session fails with a timeout. Default 60 s.
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.core.response_timeout = Some(timeout);
        self
    }

    /// How long a blocked write may take. Default 60 s.
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// The protocol engine's settings (tag prefix, limits, leniency, trace).
    pub fn engine(mut self, config: ClientConfig) -> Self {
        self.core = config;
        self
    }

    /// Connects, waits for the greeting and, for STARTTLS, upgrades.
    pub fn connect(self) -> Result<Session> {
        let port = self.port.unwrap_or(self.security.default_port());
        let tcp = connect_tcp(&self.host, port, self.connect_timeout)?;
        tcp.set_nodelay(true)?;
        tcp.set_write_timeout(Some(self.write_timeout))?;
        let core = imap_core::Client::new(self.core);
        let needs_tls = self.security != Security::Plain;
        let tls = if needs_tls { Some((self.tls.client_config()?, server_name(&self.host)?)) } else { None };
        let transport = match (&tls, self.security) {
            (Some((config, name)), Security::Tls) => {
                let mut t = Transport::tls(tcp, config.clone(), name.clone(), self.connect_timeout)?;
                t.set_write_timeout(Some(self.write_timeout))?;
                t
            }
            _ => Transport::Tcp { stream: tcp, read_timeout: None },
        };
        let mut session = Session::new(core, transport, self.connect_timeout);
        session.tls = tls;
        session.wait_for_greeting()?;
        if self.security == Security::StartTls {
            session.starttls()?;
        }
        Ok(session)
    }
}

fn connect_tcp(host: &str, port: u16, timeout: Duration) -> Result<TcpStream> {
    let addrs: Vec<_> = (host, port).to_socket_addrs()?.collect();
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, timeout) {
            Ok(s) => return Ok(s),
            Err(e) => last = Some(e),
        }
    }
    match last {
        Some(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            Err(Error::ConnectTimeout(format!("{host}:{port}")))
        }
        Some(e) => Err(Error::Io(e)),
        None => Err(Error::Config(format!("{host} resolves to no address"))),
    }
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

    /// Upgrades a plain connection with STARTTLS and re-reads the
    /// capabilities. Fails if the server does not offer STARTTLS.
    pub fn starttls(&mut self) -> Result<()> {
        if !self.core.capabilities().has(&imap_core::Capability::StartTls) {
            return Err(Error::Unsupported("STARTTLS"));
        }
        if self.tls.is_none() {
            return Err(Error::Config("no TLS settings for STARTTLS".into()));
        }
        self.execute(imap_core::Command::StartTls)?;
        self.wait_until(|s| s.core.capabilities_known())
    }
}
