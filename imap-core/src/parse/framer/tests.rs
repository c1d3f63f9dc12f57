//! Framer tests: lines, literals, chunking, limits and fatal errors.

use proptest::prelude::*;

use super::*;

/// Feeds `input` in chunks of the given sizes (cycled), draining frames
/// after every push, and returns every frame in order.
fn frames_chunked(limits: Limits, input: &[u8], sizes: &[usize]) -> Vec<Frame> {
    let mut framer = Framer::new(limits);
    let mut out = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while at < input.len() {
        let n = sizes[i % sizes.len()].max(1).min(input.len() - at);
        framer.push(&input[at..at + n]);
        at += n;
        i += 1;
        while let Some(frame) = framer.next_frame().expect("no fatal error") {
            out.push(frame);
        }
    }
    out
}

fn frames_whole(limits: Limits, input: &[u8]) -> Vec<Frame> {
    frames_chunked(limits, input, &[input.len().max(1)])
}

fn responses(input: &[u8]) -> Vec<Bytes> {
    frames_whole(Limits::default(), input)
        .into_iter()
        .map(|f| match f {
            Frame::Response(b) => b,
            Frame::Skipped(e) => panic!("unexpected skip: {e}"),
        })
        .collect()
}

fn small_limits() -> Limits {
    Limits {
        max_line_len: 64,
        max_literal_len: 1024,
        max_response_len: 4096,
        max_nesting: 100,
        max_result_len: 1 << 30,
    }
}

fn skipped(frame: &Frame) -> &LimitError {
    match frame {
        Frame::Skipped(e) => e,
        Frame::Response(r) => panic!("expected a skip, got {r:?}"),
    }
}

fn response(frame: &Frame) -> &Bytes {
    match frame {
        Frame::Response(r) => r,
        Frame::Skipped(e) => panic!("expected a response, got {e}"),
    }
}

#[test]
fn frames_lines_one_by_one() {
    let input = b"* OK ready\r\n* 3 EXISTS\r\nA1 OK done\r\n";
    assert_eq!(responses(input), vec![&b"* OK ready\r\n"[..], b"* 3 EXISTS\r\n", b"A1 OK done\r\n"]);
}

#[test]
fn waits_for_the_end_of_a_line() {
    let mut framer = Framer::default();
    framer.push(b"* OK rea");
    assert_eq!(framer.next_frame().unwrap(), None);
    assert!(framer.is_mid_response());
    framer.push(b"dy\r");
    assert_eq!(framer.next_frame().unwrap(), None);
    framer.push(b"\n");
    assert_eq!(framer.next_frame().unwrap(), Some(Frame::Response("* OK ready\r\n".into())));
    assert_eq!(framer.next_frame().unwrap(), None);
    assert!(!framer.is_mid_response());
    assert_eq!(framer.buffered(), 0);
}

#[test]
fn frames_a_synchronising_literal() {
    let input = b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n* 2 EXISTS\r\n";
    assert_eq!(responses(input), vec![&b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n"[..], b"* 2 EXISTS\r\n"]);
}

#[test]
fn frames_non_synchronising_and_binary_literals() {
    let input = b"* 1 FETCH (X {3+}\r\nabc BINARY[] ~{4}\r\n\x00\x01\r\n)\r\nA1 OK\r\n";
    let frames = responses(input);
    assert_eq!(frames.len(), 2);
    assert_eq!(&frames[0][..], &input[..input.len() - 7]);
    assert_eq!(&frames[1][..], b"A1 OK\r\n");
}

#[test]
fn literal_bytes_are_not_scanned() {
    // CRLF and announcements inside the literal are data.
    let body = b"a\r\n{99}\r\n* BYE\r\n";
    let mut input = format!("* 1 FETCH (BODY[] {{{}}}\r\n", body.len()).into_bytes();
    input.extend_from_slice(body);
    input.extend_from_slice(b")\r\n* 2 EXISTS\r\n");
    let frames = responses(&input);
    assert_eq!(frames.len(), 2);
    assert_eq!(&frames[0][..], &input[..input.len() - 12]);
}

#[test]
fn zero_length_literals() {
    let input = b"* 1 FETCH (BODY[] {0}\r\n)\r\n* ID (\"a\" {0}\r\n \"b\" {0}\r\n)\r\n";
    assert_eq!(
        responses(input),
        vec![&b"* 1 FETCH (BODY[] {0}\r\n)\r\n"[..], b"* ID (\"a\" {0}\r\n \"b\" {0}\r\n)\r\n"]
    );
}

#[test]
fn a_literal_may_end_the_line_directly() {
    // A literal directly followed by another announcement, then CRLF.
    let input = b"* 1 FETCH (A {1}\r\nx{2}\r\nyz)\r\n";
    assert_eq!(responses(input), vec![&input[..]]);
}

#[test]
fn many_literals_in_one_response() {
    let mut input = b"* 1 FETCH (".to_vec();
    for i in 0..500 {
        let data = format!("part {i}\r\n");
        input.extend_from_slice(format!("X-{i} {{{}}}\r\n", data.len()).as_bytes());
        input.extend_from_slice(data.as_bytes());
        input.push(b' ');
    }
    input.extend_from_slice(b")\r\nA1 OK done\r\n");
    let frames = responses(&input);
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0].len(), input.len() - 12);
    // And in small chunks, the same.
    assert_eq!(
        frames_chunked(Limits::default(), &input, &[7, 1, 13, 64]),
        frames_whole(Limits::default(), &input)
    );
}

