//! Runs the `decode` example binary on captured and hand-made server streams
//! and checks what it prints and its exit status.
//!
//! Cargo gives integration tests no path to example binaries, so the first
//! test to need it builds the example with the profile and target directory
//! of this test binary (a no-op when `cargo test` has already built it) and
//! runs `target/<profile>/examples/decode`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

const DOVECOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dovecot-session.bin");

/// Responses in the Dovecot capture: every status, data and continuation
/// response of the session (tests/data/dovecot-session.trace has the same
/// conversation with the client's side).
const DOVECOT_RESPONSES: usize = 171;

#[test]
fn dovecot_capture_decodes_completely() {
    let run = decode(&[DOVECOT], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), DOVECOT_RESPONSES);
    assert!(lines[0].starts_with("* OK [CAPABILITY IMAP4rev1 "), "{}", lines[0]);
    assert_eq!(lines[lines.len() - 1], "A062 OK Logout completed (0.001 + 0.000 secs).");
    // Literals are summarised by their length, not dumped.
    assert!(lines.iter().any(|l| l.starts_with("* 1 FETCH UID=1 ") && l.ends_with(" BODY[]=<316 bytes>")));
    assert!(run.stdout.lines().all(|l| !l.contains("Subject: afternoon meeting")));
    assert_eq!(run.stderr.trim_end(), format!("{DOVECOT_RESPONSES} responses, 0 malformed"));
}

#[test]
fn dovecot_capture_is_strictly_valid_and_stdin_gives_the_same() {
    let from_file = decode(&[DOVECOT], None);
    let bytes = std::fs::read(DOVECOT).expect("the capture");
    let strict = decode(&["--strict"], Some(&bytes));
    assert_eq!(strict.code, 0, "{}", strict.stderr);
    assert_eq!(strict.stdout, from_file.stdout);
    let dash = decode(&["-"], Some(&bytes));
    assert_eq!(dash.stdout, from_file.stdout);
}

#[test]
fn json_lines() {
    let run = decode(&["--json", DOVECOT], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let values: Vec<serde_json::Value> =
        run.stdout.lines().map(|l| serde_json::from_str(l).expect("one JSON value per line")).collect();
    assert_eq!(values.len(), DOVECOT_RESPONSES);
    assert_eq!(values[0]["Status"]["kind"], "Ok");
    assert_eq!(values[0]["Status"]["code"]["Capability"]["list"][0], "IMAP4rev1");
}

#[test]
fn malformed_response_is_reported_and_decoding_goes_on() {
    let run = decode(&[], Some(b"* OK hi\r\n* 1 FETCH (UID)\r\n* 2 EXISTS\r\n"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "* OK hi\n* 2 EXISTS\n");
    assert!(run.stderr.contains("response 2 at stream byte 9"), "{}", run.stderr);
    assert!(run.stderr.contains("expected SP at byte 14"), "{}", run.stderr);
    assert!(run.stderr.ends_with("3 responses, 1 malformed\n"), "{}", run.stderr);
}

#[test]
fn input_ending_inside_a_response_counts_as_malformed() {
    let run = decode(&[], Some(b"* 2 EXISTS\r\n* 1 FETCH (BODY[] {10}\r\nabc"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "* 2 EXISTS\n");
    assert!(run.stderr.contains("ends inside a response"), "{}", run.stderr);
}

#[test]
fn literal_length_overflowing_u64_is_fatal() {
    let run = decode(&[], Some(b"* 1 FETCH (BODY[] {99999999999999999999999}\r\nabc)\r\n* 2 EXISTS\r\n"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("does not fit in 64 bits"), "{}", run.stderr);
}

#[test]
fn oversized_number_not_ending_the_line_is_only_malformed() {
    // `{N}` followed by `)` announces no literal (an announcement ends its
    // line), so framing is intact: one malformed response, then the next.
    let run = decode(&[], Some(b"* 1 FETCH (BODY[] {99999999999999999999999})\r\n* 2 EXISTS\r\n"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "* 2 EXISTS\n");
    assert!(run.stderr.contains("number within 64 bits"), "{}", run.stderr);
}

#[test]
fn unreadable_input_and_bad_arguments_exit_2() {
    assert_eq!(decode(&["/nonexistent/imap-stream"], None).code, 2);
    assert_eq!(decode(&["--frobnicate"], None).code, 2);
    assert_eq!(decode(&[DOVECOT, DOVECOT], None).code, 2);
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn decode(args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(decode_binary())
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the decode example");
    if let Some(input) = stdin {
        // Dropped at the end of the statement, which closes the pipe.
        child.stdin.take().expect("piped stdin").write_all(input).expect("write stdin");
    }
    let output = child.wait_with_output().expect("wait for decode");
    Run {
        code: output.status.code().expect("exit status, not a signal"),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// `target/<profile>/examples/decode`, built on first use.
fn decode_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // This test runs as target/<profile>/deps/decode_example-<hash>.
        let exe = std::env::current_exe().expect("path of the test binary");
        let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
        let target_dir = profile_dir.parent().expect("target directory");
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") => "dev",
            Some(other) => other,
            None => panic!("unexpected test binary location {}", exe.display()),
        };
        // Output is kept: cargo would replay the library's warnings here.
        let build = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "imap-core", "--example", "decode", "--profile", profile])
            .arg("--target-dir")
            .arg(target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run cargo");
        assert!(
            build.status.success(),
            "cargo build --example decode failed:\n{}",
            String::from_utf8_lossy(&build.stderr)
        );
        let binary = profile_dir.join("examples").join(format!("decode{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.is_file(), "{} was not built", binary.display());
        binary
    })
}
