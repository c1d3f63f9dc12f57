//! Decodes a captured IMAP server byte stream and prints one line per response.
//!
//! ```text
//! cargo run -p imap-core --example decode -- [--strict] [--json] [FILE]
//! ```
//!
//! Reads FILE (stdin when FILE is absent or `-`) in 64 KiB chunks, the way a
//! socket reader would, and pushes each chunk into an [`imap_core::Decoder`].
//! Every complete response is printed on one line; literals are shown by their
//! length (`BODY[]=<1234 bytes>`), never dumped:
//!
//! ```text
//! * 3 FETCH UID=7 FLAGS=(\Seen) RFC822.SIZE=316 BODY[]=<316 bytes>
//! A014 OK [READ-WRITE] Select completed
//! ```
//!
//! `--json` prints one JSON object per response instead, through the crate's
//! `serde` feature (imap-core's dev-dependency on itself turns it on for
//! examples and tests). `--strict` parses by the RFC's letter
//! ([`ParseOptions::strict`]).
//!
//! A malformed response is reported on stderr, with the offset in the
//! response and what the grammar expected there, and decoding goes on. The
//! last line on stderr is a summary: `N responses, M malformed`.
//!
//! Exit status: 0 when every response decoded; 1 when some were malformed or
//! the input ended inside a response; 2 when the stream could not be framed
//! any more (a fatal [`DecodeError::Framing`]), the input could not be read,
//! or the arguments were wrong.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

use imap_core::parse::{DecodeError, Decoder};
use imap_core::types::{
    BodyStructure, Data, Fetch, FetchItem, Response, ResponseCode, SinglePartKind, Status,
};
use imap_core::ParseOptions;

const USAGE: &str = "usage: decode [--strict] [--json] [FILE | -]";

/// How much is read at a time, like one socket read.
const CHUNK: usize = 64 * 1024;

/// Longest free text (status text, subjects) shown before clipping.
const TEXT_MAX: usize = 72;

/// Longest rendering of a list or a value shown through `Debug`.
const ITEM_MAX: usize = 200;

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("decode: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if args.help {
        println!("Decodes an IMAP server byte stream, one line per response.\n{USAGE}");
        return ExitCode::SUCCESS;
    }
    if args.json && !cfg!(feature = "serde") {
        eprintln!(
            "decode: --json needs the `serde` feature of imap-core: \
             cargo run -p imap-core --features serde --example decode -- --json"
        );
        return ExitCode::from(2);
    }
    let input: Box<dyn Read> = match &args.path {
        None => Box::new(io::stdin().lock()),
        Some(path) => match File::open(path) {
            Ok(file) => Box::new(file),
            Err(e) => {
                eprintln!("decode: cannot open {}: {e}", path.to_string_lossy());
                return ExitCode::from(2);
            }
        },
    };
    let options = if args.strict { ParseOptions::strict() } else { ParseOptions::default() };
    let mut out = BufWriter::new(io::stdout().lock());
    let mut err = io::stderr().lock();
    let tally = decode(input, options, args.json, &mut out, &mut err);
    let flushed = out.flush();
    let _ = writeln!(err, "{} responses, {} malformed", tally.responses, tally.malformed);
    match (tally.stop, flushed) {
        (Some(Stop::Output(e)), _) | (None, Err(e)) => {
            if e.kind() != io::ErrorKind::BrokenPipe {
                let _ = writeln!(err, "decode: cannot write the output: {e}");
            }
            ExitCode::from(2)
        }
        (Some(Stop::Fatal), _) => ExitCode::from(2),
        (None, Ok(())) if tally.malformed > 0 => ExitCode::from(1),
        (None, Ok(())) => ExitCode::SUCCESS,
    }
}

/// The command line.
#[derive(Debug, Default)]
struct Args {
    help: bool,
    json: bool,
    strict: bool,
    /// `None` for stdin.
    path: Option<OsString>,
}

impl Args {
    fn parse(args: impl Iterator<Item = OsString>) -> Result<Self, String> {
        let mut parsed = Args::default();
        let mut files = Vec::new();
        for arg in args {
            match arg.to_str() {
                Some("--json") => parsed.json = true,
                Some("--strict") => parsed.strict = true,
                Some("-h" | "--help") => parsed.help = true,
                Some("-") => files.push(None),
                Some(flag) if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
                _ => files.push(Some(arg)),
            }
        }
        if files.len() > 1 {
            return Err("at most one input file".to_owned());
        }
        parsed.path = files.pop().flatten();
        Ok(parsed)
    }
}

