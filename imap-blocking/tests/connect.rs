//! Connecting against the project's Dovecot: each TLS mode, certificate
//! checks, every SASL mechanism the server offers, the stream transport,
//! timeouts, and LOGOUT on drop.

mod common;

use imap_blocking::prelude::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{login, options, server};
use imap_blocking::imap_core::types::{Capability, ResponseCode, StateName};
use imap_blocking::imap_core::{CommandError, ConnectionError};
use imap_blocking::{ConnectOptions, Error, Security, Session, TlsOptions};

#[test]
fn implicit_tls_with_custom_ca() {
    let s = server();
    let mut session = options(Security::Tls).connect().expect("TLS connect");
    assert_eq!(session.state(), StateName::NotAuthenticated);
    assert!(!session.has_capability("STARTTLS"), "no STARTTLS over TLS");
    session.login(&s.user, &s.password).unwrap();
    assert_eq!(session.state(), StateName::Authenticated);
    assert!(session.has_capability("IDLE"), "post-login capabilities are read");
    session.logout().unwrap();
}

#[test]
fn starttls_upgrades_and_rereads_capabilities() {
    let s = server();
    let mut session = options(Security::StartTls).connect().expect("STARTTLS connect");
    assert!(!session.has_capability("STARTTLS"), "capabilities re-read after the switch");
    assert!(session.has_capability("AUTH=PLAIN"));
    session.authenticate_plain(&s.user, &s.password).unwrap();
    let inbox = session.select("INBOX").unwrap();
    assert_eq!(inbox.name.as_ref().map(|m| m.as_str()), Some("INBOX"));
}

#[test]
fn plain_connection_works_when_asked_for() {
    let s = server();
    let mut session = options(Security::Plain).connect().unwrap();
    assert!(session.has_capability("STARTTLS"));
    session.login(&s.user, &s.password).unwrap();
    session.noop().unwrap();
}

#[test]
fn certificate_from_unknown_ca_is_refused() {
    let s = server();
    let result = ConnectOptions::new(s.host.clone())
        .port(s.tls_port)
        .connect_timeout(Duration::from_secs(5))
        .connect();
    match result {
        Err(Error::Tls(e)) => assert!(e.to_string().contains("UnknownIssuer"), "{e}"),
        other => panic!("expected a certificate error, got {other:?}"),
    }
    // And over STARTTLS.
    let result = ConnectOptions::new(s.host.clone()).port(s.port).security(Security::StartTls).connect();
    assert!(matches!(result, Err(Error::Tls(_))), "{result:?}");
}

#[test]
fn host_name_is_verified() {
    // The certificate names localhost and 127.0.0.1; both verify.
    let s = server();
    let mut session =
        ConnectOptions::new("localhost").port(s.tls_port).ca_file(&s.ca_file).connect().unwrap();
    session.login(&s.user, &s.password).unwrap();
}

#[test]
fn verification_can_be_switched_off_loudly() {
    let s = server();
    let tls = TlsOptions::new().dangerously_skip_verification();
    let mut session = ConnectOptions::new(s.host.clone()).port(s.tls_port).tls(tls).connect().unwrap();
    session.login(&s.user, &s.password).unwrap();
}

#[test]
fn every_sasl_mechanism_the_server_offers() {
    let s = server();
    let connect = || options(Security::Tls).connect().unwrap();
    let mechanisms: Vec<String> =
        connect().server_capabilities().auth_mechanisms().map(|m| m.to_str_lossy().into_owned()).collect();
    for expected in ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"] {
        assert!(mechanisms.iter().any(|m| m == expected), "{expected} not offered: {mechanisms:?}");
    }

    let mut a = connect();
    a.authenticate_plain(&s.user, &s.password).unwrap();
    assert_eq!(a.state(), StateName::Authenticated);

    let mut b = connect();
    b.authenticate(imap_blocking::imap_core::ext::sasl::Login::new(&s.user, &s.password)).unwrap();
    assert_eq!(b.state(), StateName::Authenticated);

    let mut c = connect();
    c.login_cram_md5(&s.user, &s.password).unwrap();
    assert_eq!(c.state(), StateName::Authenticated);

    let mut d = connect();
    d.authenticate_scram(&s.user, &s.password, true).unwrap();
    assert_eq!(d.state(), StateName::Authenticated);

    let mut e = connect();
    e.authenticate_scram(&s.user, &s.password, false).unwrap();
    assert_eq!(e.state(), StateName::Authenticated);
    e.select("INBOX").unwrap();

    // Interactive SASL: the application answers the challenge.
    let mut f = connect();
    let (user, password) = (s.user.clone(), s.password.clone());
    f.authenticate_with("PLAIN", None, move |challenge| {
        assert!(challenge.is_empty());
        Some(format!("\0{user}\0{password}").into_bytes())
    })
    .unwrap();
    assert_eq!(f.state(), StateName::Authenticated);
}

