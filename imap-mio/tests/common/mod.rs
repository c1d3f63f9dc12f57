//! The project's Dovecot (started by `scripts/dovecot start`) for the mio
//! driver's tests, and a few ways to turn a [`Pool`] until something holds.
#![allow(dead_code, unreachable_pub, unused_imports)]

use std::time::{Duration, Instant};

use imap_mio::imap_core::request::Request;
use imap_mio::imap_core::ConnectionError;
use imap_mio::mio::Token;
use imap_mio::prelude::*;
use imap_mio::{ConnectOptions, Connection, Connector, Error, Pool, Progress, Result, Security};

pub use imap_conformance::dovecot::server;

pub fn options(security: Security) -> ConnectOptions {
    server().options(security)
}

pub fn connector(security: Security) -> Connector {
    Connector::new(options(security)).expect("TLS settings")
}

/// A mailbox of its own for a test.
pub fn unique(prefix: &str) -> String {
    imap_conformance::dovecot::unique(&format!("mio-{prefix}"))
}

pub use imap_conformance::dovecot::message;

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
