//! Many tasks, one connection: `--count` single-message fetches
//! (`UID FETCH n (FLAGS ENVELOPE)`, 1,000 by default) issued from as many
//! tasks at once over ONE imap-smol connection, against the same fetches
//! one after another, through a loopback proxy that delays every chunk by a
//! fixed one-way delay each way (`imap_bench::delay_proxy`: a delay line,
//! not a throttle). The goals (issue 10): concurrent at least 5× faster at
//! 1 ms and 20× at 10 ms. Every concurrent result must equal the
//! sequential one for the same UID, or the bench stops.
//!
//! ```text
//! scripts/dovecot start && eval "$(scripts/dovecot env)"
//! cargo run --release -p imap-bench --bin concurrency-bench [-- --delays 1,10 --count 1000 --runs 3]
//! ```
//!
//! The server is taken as by every example (`--host`, `IMAP_HOST`, ...:
//! `imap_net::Settings`), plain or STARTTLS as configured; the proxy sits
//! between the client and it. The mailbox (`bench-concurrency`) is filled
//! with small generated messages up to `--count`, once, straight to the
//! server. Each delay gets a fresh proxy and connection; LOGIN, EXAMINE,
//! SEARCH and one FETCH of every message (to warm the server's cache) are
//! untimed, then the two ways take turns, run after run.

use std::net::SocketAddr;
use std::process::exit;
use std::time::{Duration, Instant};

use imap_bench::corpus;
use imap_bench::delay_proxy::{DelayProxy, Direction, Stats};
use imap_smol::imap_net::{self, Settings, SettingsError, SETTINGS_USAGE};
use imap_smol::prelude::*;
use imap_smol::{AppendMessage, Fetch, FetchAttr, SearchKey, SequenceSet, Session, StatusAttr};

const USAGE: &str =
    "concurrency-bench: single-message fetches from many tasks over one imap-smol connection \
against one after another, through a loopback delay proxy
usage: concurrency-bench [--delays MS,MS...] [--count N] [--runs N] [--mailbox NAME] [server options]

  --delays MS,...  one-way delays to add each way, in ms (default 1,10; 0 is allowed)
  --count N        fetches per run, one message each (default 1000)
  --runs N         runs of each way per delay; the table gives medians (default 3)
  --mailbox NAME   the mailbox, filled up to N messages if it has fewer (default bench-concurrency)";

/// The goals of issue 10: (one-way delay in ms, least ratio).
const GOALS: [(f64, f64); 2] = [(1.0, 5.0), (10.0, 20.0)];

fn attrs() -> [FetchAttr; 2] {
    [FetchAttr::Flags, FetchAttr::Envelope]
}

#[derive(Debug)]
struct Options {
    delays: Vec<f64>,
    count: usize,
    runs: usize,
    mailbox: String,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut o =
            Options { delays: vec![1.0, 10.0], count: 1000, runs: 3, mailbox: "bench-concurrency".into() };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
            let number = |v: &str| {
                v.parse::<usize>().ok().filter(|&n| n > 0).ok_or(format!("{arg}: bad number {v:?}"))
            };
            match arg.as_str() {
                "--delays" => {
                    o.delays = value
                        .split(',')
                        .map(|d| d.trim().parse::<f64>().ok().filter(|d| d.is_finite() && *d >= 0.0))
                        .collect::<Option<_>>()
                        .ok_or(format!("--delays: milliseconds, comma-separated: {value:?}"))?
                }
                "--count" => o.count = number(value)?,
                "--runs" => o.runs = number(value)?,
                "--mailbox" => o.mailbox = value.clone(),
                _ => return Err(format!("unknown argument {arg:?}")),
            }
        }
        Ok(o)
    }
}

