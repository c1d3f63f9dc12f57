//! Server settings shared by the async examples: flags, then `IMAP_*`
//! environment variables (`scripts/dovecot env` prints the local test
//! server's).
#![allow(dead_code, unreachable_pub)]

use std::process::exit;

use imap_smol::imap_net::Settings;
use imap_smol::prelude::*;
use imap_smol::{Connection, Session};

/// The settings from the command line and environment; exits on `--help`
/// or a bad flag.
pub fn settings(usage: &str) -> Settings {
    Settings::for_tool(usage)
}

/// Connects and logs in, driving the connection on a smol task; exits with
/// a clear message on failure.
pub async fn login(s: &Settings) -> (Session, smol::Task<imap_smol::Result<()>>) {
    eprintln!("Connecting to {}", s.describe());
    let (mut session, connection): (Session, Connection) = imap_smol::connect(s.options.clone())
        .await
        .unwrap_or_else(|e| fail(&format!("cannot connect to {}: {e}{}", s.describe(), s.connect_hint())));
    let driver = smol::spawn(connection);
    if let Err(e) = session.login(&s.user, &s.password).await {
        fail_with_trace(&session, &format!("login as {:?}", s.user), e);
    }
    (session, driver)
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
pub fn fail_with_trace(session: &Session, what: &str, e: imap_smol::Error) -> ! {
    eprintln!("error: {what}: {e}");
    eprintln!("last lines exchanged (credentials redacted):\n{}", session.trace_text());
    exit(1)
}
