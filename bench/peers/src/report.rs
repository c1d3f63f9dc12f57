//! The results: rows, their checks against the floor, and the Markdown
//! tables (with the header that says when, where and with what).

use std::process::Command;
use std::time::Duration;

use crate::clients::{Client, Op, Runner, CLIENTS};
use crate::prepare::Seeded;
use crate::runner::Setup;
use crate::worker::Outcome;

/// One client's result for one operation.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) client: &'static Client,
    /// Where its worker connects (Dovecot's port, or a proxy's).
    pub(crate) port: u16,
    state: State,
}

#[derive(Debug)]
enum State {
    /// Not run, and why (no pipelining, no Python).
    Skipped(String),
    /// Started but failed (an error, a timeout, a wrong count).
    Failed(String),
    Measured(Measured),
}

/// What a row's runs gave.
#[derive(Debug, Default)]
pub(crate) struct Measured {
    /// The timed runs.
    pub(crate) times: Vec<Duration>,
    /// The worker's CPU time in each timed run.
    cpu: Vec<Duration>,
    /// Messages and bytes of every run, the warm-up included.
    counts: Vec<(u64, u64)>,
    /// Bytes of the whole reply, as the floor read them.
    reply: u64,
    baseline_kib: u64,
    peak_kib: u64,
    /// Through the Nagle proxy: how long each tagged line waited for the
    /// client's ACK, as the proxy saw it.
    holds: Vec<Duration>,
    /// Through the proxy: how long each command line took to arrive whole.
    command_times: Vec<Duration>,
}

impl Row {
    pub(crate) fn new(client: &'static Client, op: Op, have_python: bool, port: u16) -> Row {
        let state = if !client.runs(op) {
            State::Skipped(client.skip_note.into())
        } else if client.runner == Runner::Python && !have_python {
            State::Skipped("no Python environment (--python)".into())
        } else {
            State::Measured(Measured::default())
        };
        Row { client, port, state }
    }

    pub(crate) fn skipped(&self) -> Option<&str> {
        match &self.state {
            State::Skipped(why) => Some(why),
            _ => None,
        }
    }

    pub(crate) fn measured(&self) -> Option<&Measured> {
        match &self.state {
            State::Measured(m) if !m.times.is_empty() => Some(m),
            _ => None,
        }
    }

    pub(crate) fn fail(&mut self, why: String) {
        self.state = State::Failed(why);
    }

    pub(crate) fn record_warmup(&mut self, o: Outcome) {
        if let State::Measured(m) = &mut self.state {
            m.counts.push((o.messages, o.bytes));
            m.reply = m.reply.max(o.reply);
        }
    }

    pub(crate) fn record(&mut self, o: Outcome, cpu: Duration) {
        self.record_warmup(o);
        if let State::Measured(m) = &mut self.state {
            m.times.push(o.elapsed);
            m.cpu.push(cpu);
        }
    }

    pub(crate) fn memory(&mut self, baseline_kib: u64, peak_kib: u64) {
        if let State::Measured(m) = &mut self.state {
            (m.baseline_kib, m.peak_kib) = (baseline_kib, peak_kib);
        }
    }

    pub(crate) fn holds(&mut self, holds: Vec<Duration>, command_times: Vec<Duration>) {
        if let State::Measured(m) = &mut self.state {
            (m.holds, m.command_times) = (holds, command_times);
        }
    }

    fn median(&self) -> Option<Duration> {
        self.measured().map(|m| median(&m.times))
    }

    fn label(&self) -> &'static str {
        self.client.label
    }
}

/// The median (the mean of the middle two for an even count).
pub(crate) fn median(times: &[Duration]) -> Duration {
    let mut t = times.to_vec();
    t.sort();
    match t.len() {
        0 => Duration::ZERO,
        n => (t[(n - 1) / 2] + t[n / 2]) / 2,
    }
}

/// Every run of every row must have returned what the floor's did: the
/// same number of messages and the same bytes (bodies, or the sum of
/// RFC822.SIZE). A row that did not is failed, so no row times a failure.
pub(crate) fn check_against_floor(rows: &mut [Row]) {
    let expected = rows
        .iter()
        .find(|r| r.client.floor)
        .and_then(|r| r.measured())
        .and_then(|m| m.counts.first().copied());
    let reply = rows.iter().find(|r| r.client.floor).and_then(|r| r.measured()).map_or(0, |m| m.reply);
    for row in rows.iter_mut() {
        let State::Measured(m) = &mut row.state else { continue };
        m.reply = reply;
        let Some((messages, bytes)) = expected else {
            row.state = State::Failed("unchecked: the floor failed".into());
            continue;
        };
        if let Some(&(got_m, got_b)) = m.counts.iter().find(|&&c| c != (messages, bytes)) {
            row.state = State::Failed(format!(
                "wrong result: {got_m} messages, {got_b} bytes; the floor read {messages} and {bytes}"
            ));
        } else if messages == 0 {
            row.state = State::Failed("no messages".into());
        }
    }
}

