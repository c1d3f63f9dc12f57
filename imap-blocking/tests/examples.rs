//! The examples work against the project's Dovecot: seed, demo, and a
//! resumable mirror whose files are byte-exact.

mod common;

use imap_blocking::prelude::*;
use std::path::PathBuf;
use std::process::Command;

use common::{login, message, server, TempMailbox};
use imap_blocking::{FetchAttr, Flag};

fn run_example(name: &str, args: &[&str]) -> std::process::Output {
    let s = server();
    let out = Command::new(env!("CARGO"))
        .args(["run", "-q", "-p", "imap-blocking", "--example", name, "--"])
        .args(args)
        .env("IMAP_HOST", &s.host)
        .env("IMAP_PORT", s.port.to_string())
        .env("IMAP_USER", &s.user)
        .env("IMAP_PASSWORD", &s.password)
        .env("IMAP_SECURITY", "starttls")
        .env("IMAP_CA_FILE", &s.ca_file)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "{name} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn mirror_is_byte_exact_and_resumable() {
    let mut s = login();
    let m = TempMailbox::new(&mut s, "mirror");
    let originals: Vec<Vec<u8>> =
        (0..5).map(|i| message(&format!("mirror {i}"), &"line\r\n".repeat(i * 50))).collect();
    for msg in &originals {
        s.append(&m.name, msg.clone()).unwrap();
    }
    s.select(&m.name).unwrap();
    s.add_flags(2, &[Flag::Seen, Flag::Flagged]).unwrap();
    s.unselect().unwrap();

    let dir = std::env::temp_dir().join(common::unique("maildir"));
    let out = run_example("mirror", &["--mailbox", &m.name, "--to", dir.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("5 new messages"), "{out:?}");
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir.join("cur")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort_by_key(|p| {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        name.split('_')
            .nth(1)
            .and_then(|u| u.split('.').next())
            .and_then(|u| u.parse::<u32>().ok())
            .unwrap_or(0)
    });
    assert_eq!(files.len(), 5);
    for (file, original) in files.iter().zip(&originals) {
        assert_eq!(&std::fs::read(file).unwrap(), original, "{}", file.display());
    }
    assert!(files[1].to_string_lossy().ends_with(":2,FS"), "{}", files[1].display());

    // Run again: nothing new. Add two messages: only those are fetched.
    let out = run_example("mirror", &["--mailbox", &m.name, "--to", dir.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing new"), "{out:?}");
    s.append(&m.name, message("later 1", "x")).unwrap();
    s.append(&m.name, message("later 2", "y")).unwrap();
    let out = run_example("mirror", &["--mailbox", &m.name, "--to", dir.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 new messages"), "{out:?}");
    assert_eq!(std::fs::read_dir(dir.join("cur")).unwrap().count(), 7);
    let state = std::fs::read_to_string(dir.join(".imap-mirror-state")).unwrap();
    assert!(state.trim_end().ends_with(" 7"), "{state}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn mirror_of_a_missing_mailbox_fails_clearly() {
    let dir = std::env::temp_dir().join(common::unique("maildir"));
    let s = server();
    let out = Command::new(env!("CARGO"))
        .args(["run", "-q", "-p", "imap-blocking", "--example", "mirror", "--"])
        .args(["--mailbox", "no-such-mailbox-anywhere", "--to", dir.to_str().unwrap()])
        .args(["--host", &s.host, "--port", &s.port.to_string(), "--security", "starttls"])
        .args(["--ca-file", s.ca_file.to_str().unwrap(), "--user", &s.user, "--password", &s.password])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("EXAMINE no-such-mailbox-anywhere") && err.contains("NO"), "{err}");
    assert!(!err.contains(&s.password), "the password never appears in the trace");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_runs() {
    // The demo reads INBOX and delivers one message to it.
    let out = run_example("demo", &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Folders:") && text.contains("INBOX"), "{text}");
    assert!(text.contains("newest message: \"Hello from the IDLE demo\""), "{text}");
    let mut s = login();
    s.select("INBOX").unwrap();
    let f = s.fetch(imap_blocking::SequenceSet::last(), &[FetchAttr::Envelope]).unwrap();
    assert_eq!(f[0].envelope().unwrap().subject_text().as_deref(), Some("Hello from the IDLE demo"));
}
