//! The greeting, the live protocol log and the failure report, against the
//! project's Dovecot.

mod common;

use common::{options, server};
use imap_blocking::imap_core::Direction;
use imap_blocking::prelude::*;
use imap_blocking::Security;

#[test]
fn the_greeting_is_kept() {
    let s = options(Security::Plain).connect().unwrap();
    let welcome = s.welcome().expect("greeting kept");
    assert!(welcome.starts_with("Dovecot") && welcome.ends_with("ready."), "{welcome:?}");
    assert!(s.greeting().unwrap().code.is_some(), "Dovecot sends its capabilities in the greeting");
}

#[test]
fn every_line_is_logged_redacted_in_order() {
    let srv = server();
    let mut opts = options(Security::StartTls);
    opts.engine.protocol_log = true;
    let mut s = opts.connect().unwrap();
    s.login(&srv.user, &srv.password).unwrap();
    s.select("INBOX").unwrap();
    s.noop().unwrap();
    let log = s.take_protocol_log();
    let text: Vec<String> = log.iter().map(ToString::to_string).collect();
    assert!(text[0].starts_with("S: * OK [CAPABILITY IMAP4rev1"), "{text:#?}");
    assert!(text[0].ends_with("ready."), "{text:#?}");
    assert!(text.iter().any(|l| l.ends_with(" STARTTLS")), "{text:#?}");
    assert!(text.iter().any(|l| l.contains(&format!("LOGIN {} \"<password>\"", srv.user))), "{text:#?}");
    assert!(!text.iter().any(|l| l.contains(&srv.password)), "{text:#?}");
    // Every command is answered, in order, ending with the NOOP's OK.
    let sent = log.iter().filter(|l| l.direction == Direction::Sent).count();
    assert!(sent >= 5, "STARTTLS, CAPABILITY, LOGIN, SELECT, NOOP: {text:#?}");
    let select = text.iter().position(|l| l.ends_with(" SELECT INBOX")).unwrap();
    assert!(text[select..].iter().any(|l| l.contains("EXISTS")), "{text:#?}");
    assert!(text.last().unwrap().contains("OK NOOP completed"), "{text:#?}");
    // Taken once; more comes as more passes.
    assert!(s.take_protocol_log().is_empty());
    s.noop().unwrap();
    assert_eq!(s.take_protocol_log().len(), 2);
    s.set_protocol_log(false);
    s.noop().unwrap();
    assert!(s.take_protocol_log().is_empty());
}

#[test]
fn the_failure_report_carries_the_last_lines() {
    let srv = server();
    let mut s = options(Security::Plain).connect().unwrap();
    s.login(&srv.user, &srv.password).unwrap();
    assert_eq!(s.core().failure_report(), None);
    // LOGOUT through a raw command: the engine does not know it ends the
    // session, so the BYE is a failure for it.
    let _ = s.raw("LOGOUT", vec![]);
    let report = s.core().failure_report().expect("the session ended");
    assert!(report.starts_with("the server closed the connection: Logging out"), "{report}");
    assert!(report.contains("C: A") && report.contains("LOGOUT"), "{report}");
    assert!(!report.contains(&srv.password), "{report}");
}

/// A writer the test can read back.
#[derive(Clone, Default)]
struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// imaplib's `debug`: every line written out as it passes, from the
/// greeting on, redacted; also through a shared session.
#[test]
fn the_log_is_written_out_as_it_passes() {
    let srv = server();
    let mut s = options(Security::StartTls).protocol_log(true).connect().unwrap();
    let out = Shared::default();
    s.log_protocol_to(out.clone());
    let greeting = out.text();
    assert!(greeting.starts_with("S: * OK [CAPABILITY") && greeting.contains("C: A1 STARTTLS"), "{greeting}");
    s.login(&srv.user, &srv.password).unwrap();
    let m = common::TempMailbox::new(&mut s, "log");
    let body = common::message("logged", &"secret body line\r\n".repeat(50));
    s.append(&m.name, body.clone()).unwrap();
    s.select(&m.name).unwrap();
    s.fetch(1, &[imap_blocking::FetchAttr::body_peek()]).unwrap();
    let text = out.text();
    assert!(text.contains(&format!("LOGIN {} \"<password>\"", srv.user)), "{text}");
    assert!(!text.contains(&srv.password) && !text.contains("secret body line"), "{text}");
    let size = format!("<{} bytes>", body.len());
    assert!(
        text.lines().any(|l| l.starts_with("C: ") && l.contains("APPEND") && l.contains(&size)),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("S: * 1 FETCH") && l.contains(&size)), "{text}");
    assert!(text.lines().last().unwrap().starts_with("S: A") && text.ends_with("\n"), "{text}");

    // Through a shared session, from another thread.
    let shared = s.into_shared().unwrap();
    let before = out.text().len();
    let mut other = shared.clone();
    std::thread::spawn(move || other.noop().unwrap()).join().unwrap();
    let more = out.text()[before..].to_owned();
    assert!(more.contains(" NOOP\n") && more.contains("OK NOOP completed"), "{more}");
}
