//! The mio driver against the project's Dovecot (`scripts/dovecot`): many
//! connections in one thread, a large APPEND through a tiny send buffer,
//! and servers that misbehave on one token while the others go on.

mod common;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread;
use std::time::{Duration, Instant};

use common::{conn, connector, login, run, turn_until, unique};
use imap_mio::imap_core::request;
use imap_mio::imap_core::types::{Data, StatusAttr};
use imap_mio::imap_core::{CommandError, ConnectionError};
use imap_mio::mio::Token;
use imap_mio::prelude::*;
use imap_mio::{
    AppendMessage, Error, FetchAttr, Pool, Progress, Response, Security, Warning, RELEASE_BUFFERS_AFTER,
};

/// 100 connections in one thread log in, select INBOX and IDLE; APPENDs
/// from another connection of the same loop reach every one as EXISTS.
#[test]
fn a_hundred_idle_connections_see_appends() {
    const N: usize = 100;
    const APPENDS: u32 = 3;
    let connector = connector(Security::Plain);
    let addr = connector.resolve().expect("address")[0];
    let mut pool = Pool::new().expect("poll");
    let s = common::server();
    // Per watcher: EXISTS when selected, the last EXISTS heard since.
    let watchers: RefCell<HashMap<Token, (u32, Option<u32>)>> = RefCell::default();
    for _ in 0..N {
        watchers.borrow_mut().insert(pool.connect(&connector, addr).expect("connect"), (0, None));
    }
    let mut selects = HashMap::new();
    let idling = Cell::new(0);
    turn_until(
        &mut pool,
        Duration::from_secs(60),
        |pool, token, progress| {
            let c = conn(pool, token);
            match progress {
                Progress::Connected => {
                    c.login(&s.user, &s.password).expect("LOGIN");
                    selects.insert(token, c.select("INBOX").expect("SELECT"));
                    c.idle().expect("IDLE");
                }
                Progress::Ready(id) if selects.get(&token).is_some_and(|h| h.id() == id) => {
                    let inbox = c.take(&selects[&token]).expect("ready").expect("SELECT");
                    watchers.borrow_mut().get_mut(&token).expect("a watcher").0 = inbox.exists;
                }
                Progress::IdleStarted(_) => idling.set(idling.get() + 1),
                Progress::Closed => panic!("{token:?} closed: {:?}", c.error()),
                _ => {}
            }
        },
        |_| idling.get() == N,
    );
    // The writer: one more connection of the same loop.
    let writer = login(&mut pool, connector.connect(addr).expect("connect"));
    for i in 0..APPENDS {
        let message = common::message(&format!("to the hundred {i}"), "hello");
        run(&mut pool, writer, request::append("INBOX", AppendMessage::new(message))).expect("APPEND");
    }
    // Every watcher hears of them as EXISTS (other tests may append too:
    // at least these three more).
    turn_until(
        &mut pool,
        Duration::from_secs(30),
        |pool, token, progress| {
            if progress == Progress::Unsolicited {
                let c = conn(pool, token);
                for news in c.take_unsolicited() {
                    if let (Response::Data(Data::Exists(n)), Some(w)) =
                        (news, watchers.borrow_mut().get_mut(&token))
                    {
                        w.1 = Some(n);
                    }
                }
            }
        },
        |_| watchers.borrow().values().all(|(first, last)| last.is_some_and(|n| n >= first + APPENDS)),
    );
    for (token, (first, _)) in watchers.borrow().iter() {
        let exists = pool.get(*token).and_then(|c| c.mailbox()).map(|m| m.exists);
        assert!(exists.is_some_and(|n| n >= first + APPENDS), "the engine's count: {exists:?}");
    }

    // Quiet for a while, an idling connection keeps no receive buffer...
    let quiet = Instant::now() + RELEASE_BUFFERS_AFTER + Duration::from_millis(700);
    while Instant::now() < quiet {
        pool.poll(Some(quiet.saturating_duration_since(Instant::now()))).expect("poll");
        while pool.poll_progress().is_some() {}
    }
    for token in watchers.borrow().keys() {
        let kept = pool.get(*token).map(|c| c.client().input_capacity());
        assert_eq!(kept, Some(0), "{token:?} still holds its receive buffer");
    }
    // ...and reads on when news comes.
    let heard = Cell::new(0);
    let before: HashMap<Token, u32> = watchers.borrow().iter().map(|(t, w)| (*t, w.1.unwrap_or(0))).collect();
    let message = common::message("after the quiet", "hello");
    run(&mut pool, writer, request::append("INBOX", AppendMessage::new(message))).expect("APPEND");
    let mut done = HashMap::new();
    turn_until(
        &mut pool,
        Duration::from_secs(30),
        |pool, token, progress| {
            if progress == Progress::Unsolicited {
                for news in conn(pool, token).take_unsolicited() {
                    if let (Response::Data(Data::Exists(n)), Some(old)) = (news, before.get(&token)) {
                        if n > *old && done.insert(token, n).is_none() {
                            heard.set(heard.get() + 1);
                        }
                    }
                }
            }
        },
        |_| heard.get() == N,
    );
}

