//! The bounded trace, and secrets kept out of it, out of the live protocol
//! log and out of `Debug`.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

use super::{run_all_chunkings_with, Chunking, Harness};
use crate::client::{ClientConfig, Direction};
use crate::ext::sasl::{Login, Plain};
use crate::types::{AppendMessage, Command, FetchAttr, Mailbox, Secret};

const PASSWORD: &str = "hunter2-S3cr3t";

fn trace(h: &Harness) -> Vec<String> {
    h.client.trace().map(|l| l.to_string()).collect()
}

/// The live protocol log is on in these tests: what never reaches the
/// trace never reaches the log either.
fn logged() -> ClientConfig {
    ClientConfig { protocol_log: true, ..ClientConfig::default() }
}

#[track_caller]
fn nowhere(h: &mut Harness, secrets: &[&str]) {
    let lines = trace(h);
    let log: Vec<String> = std::iter::from_fn(|| h.client.poll_log()).map(|l| l.to_string()).collect();
    let debug = format!("{:?}", h.client);
    for s in secrets {
        assert!(!lines.iter().any(|l| l.contains(s)), "{s:?} in the trace: {lines:#?}");
        assert!(!log.iter().any(|l| l.contains(s)), "{s:?} in the protocol log: {log:#?}");
        assert!(!debug.contains(s), "{s:?} in Debug of the client");
    }
}

#[test]
fn the_trace_is_bounded() {
    let config = || ClientConfig { trace_lines: 5, ..ClientConfig::default() };
    run_all_chunkings_with(config, |h| {
        h.greet("IMAP4rev1");
        for _ in 0..10 {
            let t = h.enqueue(Command::Noop);
            h.server(format!("{t} OK noop {t}\r\n").as_bytes());
        }
        let lines: Vec<_> = h.client.trace().collect();
        assert_eq!(lines.len(), 5);
        let last = lines.last().unwrap();
        assert_eq!(last.direction, Direction::Received);
        assert_eq!(last.text, "A10 OK noop A10");
        assert_eq!(last.to_string(), "S: A10 OK noop A10");
        assert_eq!(lines[3].to_string(), "C: A10 NOOP");
    });
}

#[test]
fn the_trace_can_be_off() {
    let config = || ClientConfig { trace_lines: 0, ..ClientConfig::default() };
    run_all_chunkings_with(config, |h| {
        h.greet("IMAP4rev1");
        let t = h.enqueue(Command::Noop);
        h.server(format!("{t} OK\r\n").as_bytes());
        assert_eq!(h.client.trace().count(), 0);
    });
}

#[test]
fn login_passwords_never_show() {
    run_all_chunkings_with(logged, |h| {
        h.greet("IMAP4rev1");
        let t = h.enqueue(Command::login("alice", PASSWORD));
        nowhere(h, &[PASSWORD]);
        h.server(format!("{t} NO [AUTHENTICATIONFAILED] bad\r\n").as_bytes());
        let lines = trace(h);
        assert!(lines.iter().any(|l| l.starts_with("C: ") && l.contains("LOGIN alice")), "{lines:?}");
        // A password that needs a literal, waiting for `+` in the queue.
        let pw = format!("{PASSWORD}\u{e9}");
        let t = h.enqueue(Command::login("alice", pw.as_str()));
        nowhere(h, &[PASSWORD]);
        h.server(b"+ go\r\n");
        nowhere(h, &[PASSWORD]);
        h.server(format!("{t} OK [CAPABILITY IMAP4rev1] in\r\n").as_bytes());
        nowhere(h, &[PASSWORD]);
        assert!(!format!("{:?}", Command::login("alice", PASSWORD)).contains(PASSWORD));
    });
}

#[test]
fn the_client_debug_output_holds_no_queued_secret() {
    // Enqueued but not yet written by the driver.
    let mut h = Harness::new(Chunking::Whole);
    h.greet("IMAP4rev1 AUTH=PLAIN SASL-IR");
    h.enqueue_unsent(Command::login("alice", PASSWORD));
    assert!(h.client.wants_write());
    assert!(!format!("{:?}", h.client).contains(PASSWORD));
    let mut h = Harness::new(Chunking::Whole);
    h.greet("IMAP4rev1 AUTH=PLAIN SASL-IR");
    h.enqueue_unsent(crate::request::authenticate(Plain::new("alice", PASSWORD)));
    let ir = B64.encode(format!("\0alice\0{PASSWORD}"));
    let debug = format!("{:?}", h.client);
    assert!(!debug.contains(PASSWORD) && !debug.contains(&ir));
}