#[test]
fn bare_lf_ends_lines_and_announcements() {
    let input = b"* OK hi\n* 1 FETCH (BODY[] {2}\nab)\n* 2 EXISTS\r\n";
    assert_eq!(responses(input), vec![&b"* OK hi\n"[..], b"* 1 FETCH (BODY[] {2}\nab)\n", b"* 2 EXISTS\r\n"]);
}

#[test]
fn braces_ending_status_text_are_not_a_literal() {
    // Servers echo user input (a mailbox name) at the end of resp-text,
    // where the grammar has no literal; the line ends the response.
    let lines: &[&[u8]] = &[
        b"A1 NO Mailbox doesn't exist: foo{3}\r\n",
        b"a2 no [NONEXISTENT] Unknown Mailbox: bar{12}\r\n",
        b"A3 OK [READ-WRITE] x{3}\r\n",
        b"A4 BAD Could not parse command {5+}\r\n",
        b"* OK {0}\r\n",
        b"*  NO [ALERT] quota for ~{7}\r\n",
        b"* BYE closing {3}\r\n",
        b"* PREAUTH logged in as {3}\n",
        b"+ Ready for {3}\r\n",
        b"A5 BYE tagged {3}\r\n",
        // Not a literal, so not an overflow either.
        b"A6 NO too big {99999999999999999999999}\r\n",
    ];
    for line in lines {
        let mut input = line.to_vec();
        input.extend_from_slice(b"* 2 EXISTS\r\n");
        let want =
            vec![Frame::Response(Bytes::copy_from_slice(line)), Frame::Response("* 2 EXISTS\r\n".into())];
        assert_eq!(frames_whole(Limits::default(), &input), want, "{:?}", String::from_utf8_lossy(line));
        assert_eq!(frames_chunked(Limits::default(), &input, &[1]), want);
    }
}

#[test]
fn a_literal_inside_a_response_code_is_still_a_literal() {
    // RFC 3501: `"BADCHARSET" [SP "(" astring *(SP astring) ")"]`; the code
    // stays open across the literal, then the text's `{4}` is text.
    let status = b"* NO [BADCHARSET ({5}\r\nUTF-8 {3}\r\n]a\" \"x]y\" {2}\r\nab)] known: {4}\r\n";
    let mut input = status.to_vec();
    input.extend_from_slice(b"* 2 EXISTS\r\n");
    let want =
        vec![Frame::Response(Bytes::copy_from_slice(status)), Frame::Response("* 2 EXISTS\r\n".into())];
    assert_eq!(frames_whole(Limits::default(), &input), want);
    assert_eq!(frames_chunked(Limits::default(), &input, &[1]), want);
    // Not every line that starts like a status is one.
    assert_eq!(responses(b"* OKAY {1}\r\nx\r\n").len(), 1);
    assert_eq!(responses(b"A1 OK[ {1}\r\nx\r\n").len(), 1);
    assert_eq!(responses(b"* 1 OK {1}\r\nx\r\n").len(), 1);
    // An unclosed quote keeps the code open.
    assert_eq!(responses(b"* NO [X \"a] b {1}\r\nx\r\n").len(), 1);
    assert_eq!(responses(b"* NO [X \"a\\\"] b {1}\r\nx\r\n").len(), 1);
    assert_eq!(responses(b"* NO [X \"a\\\\\"] b {1}\r\nx\r\n").len(), 2);
}

#[test]
fn braces_ending_status_text_on_a_dropped_line() {
    // Over the line limit, the line is dropped whole: its trailing `{N}`
    // is text as well, and the next response is intact, in any chunking.
    let mut input = b"A1 NO Mailbox doesn't exist: ".to_vec();
    input.extend(std::iter::repeat_n(b'x', 100));
    input.extend_from_slice(b"{3}\r\n* 2 EXISTS\r\n");
    for sizes in [&[input.len()][..], &[1], &[7, 3], &[40]] {
        let frames = frames_chunked(small_limits(), &input, sizes);
        assert_eq!(frames.len(), 2, "{sizes:?}");
        assert_eq!(skipped(&frames[0]).kind, LimitKind::LineLength);
        assert_eq!(response(&frames[1]), &b"* 2 EXISTS\r\n"[..]);
    }
    // Inside a code the literal is counted out and dropped.
    let mut input = b"* NO [BADCHARSET (".to_vec();
    input.extend(std::iter::repeat_n(b'x', 100));
    input.extend_from_slice(b" {5}\r\nUTF-8)] text {2}\r\n* 2 EXISTS\r\n");
    for sizes in [&[input.len()][..], &[1], &[7, 3], &[40]] {
        let frames = frames_chunked(small_limits(), &input, sizes);
        assert_eq!(frames.len(), 2, "{sizes:?}");
        assert_eq!(response(&frames[1]), &b"* 2 EXISTS\r\n"[..]);
    }
}

#[test]
fn a_blank_line_before_a_fetch_paren_is_part_of_the_fetch() {
    // Gmail (MailKit's capture gmail/headers.1): " \r\n" then ")\r\n" after
    // the literal; imapclient#162: an empty line.
    for fetch in [
        &b"* 1 FETCH (UID 1 BODY[HEADER] {5}\r\nA: b\n \r\n)\r\n"[..],
        b"* 9 FETCH (UID 17 BODY[] {6}\r\nbody\r\n\r\n)\r\n",
        b"* 9 FETCH (BODY[] {6}\r\nbody\r\n\r\n) FLAGS (\\Seen) X {1}\r\nx\r\n)\r\n",
    ] {
        let mut input = fetch.to_vec();
        input.extend_from_slice(b"A1 OK done\r\n");
        let want =
            vec![Frame::Response(Bytes::copy_from_slice(fetch)), Frame::Response("A1 OK done\r\n".into())];
        assert_eq!(frames_whole(Limits::default(), &input), want);
        assert_eq!(frames_chunked(Limits::default(), &input, &[1]), want);
        assert_eq!(frames_chunked(Limits::default(), &input, &[3, 7]), want);
    }
}

