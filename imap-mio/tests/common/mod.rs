//! The project's Dovecot (started by `scripts/dovecot start`) for the mio
//! driver's tests, and a few ways to turn a [`Pool`] until something holds.
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use imap_mio::imap_core::request::Request;
use imap_mio::imap_core::ConnectionError;
use imap_mio::mio::Token;
use imap_mio::prelude::*;
use imap_mio::{ConnectOptions, Connection, Connector, Error, Pool, Progress, Result, Security};

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

pub fn connector(security: Security) -> Connector {
    Connector::new(options(security)).expect("TLS settings")
}

/// A mailbox of its own for a test.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("mio-{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

pub fn message(subject: &str, body: &str) -> Vec<u8> {
    format!("From: test@example.org\r\nTo: alice@example.org\r\nSubject: {subject}\r\n\r\n{body}\r\n")
        .into_bytes()
}

/// Turns the pool until `done` holds; panics after `limit`. Progress is
/// handed to `seen` (closes included) as it comes.
pub fn turn_until(
    pool: &mut Pool,
    limit: Duration,
    mut seen: impl FnMut(&mut Pool, Token, Progress),
    mut done: impl FnMut(&mut Pool) -> bool,
) {
    let deadline = Instant::now() + limit;
    while !done(pool) {
        let now = Instant::now();
        assert!(now < deadline, "not done within {limit:?}");
        pool.poll(Some(deadline - now)).expect("poll");
        while let Some((token, progress)) = pool.poll_progress() {
            seen(pool, token, progress);
        }
    }
}

/// Runs one request on `token` to its end, turning every connection of the
/// pool meanwhile.
pub fn run<T>(pool: &mut Pool, token: Token, request: Request<T>) -> Result<T> {
    let handle = conn(pool, token).run(request)?;
    let mut result = None;
    turn_until(
        pool,
        Duration::from_secs(60),
        |_, _, _| {},
        |pool| {
            let c = conn(pool, token);
            let closed = Error::Connection(ConnectionError::ClosedByClient);
            result = c.take(&handle).or_else(|| c.is_closed().then(|| Err(c.take_error().unwrap_or(closed))));
            result.is_some()
        },
    );
    result.expect("done")
}

/// Connects and logs in (every other connection of the pool turns too).
pub fn login(pool: &mut Pool, connection: Connection) -> Token {
    let token = pool.add(connection).expect("register");
    turn_until(
        pool,
        Duration::from_secs(30),
        |_, _, _| {},
        |pool| {
            let c = conn(pool, token);
            assert!(!c.is_closed(), "connect failed: {:?}", c.error());
            c.is_connected()
        },
    );
    let s = server();
    run(pool, token, imap_mio::imap_core::request::login(s.user.as_str(), s.password.as_str()))
        .expect("login");
    token
}

pub fn conn(pool: &mut Pool, token: Token) -> &mut Connection {
    pool.get_mut(token).expect("a connection of the pool")
}