/// What a run saw.
#[derive(Debug, Default)]
struct Tally {
    /// Responses framed, malformed ones included.
    responses: u64,
    /// Responses that did not decode, plus a response cut off by the end of input.
    malformed: u64,
    /// Why decoding stopped early, if it did.
    stop: Option<Stop>,
}

#[derive(Debug)]
enum Stop {
    /// The input could not be read or framed; already reported on stderr.
    Fatal,
    /// stdout failed (closed pipe, full disk).
    Output(io::Error),
}

/// Feeds `input` to a decoder chunk by chunk, printing each response to
/// `out` and each problem to `err`.
fn decode(
    mut input: impl Read,
    options: ParseOptions,
    json: bool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> Tally {
    let mut decoder = Decoder::new(options);
    let mut tally = Tally::default();
    let mut chunk = vec![0; CHUNK];
    // Bytes pushed so far: with the framer's buffered count, where in the
    // stream each response starts.
    let mut pushed: u64 = 0;
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = writeln!(err, "decode: cannot read the input at byte {pushed}: {e}");
                tally.stop = Some(Stop::Fatal);
                return tally;
            }
        };
        decoder.push(&chunk[..n]);
        pushed += n as u64;
        loop {
            let start = pushed - decoder.framer().buffered() as u64;
            let Some(item) = decoder.next_raw() else { break };
            match item {
                Ok((_raw, response)) => {
                    tally.responses += 1;
                    if let Err(e) = print(out, &response, json) {
                        tally.stop = Some(Stop::Output(e));
                        return tally;
                    }
                }
                Err(DecodeError::Response(e)) => {
                    tally.responses += 1;
                    tally.malformed += 1;
                    let _ = writeln!(err, "decode: response {} at stream byte {start}: {e}", tally.responses);
                }
                Err(e) => {
                    let _ = writeln!(err, "decode: fatal at stream byte {start}: {e}");
                    tally.stop = Some(Stop::Fatal);
                    return tally;
                }
            }
        }
    }
    if decoder.framer().is_mid_response() {
        tally.malformed += 1;
        let unframed = decoder.framer().buffered();
        let _ = writeln!(err, "decode: the input ends inside a response ({unframed} bytes not framed)");
    }
    tally
}

fn print(out: &mut impl Write, response: &Response, json: bool) -> io::Result<()> {
    if json {
        #[cfg(feature = "serde")]
        {
            let line = serde_json::to_string(response).map_err(io::Error::other)?;
            return writeln!(out, "{line}");
        }
    }
    writeln!(out, "{}", render(response))
}

/// One readable line for a response.
fn render(response: &Response) -> String {
    let mut line = String::new();
    match response {
        Response::Status(status) => render_status(&mut line, status),
        Response::Continue(cont) => {
            line.push('+');
            if let Some(code) = &cont.code {
                let _ = write!(line, " [{}]", render_code(code));
            }
            if !cont.text.is_empty() {
                let _ = write!(line, " {}", clip(&cont.text.to_str_lossy(), TEXT_MAX));
            }
        }
        Response::Data(data) => render_data(&mut line, data),
    }
    line
}

fn render_status(line: &mut String, status: &Status) {
    let tag = status.tag.as_ref().map_or("*", |t| t.as_str());
    let _ = write!(line, "{tag} {}", status.kind.as_str());
    if let Some(code) = &status.code {
        let _ = write!(line, " [{}]", render_code(code));
    }
    if !status.text.is_empty() {
        let _ = write!(line, " {}", clip(&status.text.to_str_lossy(), TEXT_MAX));
    }
}