#[test]
fn a_blank_line_joins_nothing_else() {
    // Not followed by ")": the FETCH ends at the blank line.
    let input = b"* 1 FETCH (BODY[] {2}\r\nab\r\n* 2 EXISTS\r\n";
    assert_eq!(responses(input), vec![&b"* 1 FETCH (BODY[] {2}\r\nab\r\n"[..], b"* 2 EXISTS\r\n"]);
    // Not a FETCH: a literal mailbox name ends a LIST, at once.
    let mut framer = Framer::default();
    framer.push(b"* LIST () \"/\" {3}\r\nabc\r\n");
    assert_eq!(framer.next_frame().unwrap(), Some(Frame::Response("* LIST () \"/\" {3}\r\nabc\r\n".into())));
    // A FETCH waits for the byte after its blank line, then ends there.
    framer.push(b"* 1 FETCH (BODY[] {2}\r\nab\r\n");
    assert_eq!(framer.next_frame().unwrap(), None);
    assert!(framer.is_mid_response());
    framer.push(b"A");
    assert_eq!(framer.next_frame().unwrap(), Some(Frame::Response("* 1 FETCH (BODY[] {2}\r\nab\r\n".into())));
    framer.push(b"1 OK\r\n");
    assert_eq!(framer.next_frame().unwrap(), Some(Frame::Response("A1 OK\r\n".into())));
    // Only a blank line after a literal counts, and only once per line.
    assert_eq!(responses(b"* 1 FETCH (UID 1\r\n)\r\n").len(), 2);
    assert_eq!(responses(b"* 1 FETCH (BODY[] {1}\r\nx x\r\n)\r\n").len(), 2);
    // Over a limit the response is dropped without the join.
    let mut input = b"* 1 FETCH (BODY[] {2000}\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 2000));
    input.extend_from_slice(b"\r\n)\r\n* 2 EXISTS\r\n");
    let frames = frames_whole(small_limits(), &input);
    assert_eq!(skipped(&frames[0]).kind, LimitKind::LiteralLength);
    assert_eq!(response(&frames[1]), &b")\r\n"[..]);
    assert_eq!(response(&frames[2]), &b"* 2 EXISTS\r\n"[..]);
}

fn corpus() -> Vec<u8> {
    let mut input = Vec::new();
    input.extend_from_slice(b"* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n");
    input.extend_from_slice(b"* 1 FETCH (UID 7 BODY[] {12}\r\nline1\r\nline2 FLAGS (\\Seen))\r\n");
    input.extend_from_slice(b"* 2 FETCH (BODY[HEADER] {0}\r\n BODY[TEXT] ~{3}\r\n\x00\r\n)\r\n");
    input.extend_from_slice(b"* LIST () \"/\" {5+}\r\nab}cd\r\n");
    input.extend_from_slice(b"+ go ahead\r\n");
    input.extend_from_slice(b"* SEARCH 1 2 3\n");
    input.extend_from_slice(b"A1 OK done {not a literal\r\n");
    input
}

#[test]
fn every_split_point_gives_the_same_frames() {
    let input = corpus();
    let whole = frames_whole(Limits::default(), &input);
    assert_eq!(whole.len(), 7);
    for split in 1..input.len() {
        let mut framer = Framer::default();
        let mut got = Vec::new();
        for part in [&input[..split], &input[split..]] {
            framer.push(part);
            while let Some(f) = framer.next_frame().unwrap() {
                got.push(f);
            }
        }
        assert_eq!(got, whole, "split at {split}");
    }
}

#[test]
fn byte_by_byte_gives_the_same_frames() {
    let input = corpus();
    assert_eq!(frames_chunked(Limits::default(), &input, &[1]), frames_whole(Limits::default(), &input));
}

#[test]
fn line_too_long_before_its_lf_arrives() {
    let mut framer = Framer::new(small_limits());
    framer.push(b"* 1 FETCH (X ");
    assert_eq!(framer.next_frame().unwrap(), None);
    framer.push(&[b'a'; 100]);
    let first = framer.next_frame().unwrap().expect("a skip");
    let error = skipped(&first);
    assert_eq!(error.kind, LimitKind::LineLength);
    assert_eq!(error.limit, 64);
    assert!(error.size > 64);
    assert!(error.head.starts_with(b"* 1 FETCH (X "));
    // Reported once: the rest of the line is dropped silently.
    for _ in 0..100 {
        framer.push(&[b'b'; 1000]);
        assert_eq!(framer.next_frame().unwrap(), None);
        assert!(framer.capacity() < 64 * 1024, "capacity {}", framer.capacity());
    }
    framer.push(b")\r\n* 2 EXISTS\r\n");
    assert_eq!(framer.next_frame().unwrap(), Some(Frame::Response("* 2 EXISTS\r\n".into())));
    assert_eq!(framer.next_frame().unwrap(), None);
}