/// A 5 MB APPEND through a socket whose send buffer is tiny (many partial
/// writes, many WRITABLE wake-ups), over plain TCP and over TLS, arrives
/// byte-exact.
#[test]
fn a_large_append_through_a_small_send_buffer_arrives_byte_exact() {
    for security in [Security::Plain, Security::Tls] {
        let connector = connector(security);
        let addr = connector.resolve().expect("address")[0];
        let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)
            .expect("socket");
        socket.set_send_buffer_size(4096).expect("SO_SNDBUF");
        socket.set_nonblocking(true).expect("non-blocking");
        match socket.connect(&addr.into()) {
            Err(e) if e.raw_os_error() != Some(115) && e.kind() != std::io::ErrorKind::WouldBlock => {
                panic!("connect: {e}")
            }
            _ => {}
        }
        let stream = imap_mio::mio::net::TcpStream::from_std(std::net::TcpStream::from(socket));
        let mut pool = Pool::new().expect("poll");
        let token = login(&mut pool, connector.connect_stream(stream));
        let mailbox = unique("large");
        run(&mut pool, token, request::create(mailbox.as_str())).expect("CREATE");
        let message = large_message(5 << 20);
        let appended =
            run(&mut pool, token, request::append(mailbox.as_str(), AppendMessage::new(message.clone())))
                .expect("APPEND");
        run(&mut pool, token, request::select(mailbox.as_str())).expect("SELECT");
        let uids = appended.uids.expect("APPENDUID");
        let fetched =
            run(&mut pool, token, request::fetch(true, uids, &[FetchAttr::body_peek()])).expect("FETCH");
        let body = fetched.first().and_then(|f| f.message()).expect("the message");
        assert_eq!(body.len(), message.len(), "{security}");
        assert!(body[..] == message[..], "{security}: the bytes differ");
        run(&mut pool, token, request::close()).expect("CLOSE");
        run(&mut pool, token, request::delete(mailbox.as_str())).expect("DELETE");
        run(&mut pool, token, request::logout()).expect("LOGOUT");
    }
}

