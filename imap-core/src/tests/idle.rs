//! IDLE (RFC 2177): start, events while idling, DONE, automatic DONE for a
//! queued command, the refresh timer, and timeouts while idling.

use std::time::Duration;

use super::{run_all_chunkings, run_all_chunkings_with, Harness};
use crate::client::ClientConfig;
use crate::request::Output;
use crate::types::{Command, Data, FetchAttr, Response, StatusKind};
use crate::{CommandError, ConnectionError, Event, UsageError};

const CAPS: &str = "IMAP4rev1 IDLE";

fn start_idle(h: &mut Harness) -> crate::types::Tag {
    let idle = h.try_enqueue(crate::request::idle()).unwrap();
    h.expect_client(format!("{idle} IDLE\r\n").as_bytes());
    assert!(!h.client.is_idling());
    h.server(b"+ idling\r\n");
    assert!(matches!(h.take_events().as_slice(), [Event::IdleStarted(id)] if *id == h.id(&idle)));
    assert!(h.client.is_idling());
    idle
}

#[test]
fn idle_started_events_and_done() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        let idle = start_idle(h);
        h.server(b"* 4 EXISTS\r\n* 1 RECENT\r\n* OK Still here\r\n* 2 FETCH (FLAGS (\\Seen))\r\n");
        let events = h.unsolicited();
        assert!(matches!(events[0], Response::Data(Data::Exists(4))));
        assert!(matches!(events[1], Response::Data(Data::Recent(1))));
        assert!(
            matches!(&events[2], Response::Status(s) if s.kind == StatusKind::Ok && s.text == "Still here")
        );
        assert!(matches!(events[3], Response::Data(Data::Fetch(_))));
        assert_eq!(h.client.mailbox().unwrap().exists, 4);
        h.expect_silence();
        h.client.idle_done().unwrap();
        h.expect_client(b"DONE\r\n");
        assert!(!h.client.is_idling());
        h.not_completed(&idle);
        h.server(format!("{idle} OK IDLE terminated\r\n").as_bytes());
        assert_eq!(h.completed(&idle).unwrap().output, Output::Done);
        assert!(h.take_events().is_empty());
        assert!(matches!(h.client.idle_done(), Err(UsageError::NotApplicable(_))));
    });
}

#[test]
fn untagged_data_before_the_continuation_is_tolerated() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        let idle = h.try_enqueue(crate::request::idle()).unwrap();
        h.expect_client(format!("{idle} IDLE\r\n").as_bytes());
        // RFC 2177's own example: EXPUNGE and EXISTS before "+ idling".
        h.server(b"* 2 EXPUNGE\r\n* 3 EXISTS\r\n+ idling\r\n");
        let events = h.take_events();
        assert!(matches!(events[0], Event::Unsolicited(Response::Data(Data::Expunge(2)))));
        assert!(matches!(events[1], Event::Unsolicited(Response::Data(Data::Exists(3)))));
        assert!(matches!(&events[2], Event::IdleStarted(id) if *id == h.id(&idle)));
        assert_eq!(events.len(), 3);
        assert_eq!(h.client.mailbox().unwrap().exists, 3);
    });
}

#[test]
fn idle_twice_is_refused() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        assert!(matches!(h.client.idle_done(), Err(UsageError::NotApplicable(_))));
        let _idle = start_idle(h);
        assert!(matches!(h.try_enqueue(crate::request::idle()), Err(UsageError::NotApplicable(_))));
        assert!(matches!(h.try_enqueue(Command::Idle), Err(UsageError::NotApplicable(_))));
    });
}

#[test]
fn a_command_enqueued_while_idling_ends_idle_first() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        let idle = start_idle(h);
        let f = h.enqueue(Command::fetch(false, 1u32, [FetchAttr::Flags]));
        h.expect_client(b"DONE\r\n");
        h.server(format!("* 4 EXISTS\r\n{idle} OK IDLE terminated\r\n").as_bytes());
        h.expect_client(format!("{f} FETCH 1 (FLAGS)\r\n").as_bytes());
        h.completed(&idle).unwrap();
        h.server(format!("{f} OK\r\n").as_bytes());
        h.completed(&f).unwrap();
    });
}

