//! Shared by the integration tests: the project's own Dovecot (started by
//! `scripts/dovecot start`, idempotent) and helpers.
#![allow(dead_code, unreachable_pub, unused_imports)]

use imap_blocking::prelude::*;

use imap_blocking::{ConnectOptions, Security, Session};

pub use imap_conformance::dovecot::{message, server, unique};

/// Connection options for the test server with this security.
pub fn options(security: Security) -> ConnectOptions {
    server().options(security)
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