#[test]
fn line_too_long_with_its_lf() {
    let mut input = b"* 1 FETCH (X \"".to_vec();
    input.extend_from_slice(&[b'a'; 100]);
    input.extend_from_slice(b"\")\r\n* 2 EXISTS\r\n");
    let frames = frames_whole(small_limits(), &input);
    assert_eq!(frames.len(), 2);
    let error = skipped(&frames[0]);
    assert_eq!(error.kind, LimitKind::LineLength);
    assert_eq!(error.size, 100 + 18);
    assert_eq!(response(&frames[1]), &b"* 2 EXISTS\r\n"[..]);
}

#[test]
fn line_too_long_then_its_literal_is_dropped_too() {
    // The overlong line announces a literal: the literal (which looks like
    // responses) and the rest of the response must be dropped with it.
    let mut input = b"* 1 FETCH (X-LONG ".to_vec();
    input.extend_from_slice(&[b'a'; 100]);
    let literal = b"* 9 EXISTS\r\n* 10 EXISTS\r\n";
    input.extend_from_slice(format!(" BODY[] {{{}}}\r\n", literal.len()).as_bytes());
    input.extend_from_slice(literal);
    input.extend_from_slice(b")\r\n* 2 EXISTS\r\n");
    for sizes in [&[input.len()][..], &[1], &[5, 70, 3]] {
        let frames = frames_chunked(small_limits(), &input, sizes);
        assert_eq!(frames.len(), 2, "{sizes:?}: {frames:?}");
        assert_eq!(skipped(&frames[0]).kind, LimitKind::LineLength);
        assert_eq!(response(&frames[1]), &b"* 2 EXISTS\r\n"[..]);
    }
}

#[test]
fn zero_padded_announcement_on_a_dropped_line() {
    // The announcement's digits are longer than any fixed-size tail window.
    let mut input = b"* 1 FETCH (X-LONG ".to_vec();
    input.extend_from_slice(&[b'a'; 100]);
    input.extend_from_slice(
        b" BODY[] {00000000000000000000000000000000000012}\r\n* 9 EXISTS\r\n)\r\n* 2 EXISTS\r\n",
    );
    for sizes in [&[input.len()][..], &[1], &[50, 3]] {
        let frames = frames_chunked(small_limits(), &input, sizes);
        assert_eq!(frames.len(), 2, "{sizes:?}: {frames:?}");
        assert_eq!(response(&frames[1]), &b"* 2 EXISTS\r\n"[..]);
    }
    // On a line that is kept, the padding is just as harmless.
    let input = b"* 1 FETCH (BODY[] {0000000000000000000000000000003}\r\nabc)\r\n";
    assert_eq!(responses(input), vec![&input[..]]);
}

#[test]
fn literal_too_large_is_counted_out_not_buffered() {
    let limits = Limits { max_literal_len: 1 << 20, ..Limits::default() };
    let mut framer = Framer::new(limits);
    let total: u64 = 50_000_000;
    framer.push(format!("* 1 FETCH (UID 9 BODY[] {{{total}}}\r\n").as_bytes());
    let first = framer.next_frame().unwrap().expect("a skip");
    let error = skipped(&first);
    assert_eq!(error.kind, LimitKind::LiteralLength);
    assert_eq!(error.limit, 1 << 20);
    assert_eq!(error.size, total);
    assert!(error.head.starts_with(b"* 1 FETCH (UID 9"));

    // The literal holds lines that look like responses: none may surface.
    let mut chunk = vec![b'x'; 64 * 1024];
    chunk[..14].copy_from_slice(b"\r\n* 5 EXISTS\r\n");
    let mut sent: u64 = 0;
    while sent < total {
        let n = (total - sent).min(chunk.len() as u64) as usize;
        framer.push(&chunk[..n]);
        sent += n as u64;
        assert_eq!(framer.next_frame().unwrap(), None);
        assert!(framer.capacity() <= 256 * 1024, "capacity {} after {sent}", framer.capacity());
    }
    framer.push(b")\r\n* 2 EXISTS\r\n");
    assert_eq!(framer.next_frame().unwrap(), Some(Frame::Response("* 2 EXISTS\r\n".into())));
    assert_eq!(framer.next_frame().unwrap(), None);
}

#[test]
fn response_too_large_by_its_literals() {
    let limits = Limits { max_response_len: 100, ..Limits::default() };
    let mut input = b"* 1 FETCH (A {40}\r\n".to_vec();
    input.extend_from_slice(&[b'a'; 40]);
    input.extend_from_slice(b" B {40}\r\n");
    input.extend_from_slice(&[b'b'; 40]);
    input.extend_from_slice(b")\r\n* 2 EXISTS\r\n");
    for sizes in [&[input.len()][..], &[1], &[3, 17]] {
        let frames = frames_chunked(limits, &input, sizes);
        assert_eq!(frames.len(), 2, "{sizes:?}: {frames:?}");
        let error = skipped(&frames[0]);
        assert_eq!(error.kind, LimitKind::ResponseLength);
        assert_eq!(error.limit, 100);
        assert!(error.size > 100);
        assert_eq!(response(&frames[1]), &b"* 2 EXISTS\r\n"[..]);
    }
}

#[test]
fn response_too_large_by_a_line_after_literals() {
    let limits = Limits { max_response_len: 100, ..Limits::default() };
    let mut input = b"* 1 FETCH (A {40}\r\n".to_vec();
    input.extend_from_slice(&[b'a'; 40]);
    input.extend_from_slice(b" B \"");
    input.extend_from_slice(&[b'b'; 60]);
    input.extend_from_slice(b"\")\r\n* 2 EXISTS\r\n");
    for sizes in [&[input.len()][..], &[1], &[30]] {
        let frames = frames_chunked(limits, &input, sizes);
        assert_eq!(frames.len(), 2, "{sizes:?}: {frames:?}");
        assert_eq!(skipped(&frames[0]).kind, LimitKind::ResponseLength);
        assert_eq!(response(&frames[1]), &b"* 2 EXISTS\r\n"[..]);
    }
}

