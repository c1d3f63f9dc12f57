//! The async driver against the project's Dovecot, on smol, async-std and
//! tokio (through compat): many tasks on one connection, IDLE (explicit and
//! automatic), cancellation.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use common::{message, options, server, unique};
use futures_lite::future;
use imap_smol::prelude::*;
use imap_smol::{AppendMessage, FetchAttr, Flag, Response, SearchKey, Security, Session, StatusAttr};

type Task = Pin<Box<dyn Future<Output = Outcome> + Send>>;

/// What one task did, to compare with the expected result.
#[derive(Debug, PartialEq)]
enum Outcome {
    Subject(u32, String),
    Search(Vec<u32>),
    Status(u32),
    Appended(String),
    Stored(u32, bool),
}

const MESSAGES: u32 = 20;

/// Three mailboxes: `work` with 20 messages "msg N", `fixed` with 5, and an
/// empty `target`; `work` selected.
async fn prepare(s: &mut Session) -> (String, String, String) {
    let (work, fixed, target) = (unique("work"), unique("fixed"), unique("target"));
    for m in [&work, &fixed, &target] {
        s.create(m).await.expect("create");
    }
    let msgs = |n: u32| (1..=n).map(|i| AppendMessage::new(message(&format!("msg {i}"), "hello"))).collect();
    s.append_many(&work, msgs(MESSAGES)).await.expect("append");
    s.append_many(&fixed, msgs(5)).await.expect("append");
    s.select(&work).await.expect("select");
    (work, fixed, target)
}

/// Sixteen requests of five kinds, each independent of the others' effects.
fn task(s: &Session, i: u32, fixed: &str, target: &str) -> Task {
    let mut s = s.clone();
    let (fixed, target) = (fixed.to_owned(), target.to_owned());
    let uid = i % MESSAGES + 1;
    Box::pin(async move {
        match i % 5 {
            0 => {
                let f = s.fetch(uid, &[FetchAttr::Envelope]).await.expect("fetch");
                let subject = f[0].envelope().and_then(|e| e.subject_text()).unwrap_or_default();
                Outcome::Subject(f[0].uid().unwrap_or(0), subject)
            }
            1 => Outcome::Search(s.search(SearchKey::subject(format!("msg {uid}"))).await.expect("search")),
            2 => Outcome::Status(
                s.status(&fixed, &[StatusAttr::Messages]).await.expect("status").messages.unwrap_or(0),
            ),
            3 => {
                s.append(&target, message(&format!("task {i}"), "x")).await.expect("append");
                Outcome::Appended(format!("task {i}"))
            }
            _ => {
                let keyword = Flag::Keyword(format!("$Task{i}").into());
                let f = s
                    .store(uid, imap_smol::StoreMode::Add, std::slice::from_ref(&keyword))
                    .await
                    .expect("store");
                Outcome::Stored(uid, f.iter().any(|f| f.flags().is_some_and(|fl| fl.contains(&keyword))))
            }
        }
    })
}

fn expected(i: u32) -> Outcome {
    let uid = i % MESSAGES + 1;
    match i % 5 {
        0 => Outcome::Subject(uid, format!("msg {uid}")),
        1 => {
            // "msg 1" also matches "msg 10".."msg 19": SEARCH SUBJECT is a substring match.
            let ids = (1..=MESSAGES).filter(|n| format!("msg {n}").contains(&format!("msg {uid}"))).collect();
            Outcome::Search(ids)
        }
        2 => Outcome::Status(5),
        3 => Outcome::Appended(format!("task {i}")),
        _ => Outcome::Stored(uid, true),
    }
}

/// The workload on one runtime: 16 tasks at once over one connection, then
/// the appended messages checked.
async fn sixteen_tasks<J: Future<Output = Outcome>>(mut s: Session, spawn: impl Fn(Task) -> J) {
    let (work, fixed, target) = prepare(&mut s).await;
    let started = Instant::now();
    let handles: Vec<J> = (0..16).map(|i| spawn(task(&s, i, &fixed, &target))).collect();
    let mut outcomes = Vec::new();
    for h in handles {
        outcomes.push(h.await);
    }
    for (i, outcome) in outcomes.iter().enumerate() {
        assert_eq!(outcome, &expected(i as u32), "task {i}");
    }
    let appended = s.status(&target, &[StatusAttr::Messages]).await.expect("status").messages;
    assert_eq!(appended, Some(3), "tasks 3, 8 and 13 appended");
    eprintln!("16 tasks over one connection: {:?}", started.elapsed());
    s.unselect().await.expect("unselect");
    for m in [&work, &fixed, &target] {
        s.delete(m).await.expect("delete");
    }
    s.logout().await.expect("logout");
}