#[test]
fn done_waits_for_the_continuation() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        let idle = h.try_enqueue(crate::request::idle()).unwrap();
        h.expect_client(format!("{idle} IDLE\r\n").as_bytes());
        h.client.idle_done().unwrap();
        h.expect_silence();
        h.server(b"+ idling\r\n");
        h.expect_client(b"DONE\r\n");
        h.server(format!("{idle} OK\r\n").as_bytes());
        h.completed(&idle).unwrap();
    });
}

#[test]
fn done_before_idle_was_sent_completes_it_unsent() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        let f = h.enqueue(Command::fetch(false, 1u32, [FetchAttr::Flags]));
        let idle = h.try_enqueue(crate::request::idle()).unwrap();
        h.expect_client(format!("{f} FETCH 1 (FLAGS)\r\n").as_bytes());
        h.client.idle_done().unwrap();
        h.completed(&idle).unwrap();
        h.server(format!("{f} OK\r\n").as_bytes());
        h.expect_silence();
        h.completed(&f).unwrap();
    });
}

#[test]
fn idle_refused_by_the_server() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        let idle = h.try_enqueue(crate::request::idle()).unwrap();
        h.expect_client(format!("{idle} IDLE\r\n").as_bytes());
        h.server(format!("{idle} BAD no idling here\r\n").as_bytes());
        assert!(matches!(h.failed(&idle), CommandError::Bad { .. }));
        assert!(h.take_events().is_empty(), "no IdleStarted");
        assert!(h.try_enqueue(crate::request::idle()).is_ok(), "a new IDLE is possible");
    });
}

fn refresh_config() -> ClientConfig {
    ClientConfig { idle_refresh: Duration::from_secs(600), ..ClientConfig::default() }
}

#[test]
fn the_refresh_timer_reissues_idle_under_a_new_tag() {
    run_all_chunkings_with(refresh_config, |h| {
        h.selected(CAPS, 3);
        let idle = start_idle(h);
        assert_eq!(h.client.poll_timeout(), Some(h.now + Duration::from_secs(600)));
        h.advance(Duration::from_secs(599));
        h.expect_silence();
        h.advance(Duration::from_secs(1));
        h.expect_client(b"DONE\r\n");
        // Data still flows during the refresh.
        h.server(format!("* 4 EXISTS\r\n{idle} OK IDLE terminated\r\n").as_bytes());
        let second = format!("A{} IDLE\r\n", idle.as_str()[1..].parse::<u32>().unwrap() + 1);
        h.expect_client(second.as_bytes());
        h.server(b"+ idling\r\n");
        let events = h.take_events();
        assert!(
            matches!(events.as_slice(), [Event::Unsolicited(Response::Data(Data::Exists(4)))]),
            "the application's IDLE neither completes nor starts again: {events:?}"
        );
        assert!(h.client.is_idling());
        // Refreshed again and again.
        h.advance(Duration::from_secs(600));
        h.expect_client(b"DONE\r\n");
        let second_tag = &second[..second.find(' ').unwrap()];
        h.server(format!("{second_tag} OK\r\n").as_bytes());
        h.sent.clear();
        h.server(b"+ idling\r\n");
        assert!(h.take_events().is_empty());
        // The application ends it: its own tag completes, once.
        h.client.idle_done().unwrap();
        h.expect_client(b"DONE\r\n");
        let third = h.try_enqueue(Command::Noop).unwrap();
        let third_idle = format!("A{}", third.as_str()[1..].parse::<u32>().unwrap() - 1);
        h.server(format!("{third_idle} OK IDLE terminated\r\n").as_bytes());
        assert_eq!(h.completions_of(&idle), 1);
        h.completed(&idle).unwrap();
        h.expect_client(format!("{third} NOOP\r\n").as_bytes());
        assert!(h.take_events().is_empty());
    });
}