fn main() {
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(SettingsError::Help) => {
            println!("{USAGE}\n\n{SETTINGS_USAGE}");
            exit(0)
        }
        Err(e) => fail(&e.to_string()),
    };
    let options = Options::parse(&settings.args).unwrap_or_else(|e| fail(&format!("{e}\n\n{USAGE}")));
    if cfg!(debug_assertions) {
        eprintln!("concurrency-bench: built without optimisations; the figures mean little (use --release)");
    }
    let rows = smol::block_on(async {
        let upstream = upstream(&settings);
        seed(&settings, &options).await;
        let mut rows = Vec::new();
        for &delay in &options.delays {
            rows.push(measure(&settings, &options, upstream, delay).await);
        }
        rows
    });
    report(&settings, &options, &rows);
}

/// The server's address, for the proxy.
fn upstream(settings: &Settings) -> SocketAddr {
    let (host, port) = (&settings.options.host, settings.options.server_port());
    let addrs =
        imap_net::resolve(host, port).unwrap_or_else(|e| fail(&format!("resolve {host}:{port}: {e}")));
    addrs.into_iter().next().unwrap_or_else(|| fail(&format!("{host}:{port} resolves to nothing")))
}

/// Connects (straight, or through the proxy at `via`), spawns the
/// connection on smol's executor, logs in.
async fn connect(settings: &Settings, via: Option<SocketAddr>) -> Session {
    let connected = match via {
        None => imap_smol::connect(settings.options.clone()).await,
        Some(proxy) => {
            // The server's name stays the TLS name (STARTTLS through the
            // proxy); only the TCP peer is the proxy.
            let tcp = smol::net::TcpStream::connect(proxy)
                .await
                .unwrap_or_else(|e| fail(&format!("connect to the proxy: {e}")));
            imap_net::tune_socket(&tcp, settings.options.quickack)
                .unwrap_or_else(|e| fail(&format!("tune: {e}")));
            imap_smol::connect_with(tcp, settings.options.clone()).await
        }
    };
    let (mut session, connection) =
        connected.unwrap_or_else(|e| fail(&format!("connect to {}: {e}", settings.describe())));
    smol::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("concurrency-bench: the connection ended: {e}");
        }
    })
    .detach();
    if let Err(e) = session.login(&settings.user, &settings.password).await {
        fail_with_trace(&session, &format!("login as {:?}", settings.user), e);
    }
    session
}

/// Fills the mailbox up to `--count` messages, straight to the server.
async fn seed(settings: &Settings, options: &Options) {
    let mut session = connect(settings, None).await;
    let mailbox = options.mailbox.as_str();
    let have = match session.status(mailbox, &[StatusAttr::Messages]).await {
        Ok(status) => status.messages.unwrap_or(0) as usize,
        Err(_) => {
            if let Err(e) = session.create(mailbox).await {
                fail_with_trace(&session, &format!("create {mailbox}"), e);
            }
            0
        }
    };
    if have < options.count {
        eprintln!("filling {mailbox}: {have} messages, appending {}", options.count - have);
        let messages: Vec<AppendMessage> =
            (have..options.count).map(|i| AppendMessage::new(corpus::small_message(i as u32))).collect();
        for chunk in messages.chunks(200) {
            if let Err(e) = session.append_many(mailbox, chunk.to_vec()).await {
                fail_with_trace(&session, &format!("append to {mailbox}"), e);
            }
        }
    }
    let _ = session.logout().await;
}

/// The two ways of fetching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    Sequential,
    Concurrent,
}

/// One timed run of one way.
#[derive(Debug, Clone, Copy)]
struct Run {
    time: Duration,
    to_server: Stats,
    to_client: Stats,
}

/// The runs at one delay.
#[derive(Debug)]
struct Row {
    delay: f64,
    sequential: Vec<Run>,
    concurrent: Vec<Run>,
}

