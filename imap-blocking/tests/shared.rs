//! One connection, many threads: `SharedSession` against the project's
//! Dovecot. Sixteen threads run FETCH, SEARCH, STATUS, APPEND and STORE at
//! once and each gets exactly what the same commands give one by one on an
//! identical mailbox; a thread that gives up waiting leaves the session
//! correct; imaplib2's callback form; LOGOUT when the last handle goes.

mod common;

use imap_blocking::prelude::*;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{login, TempMailbox};
use imap_blocking::imap_core::request;
use imap_blocking::{Error, FetchAttr, Flag, SearchKey, Session, StatusAttr, StoreMode};

const THREADS: usize = 16;
const ROUNDS: usize = 4;
const MESSAGES: usize = 20;

fn messages() -> Vec<Vec<u8>> {
    (0..MESSAGES)
        .map(|i| {
            let body = format!("message {i}\r\n").repeat(1 + i * 37);
            format!(
                "From: Sender {i} <s{i}@example.org>\r\nTo: bob@example.net\r\nSubject: shared {i} of {MESSAGES}\r\n\
                 Message-ID: <shared-{i}@example.org>\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n\r\n{body}"
            )
            .into_bytes()
        })
        .collect()
}

/// What thread `i` does, as text with the mailbox names taken out (the
/// reference run and the shared run use different mailboxes).
macro_rules! thread_ops {
    ($s:expr, $boxes:expr, $i:expr) => {{
        let (s, i) = ($s, $i);
        let own = &$boxes[i];
        let mut log = Vec::new();
        for round in 0..ROUNDS {
            let uid = ((i + round * 3) % MESSAGES + 1) as u32;
            let f =
                s.fetch(uid, &[FetchAttr::Envelope, FetchAttr::Rfc822Size, FetchAttr::body_peek()]).unwrap();
            log.push(format!("fetch {uid}: {f:?}"));
            let subject = format!("shared {} of", (i + round) % MESSAGES);
            log.push(format!("search: {:?}", s.search(SearchKey::subject(subject.as_str())).unwrap()));
            let appended = s.append(own, format!("Subject: {i}/{round}\r\n\r\nx\r\n").into_bytes()).unwrap();
            log.push(format!("append: {:?}", appended.uids));
            let st = s.status(own, &[StatusAttr::Messages, StatusAttr::UidNext]).unwrap();
            log.push(format!("status: {:?} {:?}", st.messages, st.uid_next));
            // Each thread flags its own message: no thread sees another's.
            let flag = Flag::Keyword(format!("$T{i}").into());
            let stored = s.store((i + 1) as u32, StoreMode::Add, &[flag]).unwrap();
            log.push(format!("store: {:?}", stored.iter().map(|f| f.flags()).collect::<Vec<_>>()));
        }
        log
    }};
}

/// A mailbox with the test messages, and one empty mailbox per thread.
fn mailboxes(s: &mut Session, prefix: &str) -> (TempMailbox, Vec<TempMailbox>) {
    let main = TempMailbox::new(s, prefix);
    for m in messages() {
        s.append(&main.name, m).unwrap();
    }
    let own = (0..THREADS).map(|i| TempMailbox::new(s, &format!("{prefix}-{i}"))).collect();
    (main, own)
}

#[test]
fn sixteen_threads_on_one_connection_get_what_one_by_one_gets() {
    // The reference: the same operations, one by one, on an identical
    // mailbox.
    let mut reference = login();
    let (ref_main, ref_own) = mailboxes(&mut reference, "sharedref");
    reference.select(&ref_main.name).unwrap();
    let ref_names: Vec<String> = ref_own.iter().map(|m| m.name.clone()).collect();
    let expected: Vec<Vec<String>> =
        (0..THREADS).map(|i| thread_ops!(&mut reference, ref_names, i)).collect();

    let mut session = login();
    let (main, own) = mailboxes(&mut session, "sharedlive");
    session.select(&main.name).unwrap();
    let names: Vec<String> = own.iter().map(|m| m.name.clone()).collect();
    let shared = session.into_shared().unwrap();
    let started = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|i| {
            let mut s = shared.clone();
            let names = names.clone();
            std::thread::spawn(move || {
                if i == 0 {
                    // Gives up on a whole-mailbox fetch at once: the
                    // command completes on the wire, its data is dropped.
                    let r = s.call_timeout(
                        request::fetch(true, 1.., &[FetchAttr::body_peek()]),
                        Some(Duration::ZERO),
                    );
                    assert!(matches!(r, Err(Error::GaveUp(_))), "{r:?}");
                }
                thread_ops!(&mut s, names, i)
            })
        })
        .collect();
    let got: Vec<Vec<String>> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    eprintln!("{THREADS} threads x {ROUNDS} rounds x 5 commands in {:?}", started.elapsed());
    for (i, (got, want)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "thread {i}");
    }
    // The session is still in order: the counts add up.
    let mut s = shared.clone();
    assert_eq!(s.search(SearchKey::All).unwrap().len(), MESSAGES);
    for name in &names {
        assert_eq!(s.status(name, &[StatusAttr::Messages]).unwrap().messages, Some(ROUNDS as u32));
    }
    assert_eq!(s.mailbox().unwrap().exists, MESSAGES as u32);
    shared.logout().unwrap();
    assert!(s.noop().is_err(), "logged out");
    drop((ref_own, own, ref_main, main));
}