/// Date, machine, versions and the command, before the tables.
pub(crate) fn header(setup: &Setup, runs: usize, seeded: Seeded) {
    let date = output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_else(|| "unknown date".into());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<u64>().ok())
        })
        .map_or_else(String::new, |kib| format!(", {:.0} GiB", kib as f64 / 1024.0 / 1024.0));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let dovecot = output("dovecot", &["--version"])
        .or_else(|| output("/usr/sbin/dovecot", &["--version"]))
        .map_or_else(|| "unknown".into(), |v| v.split_whitespace().next().unwrap_or("").to_owned());
    let rustc = output("rustc", &["--version"]).unwrap_or_else(|| "rustc (unknown)".into());
    let lock =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock")).unwrap_or_default();
    let crates: Vec<String> =
        ["imap", "async-imap", "tokio", "smol"].iter().map(|c| format!("{c} {}", locked(&lock, c))).collect();
    let python = setup.python.as_ref().and_then(|(py, script)| {
        output(py.to_str()?, &[script.to_str()?, "versions"]).map(|v| v.trim().to_owned())
    });
    println!("## Benchmarks against peers\n");
    println!("Run {date} on {cpu}, {cores} cores{memory}, Linux {}.", kernel.trim());
    println!(
        "Dovecot {dovecot} on 127.0.0.1 (plain TCP); {rustc}, release profile; {}; {}.",
        crates.join(", "),
        python.unwrap_or_else(|| "no Python peers".into())
    );
    println!(
        "Mailbox: the seed example's {} messages; single-message fetches of UIDs {}–{}. \
         Each client in its own process with its library's defaults; our drivers (Rust and Python) and \
         the floor set TCP_NODELAY and re-arm TCP_QUICKACK after every read; the async clients \
         run on one thread (imap-smol on a smol \
         `LocalExecutor`, async-imap on a current-thread tokio runtime, imap-mio in its own `Pool`, \
         imap_core.aio and aioimaplib on an asyncio event loop). Each row: a warm-up, then the \
         median of {runs} runs taken by turns with the other rows (a new order each round, 20 ms apart); \"÷ floor\" is the row's median over \
         the raw socket's.\n",
        thousands(u64::from(seeded.messages)),
        seeded.uids.0,
        seeded.uids.1
    );
    println!("Re-run: `scripts/bench`\n");
}

/// The speed table of one operation.
pub(crate) fn speed_table(op: Op, rows: &[Row], runs: usize) {
    let label = |row: &Row| match row.client.pipelines_with {
        how if op == Op::Pipelined && !how.is_empty() => format!("{}: {how}", row.label()),
        _ => row.label().to_owned(),
    };
    let floor = rows.iter().find(|r| r.client.floor).and_then(Row::median);
    let what = rows.iter().find_map(|r| r.measured().and_then(|m| m.counts.first().copied()));
    let reply = rows.iter().find_map(|r| r.measured().map(|m| m.reply)).unwrap_or(0);
    let counted = match what {
        Some((m, b)) if op.fetches_bodies() => {
            format!("{} messages, {} of bodies, {} of reply", thousands(m), mb(b), mb(reply))
        }
        Some((m, b)) => {
            format!("{} messages of {} (RFC822.SIZE), {} of reply", thousands(m), mb(b), mb(reply))
        }
        None => "no result".into(),
    };
    println!("### {} — {counted}\n", op.title());
    println!("| client | median | min – max | MB/s | ÷ floor | client CPU | peak RSS |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        match (&row.state, row.measured()) {
            (_, Some(m)) => {
                let med = median(&m.times);
                let (min, max) = (m.times.iter().min().copied(), m.times.iter().max().copied());
                let ratio = floor.map_or_else(|| "–".into(), |f| format!("{:.2}×", secs(med) / secs(f)));
                println!(
                    "| {} | {} | {} – {} | {:.0} | {} | {} | {} |",
                    label(row),
                    ms(med),
                    min.map_or_else(String::new, ms),
                    max.map_or_else(String::new, ms),
                    m.reply as f64 / secs(med) / 1e6,
                    ratio,
                    ms(median(&m.cpu)),
                    kib(m.peak_kib),
                );
            }
            (State::Skipped(why), _) => println!("| {} | {why} | | | | | |", label(row)),
            (State::Failed(why), _) => println!("| {} | **failed**: {why} | | | | | |", label(row)),
            (State::Measured(_), None) => println!("| {} | no timed run | | | | | |", label(row)),
        }
    }
    println!(
        "\n({runs} timed runs per row; MB/s is the reply's bytes over the median; client CPU is the \
         median CPU time of the client's process per run, all threads, from /proc: the client's own \
         cost, which a busy machine does not inflate the way it does wall time.)\n"
    );
}