async fn measure(settings: &Settings, options: &Options, upstream: SocketAddr, delay_ms: f64) -> Row {
    let delay = Duration::from_secs_f64(delay_ms / 1e3);
    let proxy = DelayProxy::start(upstream, delay).unwrap_or_else(|e| fail(&format!("start the proxy: {e}")));
    let mut session = connect(settings, Some(proxy.addr())).await;
    if let Err(e) = session.examine(&options.mailbox).await {
        fail_with_trace(&session, &format!("EXAMINE {}", options.mailbox), e);
    }
    let mut uids =
        session.search(SearchKey::All).await.unwrap_or_else(|e| fail_with_trace(&session, "SEARCH", e));
    uids.sort_unstable();
    if uids.len() < options.count {
        fail(&format!(
            "{} holds {} messages, fewer than --count {}",
            options.mailbox,
            uids.len(),
            options.count
        ));
    }
    uids.truncate(options.count);
    // Warm the server's cache of envelopes, so neither way pays for it.
    if let Err(e) = session.fetch(SequenceSet::from(&uids[..]), &attrs()).await {
        fail_with_trace(&session, "FETCH (warm-up)", e);
    }
    let mut row = Row { delay: delay_ms, sequential: Vec::new(), concurrent: Vec::new() };
    for run in 0..options.runs {
        let order = match run % 2 {
            0 => [Way::Sequential, Way::Concurrent],
            _ => [Way::Concurrent, Way::Sequential],
        };
        let (mut sequential, mut concurrent) = (Vec::new(), Vec::new());
        for way in order {
            proxy.take_stats(Direction::ToServer);
            proxy.take_stats(Direction::ToClient);
            let start = Instant::now();
            let fetched = match way {
                Way::Sequential => fetch_one_by_one(&mut session, &uids).await,
                Way::Concurrent => fetch_from_tasks(&session, &uids).await,
            };
            let time = start.elapsed();
            let timed = Run {
                time,
                to_server: proxy.take_stats(Direction::ToServer),
                to_client: proxy.take_stats(Direction::ToClient),
            };
            match way {
                Way::Sequential => {
                    sequential = fetched;
                    row.sequential.push(timed);
                }
                Way::Concurrent => {
                    concurrent = fetched;
                    row.concurrent.push(timed);
                }
            }
        }
        if let Err(e) = check(&uids, &sequential, &concurrent) {
            fail(&format!("delay {delay_ms} ms, run {}: {e}", run + 1));
        }
        let (s, c) = (row.sequential[run], row.concurrent[run]);
        let chunks = |r: &Run| {
            format!(
                "{} chunks to the server, {} back, held {}",
                r.to_server.chunks,
                r.to_client.chunks,
                held(&[r.to_server, r.to_client]).map_or("–".into(), ms)
            )
        };
        eprintln!(
            "delay {delay_ms} ms, run {}/{}: sequential {} ({}), concurrent {} ({}): {:.1}×",
            run + 1,
            options.runs,
            secs(s.time),
            chunks(&s),
            secs(c.time),
            chunks(&c),
            s.time.as_secs_f64() / c.time.as_secs_f64(),
        );
    }
    let _ = session.logout().await;
    row
}

/// One after another: each fetch awaited before the next is sent.
async fn fetch_one_by_one(session: &mut Session, uids: &[u32]) -> Vec<Vec<Fetch>> {
    let mut out = Vec::with_capacity(uids.len());
    for &uid in uids {
        match session.fetch(uid, &attrs()).await {
            Ok(f) => out.push(f),
            Err(e) => fail_with_trace(session, &format!("UID FETCH {uid}"), e),
        }
    }
    out
}

/// A task per fetch, all at once, each with its clone of the session.
async fn fetch_from_tasks(session: &Session, uids: &[u32]) -> Vec<Vec<Fetch>> {
    let tasks: Vec<_> = uids
        .iter()
        .map(|&uid| {
            let mut s = session.clone();
            smol::spawn(async move { (uid, s.fetch(uid, &attrs()).await) })
        })
        .collect();
    let mut out = Vec::with_capacity(uids.len());
    for task in tasks {
        match task.await {
            (_, Ok(f)) => out.push(f),
            (uid, Err(e)) => fail_with_trace(session, &format!("UID FETCH {uid} (from a task)"), e),
        }
    }
    out
}