#[test]
fn callbacks_get_their_results_on_the_connection_thread() {
    let mut session = login();
    let (main, _own) = {
        let main = TempMailbox::new(&mut session, "sharedcb");
        for m in messages() {
            session.append(&main.name, m).unwrap();
        }
        (main, ())
    };
    session.select(&main.name).unwrap();
    let shared = session.into_shared().unwrap();
    let (tx, rx) = mpsc::channel();
    for i in 1..=MESSAGES as u32 {
        let tx = tx.clone();
        let subject = format!("shared {} of", i - 1);
        shared
            .submit_with(request::search(true, SearchKey::subject(subject.as_str())), move |r| {
                tx.send((i, r.map_err(|e| e.to_string()))).unwrap();
            })
            .unwrap();
    }
    let mut got: Vec<(u32, Result<Vec<u32>, String>)> = (0..MESSAGES)
        .map(|_| rx.recv_timeout(Duration::from_secs(10)).expect("every callback runs"))
        .collect();
    got.sort_by_key(|(i, _)| *i);
    for (i, r) in got {
        assert_eq!(r, Ok(vec![i]), "search {i}");
    }
    // A blocking call from a callback would wait for itself: an error.
    let (tx, rx) = mpsc::channel();
    let inner = shared.clone();
    shared
        .submit_with(request::noop(), move |_| {
            tx.send(inner.call(request::noop())).unwrap();
        })
        .unwrap();
    let r = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(matches!(r, Err(Error::Unsupported(_))), "{r:?}");
    shared.call(request::noop()).unwrap();
}

#[test]
fn news_from_another_connection_reaches_a_shared_session() {
    let mut session = login();
    let m = TempMailbox::new(&mut session, "sharednews");
    session.select(&m.name).unwrap();
    let mut shared = session.into_shared().unwrap();
    let mut other = login();
    other.append(&m.name, messages().remove(0)).unwrap();
    shared.noop().unwrap();
    let news = shared.take_unsolicited();
    assert!(news.iter().any(|r| format!("{r:?}").contains("Exists(1)")), "{news:?}");
    assert_eq!(shared.mailbox().unwrap().exists, 1);
}

/// A local server that greets, answers every command OK (LOGOUT with a
/// BYE), and returns what it received.
fn recording_server() -> (u16, std::thread::JoinHandle<String>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        let mut out = sock.try_clone().unwrap();
        out.write_all(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n").unwrap();
        let mut seen = String::new();
        for line in BufReader::new(sock).lines() {
            let Ok(line) = line else { break };
            seen.push_str(&line);
            seen.push('\n');
            let tag = line.split(' ').next().unwrap_or("*").to_owned();
            if line.ends_with("LOGOUT") {
                let _ = out.write_all(format!("* BYE bye\r\n{tag} OK done\r\n").as_bytes());
                break;
            }
            let _ = out.write_all(format!("{tag} OK done\r\n").as_bytes());
        }
        seen
    });
    (port, handle)
}

#[test]
fn the_last_handle_logs_out_and_shutdown_does_not() {
    use imap_blocking::{ConnectOptions, Security};
    for shutdown in [false, true] {
        let (port, server) = recording_server();
        let session =
            ConnectOptions::new("127.0.0.1").port(port).security(Security::Plain).connect().unwrap();
        let shared = session.into_shared().unwrap();
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let mut c = shared.clone();
                std::thread::spawn(move || c.noop())
            })
            .collect();
        for t in threads {
            t.join().unwrap().unwrap();
        }
        let start = Instant::now();
        if shutdown {
            shared.shutdown();
        }
        drop(shared);
        assert!(start.elapsed() < Duration::from_secs(3));
        let seen = server.join().unwrap();
        assert_eq!(seen.matches(" NOOP").count(), 4, "{seen}");
        assert_eq!(seen.contains("LOGOUT"), !shutdown, "{seen}");
    }
}