fn render_code(code: &ResponseCode) -> String {
    let text = match code {
        ResponseCode::Alert => "ALERT".to_owned(),
        ResponseCode::Capability(caps) => format!("CAPABILITY {}", join(caps.iter())),
        ResponseCode::PermanentFlags(flags) => format!("PERMANENTFLAGS ({})", join(flags.iter())),
        ResponseCode::ReadOnly => "READ-ONLY".to_owned(),
        ResponseCode::ReadWrite => "READ-WRITE".to_owned(),
        ResponseCode::TryCreate => "TRYCREATE".to_owned(),
        ResponseCode::UidNext(n) => format!("UIDNEXT {n}"),
        ResponseCode::UidValidity(n) => format!("UIDVALIDITY {n}"),
        ResponseCode::Unseen(n) => format!("UNSEEN {n}"),
        ResponseCode::HighestModSeq(n) => format!("HIGHESTMODSEQ {n}"),
        ResponseCode::AppendUid { uid_validity, uids } => format!("APPENDUID {uid_validity} {uids}"),
        ResponseCode::CopyUid { uid_validity, source, dest } => {
            format!("COPYUID {uid_validity} {source} {dest}")
        }
        ResponseCode::Closed => "CLOSED".to_owned(),
        ResponseCode::Modified(set) => format!("MODIFIED {set}"),
        ResponseCode::Other { name, data: None } => name.to_string(),
        ResponseCode::Other { name, data: Some(data) } => format!("{name} {data}"),
        other => format!("{other:?}"),
    };
    clip(&text, ITEM_MAX)
}

fn render_data(line: &mut String, data: &Data) {
    let _ = match data {
        Data::Fetch(fetch) => {
            render_fetch(line, fetch);
            Ok(())
        }
        Data::Exists(n) => write!(line, "* {n} EXISTS"),
        Data::Recent(n) => write!(line, "* {n} RECENT"),
        Data::Expunge(n) => write!(line, "* {n} EXPUNGE"),
        Data::Capability(caps) => write!(line, "* CAPABILITY {}", clip(&join(caps.iter()), ITEM_MAX)),
        Data::Enabled(caps) => write!(line, "* ENABLED {}", join(caps.iter())),
        Data::Flags(flags) => write!(line, "* FLAGS ({})", clip(&join(flags.iter()), ITEM_MAX)),
        Data::List(item) | Data::Lsub(item) => {
            let name = if matches!(data, Data::List(_)) { "LIST" } else { "LSUB" };
            let attributes = item.attributes.iter().map(|a| format!("{a:?}")).collect::<Vec<_>>();
            let delimiter = item.delimiter.map_or_else(|| "NIL".to_owned(), |d| format!("\"{d}\""));
            write!(line, "* {name} ({}) {delimiter} {:?}", attributes.join(" "), item.mailbox.as_str())
        }
        Data::Status { mailbox, items } => {
            let items = items.iter().map(|i| format!("{i:?}")).collect::<Vec<_>>();
            write!(line, "* STATUS {:?} ({})", mailbox.as_str(), clip(&items.join(" "), ITEM_MAX))
        }
        Data::Search { ids, modseq } | Data::Sort { ids, modseq } => {
            let name = if matches!(data, Data::Search { .. }) { "SEARCH" } else { "SORT" };
            let _ = write!(line, "* {name}");
            if !ids.is_empty() {
                let _ = write!(line, " {}", clip(&join(ids.iter()), ITEM_MAX));
            }
            if ids.len() > 1 {
                let _ = write!(line, " ({} ids)", ids.len());
            }
            match modseq {
                Some(m) => write!(line, " MODSEQ={m}"),
                None => Ok(()),
            }
        }
        Data::Vanished { earlier, uids } => {
            write!(
                line,
                "* VANISHED{} {}",
                if *earlier { " (EARLIER)" } else { "" },
                clip(&uids.to_string(), ITEM_MAX)
            )
        }
        Data::ESearch(esearch) => {
            let _ = write!(line, "* ESEARCH");
            if let Some(tag) = &esearch.tag {
                let _ = write!(line, " (TAG \"{tag}\")");
            }
            if esearch.uid {
                let _ = write!(line, " UID");
            }
            let numbers = [("MIN", esearch.min), ("MAX", esearch.max), ("COUNT", esearch.count)];
            for (name, value) in numbers {
                if let Some(value) = value {
                    let _ = write!(line, " {name} {value}");
                }
            }
            if let Some(all) = &esearch.all {
                let _ = write!(line, " ALL {}", clip(&all.to_string(), ITEM_MAX));
            }
            if let Some(modseq) = esearch.modseq {
                let _ = write!(line, " MODSEQ {modseq}");
            }
            for (name, value) in &esearch.other {
                let _ = write!(line, " {name} {}", clip(&value.to_str_lossy(), ITEM_MAX));
            }
            Ok(())
        }
        Data::Other { name, raw } => write!(line, "* {name} <{} bytes, not parsed>", raw.len()),
        other => write!(line, "* {}", clip(&format!("{other:?}"), ITEM_MAX)),
    };
}