/// Each UID's sequential result is that one message with its FLAGS and
/// ENVELOPE, and the concurrent result is equal to it.
fn check(uids: &[u32], sequential: &[Vec<Fetch>], concurrent: &[Vec<Fetch>]) -> Result<(), String> {
    if sequential.len() != uids.len() || concurrent.len() != uids.len() {
        return Err(format!(
            "{} sequential and {} concurrent results for {} UIDs",
            sequential.len(),
            concurrent.len(),
            uids.len()
        ));
    }
    for ((&uid, s), c) in uids.iter().zip(sequential).zip(concurrent) {
        let whole =
            matches!(&s[..], [f] if f.uid() == Some(uid) && f.flags().is_some() && f.envelope().is_some());
        if !whole {
            return Err(format!(
                "UID {uid}: the sequential fetch gave {s:?}, not that message's FLAGS and ENVELOPE"
            ));
        }
        if c != s {
            return Err(format!(
                "UID {uid}: the concurrent result differs:\n concurrent {c:?}\n sequential {s:?}"
            ));
        }
    }
    Ok(())
}

fn report(settings: &Settings, options: &Options, rows: &[Row]) {
    println!(
        "{} × UID FETCH n (FLAGS ENVELOPE), one message each, on one imap-smol connection to {} (mailbox {}); \
         {} runs of each way per delay, medians",
        options.count,
        settings.describe(),
        options.mailbox,
        options.runs
    );
    println!();
    println!("| one-way delay | measured | sequential | per fetch | concurrent | ratio | goal |");
    println!("|---:|---:|---:|---:|---:|---:|---|");
    for row in rows {
        let sequential = median(row.sequential.iter().map(|r| r.time).collect());
        let concurrent = median(row.concurrent.iter().map(|r| r.time).collect());
        // Paired within a run (the two ran close in time), then the median.
        let ratio = median_f64(
            row.sequential
                .iter()
                .zip(&row.concurrent)
                .map(|(s, c)| s.time.as_secs_f64() / c.time.as_secs_f64())
                .collect(),
        );
        let all: Vec<Stats> =
            row.sequential.iter().chain(&row.concurrent).flat_map(|r| [r.to_server, r.to_client]).collect();
        let goal = GOALS.iter().find(|(d, _)| *d == row.delay).map_or("–".into(), |&(_, want)| {
            format!("≥ {want}×: {}", if ratio >= want { "met" } else { "MISSED" })
        });
        println!(
            "| {} ms | {} | {} | {} | {} | {ratio:.1}× | {goal} |",
            row.delay,
            held(&all).map_or("–".into(), ms),
            secs(sequential),
            ms(sequential / options.count as u32),
            secs(concurrent),
        );
    }
    println!();
    println!("measured: the mean time the proxy held a chunk (arrival to write), each way, over every run.");
    println!("ratio: the median over runs of sequential ÷ concurrent time within the same run.");
}

/// The mean time chunks were held, over several counts.
fn held(stats: &[Stats]) -> Option<Duration> {
    let total = Stats {
        chunks: stats.iter().map(|s| s.chunks).sum(),
        bytes: stats.iter().map(|s| s.bytes).sum(),
        held: stats.iter().map(|s| s.held).sum(),
        max_held: stats.iter().map(|s| s.max_held).max().unwrap_or_default(),
    };
    total.mean_held()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn median_f64(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn secs(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        ms(d)
    }
}

fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1e3;
    if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.2} ms")
    }
}

fn fail(message: &str) -> ! {
    eprintln!("concurrency-bench: {message}");
    exit(1)
}

fn fail_with_trace(session: &Session, what: &str, e: imap_smol::Error) -> ! {
    eprintln!("concurrency-bench: {what}: {e}");
    eprintln!("last lines exchanged (credentials redacted):\n{}", session.trace_text());
    exit(1)
}
