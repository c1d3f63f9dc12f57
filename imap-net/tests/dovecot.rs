//! The shared connection code against the project's Dovecot (started by
//! `scripts/dovecot start`), driven by the smallest blocking driver: std
//! sockets and `rustls::StreamOwned`. Each failure a user can meet is met for
//! real, and its message checked for the fix it names.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use imap_net::rustls::{ClientConnection, StreamOwned};
use imap_net::{ConnectError, ConnectOptions, Security, TlsConfig, TlsError, TlsOptions};

use imap_conformance::dovecot::server;

fn options(security: Security, port: u16) -> ConnectOptions {
    ConnectOptions::new(server().host.clone())
        .port(port)
        .security(security)
        .connect_timeout(Duration::from_secs(5))
}

/// Resolves, connects and tunes the socket as a driver does.
fn connect_tcp(options: &ConnectOptions) -> Result<TcpStream, ConnectError> {
    let (host, port) = (options.host.as_str(), options.server_port());
    let addr = imap_net::resolve(host, port)?[0];
    let tcp = TcpStream::connect_timeout(&addr, options.connect_timeout)
        .map_err(|e| ConnectError::from_connect(host, port, options.connect_timeout, e))?;
    imap_net::tune_socket(&tcp, options.quickack).expect("tune the socket");
    tcp.set_read_timeout(Some(options.connect_timeout)).unwrap();
    Ok(tcp)
}

/// Completes the handshake on `tcp`, then returns the TLS stream.
fn handshake(
    tls: &TlsConfig,
    mut tcp: TcpStream,
    timeout: Duration,
) -> Result<StreamOwned<ClientConnection, TcpStream>, TlsError> {
    let mut conn = tls.connection()?;
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).map_err(|e| TlsError::from_io(e, timeout))?;
    }
    Ok(StreamOwned::new(conn, tcp))
}

/// Implicit TLS: connect, handshake, and read the greeting line.
fn tls_greeting(options: &ConnectOptions) -> Result<String, TlsError> {
    let tls = options.tls_config().expect("TLS settings").expect("TLS security");
    let tcp = connect_tcp(options).expect("TCP connect");
    let stream = handshake(&tls, tcp, options.connect_timeout)?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).expect("greeting");
    Ok(line)
}

#[test]
fn implicit_tls_with_the_test_ca() {
    let s = server();
    let options = options(Security::Tls, s.tls_port).ca_file(&s.ca_file);
    let greeting = tls_greeting(&options).unwrap();
    assert!(greeting.starts_with("* OK "), "{greeting:?}");

    // Only the added CA, and the host by name: the certificate names localhost.
    let mut options = options.tls(TlsOptions::new().add_ca_file(&s.ca_file).only_added_cas());
    options.host = "localhost".into();
    assert!(tls_greeting(&options).unwrap().starts_with("* OK "));
}

#[test]
fn starttls_upgrades_the_plain_connection() {
    let s = server();
    let options = options(Security::StartTls, s.port).ca_file(&s.ca_file);
    let tls = options.tls_config().unwrap().expect("STARTTLS has TLS settings");
    let tcp = connect_tcp(&options).unwrap();
    let mut reader = BufReader::new(tcp.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("* OK ") && line.contains("STARTTLS"), "{line:?}");
    (&tcp).write_all(b"a STARTTLS\r\n").unwrap();
    line.clear();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with("a OK"), "{line:?}");
    assert!(reader.buffer().is_empty(), "nothing may follow the OK in plain text");

    let mut stream = handshake(&tls, tcp, options.connect_timeout).unwrap();
    stream.write_all(b"b NOOP\r\n").unwrap();
    let mut reply = Vec::new();
    let mut buf = [0u8; 512];
    while !reply.ends_with(b"\r\n") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "EOF");
        imap_net::rearm_quickack(&stream.sock).unwrap();
        reply.extend_from_slice(&buf[..n]);
    }
    assert!(reply.starts_with(b"b OK"), "{}", String::from_utf8_lossy(&reply));
}

#[test]
fn tls_to_the_plain_port_says_use_starttls() {
    let s = server();
    let err = tls_greeting(&options(Security::Tls, s.port).ca_file(&s.ca_file)).unwrap_err();
    assert!(matches!(err, TlsError::PlaintextServer), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the server answered in plain text: is this the STARTTLS port? use Security::StartTls"
    );
}

#[test]
fn a_certificate_from_an_untrusted_ca_says_add_ca_file() {
    let s = server();
    // The web PKI does not know the test CA; nor does the OS store.
    for tls in [TlsOptions::new(), TlsOptions::new().os_trust_store()] {
        let err = tls_greeting(&options(Security::Tls, s.tls_port).tls(tls)).unwrap_err();
        assert!(matches!(err, TlsError::UnknownIssuer(_)), "{err:?}");
        let message = err.to_string();
        assert!(message.starts_with("the server's certificate is signed by an unknown CA"), "{message}");
        assert!(message.ends_with("add the server's CA with ca_file"), "{message}");
    }
    // The OS store plus the added CA.
    let tls = TlsOptions::new().os_trust_store().add_ca_file(&s.ca_file);
    assert!(tls_greeting(&options(Security::Tls, s.tls_port).tls(tls)).unwrap().starts_with("* OK "));
}

#[test]
fn a_name_the_certificate_lacks_is_refused() {
    let s = server();
    let options = options(Security::Tls, s.tls_port).ca_file(&s.ca_file);
    // Connect to the server, but verify a name its certificate does not list.
    let tls = TlsConfig::new(
        options.tls.client_config().unwrap(),
        imap_net::server_name("imap.example.org").unwrap(),
    );
    let tcp = connect_tcp(&options).unwrap();
    let err = handshake(&tls, tcp, options.connect_timeout).unwrap_err();
    assert!(matches!(err, TlsError::WrongName(_)), "{err:?}");
}

#[test]
fn a_closed_port_says_nothing_listens_there() {
    let (_reserved, port) = closed_port();
    let err = connect_tcp(&ConnectOptions::new("127.0.0.1").port(port)).unwrap_err();
    assert!(matches!(err, ConnectError::Refused { port: p, .. } if p == port), "{err:?}");
    assert!(err.to_string().starts_with(&format!("nothing listens on 127.0.0.1:{port} ")), "{err}");
}

#[test]
fn a_name_that_does_not_resolve_says_so() {
    let err = connect_tcp(&ConnectOptions::new("imap.no-such-domain.invalid")).unwrap_err();
    assert!(matches!(err, ConnectError::Resolve { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with("cannot resolve the host name \"imap.no-such-domain.invalid\""), "{message}");
}

#[test]
fn client_certificate_config_builds_and_connects() {
    // Dovecot does not ask for a client certificate here; the test shows the
    // configuration builds from imaplib-style files (the test server's own
    // pair stands in for a client's) and does not get in the way.
    let s = server();
    let (cert, key) = (s.state_dir.join("server.pem"), s.state_dir.join("server.key"));
    let tls = TlsOptions::new().add_ca_file(&s.ca_file).client_cert_files(&cert, &key);
    assert!(tls_greeting(&options(Security::Tls, s.tls_port).tls(tls)).unwrap().starts_with("* OK "));
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
