//! Protocol switches: STARTTLS (pause, injection defence, capabilities
//! re-read) and COMPRESS=DEFLATE (inflate from the byte after the OK).

use super::{run_all_chunkings, Chunking, Harness};
use crate::types::{Capability, Command};
use crate::{CommandError, ConnectionError, Event, Switch, UsageError};

const CAPS: &str = "IMAP4rev1 STARTTLS LOGINDISABLED AUTH=PLAIN COMPRESS=DEFLATE";

#[test]
fn starttls_is_refused_while_other_commands_are_pending() {
    run_all_chunkings(|h| {
        h.greet(CAPS);
        let noop = h.enqueue(Command::Noop);
        assert_eq!(h.try_enqueue(Command::StartTls), Err(UsageError::Busy { command: "STARTTLS" }));
        h.server(format!("{noop} OK\r\n").as_bytes());
        h.completed(&noop).unwrap();
        h.expect_client(format!("{noop} NOOP\r\n").as_bytes());
        // Nothing pending now: accepted.
        let tls = h.enqueue(Command::StartTls);
        h.expect_client(format!("{tls} STARTTLS\r\n").as_bytes());
    });
}

#[test]
fn starttls_ok_switches_and_pauses() {
    run_all_chunkings(|h| {
        h.greet(CAPS);
        let tls = h.enqueue(Command::StartTls);
        h.expect_client(format!("{tls} STARTTLS\r\n").as_bytes());
        h.server(format!("{tls} OK Begin TLS negotiation now\r\n").as_bytes());
        // Ready only once the capabilities of the TLS session are known.
        let events = h.take_events();
        assert_eq!(events, [Event::Switch(Switch::StartTls)]);
        assert!(!h.client.wants_read(), "no byte may be read before the handshake");
        assert!(h.client.capabilities().is_empty() && !h.client.capabilities_known());
        assert_eq!(h.client.poll_timeout(), None, "the handshake is the driver's business");
        // A command enqueued during the handshake waits for it.
        let auth = h.try_enqueue(crate::request::authenticate(crate::ext::sasl::Plain::new("u", "p")));
        let auth = auth.expect("capabilities unknown: checked when sent");
        h.expect_silence();
        h.client.handle_switched();
        assert!(h.client.wants_read());
        let cap = format!("A{} CAPABILITY\r\n", auth.as_str()[1..].parse::<u32>().unwrap() + 1);
        h.expect_client(cap.as_bytes());
        h.server(
            format!("* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\r\n{} OK\r\n", &cap[..cap.find(' ').unwrap()])
                .as_bytes(),
        );
        assert!(h.client.capabilities().has(&Capability::SaslIr));
        assert!(!h.client.capabilities().has(&Capability::StartTls));
        h.expect_client(format!("{auth} AUTHENTICATE PLAIN AHUAcA==\r\n").as_bytes());
        // STARTTLS is ready now that the TLS session's capabilities are known.
        assert_eq!(h.take_events(), [Event::Ready(h.id(&tls))]);
        h.client.handle_switched();
        h.expect_silence();
    });
}

#[test]
fn starttls_refused_changes_nothing() {
    run_all_chunkings(|h| {
        h.greet(CAPS);
        let tls = h.enqueue(Command::StartTls);
        h.sent.clear();
        h.server(format!("{tls} NO TLS unavailable\r\n").as_bytes());
        assert!(matches!(h.failed(&tls), CommandError::No { .. }));
        assert!(h.take_events().is_empty());
        assert!(h.client.wants_read());
        assert!(h.client.capabilities().has(&Capability::StartTls));
        h.client.handle_switched();
        h.expect_silence();
    });
}

#[test]
fn bytes_after_the_starttls_ok_are_an_injection() {
    run_all_chunkings(|h| {
        h.greet(CAPS);
        let tls = h.enqueue(Command::StartTls);
        h.sent.clear();
        let injected = b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n";
        let mut script = format!("{tls} OK Begin TLS\r\n").into_bytes();
        script.extend_from_slice(injected);
        h.server(&script);
        // Whole: in the same input chunk as the OK. Otherwise they come in a
        // later call, before handle_switched: both end the session.
        let lost = h.connection_lost();
        match (h.chunking(), lost.as_slice()) {
            (Chunking::Whole, [ConnectionError::StartTlsInjection(n)]) => assert_eq!(*n, injected.len()),
            (_, [ConnectionError::StartTlsInjection(n)]) => assert!(*n > 0),
            other => panic!("{other:?}"),
        }
        // The switch never happened: STARTTLS fails with the session.
        assert!(matches!(h.failed(&tls), CommandError::Connection(ConnectionError::StartTlsInjection(_))));
        assert!(h.client.is_closed());
        h.client.handle_switched();
        h.expect_silence();
        assert!(h.take_events().iter().all(|e| matches!(e, Event::Switch(_))));
        assert!(h.client.connection_error().unwrap().to_string().contains("injection"));
    });
}

#[cfg(feature = "compress")]
mod compress {
    use super::*;
    use crate::ext::compress::{Deflater, Inflater};
    use crate::types::StateName;
    use crate::types::{Data, Response};

    fn deflate(d: &mut Deflater, plain: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        d.deflate(plain, &mut out).unwrap();
        out
    }