#[test]
fn wrong_password_is_a_typed_error_and_the_session_goes_on() {
    let s = server();
    let mut session = options(Security::StartTls).connect().unwrap();
    let err = session.login(&s.user, "not-the-password").unwrap_err();
    assert!(err.is_no(), "{err:?}");
    assert_eq!(err.code(), Some(&ResponseCode::AuthenticationFailed));
    assert!(!session.trace_text().contains("not-the-password"), "{}", session.trace_text());
    let err = session.authenticate_scram(&s.user, "wrong", false).unwrap_err();
    assert!(matches!(err, Error::Command(CommandError::No { .. })), "{err:?}");
    // Still usable.
    session.login(&s.user, &s.password).unwrap();
    assert_eq!(session.state(), StateName::Authenticated);
}

#[test]
fn stream_transport_to_a_preauthenticated_child_process() {
    let s = server();
    let conf = s.state_dir.join("dovecot.conf");
    let home = s.state_dir.join("mail").join(&s.user);
    let mut child = Command::new("/usr/lib/dovecot/imap")
        .arg("-c")
        .arg(&conf)
        .env("USER", &s.user)
        .env("HOME", &home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn dovecot imap");
    let out = child.stdout.take().unwrap();
    let inp = child.stdin.take().unwrap();
    let mut session = Session::from_stream(out, inp, Default::default()).unwrap();
    assert_eq!(session.state(), StateName::Authenticated, "PREAUTH greeting");
    assert!(session.server_capabilities().has(&Capability::Idle));
    let inbox = session.select("INBOX").unwrap();
    assert!(inbox.uid_validity.is_some());
    session.logout().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success());
}

/// imaplib's `IMAP4_stream(command)`: the session spawns the process,
/// talks over its stdio and reaps it at the end, however the session ends.
#[test]
fn spawned_child_process_is_reaped_however_the_session_ends() {
    let s = server();
    let imap = || {
        let mut command = Command::new("/usr/lib/dovecot/imap");
        command.arg("-c").arg(s.state_dir.join("dovecot.conf")).args(["-u", &s.user]).stderr(Stdio::null());
        command
    };
    let alive = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .is_ok_and(|st| !st.lines().any(|l| l.starts_with("State:") && l.contains("zombie")))
    };
    let pid_of = |session: &Session| session.child_id().expect("a child process");
    // LOGOUT.
    let mut session = Session::spawn(&mut imap(), Default::default()).unwrap();
    assert_eq!(session.state(), StateName::Authenticated, "PREAUTH greeting");
    assert!(session.select("INBOX").unwrap().uid_validity.is_some());
    let pid = pid_of(&session);
    assert!(alive(pid));
    session.logout().unwrap();
    assert!(!alive(pid) && !std::path::Path::new(&format!("/proc/{pid}")).exists(), "reaped after LOGOUT");
    // Drop (LOGOUT sent by the drop), and shutdown (no LOGOUT: stdin closes).
    for how in ["drop", "shutdown"] {
        let session = Session::spawn(&mut imap(), Default::default()).unwrap();
        let pid = pid_of(&session);
        let start = Instant::now();
        if how == "drop" {
            drop(session);
        } else {
            session.shutdown();
        }
        assert!(start.elapsed() < Duration::from_secs(3), "{how} took {:?}", start.elapsed());
        assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists(), "reaped after {how}");
    }
    // A command that is not an IMAP server: a clear error, no hang.
    let err = Session::spawn(Command::new("true").stderr(Stdio::null()), Default::default()).unwrap_err();
    assert!(matches!(err, Error::Connection(ConnectionError::Eof { .. })), "{err:?}");
    let err = Session::spawn(&mut Command::new("/nonexistent/imapd"), Default::default()).unwrap_err();
    assert!(matches!(&err, Error::Io(e) if e.kind() == std::io::ErrorKind::NotFound), "{err:?}");
}