/// Found by fuzzing (fuzz/corpus/framer/regression-*): a line that breaks
/// both limits reports the one crossed first, and a dropped line's
/// overflowing announcement is fatal after the skip, whatever the chunking.
#[test]
fn outcome_of_a_broken_limit_does_not_depend_on_chunking() {
    let limits = Limits {
        max_line_len: 10,
        max_literal_len: 100,
        max_response_len: 30,
        max_nesting: 100,
        max_result_len: 1 << 30,
    };
    // 25 bytes of response, then a line crossing the response limit (at its
    // 6th byte) before the line limit (at its 11th).
    let input = b"* A {15}\r\n123456789012345 and more\r\n* 1 EXISTS\r\n";
    let whole = frames_whole(limits, input);
    assert_eq!(skipped(&whole[0]).kind, LimitKind::ResponseLength);
    assert_eq!(frames_chunked(limits, input, &[1]).len(), whole.len());
    assert_eq!(skipped(&frames_chunked(limits, input, &[1])[0]).kind, LimitKind::ResponseLength);

    let mut line = b"* ".to_vec();
    line.extend_from_slice(&[b'x'; 20]);
    line.extend_from_slice(b" {99999999999999999999999}\r\n");
    for size in [1, 7, line.len()] {
        let mut framer = Framer::new(limits);
        let mut frames = Vec::new();
        let mut fatal = None;
        for chunk in line.chunks(size) {
            framer.push(chunk);
            loop {
                match framer.next_frame() {
                    Ok(Some(f)) => frames.push(f),
                    Ok(None) => break,
                    Err(e) => {
                        fatal = Some(e);
                        break;
                    }
                }
            }
            if fatal.is_some() {
                break;
            }
        }
        assert_eq!(frames.len(), 1, "chunks of {size}");
        assert_eq!(skipped(&frames[0]).kind, LimitKind::LineLength, "chunks of {size}");
        assert!(matches!(fatal, Some(FramingError::LiteralLengthOverflow { .. })), "chunks of {size}");
    }
}

#[test]
fn limits_hold_exactly_at_the_boundary() {
    let limits = Limits {
        max_line_len: 12,
        max_literal_len: 3,
        max_response_len: 1000,
        max_nesting: 100,
        max_result_len: 1 << 30,
    };
    // 12 bytes with CRLF: allowed.
    assert_eq!(frames_whole(limits, b"* 1 EXISTS\r\n")[0], Frame::Response("* 1 EXISTS\r\n".into()));
    // 13: too long.
    assert_eq!(skipped(&frames_whole(limits, b"* 12 EXISTS\r\n")[0]).kind, LimitKind::LineLength);
    // A literal of exactly the limit is fine, one more is not.
    assert!(matches!(frames_whole(limits, b"* X {3}\r\nabc\r\n")[0], Frame::Response(_)));
    assert_eq!(skipped(&frames_whole(limits, b"* X {4}\r\nabcd\r\n")[0]).kind, LimitKind::LiteralLength);
}

#[test]
fn literal_length_overflow_is_fatal_and_sticky() {
    let mut framer = Framer::default();
    framer.push(b"* OK fine\r\n* 1 FETCH (BODY[] {18446744073709551616}\r\nxx)\r\n");
    assert_eq!(framer.next_frame().unwrap(), Some(Frame::Response("* OK fine\r\n".into())));
    let error = framer.next_frame().unwrap_err();
    assert_eq!(error, FramingError::LiteralLengthOverflow { digits: "18446744073709551616".into() });
    assert_eq!(framer.next_frame(), Err(FramingError::Broken));
    framer.push(b"* 2 EXISTS\r\n");
    assert_eq!(framer.next_frame(), Err(FramingError::Broken));
    assert_eq!(framer.buffered(), 0);
    // The largest u64 itself is a (too large) length, not an overflow.
    let frames = frames_whole(Limits::default(), b"* 1 FETCH (BODY[] {18446744073709551615}\r\n");
    assert_eq!(skipped(&frames[0]).kind, LimitKind::LiteralLength);
}

#[test]
fn literal_length_overflow_on_a_dropped_line_is_fatal_too() {
    let mut input = b"* 1 FETCH (X-LONG ".to_vec();
    input.extend_from_slice(&[b'a'; 100]);
    input.extend_from_slice(b" {123456789012345678901234567890}\r\n");
    for sizes in [&[input.len()][..], &[1], &[90, 7]] {
        let mut framer = Framer::new(small_limits());
        let mut skips = 0;
        let mut fatal = None;
        let mut at = 0;
        for &n in sizes.iter().cycle() {
            if at >= input.len() || fatal.is_some() {
                break;
            }
            let n = n.min(input.len() - at);
            framer.push(&input[at..at + n]);
            at += n;
            loop {
                match framer.next_frame() {
                    Ok(Some(Frame::Skipped(_))) => skips += 1,
                    Ok(Some(Frame::Response(r))) => panic!("mis-framed: {r:?}"),
                    Ok(None) => break,
                    Err(e) => {
                        fatal = Some(e);
                        break;
                    }
                }
            }
        }
        // Reported as a skip first or not, depending on when the LF came.
        assert!(skips <= 1);
        assert!(
            matches!(fatal, Some(FramingError::LiteralLengthOverflow { ref digits }) if digits == "123456789012345678901234567890"),
            "{sizes:?}: {fatal:?}"
        );
    }
}

