//! What can go wrong while connecting, each message naming the likely fix.
//!
//! - [`ConnectError`]: the server could not be reached (name, port, network).
//! - [`TlsError`]: it was reached, but the TLS handshake failed.
//! - [`TlsConfigError`]: the TLS settings themselves are unusable (a CA file
//!   that cannot be read, a key that does not match its certificate); found
//!   before anything is sent.
//!
//! Each message is whole on one line, the underlying error included, so
//! that printing it with `{}` says everything; the underlying error is kept
//! in the variant for matching, not repeated through `source()`.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use rustls::pki_types::pem;
use rustls::{CertificateError, InvalidMessage};

/// The server could not be reached.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The host name does not resolve (a typo, or no DNS).
    #[error("cannot resolve the host name {host:?} ({error}): check the server name")]
    Resolve {
        /// The name that did not resolve.
        host: String,
        /// What the resolver said.
        error: io::Error,
    },
    /// The host name resolved to no address at all.
    #[error("the host name {host:?} resolves to no address: check the server name")]
    NoAddress {
        /// The name.
        host: String,
    },
    /// Connection refused: the host is up, but nothing listens on the port.
    #[error(
        "nothing listens on {} (connection refused): check the port (IMAP uses 993 for implicit TLS, \
         143 for STARTTLS and plain text)",
        HostPort(.host, *.port)
    )]
    Refused {
        /// The host as given.
        host: String,
        /// The port.
        port: u16,
    },
    /// No answer within the connect timeout: the host is down, or a firewall
    /// drops the packets.
    #[error(
        "no answer from {} within {after:?}: the server may be down or a firewall may drop the \
         connection; check the host and port, or raise the connect timeout",
        HostPort(.host, *.port)
    )]
    TimedOut {
        /// The host as given.
        host: String,
        /// The port.
        port: u16,
        /// The connect timeout that ran out.
        after: Duration,
    },
    /// Any other failure to connect (network unreachable, ...).
    #[error("cannot connect to {}: {error}", HostPort(.host, *.port))]
    Io {
        /// The host as given.
        host: String,
        /// The port.
        port: u16,
        /// The system's error.
        error: io::Error,
    },
}

impl ConnectError {
    /// Classifies the error of a failed TCP connect to `host:port` (refused,
    /// timed out after `timeout`, or other).
    pub fn from_connect(host: &str, port: u16, timeout: Duration, error: io::Error) -> Self {
        let host = host.to_owned();
        match error.kind() {
            io::ErrorKind::ConnectionRefused => ConnectError::Refused { host, port },
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                ConnectError::TimedOut { host, port, after: timeout }
            }
            _ => ConnectError::Io { host, port, error },
        }
    }
}

/// The TLS handshake failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The server's first bytes were not TLS: it greeted in plain text, as
    /// on the STARTTLS port (143) or a plain one.
    #[error("the server answered in plain text: is this the STARTTLS port? use Security::StartTls")]
    PlaintextServer,
    /// The certificate chain does not lead to a trusted CA (a self-signed or
    /// private-CA server).
    #[error("the server's certificate is signed by an unknown CA ({0}): add the server's CA with ca_file")]
    UnknownIssuer(rustls::Error),
    /// The certificate is not for the host name (or address) connected to.
    #[error(
        "the server's certificate is not valid for this host name ({0}): connect with a name the \
         certificate lists"
    )]
    WrongName(rustls::Error),
    /// The certificate was refused for another reason (expired, revoked,
    /// wrong purpose...).
    #[error("the server's certificate was refused: {0}")]
    Certificate(rustls::Error),
    /// Another TLS failure (no common protocol version or cipher suite, an
    /// alert from the server, a malformed message...).
    #[error("the TLS handshake failed: {0}")]
    Handshake(rustls::Error),
    /// The handshake did not finish within the connect timeout.
    #[error("the TLS handshake did not finish within {after:?}: the server is stalled or slow; raise the connect timeout")]
    TimedOut {
        /// The timeout that ran out.
        after: Duration,
    },
    /// The server closed the connection in the middle of the handshake.
    #[error("the server closed the connection during the TLS handshake")]
    Closed,
    /// The connection failed during the handshake.
    #[error("the connection failed during the TLS handshake: {0}")]
    Io(io::Error),
}

