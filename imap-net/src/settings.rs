//! Server settings for command-line tools: `--flag value`, else an `IMAP_*`
//! environment variable, else a default. Every example of every driver
//! takes its server this way.

use std::path::PathBuf;

use crate::options::{ConnectOptions, ParseSecurityError, Security};

/// The flags [`Settings`] reads, with their variables (for a tool's help).
pub const SETTINGS_USAGE: &str = "\
server options (each falls back to an environment variable, then to a default):
  --host HOST          IMAP_HOST      (127.0.0.1)
  --port PORT          IMAP_PORT      (the security's default port)
  --user USER          IMAP_USER
  --password PASS      IMAP_PASSWORD
  --security MODE      IMAP_SECURITY  tls | starttls | plain (tls; starttls for 127.0.0.1)
  --ca-file PEM        IMAP_CA_FILE   (also trust this CA)
  --timeout SECS       IMAP_TIMEOUT   (60: give up on a server silent this long)";

/// A server and an account, from flags and environment variables.
///
/// ```
/// use imap_net::{Security, Settings};
/// let args = ["--host", "mail.example.org", "--user", "bob", "--verbose"].map(String::from);
/// let env = |name: &str| (name == "IMAP_PASSWORD").then(|| "hunter2".to_owned());
/// let s = Settings::parse(args, env)?;
/// assert_eq!(s.options.host, "mail.example.org");
/// assert_eq!((s.options.security, s.options.server_port()), (Security::Tls, 993));
/// assert_eq!((s.user.as_str(), s.password.as_str()), ("bob", "hunter2"));
/// assert_eq!(s.args, ["--verbose"]);
/// assert_eq!(s.describe(), "mail.example.org:993 over implicit TLS");
/// # Ok::<(), imap_net::SettingsError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// Where and how to connect.
    pub options: ConnectOptions,
    /// The account.
    pub user: String,
    /// Its password.
    pub password: String,
    /// The arguments not taken, for the tool's own flags.
    pub args: Vec<String>,
}

/// Why the settings cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// `-h` or `--help`: the caller prints its usage.
    #[error("help requested")]
    Help,
    /// A flag at the end, without its value.
    #[error("{0} needs a value")]
    MissingValue(String),
    /// A port that is not a number from 1 to 65535.
    #[error("invalid port {0:?}")]
    Port(String),
    /// A timeout that is not a positive number of seconds.
    #[error("invalid timeout {0:?}: a number of seconds, such as 30 or 2.5")]
    Timeout(String),
    /// An unknown security mode.
    #[error(transparent)]
    Security(#[from] ParseSecurityError),
}