#[test]
fn huge_limits_do_not_overflow_offsets() {
    let limits = Limits {
        max_line_len: usize::MAX,
        max_literal_len: u64::MAX,
        max_response_len: u64::MAX,
        max_nesting: 100,
        max_result_len: u64::MAX,
    };
    let frames = frames_whole(limits, b"* 1 FETCH (BODY[] {18446744073709551615}\r\nabc");
    assert_eq!(skipped(&frames[0]).kind, LimitKind::LiteralLength);
}

#[test]
fn take_unframed_returns_the_bytes_after_the_last_response() {
    let mut framer = Framer::default();
    framer.push(b"A1 OK Begin TLS negotiation now\r\n\x16\x03\x01\x02\x00\r\n* garbage");
    assert_eq!(
        framer.next_frame().unwrap(),
        Some(Frame::Response("A1 OK Begin TLS negotiation now\r\n".into()))
    );
    assert_eq!(&framer.take_unframed()[..], b"\x16\x03\x01\x02\x00\r\n* garbage");
    assert_eq!(framer.buffered(), 0);
    assert!(!framer.is_mid_response());
    assert_eq!(framer.next_frame().unwrap(), None);
    // The framer starts afresh on the new layer's bytes.
    framer.push(b"* OK again\r\n");
    assert_eq!(framer.next_frame().unwrap(), Some(Frame::Response("* OK again\r\n".into())));
}

#[test]
fn take_unframed_mid_literal_resets_the_state() {
    let mut framer = Framer::default();
    framer.push(b"* 1 FETCH (BODY[] {10}\r\nabc");
    assert_eq!(framer.next_frame().unwrap(), None);
    assert!(framer.is_mid_response());
    assert_eq!(&framer.take_unframed()[..], b"* 1 FETCH (BODY[] {10}\r\nabc");
    assert!(!framer.is_mid_response());
    framer.push(b"* 2 EXISTS\r\n");
    assert_eq!(framer.next_frame().unwrap(), Some(Frame::Response("* 2 EXISTS\r\n".into())));
}

#[test]
fn recognises_announcements() {
    let cases: &[(&[u8], Option<u64>)] = &[
        (b"* X {5}\r\n", Some(5)),
        (b"* X {5+}\r\n", Some(5)),
        (b"* X ~{5}\r\n", Some(5)),
        (b"{0}\r\n", Some(0)),
        (b"* X {5}\n", Some(5)),
        (b"* X {007}\r\n", Some(7)),
        (b"* X {}\r\n", None),
        (b"* X {+}\r\n", None),
        (b"* X {5++}\r\n", None),
        (b"* X {5 }\r\n", None),
        (b"* X 5}\r\n", None),
        (b"* X {5}x\r\n", None),
        (b"* X {5}\r\r\n", None),
        (b"}\r\n", None),
        (b"\r\n", None),
        (b"", None),
    ];
    for (line, want) in cases {
        assert_eq!(literal_announcement(line).unwrap(), *want, "{:?}", String::from_utf8_lossy(line));
        // The watcher used on dropped lines agrees, in any chunking.
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        for split in 0..=body.len() {
            let mut tail = AnnounceTail::default();
            tail.feed(&body[..split]);
            tail.feed(&body[split..]);
            assert_eq!(tail.finish().unwrap(), *want, "{:?} split {split}", String::from_utf8_lossy(line));
        }
    }
    assert!(literal_announcement(b"{99999999999999999999}\r\n").is_err());
}

/// One generated response: lines, each optionally followed by a literal.
fn arb_response() -> impl Strategy<Value = Vec<u8>> {
    let segment = ("[ -~]{0,30}", prop::option::of((prop::collection::vec(any::<u8>(), 0..40), 0u8..3)));
    (prop::collection::vec(segment, 0..4), "[ -~]{0,30}", any::<bool>()).prop_map(
        |(segments, last, bare_lf)| {
            let mut out = Vec::new();
            for (text, literal) in segments {
                // "* X": never a status response, whose text has no literals.
                out.extend_from_slice(b"* X");
                out.extend_from_slice(text.as_bytes());
                match literal {
                    Some((data, form)) => {
                        let announce = match form {
                            0 => format!(" {{{}}}\r\n", data.len()),
                            1 => format!(" {{{}+}}\r\n", data.len()),
                            _ => format!(" ~{{{}}}\r\n", data.len()),
                        };
                        out.extend_from_slice(announce.as_bytes());
                        out.extend_from_slice(&data);
                    }
                    None => out.push(b' '),
                }
            }
            out.extend_from_slice(b"* ");
            out.extend_from_slice(last.as_bytes());
            // The last line must not look like an announcement.
            out.push(b'.');
            out.extend_from_slice(if bare_lf { b"\n" } else { b"\r\n" });
            out
        },
    )
}

