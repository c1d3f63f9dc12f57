//! Server settings shared by the examples: flags, then `IMAP_*` environment
//! variables (`scripts/dovecot env` prints the local test server's).
#![allow(dead_code, unreachable_pub)]

use std::process::exit;

use imap_blocking::imap_net::Settings;
use imap_blocking::prelude::*;
use imap_blocking::{Error, Session};

/// The settings from the command line and environment; exits on `--help`
/// or a bad flag.
pub fn settings(usage: &str) -> Settings {
    Settings::for_tool(usage)
}

/// Connects and logs in; exits with a clear message on failure.
pub fn login(s: &Settings) -> Session {
    println!("Connecting to {}", s.describe());
    let mut session =
        s.options.clone().connect().unwrap_or_else(|e| {
            fail(&format!("cannot connect to {}: {e}{}", s.describe(), s.connect_hint()))
        });
    if let Err(e) = session.login(&s.user, &s.password) {
        fail_with_trace(&session, &format!("login as {:?}", s.user), e);
    }
    session
}

/// The example's own `--name value` flag; exits if its value is missing.
pub fn flag(s: &Settings, name: &str) -> Option<String> {
    s.flag(name).unwrap_or_else(|e| fail(&e.to_string()))
}

/// Prints an error and exits non-zero.
pub fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    exit(1)
}

/// Prints the error and the protocol trace, and exits non-zero.
pub fn fail_with_trace(session: &Session, what: &str, e: Error) -> ! {
    eprintln!("error: {what}: {e}");
    eprintln!("last lines exchanged (credentials redacted):\n{}", session.trace_text());
    exit(1)
}

/// `check!(session, "what", session.call(..))`: the value, or exit with the
/// error and the protocol trace.
#[macro_export]
macro_rules! check {
    ($session:ident, $what:expr, $call:expr) => {
        match $call {
            Ok(v) => v,
            Err(e) => $crate::common::fail_with_trace(&$session, $what, e),
        }
    };
}
