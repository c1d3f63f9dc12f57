//! One thread watches many mailboxes with IDLE and prints each new message
//! (mailbox, UID, subject) as it arrives; at the end, the memory each idle
//! connection cost.
//!
//! ```text
//! eval "$(scripts/dovecot env)"
//! cargo run -p imap-mio --example notify                     # the IMAP_* account
//! cargo run -p imap-mio --example notify -- --connections 500
//! cargo run -p imap-mio --example notify -- --accounts accounts.txt --for 60
//! ```
//!
//! A connection that fails is reported and the others go on; when every
//! one has failed the program exits with status 1. Ctrl-C (or `--for`)
//! logs out and stops.

use std::collections::HashMap;
use std::process::exit;
use std::time::{Duration, Instant};

use imap_mio::imap_core::request::{self, Handle, MailboxInfo};
use imap_mio::imap_core::types::Data;
use imap_mio::imap_net::Settings;
use imap_mio::mio::{Interest, Token};
use imap_mio::prelude::*;
use imap_mio::{Connection, Connector, Fetch, FetchAttr, Pool, Progress, Response};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook_mio::v1_0::Signals;

const USAGE: &str = "\
notify: watch mailboxes with IDLE in one thread; print each new message as it arrives
usage: notify [--accounts FILE | --connections N] [--mailbox NAME] [--for SECONDS] [server options]
  --accounts FILE    one account per line: USER PASSWORD (# starts a comment);
                     every account on the server the options name
  --connections N    N connections to the one account of the options (default 1)
  --mailbox NAME     the mailbox to watch (default INBOX)
  --for SECONDS      stop after this long (default: until Ctrl-C)";

/// The signal pipe's token, beside the pool's.
const SIGNALS: Token = Token(usize::MAX);

/// One watched mailbox.
struct Watch {
    user: String,
    password: String,
    /// Messages known (new ones are numbered after them).
    seen: u32,
    login: Option<Handle<()>>,
    select: Option<Handle<MailboxInfo>>,
    /// The failure was reported; the connection logs out.
    gave_up: bool,
    /// Why it failed, once it has.
    why: Option<String>,
    fetches: Vec<Handle<Vec<Fetch>>>,
}

fn main() {
    let settings = Settings::for_tool(USAGE);
    let flag = |name: &str| settings.flag(name).unwrap_or_else(|e| fail(&e.to_string()));
    let mailbox = flag("--mailbox").unwrap_or_else(|| "INBOX".to_owned());
    let stop_after = flag("--for").map(|s| match s.parse() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => fail(&format!("--for takes a number of seconds, not {s:?}")),
    });
    let accounts = accounts(&settings, flag("--accounts"), flag("--connections"));

    let mut options = settings.options.clone();
    // The engine idles by itself whenever nothing else runs; a FETCH ends
    // IDLE and it resumes after.
    options.engine.auto_idle = Some(Duration::ZERO);
    let connector = Connector::new(options).unwrap_or_else(|e| fail(&e.to_string()));
    // Resolving blocks: before the loop.
    let addr = match connector.resolve() {
        Ok(addrs) => addrs[0],
        Err(e) => fail(&format!("{}: {e}", settings.describe())),
    };
    let mut pool = Pool::new().unwrap_or_else(|e| fail(&format!("cannot create the event loop: {e}")));
    let mut signals = Signals::new([SIGINT, SIGTERM]).unwrap_or_else(|e| fail(&e.to_string()));
    if let Err(e) = pool.registry().register(&mut signals, SIGNALS, Interest::READABLE) {
        fail(&e.to_string());
    }
    eprintln!("Watching {mailbox} for {} connection(s) to {}", accounts.len(), settings.describe());
    let rss_before = rss();
    let mut watches = HashMap::new();
    for (user, password) in accounts {
        match pool.connect(&connector, addr) {
            Ok(token) => {
                let watch = Watch {
                    user,
                    password,
                    seen: 0,
                    login: None,
                    select: None,
                    gave_up: false,
                    why: None,
                    fetches: Vec::new(),
                };
                watches.insert(token, watch);
            }
            Err(e) => eprintln!("{user}: cannot connect: {e}"),
        }
    }
    let total = watches.len();
    let started = Instant::now();
    let (mut failed, mut watching) = (0, 0);
    let mut interrupted = false;
    // Why the last connection that failed did, for the final error line.
    let mut last_why: Option<String> = None;
    while failed < total && !interrupted {
        let left = stop_after.map(|limit| limit.saturating_sub(started.elapsed()));
        if left == Some(Duration::ZERO) {
            break;
        }
        if let Err(e) = pool.poll(left) {
            fail(&format!("the event loop failed: {e}"));
        }
        interrupted = signals.pending().next().is_some();
        while let Some((token, progress)) = pool.poll_progress() {
            let (Some(conn), Some(watch)) = (pool.get_mut(token), watches.get_mut(&token)) else { continue };
            match progress {
                Progress::Connected => match conn.login(&watch.user, &watch.password) {
                    Ok(login) => {
                        watch.login = Some(login);
                        watch.select = conn.select(&mailbox).ok();
                    }
                    Err(e) => give_up(conn, watch, &format!("cannot log in: {e}")),
                },
                Progress::Ready(_) => {
                    if let Some(Err(e)) = watch.login.as_ref().and_then(|login| conn.take(login)) {
                        give_up(conn, watch, &format!("login as {:?} failed: {e}", watch.user));
                    }
                    if took_select(conn, watch, &mailbox) {
                        watching += 1;
                        if watching == total - failed {
                            eprintln!(
                                "{watching} connection(s) idle; new messages appear below (Ctrl-C to stop)"
                            );
                        }
                    }
                    print_arrivals(conn, watch, &mailbox);
                }
                Progress::Unsolicited => fetch_arrivals(conn, watch),
                Progress::Closed => {
                    failed += 1;
                    if !watch.gave_up {
                        let why =
                            conn.error().map_or("the server ended the session".to_owned(), |e| e.to_string());
                        eprintln!("{}: connection failed: {why}", watch.user);
                        watch.why = Some(why);
                    }
                    last_why = watch.why.clone();
                    eprintln!("{} of {total} connection(s) left", total - failed);
                }
                _ => {}
            }
        }
    }
    let idle = total - failed;
    if idle > 0 {
        let grown = rss().saturating_sub(rss_before);
        // One-time costs (the TLS library, first buffers) are in the growth
        // too: the figure means something from about a hundred on.
        let note = if idle < 100 { "; one-time costs dominate below ~100 connections" } else { "" };
        println!(
            "memory per idle connection: {:.1} KiB (RSS grew {:.1} MiB for {idle} connection(s){note})",
            grown as f64 / 1024.0 / idle as f64,
            grown as f64 / (1 << 20) as f64
        );
        logout_all(&mut pool);
    }
    if failed == total {
        match last_why {
            Some(why) => eprintln!("error: every connection failed; the last: {why}"),
            None => eprintln!("error: every connection failed"),
        }
        exit(1);
    }
}