/// A status or continuation line whose text may end in something that
/// looks like an announcement.
fn arb_status_line() -> impl Strategy<Value = Vec<u8>> {
    let start =
        prop::sample::select(vec!["* OK ", "* NO ", "A1 BAD ", "a2 ok ", "* BYE ", "* PREAUTH ", "+ "]);
    let code = prop::option::of("[A-Z]{1,8}( [a-zA-Z0-9 .=:{}+~-]{0,10})?");
    (start, code, "[ -~]{0,20}", prop::option::of((0u32..99, 0u8..3))).prop_map(
        |(start, code, text, braces)| {
            let mut out = start.as_bytes().to_vec();
            if let Some(code) = code {
                out.extend_from_slice(format!("[{code}] ").as_bytes());
            }
            // Text never starts with "[" (that would open a code).
            out.extend_from_slice(text.trim_start_matches('[').as_bytes());
            if let Some((n, form)) = braces {
                let braces = match form {
                    0 => format!("{{{n}}}"),
                    1 => format!("{{{n}+}}"),
                    _ => format!("~{{{n}}}"),
                };
                out.extend_from_slice(braces.as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            out
        },
    )
}

proptest! {
    #[test]
    fn status_lines_are_framed_alone(
        responses in prop::collection::vec(prop_oneof![arb_status_line(), arb_response()], 1..10),
        sizes in prop::collection::vec(1usize..40, 1..10),
    ) {
        let input: Vec<u8> = responses.concat();
        let expected: Vec<Frame> = responses.iter().map(|r| Frame::Response(Bytes::copy_from_slice(r))).collect();
        prop_assert_eq!(&frames_whole(Limits::default(), &input), &expected);
        prop_assert_eq!(&frames_chunked(Limits::default(), &input, &sizes), &expected);
    }

    #[test]
    fn any_chunking_frames_like_the_whole(
        responses in prop::collection::vec(arb_response(), 1..8),
        sizes in prop::collection::vec(1usize..40, 1..10),
    ) {
        let input: Vec<u8> = responses.concat();
        let whole = frames_whole(Limits::default(), &input);
        let expected: Vec<Frame> = responses.iter().map(|r| Frame::Response(Bytes::copy_from_slice(r))).collect();
        prop_assert_eq!(&whole, &expected);
        prop_assert_eq!(&frames_chunked(Limits::default(), &input, &sizes), &expected);
        prop_assert_eq!(&frames_chunked(Limits::default(), &input, &[1]), &expected);
    }

    #[test]
    fn limits_never_misframe(
        responses in prop::collection::vec(arb_response(), 1..8),
        sizes in prop::collection::vec(1usize..40, 1..10),
        line in 8usize..64,
        literal in 0u64..40,
    ) {
        // Each response gives exactly one frame: itself, or one skip.
        let limits = Limits { max_line_len: line, max_literal_len: literal, max_response_len: 200, max_nesting: 100, max_result_len: 1 << 30 };
        let mut responses = responses;
        responses.push(b"A1 OK\r\n".to_vec());
        let input: Vec<u8> = responses.concat();
        let frames = frames_chunked(limits, &input, &sizes);
        prop_assert_eq!(frames.len(), responses.len());
        for (frame, original) in frames.iter().zip(&responses) {
            if let Frame::Response(r) = frame {
                prop_assert_eq!(&r[..], &original[..]);
            }
        }
        prop_assert_eq!(frames.last(), Some(&Frame::Response("A1 OK\r\n".into())));
    }
}

/// As [`frames_chunked`], reading into the framer's own buffer
/// (`read_buf` + `commit`) instead of pushing copies; every third read uses
/// `push`, so the two ways mix.
fn frames_read_into(limits: Limits, input: &[u8], sizes: &[usize]) -> Vec<Frame> {
    let mut framer = Framer::new(limits);
    let mut out = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while at < input.len() {
        let room = framer.read_buf();
        assert!(room.len() >= READ_FIRST / 8, "at least READ_FIRST / 8 bytes of room");
        let n = sizes[i % sizes.len()].max(1).min(input.len() - at).min(room.len());
        if i % 3 == 2 {
            framer.push(&input[at..at + n]);
        } else {
            room[..n].copy_from_slice(&input[at..at + n]);
            framer.commit(n);
        }
        at += n;
        i += 1;
        while let Some(frame) = framer.next_frame().expect("no fatal error") {
            out.push(frame);
        }
    }
    out
}

proptest! {
    #[test]
    fn reading_into_the_buffer_frames_like_pushing(
        responses in prop::collection::vec(arb_response(), 1..8),
        sizes in prop::collection::vec(1usize..40, 1..10),
        line in 8usize..64,
        literal in 0u64..40,
    ) {
        let input: Vec<u8> = responses.concat();
        let expected = frames_chunked(Limits::default(), &input, &sizes);
        prop_assert_eq!(&frames_read_into(Limits::default(), &input, &sizes), &expected);
        let limits = Limits { max_line_len: line, max_literal_len: literal, max_response_len: 200, max_nesting: 100, max_result_len: 1 << 30 };
        prop_assert_eq!(&frames_read_into(limits, &input, &sizes), &frames_chunked(limits, &input, &sizes));
    }

    #[test]
    fn a_whole_buffer_pushed_as_bytes_frames_in_place(
        responses in prop::collection::vec(arb_response(), 1..8),
    ) {
        let input: Vec<u8> = responses.concat();
        let mut framer = Framer::default();
        framer.push_bytes(Bytes::from(input.clone()));
        let mut frames = Vec::new();
        while let Some(frame) = framer.next_frame().expect("no fatal error") {
            frames.push(frame);
        }
        prop_assert_eq!(&frames, &frames_whole(Limits::default(), &input));
    }
}

#[test]
fn a_large_literal_read_into_the_buffer_is_never_copied_whole() {
    // 20 MiB in 64 KiB reads: the literal lands in areas sized for it,
    // moved at most a few times (geometric growth), not once per read.
    let body = vec![b'x'; 20 << 20];
    let mut input = format!("* 1 FETCH (BODY[] {{{}}}\r\n", body.len()).into_bytes();
    input.extend_from_slice(&body);
    input.extend_from_slice(b")\r\n");
    let mut framer = Framer::default();
    let mut areas = 0;
    let mut last_capacity = 0;
    let mut at = 0;
    while at < input.len() {
        let room = framer.read_buf();
        let n = room.len().min(64 * 1024).min(input.len() - at);
        room[..n].copy_from_slice(&input[at..at + n]);
        framer.commit(n);
        at += n;
        if at < input.len() {
            assert_eq!(framer.next_frame().expect("no fatal error"), None);
        }
        let capacity = framer.capacity();
        if capacity > last_capacity + 64 * 1024 {
            areas += 1;
        }
        last_capacity = capacity;
    }
    let frame = framer.next_frame().expect("framed").expect("complete");
    assert_eq!(response(&frame).len(), input.len());
    assert!(areas <= 4, "{areas} new areas for one 20 MiB literal");
}

#[test]
fn a_literal_split_across_reads_stays_in_the_receive_area() {
    // Announced in one read, finished in the next: the bytes stay where
    // they were read, in the same area, and the frame is a slice of it.
    // (Reserving room for the literal at its announcement once moved the
    // partial response to a new allocation, and every later read of the
    // area was then copied after it.)
    let mut framer = Framer::default();
    let area = framer.read_buf();
    let (start, len) = (area.as_ptr() as usize, area.len());
    let first = b"* 1 FETCH (BODY[] {10}\r\nabcde";
    area[..first.len()].copy_from_slice(first);
    framer.commit(first.len());
    assert_eq!(framer.next_frame().expect("no fatal error"), None);
    let area = framer.read_buf();
    assert_eq!(area.as_ptr() as usize, start + first.len(), "the next read lands right after the first");
    let second = b"fghij)\r\n* 2 FETCH (BODY[] {3}\r\nxyz)\r\n";
    area[..second.len()].copy_from_slice(second);
    framer.commit(second.len());
    for expected in [&b"* 1 FETCH (BODY[] {10}\r\nabcdefghij)\r\n"[..], b"* 2 FETCH (BODY[] {3}\r\nxyz)\r\n"]
    {
        let frame = framer.next_frame().expect("framed").expect("complete");
        let bytes = response(&frame);
        assert_eq!(&bytes[..], expected);
        let at = bytes.as_ptr() as usize;
        assert!((start..start + len).contains(&at), "the frame was copied out of the receive area");
    }
}

#[test]
fn the_receive_area_starts_small_grows_with_full_reads_and_is_given_back() {
    let mut framer = Framer::default();
    assert_eq!(framer.capacity(), 0, "nothing allocated before the first read");
    assert_eq!(framer.read_buf().len(), READ_FIRST);
    // Reads that fill their area double the next one, up to READ_CHUNK.
    let mut sizes = Vec::new();
    for _ in 0..8 {
        let room = framer.read_buf();
        let n = room.len();
        sizes.push(n);
        room.fill(b'x');
        room[n - 1] = b'\n';
        framer.commit(n);
        while framer.next_frame().expect("framed").is_some() {}
    }
    assert_eq!(sizes[..3], [READ_FIRST, 2 * READ_FIRST, 4 * READ_FIRST], "{sizes:?}");
    assert!(sizes.iter().all(|&n| n <= READ_CHUNK + READ_FIRST), "{sizes:?}");
    assert!(sizes[7] >= READ_CHUNK / 2, "{sizes:?}");
    // A partial response is never given back.
    framer.read_buf()[..6].copy_from_slice(b"* 1 EX");
    framer.commit(6);
    assert_eq!(framer.next_frame().unwrap(), None);
    assert!(!framer.release());
    framer.read_buf()[..6].copy_from_slice(b"ISTS\r\n");
    framer.commit(6);
    assert!(matches!(framer.next_frame(), Ok(Some(Frame::Response(_)))));
    // Nothing partial: the area goes, and the next one is small again.
    assert!(framer.release());
    assert_eq!(framer.capacity(), 0);
    assert_eq!(framer.read_buf().len(), READ_FIRST);
    let wire = b"* 2 EXISTS\r\n";
    framer.read_buf()[..wire.len()].copy_from_slice(wire);
    framer.commit(wire.len());
    assert_eq!(framer.next_frame().unwrap(), Some(Frame::Response("* 2 EXISTS\r\n".into())));
}

#[test]
fn a_long_line_read_into_the_buffer_is_moved_a_bounded_number_of_times() {
    // A 6 MiB line (a server that floods one line) in 128 KiB reads: the
    // partial line is moved to a larger area a logarithmic number of
    // times, not once per read (which would be quadratic).
    let mut input = b"* OK ".to_vec();
    input.resize(6 << 20, b'a');
    input.extend_from_slice(b"\r\n");
    let mut framer = Framer::default();
    let (mut moves, mut at) = (0, 0);
    while at < input.len() {
        let before = framer.buf.as_ptr();
        let len = framer.read_buf().len();
        if framer.buf.as_ptr() != before && !framer.buf.is_empty() {
            moves += 1; // the partial line went to a new area
        }
        let room = &mut framer.spare[..len];
        let n = room.len().min(128 * 1024).min(input.len() - at);
        room[..n].copy_from_slice(&input[at..at + n]);
        framer.commit(n);
        at += n;
    }
    let frame = framer.next_frame().expect("framed").expect("complete");
    assert_eq!(response(&frame).len(), input.len());
    assert!(moves <= 12, "the line was moved {moves} times");
}
