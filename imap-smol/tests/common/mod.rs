//! The project's Dovecot (started by `scripts/dovecot start`) for the async
//! driver's tests.
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use imap_smol::{ConnectOptions, Connection, Security, Session};

#[derive(Debug, Clone)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub tls_port: u16,
    pub user: String,
    pub password: String,
    pub ca_file: PathBuf,
}

pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/dovecot");
        let status = Command::new(&script).arg("start").status().expect("run scripts/dovecot start");
        assert!(status.success(), "scripts/dovecot start failed");
        let out = Command::new(&script).arg("env").output().expect("run scripts/dovecot env");
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        let var = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("export {name}=")))
                .unwrap_or_else(|| panic!("{name} missing from scripts/dovecot env"))
                .trim_matches(['\'', '"'])
                .to_owned()
        };
        Server {
            host: var("IMAP_HOST"),
            port: var("IMAP_PORT").parse().expect("port"),
            tls_port: var("IMAP_TLS_PORT").parse().expect("port"),
            user: var("IMAP_USER"),
            password: var("IMAP_PASSWORD"),
            ca_file: PathBuf::from(var("IMAP_CA_FILE")),
        }
    })
}

pub fn options(security: Security) -> ConnectOptions {
    let s = server();
    let port = if security == Security::Tls { s.tls_port } else { s.port };
    ConnectOptions::new(s.host.clone())
        .port(port)
        .security(security)
        .ca_file(&s.ca_file)
        .response_timeout(Duration::from_secs(30))
}

/// Connected (the connection future is the caller's to spawn).
pub async fn connect(security: Security) -> (Session, Connection) {
    imap_smol::connect(options(security)).await.expect("connect")
}

/// A mailbox of its own for a test, deleted at the end.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("smol-{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

pub fn message(subject: &str, body: &str) -> Vec<u8> {
    format!("From: test@example.org\r\nTo: alice@example.org\r\nSubject: {subject}\r\n\r\n{body}\r\n")
        .into_bytes()
}
