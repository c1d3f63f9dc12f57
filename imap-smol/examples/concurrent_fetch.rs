//! Fetches a whole mailbox's envelopes from N tasks sharing one connection
//! and prints how many and how long.
//!
//! ```text
//! eval "$(scripts/dovecot env)"
//! cargo run --release -p imap-smol --example concurrent_fetch -- --tasks 8 --mailbox INBOX
//! ```

mod common;

use std::time::Instant;

use imap_smol::prelude::*;
use imap_smol::{FetchAttr, SearchKey};

const USAGE: &str = "concurrent_fetch: fetch a mailbox's envelopes from N tasks over one connection\n\
usage: concurrent_fetch [--tasks N] [--mailbox NAME] [server options]";

fn main() {
    let settings = common::settings(USAGE);
    let mailbox = common::flag(&settings, "--mailbox").unwrap_or_else(|| "INBOX".into());
    let tasks: usize = common::flag(&settings, "--tasks")
        .map_or(8, |t| t.parse().ok().filter(|&n| n > 0).unwrap_or_else(|| common::fail("bad --tasks")));
    smol::block_on(async {
        let (mut imap, _driver) = common::login(&settings).await;
        if let Err(e) = imap.examine(&mailbox).await {
            common::fail_with_trace(&imap, &format!("EXAMINE {mailbox}"), e);
        }
        let uids =
            imap.search(SearchKey::All).await.unwrap_or_else(|e| common::fail_with_trace(&imap, "SEARCH", e));
        let started = Instant::now();
        let chunk = uids.len().div_ceil(tasks).max(1);
        let handles: Vec<_> = uids
            .chunks(chunk)
            .map(|part| {
                let (mut s, set) = (imap.clone(), imap_smol::SequenceSet::from(part));
                smol::spawn(async move { s.fetch(set, &[FetchAttr::Envelope]).await })
            })
            .collect();
        let mut fetched = 0;
        for h in handles {
            match h.await {
                Ok(list) => fetched += list.len(),
                Err(e) => common::fail_with_trace(&imap, "FETCH", e),
            }
        }
        println!(
            "{fetched} envelopes of {mailbox} in {:.1} ms over one connection from {} tasks",
            started.elapsed().as_secs_f64() * 1e3,
            uids.len().div_ceil(chunk)
        );
        let _ = imap.logout().await;
    });
}