#[test]
fn sixteen_tasks_on_smol() {
    smol::block_on(async {
        let (mut s, connection) = common::connect(Security::StartTls).await;
        let driver = smol::spawn(connection);
        s.login(&server().user, &server().password).await.expect("login");
        sixteen_tasks(s, smol::spawn).await;
        driver.await.expect("the connection ends cleanly after LOGOUT");
    });
}

#[test]
fn sixteen_tasks_on_async_std() {
    async_std::task::block_on(async {
        let (mut s, connection) = common::connect(Security::Tls).await;
        let driver = async_std::task::spawn(connection);
        s.login(&server().user, &server().password).await.expect("login");
        sixteen_tasks(s, async_std::task::spawn).await;
        driver.await.expect("clean end");
    });
}

#[test]
fn sixteen_tasks_on_tokio_through_compat() {
    use tokio_util::compat::TokioAsyncReadCompatExt;
    let rt = tokio::runtime::Runtime::new().expect("tokio");
    rt.block_on(async {
        let o = options(Security::StartTls);
        let tcp = tokio::net::TcpStream::connect((o.host.as_str(), o.server_port())).await.expect("tcp");
        let (mut s, connection) = imap_smol::connect_with(tcp.compat(), o).await.expect("connect");
        let driver = tokio::spawn(connection);
        s.login(&server().user, &server().password).await.expect("login");
        sixteen_tasks(s, |t| async { tokio::spawn(t).await.expect("task") }).await;
        driver.await.expect("join").expect("clean end");
    });
}

