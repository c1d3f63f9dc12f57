//! The project's Dovecot (started by `scripts/dovecot start`) for the async
//! driver's tests.
#![allow(dead_code, unreachable_pub, unused_imports)]

use imap_smol::{ConnectOptions, Connection, Security, Session};

pub use imap_conformance::dovecot::{message, server};

pub fn options(security: Security) -> ConnectOptions {
    server().options(security)
}

/// Connected (the connection future is the caller's to spawn).
pub async fn connect(security: Security) -> (Session, Connection) {
    imap_smol::connect(options(security)).await.expect("connect")
}

/// A mailbox name of its own for a test.
pub fn unique(prefix: &str) -> String {
    imap_conformance::dovecot::unique(&format!("smol-{prefix}"))
}
