//! Where and how to connect: host, port, [`Security`], TLS, timeouts and the
//! engine's settings.

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use imap_core::ClientConfig;

use crate::error::TlsConfigError;
use crate::tls::{server_name, TlsConfig, TlsOptions};

/// How the connection is secured.
///
/// ```
/// use imap_net::Security;
/// let security: Security = "imaps".parse().unwrap();
/// assert_eq!(security, Security::Tls);
/// assert_eq!(security.default_port(), 993);
/// assert_eq!(security.to_string(), "implicit TLS");
/// assert!("ssh".parse::<Security>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Security {
    /// TLS from the first byte (port 993). The default.
    #[default]
    Tls,
    /// A plain connection upgraded with STARTTLS before anything else (port
    /// 143). Fails if the server does not offer STARTTLS.
    StartTls,
    /// **No encryption.** Passwords travel in clear. Only for local test
    /// servers.
    Plain,
}

impl Security {
    /// The usual port: 993 for implicit TLS, 143 for STARTTLS and plain.
    pub fn default_port(self) -> u16 {
        match self {
            Security::Tls => 993,
            Security::StartTls | Security::Plain => 143,
        }
    }

    /// Whether the session runs under TLS (at once or after STARTTLS).
    pub fn uses_tls(self) -> bool {
        self != Security::Plain
    }
}

impl FromStr for Security {
    type Err = ParseSecurityError;

    /// Accepts, in any case, `tls`, `ssl` or `imaps`; `starttls`; `plain`,
    /// `none` or `insecure`.
    fn from_str(s: &str) -> Result<Self, ParseSecurityError> {
        match s.to_ascii_lowercase().as_str() {
            "tls" | "ssl" | "imaps" => Ok(Security::Tls),
            "starttls" => Ok(Security::StartTls),
            "plain" | "none" | "insecure" => Ok(Security::Plain),
            _ => Err(ParseSecurityError { input: s.to_owned() }),
        }
    }
}

impl fmt::Display for Security {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Security::Tls => "implicit TLS",
            Security::StartTls => "STARTTLS",
            Security::Plain => "plain text (no encryption)",
        })
    }
}

/// A security name that [`Security::from_str`] does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown security {input:?}: use tls (or ssl, imaps), starttls, or plain (or none, insecure)")]
pub struct ParseSecurityError {
    input: String,
}

impl ParseSecurityError {
    /// The text that was not understood.
    pub fn input(&self) -> &str {
        &self.input
    }
}

/// Where and how to connect; every driver reads the same fields.
///
/// The fields are public to read (and to set, for those who prefer); the
/// methods of the same names set them in a chain:
///
/// ```
/// use std::time::Duration;
/// use imap_net::{ConnectOptions, Security};
///
/// let options = ConnectOptions::new("localhost")
///     .security(Security::StartTls)
///     .connect_timeout(Duration::from_secs(5))
///     .ca_file("/etc/imap/test-ca.pem");
/// assert_eq!(options.server_port(), 143);
/// assert!(options.quickack);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// The server's host name or IP address; TLS verifies the certificate
    /// against it.
    pub host: String,
    /// The port; `None` means [`Security::default_port`].
    pub port: Option<u16>,
    /// TLS, STARTTLS or plain. Default [`Security::Tls`].
    pub security: Security,
    /// Certificate verification and client certificates.
    pub tls: TlsOptions,
    /// How long the TCP connect may take, and then the TLS handshake.
    /// Default 30 s.
    pub connect_timeout: Duration,
    /// How long one blocked write may take. Default 60 s.
    pub write_timeout: Duration,
    /// Re-arm TCP_QUICKACK after every read ([`rearm_quickack`](crate::rearm_quickack)),
    /// so that a server that leaves Nagle on never waits for a delayed ACK.
    /// Default on; off is for measuring the difference.
    pub quickack: bool,
    /// The protocol engine's settings (tag prefix, limits, leniency, trace,
    /// response timeout).
    pub engine: ClientConfig,
}

impl ConnectOptions {
    /// `host` with implicit TLS on port 993, the web PKI roots and default
    /// timeouts.
    pub fn new(host: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port: None,
            security: Security::Tls,
            tls: TlsOptions::new(),
            connect_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(60),
            quickack: true,
            engine: ClientConfig::default(),
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

    /// Certificate verification settings (replaces earlier ones, CA files
    /// added with [`ca_file`](Self::ca_file) included).
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.tls = tls;
        self
    }

    /// Also trusts the CA certificates in this PEM file (e.g. a self-signed
    /// test server's CA). Read when the TLS configuration is built.
    pub fn ca_file(mut self, path: impl AsRef<Path>) -> Self {
        self.tls = self.tls.add_ca_file(path);
        self
    }