#[test]
fn sasl_data_never_shows() {
    run_all_chunkings_with(logged, |h| {
        h.greet("IMAP4rev1 AUTH=PLAIN AUTH=LOGIN SASL-IR");
        let ir = B64.encode(format!("\0alice\0{PASSWORD}"));
        let t = h.try_enqueue(crate::request::authenticate(Plain::new("alice", PASSWORD))).unwrap();
        h.expect_client(format!("{t} AUTHENTICATE PLAIN {ir}\r\n").as_bytes());
        h.server(format!("{t} NO nope\r\n").as_bytes());
        nowhere(h, &[PASSWORD, &ir]);
        let lines = trace(h);
        assert!(lines.iter().any(|l| l.contains("AUTHENTICATE PLAIN")), "{lines:?}");
        // A challenge-response exchange: neither side's data is kept.
        let challenge = B64.encode("Password for alice, salt Xq9");
        let t = h.try_enqueue(crate::request::authenticate(Login::new("alice", PASSWORD))).unwrap();
        h.pump();
        h.server(b"+ VXNlcm5hbWU6\r\n");
        h.server(format!("+ {challenge}\r\n").as_bytes());
        h.server(format!("{t} OK [CAPABILITY IMAP4rev1] in\r\n").as_bytes());
        nowhere(h, &[PASSWORD, &B64.encode(PASSWORD), &challenge, "VXNlcm5hbWU6"]);
        let lines = trace(h);
        assert!(lines.iter().any(|l| l.contains("<SASL response>")), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("<SASL challenge>")), "{lines:?}");
    });
}

#[test]
fn interactive_sasl_data_never_shows() {
    run_all_chunkings_with(logged, |h| {
        h.greet("IMAP4rev1 AUTH=X-TOKEN");
        let t = h.try_enqueue_interactive("X-TOKEN", None).unwrap();
        h.pump();
        h.server(format!("+ {}\r\n", B64.encode("nonce=abc123")).as_bytes());
        h.client.sasl_respond(Some(PASSWORD.as_bytes())).unwrap();
        h.server(format!("{t} OK [CAPABILITY IMAP4rev1] in\r\n").as_bytes());
        nowhere(h, &[PASSWORD, &B64.encode(PASSWORD), &B64.encode("nonce=abc123")]);
    });
}

#[test]
fn literal_data_shows_as_a_size() {
    run_all_chunkings_with(logged, |h| {
        h.selected("IMAP4rev1", 3);
        let body = "Subject: private\r\n\r\nthe secret plans\r\n";
        let a = h.enqueue(Command::Append {
            mailbox: Mailbox::new("x"),
            messages: vec![AppendMessage::new(body)],
        });
        h.server(b"+ go\r\n");
        h.server(format!("{a} OK\r\n").as_bytes());
        let f = h.enqueue(Command::fetch(false, 1u32, [FetchAttr::body_peek()]));
        h.server(format!("* 1 FETCH (BODY[] {{{}}}\r\n{body})\r\n{f} OK\r\n", body.len()).as_bytes());
        let lines = trace(h);
        assert!(!lines.iter().any(|l| l.contains("secret plans")), "{lines:#?}");
        let log: Vec<_> = std::iter::from_fn(|| h.client.poll_log()).map(|l| l.to_string()).collect();
        assert!(!log.iter().any(|l| l.contains("secret plans")), "{log:#?}");
        let size = format!("<{} bytes>", body.len());
        assert!(
            lines.iter().any(|l| l.starts_with("C: ") && l.contains("APPEND x") && l.contains(&size)),
            "{lines:#?}"
        );
        assert!(lines.iter().any(|l| l.starts_with("S: * 1 FETCH") && l.contains(&size)), "{lines:#?}");
    });
}

/// A status text ending in `{N}` is text (issue 9): the trace shows it.
#[test]
fn status_text_ending_in_braces_shows_as_text() {
    run_all_chunkings_with(logged, |h| {
        h.selected("IMAP4rev1", 3);
        let t = h.enqueue(Command::select("x{5}"));
        h.server(format!("{t} NO Mailbox doesn't exist: x{{5}}\r\n").as_bytes());
        let lines = trace(h);
        assert!(lines.iter().any(|l| l.ends_with("Mailbox doesn't exist: x{5}")), "{lines:#?}");
        assert!(!lines.iter().any(|l| l.starts_with("S:") && l.contains("bytes>")), "{lines:#?}");
    });
}

#[test]
fn secrets_in_commands_are_wrapped() {
    let c = Command::Authenticate {
        mechanism: "PLAIN".into(),
        initial_response: Some(Secret::new(PASSWORD.into())),
    };
    assert!(!format!("{c:?}").contains("hunter2"));
    assert!(!format!("{:?}", Plain::new("a", PASSWORD)).contains(PASSWORD));
    assert!(!format!("{:?}", Login::new("a", PASSWORD)).contains(PASSWORD));
    assert!(!format!("{:?}", crate::ext::sasl::XOAuth2::new("a", PASSWORD)).contains(PASSWORD));
    assert!(!format!("{:?}", crate::ext::sasl::OAuthBearer::new("a", "h", 1, PASSWORD)).contains(PASSWORD));
    #[cfg(feature = "cram-md5")]
    assert!(!format!("{:?}", crate::ext::sasl::CramMd5::new("a", PASSWORD)).contains(PASSWORD));
    #[cfg(feature = "scram")]
    assert!(!format!(
        "{:?}",
        crate::ext::sasl::Scram::new(crate::ext::sasl::ScramHash::Sha256, "a", PASSWORD, "n")
    )
    .contains(PASSWORD));
}