#[test]
fn a_command_enqueued_during_a_refresh_goes_before_a_new_idle() {
    run_all_chunkings_with(refresh_config, |h| {
        h.selected(CAPS, 3);
        let idle = start_idle(h);
        h.advance(Duration::from_secs(600));
        h.expect_client(b"DONE\r\n");
        // DONE is out, the OK not in yet: the application wants a FETCH.
        let f = h.enqueue(Command::fetch(false, 1u32, [FetchAttr::Flags]));
        h.expect_silence();
        h.server(format!("{idle} OK IDLE terminated\r\n").as_bytes());
        h.expect_client(format!("{f} FETCH 1 (FLAGS)\r\n").as_bytes());
        h.completed(&idle).unwrap();
    });
}

#[test]
fn a_refreshed_idle_refused_reports_on_the_applications_tag() {
    run_all_chunkings_with(refresh_config, |h| {
        h.selected(CAPS, 3);
        let idle = start_idle(h);
        h.advance(Duration::from_secs(600));
        h.expect_client(b"DONE\r\n");
        h.server(format!("{idle} OK\r\n").as_bytes());
        h.pump();
        let sent = String::from_utf8(std::mem::take(&mut h.sent)).unwrap();
        let new_tag = sent.split(' ').next().unwrap().to_owned();
        h.server(format!("{new_tag} NO too many IDLEs\r\n").as_bytes());
        assert!(matches!(h.failed(&idle), CommandError::No { .. }));
        assert_eq!(h.completions_of(&idle), 0);
        assert!(h.take_events().is_empty());
    });
}

#[test]
fn the_response_timeout_does_not_fire_while_idling() {
    run_all_chunkings(|h| {
        h.selected(CAPS, 3);
        let idle = start_idle(h);
        for _ in 0..20 {
            h.advance(Duration::from_secs(60));
        }
        assert!(h.take_events().is_empty());
        assert!(h.client.connection_error().is_none());
        // Once DONE is out the server owes a completion: the timer runs.
        h.client.idle_done().unwrap();
        h.expect_client(b"DONE\r\n");
        h.advance(Duration::from_secs(59));
        h.not_completed(&idle);
        h.advance(Duration::from_secs(1));
        assert_eq!(h.connection_lost(), vec![ConnectionError::TimedOut(Duration::from_secs(60))]);
        assert!(matches!(h.failed(&idle), CommandError::Connection(ConnectionError::TimedOut(_))));
    });
}

#[test]
fn the_default_refresh_is_29_minutes() {
    let mut h = Harness::new(super::Chunking::Whole);
    h.selected(CAPS, 1);
    start_idle(&mut h);
    assert_eq!(h.client.poll_timeout(), Some(h.now + Duration::from_secs(29 * 60)));
    h.advance(Duration::from_secs(29 * 60 - 1));
    h.expect_silence();
    h.advance(Duration::from_secs(1));
    h.expect_client(b"DONE\r\n");
}

/// Runs IDLE through one refresh; returns the application's tag and the
/// tag of the re-issued IDLE (not yet answered with `+`).
fn refreshed_once(h: &mut Harness) -> (crate::types::Tag, String) {
    h.selected(CAPS, 3);
    let idle = start_idle(h);
    h.advance(Duration::from_secs(600));
    h.expect_client(b"DONE\r\n");
    h.server(format!("{idle} OK\r\n").as_bytes());
    let sent = String::from_utf8(std::mem::take(&mut h.sent)).unwrap();
    let new_tag = sent.split(' ').next().unwrap().to_owned();
    assert_eq!(sent, format!("{new_tag} IDLE\r\n"));
    (idle, new_tag)
}

#[test]
fn a_tagged_bye_for_a_refreshed_idle_completes_the_applications_tag() {
    run_all_chunkings_with(refresh_config, |h| {
        let (idle, new_tag) = refreshed_once(h);
        h.server(format!("{new_tag} BYE too many IDLEs\r\n").as_bytes());
        assert_eq!(h.completions_of(&idle), 1);
        assert!(matches!(h.failed(&idle), CommandError::Connection(ConnectionError::Bye(_))));
        let events = h.take_events();
        assert!(matches!(events.as_slice(), [Event::ConnectionLost(_)]), "{events:?}");
    });
}

