//! Connecting: plain TCP, implicit TLS, STARTTLS, or any stream.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use imap_core::types::StateName;
use imap_core::{ClientConfig, Commands};
use imap_net::{ConnectError, ConnectOptions, Security};

use crate::session::Session;
use crate::transport::{ChannelStream, Socket, Transport};
use imap_net::Result;

/// Connects with [`ConnectOptions`] (the options every driver shares):
/// `ConnectOptions::new(host)...connect()` once this trait is in scope
/// (`use imap_blocking::prelude::*`).
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
pub trait Connect {
    /// Connects, waits for the greeting and, for STARTTLS, upgrades.
    fn connect(self) -> Result<Session>;
}

impl Connect for ConnectOptions {
    fn connect(self) -> Result<Session> {
        let port = self.server_port();
        let tls = self.tls_config()?;
        let tcp = connect_tcp(&self.host, port, self.connect_timeout)?;
        imap_net::tune_socket(&tcp, self.quickack)?;
        tcp.set_write_timeout(Some(self.write_timeout))?;
        let mut socket = Socket::new(tcp, self.quickack);
        if let (Some(tls), Security::Tls) = (&tls, self.security) {
            socket.start_tls(tls, self.connect_timeout)?;
        }
        let transport = Transport::Socket(socket);
        let core = imap_core::Client::new(self.engine);
        let mut session = Session::new(core, transport, self.connect_timeout);
        // STARTTLS, now or later, upgrades with the same settings.
        session.tls = Some((self.host, self.tls));
        session.wait_for_greeting()?;
        if self.security == Security::StartTls {
            session.starttls()?;
        }
        Ok(session)
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
        let transport = Transport::Channel(ChannelStream::new(reader, writer)?);
        let mut session = Session::new(imap_core::Client::new(config), transport, Duration::from_secs(30));
        session.wait_for_greeting()?;
        Ok(session)
    }

    /// A session with a child process that speaks IMAP on its stdin and
    /// stdout (imaplib's `IMAP4_stream`), such as a server's IMAP binary
    /// run for one user, or `ssh host imapd`. Its stdin and stdout are
    /// piped here; when the session ends its stdin is closed and it is
    /// reaped (killed if it has not exited two seconds later).
    ///
    /// ```no_run
    /// use std::process::Command;
    /// let mut imap = imap_blocking::Session::spawn(
    ///     Command::new("/usr/lib/dovecot/imap").args(["-u", "alice"]),
    ///     Default::default(),
    /// )?;
    /// # Ok::<(), imap_blocking::Error>(())
    /// ```
    pub fn spawn(command: &mut std::process::Command, config: ClientConfig) -> Result<Session> {
        use std::process::Stdio;
        let child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
        let transport = Transport::Channel(ChannelStream::child(child)?);
        let mut session = Session::new(imap_core::Client::new(config), transport, Duration::from_secs(30));
        session.wait_for_greeting()?;
        Ok(session)
    }

    fn wait_for_greeting(&mut self) -> Result<()> {
        let greeted = |s: &mut Self| {
            (s.core.state() != StateName::Greeting && s.core.capabilities_known()).then_some(())
        };
        self.wait_for(None, greeted).map(drop)
    }
}
