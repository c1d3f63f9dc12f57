//! N idle IMAP connections held by one thread: memory per idle connection
//! (RSS growth divided by N) and CPU per second while nothing arrives, for
//! plain TCP and implicit TLS. Each figure comes from a fresh process, so
//! that memory freed by one run does not flatter the next.
//!
//! ```text
//! IMAP_TEST_PORT=18143 IMAP_TEST_TLS_PORT=18993 scripts/dovecot start
//! eval "$(scripts/dovecot env)"
//! cargo bench -p imap-mio --bench idle [-- --counts 100,1000 --idle-secs 10]
//! ```
//!
//! Each connection logs in, selects INBOX and runs IDLE, the three
//! pipelined. The server is the one `IMAP_HOST`,
//! `IMAP_PORT` (plain), `IMAP_TLS_PORT` (implicit TLS), `IMAP_USER`,
//! `IMAP_PASSWORD` and `IMAP_CA_FILE` name (`scripts/dovecot env` prints
//! the local test server's); it must allow that many connections per user
//! (the script's Dovecot allows 2,000).

#![allow(unsafe_code)] // the counting allocator below

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashMap;
use std::process::{exit, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use imap_mio::prelude::*;
use imap_mio::{ConnectOptions, Connector, Pool, Progress, Security, RELEASE_BUFFERS_AFTER};

/// The system allocator, counting the bytes live on the heap: what the
/// connections really hold, apart from how the allocator lays it out.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call goes to `System` unchanged; only the counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const USAGE: &str = "idle: memory and CPU per idle connection of the mio driver
usage: cargo bench -p imap-mio --bench idle [-- --counts 100,1000 --idle-secs 10]";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return;
    }
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1));
    if let (Some(security), Some(n)) = (value("--child"), value("--n")) {
        let idle = value("--idle-secs").and_then(|s| s.parse().ok()).unwrap_or(10);
        return child(security == "tls", n.parse().unwrap_or(1), Duration::from_secs(idle));
    }
    if std::env::var("IMAP_PORT").is_err() {
        eprintln!(
            "error: no server: run `scripts/dovecot start` and `eval \"$(scripts/dovecot env)\"` first"
        );
        exit(2);
    }
    let counts = value("--counts").map_or("100,1000", String::as_str).to_owned();
    let idle = value("--idle-secs").map_or("10", String::as_str).to_owned();
    println!("idle connections held by one thread (mio driver); {idle} s idle per run");
    println!(
        "{:<6} {:>6} {:>14} {:>16} {:>13} {:>17}",
        "", "N", "RSS growth", "per connection", "CPU while idle", "wake-ups while idle"
    );
    for security in ["plain", "tls"] {
        for n in counts.split(',') {
            let exe = std::env::current_exe().expect("the bench binary");
            let out = Command::new(exe)
                .args(["--child", security, "--n", n, "--idle-secs", &idle])
                .output()
                .expect("run the bench binary again");
            let text = String::from_utf8_lossy(&out.stdout);
            if !out.status.success() {
                eprintln!("{security} N={n} failed:\n{text}{}", String::from_utf8_lossy(&out.stderr));
                exit(1);
            }
            println!("{}", text.trim_end());
        }
    }
}

