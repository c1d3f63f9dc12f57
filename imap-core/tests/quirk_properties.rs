//! The fuzz targets' properties (`fuzz/src/checks/`) on the real quirks:
//! every response of tests/data/server-quirks.txt, the quirks that need
//! literals, and each response and each file of the MailKit corpus
//! (`../shared/corpora/mailkit-imap/`, see tests/mailkit_corpus.rs). For
//! the parser: leniency only widens (what parses strictly parses the same
//! leniently), and decoding is the same whole, byte by byte and in seeded
//! chunks, strict or lenient. For the framer: the same frames under any
//! chunking and limits, and framing is a prefix of the input.

use std::path::{Path, PathBuf};

use imap_core::parse::{Frame, Framer};
use proptest::prelude::*;

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/checks/mod.rs"]
mod checks;

const SAMPLES: &str = include_str!("data/server-quirks.txt");

/// Quirks whose responses hold literals, which the samples file cannot.
const WITH_LITERALS: &[&[u8]] = &[
    // Gmail's blank line before `)` (MailKit's gmail/headers.1), and an
    // empty one (imapclient#162).
    b"* 1 FETCH (UID 1 BODY[HEADER] {5}\r\nA: b\n \r\n)\r\n",
    b"* 9 FETCH (UID 17 BODY[] {6}\r\nbody\r\n\r\n)\r\n",
    // Yandex's section without a value (MailKit#1708).
    b"* 1 FETCH (UID 3016 BODY[2.MIME] {12}\r\nContent: x\r\n BODY[2] )\r\n",
    // Status text ending in braces, and a literal inside a response code.
    b"A1 NO Mailbox doesn't exist: foo{3}\r\n",
    b"A1 NO [BADCHARSET ({5}\r\nUTF-8 \"ISO-8859-1\")] unknown charset{3}\r\n",
    // NetEase's unescaped quotes before a body (go-imap#659).
    b"* 150 FETCH (UID 1 BODY ((\"a\" \"b\" NIL NIL \"\"\"\" \"base64\" 6) \"MIXED\") BODY[] {5}\r\nhello)\r\n",
];

/// Flag bytes for the response check: lenient and strict, UTF-8 mailbox
/// names, a small nesting limit, several chunking seeds.
const RESPONSE_FLAGS: [u8; 6] = [0x00, 0x01, 0x02, 0x09, 0x50, 0xf1];

/// Limit bytes for the framer check: defaults, and small limits that break.
const FRAMER_LIMITS: [[u8; 4]; 3] = [[255, 0, 0, 0], [255, 0, 0, 7], [20, 10, 40, 3]];

fn samples() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = SAMPLES
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| format!("{}\r\n", &l[1..]).into_bytes())
        .collect();
    out.extend(WITH_LITERALS.iter().map(|r| r.to_vec()));
    out
}

fn check_response(response: &[u8]) {
    for flags in RESPONSE_FLAGS {
        let mut input = vec![flags];
        input.extend_from_slice(response);
        checks::response::check(&input);
    }
}

fn check_framer(stream: &[u8]) {
    for limits in FRAMER_LIMITS {
        let mut input = limits.to_vec();
        input.extend_from_slice(stream);
        checks::framer::check(&input);
    }
}

#[test]
fn quirk_samples_keep_the_fuzz_properties() {
    let samples = samples();
    for response in &samples {
        check_response(response);
        check_framer(response);
    }
    let stream = samples.concat();
    check_response(&stream);
    check_framer(&stream);
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/mailkit-imap");
    let mut files = Vec::new();
    let mut dirs = vec![dir.clone()];
    while let Some(d) = dirs.pop() {
        let entries = std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("the MailKit corpus is missing: cannot read {} ({e})", d.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "txt") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 350, "{}: {} files", dir.display(), files.len());
    files
}

#[test]
fn mailkit_corpus_keeps_the_fuzz_properties() {
    for path in corpus_files() {
        let stream = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let run = |f: &dyn Fn()| {
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err() {
                panic!("{} breaks a fuzz property (see the panic above)", path.display());
            }
        };
        run(&|| check_framer(&stream));
        run(&|| check_response(&[&[0x00][..], &stream].concat()));
        // Each response alone, where "leniency only widens" applies.
        let mut framer = Framer::default();
        framer.push(&stream);
        while let Ok(Some(Frame::Response(response))) = framer.next_frame() {
            run(&|| check_response(&response));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A quirk with one byte changed, or cut short, still keeps the
    /// properties (and never panics).
    #[test]
    fn mutated_quirks_keep_the_fuzz_properties(index in 0usize..1000, at in 0usize..4000, byte in any::<u8>(), cut in any::<bool>()) {
        let samples = samples();
        let mut response = samples[index % samples.len()].clone();
        let at = at % response.len();
        if cut {
            response.truncate(at);
        } else {
            response[at] = byte;
        }
        check_response(&response);
        check_framer(&response);
    }
}