/// The goals, from the speed tables of the same run.
pub(crate) fn goals(tables: &[(Op, Vec<Row>)]) {
    let row = |op: Op, id: &str| tables.iter().find(|(o, _)| *o == op)?.1.iter().find(|r| r.client.id == id);
    let med = |op: Op, id: &str| row(op, id)?.median();
    let cpu = |op: Op, id: &str| row(op, id)?.measured().map(|m| median(&m.cpu));
    // "a ÷ b" of the client CPU medians, when both are known.
    let cpu_ratio = |op: Op, a: &str, b: &str| match (cpu(op, a), cpu(op, b)) {
        (Some(a), Some(b)) if !b.is_zero() => format!("{:.2}×", secs(a) / secs(b)),
        _ => "–".into(),
    };
    let ours: Vec<&Client> = CLIENTS.iter().filter(|c| c.ours).collect();
    println!("### Goals (same run)\n");
    println!("| goal | row | wall time | met | client CPU |");
    println!("|---|---|---:|:---:|---:|");
    let verdict = |ok: bool| if ok { "yes" } else { "**no**" };
    for c in &ours {
        let (Some(t), Some(floor)) = (med(Op::Full, c.id), med(Op::Full, "raw")) else { continue };
        let ratio = secs(t) / secs(floor);
        println!(
            "| full-body fetch within 1.05× of the floor | {} | {ratio:.3}× | {} | {} the floor's |",
            c.label,
            verdict(ratio <= 1.05),
            cpu_ratio(Op::Full, c.id, "raw")
        );
    }
    for c in &ours {
        let (Some(t), Some(a)) = (med(Op::Full, c.id), med(Op::Full, "async-imap")) else { continue };
        let ahead = secs(a) / secs(t);
        println!(
            "| full-body fetch ahead of async-imap | {} | {ahead:.2}× as fast | {} | async-imap: {} ours |",
            c.label,
            verdict(ahead > 1.0),
            cpu_ratio(Op::Full, "async-imap", c.id)
        );
    }
    if let (Some(f), Some(a)) = (med(Op::Meta, "raw"), med(Op::Meta, "async-imap")) {
        let x = secs(a) / secs(f);
        println!("| (the most any client can show: async-imap ÷ floor) | raw socket drain | {x:.2}× | | |");
    }
    for c in &ours {
        let (Some(t), Some(a)) = (med(Op::Meta, c.id), med(Op::Meta, "async-imap")) else { continue };
        let x = secs(a) / secs(t);
        println!(
            "| meta fetch, typed, ≥ 2× as fast as async-imap | {} | {x:.2}× | {} | async-imap: {} ours |",
            c.label,
            verdict(x >= 2.0),
            cpu_ratio(Op::Meta, "async-imap", c.id)
        );
    }
    if let (Some(seq), Some(pipe)) = (med(Op::Sequential, "raw"), med(Op::Pipelined, "raw")) {
        let x = secs(seq) / secs(pipe);
        println!("| (the same for the raw socket: the server's bound) | raw socket drain | {x:.1}× | | |");
    }
    for c in &ours {
        let (Some(seq), Some(pipe)) = (med(Op::Sequential, c.id), med(Op::Pipelined, c.id)) else { continue };
        let x = secs(seq) / secs(pipe);
        println!(
            "| pipelined ≥ 5× as fast as sequential | {} | {x:.1}× | {} | |",
            c.label,
            verdict(x >= 5.0)
        );
    }
    println!();
}

