//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) through the
//! fuzz targets' own checks, so `cargo test` runs every input the fuzzers
//! kept, and holds one named test per finding (the input that found it).
//!
//! The checks are compiled from `fuzz/src/checks/`, shared with the
//! cargo-fuzz crate; a long fuzzing run is `scripts/fuzz 600`.

use std::path::{Path, PathBuf};

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/checks/mod.rs"]
mod checks;

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target)
}

/// Runs `check` on every file of the target's corpus; a failure names the file.
fn replay_corpus(target: &str, check: fn(&[u8])) {
    let dir = corpus(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    for path in &files {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if std::panic::catch_unwind(|| check(&data)).is_err() {
            panic!("{} fails its check (see the panic above)", path.display());
        }
    }
}

/// Replays one input given as `FUZZ_REPLAY=<target>:<file>` (does nothing
/// without it), e.g. an artifact, with `IMAP_FUZZ_TRACE=1` to print a
/// `client` session:
/// `FUZZ_REPLAY=client:fuzz/artifacts/client/crash-... cargo test -p imap-core --test fuzz_corpus replay -- --nocapture`
#[test]
fn replay() {
    let Some(spec) = std::env::var_os("FUZZ_REPLAY") else { return };
    let spec = spec.to_string_lossy().into_owned();
    let (target, file) = spec.split_once(':').expect("FUZZ_REPLAY=<target>:<file>");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(file);
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match target {
        "framer" => checks::framer::check(&data),
        "response" => checks::response::check(&data),
        "client" => checks::client::check(&data),
        "encode" => checks::encode::check(&data),
        "utf7" => checks::utf7::check(&data),
        other => panic!("unknown target {other}"),
    }
}

#[test]
fn framer_corpus() {
    replay_corpus("framer", checks::framer::check);
}

#[test]
fn response_corpus() {
    replay_corpus("response", checks::response::check);
}

#[test]
fn client_corpus() {
    replay_corpus("client", checks::client::check);
}

#[test]
fn encode_corpus() {
    replay_corpus("encode", checks::encode::check);
}

#[test]
fn utf7_corpus() {
    replay_corpus("utf7", checks::utf7::check);
}

// ------------------------------------------------------------ findings
//
// Each input below made its target fail once; it is also in the corpus.

/// framer: a line with no LF yet broke the response limit before the line
/// limit when fed byte by byte, but was reported as over the line limit
/// when fed whole. The framer now reports the limit crossed first.
#[test]
fn framer_limit_kind_does_not_depend_on_chunking() {
    // max_line_len 3, max_literal_len 0, max_response_len 1; four bytes, no LF.
    checks::framer::check(b"\x01\x00\x00\x00\x00\x00\x00\x03");
}

/// response: an unknown untagged response whose name runs into 8-bit
/// bytes got a different name strictly (`+++`) and leniently (`+++\xf7}`).
/// Its name now covers the 8-bit bytes in both modes.
#[test]
fn response_unknown_name_is_the_same_strict_and_lenient() {
    checks::response::check(b"\x00* +++\xf7}\x00\n*++*\x03\r\n");
}

/// framer: a line over the line limit that ends with a literal announcement
/// too long for 64 bits was skipped then fatal when it arrived in pieces,
/// but fatal at once when it arrived whole. Now skipped, then fatal, always.
#[test]
fn framer_oversized_line_with_overflowing_announcement() {
    // max_line_len 65; the line is 100 bytes.
    let mut input = b"\x20\x10\x40\x00* 1 FETCH (".to_vec();
    input.extend_from_slice(&[b'x'; 60]);
    input.extend_from_slice(b" {99999999999999999999999999}\r\n");
    checks::framer::check(&input);
}

/// response: a status text starting with a space (valid: text may hold
/// spaces) lost the space leniently. Leniency no longer rewrites text.
#[test]
fn response_status_text_keeps_its_leading_space() {
    checks::response::check(b"\x00A033 OK  OK Store co+ 0.000 secs+.\r\n");
}

/// response: an unknown response with a bare CR inside its line parsed
/// strictly (a value failed, so the rest was taken whole) but not leniently
/// (the values parsed, then the CR was taken for the line end). A CR
/// inside the line is now skipped over in both modes.
#[test]
fn response_unknown_with_bare_cr_parses_in_both_modes() {
    checks::response::check(b"\x01* LI\"/\xa2 {7}\xf1\x8afoo\"bar6\r%\"bar\r\n");
}

/// client: a LOGIN answered OK without capabilities waits for the engine's
/// CAPABILITY before its result is delivered; when a pipelined LOGOUT
/// completed first (the CAPABILITY answer was garbage), the LOGIN's result
/// was never delivered and EOF counted as a clean end. LOGOUT now delivers
/// held results and fails what is still queued.
#[test]
fn client_logout_delivers_held_results() {
    let input =
        std::fs::read(corpus("client").join("regression-logout-after-held-login")).expect("the finding");
    checks::client::check(&input);
}

/// framer: this 15 KB input took 30 s in a debug build of the framer as it
/// was at c33db4a (26 s under the fuzzer); the current framer takes
/// milliseconds. Replayed so that the slowness cannot come back unseen.
#[test]
fn framer_many_small_frames_after_a_discard_stay_fast() {
    let input = std::fs::read(corpus("framer").join("regression-slow-reframing")).expect("the finding");
    checks::framer::check(&input);
}
