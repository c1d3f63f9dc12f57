//! The driver conformance suite: one set of scenarios, written once, that
//! every driver of `imap-core` must pass.
//!
//! A scenario is the server's side of one session, written as data in
//! `conformance/scenarios/*.imap` (the format: [`script`]), and a client
//! side in [`flows`] that drives a driver through the [`Driver`] trait and
//! checks the typed results. The [`ScriptServer`] plays the server side on
//! a loopback socket (`127.0.0.1:0`, a thread per connection, TLS and
//! DEFLATE included), and fails the scenario, saying which step expected
//! what and what came, when the client sends anything else, or nothing.
//!
//! # Running the suite for a Rust driver
//!
//! In the driver's `tests/conformance.rs`, implement [`Driver`] for a unit
//! struct (each method is a call or two of the driver's public API; an
//! async driver blocks on its future), then let [`conformance_tests!`]
//! write one `#[test]` per scenario. A sketch for an async driver (the
//! blocking driver's complete adapter is `imap-blocking/tests/conformance.rs`):
//!
//! ```ignore
//! use std::time::Duration;
//! use imap_conformance::Driver;
//! use imap_core::request::{Completion, MailboxInfo, Request};
//! use imap_core::types::{Fetch, FetchAttr, Response, SequenceSet};
//! use imap_net::{ConnectOptions, Result};
//!
//! struct Smol;
//!
//! impl Driver for Smol {
//!     type Session = imap_smol::Session;
//!
//!     fn connect(&self, options: ConnectOptions) -> Result<Self::Session> {
//!         smol::block_on(imap_smol::connect(options))
//!     }
//!     fn run<T: Send + 'static>(&self, s: &mut Self::Session, request: Request<T>) -> Result<T> {
//!         smol::block_on(s.run(request))
//!     }
//!     fn run_all(&self, s: &mut Self::Session, requests: Vec<Request<Completion>>) -> Vec<Result<Completion>> {
//!         // Submit every request, then await them all.
//!         let pending: Vec<_> = requests.into_iter().map(|r| s.submit(r)).collect();
//!         smol::block_on(futures::future::join_all(pending))
//!     }
//!     fn fetch_some(&self, s: &mut Self::Session, set: SequenceSet, attrs: &[FetchAttr], n: usize)
//!         -> Result<Vec<Fetch>>
//!     {
//!         smol::block_on(async {
//!             let stream = s.fetch_stream(set, attrs).await?;
//!             stream.take(n).try_collect().await // dropping the stream abandons the rest
//!         })
//!     }
//!     fn idle_once(&self, s: &mut Self::Session, timeout: Duration) -> Result<Vec<Response>> {
//!         smol::block_on(s.idle_wait(timeout))
//!     }
//!     fn mailbox(&self, s: &Self::Session) -> Option<MailboxInfo> {
//!         s.mailbox()
//!     }
//! }
//!
//! imap_conformance::conformance_tests!(Smol);
//! ```
//!
//! [`run_suite`] plays every scenario in turn instead, and each function of
//! [`flows`] plays one. A failure panics with both sides' account: the
//! client's error or failed check, and the server's step, what it expected,
//! what came, and the last lines exchanged.
//!
//! # Drivers in other languages
//!
//! The binary `imap-conformance serve <scenario-file> [--ca-file PATH]`
//! serves one scenario on an ephemeral port of 127.0.0.1, prints the port
//! on stdout, writes the test CA's PEM to `PATH` (for `TLS` steps), serves
//! one session and exits 0 if the client did what the script expects, else
//! 1 with the reason on stderr. The client side is then written in that
//! language, after the flows here.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod dovecot;
pub mod flows;
pub mod hostile;
pub mod script;
mod server;
mod wire;

use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

use imap_core::request::{Completion, MailboxInfo, Request};
use imap_core::types::{Fetch, FetchAttr, Response, SequenceSet};
use imap_core::{ClientConfig, CommandError, ConnectionError};
use imap_net::{ConnectOptions, Error, Security, TlsOptions};

pub use script::{Script, ScriptError};
pub use server::{Failure, ScriptServer, STEP_TIMEOUT};
pub use wire::ca_pem;

