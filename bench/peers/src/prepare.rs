//! The mailboxes: the seeded one is checked (scripts/bench fills it with
//! the seed example), the large one is made here once.

use std::time::Duration;

use imap_blocking::prelude::*;
use imap_blocking::{ConnectOptions, SearchKey, Security, Session, StatusAttr};

use crate::runner::Setup;

/// What the seeded mailbox must hold for the single-message fetches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seeded {
    pub(crate) messages: u32,
    /// The first and last UID of the single-message fetches (contiguous).
    pub(crate) uids: (u32, u32),
}

pub(crate) fn login(setup: &Setup) -> Result<Session, String> {
    let mut session = ConnectOptions::new(setup.host.clone())
        .port(setup.port)
        .security(Security::Plain)
        .response_timeout(Duration::from_secs(300))
        .connect()
        .map_err(|e| format!("connect to {}:{}: {e}", setup.host, setup.port))?;
    session.login(&setup.user, &setup.password).map_err(|e| format!("login: {e}"))?;
    Ok(session)
}

/// Checks that `mailbox` holds `messages` messages and that its first
/// `singles` UIDs are contiguous.
pub(crate) fn check_seeded(
    setup: &Setup,
    mailbox: &str,
    messages: u32,
    singles: u32,
) -> Result<Seeded, String> {
    let mut s = login(setup)?;
    let have = s.status(mailbox, &[StatusAttr::Messages]).ok().and_then(|st| st.messages);
    if have != Some(messages) {
        return Err(format!(
            "{mailbox} holds {} messages, not {messages}: scripts/bench seeds it \
             (target/release/examples/seed --count {messages} --mailbox {mailbox} --reset)",
            have.map_or("no".into(), |n| n.to_string())
        ));
    }
    s.examine(mailbox).map_err(|e| format!("examine: {e}"))?;
    let mut uids = s.search(SearchKey::All).map_err(|e| format!("search: {e}"))?;
    uids.sort_unstable();
    let first = uids.iter().take(singles as usize).copied().collect::<Vec<_>>();
    let (Some(&lo), Some(&hi)) = (first.first(), first.last()) else {
        return Err(format!("{mailbox} is empty"));
    };
    if first.len() != singles as usize || hi - lo + 1 != singles {
        return Err(format!(
            "the first {singles} UIDs of {mailbox} are not contiguous: reseed it with --reset"
        ));
    }
    let _ = s.logout();
    Ok(Seeded { messages, uids: (lo, hi) })
}

/// The memory section's mailbox: one message of `large_mb` MB and `small`
/// of 1 MB, each a text part and a base64 attachment; made once.
pub(crate) fn ensure_large(
    setup: &Setup,
    mailbox: &str,
    large_mb: usize,
    small: usize,
) -> Result<(), String> {
    let mut s = login(setup)?;
    let want = (small + 1) as u32;
    let have = s.status(mailbox, &[StatusAttr::Messages]).ok().and_then(|st| st.messages);
    let largest = if have == Some(want) {
        s.examine(mailbox).map_err(|e| format!("examine: {e}"))?;
        let sizes =
            s.fetch(1.., &[imap_blocking::FetchAttr::Rfc822Size]).map_err(|e| format!("fetch: {e}"))?;
        sizes.iter().filter_map(|f| f.size()).max()
    } else {
        None
    };
    if largest.is_some_and(|l| l.abs_diff(large_mb as u64 * 1_000_000) < 1_000_000) {
        return Ok(());
    }
    eprintln!("peers-bench: making {mailbox}: one {large_mb} MB message and {small} of 1 MB");
    let _ = s.unselect();
    let _ = s.delete(mailbox);
    s.create(mailbox).map_err(|e| format!("create {mailbox}: {e}"))?;
    s.append(mailbox, message(0, large_mb * 1_000_000)).map_err(|e| format!("append: {e}"))?;
    for i in 1..=small {
        s.append(mailbox, message(i, 1_000_000)).map_err(|e| format!("append: {e}"))?;
    }
    let _ = s.logout();
    Ok(())
}

/// A message of about `size` bytes: a short text part and a base64
/// "attachment" of pseudo-random bytes in 76-character lines.
fn message(i: usize, size: usize) -> Vec<u8> {
    let mut m = format!(
        "From: Archive <archive@example.org>\r\nTo: Alice <alice@example.org>\r\n\
         Subject: Scans {i}\r\nDate: Mon, 1 Jan 2024 10:00:00 +0100\r\nMessage-ID: <large-{i}@example.org>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"big{i}\"\r\n\r\n\
         --big{i}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe scans are attached.\r\n\
         --big{i}\r\nContent-Type: application/octet-stream; name=\"scans-{i}.bin\"\r\n\
         Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"scans-{i}.bin\"\r\n\r\n"
    )
    .into_bytes();
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let end = format!("\r\n--big{i}--\r\n");
    let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ i as u64;
    m.reserve(size + 100);
    while m.len() + 78 + end.len() <= size {
        for _ in 0..76 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            m.push(B64[(x >> 58) as usize]);
        }
        m.extend_from_slice(b"\r\n");
    }
    m.truncate(m.len() - 2);
    m.extend_from_slice(end.as_bytes());
    m
}