impl TlsError {
    /// Classifies an I/O error from a handshake: rustls errors wrapped in
    /// `io::Error` (as `rustls::StreamOwned` and the async TLS streams report
    /// them), timeouts of a read that was given `timeout`, EOF, the rest.
    pub fn from_io(error: io::Error, timeout: Duration) -> Self {
        if let Some(tls) = error.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
            return tls.clone().into();
        }
        match error.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => TlsError::TimedOut { after: timeout },
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => TlsError::Closed,
            _ => TlsError::Io(error),
        }
    }

    /// The rustls error behind this one, if any.
    pub fn rustls_error(&self) -> Option<&rustls::Error> {
        match self {
            TlsError::UnknownIssuer(e)
            | TlsError::WrongName(e)
            | TlsError::Certificate(e)
            | TlsError::Handshake(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rustls::Error> for TlsError {
    fn from(error: rustls::Error) -> Self {
        match &error {
            // The first record's type byte is not a TLS content type: `*` of
            // `* OK` (0x2a) is what an IMAP greeting starts with.
            rustls::Error::InvalidMessage(InvalidMessage::InvalidContentType) => TlsError::PlaintextServer,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
                TlsError::UnknownIssuer(error)
            }
            rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            ) => TlsError::WrongName(error),
            rustls::Error::InvalidCertificate(_) => TlsError::Certificate(error),
            _ => TlsError::Handshake(error),
        }
    }
}

/// The TLS settings cannot be used. Found when the configuration is built,
/// before anything is sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsConfigError {
    /// A CA or client certificate file cannot be read.
    #[error("cannot read {}: {error}", .path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
    /// A file or text is not valid PEM.
    #[error("{origin} is not valid PEM: {error}")]
    Pem {
        /// Where the PEM came from.
        origin: PemOrigin,
        /// What is wrong with it.
        error: pem::Error,
    },
    /// A file or text meant to hold certificates holds none.
    #[error("{origin} holds no certificate (no \"-----BEGIN CERTIFICATE-----\")")]
    NoCertificate {
        /// Where the PEM came from.
        origin: PemOrigin,
    },
    /// A CA certificate cannot be used as a trust anchor.
    #[error("a CA certificate in {origin} cannot be used: {error}")]
    BadCaCertificate {
        /// Where the PEM came from.
        origin: PemOrigin,
        /// What rustls said.
        error: rustls::Error,
    },
    /// [`only_added_cas`](crate::TlsOptions::only_added_cas) was asked for,
    /// but no CA was added: no server could be trusted.
    #[error("only added CAs are trusted, but none was added: add the server's CA with ca_file")]
    NoTrustAnchors,
    /// A client key file or text holds no private key.
    #[error("{origin} holds no private key (no \"-----BEGIN ... PRIVATE KEY-----\")")]
    NoPrivateKey {
        /// Where the PEM came from.
        origin: PemOrigin,
    },
    /// The client certificate and key cannot be used together (the key does
    /// not match the certificate, or is of an unsupported kind).
    #[error("the client certificate and key cannot be used: {0}")]
    ClientCertificate(rustls::Error),
    /// The operating system's trust store cannot be used (none found).
    #[error("cannot use the operating system's trust store: {0}")]
    OsTrustStore(rustls::Error),
    /// Android's OS verifier takes no extra CAs: use either the OS trust
    /// store or added CAs there.
    #[error("the OS trust store of this platform takes no added CAs: use one or the other")]
    OsTrustStoreWithAddedCas,
    /// The crypto provider supports no TLS version rustls offers by default.
    #[error("the crypto provider cannot do TLS 1.2 or 1.3: {0}")]
    Provider(rustls::Error),
    /// The host is neither a DNS name nor an IP address, so no certificate
    /// can be checked against it.
    #[error("{host:?} is not a valid DNS name or IP address to verify a certificate against")]
    InvalidServerName {
        /// The host as given.
        host: String,
    },
}

