//! Connection failures as the blocking API reports them: typed, and saying
//! what to fix. (imap-net's own tests cover each message in detail.)

mod common;

use std::time::Duration;

use common::{options, server};
use imap_blocking::imap_core::ConnectionError;
use imap_blocking::prelude::*;
use imap_blocking::{ConnectError, ConnectOptions, Error, Security, TlsConfigError, TlsError};

#[test]
fn tls_to_the_starttls_port() {
    let s = server();
    let err = options(Security::Tls).port(s.port).connect().unwrap_err();
    assert!(matches!(err, Error::Tls(TlsError::PlaintextServer)), "{err:?}");
    assert!(err.to_string().contains("use Security::StartTls"), "{err}");
    assert!(err.is_fatal());
}

#[test]
fn starttls_to_the_implicit_tls_port_times_out_waiting_for_the_greeting() {
    let s = server();
    let err = options(Security::StartTls)
        .port(s.tls_port)
        .response_timeout(Duration::from_millis(500))
        .connect()
        .unwrap_err();
    assert!(matches!(err, Error::Connection(ConnectionError::TimedOut(_))), "{err:?}");
}

#[test]
fn a_closed_port() {
    let (_reserved, port) = closed_port();
    let err = ConnectOptions::new("127.0.0.1").port(port).security(Security::Plain).connect().unwrap_err();
    assert!(matches!(err, Error::Connect(ConnectError::Refused { .. })), "{err:?}");
    assert!(err.to_string().starts_with(&format!("nothing listens on 127.0.0.1:{port}")), "{err}");
    assert!(err.is_fatal());
}

#[test]
fn an_unreadable_ca_file_fails_before_connecting() {
    // The CA file is read first: the closed port is never tried.
    let (_reserved, port) = closed_port();
    let err =
        ConnectOptions::new("127.0.0.1").port(port).ca_file("/nonexistent/ca.pem").connect().unwrap_err();
    assert!(matches!(err, Error::TlsConfig(TlsConfigError::ReadFile { .. })), "{err:?}");
}

#[test]
fn quickack_can_be_turned_off() {
    let s = server();
    for quickack in [true, false] {
        for security in [Security::Plain, Security::Tls] {
            let mut session = options(security).quickack(quickack).connect().unwrap();
            session.login(&s.user, &s.password).unwrap();
            session.select("INBOX").unwrap();
            session.logout().unwrap();
        }
    }
}

/// A loopback port that refuses connections and stays ours while the
/// socket lives: bound, never listening. (A port freed after binding may be
/// taken by another process at once.)
fn closed_port() -> (socket2::Socket, u16) {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into()).unwrap();
    let port = socket.local_addr().unwrap().as_socket().unwrap().port();
    (socket, port)
}
