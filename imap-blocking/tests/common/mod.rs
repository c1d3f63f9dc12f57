//! Shared by the integration tests: the project's own Dovecot (started by
//! `scripts/dovecot start`, idempotent) and helpers.
#![allow(dead_code, unreachable_pub)]

use imap_blocking::prelude::*;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use imap_blocking::{ConnectOptions, Security, Session};

#[derive(Debug, Clone)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub tls_port: u16,
    pub user: String,
    pub password: String,
    pub user2: String,
    pub password2: String,
    pub ca_file: PathBuf,
    pub state_dir: PathBuf,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_owned()
}

/// Starts the test server once per test binary and returns its settings.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let script = repo_root().join("scripts/dovecot");
        let status = Command::new(&script).arg("start").status().expect("run scripts/dovecot start");
        assert!(status.success(), "scripts/dovecot start failed");
        let out = Command::new(&script).arg("env").output().expect("run scripts/dovecot env");
        assert!(out.status.success(), "scripts/dovecot env failed");
        let text = String::from_utf8(out.stdout).expect("env output is UTF-8");
        let var = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("export {name}=")))
                .unwrap_or_else(|| panic!("{name} missing from scripts/dovecot env"))
                .trim_matches('\'')
                .trim_matches('"')
                .to_owned()
        };
        Server {
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

/// Connection options for the test server with this security.
pub fn options(security: Security) -> ConnectOptions {
    let s = server();
    let port = if security == Security::Tls { s.tls_port } else { s.port };
    ConnectOptions::new(s.host.clone())
        .port(port)
        .security(security)
        .ca_file(&s.ca_file)
        .response_timeout(Duration::from_secs(30))
}

/// A session logged in as the first test user, over STARTTLS.
pub fn login() -> Session {
    let s = server();
    let mut session = options(Security::StartTls).connect().expect("connect");
    session.login(&s.user, &s.password).expect("login");
    session
}

/// A session logged in as the second test user.
pub fn login_second_user() -> Session {
    let s = server();
    let mut session = options(Security::StartTls).connect().expect("connect");
    session.login(&s.user2, &s.password2).expect("login");
    session
}

/// A mailbox name no other test uses, created, and deleted when dropped.
pub struct TempMailbox {
    pub name: String,
}

impl TempMailbox {
    pub fn new(session: &mut Session, prefix: &str) -> Self {
        let name = unique(prefix);
        session.create(&name).expect("create test mailbox");
        TempMailbox { name }
    }
}

impl Drop for TempMailbox {
    fn drop(&mut self) {
        // A separate connection, so it works whatever state the test left.
        if let Ok(mut s) = options(Security::Plain).connect() {
            let srv = server();
            if s.login(&srv.user, &srv.password).is_ok() {
                let _ = s.delete(&self.name);
            }
        }
    }
}

/// A unique name: prefix, process id, counter.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

/// A small RFC 5322 message.
pub fn message(subject: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Alice Example <alice@example.org>\r\nTo: Bob <bob@example.net>\r\nSubject: {subject}\r\n\
         Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <{}@example.org>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        unique("msg")
    )
    .into_bytes()
}
