//! The `imap-conformance serve` binary, as a driver in another language
//! uses it: the port on stdout, the CA in a file, the verdict as the exit
//! status.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.imap"))
}

/// Starts `serve` and returns the child and the port it printed.
fn serve(args: &[&str]) -> (Child, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_imap-conformance"))
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run imap-conformance");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().expect("stdout")).read_line(&mut line).expect("the port");
    (child, line.trim().parse().expect("a port number"))
}

fn stderr(child: &mut Child) -> String {
    let mut text = String::new();
    child.stderr.as_mut().expect("stderr").read_to_string(&mut text).expect("stderr");
    text
}

#[test]
fn a_client_that_follows_the_script_passes() {
    let dir = std::env::temp_dir().join(format!("imap-conformance-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    let file = scenario("greeting_without_capabilities");
    let (mut child, port) = serve(&[file.to_str().unwrap(), "--ca-file", ca.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&ca).unwrap().starts_with("-----BEGIN CERTIFICATE-----"));

    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut reader = BufReader::new(tcp.try_clone().unwrap());
    let mut transcript = String::new();
    for (line, replies) in
        [("", 1), ("c1 CAPABILITY\r\n", 2), ("c2 LOGIN alice \"secret\"\r\n", 1), ("c3 LOGOUT\r\n", 2)]
    {
        tcp.write_all(line.as_bytes()).unwrap();
        for _ in 0..replies {
            reader.read_line(&mut transcript).unwrap();
        }
    }
    drop((tcp, reader));
    assert!(transcript.contains("c2 OK [CAPABILITY IMAP4rev1] logged in\r\n"), "{transcript}");
    let status = child.wait().unwrap();
    assert!(status.success(), "{}", stderr(&mut child));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_client_that_strays_fails_with_the_reason() {
    let (mut child, port) = serve(&[scenario("greeting_ok").to_str().unwrap()]);
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut greeting = String::new();
    BufReader::new(tcp.try_clone().unwrap()).read_line(&mut greeting).unwrap();
    tcp.write_all(b"c1 CAPABILITY\r\n").unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
    let reason = stderr(&mut child);
    assert!(reason.contains("the client sent `c1 CAPABILITY`"), "{reason}");
}

#[test]
fn bad_usage_and_bad_scripts_exit_2() {
    let status = Command::new(env!("CARGO_BIN_EXE_imap-conformance")).stderr(Stdio::null()).status().unwrap();
    assert_eq!(status.code(), Some(2));
    let dir = std::env::temp_dir().join(format!("imap-conformance-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.imap");
    std::fs::write(&bad, "S: {tag} OK\n").unwrap();
    let output =
        Command::new(env!("CARGO_BIN_EXE_imap-conformance")).arg("serve").arg(&bad).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("bad:1: {tag} is used before a C: line captures it"), "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
}