/// Where PEM data came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PemOrigin {
    /// A file.
    File(PathBuf),
    /// Text passed in memory.
    Text,
}

impl fmt::Display for PemOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PemOrigin::File(path) => write!(f, "the file {}", path.display()),
            PemOrigin::Text => f.write_str("the PEM text"),
        }
    }
}

/// `host:port`, with an IPv6 address in brackets.
struct HostPort<'a>(&'a str, u16);

impl fmt::Display for HostPort<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.contains(':') {
            write!(f, "[{}]:{}", self.0, self.1)
        } else {
            write!(f, "{}:{}", self.0, self.1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_errors_name_the_place_and_the_fix() {
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        let err = ConnectError::from_connect("127.0.0.1", 9, Duration::from_secs(1), refused);
        assert!(matches!(err, ConnectError::Refused { port: 9, .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.starts_with("nothing listens on 127.0.0.1:9"), "{message}");
        assert!(message.contains("check the port"), "{message}");

        let timed_out = io::Error::from(io::ErrorKind::TimedOut);
        let err = ConnectError::from_connect("::1", 993, Duration::from_secs(3), timed_out);
        assert!(err.to_string().starts_with("no answer from [::1]:993 within 3s"), "{err}");

        let other = io::Error::from(io::ErrorKind::PermissionDenied);
        let err = ConnectError::from_connect("mail.example.org", 143, Duration::from_secs(3), other);
        assert!(matches!(err, ConnectError::Io { .. }));
        assert!(err.to_string().starts_with("cannot connect to mail.example.org:143: "), "{err}");
    }

    #[test]
    fn rustls_errors_are_classified() {
        let plain = TlsError::from(rustls::Error::InvalidMessage(InvalidMessage::InvalidContentType));
        assert!(matches!(plain, TlsError::PlaintextServer));
        assert!(plain.to_string().contains("use Security::StartTls"));

        let unknown = TlsError::from(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer));
        assert!(matches!(unknown, TlsError::UnknownIssuer(_)));
        let message = unknown.to_string();
        assert!(message.contains("unknown CA") && message.contains("ca_file"), "{message}");
        assert!(message.contains("UnknownIssuer"), "{message}");
        assert!(unknown.rustls_error().is_some());

        let name = TlsError::from(rustls::Error::InvalidCertificate(CertificateError::NotValidForName));
        assert!(matches!(name, TlsError::WrongName(_)));
        let expired = TlsError::from(rustls::Error::InvalidCertificate(CertificateError::Expired));
        assert!(matches!(expired, TlsError::Certificate(_)));
        let other = TlsError::from(rustls::Error::HandshakeNotComplete);
        assert!(matches!(other, TlsError::Handshake(_)));
    }

    #[test]
    fn io_errors_from_a_handshake_are_classified() {
        let wrapped = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidMessage(InvalidMessage::InvalidContentType),
        );
        assert!(matches!(TlsError::from_io(wrapped, Duration::ZERO), TlsError::PlaintextServer));
        let timeout = Duration::from_secs(2);
        let slow = TlsError::from_io(io::ErrorKind::WouldBlock.into(), timeout);
        assert!(matches!(slow, TlsError::TimedOut { after } if after == timeout));
        let eof = TlsError::from_io(io::ErrorKind::UnexpectedEof.into(), timeout);
        assert!(matches!(eof, TlsError::Closed));
        let other = TlsError::from_io(io::ErrorKind::PermissionDenied.into(), timeout);
        assert!(matches!(other, TlsError::Io(_)));
    }
}
