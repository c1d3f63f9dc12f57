//! Replays MailKit's IMAP test responses (real captures from Dovecot, Gmail,
//! Exchange, Yahoo, iCloud, Domino, Zoho, Yandex and others) through
//! [`Decoder`]: every response of every file must decode with the default
//! (lenient) options, and the same whole, byte by byte and in seeded random
//! chunks.
//!
//! The corpus lives outside the repository, in
//! `../shared/corpora/mailkit-imap/` next to the workspace (see its
//! README: MIT licence, MailKit `UnitTests/Net/Imap/Resources` at commit
//! d1f7aa76, stored with CRLF line ends). Without it this test fails: a
//! corpus test that skips itself proves nothing.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use imap_core::parse::{DecodeError, Decoder};
use imap_core::types::{Data, Response};
use imap_core::{Leniency, ParseOptions};

/// Files in the corpus as published (`**/*.txt`).
const CORPUS_FILES: usize = 350;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/mailkit-imap")
}

/// Every `.txt` file under `dir`, sorted, recursively.
fn txt_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| {
        panic!(
            "the MailKit corpus is missing: cannot read {} ({e}); it belongs at \
             ../shared/corpora/mailkit-imap/ relative to the workspace root",
            dir.display()
        )
    });
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            txt_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path);
        }
    }
    out.sort();
}

/// One decoded item: a response with its raw bytes, or what failed.
type Decoded = Result<(Bytes, Response), DecodeError>;

/// Pushes `input` in chunks of `sizes` (cycled), draining after each push.
/// Returns the items and whether a response was left incomplete.
fn decode(input: &[u8], sizes: &[usize]) -> (Vec<Decoded>, bool) {
    decode_with(input, sizes, ParseOptions::default())
}

fn decode_with(input: &[u8], sizes: &[usize], opts: ParseOptions) -> (Vec<Decoded>, bool) {
    let mut decoder = Decoder::new(opts);
    let mut out = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while at < input.len() {
        let n = sizes[i % sizes.len()].clamp(1, input.len() - at);
        decoder.push(&input[at..at + n]);
        at += n;
        i += 1;
        while let Some(item) = decoder.next_raw() {
            out.push(item);
        }
    }
    (out, decoder.framer().is_mid_response())
}

/// A deterministic stream of chunk sizes in `1..=max` (xorshift).
fn pseudo_random_sizes(seed: u64, count: usize, max: usize) -> Vec<usize> {
    let mut x = seed.max(1);
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % max as u64) as usize + 1
        })
        .collect()
}

#[test]
fn every_mailkit_response_decodes_in_any_chunking() {
    let dir = corpus_dir();
    let mut files = Vec::new();
    txt_files(&dir, &mut files);
    assert!(
        files.len() >= CORPUS_FILES,
        "{} holds {} .txt files, expected {CORPUS_FILES}: an incomplete copy",
        dir.display(),
        files.len()
    );
    let mut failures = Vec::new();
    let mut responses = 0;
    for path in &files {
        let name = path.strip_prefix(&dir).unwrap_or(path).display().to_string();
        let input = std::fs::read(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (whole, incomplete) = decode(&input, &[input.len().max(1)]);
        if incomplete {
            failures.push(format!("{name}: ends inside a response"));
        }
        for item in &whole {
            match item {
                Ok(_) => responses += 1,
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
        assert_eq!(decode(&input, &[1]), (whole.clone(), incomplete), "{name}: byte by byte");
        for seed in 1..=6 {
            let sizes = pseudo_random_sizes(seed * 7919 + input.len() as u64, 32, 97);
            assert_eq!(
                decode(&input, &sizes),
                (whole.clone(), incomplete),
                "{name}: chunk sizes {sizes:?} (seed {seed})"
            );
        }
    }
    println!("{} files, {responses} responses decoded", files.len());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Turns one leniency knob off.
type KnobOff = fn(&mut Leniency);

/// The files that need a leniency knob, each with the knob: with it off
/// (and strictly) some response of the file fails, with it on all decode.
#[test]
fn mailkit_quirks_need_their_knob() {
    let dir = corpus_dir();
    let cases: [(&str, KnobOff); 6] = [
        // Lotus Domino: `(UID 14935 (ENVELOPE (...)) BODYSTRUCTURE (...))`.
        ("domino/fetch-extra-parens.txt", |l| l.wrapped_fetch_items = false),
        // Zoho: `MODSEQ (-1)`.
        ("zoho/fetch-negative-modseq-values.txt", |l| l.fetch_items = false),
        // Yandex: `BODY[2] )`.
        ("yandex/getbodypart-missing-content.txt", |l| l.missing_section_data = false),
        // Gmail: " \r\n)" after the header literal.
        ("gmail/headers.1+unsolicited-info.txt", |l| l.blank_line_in_fetch = false),
        // Office 365: `[COPYUID 55 31 6]` alone on its line.
        ("exchange/issue115.txt", |l| l.bare_response_codes = false),
        // `""` as the hierarchy delimiter.
        ("common/list-nil-folder-delim.txt", |l| l.empty_delimiter = false),
    ];
    for (file, knob_off) in cases {
        let path = dir.join(file);
        let input = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let fails =
            |opts: ParseOptions| decode_with(&input, &[input.len()], opts).0.iter().any(Result::is_err);
        assert!(!fails(ParseOptions::default()), "{file}: lenient decoding fails");
        assert!(fails(ParseOptions::strict()), "{file}: strict decoding accepts it");
        let mut opts = ParseOptions::default();
        knob_off(&mut opts.leniency);
        assert!(fails(opts), "{file}: decodes without its knob");
    }
}

/// Every ENVELOPE date in the corpus parses as RFC 5322 (1992 mail with
/// two-digit years and a `JST` zone among them).
#[test]
fn every_mailkit_envelope_date_parses() {
    let dir = corpus_dir();
    let mut files = Vec::new();
    txt_files(&dir, &mut files);
    let mut dates = 0;
    for path in &files {
        let input = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (_, response) in decode(&input, &[input.len()]).0.into_iter().flatten() {
            let Response::Data(Data::Fetch(fetch)) = response else { continue };
            let Some(envelope) = fetch.envelope() else { continue };
            let Some(date) = &envelope.date else { continue };
            assert!(envelope.parsed_date().is_some(), "{}: {date:?}", path.display());
            dates += 1;
        }
    }
    assert!(dates >= 60, "only {dates} dates");
}
