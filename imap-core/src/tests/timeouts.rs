//! The response timeout and `poll_timeout`, on a virtual clock.

use std::time::{Duration, Instant};

use super::{run_all_chunkings, run_all_chunkings_with, Harness};
use crate::client::{Client, ClientConfig};
use crate::types::{AppendMessage, Command, FetchAttr, Mailbox};
use crate::{CommandError, ConnectionError, Event};

const MINUTE: Duration = Duration::from_secs(60);

fn timed_out(h: &mut Harness) {
    assert_eq!(h.connection_lost(), vec![ConnectionError::TimedOut(MINUTE)]);
    assert!(h.client.poll_transmit().is_none());
    assert!(h.client.poll_timeout().is_none());
    assert!(h.client.is_closed());
}

#[test]
fn a_command_without_progress_times_out() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        let f = h.enqueue(Command::fetch(false, 1u32, [FetchAttr::Flags]));
        let sel = h.enqueue(Command::select("Other"));
        let noop = h.enqueue(Command::Noop);
        h.expect_client(format!("{f} FETCH 1 (FLAGS)\r\n").as_bytes());
        assert_eq!(h.client.poll_timeout(), Some(h.now + MINUTE));
        h.advance(Duration::from_secs(59));
        assert!(h.take_events().is_empty());
        h.advance(Duration::from_secs(1));
        timed_out(h);
        for t in [&f, &sel, &noop] {
            assert_eq!(h.completions_of(t), 1);
            assert!(
                matches!(h.failed(t), CommandError::Connection(ConnectionError::TimedOut(d)) if d == MINUTE)
            );
        }
        assert!(h.take_events().is_empty());
        h.advance(MINUTE);
        assert!(h.take_events().is_empty(), "delivered once");
    });
}

#[test]
fn the_greeting_times_out_too() {
    run_all_chunkings(|h| {
        assert_eq!(h.client.poll_timeout(), Some(h.now + MINUTE));
        h.advance(Duration::from_secs(30));
        h.server(b"* OK [CAPAB");
        h.advance(Duration::from_secs(59));
        assert!(h.take_events().is_empty(), "progress restarted the clock");
        h.advance(Duration::from_secs(1));
        timed_out(h);
    });
}

#[test]
fn partial_input_is_progress() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        let f = h.enqueue(Command::fetch(false, 1u32, [FetchAttr::body_peek()]));
        h.sent.clear();
        for _ in 0..10 {
            h.advance(Duration::from_secs(50));
            h.server(b"* 1 FETCH (BO");
            h.server(b"DY[] {3}\r\nab");
            h.server(b"c)\r\n");
        }
        h.advance(Duration::from_secs(50));
        h.server(format!("{f} OK\r\n").as_bytes());
        assert_eq!(h.output::<Vec<crate::types::Fetch>>(&f).len(), 1);
        assert!(h.client.connection_error().is_none());
        assert_eq!(h.client.poll_timeout(), None, "nothing awaited");
    });
}

#[test]
fn a_stuck_literal_times_out() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        let a = h.enqueue(Command::Append {
            mailbox: Mailbox::new("x"),
            messages: vec![AppendMessage::new(&b"data"[..])],
        });
        h.expect_client(format!("{a} APPEND x {{4}}\r\n").as_bytes());
        h.advance(MINUTE);
        timed_out(h);
        assert!(matches!(h.failed(&a), CommandError::Connection(_)));
    });
}

#[test]
fn a_command_after_a_quiet_period_gets_a_full_timeout() {
    run_all_chunkings(|h| {
        h.selected("IMAP4rev1", 3);
        // Nothing in flight: no deadline, however long it stays quiet.
        assert_eq!(h.client.poll_timeout(), None);
        h.advance(Duration::from_secs(3600));
        assert!(h.take_events().is_empty());
        // And even without a tick during the quiet hour.
        h.now += Duration::from_secs(3600);
        let noop = h.enqueue(Command::Noop);
        h.expect_client(format!("{noop} NOOP\r\n").as_bytes());
        assert!(h.client.connection_error().is_none());
        assert_eq!(h.client.poll_timeout(), Some(h.now + MINUTE));
        h.advance(Duration::from_secs(30));
        h.server(format!("{noop} OK\r\n").as_bytes());
        h.completed(&noop).unwrap();
    });
}

#[test]
fn poll_timeout_follows_the_documented_call_order() {
    // Driven by hand: transmit, then timeout, then events.
    let t0 = Instant::now();
    let mut c = Client::new(ClientConfig::default());
    c.handle_timeout(t0);
    assert_eq!(c.poll_timeout(), Some(t0 + MINUTE), "greeting deadline");
    c.handle_input(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
    assert_eq!(c.poll_timeout(), None, "greeted, nothing awaited");
    let t1 = t0 + Duration::from_secs(10);
    c.handle_timeout(t1);
    assert_eq!(c.poll_timeout(), None, "greeted, nothing in flight");
    let t2 = t1 + Duration::from_secs(500);
    c.submit(crate::request::noop()).unwrap();
    let n = c.poll_transmit().unwrap().len();
    c.advance_transmit(n);
    assert!(c.poll_timeout().is_some_and(|d| d <= t2), "re-arm at once");
    c.handle_timeout(t2);
    assert_eq!(c.poll_timeout(), Some(t2 + MINUTE));
    c.handle_timeout(t2 + MINUTE);
    assert!(matches!(c.poll_event(), Some(Event::Greeting(_))));
    let Some(Event::Ready(id)) = c.poll_event() else { panic!("the NOOP fails") };
    assert!(matches!(c.take_completion(id), Some(Err(CommandError::Connection(_)))));
    assert!(matches!(c.poll_event(), Some(Event::ConnectionLost(ConnectionError::TimedOut(_)))));
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn no_timeout_when_disabled() {
    let config = || ClientConfig { response_timeout: None, ..ClientConfig::default() };
    run_all_chunkings_with(config, |h| {
        assert_eq!(h.client.poll_timeout(), None);
        h.advance(Duration::from_secs(3600));
        h.greet("IMAP4rev1");
        let noop = h.enqueue(Command::Noop);
        h.advance(Duration::from_secs(86_400));
        assert_eq!(h.client.poll_timeout(), None);
        h.not_completed(&noop);
        assert!(h.client.connection_error().is_none());
    });
}

#[test]
fn a_shorter_timeout_from_the_config() {
    let config =
        || ClientConfig { response_timeout: Some(Duration::from_secs(5)), ..ClientConfig::default() };
    run_all_chunkings_with(config, |h| {
        h.greet("IMAP4rev1");
        let _noop = h.enqueue(Command::Noop);
        h.advance(Duration::from_secs(4));
        assert!(h.client.connection_error().is_none());
        h.advance(Duration::from_secs(1));
        assert_eq!(h.connection_lost(), vec![ConnectionError::TimedOut(Duration::from_secs(5))]);
    });
}