/// The accounts to watch: the file's, or `n` times the options' account.
fn accounts(settings: &Settings, file: Option<String>, n: Option<String>) -> Vec<(String, String)> {
    if let Some(path) = file {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| fail(&format!("cannot read {path}: {e}")));
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            let mut words = line.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (None, ..) => {}
                (Some(user), Some(password), None) => out.push((user.to_owned(), password.to_owned())),
                _ => fail(&format!("{path}:{}: expected USER PASSWORD", i + 1)),
            }
        }
        if out.is_empty() {
            fail(&format!("{path} lists no account"));
        }
        return out;
    }
    let n: usize = match n.map(|n| n.parse()) {
        None => 1,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => fail("--connections takes a positive number"),
    };
    if settings.user.is_empty() {
        fail("no account: give --user and --password (or IMAP_USER and IMAP_PASSWORD), or --accounts FILE");
    }
    vec![(settings.user.clone(), settings.password.clone()); n]
}

/// Takes the SELECT's result if it is the one ready; whether it was.
fn took_select(conn: &mut Connection, watch: &mut Watch, mailbox: &str) -> bool {
    let Some(result) = watch.select.as_ref().and_then(|select| conn.take(select)) else { return false };
    watch.select = None;
    match result {
        Ok(info) => {
            watch.seen = info.exists;
            eprintln!("{}: watching {mailbox} ({} messages)", watch.user, info.exists);
            true
        }
        Err(e) => {
            if !watch.gave_up {
                give_up(conn, watch, &format!("cannot watch {mailbox}: {e}"));
            }
            false
        }
    }
}

