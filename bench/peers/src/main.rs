//! Every driver of this workspace (imap-blocking, imap-smol, imap-mio and
//! the Python layers of imap-python) against its peers, end to end, in one
//! run: the Rust crates `imap` and `async-imap`, Python's imaplib,
//! IMAPClient and aioimaplib, and a raw socket that only drains each reply
//! (the floor), all against the local Dovecot over loopback (plain TCP).
//!
//! ```text
//! scripts/bench                       # installs, starts, seeds, builds and runs this
//! peers-bench [--runs 5] [--stall-runs 20] [--large-mb 50] [--python PATH] [server options]
//! ```
//!
//! Sections (Markdown on stdout, progress on stderr):
//!
//! 1. Speed: for each operation (the whole mailbox's bodies, its metadata,
//!    1,000 single-message fetches one after another and pipelined), one
//!    worker process per client, all logged in, then a warm-up and `--runs`
//!    timed runs by turns; the median, MB/s of the reply, the worker's peak
//!    RSS and the ratio to the floor. Every run of every row must return the
//!    floor's message count and bytes, or the row reports the mismatch.
//! 2. Memory: the bodies of a mailbox whose largest message is `--large-mb`
//!    MB, one client at a time: peak RSS, streaming and collecting.
//! 3. Delayed ACK: the metadata fetch `--stall-runs` times through a proxy
//!    that sends like Cyrus with Nagle on (`imap_bench::nagle_proxy`).
//!
//! Each worker is this binary (`peers-bench worker ...`, `worker.rs`) or
//! `python_peers.py`; `clients.rs` lists the rows.

mod clients;
mod prepare;
mod report;
mod runner;
mod tally;
mod worker;

use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::time::Duration;

use imap_bench::nagle_proxy::NagleProxy;
use imap_blocking::imap_net::Settings;

use crate::clients::{Client, Op, CLIENTS};
use crate::report::Row;
use crate::runner::{Setup, Worker};

const USAGE: &str = "peers-bench: every driver against its peers, end to end against the local Dovecot
usage: peers-bench [options] [server options]
       peers-bench seeded [--mailbox NAME] [--messages N]   (exit 0 if the mailbox is ready)
  --runs N          timed runs per row after one warm-up (5)
  --stall-runs N    runs of the delayed-ACK section (20)
  --mailbox NAME    the seeded mailbox (bench-peers), filled by scripts/bench
  --messages N      messages it must hold (2000)
  --singles N       single-message fetches (1000)
  --large-mb N      size of the memory section's largest message in MB (50)
  --python PATH     the venv's python with IMAPClient, aioimaplib and imap_core
                    (default .run/bench-venv/bin/python; 'none': no Python rows)
  --timeout SECS    give up on a worker's run after this long (120)
  --only SECTIONS   a comma list of speed, memory, stalls (all)
  --clients IDS     a comma list of rows to run (all), e.g. raw,blocking,imap:
                    raw, blocking, blocking-stream, smol, smol-stream, mio,
                    mio-stream, imap-python, imap-python-aio, imap,
                    async-imap, imaplib, imapclient, aioimaplib
The server is used over plain TCP on its plain port (IMAP_PORT).";

/// The memory section's mailbox and its number of 1 MB messages.
const LARGE_MAILBOX: &str = "bench-peers-large";
const LARGE_SMALL_MESSAGES: usize = 50;

struct Config {
    setup: Setup,
    runs: usize,
    stall_runs: usize,
    mailbox: String,
    messages: u32,
    singles: u32,
    large_mb: usize,
    sections: Vec<String>,
    /// Only these rows (the floor is always run).
    clients: Option<Vec<String>>,
    /// `peers-bench seeded`: only check the seeded mailbox (exit 1 if not).
    check_only: bool,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("worker") {
        if let Err(e) = worker::main(&args[1..]) {
            println!("{}", serde_json::json!({ "error": e }));
            std::process::exit(1);
        }
        return;
    }
    let config = config();
    if let Err(e) = run(&config) {
        eprintln!("peers-bench: {e}");
        std::process::exit(1);
    }
}

