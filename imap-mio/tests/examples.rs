//! The notify example against the project's Dovecot, and against servers
//! that fail: it reports each failure, and exits non-zero (never hangs)
//! when every connection has failed.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{login, run, server};
use imap_mio::imap_core::request;
use imap_mio::{AppendMessage, Pool, Security};

fn notify(args: &[&str], port: u16) -> Command {
    let s = server();
    let mut command = Command::new(env!("CARGO"));
    command
        .args(["run", "-q", "-p", "imap-mio", "--example", "notify", "--"])
        .args(args)
        .env("IMAP_HOST", &s.host)
        .env("IMAP_PORT", port.to_string())
        .env("IMAP_USER", &s.user)
        .env("IMAP_PASSWORD", &s.password)
        .env("IMAP_SECURITY", "starttls")
        .env("IMAP_CA_FILE", &s.ca_file)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn notify_prints_each_arrival_on_every_connection() {
    let s = server();
    let mut child = notify(&["--connections", "3", "--for", "20"], s.port).spawn().expect("run cargo");
    // Once every connection idles (the example says so on stderr), a new
    // message arrives.
    let stderr = BufReader::new(child.stderr.take().expect("piped"));
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut seen = String::new();
        for line in stderr.lines().map_while(|l| l.ok()) {
            if line.contains("connection(s) idle") {
                let _ = tx.send(());
            }
            seen.push_str(&line);
            seen.push('\n');
        }
        seen
    });
    let idle = rx.recv_timeout(Duration::from_secs(60));
    let connector = common::connector(Security::Plain);
    let mut pool = Pool::new().expect("poll");
    let token =
        login(&mut pool, connector.connect(connector.resolve().expect("address")[0]).expect("connect"));
    let subject = common::unique("notified");
    let message = AppendMessage::new(common::message(&subject, "hello"));
    run(&mut pool, token, request::append("INBOX", message)).expect("APPEND");
    let out = child.wait_with_output().expect("notify ends by itself");
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), reader.join().expect("stderr"));
    assert!(idle.is_ok(), "the connections never idled:\n{all}");
    assert!(out.status.success(), "{all}");
    let lines: Vec<&str> = all.lines().filter(|l| l.contains(&subject)).collect();
    assert_eq!(lines.len(), 3, "each of the 3 connections prints the arrival once:\n{all}");
    assert!(lines.iter().all(|l| l.starts_with(&format!("{}/INBOX: UID ", s.user))), "{all}");
    assert!(all.contains("memory per idle connection: "), "{all}");
}

#[test]
fn notify_exits_non_zero_when_every_connection_fails() {
    // Nothing listens on a port just released.
    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let out = notify(&["--connections", "2", "--security", "plain"], port).output().expect("run cargo");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert_eq!(all.matches("connection failed: nothing listens").count(), 2, "{all}");
    assert!(all.contains("every connection failed"), "{all}");
}

#[test]
fn notify_survives_a_hostile_server_and_exits_non_zero() {
    // One server that greets with garbage, one that greets and then sends
    // an endless line: neither may hang or crash the example.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for (i, stream) in listener.incoming().take(2).enumerate() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                if i == 0 {
                    let _ = stream.write_all(b"SSH-2.0-OpenSSH_9.6\r\n");
                    std::thread::sleep(Duration::from_secs(2));
                    return;
                }
                let _ = stream.write_all(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
                std::thread::sleep(Duration::from_millis(200));
                let started = Instant::now();
                let junk = vec![b'x'; 64 * 1024];
                while started.elapsed() < Duration::from_secs(20) && stream.write_all(&junk).is_ok() {}
            });
        }
    });
    let started = Instant::now();
    let out = notify(&["--connections", "2", "--security", "plain"], port)
        .env("IMAP_USER", "nobody")
        .output()
        .expect("run cargo");
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("every connection failed"), "{all}");
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
}