/// The memory section: what each client holds at its peak.
pub(crate) fn memory_table(rows: &[Row], large_mb: usize, small: usize) {
    let what = rows.iter().find_map(|r| r.measured().and_then(|m| m.counts.first().copied()));
    let total = what.map_or(0, |(_, b)| b);
    println!(
        "### Memory: `UID FETCH 1:* (BODY.PEEK[])` of one {large_mb} MB message and {small} of 1 MB ({} in all)\n",
        mb(total)
    );
    println!("| client | keeps at once | peak RSS | RSS logged in | peak − logged in | time |");
    println!("|---|---|---:|---:|---:|---:|");
    for row in rows {
        let keeps = if row.client.floor {
            "nothing (a 64 KiB buffer)".to_owned()
        } else if row.client.id.ends_with("-stream") {
            format!("one message (≤ {large_mb} MB)")
        } else {
            format!("every message ({})", mb(total))
        };
        match (&row.state, row.measured()) {
            (_, Some(m)) => println!(
                "| {} | {keeps} | {} | {} | {} | {} |",
                row.label(),
                kib(m.peak_kib),
                kib(m.baseline_kib),
                kib(m.peak_kib.saturating_sub(m.baseline_kib)),
                ms(median(&m.times))
            ),
            (State::Skipped(why), _) => println!("| {} | {why} | | | | |", row.label()),
            (State::Failed(why), _) => println!("| {} | **failed**: {why} | | | | |", row.label()),
            (State::Measured(_), None) => println!("| {} | no run | | | | |", row.label()),
        }
    }
    println!("\n(Peak RSS is the worker process's VmHWM; one run each, one client at a time.)\n");
}

/// The delayed-ACK section: rows come in pairs, each client through the
/// proxy then straight to Dovecot, measured by turns.
pub(crate) fn stall_table(rows: &[Row], runs: usize) {
    println!(
        "### Delayed ACK: the meta fetch {runs} times through a proxy that sends like Cyrus \
         (Nagle on, the tagged line 2 ms after the rest, MSS 1448), and straight to Dovecot, by turns\n"
    );
    println!(
        "| client | tagged lines held ≥ 20 ms for its ACK | longest | commands slower than 20 ms to arrive \
         | min | median | p90 | max | straight: median | median − straight |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for pair in rows.chunks(2) {
        let [proxied, straight] = pair else { continue };
        match (&proxied.state, proxied.measured(), straight.measured()) {
            (_, Some(m), Some(s)) => {
                let mut t = m.times.clone();
                t.sort();
                let p90 = t[(t.len() * 9).div_ceil(10).saturating_sub(1)];
                let (med, direct) = (median(&t), median(&s.times));
                let held = m.holds.iter().filter(|h| **h >= Duration::from_millis(20)).count();
                let longest = m.holds.iter().max().map_or_else(|| "–".into(), |h| ms(*h));
                let slow_commands =
                    m.command_times.iter().filter(|c| **c >= Duration::from_millis(20)).count();
                let diff = secs(med) - secs(direct);
                println!(
                    "| {} | {held} of {} | {longest} | {slow_commands} of {} | {} | {} | {} | {} | {} | {}{:.1} ms |",
                    proxied.label(),
                    m.holds.len(),
                    m.command_times.len(),
                    ms(t[0]),
                    ms(med),
                    ms(p90),
                    ms(t[t.len() - 1]),
                    ms(direct),
                    if diff >= 0.0 { "+" } else { "−" },
                    diff.abs() * 1e3,
                );
            }
            (State::Skipped(why), ..) => println!("| {} | {why} | | | | | | | | |", proxied.label()),
            (State::Failed(why), ..) => {
                println!("| {} | **failed**: {why} | | | | | | | | |", proxied.label())
            }
            (_, _, None) => println!("| {} | straight: failed or no run | | | | | | | | |", proxied.label()),
            (State::Measured(_), None, _) => println!("| {} | no run | | | | | | | | |", proxied.label()),
        }
    }
    println!(
        "\n(The proxy watches its send queue after each tagged line it writes (login and EXAMINE included) \
         until the client has acknowledged everything: a client that delays its ACK holds the line up to \
         ~40 ms; so does a client that reads slower than the server sends (the Python peers here), whose \
         window closes. It also times each command line from its first byte to its end: a client that \
         writes a command in pieces with Nagle on waits for the ACK of the first piece. Our drivers (Rust \
         and Python) and the floor re-arm TCP_QUICKACK after every read and write each command at \
         once. The times are the clients' own, through the proxy and straight \
         to Dovecot by turns.)\n"
    );
}

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// A package's version in Cargo.lock (the first, if several).
fn locked(lock: &str, name: &str) -> String {
    let key = format!("name = \"{name}\"\n");
    lock.split("[[package]]\n")
        .find(|p| p.starts_with(&key))
        .and_then(|p| p.lines().nth(1))
        .and_then(|l| l.strip_prefix("version = \""))
        .map_or_else(|| "?".into(), |v| v.trim_end_matches('"').to_owned())
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{} ms", thousands(ms.round() as u64))
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

fn kib(kib: u64) -> String {
    format!("{:.1} MB", kib as f64 * 1024.0 / 1e6)
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