fn config() -> Config {
    let settings = Settings::for_tool(USAGE);
    let flag = |name: &str| settings.flag(name).unwrap_or_else(|e| fail(&e.to_string()));
    let number = |name: &str, default: usize| {
        flag(name).map_or(default, |v| v.parse().unwrap_or_else(|_| fail(&format!("bad {name} {v}"))))
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("python_peers.py");
    let python = match flag("--python") {
        Some(p) if p == "none" => None,
        Some(p) => Some((PathBuf::from(p), script)),
        None => {
            let venv = root.join("../../.run/bench-venv/bin/python");
            venv.exists().then_some((venv, script))
        }
    };
    let sections = flag("--only").map_or_else(
        || vec!["speed".into(), "memory".into(), "stalls".into()],
        |s| s.split(',').map(str::to_owned).collect(),
    );
    Config {
        setup: Setup {
            host: settings.options.host.clone(),
            port: settings.options.server_port(),
            user: settings.user.clone(),
            password: settings.password.clone(),
            python,
            timeout: Duration::from_secs(number("--timeout", 120) as u64),
        },
        runs: number("--runs", 5).max(1),
        stall_runs: number("--stall-runs", 20).max(1),
        mailbox: flag("--mailbox").unwrap_or_else(|| "bench-peers".into()),
        messages: number("--messages", 2000) as u32,
        singles: number("--singles", 1000) as u32,
        large_mb: number("--large-mb", 50),
        sections,
        clients: flag("--clients").map(|s| s.split(',').map(str::to_owned).collect()),
        check_only: settings.args.first().is_some_and(|a| a == "seeded"),
    }
}

impl Config {
    fn wanted(&self, client: &Client) -> bool {
        client.floor || self.clients.as_ref().is_none_or(|ids| ids.iter().any(|id| id == client.id))
    }
}

fn fail(message: &str) -> ! {
    eprintln!("peers-bench: {message}");
    std::process::exit(2)
}

fn run(c: &Config) -> Result<(), String> {
    let seeded = prepare::check_seeded(&c.setup, &c.mailbox, c.messages, c.singles)?;
    if c.check_only {
        return Ok(());
    }
    let wants = |s: &str| c.sections.iter().any(|x| x == s);
    report::header(&c.setup, c.runs, seeded);
    let mut tables = Vec::new();
    if wants("speed") {
        for op in Op::ALL {
            eprintln!("peers-bench: {op}: {} + 1 runs per client", c.runs);
            let rows = measure(c, op, &c.mailbox, seeded.uids, 1 + c.runs);
            report::speed_table(op, &rows, c.runs);
            tables.push((op, rows));
        }
        report::goals(&tables);
    }
    if wants("memory") {
        prepare::ensure_large(&c.setup, LARGE_MAILBOX, c.large_mb, LARGE_SMALL_MESSAGES)?;
        eprintln!("peers-bench: memory: one client at a time");
        let mut rows = Vec::new();
        for client in CLIENTS.iter().filter(|cl| cl.runs(Op::Full) && c.wanted(cl)) {
            rows.extend(measure_clients(
                c,
                Op::Full,
                LARGE_MAILBOX,
                (1, 1),
                1,
                &[(client, c.setup.port)],
                None,
            ));
        }
        report::check_against_floor(&mut rows);
        report::memory_table(&rows, c.large_mb, LARGE_SMALL_MESSAGES);
    }
    if wants("stalls") {
        let upstream = format!("{}:{}", c.setup.host, c.setup.port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or("cannot resolve the server")?;
        let proxy = NagleProxy::start(upstream, Duration::from_millis(2), Some(1448))
            .map_err(|e| format!("start the proxy: {e}"))?;
        eprintln!("peers-bench: delayed ACK: {} + 1 runs per client through the proxy", c.stall_runs);
        // Through the proxy and straight to Dovecot, by turns.
        let targets: Vec<(&'static Client, u16)> =
            clients(c).into_iter().flat_map(|cl| [(cl, proxy_port(&proxy)), (cl, c.setup.port)]).collect();
        let mut rows =
            measure_clients(c, Op::Meta, &c.mailbox, seeded.uids, 1 + c.stall_runs, &targets, Some(&proxy));
        report::check_against_floor(&mut rows);
        report::stall_table(&rows, c.stall_runs);
    }
    Ok(())
}

fn proxy_port(proxy: &NagleProxy) -> u16 {
    proxy.addr().port()
}

/// Every client asked for (those that skip `op` print why), straight to
/// Dovecot, checked against the floor.
fn measure(c: &Config, op: Op, mailbox: &str, uids: (u32, u32), rounds: usize) -> Vec<Row> {
    let targets: Vec<(&'static Client, u16)> = clients(c).into_iter().map(|cl| (cl, c.setup.port)).collect();
    let mut rows = measure_clients(c, op, mailbox, uids, rounds, &targets, None);
    report::check_against_floor(&mut rows);
    rows
}

/// The rows asked for.
fn clients(c: &Config) -> Vec<&'static Client> {
    CLIENTS.iter().filter(|cl| c.wanted(cl)).collect()
}

/// The pause before each timed run: whatever the previous worker left
/// running (freeing its results, the server finishing its writes) is done.
const PAUSE: Duration = Duration::from_millis(20);

/// The order of one round: a permutation of `0..n` drawn from the round's
/// number (the same in every invocation), different from round to round.
fn round_order(round: usize, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = (round as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for i in (1..n).rev() {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let j = ((state >> 33) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

/// Starts one worker per target (a client and the port it connects to),
/// then runs `rounds` rounds by turns (the first is the warm-up when there
/// are several), each round in an order of its own ([`round_order`]) and
/// with a short pause before each run, so that no row always runs right
/// after the same other one (the floor used to follow aioimaplib, the
/// heaviest row, in every round, and paid for it). The caller checks the
/// rows. With a
/// proxy, the rows connected through it get the proxy's measure of how long
/// each tagged line waited for the client's ACK.
fn measure_clients(
    c: &Config,
    op: Op,
    mailbox: &str,
    uids: (u32, u32),
    rounds: usize,
    targets: &[(&'static Client, u16)],
    proxy: Option<&NagleProxy>,
) -> Vec<Row> {
    let mut rows: Vec<Row> =
        targets.iter().map(|(cl, port)| Row::new(cl, op, c.setup.python.is_some(), *port)).collect();
    let mut workers: Vec<Option<Worker>> = Vec::new();
    for row in &mut rows {
        if row.skipped().is_some() {
            workers.push(None);
            continue;
        }
        match Worker::start(&c.setup, row.client, op, mailbox, uids, row.port) {
            Ok(w) => workers.push(Some(w)),
            Err(e) => {
                row.fail(format!("start: {e}"));
                workers.push(None);
            }
        }
    }
    let n = rows.len();
    for round in 0..rounds {
        for i in round_order(round, n) {
            let Some(worker) = workers[i].as_mut() else { continue };
            std::thread::sleep(PAUSE);
            match worker.run() {
                Ok((outcome, cpu)) if round > 0 || rounds == 1 => rows[i].record(outcome, cpu),
                Ok((outcome, _)) => rows[i].record_warmup(outcome),
                Err(e) => {
                    rows[i].fail(e);
                    if let Some(w) = workers[i].take() {
                        w.quit();
                    }
                }
            }
        }
    }
    for (row, worker) in rows.iter_mut().zip(workers) {
        if let Some(w) = worker {
            row.memory(w.baseline_kib, w.peak_kib().unwrap_or(0));
            if let Some(proxy) = proxy.filter(|p| p.addr().port() == row.port) {
                let ports = w.ports_to(row.port);
                row.holds(
                    ports.iter().flat_map(|&port| proxy.holds(port)).collect(),
                    ports.iter().flat_map(|&port| proxy.command_times(port)).collect(),
                );
            }
            w.quit();
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::round_order;

    #[test]
    fn each_round_is_a_permutation_and_no_row_mostly_follows_the_same_one() {
        let n = 14;
        let orders: Vec<Vec<usize>> = (0..6).map(|r| round_order(r, n)).collect();
        for order in &orders {
            let mut sorted = order.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..n).collect::<Vec<_>>());
        }
        // What runs right before each row (None: first in its round).
        for row in 0..n {
            let before: Vec<Option<usize>> = orders
                .iter()
                .map(|o| {
                    let at = o.iter().position(|&i| i == row).unwrap();
                    at.checked_sub(1).map(|p| o[p])
                })
                .collect();
            // (Rotating the start of a fixed order, as before, gave every
            // row the same predecessor in 5 rounds of 6.)
            for p in before.iter().flatten() {
                let times = before.iter().filter(|b| **b == Some(*p)).count();
                assert!(times <= 3, "row {row} follows row {p} in {times} rounds of 6: {before:?}");
            }
        }
        assert_ne!(orders[0], orders[1]);
    }
}