/// What the suite needs from a driver: connect, run requests (alone, or
/// several at once), stream a FETCH and give up on it, IDLE once, and show
/// the engine's view of the selected mailbox.
///
/// Every method blocks until it is done; an async driver blocks on its
/// future (e.g. `smol::block_on`, a tokio runtime's `block_on`). Errors are
/// [`imap_net::Error`], which every Rust driver already returns.
pub trait Driver {
    /// A connected session.
    type Session;

    /// Connects as `options` say (host 127.0.0.1, the scenario's port, its
    /// [`Security`], the test CA in `options.tls`, short timeouts in
    /// `options.engine`) and returns once the session is ready for commands:
    /// greeting read, capabilities known, STARTTLS done for
    /// [`Security::StartTls`]. A greeting that refuses or cannot be decoded
    /// is an error here.
    fn connect(&self, options: ConnectOptions) -> imap_net::Result<Self::Session>;

    /// Runs one request to completion and returns its typed result.
    fn run<T: Send + 'static>(&self, session: &mut Self::Session, request: Request<T>)
        -> imap_net::Result<T>;

    /// Submits all `requests` before waiting for any, so that they can
    /// reach the wire together (pipelining; the engine decides what may
    /// overlap), and returns their results in order. The requests are
    /// erased ([`Request::erase`]) because they yield different types; the
    /// checks read [`Completion::output`].
    fn run_all(
        &self,
        session: &mut Self::Session,
        requests: Vec<Request<Completion>>,
    ) -> Vec<imap_net::Result<Completion>>;

    /// A streaming `UID FETCH set attrs` (the suite's engine config keeps
    /// `use_uid` on): takes the first `n` messages as they arrive, then
    /// gives up on the rest the driver's way (drop the iterator or the
    /// stream, abandon the request) and returns those `n`.
    fn fetch_some(
        &self,
        session: &mut Self::Session,
        set: SequenceSet,
        attrs: &[FetchAttr],
        n: usize,
    ) -> imap_net::Result<Vec<Fetch>>;

    /// Starts IDLE, waits until the server sends news or `timeout` passes,
    /// ends it with DONE, waits for IDLE's OK, and returns the news.
    fn idle_once(&self, session: &mut Self::Session, timeout: Duration) -> imap_net::Result<Vec<Response>>;

    /// The selected mailbox as the engine keeps it (EXISTS, expunges and
    /// flags applied), if one is selected.
    fn mailbox(&self, session: &Self::Session) -> Option<MailboxInfo>;
}

/// The options a scenario's client connects with: 127.0.0.1 and `port`,
/// `security`, only the test CA trusted, 5 s to connect, an engine whose
/// response timeout (3 s) ends a stuck scenario before the server's
/// [`STEP_TIMEOUT`].
pub fn connect_options(port: u16, security: Security) -> ConnectOptions {
    let mut engine = ClientConfig::default();
    engine.response_timeout = Some(Duration::from_secs(3));
    engine.use_uid = true;
    ConnectOptions::new("127.0.0.1")
        .port(port)
        .security(security)
        .tls(TlsOptions::new().add_ca_pem(ca_pem()).only_added_cas())
        .connect_timeout(Duration::from_secs(5))
        .write_timeout(Duration::from_secs(5))
        .engine(engine)
}

/// The scenario files, by name (the file name without `.imap`): one per
/// flow of [`flows`], in the same order.
pub const SCENARIOS: &[(&str, &str)] = __for_each_flow!(__scenario_table());

/// The script of a scenario of [`SCENARIOS`], parsed.
///
/// # Panics
/// If there is no such scenario or it does not parse (a bug of this crate:
/// every scenario is parsed by its tests).
pub fn scenario(name: &str) -> Script {
    let text = SCENARIOS.iter().find(|(n, _)| *n == name).map(|(_, text)| *text);
    let text = text.unwrap_or_else(|| panic!("no scenario named {name}"));
    Script::parse(name, text).unwrap_or_else(|e| panic!("{e}"))
}