/// A second connection's APPEND wakes an IDLE stream; another task stops it.
#[test]
fn idle_is_woken_by_an_append_and_stopped_from_another_task() {
    smol::block_on(async {
        let (mut a, conn_a) = common::connect(Security::StartTls).await;
        smol::spawn(conn_a).detach();
        let (mut b, conn_b) = common::connect(Security::StartTls).await;
        smol::spawn(conn_b).detach();
        let (user, pass) = (&server().user, &server().password);
        a.login(user, pass).await.expect("login");
        b.login(user, pass).await.expect("login");
        let m = unique("idle");
        a.create(&m).await.expect("create");
        a.select(&m).await.expect("select");
        let mut idle = a.idle().expect("idle");
        let stop = idle.stopper();
        let sender = smol::spawn(async move {
            smol::Timer::after(Duration::from_millis(300)).await;
            b.append(&m, message("wake up", "now")).await.expect("append");
            b
        });
        let started = Instant::now();
        let news = future::or(async { idle.next().await }, async {
            smol::Timer::after(Duration::from_secs(10)).await;
            None
        })
        .await;
        assert!(
            matches!(news, Some(Ok(Response::Data(imap_smol::imap_core::types::Data::Exists(1))))),
            "{news:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
        smol::spawn(async move { stop.stop() }).await;
        // The stream ends once the server answers DONE.
        while let Some(item) = idle.next().await {
            item.expect("no error after DONE");
        }
        drop(idle);
        let mut b = sender.await;
        assert_eq!(a.search(SearchKey::All).await.expect("search").len(), 1);
        let m = a.mailbox().and_then(|m| m.name).expect("selected");
        a.unselect().await.expect("unselect");
        b.delete(m.as_str()).await.expect("delete");
    });
}

/// Automatic IDLE: news arrives with no command running; a command ends
/// IDLE, runs, and IDLE resumes.
#[test]
fn automatic_idle_yields_to_commands_and_resumes() {
    smol::block_on(async {
        let (mut a, conn_a) = common::connect(Security::StartTls).await;
        smol::spawn(conn_a).detach();
        let (mut b, conn_b) = common::connect(Security::StartTls).await;
        smol::spawn(conn_b).detach();
        let (user, pass) = (&server().user, &server().password);
        a.login(user, pass).await.expect("login");
        b.login(user, pass).await.expect("login");
        let m = unique("auto");
        a.create(&m).await.expect("create");
        a.select(&m).await.expect("select");
        let mut news = a.unsolicited();
        a.set_auto_idle(Some(Duration::from_millis(100)));
        for round in 1..=2u32 {
            smol::Timer::after(Duration::from_millis(400)).await; // idling by now
            b.append(&m, message("auto", "x")).await.expect("append");
            let got = future::or(
                async {
                    loop {
                        match news.next().await {
                            Some(Response::Data(imap_smol::imap_core::types::Data::Exists(n))) => {
                                return Some(n)
                            }
                            Some(_) => continue,
                            None => return None,
                        }
                    }
                },
                async {
                    smol::Timer::after(Duration::from_secs(10)).await;
                    None
                },
            )
            .await;
            assert_eq!(got, Some(round), "EXISTS pushed by the automatic IDLE; trace:\n{}", a.trace_text());
            // A command in between: IDLE yields (DONE), the command runs.
            assert_eq!(a.search(SearchKey::All).await.expect("search").len(), round as usize);
        }
        a.set_auto_idle(None);
        a.unselect().await.expect("unselect");
        a.delete(&m).await.expect("delete");
    });
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A FETCH of a 5 MB message dropped at once, a hundred times: the session
/// stays right and memory bounded.
#[test]
fn a_hundred_dropped_fetches_then_a_correct_search() {
    smol::block_on(async {
        let (mut s, connection) = common::connect(Security::Plain).await;
        smol::spawn(connection).detach();
        s.login(&server().user, &server().password).await.expect("login");
        let m = unique("cancel");
        s.create(&m).await.expect("create");
        let mut big = message("big", "");
        big.extend(std::iter::repeat_n(b'x', 5 << 20));
        big.extend_from_slice(b"\r\n");
        s.append(&m, big.clone()).await.expect("append");
        s.append(&m, message("small", "y")).await.expect("append");
        s.select(&m).await.expect("select");
        // Warm up once, then measure.
        let whole = s.fetch(1, &[FetchAttr::body_peek()]).await.expect("fetch");
        assert_eq!(whole[0].message().map(|b| b.len()), Some(big.len()));
        drop(whole);
        let before = rss_kib();
        for round in 0..100 {
            let fetch = s.fetch(1, &[FetchAttr::body_peek()]);
            // Some rounds drop it unpolled, others after it started arriving.
            let wait = Duration::from_micros(200 * (round % 7));
            let _ = future::or(async { Some(fetch.await) }, async {
                smol::Timer::after(wait).await;
                None
            })
            .await;
        }
        let found = s.search(SearchKey::subject("small")).await.expect("search");
        assert_eq!(found, vec![2], "the SEARCH gets its own result");
        let grown = rss_kib().saturating_sub(before);
        eprintln!("RSS growth after 100 dropped 5 MB fetches: {grown} KiB");
        assert!(grown < 64 * 1024, "memory grew by {grown} KiB");
        s.unselect().await.expect("unselect");
        s.delete(&m).await.expect("delete");
    });
}

/// Streaming FETCH as a Stream.
#[test]
fn fetch_stream_yields_every_message() {
    smol::block_on(async {
        let (mut s, connection) = common::connect(Security::Plain).await;
        smol::spawn(connection).detach();
        s.login(&server().user, &server().password).await.expect("login");
        let m = unique("stream");
        s.create(&m).await.expect("create");
        let msgs = (1..=30).map(|i| AppendMessage::new(message(&format!("s{i}"), "body"))).collect();
        s.append_many(&m, msgs).await.expect("append");
        s.select(&m).await.expect("select");
        let mut stream = s.fetch_stream(1.., &[FetchAttr::Uid, FetchAttr::Envelope]);
        let mut n = 0;
        while let Some(f) = stream.next().await {
            assert!(f.expect("message").uid().is_some());
            n += 1;
        }
        assert_eq!(n, 30);
        // Dropped after a few: the rest is abandoned, the session goes on.
        let mut stream = s.fetch_stream(1.., &[FetchAttr::body_peek()]);
        stream.next().await.expect("one").expect("ok");
        drop(stream);
        assert_eq!(s.search(SearchKey::All).await.expect("search").len(), 30);
        s.unselect().await.expect("unselect");
        s.delete(&m).await.expect("delete");
    });
}

/// The live protocol log, written by the connection task from the greeting
/// on, redacted, with commands from several tasks.
#[test]
fn the_protocol_log_is_written_out() {
    #[derive(Clone, Default)]
    struct Buf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    smol::block_on(async {
        let (mut s, connection) =
            imap_smol::connect(options(Security::StartTls).protocol_log(true)).await.expect("connect");
        smol::spawn(connection).detach();
        let out = Buf::default();
        s.log_protocol_to(out.clone());
        s.login(&server().user, &server().password).await.expect("login");
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let mut s = s.clone();
                smol::spawn(async move { s.noop().await })
            })
            .collect();
        for t in tasks {
            t.await.expect("noop");
        }
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(text.starts_with("S: * OK [CAPABILITY") && text.contains(" STARTTLS\n"), "{text}");
        let login = format!("LOGIN {} \"<password>\"", server().user);
        assert!(text.contains(&login) && !text.contains(&server().password), "{text}");
        assert_eq!(text.matches(" NOOP\n").count(), 4, "{text}");
        assert_eq!(text.matches("OK NOOP completed").count(), 4, "{text}");
    });
}
