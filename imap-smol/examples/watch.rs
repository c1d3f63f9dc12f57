//! Watches INBOX with IDLE and prints each new message's subject as it
//! arrives, until Ctrl-C.
//!
//! ```text
//! eval "$(scripts/dovecot env)"
//! cargo run -p imap-smol --example watch [-- --mailbox NAME]
//! ```

mod common;

use std::time::Duration;

use async_signal::{Signal, Signals};
use futures_lite::future;
use imap_smol::imap_core::types::Data;
use imap_smol::prelude::*;
use imap_smol::{FetchAttr, Response};

const USAGE: &str =
    "watch: print new messages as they arrive (IDLE)\nusage: watch [--mailbox NAME] [server options]";

enum Wake {
    News(Option<Response>),
    Interrupted,
    Ended(imap_smol::Result<()>),
}

fn main() {
    let settings = common::settings(USAGE);
    let mailbox = common::flag(&settings, "--mailbox").unwrap_or_else(|| "INBOX".into());
    smol::block_on(async {
        let (mut imap, mut driver) = common::login(&settings).await;
        let info = match imap.select(&mailbox).await {
            Ok(info) => info,
            Err(e) => common::fail_with_trace(&imap, &format!("SELECT {mailbox}"), e),
        };
        let mut seen = info.exists;
        println!("Watching {mailbox} ({seen} messages); Ctrl-C to stop.");
        let mut news = imap.unsolicited();
        // The session idles by itself whenever nothing else runs.
        imap.set_auto_idle(Some(Duration::ZERO));
        let mut signals =
            Signals::new([Signal::Int, Signal::Term]).unwrap_or_else(|e| common::fail(&e.to_string()));
        loop {
            let wake = future::or(async { Wake::News(news.next().await) }, async {
                future::or(
                    async { signals.next().await.map_or(Wake::Interrupted, |_| Wake::Interrupted) },
                    async { Wake::Ended((&mut driver).await) },
                )
                .await
            })
            .await;
            match wake {
                Wake::News(Some(Response::Data(Data::Exists(n)))) if n > seen => {
                    let new = imap.fetch_changed(seen + 1..=n).await;
                    match new {
                        Ok(list) => {
                            for f in list {
                                let subject = f.envelope().and_then(|e| e.subject_text()).unwrap_or_default();
                                println!("new message, UID {}: {subject}", f.uid().unwrap_or(0));
                            }
                        }
                        Err(e) => common::fail_with_trace(&imap, "FETCH", e),
                    }
                    seen = n;
                }
                Wake::News(Some(Response::Data(Data::Exists(n)))) => seen = n,
                Wake::News(Some(_)) => {}
                // The news ends with the connection: the driver says why.
                Wake::News(None) => match (&mut driver).await {
                    Ok(()) => common::fail("the server closed the connection"),
                    Err(e) => common::fail(&format!("the connection failed: {e}")),
                },
                Wake::Ended(Ok(())) => common::fail("the server closed the connection"),
                Wake::Ended(Err(e)) => common::fail(&format!("the connection failed: {e}")),
                Wake::Interrupted => {
                    drop(news);
                    imap.set_auto_idle(None);
                    let _ = imap.logout().await;
                    println!("Stopped.");
                    return;
                }
            }
        }
    });
}

/// The messages with these sequence numbers, by envelope.
trait FetchChanged {
    async fn fetch_changed(
        &mut self,
        seqs: std::ops::RangeInclusive<u32>,
    ) -> imap_smol::Result<Vec<imap_smol::Fetch>>;
}

impl FetchChanged for imap_smol::Session {
    async fn fetch_changed(
        &mut self,
        seqs: std::ops::RangeInclusive<u32>,
    ) -> imap_smol::Result<Vec<imap_smol::Fetch>> {
        // New messages are numbered after the ones seen: sequence numbers.
        let request =
            imap_smol::imap_core::request::fetch(false, seqs, &[FetchAttr::Uid, FetchAttr::Envelope]);
        self.run(request).await
    }
}
