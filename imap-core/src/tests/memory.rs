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
    let greeting_area = read_into(&mut client, b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
    let greeting = client.greeting().expect("greeted");
    assert_eq!(greeting.text.as_bytes(), b"hi");
    assert!(outside(&greeting_area, &greeting.text), "the greeting keeps a slice of the receive buffer");
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

/// Feeds `wire` in reads as large as the engine's receive area (so that
/// it grows as a socket's reads would make it).
fn read_all(client: &mut Client, wire: &[u8]) {
    let mut at = 0;
    while at < wire.len() {
        let area = client.input_buffer();
        let n = area.len().min(wire.len() - at);
        area[..n].copy_from_slice(&wire[at..at + n]);
        client.commit_input(n);
        at += n;
    }
}

/// A FETCH of one 200 KB body: the receive area grows past the small size.
fn large_fetch(client: &mut Client) {
    let fetch = client.submit(request::fetch(true, 1u32, &[crate::types::FetchAttr::body_peek()])).unwrap();
    while let Some(out) = client.poll_transmit() {
        client.advance_transmit(out.len());
    }
    let body = vec![b'x'; 200_000];
    let mut wire = format!("* 1 FETCH (UID 1 BODY[] {{{}}}\r\n", body.len()).into_bytes();
    wire.extend_from_slice(&body);
    wire.extend_from_slice(b")\r\n");
    read_all(client, &wire);
    let done = client.trace().filter(|l| l.direction == crate::Direction::Sent).last().expect("sent");
    let tag = done.text.split(' ').next().unwrap().to_owned();
    read_all(client, format!("{tag} OK done\r\n").as_bytes());
    assert!(client.take(&fetch).is_some_and(|r| r.is_ok()));
    while client.poll_event().is_some() {}
}

#[test]
fn a_quiet_connection_gives_its_receive_buffer_back_by_itself() {
    use std::time::{Duration, Instant};
    let after = Duration::from_secs(1);
    let config = ClientConfig { release_buffers_after: Some(after), ..ClientConfig::default() };
    let mut client = Client::new(config);
    let t0 = Instant::now();
    client.handle_timeout(t0);
    assert_eq!(client.poll_timeout(), Some(t0 + Duration::from_secs(60)), "only the greeting's timeout");
    read_into(&mut client, b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    // Nothing asked and a small area: it goes at once.
    assert_eq!(client.input_capacity(), 0);
    let select = client.submit(request::examine("INBOX")).unwrap();
    read_into(&mut client, b"* 3 EXISTS\r\nA1 OK [READ-ONLY] done\r\n");
    assert!(client.take(&select).is_some());
    assert_eq!(client.input_capacity(), 0);

    // An area a large FETCH grew stays for the quiet time (the next FETCH
    // would fault fresh memory in), then goes.
    large_fetch(&mut client);
    assert!(client.input_capacity() > 0);
    let t1 = t0 + Duration::from_millis(10);
    client.handle_timeout(t1);
    assert_eq!(client.poll_timeout(), Some(t1 + after));
    // Progress in between moves the deadline on.
    large_fetch(&mut client);
    let t2 = t1 + after - Duration::from_millis(1);
    client.handle_timeout(t2);
    assert!(client.input_capacity() > 0);
    assert_eq!(client.poll_timeout(), Some(t2 + after));
    client.handle_timeout(t2 + after);
    assert_eq!(client.input_capacity(), 0, "released once quiet for 1 s");
    assert_eq!(client.poll_timeout(), None, "nothing more to wake up for");

    // A response partly received is never dropped, and waits with no
    // deadline of this kind (the response timeout watches commands).
    large_fetch(&mut client);
    read_into(&mut client, b"* 4 EXI");
    let t3 = t2 + 2 * after;
    client.handle_timeout(t3);
    assert_eq!(client.poll_timeout(), None);
    client.handle_timeout(t3 + 10 * after);
    assert_eq!(client.buffered_input(), 7);
    read_into(&mut client, b"STS\r\n");
    assert_eq!(client.mailbox().map(|m| m.exists), Some(4));
    let t4 = t3 + 10 * after + Duration::from_millis(1);
    client.handle_timeout(t4);
    assert_eq!(client.poll_timeout(), Some(t4 + after));
    client.handle_timeout(t4 + after);
    assert_eq!(client.input_capacity(), 0);
}

#[test]
fn by_default_the_receive_buffer_stays() {
    use std::time::{Duration, Instant};
    let mut client = Client::new(ClientConfig::default());
    let t0 = Instant::now();
    client.handle_timeout(t0);
    read_into(&mut client, b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
    client.handle_timeout(t0 + Duration::from_millis(1));
    assert_eq!(client.poll_timeout(), None);
    client.handle_timeout(t0 + Duration::from_secs(3600));
    assert!(client.input_capacity() > 0);
}

#[test]
fn in_idle_the_receive_buffer_goes_at_once() {
    for release in [Some(std::time::Duration::from_secs(1)), None] {
        let config = ClientConfig { release_buffers_after: release, ..ClientConfig::default() };
        let mut client = Client::new(config);
        read_into(&mut client, b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi\r\n");
        let select = client.submit(request::select("INBOX")).unwrap();
        read_into(&mut client, b"* 3 EXISTS\r\nA1 OK [READ-WRITE] done\r\n");
        assert!(client.take(&select).is_some());
        let idle = client.idle().unwrap();
        read_into(&mut client, b"+ idling\r\n");
        assert!(client.is_idling());
        let kept = client.input_capacity();
        assert_eq!(kept == 0, release.is_some(), "{release:?}: {kept} bytes kept while idling");
        // News: read into a fresh small area, which goes again.
        read_into(&mut client, b"* 4 EXISTS\r\n* 1 RECENT\r\n");
        assert_eq!(client.mailbox().map(|m| m.exists), Some(4));
        assert_eq!(client.input_capacity() == 0, release.is_some());
        // Never in the middle of a response.
        read_into(&mut client, b"* 5 EXI");
        assert_eq!(client.buffered_input(), 7);
        read_into(&mut client, b"STS\r\n");
        assert_eq!(client.mailbox().map(|m| m.exists), Some(5));
        client.idle_done().unwrap();
        while let Some(out) = client.poll_transmit() {
            client.advance_transmit(out.len());
        }
        read_into(&mut client, b"A2 OK idle done\r\n");
        assert_eq!(client.take(&idle), Some(Ok(())));
        assert_eq!(
            client.input_capacity() == 0,
            release.is_some(),
            "nothing asked, a small area: it goes at once"
        );
    }
}