/// Plays scenario `name`: serves its script, runs `client` with the
/// [`connect_options`] for `security`, and panics with both sides' account
/// if the client failed (an error, a failed check) or the server did (the
/// client sent something the script does not expect).
pub fn play<D: Driver>(
    driver: &D,
    name: &str,
    security: Security,
    client: impl FnOnce(&D, ConnectOptions) -> imap_net::Result<()>,
) {
    let server = ScriptServer::start(scenario(name)).unwrap_or_else(|e| panic!("cannot listen: {e}"));
    let options = connect_options(server.port(), security);
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| client(driver, options)));
    let client = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(format!("the driver returned an error: {e}\n  ({e:?})")),
        Err(payload) => Some(panic_message(&payload)),
    };
    match (client, server.finish()) {
        (None, Ok(())) => {}
        (client, server) => {
            let client = client.unwrap_or_else(|| "passed its checks".to_owned());
            let server = match server {
                Ok(()) => "the script ran to its end".to_owned(),
                Err(failure) => failure.message,
            };
            panic!("scenario {name} failed\nclient: {client}\nserver: {server}");
        }
    }
}

/// Plays every scenario of [`flows`] against `driver`, in turn.
pub fn run_suite<D: Driver>(driver: &D) {
    __for_each_flow!(__run_flows(driver));
}

/// The connection error behind a driver error: the session's end, whether
/// the driver reports it directly or as the failure of the command that was
/// waiting ([`CommandError::Connection`]).
pub fn connection_error(error: &Error) -> Option<&ConnectionError> {
    match error {
        Error::Connection(e) | Error::Command(CommandError::Connection(e)) => Some(e),
        _ => None,
    }
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    match (payload.downcast_ref::<String>(), payload.downcast_ref::<&str>()) {
        (Some(s), _) => s.clone(),
        (None, Some(s)) => (*s).to_owned(),
        (None, None) => "a check panicked".to_owned(),
    }
}

/// Writes one `#[test]` per scenario for a driver: give it an expression
/// that makes the [`Driver`] (evaluated once per test).
///
/// ```ignore
/// imap_conformance::conformance_tests!(BlockingDriver);
/// ```
#[macro_export]
macro_rules! conformance_tests {
    ($driver:expr) => {
        $crate::__for_each_flow!(__flow_tests($driver));
    };
}

/// Calls `$crate::$callback!(($args) flow, flow, ...)` with every flow: the
/// one list of scenarios the tests and [`run_suite`] share.
#[doc(hidden)]
#[macro_export]
macro_rules! __for_each_flow {
    ($callback:ident($($args:tt)*)) => {
        $crate::$callback! {($($args)*)
            greeting_ok,
            greeting_without_capabilities,
            greeting_preauth,
            greeting_bye,
            greeting_malformed,
            greeting_silent,
            select_examine,
            list_status,
            search_esearch,
            fetch_items,
            fetch_in_pieces,
            store_copy_move_expunge,
            append_appenduid,
            append_refused,
            namespace_id_quota,
            move_fallback,
            no_and_bad,
            malformed_response,
            pipelining,
            idle,
            idle_timeout,
            starttls,
            starttls_injection,
            implicit_tls,
            compress,
            sasl_login,
            sasl_plain_without_ir,
            sasl_scram,
            sasl_cram_md5,
            fetch_stream_abandoned,
            close_mid_literal,
            server_bye,
            response_timeout,
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __flow_tests {
    (($driver:expr) $($flow:ident,)*) => {
        $(
            #[test]
            fn $flow() {
                $crate::flows::$flow(&$driver);
            }
        )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __scenario_table {
    (() $($flow:ident,)*) => {
        &[$((stringify!($flow), include_str!(concat!("../scenarios/", stringify!($flow), ".imap"))),)*]
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __run_flows {
    (($driver:expr) $($flow:ident,)*) => {
        $( $crate::flows::$flow($driver); )*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_file_has_a_flow_and_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let mut listed: Vec<String> = SCENARIOS.iter().map(|(n, _)| format!("{n}.imap")).collect();
        listed.sort();
        assert_eq!(files, listed);
        for (name, _) in SCENARIOS {
            scenario(name);
        }
    }
}
