//! Prints what imap-core's engine spends per command when N commands are
//! pipelined: N single-message `UID FETCH <uid> (FLAGS)` submitted at once,
//! the engine's bytes read back by an in-memory server that answers each
//! command line as it arrives, every result taken. No socket, no server: only
//! the engine's admission, scheduling, routing and delivery are timed.
//!
//! ```text
//! cargo run --release -p imap-bench --bin pipeline-bench -- [--rounds R] [N...]
//! ```
//!
//! With a cost per command that does not grow with N, the engine scales
//! linearly; a cost that grows with N shows work per command proportional
//! to what is in flight. Each cell is the median of R rounds (default 7).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use imap_core::types::FetchAttr;
use imap_core::{request, Client, ClientConfig, Event};

const USAGE: &str = "usage: pipeline-bench [--rounds R] [N...]";

fn main() -> ExitCode {
    let mut rounds = 7usize;
    let mut sizes = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let parsed = match arg.as_str() {
            "--rounds" => args.next().and_then(|r| r.parse().ok()).map(|r| rounds = r),
            n => n.parse().ok().map(|n| sizes.push(n)),
        };
        if parsed.is_none() {
            eprintln!("pipeline-bench: bad argument {arg:?}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    if sizes.is_empty() {
        sizes = vec![10, 100, 1_000, 10_000];
    }
    if cfg!(debug_assertions) {
        eprintln!("pipeline-bench: built without optimisations; the figures mean nothing (use --release)");
    }
    println!("| commands pipelined | median | per command | min – max |");
    println!("|---:|---:|---:|---:|");
    for &n in &sizes {
        let mut times: Vec<Duration> = (0..rounds.max(1)).map(|_| run(n)).collect();
        times.sort();
        let median = times[times.len() / 2];
        println!(
            "| {n} | {:.2} ms | {:.2} µs | {:.2} – {:.2} ms |",
            median.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e6 / n as f64,
            times[0].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
        );
    }
    ExitCode::SUCCESS
}

/// One round: a logged-in session with a selected mailbox, `n` fetches
/// submitted at once, the server's answer to each command line fed back in
/// one read per batch of lines the engine sent. Panics if a result is wrong.
fn run(n: u32) -> Duration {
    let mut client = Client::new(ClientConfig::default());
    let mut server = Server::default();
    client.handle_input(b"* OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS] ready\r\n");
    let login = client.submit(request::login("alice", "secret")).expect("login");
    let mut logged_in = None;
    while logged_in.is_none() {
        server.answer(&mut client, |_| Vec::new());
        logged_in = client.take(&login);
    }
    assert!(matches!(logged_in, Some(Ok(()))));
    let select = client.submit(request::select("INBOX")).expect("select");
    server.answer(&mut client, |_| format!("* {n} EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n").into_bytes());
    assert!(client.take(&select).is_some_and(|r| r.is_ok()));
    drain_events(&mut client);

    let started = Instant::now();
    let handles: Vec<_> = (1..=n)
        .map(|uid| client.submit(request::fetch(true, uid, &[FetchAttr::Flags])).expect("fetch"))
        .collect();
    let mut done = 0;
    while done < handles.len() {
        server.answer(&mut client, |words| {
            // `<tag> UID FETCH <uid> (FLAGS)`: the message with that UID.
            let uid = words[3];
            let mut line = b"* ".to_vec();
            line.extend_from_slice(uid);
            line.extend_from_slice(b" FETCH (UID ");
            line.extend_from_slice(uid);
            line.extend_from_slice(b" FLAGS (\\Seen))\r\n");
            line
        });
        drain_events(&mut client);
        while let Some(h) = handles.get(done) {
            match client.take(h) {
                Some(Ok(fetches)) => {
                    assert_eq!(fetches.len(), 1);
                    assert_eq!(fetches[0].uid(), Some(done as u32 + 1));
                    done += 1;
                }
                Some(Err(e)) => panic!("fetch {done}: {e}"),
                None => break,
            }
        }
    }
    started.elapsed()
}

fn drain_events(client: &mut Client) {
    while let Some(event) = client.poll_event() {
        std::hint::black_box(&event);
        if matches!(event, Event::ConnectionLost(_)) {
            panic!("connection lost");
        }
    }
}

/// Reads the engine's command lines and answers each: its data, then
/// `<tag> OK done` (CAPABILITY gets its data whatever `data` says).
#[derive(Default)]
struct Server {
    pending: Vec<u8>,
    reply: Vec<u8>,
}

impl Server {
    fn answer(&mut self, client: &mut Client, data: impl Fn(&[&[u8]]) -> Vec<u8>) {
        while let Some(out) = client.poll_transmit() {
            self.pending.extend_from_slice(&out);
            client.advance_transmit(out.len());
        }
        self.reply.clear();
        let mut start = 0;
        while let Some(end) = self.pending[start..].windows(2).position(|w| w == b"\r\n") {
            let line = &self.pending[start..start + end];
            let words: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
            if words.get(1) == Some(&&b"CAPABILITY"[..]) {
                self.reply.extend_from_slice(b"* CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS\r\n");
            } else {
                self.reply.extend_from_slice(&data(&words));
            }
            self.reply.extend_from_slice(words[0]);
            self.reply.extend_from_slice(b" OK done\r\n");
            start += end + 2;
        }
        self.pending.drain(..start);
        if !self.reply.is_empty() {
            client.handle_input(&self.reply);
        }
    }
}