/// Printable lines of pseudo-random text, CRLF-terminated, under a header.
fn large_message(size: usize) -> Vec<u8> {
    let mut out = common::message("five megabytes", "");
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    while out.len() < size {
        for _ in 0..76 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.push(b'!' + (x % 94) as u8);
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// What a hostile server does to the one connection it serves.
#[derive(Clone, Copy)]
enum Hostile {
    /// Greets, then closes in the middle of a literal.
    CloseMidResponse,
    /// Greets, then sends one line that never ends.
    EndlessLine,
    /// Greets, then announces a literal of 100 GB and sends it.
    LiteralBomb,
}

/// One loopback server thread per behaviour; it stops when the client
/// goes away or after 60 s.
fn hostile_server(behaviour: Hostile) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    thread::spawn(move || {
        let (mut socket, _) = listener.accept().expect("accept");
        let _ = socket.write_all(b"* OK [CAPABILITY IMAP4rev1] hostile\r\n");
        let started = Instant::now();
        let junk = vec![b'a'; 64 * 1024];
        match behaviour {
            Hostile::CloseMidResponse => {
                let mut command = [0u8; 256];
                let _ = socket.read(&mut command); // the client's NOOP
                let _ = socket.write_all(b"* 1 FETCH (UID 1 BODY[] {100}\r\nonly part of it");
                thread::sleep(Duration::from_millis(50));
            }
            Hostile::EndlessLine => {
                let _ = socket.write_all(b"* OK ");
                while started.elapsed() < Duration::from_secs(60) && socket.write_all(&junk).is_ok() {}
            }
            Hostile::LiteralBomb => {
                let _ = socket.write_all(b"* 1 FETCH (BODY[] {100000000000}\r\n");
                while started.elapsed() < Duration::from_secs(60) && socket.write_all(&junk).is_ok() {}
            }
        }
    });
    addr
}

/// One server closes mid-response, two flood their connection without
/// end; meanwhile Dovecot connections in the same loop keep working and
/// the closed one has a typed error.
#[test]
fn misbehaving_servers_touch_only_their_own_connection() {
    let mut pool = Pool::new().expect("poll");
    let mut options = common::options(Security::Plain);
    options.engine.response_timeout = Some(Duration::from_secs(30));
    let hostile = imap_mio::Connector::new(options.security(Security::Plain)).expect("options");
    let closer = pool.connect(&hostile, hostile_server(Hostile::CloseMidResponse)).expect("connect");
    let endless = pool.connect(&hostile, hostile_server(Hostile::EndlessLine)).expect("connect");
    let bomb = pool.connect(&hostile, hostile_server(Hostile::LiteralBomb)).expect("connect");
    let connector = connector(Security::Plain);
    let addr = connector.resolve().expect("address")[0];
    let good: Vec<Token> =
        (0..3).map(|_| login(&mut pool, connector.connect(addr).expect("connect"))).collect();

    // The closer's NOOP meets a literal cut short.
    turn_until(&mut pool, Duration::from_secs(10), |_, _, _| {}, |pool| conn(pool, closer).is_connected());
    let err = run(&mut pool, closer, request::noop()).expect_err("the server closed mid-response");
    assert!(
        matches!(err, Error::Command(CommandError::Connection(ConnectionError::Eof { mid_response: true }))),
        "{err:?}"
    );
    let c = conn(&mut pool, closer);
    assert!(c.is_closed());
    assert!(
        matches!(c.error(), Some(Error::Connection(ConnectionError::Eof { mid_response: true }))),
        "{:?}",
        c.error()
    );

    // While the other two flood, every good connection makes 20 round
    // trips, each within two seconds (a stall would last the whole flood,
    // 60 s; the margin is for a loaded machine).
    let mailbox = unique("flooded");
    run(&mut pool, good[0], request::create(mailbox.as_str())).expect("CREATE");
    for round in 0..20 {
        for &token in &good {
            let started = Instant::now();
            run(&mut pool, token, request::noop()).expect("NOOP");
            assert!(started.elapsed() < Duration::from_secs(2), "round {round}: {:?}", started.elapsed());
        }
    }
    let message = common::message("beside a flood", "ok");
    run(&mut pool, good[1], request::append(mailbox.as_str(), AppendMessage::new(message))).expect("APPEND");
    let status = run(&mut pool, good[2], request::status(mailbox.as_str(), &[StatusAttr::Messages]));
    assert_eq!(status.expect("STATUS").messages, Some(1));
    run(&mut pool, good[0], request::delete(mailbox.as_str())).expect("DELETE");

    // The flooded connections are still open, dropping what breaks the
    // limits and saying so.
    for token in [endless, bomb] {
        let c = conn(&mut pool, token);
        assert!(!c.is_closed(), "{:?}", c.error());
        let warnings = c.take_warnings();
        assert!(warnings.iter().any(|w| matches!(w, Warning::Response(_))), "{warnings:?}");
        drop(pool.remove(token));
    }
}

/// STARTTLS asked for by the application on a connection opened with
/// `Security::Plain`: the handshake uses the options' TLS settings, and the
/// session goes on under TLS.
#[test]
fn starttls_on_request_upgrades_a_plain_connection() {
    let connector = connector(Security::Plain);
    let mut pool = Pool::new().expect("poll");
    let token = pool.connect(&connector, connector.resolve().expect("address")[0]).expect("connect");
    turn_until(&mut pool, Duration::from_secs(30), |_, _, _| {}, |pool| conn(pool, token).is_connected());
    run(&mut pool, token, request::starttls()).expect("STARTTLS");
    let s = common::server();
    run(&mut pool, token, request::login(s.user.as_str(), s.password.as_str())).expect("LOGIN over TLS");
    run(&mut pool, token, request::select("INBOX")).expect("SELECT");
    run(&mut pool, token, request::logout()).expect("LOGOUT");
    let c = conn(&mut pool, token);
    assert!(c.is_closed() && c.error().is_none(), "{:?}", c.error());
}
