//! What an idle session keeps: no receive buffer once released, and
//! nothing it keeps for the session (capabilities, the selected mailbox)
//! is a slice that would keep a receive buffer alive.

use std::ops::Range;

use crate::types::{Capability, Flag};
use crate::{request, Client, ClientConfig};

/// Feeds `wire` through the engine's own receive area; the addresses it
/// landed at.
fn read_into(client: &mut Client, wire: &[u8]) -> Range<usize> {
    let area = client.input_buffer();
    let start = area.as_ptr() as usize;
    area[..wire.len()].copy_from_slice(wire);
    client.commit_input(wire.len());
    while let Some(out) = client.poll_transmit() {
        client.advance_transmit(out.len());
    }
    start..start + wire.len()
}

fn outside(area: &Range<usize>, bytes: &[u8]) -> bool {
    !area.contains(&(bytes.as_ptr() as usize))
}

#[test]
fn what_a_session_keeps_holds_no_receive_buffer() {
    let mut client = Client::new(ClientConfig::default());
    assert_eq!(client.input_capacity(), 0, "nothing allocated before the first read");
    read_into(&mut client, b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
    let login = client.submit(request::login("alice", "secret")).unwrap();
    let select = client.submit(request::select("INBOX")).unwrap();
    while client.poll_transmit().is_some_and(|out| {
        client.advance_transmit(out.len());
        true
    }) {}
    let area = read_into(
        &mut client,
        b"A1 OK [CAPABILITY IMAP4rev1 IDLE X-KEPT] in\r\n* FLAGS (\\Seen $Junk)\r\n\
          * OK [PERMANENTFLAGS ($Junk \\*)] ok\r\n* 3 EXISTS\r\nA2 OK [READ-WRITE] done\r\n",
    );
    assert_eq!(client.take(&login), Some(Ok(())));
    assert_eq!(client.take(&select).map(|r| r.map(|m| m.exists)), Some(Ok(3)));
    while client.poll_event().is_some() {}

    let other = client.capabilities().iter().find_map(|c| match c {
        Capability::Other(raw) => Some(raw.clone()),
        _ => None,
    });
    let other = other.expect("X-KEPT is an unknown capability");
    assert_eq!(other.as_bytes(), b"X-KEPT");
    assert!(outside(&area, &other), "the capabilities keep a slice of the receive buffer");
    let mailbox = client.mailbox().expect("selected");
    for flag in mailbox.flags.iter().chain(&mailbox.permanent_flags) {
        if let Flag::Keyword(k) = flag {
            assert!(outside(&area, k), "the mailbox keeps a slice of the receive buffer: {flag}");
        }
    }
    assert!(client.release_buffers(), "nothing partial: the area goes");
    assert_eq!(client.input_capacity(), 0);
    // The next read starts small, and a partial response is never dropped.
    assert!(client.input_buffer().len() <= 4096);
    read_into(&mut client, b"* 4 EXI");
    assert!(!client.release_buffers());
    read_into(&mut client, b"STS\r\n");
    assert_eq!(client.mailbox().map(|m| m.exists), Some(4));
}