impl Settings {
    /// Reads `args` (without the program name) and the variables `env`
    /// gives (`|name| std::env::var(name).ok()` for the real ones).
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, SettingsError> {
        let mut rest = Vec::new();
        let mut flags = std::collections::HashMap::new();
        let mut args = args.into_iter();
        while let Some(a) = args.next() {
            match a.as_str() {
                "-h" | "--help" => return Err(SettingsError::Help),
                "--host" | "--port" | "--user" | "--password" | "--security" | "--ca-file" | "--timeout" => {
                    let value = args.next().ok_or_else(|| SettingsError::MissingValue(a.clone()))?;
                    flags.insert(a, value);
                }
                _ => rest.push(a),
            }
        }
        let get = |flag: &str, var: &str| flags.get(flag).cloned().or_else(|| env(var));
        let host = get("--host", "IMAP_HOST").unwrap_or_else(|| "127.0.0.1".into());
        let loopback = host == "127.0.0.1" || host == "localhost" || host == "::1";
        let security = match get("--security", "IMAP_SECURITY") {
            Some(s) => s.parse()?,
            None if loopback => Security::StartTls,
            None => Security::Tls,
        };
        let mut options = ConnectOptions::new(host).security(security);
        if let Some(p) = get("--port", "IMAP_PORT") {
            let port = p.parse().ok().filter(|&n: &u16| n > 0).ok_or(SettingsError::Port(p))?;
            options = options.port(port);
        }
        if let Some(ca) = get("--ca-file", "IMAP_CA_FILE") {
            options = options.ca_file(PathBuf::from(ca));
        }
        if let Some(t) = get("--timeout", "IMAP_TIMEOUT") {
            let secs = t.parse::<f64>().ok().filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9);
            let secs = secs.ok_or(SettingsError::Timeout(t))?;
            options = options.response_timeout(std::time::Duration::from_secs_f64(secs));
        }
        Ok(Settings {
            options,
            user: get("--user", "IMAP_USER").unwrap_or_default(),
            password: get("--password", "IMAP_PASSWORD").unwrap_or_default(),
            args: rest,
        })
    }

    /// From the process's arguments and environment.
    pub fn from_env() -> Result<Settings, SettingsError> {
        Settings::parse(std::env::args().skip(1), |name| std::env::var(name).ok())
    }

    /// For a command-line tool: [`from_env`](Self::from_env), or, on
    /// `--help`, `usage` and the server options printed and exit 0; on a bad
    /// flag, `error: ...` and exit 2.
    pub fn for_tool(usage: &str) -> Settings {
        match Settings::from_env() {
            Ok(s) => s,
            Err(SettingsError::Help) => {
                println!("{usage}\n\n{SETTINGS_USAGE}");
                std::process::exit(0)
            }
            Err(e) => {
                eprintln!("error: {e}\n(--help lists the options)");
                std::process::exit(2)
            }
        }
    }

    /// What to say after "cannot connect to ...": a hint to start the
    /// project's local test server when these settings point at it
    /// (loopback, and its environment or no user given); else nothing.
    pub fn connect_hint(&self) -> &'static str {
        let loopback = matches!(self.options.host.as_str(), "127.0.0.1" | "localhost" | "::1");
        if loopback && (std::env::var_os("IMAP_TEST_DIR").is_some() || self.user.is_empty()) {
            "\n(is the local test server running? `scripts/dovecot start`, then `eval \"$(scripts/dovecot env)\"`)"
        } else {
            ""
        }
    }

    /// The server, as a person reads it: `host:port over STARTTLS`.
    pub fn describe(&self) -> String {
        format!("{}:{} over {}", self.options.host, self.options.server_port(), self.options.security)
    }

    /// The value of the tool's own `--name value` flag.
    pub fn flag(&self, name: &str) -> Result<Option<String>, SettingsError> {
        let Some(i) = self.args.iter().position(|a| a == name) else { return Ok(None) };
        self.args.get(i + 1).cloned().map(Some).ok_or_else(|| SettingsError::MissingValue(name.to_owned()))
    }

    /// Whether the tool's own `--name` switch is present.
    pub fn switch(&self, name: &str) -> bool {
        self.args.iter().any(|a| a == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Settings, SettingsError> {
        Settings::parse(args.iter().map(|a| a.to_string()), |_| None)
    }

    #[test]
    fn loopback_defaults_to_starttls_and_flags_win_over_the_environment() {
        let s = parse(&[]).unwrap();
        assert_eq!((s.options.security, s.options.server_port()), (Security::StartTls, 143));
        let env = |name: &str| (name == "IMAP_HOST").then(|| "env.example.org".to_owned());
        let s = Settings::parse(["--host".to_owned(), "flag.example.org".to_owned()], env).unwrap();
        assert_eq!(s.options.host, "flag.example.org");
        let s = Settings::parse(Vec::<String>::new(), env).unwrap();
        assert_eq!(s.describe(), "env.example.org:993 over implicit TLS");
    }

    #[test]
    fn errors_name_the_flag() {
        assert_eq!(parse(&["--port"]).unwrap_err(), SettingsError::MissingValue("--port".into()));
        assert_eq!(parse(&["--port", "0"]).unwrap_err(), SettingsError::Port("0".into()));
        assert!(matches!(parse(&["--security", "ssh"]), Err(SettingsError::Security(_))));
        assert_eq!(parse(&["-h"]).unwrap_err(), SettingsError::Help);
        for bad in ["0", "-1", "soon", "NaN", "inf"] {
            assert_eq!(parse(&["--timeout", bad]).unwrap_err(), SettingsError::Timeout(bad.into()));
        }
        let s = parse(&["--timeout", "2.5"]).unwrap();
        assert_eq!(s.options.engine.response_timeout, Some(std::time::Duration::from_millis(2500)));
        let s = parse(&["--mailbox", "INBOX", "--dry-run"]).unwrap();
        assert_eq!(s.flag("--mailbox"), Ok(Some("INBOX".into())));
        assert!(s.switch("--dry-run") && !s.switch("--other"));
        assert_eq!(
            parse(&["--mailbox"]).unwrap().flag("--mailbox"),
            Err(SettingsError::MissingValue("--mailbox".into()))
        );
    }
}