/// `* 3 FETCH UID=7 FLAGS=(\Seen) BODY[]=<1234 bytes>`
fn render_fetch(line: &mut String, fetch: &Fetch) {
    let _ = write!(line, "* {} FETCH", fetch.seq);
    for item in &fetch.items {
        line.push(' ');
        let _ = match item {
            FetchItem::Uid(uid) => write!(line, "UID={uid}"),
            FetchItem::Flags(flags) => write!(line, "FLAGS=({})", join(flags.iter())),
            FetchItem::InternalDate(date) => write!(line, "INTERNALDATE=\"{date}\""),
            FetchItem::Size(size) => write!(line, "RFC822.SIZE={size}"),
            FetchItem::ModSeq(modseq) => write!(line, "MODSEQ={modseq}"),
            FetchItem::Envelope(envelope) => {
                let from = envelope.from.first().and_then(|a| a.email()).unwrap_or_default();
                let _ = write!(line, "ENVELOPE=(from={from} subject=");
                match &envelope.subject {
                    Some(subject) => write!(line, "{:?})", clip(&subject.to_str_lossy(), TEXT_MAX)),
                    None => write!(line, "NIL)"),
                }
            }
            FetchItem::BodyStructure(body) => write!(line, "BODYSTRUCTURE={}", mime_tree(body)),
            FetchItem::Body(body) => write!(line, "BODY={}", mime_tree(body)),
            FetchItem::BodySection { section, origin, data } => {
                let _ = write!(line, "BODY[{section}]");
                if let Some(origin) = origin {
                    let _ = write!(line, "<{origin}>");
                }
                write!(line, "={}", size_of(data.as_deref()))
            }
            FetchItem::Binary { part, origin, data } => {
                let _ = write!(line, "BINARY[{}]", dotted(part));
                if let Some(origin) = origin {
                    let _ = write!(line, "<{origin}>");
                }
                write!(line, "={}", size_of(data.as_deref()))
            }
            FetchItem::BinarySize { part, size } => write!(line, "BINARY.SIZE[{}]={size}", dotted(part)),
            FetchItem::Rfc822(data) => write!(line, "RFC822={}", size_of(data.as_deref())),
            FetchItem::Rfc822Header(data) => write!(line, "RFC822.HEADER={}", size_of(data.as_deref())),
            FetchItem::Rfc822Text(data) => write!(line, "RFC822.TEXT={}", size_of(data.as_deref())),
            FetchItem::Other { name, raw } => write!(line, "{name}=<{} bytes, not parsed>", raw.len()),
            other => write!(line, "{}", clip(&format!("{other:?}"), ITEM_MAX)),
        };
    }
}

/// `multipart/mixed(text/plain application/pdf)`.
fn mime_tree(body: &BodyStructure) -> String {
    fn walk(body: &BodyStructure, out: &mut String) {
        match body {
            BodyStructure::Single(part) => {
                let _ = write!(
                    out,
                    "{}/{}",
                    part.media_type.to_str_lossy().to_ascii_lowercase(),
                    part.media_subtype.to_str_lossy().to_ascii_lowercase()
                );
                if let SinglePartKind::Message { body, .. } = &part.kind {
                    out.push('(');
                    walk(body, out);
                    out.push(')');
                }
            }
            BodyStructure::Multipart(multi) => {
                let _ = write!(out, "multipart/{}(", multi.media_subtype.to_str_lossy().to_ascii_lowercase());
                for (i, part) in multi.parts.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    walk(part, out);
                }
                out.push(')');
            }
        }
    }
    let mut out = String::new();
    walk(body, &mut out);
    clip(&out, ITEM_MAX)
}

/// A literal or string by its length: `<1234 bytes>`, or `NIL`.
fn size_of(data: Option<&[u8]>) -> String {
    data.map_or_else(|| "NIL".to_owned(), |d| format!("<{} bytes>", d.len()))
}

fn dotted(part: &[u32]) -> String {
    part.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

fn join<T: std::fmt::Display>(items: impl Iterator<Item = T>) -> String {
    let mut out = String::new();
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{item}");
    }
    out
}

/// At most `max` characters of `text` on one line, with control characters
/// escaped and `…` where it was cut.
fn clip(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max + 3));
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