#[test]
fn a_refresh_the_capabilities_no_longer_allow_completes_the_applications_tag() {
    run_all_chunkings_with(refresh_config, |h| {
        h.selected(CAPS, 3);
        let idle = start_idle(h);
        // The server drops IDLE from its capabilities while we idle.
        h.server(b"* CAPABILITY IMAP4rev1\r\n");
        h.unsolicited();
        h.advance(Duration::from_secs(600));
        h.expect_client(b"DONE\r\n");
        h.server(format!("{idle} OK\r\n").as_bytes());
        h.expect_silence();
        assert_eq!(h.completions_of(&idle), 1);
        assert!(matches!(h.failed(&idle), CommandError::NotSent(UsageError::MissingCapability { .. })));
        assert!(h.take_events().is_empty(), "{:?}", h.events);
    });
}

// ------------------------------------------------------------ automatic IDLE

fn auto_idle_config() -> crate::ClientConfig {
    crate::ClientConfig { auto_idle: Some(Duration::from_secs(2)), ..crate::ClientConfig::default() }
}

#[test]
fn automatic_idle_starts_when_quiet_and_yields_to_commands() {
    super::run_all_chunkings_with(auto_idle_config, |h| {
        h.selected(CAPS, 3);
        h.expect_silence();
        assert_eq!(
            h.client.poll_timeout(),
            Some(h.now + Duration::from_secs(2)),
            "the automatic IDLE is due"
        );
        h.advance(Duration::from_secs(2));
        h.expect_client(b"A3 IDLE\r\n");
        h.server(b"+ idling\r\n* 4 EXISTS\r\n");
        // News arrives at once; the engine's IDLE is nobody's request.
        assert_eq!(
            h.take_events(),
            [Event::Unsolicited(crate::types::Response::Data(crate::types::Data::Exists(4)))]
        );
        assert!(h.client.is_idling());
        assert_eq!(h.client.pending_commands(), 0);
        // A request ends it, runs, and the session idles again later.
        let noop = h.enqueue(Command::Noop);
        h.expect_client(b"DONE\r\n");
        h.server(b"A3 OK idle done\r\n");
        h.expect_client(format!("{noop} NOOP\r\n").as_bytes());
        h.server(format!("{noop} OK\r\n").as_bytes());
        h.completed(&noop).unwrap();
        h.advance(Duration::from_secs(1));
        h.expect_silence();
        h.advance(Duration::from_secs(1));
        h.expect_client(b"A5 IDLE\r\n");
        assert!(h.take_events().is_empty());
    });
}

#[test]
fn an_automatic_idle_the_server_refuses_is_not_retried() {
    super::run_all_chunkings_with(auto_idle_config, |h| {
        h.selected(CAPS, 3);
        h.advance(Duration::from_secs(2));
        h.expect_client(b"A3 IDLE\r\n");
        h.server(b"A3 BAD not now\r\n");
        assert!(h.take_events().is_empty(), "nobody's request failed");
        h.advance(Duration::from_secs(60));
        h.expect_silence();
        assert_eq!(h.client.poll_timeout(), None);
    });
}

#[test]
fn an_explicit_idle_replaces_the_automatic_one() {
    super::run_all_chunkings_with(auto_idle_config, |h| {
        h.selected(CAPS, 3);
        h.advance(Duration::from_secs(2));
        h.expect_client(b"A3 IDLE\r\n");
        h.server(b"+ idling\r\n");
        let idle = h.enqueue(crate::request::idle());
        h.expect_client(b"DONE\r\n");
        h.server(b"A3 OK\r\n");
        h.expect_client(format!("{idle} IDLE\r\n").as_bytes());
        h.server(b"+ idling\r\n");
        assert!(matches!(h.take_events().as_slice(), [Event::IdleStarted(_)]));
        h.client.idle_done().unwrap();
        h.expect_client(b"DONE\r\n");
        h.server(format!("{idle} OK\r\n").as_bytes());
        h.completed(&idle).unwrap();
    });
}
