//! Server settings shared by the examples: flags, then environment
//! variables, then the local test server started by `scripts/dovecot`.
#![allow(dead_code, unreachable_pub)]

use imap_blocking::prelude::*;
use std::path::PathBuf;
use std::process::exit;

use imap_blocking::{ConnectOptions, Security, Session};

/// Settings from `--flag value`, `IMAP_*` variables, or local defaults.
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub security: Security,
    pub ca_file: Option<PathBuf>,
    /// Remaining arguments, for the example's own flags.
    pub args: Vec<String>,
}

/// The local test server's CA, written by `scripts/dovecot start`.
fn local_ca() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.run/dovecot/ca.pem")
}

pub const USAGE_SERVER: &str = "\
server options (each falls back to an environment variable, then to the local test server):
  --host HOST          IMAP_HOST      (127.0.0.1)
  --port PORT          IMAP_PORT      (14143 for starttls/plain, 14993 for tls on the local server)
  --user USER          IMAP_USER      (alice)
  --password PASS      IMAP_PASSWORD  (alice-password-1)
  --security MODE      IMAP_SECURITY  tls | starttls | plain (starttls)
  --ca-file PEM        IMAP_CA_FILE   (the local test server's CA)";

impl Settings {
    /// Parses the server flags; exits with a message on error.
    pub fn from_args(usage: &str) -> Settings {
        let mut rest = Vec::new();
        let mut flags = std::collections::HashMap::new();
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            match a.as_str() {
                "-h" | "--help" => {
                    println!("{usage}\n\n{USAGE_SERVER}");
                    exit(0);
                }
                "--host" | "--port" | "--user" | "--password" | "--security" | "--ca-file" => {
                    let Some(v) = args.next() else { fail(&format!("{a} needs a value")) };
                    flags.insert(a, v);
                }
                _ => rest.push(a),
            }
        }
        let get = |flag: &str, var: &str| flags.get(flag).cloned().or_else(|| std::env::var(var).ok());
        let host = get("--host", "IMAP_HOST").unwrap_or_else(|| "127.0.0.1".into());
        let local = host == "127.0.0.1" || host == "localhost";
        let security: Security = get("--security", "IMAP_SECURITY")
            .map(|s| s.parse().unwrap_or_else(|e| fail(&format!("{e}"))))
            .unwrap_or(if local { Security::StartTls } else { Security::Tls });
        let default_port = match (local, security) {
            (true, Security::Tls) => 14993,
            (true, _) => 14143,
            (false, s) => s.default_port(),
        };
        let port = get("--port", "IMAP_PORT")
            .map(|p| p.parse().unwrap_or_else(|_| fail(&format!("invalid port {p:?}"))))
            .unwrap_or(default_port);
        let ca_file = get("--ca-file", "IMAP_CA_FILE").map(PathBuf::from).or_else(|| {
            let ca = local_ca();
            (local && ca.exists()).then_some(ca)
        });
        Settings {
            host,
            port,
            user: get("--user", "IMAP_USER").unwrap_or_else(|| "alice".into()),
            password: get("--password", "IMAP_PASSWORD").unwrap_or_else(|| "alice-password-1".into()),
            security,
            ca_file,
            args: rest,
        }
    }

    /// Connects and logs in; exits with a clear message on failure.
    pub fn login(&self) -> Session {
        let mut opts = ConnectOptions::new(self.host.clone()).port(self.port).security(self.security);
        if let Some(ca) = &self.ca_file {
            opts = opts.ca_file(ca);
        }
        let mut session = opts.connect().unwrap_or_else(|e| {
            let hint = if self.host == "127.0.0.1" {
                "\n(is the local test server running? `scripts/dovecot start`)"
            } else {
                ""
            };
            fail(&format!("cannot connect to {}:{} ({:?}): {e}{hint}", self.host, self.port, self.security))
        });
        if let Err(e) = session.login(&self.user, &self.password) {
            fail(&format!("login as {} failed: {e}", self.user));
        }
        session
    }

    /// The value of the example's own `--name value` flag.
    pub fn flag(&self, name: &str) -> Option<String> {
        let i = self.args.iter().position(|a| a == name)?;
        match self.args.get(i + 1) {
            Some(v) => Some(v.clone()),
            None => fail(&format!("{name} needs a value")),
        }
    }

    /// Whether the example's own `--name` switch is present.
    pub fn switch(&self, name: &str) -> bool {
        self.args.iter().any(|a| a == name)
    }
}

/// Prints an error and exits non-zero.
pub fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    exit(1)
}

/// Prints the error and the protocol trace, and exits non-zero.
pub fn fail_with_trace(session: &Session, what: &str, e: imap_blocking::Error) -> ! {
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
