//! Copies a whole mailbox to a local Maildir, with a progress bar.
//! Streaming fetch (memory stays bounded by one message), resumable by UID:
//! run it again and only new messages are fetched.
//!
//! `cargo run -p imap-blocking --example mirror -- --mailbox INBOX --to ./backup`

mod common;

use imap_blocking::prelude::*;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::fail;
use imap_blocking::{FetchAttr, Flag, SequenceSet};
use indicatif::{ProgressBar, ProgressStyle};

const USAGE: &str = "mirror: copy a mailbox to a local Maildir (resumable)
usage: mirror --mailbox NAME --to DIR [--batch N] [server options]
  --mailbox NAME   the mailbox to copy (e.g. INBOX, \"Entwürfe\")
  --to DIR         the Maildir to write (created if missing)
  --batch N        UIDs per FETCH command (default 500)";

/// Where the mirror remembers how far it got.
const STATE_FILE: &str = ".imap-mirror-state";

fn main() {
    let settings = common::settings(USAGE);
    let mailbox =
        common::flag(&settings, "--mailbox").unwrap_or_else(|| fail("--mailbox is required (see --help)"));
    let dir = PathBuf::from(
        common::flag(&settings, "--to").unwrap_or_else(|| fail("--to is required (see --help)")),
    );
    let batch: usize = common::flag(&settings, "--batch")
        .map_or(500, |b| b.parse().ok().filter(|&n| n > 0).unwrap_or_else(|| fail("bad --batch")));
    for sub in ["cur", "new", "tmp"] {
        fs::create_dir_all(dir.join(sub))
            .unwrap_or_else(|e| fail(&format!("cannot create {}: {e}", dir.display())));
    }

    let mut imap = common::login(&settings);
    let info = check!(imap, &format!("EXAMINE {mailbox}"), imap.examine(&mailbox));
    let validity = info.uid_validity.unwrap_or(0);
    let (known_validity, last_uid) = read_state(&dir);
    let from = if known_validity == Some(validity) {
        last_uid + 1
    } else {
        if known_validity.is_some() {
            eprintln!("UIDVALIDITY changed ({known_validity:?} -> {validity}): copying everything again");
        }
        1
    };
    let uids: Vec<u32> = check!(imap, "UID SEARCH", imap.search(imap_blocking::SearchKey::uid(from..)))
        .into_iter()
        .filter(|&u| u >= from) // "N:*" also matches the last UID when it is below N
        .collect();
    if uids.is_empty() {
        println!(
            "{mailbox}: nothing new ({} messages already mirrored in {})",
            last_uid.min(info.exists),
            dir.display()
        );
        return;
    }

    let bar = ProgressBar::new(uids.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:40}] {pos}/{len} messages, {binary_bytes} ({binary_bytes_per_sec}) eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(mailbox.clone());
    let host = hostname();
    let mut bytes_total = 0u64;
    let attrs = [FetchAttr::Uid, FetchAttr::Flags, FetchAttr::InternalDate, FetchAttr::body_peek()];
    for chunk in uids.chunks(batch) {
        let set: SequenceSet = chunk.iter().copied().collect();
        let mut highest = 0;
        // (The stream borrows the session, so no trace on this error.)
        let stream = imap.fetch_stream(set, &attrs).unwrap_or_else(|e| fail(&format!("UID FETCH: {e}")));
        for item in stream {
            let f = item.unwrap_or_else(|e| fail(&format!("fetch failed: {e}")));
            let (Some(uid), Some(body)) = (f.uid(), f.message()) else { continue };
            let time = f.internal_date().map_or(0, |d| d.unix_timestamp());
            let name =
                format!("{time}.{validity}_{uid}.{host}:2,{}", maildir_flags(f.flags().unwrap_or(&[])));
            write_atomically(&dir, &name, body)
                .unwrap_or_else(|e| fail(&format!("cannot write {name}: {e}")));
            bytes_total += body.len() as u64;
            highest = highest.max(uid);
            bar.inc(1);
        }
        // Each finished batch is a resume point.
        if highest > 0 {
            write_state(&dir, validity, highest).unwrap_or_else(|e| fail(&format!("cannot save state: {e}")));
        }
    }
    bar.finish();
    println!("{mailbox}: {} new messages ({bytes_total} bytes) written to {}", uids.len(), dir.display());
    imap.logout().unwrap_or_else(|e| fail(&format!("logout: {e}")));
}

/// Maildir info flags, in ASCII order: D F R S T.
fn maildir_flags(flags: &[Flag]) -> String {
    let mut out = String::new();
    for (flag, c) in [
        (Flag::Draft, 'D'),
        (Flag::Flagged, 'F'),
        (Flag::Answered, 'R'),
        (Flag::Seen, 'S'),
        (Flag::Deleted, 'T'),
    ] {
        if flags.contains(&flag) {
            out.push(c);
        }
    }
    out
}

/// Writes into tmp/ and renames into cur/, so a crash never leaves half a message.
fn write_atomically(dir: &Path, name: &str, data: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join("tmp").join(name);
    let mut f = fs::File::create(&tmp)?;
    f.write_all(data)?;
    f.sync_data()?;
    fs::rename(&tmp, dir.join("cur").join(name))
}

fn read_state(dir: &Path) -> (Option<u32>, u32) {
    let Ok(text) = fs::read_to_string(dir.join(STATE_FILE)) else { return (None, 0) };
    let mut parts = text.split_whitespace().map(str::parse::<u32>);
    match (parts.next(), parts.next()) {
        (Some(Ok(v)), Some(Ok(u))) => (Some(v), u),
        _ => (None, 0),
    }
}

fn write_state(dir: &Path, validity: u32, uid: u32) -> std::io::Result<()> {
    let tmp = dir.join(format!("{STATE_FILE}.tmp"));
    fs::write(&tmp, format!("{validity} {uid}\n"))?;
    fs::rename(tmp, dir.join(STATE_FILE))
}

fn hostname() -> String {
    fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().replace(['/', ':'], "_"))
        .unwrap_or_else(|_| "localhost".into())
}