#[test]
fn shutdown_closes_without_logout() {
    let (port, handle) = silent_server(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
    let session = ConnectOptions::new("127.0.0.1").port(port).security(Security::Plain).connect().unwrap();
    session.shutdown();
    let seen = handle.join().unwrap();
    assert_eq!(String::from_utf8_lossy(&seen), "", "nothing sent, LOGOUT included");
}

/// `starttls()` on a session connected in plain text upgrades with the TLS
/// settings of its options (the defaults if none were given).
#[test]
fn starttls_later_on_a_plain_session() {
    let s = server();
    let mut session = options(Security::Plain).connect().unwrap();
    assert!(session.has_capability("STARTTLS"));
    session.starttls().unwrap();
    assert!(!session.has_capability("STARTTLS"), "capabilities re-read over TLS");
    session.login(&s.user, &s.password).unwrap();
    session.noop().unwrap();
    // With the default settings (web PKI roots only) the test CA is not
    // trusted: a certificate error, not a missing setting.
    let mut session =
        ConnectOptions::new(s.host.clone()).port(s.port).security(Security::Plain).connect().unwrap();
    let err = session.starttls().unwrap_err();
    assert!(matches!(&err, Error::Tls(e) if e.to_string().contains("UnknownIssuer")), "{err:?}");
}

/// A local server that greets (or not) and then never answers.
fn silent_server(greeting: &'static [u8]) -> (u16, std::thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        sock.write_all(greeting).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 1024];
        while let Ok(n) = sock.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            if seen.windows(6).any(|w| w == b"LOGOUT") {
                let _ = sock.write_all(b"* BYE bye\r\nA2 OK done\r\n");
                break;
            }
        }
        seen
    });
    (port, handle)
}

#[test]
fn silent_server_is_a_timeout_not_a_hang() {
    // No greeting at all.
    let (port, _h) = silent_server(b"");
    let start = Instant::now();
    let err = ConnectOptions::new("127.0.0.1")
        .port(port)
        .security(Security::Plain)
        .response_timeout(Duration::from_millis(500))
        .connect()
        .unwrap_err();
    assert!(matches!(err, Error::Connection(ConnectionError::TimedOut(_))), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(5));

    // A greeting, then silence after a command.
    let (port, _h) = silent_server(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
    let mut session = ConnectOptions::new("127.0.0.1")
        .port(port)
        .security(Security::Plain)
        .response_timeout(Duration::from_millis(500))
        .connect()
        .unwrap();
    let start = Instant::now();
    let err = session.noop().unwrap_err();
    assert!(matches!(err, Error::Command(CommandError::Connection(ConnectionError::TimedOut(_)))), "{err:?}");
    assert!(err.is_fatal());
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(session.trace_text().contains("C: A1 NOOP"), "{}", session.trace_text());
}

#[test]
fn drop_sends_logout() {
    let (port, handle) = silent_server(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
    let session = ConnectOptions::new("127.0.0.1").port(port).security(Security::Plain).connect().unwrap();
    let start = Instant::now();
    drop(session);
    assert!(start.elapsed() < Duration::from_secs(3), "drop must not block for long");
    let seen = handle.join().unwrap();
    assert_eq!(String::from_utf8_lossy(&seen), "A1 LOGOUT\r\n");
}

#[test]
fn compress_deflate_carries_a_whole_session() {
    let mut session = login();
    session.compress().unwrap();
    let inbox = session.select("INBOX").unwrap();
    assert!(inbox.uid_validity.is_some());
    let list = session.list("", "*").unwrap();
    assert!(list.iter().any(|e| e.mailbox.is_inbox()));
    session.logout().unwrap();
}

#[test]
fn capability_command_and_mechanisms_the_server_lacks() {
    let s = server();
    let mut session = options(Security::StartTls).connect().unwrap();
    let caps = session.capability().unwrap();
    assert!(caps.has(&Capability::Imap4Rev1) && caps.has_auth("SCRAM-SHA-256"));
    // Dovecot is not configured for OAuth: refused before anything is sent.
    for result in [
        session.authenticate_xoauth2(&s.user, "token"),
        session.authenticate_oauthbearer(&s.user, "127.0.0.1", s.port, "token"),
    ] {
        match result {
            Err(Error::Usage(imap_blocking::imap_core::UsageError::MissingCapability { .. })) => {}
            other => panic!("{other:?}"),
        }
    }
    session.login(&s.user, &s.password).unwrap();
    let after = session.capability().unwrap();
    assert!(after.has(&Capability::Move), "post-login capabilities");
    assert!(session.take_warnings().is_empty());
}
