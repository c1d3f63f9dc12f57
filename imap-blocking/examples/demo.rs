//! The README demo: connects, lists folders, searches, fetches envelopes
//! and a body, and shows an IDLE notification.
//!
//! `scripts/demo` starts the local server, seeds it and runs this.

mod common;

use imap_blocking::prelude::*;
use std::time::{Duration, Instant};

use imap_blocking::imap_core::types::{BodyStructure, Data, SpecialUse};
use imap_blocking::imap_core::types::{Response, SearchKey};
use imap_blocking::{FetchAttr, IdleCheck, Section, StatusAttr};

const USAGE: &str = "demo: a tour of the blocking client\nusage: demo [server options]";

fn main() {
    let settings = common::settings(USAGE);
    let started = Instant::now();
    let mut imap = common::login(&settings);
    let caps = imap.server_capabilities();
    println!(
        "Logged in after {} ms. The server speaks {} and offers {} capabilities (IDLE: {}, MOVE: {}).\n",
        started.elapsed().as_millis(),
        if caps.is_rev2() { "IMAP4rev2" } else { "IMAP4rev1" },
        caps.len(),
        yes(imap.has_capability("IDLE")),
        yes(imap.has_capability("MOVE")),
    );

    // Folders, with counts in one round trip where the server allows it.
    let items = [StatusAttr::Messages, StatusAttr::Unseen];
    let mut folders = if imap.has_capability("LIST-STATUS") {
        check!(imap, "LIST", imap.list_status("*", &items))
    } else {
        check!(imap, "LIST", imap.list("", "*"))
    };
    folders.sort_by(|a, b| {
        (!a.mailbox.is_inbox(), a.mailbox.as_str()).cmp(&(!b.mailbox.is_inbox(), b.mailbox.as_str()))
    });
    println!("Folders:");
    for f in &folders {
        let role = f.special_use().map(role_name).unwrap_or("");
        let counts = f
            .status
            .as_ref()
            .map(|s| format!("{} messages, {} unseen", s.messages.unwrap_or(0), s.unseen.unwrap_or(0)))
            .unwrap_or_default();
        println!("  {} {:<10} {}", pad(f.mailbox.as_str(), 16), role, counts);
    }

    let inbox = check!(imap, "SELECT INBOX", imap.select("INBOX"));
    // Some servers (Courier) send no UIDNEXT: unknown, not 0.
    let known = |n: Option<u32>| n.map_or_else(|| "unknown".to_owned(), |n| n.to_string());
    println!(
        "\nINBOX: {} messages, UIDVALIDITY {}, next UID {}.",
        inbox.exists,
        known(inbox.uid_validity),
        known(inbox.uid_next)
    );

    let unseen = check!(imap, "SEARCH", imap.search(SearchKey::Unseen));
    let flagged = check!(imap, "SEARCH", imap.search(SearchKey::Flagged));
    let reports = check!(imap, "SEARCH", imap.search(SearchKey::subject("report")));
    println!(
        "Search: {} unseen, {} flagged, {} with \"report\" in the subject.",
        unseen.len(),
        flagged.len(),
        reports.len()
    );

    // Envelopes and structure of the five newest messages.
    let all = check!(imap, "SEARCH", imap.search(SearchKey::All));
    let newest: Vec<u32> = all.iter().rev().take(5).copied().collect();
    if newest.is_empty() {
        println!("\nINBOX is empty: run `cargo run -p imap-blocking --example seed` to fill it.");
    } else {
        println!("\nNewest messages:");
        let attrs = [FetchAttr::Envelope, FetchAttr::BodyStructure, FetchAttr::Rfc822Size, FetchAttr::Flags];
        let mut fetched = check!(imap, "FETCH", imap.fetch(newest.clone(), &attrs));
        fetched.sort_by_key(|f| std::cmp::Reverse(f.uid()));
        for f in &fetched {
            let env = f.envelope();
            let from = env.and_then(|e| e.from.first()).map(|a| a.display()).unwrap_or_default();
            let subject = env.and_then(|e| e.subject_text()).unwrap_or_default();
            let parts = f.body_structure().map(describe).unwrap_or_default();
            let seen = f.flags().is_some_and(|fl| fl.contains(&imap_blocking::Flag::Seen));
            println!(
                "  UID {:<4} {} {:<34} {:<40} {:>6} B  {}",
                f.uid().unwrap_or(0),
                if seen { " " } else { "*" },
                truncate(&from, 34),
                truncate(&subject, 40),
                f.size().unwrap_or(0),
                parts
            );
        }
        // The text of the newest one, without marking it read.
        let uid = newest[0];
        let text = check!(imap, "FETCH", imap.fetch(uid, &[FetchAttr::section_peek(Section::text())]));
        if let Some(body) = text.first().and_then(|f| f.section(&Section::text())) {
            println!("\nFirst lines of UID {uid}:");
            for line in String::from_utf8_lossy(body).lines().filter(|l| !l.trim().is_empty()).take(4) {
                println!("  | {}", truncate(line, 72));
            }
        }
    }

    // IDLE: a second connection delivers a message while we wait.
    println!("\nWaiting for new mail with IDLE (a second connection will deliver one in a second) ...");
    let second = settings.clone();
    let sender = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(800));
        let mut other = common::login(&second);
        let msg = "From: Demo <demo@example.org>\r\nTo: alice@example.org\r\nSubject: Hello from the IDLE demo\r\n\r\nHi!\r\n";
        other.append("INBOX", msg.as_bytes().to_vec()).map(|_| ())
    });
    // One IDLE, checked until the new message's EXISTS arrives (or 30 s
    // pass); keepalives are not news.
    let waited = Instant::now();
    let deadline = waited + Duration::from_secs(30);
    let mut exists = None;
    check!(imap, "IDLE", imap.idle());
    while exists.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        if let IdleCheck::News(news) = check!(imap, "IDLE", imap.idle_check(left)) {
            for r in news {
                match r {
                    Response::Data(Data::Exists(n)) => exists = Some(n),
                    Response::Data(Data::Recent(_)) => {}
                    other => println!("  -> (also heard: {other:?})"),
                }
            }
        }
    }
    check!(imap, "IDLE", imap.idle_done());
    let delivered = sender.join().unwrap_or(Ok(()));
    check!(imap, "second connection", delivered);
    match exists {
        Some(n) => {
            println!("  -> the server says: {n} messages now (after {} ms).", waited.elapsed().as_millis());
            let latest =
                check!(imap, "FETCH", imap.fetch(imap_blocking::SequenceSet::last(), &[FetchAttr::Envelope]));
            if let Some(subject) = latest.first().and_then(|f| f.envelope()).and_then(|e| e.subject_text()) {
                println!("  -> newest message: \"{subject}\"");
            }
        }
        None => println!("  (no new message within 30 s)"),
    }
    imap.logout().unwrap_or_else(|e| common::fail(&format!("logout: {e}")));
    println!("\nLogged out. Everything above took {} ms.", started.elapsed().as_millis());
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn role_name(r: SpecialUse) -> &'static str {
    match r {
        SpecialUse::Sent => "(sent)",
        SpecialUse::Drafts => "(drafts)",
        SpecialUse::Trash => "(trash)",
        SpecialUse::Junk => "(junk)",
        SpecialUse::Archive => "(archive)",
        SpecialUse::All => "(all)",
        SpecialUse::Flagged => "(flagged)",
        _ => "(special)",
    }
}

/// "text/plain" or "multipart/mixed: text/plain + application/pdf report.pdf".
fn describe(b: &BodyStructure) -> String {
    let leaves: Vec<String> = b
        .walk()
        .filter(|(_, p)| matches!(p, BodyStructure::Single(_)))
        .map(|(_, p)| {
            let (t, s) = p.mime_type();
            match p.filename() {
                Some(name) => format!("{}/{} {}", t.to_lowercase(), s.to_lowercase(), name),
                None => format!("{}/{}", t.to_lowercase(), s.to_lowercase()),
            }
        })
        .collect();
    leaves.join(" + ")
}

/// Pads to `width` terminal columns (CJK characters take two).
fn pad(s: &str, width: usize) -> String {
    let cols: usize = s
        .chars()
        .map(
            |c| if ('\u{1100}'..='\u{ffdc}').contains(&c) && !c.is_ascii() && c > '\u{2e7f}' { 2 } else { 1 },
        )
        .sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(cols)))
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