    fn compress_ok(h: &mut Harness) -> crate::types::Tag {
        h.selected("IMAP4rev1 COMPRESS=DEFLATE", 3);
        let c = h.enqueue(Command::Compress);
        h.expect_client(format!("{c} COMPRESS DEFLATE\r\n").as_bytes());
        c
    }

    #[test]
    fn data_right_after_the_ok_in_the_same_chunk_is_inflated() {
        // Chunking::Whole: the OK and the first compressed bytes arrive in
        // one handle_input call.
        let mut h = Harness::new(Chunking::Whole);
        let c = compress_ok(&mut h);
        let mut d = Deflater::new();
        let mut input = format!("{c} OK DEFLATE active\r\n").into_bytes();
        input.extend(deflate(&mut d, b"* 4 EXISTS\r\n* 1 RECENT\r\n"));
        h.client.handle_input(&input);
        h.pump();
        let events = h.take_events();
        assert_eq!(events[0], Event::Ready(h.id(&c)), "{events:?}");
        assert!(matches!(events[1], Event::Unsolicited(Response::Data(Data::Exists(4)))), "{events:?}");
        assert!(matches!(events[2], Event::Unsolicited(Response::Data(Data::Recent(1)))), "{events:?}");
        assert_eq!(h.client.mailbox().unwrap().exists, 4);
        // And the stream goes on.
        h.client.handle_input(&deflate(&mut d, b"* 5 EXISTS\r\n"));
        assert_eq!(h.client.mailbox().unwrap().exists, 5);
    }

    #[test]
    fn data_after_the_ok_in_any_chunking() {
        run_all_chunkings(|h| {
            let c = compress_ok(h);
            let mut d = Deflater::new();
            let mut input = format!("{c} OK DEFLATE active\r\n").into_bytes();
            input.extend(deflate(&mut d, b"* 4 EXISTS\r\n"));
            h.server_raw(&input);
            h.completed(&c).unwrap();
            assert_eq!(h.client.mailbox().unwrap().exists, 4);
        });
    }

    #[test]
    fn commands_after_compress_are_deflated() {
        let mut h = Harness::new(Chunking::Whole);
        let c = compress_ok(&mut h);
        h.client.handle_input(format!("{c} OK\r\n").as_bytes());
        let noop = h.enqueue_unsent(Command::Noop);
        let mut wire = Vec::new();
        while let Some(b) = h.client.poll_transmit() {
            let b = b.to_vec();
            h.client.advance_transmit(b.len());
            wire.extend(b);
        }
        let plain = format!("{noop} NOOP\r\n");
        assert_ne!(wire, plain.as_bytes(), "deflated on the wire");
        let mut got = Vec::new();
        Inflater::new().inflate(&wire, |b| got.extend_from_slice(b)).unwrap();
        assert_eq!(got, plain.as_bytes());
    }

    #[test]
    fn corrupt_compressed_input_ends_the_session() {
        run_all_chunkings(|h| {
            let c = compress_ok(h);
            h.server(format!("{c} OK\r\n").as_bytes());
            h.completed(&c).unwrap();
            h.server_starts_compression();
            let noop = h.enqueue(Command::Noop);
            h.expect_client(format!("{noop} NOOP\r\n").as_bytes());
            h.server_raw(&[0xff; 64]);
            match h.connection_lost().as_slice() {
                [ConnectionError::Compression(_)] => {}
                other => panic!("{other:?}"),
            }
            assert!(matches!(h.failed(&noop), CommandError::Connection(ConnectionError::Compression(_))));
            assert!(h.client.poll_transmit().is_none());
        });
    }

    #[test]
    fn corrupt_bytes_right_after_the_ok() {
        let mut h = Harness::new(Chunking::Whole);
        let c = compress_ok(&mut h);
        let mut input = format!("{c} OK\r\n").into_bytes();
        input.extend_from_slice(&[0xff; 16]);
        h.client.handle_input(&input);
        h.pump();
        h.completed(&c).unwrap();
        assert!(matches!(h.connection_lost().as_slice(), [ConnectionError::Compression(_)]));
    }

    #[test]
    fn compress_is_refused_while_busy_and_can_fail() {
        run_all_chunkings(|h| {
            h.selected("IMAP4rev1 COMPRESS=DEFLATE", 3);
            let noop = h.enqueue(Command::Noop);
            assert_eq!(h.try_enqueue(Command::Compress), Err(UsageError::Busy { command: "COMPRESS" }));
            h.server(format!("{noop} OK\r\n").as_bytes());
            let c = h.enqueue(Command::Compress);
            h.sent.clear();
            h.server(format!("{c} NO [COMPRESSIONACTIVE] already\r\n").as_bytes());
            assert!(matches!(h.failed(&c), CommandError::No { .. }));
            let noop = h.enqueue(Command::Noop);
            h.expect_client(format!("{noop} NOOP\r\n").as_bytes());
            assert_eq!(h.client.state(), StateName::Selected);
        });
    }
}

#[cfg(not(feature = "compress"))]
#[test]
fn compress_needs_the_feature() {
    let mut h = Harness::new(Chunking::Whole);
    h.selected("IMAP4rev1 COMPRESS=DEFLATE", 3);
    assert!(matches!(h.try_enqueue(Command::Compress), Err(UsageError::NotApplicable(_))));
    h.expect_silence();
}