    /// How long the TCP connect, and then the TLS handshake, may take.
    /// Default 30 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a command may wait for the server's answer with no progress
    /// before the session fails with a timeout. Default 60 s. Sets
    /// `engine.response_timeout`: call it after [`engine`](Self::engine).
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.engine.response_timeout = Some(timeout);
        self
    }

    /// How long one blocked write may take. Default 60 s.
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Whether to re-arm TCP_QUICKACK after every read. Default on.
    pub fn quickack(mut self, on: bool) -> Self {
        self.quickack = on;
        self
    }

    /// Keep the live protocol log from the first byte (greeting, STARTTLS,
    /// login): lines wait in the engine until the driver writes them out
    /// (e.g. `log_protocol_to` on a session). Sets `engine.protocol_log`.
    pub fn protocol_log(mut self, on: bool) -> Self {
        self.engine.protocol_log = on;
        self
    }

    /// The protocol engine's settings; replaces a
    /// [`response_timeout`](Self::response_timeout) set before.
    pub fn engine(mut self, config: ClientConfig) -> Self {
        self.engine = config;
        self
    }

    /// The port to connect to: the one set, else the security's default.
    pub fn server_port(&self) -> u16 {
        self.port.unwrap_or(self.security.default_port())
    }

    /// The rustls configuration and the name to verify, or `None` for
    /// [`Security::Plain`]. Reads the CA and client certificate files: build
    /// it once and reuse it for many connections.
    pub fn tls_config(&self) -> Result<Option<TlsConfig>, TlsConfigError> {
        if !self.security.uses_tls() {
            return Ok(None);
        }
        Ok(Some(TlsConfig::new(self.tls.client_config()?, server_name(&self.host)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_names_in_any_case() {
        for (text, want) in [
            ("tls", Security::Tls),
            ("SSL", Security::Tls),
            ("Imaps", Security::Tls),
            ("starttls", Security::StartTls),
            ("STARTTLS", Security::StartTls),
            ("plain", Security::Plain),
            ("none", Security::Plain),
            ("Insecure", Security::Plain),
        ] {
            assert_eq!(text.parse::<Security>(), Ok(want), "{text}");
        }
    }

    #[test]
    fn unknown_security_names_the_choices() {
        for text in ["", "start-tls", "tls1.3", "ssh"] {
            let err = text.parse::<Security>().unwrap_err();
            assert_eq!(err.input(), text);
            let message = err.to_string();
            assert!(message.contains("starttls") && message.contains("plain"), "{message}");
        }
    }

    #[test]
    fn security_ports_and_display() {
        assert_eq!(Security::default(), Security::Tls);
        assert_eq!(Security::Tls.default_port(), 993);
        assert_eq!(Security::StartTls.default_port(), 143);
        assert_eq!(Security::Plain.default_port(), 143);
        assert_eq!(Security::Tls.to_string(), "implicit TLS");
        assert_eq!(Security::StartTls.to_string(), "STARTTLS");
        assert_eq!(Security::Plain.to_string(), "plain text (no encryption)");
        assert!(Security::StartTls.uses_tls() && !Security::Plain.uses_tls());
    }

    #[test]
    fn options_defaults_and_builders() {
        let options = ConnectOptions::new("mail.example.org");
        assert_eq!(options.server_port(), 993);
        assert_eq!(options.connect_timeout, Duration::from_secs(30));
        assert_eq!(options.write_timeout, Duration::from_secs(60));
        assert_eq!(options.engine.response_timeout, Some(Duration::from_secs(60)));
        assert!(options.quickack);

        let options = options
            .security(Security::Plain)
            .engine(ClientConfig::default())
            .response_timeout(Duration::from_secs(5))
            .write_timeout(Duration::from_secs(7))
            .quickack(false);
        assert_eq!(options.server_port(), 143);
        assert_eq!(options.engine.response_timeout, Some(Duration::from_secs(5)));
        assert_eq!(options.write_timeout, Duration::from_secs(7));
        assert!(!options.quickack);
        assert_eq!(options.port(10143).server_port(), 10143);
    }

    #[test]
    fn plain_has_no_tls_config_and_reads_no_file() {
        let options = ConnectOptions::new("localhost").security(Security::Plain).ca_file("/nonexistent.pem");
        assert!(options.tls_config().unwrap().is_none());
        let err = options.security(Security::StartTls).tls_config().unwrap_err();
        assert!(matches!(err, TlsConfigError::ReadFile { .. }), "{err:?}");
    }
}
