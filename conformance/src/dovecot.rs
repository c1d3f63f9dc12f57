//! The project's own Dovecot for integration tests: started once per test
//! process by `scripts/dovecot start` (idempotent; installs Dovecot from
//! apt if missing), its settings read from `scripts/dovecot env`. Every
//! driver's Dovecot tests use this, so the test server is found one way.
//!
//! ```no_run
//! use imap_conformance::dovecot;
//! let server = dovecot::server();
//! let options = server.options(imap_net::Security::StartTls); // CA trusted, 30 s timeout
//! # let _ = options;
//! ```

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use imap_net::{ConnectOptions, Security};

/// The running test server's settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TestServer {
    /// Loopback address.
    pub host: String,
    /// IMAP with STARTTLS (and plain text).
    pub port: u16,
    /// Implicit TLS.
    pub tls_port: u16,
    /// The first test account.
    pub user: String,
    /// Its password.
    pub password: String,
    /// A second account.
    pub user2: String,
    /// Its password.
    pub password2: String,
    /// The CA that signed the server's certificate.
    pub ca_file: PathBuf,
    /// The server's state directory (configuration, mail, logs).
    pub state_dir: PathBuf,
}

/// Starts the server once per process and returns its settings; panics
/// with the script's message if it cannot.
pub fn server() -> &'static TestServer {
    static SERVER: OnceLock<TestServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/dovecot");
        let status = Command::new(&script).arg("start").status().expect("run scripts/dovecot start");
        assert!(status.success(), "scripts/dovecot start failed");
        let out = Command::new(&script).arg("env").output().expect("run scripts/dovecot env");
        assert!(out.status.success(), "scripts/dovecot env failed");
        let text = String::from_utf8(out.stdout).expect("env output is UTF-8");
        let var = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("export {name}=")))
                .unwrap_or_else(|| panic!("{name} missing from scripts/dovecot env"))
                .trim_matches(['\'', '"'])
                .to_owned()
        };
        TestServer {
            host: var("IMAP_HOST"),
            port: var("IMAP_PORT").parse().expect("port"),
            tls_port: var("IMAP_TLS_PORT").parse().expect("port"),
            user: var("IMAP_USER"),
            password: var("IMAP_PASSWORD"),
            user2: var("IMAP_USER2"),
            password2: var("IMAP_PASSWORD2"),
            ca_file: PathBuf::from(var("IMAP_CA_FILE")),
            state_dir: PathBuf::from(var("IMAP_TEST_DIR")),
        }
    })
}

impl TestServer {
    /// Options for this server with `security` (the right port), its CA
    /// trusted and a 30 s response timeout.
    pub fn options(&self, security: Security) -> ConnectOptions {
        let port = if security == Security::Tls { self.tls_port } else { self.port };
        ConnectOptions::new(self.host.clone())
            .port(port)
            .security(security)
            .ca_file(&self.ca_file)
            .response_timeout(Duration::from_secs(30))
    }
}

/// A name no other test (nor another run at the same time) uses:
/// `prefix-pid-counter`.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

/// A small RFC 5322 message with a unique Message-ID.
pub fn message(subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Alice Example <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: {subject}\r\n\
         Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <{}@example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        unique("msg")
    )
    .into_bytes()
}