/// Reports why a connection is of no use and ends it (its close counts as
/// a failure).
fn give_up(conn: &mut Connection, watch: &mut Watch, why: &str) {
    eprintln!("{}: {why}", watch.user);
    watch.why = Some(why.to_owned());
    watch.gave_up = true;
    conn.set_auto_idle(None);
    // Refused only once the session is over: its close comes anyway.
    let _ = conn.logout();
}

/// News arrived: FETCH the envelopes of the messages numbered after those
/// seen.
fn fetch_arrivals(conn: &mut Connection, watch: &mut Watch) {
    let mut exists = None;
    for news in conn.take_unsolicited() {
        if let Response::Data(Data::Exists(n)) = news {
            exists = Some(n);
        }
    }
    for warning in conn.take_warnings() {
        eprintln!("{}: warning: {warning}", watch.user);
    }
    // Expunges renumber: the engine's count is the truth.
    let known = conn.mailbox().map_or(0, |m| m.exists);
    match exists {
        Some(n) if n > watch.seen => {
            let fetch = request::fetch(false, watch.seen + 1..=n, &[FetchAttr::Uid, FetchAttr::Envelope]);
            match conn.run(fetch) {
                Ok(handle) => watch.fetches.push(handle),
                Err(e) => eprintln!("{}: FETCH: {e}", watch.user),
            }
            watch.seen = n;
        }
        _ => watch.seen = watch.seen.min(known),
    }
}

/// Prints the messages of every FETCH that is done.
fn print_arrivals(conn: &mut Connection, watch: &mut Watch, mailbox: &str) {
    watch.fetches.retain(|handle| match conn.take(handle) {
        None => true,
        Some(Ok(messages)) => {
            for m in messages {
                let subject = m.envelope().and_then(|e| e.subject_text()).unwrap_or_default();
                let uid = m.uid().map_or("?".to_owned(), |u| u.to_string());
                println!("{}/{mailbox}: UID {uid}: {subject}", watch.user);
            }
            false
        }
        Some(Err(e)) => {
            eprintln!("{}: FETCH: {e}", watch.user);
            false
        }
    });
}

/// LOGOUT on every open connection, waiting two seconds at most.
fn logout_all(pool: &mut Pool) {
    let tokens: Vec<Token> = pool.iter().filter(|(_, c)| !c.is_closed()).map(|(t, _)| t).collect();
    for token in &tokens {
        if let Some(conn) = pool.get_mut(*token) {
            conn.set_auto_idle(None);
            let _ = conn.logout();
        }
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline && pool.iter().any(|(_, c)| !c.is_closed()) {
        if pool.poll(Some(deadline.saturating_duration_since(Instant::now()))).is_err() {
            return;
        }
        while pool.poll_progress().is_some() {}
    }
}

/// Resident set size in bytes (Linux; 0 elsewhere).
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm.split_whitespace().nth(1).and_then(|p| p.parse::<usize>().ok()).unwrap_or(0) * 4096
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    exit(1)
}