/// One measurement: open `n` connections to IDLE, measure, print one row.
fn child(tls: bool, n: usize, idle: Duration) {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let (security, port) = match tls {
        true => (Security::Tls, var("IMAP_TLS_PORT")),
        false => (Security::Plain, var("IMAP_PORT")),
    };
    let mut options = ConnectOptions::new(var("IMAP_HOST"))
        .security(security)
        .port(port.parse().expect("a port"))
        .connect_timeout(Duration::from_secs(60))
        .response_timeout(Duration::from_secs(120));
    if let Ok(ca) = std::env::var("IMAP_CA_FILE") {
        options = options.ca_file(ca);
    }
    let connector = Connector::new(options).expect("TLS settings");
    let addr = connector.resolve().expect("the server's address")[0];
    let (user, password) = (var("IMAP_USER"), var("IMAP_PASSWORD"));
    let mut pool = Pool::new().expect("a mio Poll");
    // One connection first: what every connection shares (the TLS
    // configuration, the crypto provider, lazy tables) is not counted.
    open(&mut pool, &connector, addr, (&user, &password), 1);
    settle(&mut pool, RELEASE_BUFFERS_AFTER + Duration::from_millis(500));
    let (before, heap_before) = (rss(), LIVE.load(Ordering::Relaxed));
    open(&mut pool, &connector, addr, (&user, &password), n);
    settle(&mut pool, RELEASE_BUFFERS_AFTER + Duration::from_millis(500));
    let (after, heap_after) = (rss(), LIVE.load(Ordering::Relaxed));
    let heap = heap_after.saturating_sub(heap_before) as f64 / n as f64;
    let engine: usize = pool.iter().map(|(_, c)| c.client().input_capacity()).sum::<usize>() / (n + 1);
    let cpu_before = cpu_time();
    let started = Instant::now();
    let (mut wakeups, mut news) = (0u64, 0usize);
    while started.elapsed() < idle {
        pool.poll(Some(idle.saturating_sub(started.elapsed()))).expect("poll");
        wakeups += 1;
        while let Some((token, progress)) = pool.poll_progress() {
            let conn = pool.get_mut(token).expect("a connection of the pool");
            match progress {
                Progress::Closed => panic!("connection {token:?} closed while idle: {:?}", conn.error()),
                // The server spoke on its own (e.g. Dovecot's "* OK Still here").
                _ => news += conn.take_unsolicited().len(),
            }
        }
    }
    let cpu = cpu_time() - cpu_before;
    let secs = started.elapsed().as_secs_f64();
    let per = (after.saturating_sub(before)) as f64 / n as f64;
    println!(
        "{:<6} {:>6} {:>11.1} MiB {:>11.1} KiB {:>9.3} ms/s {:>19}  (heap {:.1} KiB of it, receive buffer {:.1} KiB; server news {news})",
        if tls { "TLS" } else { "plain" },
        n,
        after.saturating_sub(before) as f64 / (1 << 20) as f64,
        per / 1024.0,
        cpu.as_secs_f64() * 1000.0 / secs,
        wakeups.saturating_sub(1),
        heap / 1024.0,
        engine as f64 / 1024.0,
    );
}

/// Opens `n` connections and waits until each one idles.
fn open(pool: &mut Pool, connector: &Connector, addr: std::net::SocketAddr, account: (&str, &str), n: usize) {
    let mut handles = HashMap::new();
    for _ in 0..n {
        handles.insert(pool.connect(connector, addr).expect("connect"), None);
    }
    let mut idling = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    while idling < n {
        assert!(Instant::now() < deadline, "only {idling} of {n} connections idle after 120 s");
        pool.poll(Some(Duration::from_secs(1))).expect("poll");
        while let Some((token, progress)) = pool.poll_progress() {
            let conn = pool.get_mut(token).expect("a connection of the pool");
            match progress {
                Progress::Connected => {
                    let login = conn.login(account.0, account.1).expect("LOGIN");
                    let select = conn.select("INBOX").expect("SELECT");
                    conn.idle().expect("IDLE");
                    handles.insert(token, Some((login, select)));
                }
                // Taken, so that the engine keeps nothing.
                Progress::Ready(_) => {
                    if let Some(Some((login, select))) = handles.get(&token) {
                        if let Some(r) = conn.take(login) {
                            r.expect("LOGIN");
                        }
                        if let Some(r) = conn.take(select) {
                            r.expect("SELECT");
                        }
                    }
                }
                Progress::IdleStarted(_) if handles.contains_key(&token) => idling += 1,
                Progress::Closed => panic!("connection {token:?} failed: {:?}", conn.error()),
                _ => {}
            }
        }
    }
}

/// Turns the loop for a while (late responses, allocator settling).
fn settle(pool: &mut Pool, time: Duration) {
    let until = Instant::now() + time;
    while Instant::now() < until {
        pool.poll(Some(until.saturating_duration_since(Instant::now()))).expect("poll");
        while pool.poll_progress().is_some() {}
    }
}

/// Resident set size, bytes (Linux: /proc/self/statm).
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4096
}

/// CPU time of this (single-threaded) process, from /proc/self/schedstat
/// (nanoseconds).
fn cpu_time() -> Duration {
    let text = std::fs::read_to_string("/proc/self/schedstat").unwrap_or_default();
    Duration::from_nanos(text.split_whitespace().next().and_then(|t| t.parse().ok()).unwrap_or(0))
}
