//! RFC example sessions replayed from `tests/data/traces/*.trace` (the
//! format is described in that directory's README).
//!
//! Each `C:` command is parsed into a [`Command`] by a small test-only
//! parser (unusual commands become [`Command::Raw`]), enqueued, and the
//! engine's bytes compared with the `C:` lines; the `S:` lines are fed as
//! the server's bytes. Every command must complete exactly once with the
//! status of its tagged `S:` line.

use std::collections::{HashMap, HashSet, VecDeque};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bytes::Bytes;

use super::{all_chunkings, Chunking, Harness};
use crate::types::Tag;
use crate::types::{
    AppendMessage, Capability, Command, FetchAttr, Flag, ListCommand, Mailbox, QResync, RawArg, SearchKey,
    SearchReturn, Section, SelectModifiers, SequenceSet, StatusAttr, StatusKind, StoreMode,
};
use crate::{CommandError, ConnectionError, Event};

// ------------------------------------------------------------- trace files

#[derive(Debug)]
enum Step {
    /// Consecutive `S:` lines, CRLF-terminated.
    Server(Vec<u8>),
    /// One command (lines and literals), with the `+` lines the trace
    /// shows for its literals.
    Command { text: Vec<u8>, pluses: VecDeque<Vec<u8>> },
    /// A SASL response line during AUTHENTICATE.
    Sasl(Vec<u8>),
    /// `DONE`, ending IDLE.
    Done,
}

struct TraceFile {
    name: String,
    capabilities: String,
    steps: Vec<Step>,
}

enum Line {
    S(String),
    C(String),
}

fn read_traces() -> Vec<TraceFile> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/traces");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("trace directory")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "trace"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| parse_trace(&p.file_name().unwrap().to_string_lossy(), &std::fs::read_to_string(p).unwrap()))
        .collect()
}

fn parse_trace(name: &str, text: &str) -> TraceFile {
    let mut capabilities = "IMAP4rev1".to_owned();
    let mut lines = Vec::new();
    for raw in text.lines() {
        if let Some(d) = raw.strip_prefix("#!") {
            let d = d.trim();
            if let Some(caps) = d.strip_prefix("capabilities ") {
                capabilities = caps.trim().to_owned();
            } else {
                panic!("{name}: unknown directive {d:?}");
            }
        } else if raw.starts_with('#') {
        } else if let Some(rest) = raw.strip_prefix("S:") {
            lines.push(Line::S(rest.strip_prefix(' ').unwrap_or(rest).to_owned()));
        } else if let Some(rest) = raw.strip_prefix("C:") {
            lines.push(Line::C(rest.strip_prefix(' ').unwrap_or(rest).to_owned()));
        }
    }
    TraceFile { name: name.to_owned(), capabilities, steps: steps(name, lines) }
}

/// Groups lines into steps: commands with their literals, SASL responses,
/// DONE, and blocks of server lines.
fn steps(name: &str, lines: Vec<Line>) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut sasl_tag: Option<String> = None;
    let mut lines = lines.into_iter().peekable();
    while let Some(line) = lines.next() {
        match line {
            Line::S(s) => {
                if sasl_tag.as_deref().is_some_and(|t| first_word(&s) == t) {
                    sasl_tag = None;
                }
                let mut bytes = crlf(&s);
                while let Some(Line::S(next)) = lines.peek() {
                    if sasl_tag.as_deref().is_some_and(|t| first_word(next) == t) {
                        sasl_tag = None;
                    }
                    bytes.extend(crlf(next));
                    lines.next();
                }
                steps.push(Step::Server(bytes));
            }
            Line::C(c) if sasl_tag.is_some() => steps.push(Step::Sasl(c.into_bytes())),
            Line::C(c) if c == "DONE" => steps.push(Step::Done),
            Line::C(c) => {
                let mut text = Vec::new();
                let mut pluses = VecDeque::new();
                let mut pending = 0usize;
                let mut complete = feed_command_line(&mut text, &mut pending, &c);
                while !complete {
                    match lines.next() {
                        Some(Line::C(more)) => complete = feed_command_line(&mut text, &mut pending, &more),
                        Some(Line::S(plus)) if plus.starts_with('+') => pluses.push_back(crlf(&plus)),
                        other => panic!("{name}: command {c:?} cut short by {:?}", other.map(|_| ())),
                    }
                }
                let words: Vec<&str> = c.split(' ').collect();
                if words.len() > 1 && words[1].eq_ignore_ascii_case("AUTHENTICATE") {
                    sasl_tag = Some(words[0].to_owned());
                }
                steps.push(Step::Command { text, pluses });
            }
        }
    }
    steps
}

/// Adds one `C:` line to a command; true once the command is complete.
fn feed_command_line(text: &mut Vec<u8>, pending: &mut usize, line: &str) -> bool {
    let data = crlf(line);
    let take = (*pending).min(data.len());
    text.extend_from_slice(&data[..take]);
    *pending -= take;
    let rest = &data[take..];
    if *pending > 0 || rest.is_empty() {
        return false;
    }
    text.extend_from_slice(rest);
    match literal_announcement(&rest[..rest.len() - 2]) {
        Some((n, _)) => {
            *pending = n;
            false
        }
        None => true,
    }
}

fn crlf(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.extend_from_slice(b"\r\n");
    v
}

fn first_word(s: &str) -> &str {
    s.split(' ').next().unwrap_or("")
}

/// `{N}` or `{N+}` at the end of a line (without CRLF): the size and
/// whether it is synchronising.
fn literal_announcement(line: &[u8]) -> Option<(usize, bool)> {
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let digits = &inner[open + 1..];
    let (digits, sync) = match digits.strip_suffix(b"+") {
        Some(d) => (d, false),
        None => (digits, true),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((std::str::from_utf8(digits).ok()?.parse().ok()?, sync))
}

// ------------------------------------------------------ command tokenizer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Atom(String),
    Str(Vec<u8>),
    List(Vec<Tok>),
}

/// Tokenizes one command (CRLF and literals included) into nested tokens.
fn tokenize(bytes: &[u8]) -> Vec<Tok> {
    let mut stack: Vec<Vec<Tok>> = vec![Vec::new()];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\r' | b'\n' => i += 1,
            b'(' => {
                stack.push(Vec::new());
                i += 1;
            }
            b')' => {
                let list = stack.pop().expect("balanced");
                stack.last_mut().expect("balanced").push(Tok::List(list));
                i += 1;
            }
            b'"' => {
                let mut s = Vec::new();
                i += 1;
                while bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    s.push(bytes[i]);
                    i += 1;
                }
                i += 1;
                stack.last_mut().unwrap().push(Tok::Str(s));
            }
            b'{' => {
                let close = i + bytes[i..].iter().position(|&b| b == b'}').unwrap();
                let (n, _) = literal_announcement(&bytes[i..=close]).expect("literal");
                let start = close + 3; // "}\r\n"
                stack.last_mut().unwrap().push(Tok::Str(bytes[start..start + n].to_vec()));
                i = start + n;
            }
            _ => {
                let start = i;
                let mut depth = 0;
                while i < bytes.len() {
                    match bytes[i] {
                        b'[' => depth += 1,
                        b']' => depth -= 1,
                        b' ' | b'(' | b')' | b'\r' | b'\n' if depth == 0 => break,
                        _ => {}
                    }
                    i += 1;
                }
                let atom = String::from_utf8_lossy(&bytes[start..i]).into_owned();
                stack.last_mut().unwrap().push(Tok::Atom(atom));
            }
        }
    }
    assert_eq!(stack.len(), 1, "unbalanced parentheses in {:?}", String::from_utf8_lossy(bytes));
    stack.pop().unwrap()
}

/// A canonical rendering for comparisons: keywords case-insensitive,
/// atoms and strings alike, sequence sets normalised, `(x)` same as `x`.
fn canonical(toks: &[Tok]) -> String {
    let mut out = Vec::new();
    for t in toks {
        out.push(match t {
            Tok::Atom(a) => canonical_word(a.as_bytes()),
            Tok::Str(s) => canonical_word(s),
            Tok::List(l) if l.len() == 1 && !matches!(l[0], Tok::List(_)) => canonical(l),
            Tok::List(l) => format!("({})", canonical(l)),
        });
    }
    out.join(" ")
}

fn canonical_word(w: &[u8]) -> String {
    let is_set =
        !w.is_empty() && w.iter().all(|&b| b.is_ascii_digit() || b == b':' || b == b',' || b == b'*');
    if is_set {
        if let Ok(set) = SequenceSet::parse(w) {
            return set.normalized().to_string();
        }
    }
    String::from_utf8_lossy(w).to_ascii_uppercase()
}

// ------------------------------------------------------- command parser

/// What the replay asks the engine to do for a `C:` command.
enum Action {
    Enqueue(Command),
    Idle,
    Authenticate { mechanism: String, initial_response: Option<Vec<u8>> },
}

fn word(t: &Tok) -> Option<String> {
    match t {
        Tok::Atom(a) => Some(a.to_ascii_uppercase()),
        _ => None,
    }
}

fn bytes_of(t: &Tok) -> Option<Vec<u8>> {
    match t {
        Tok::Atom(a) => Some(a.as_bytes().to_vec()),
        Tok::Str(s) => Some(s.clone()),
        Tok::List(_) => None,
    }
}

fn mailbox(t: &Tok) -> Option<Mailbox> {
    bytes_of(t).map(Mailbox::from_wire)
}

fn set(t: &Tok) -> Option<SequenceSet> {
    SequenceSet::parse(&bytes_of(t)?).ok()
}

fn number(t: &Tok) -> Option<u64> {
    word(t)?.parse().ok()
}

fn flags(toks: &[Tok]) -> Option<Vec<Flag>> {
    let items = match toks {
        [Tok::List(l)] => l.as_slice(),
        other => other,
    };
    items.iter().map(|t| bytes_of(t).map(|b| Flag::from_wire(&b))).collect()
}

/// Parses one command (without its tag) into an action; unusual commands
/// become raw commands.
fn parse_command(toks: &[Tok]) -> Action {
    let name = word(&toks[0]).expect("command name");
    if name == "IDLE" {
        return Action::Idle;
    }
    if name == "AUTHENTICATE" {
        let mechanism = word(&toks[1]).expect("mechanism");
        let initial_response = toks.get(2).map(|t| {
            let b = bytes_of(t).unwrap();
            if b == b"=" {
                Vec::new()
            } else {
                B64.decode(b).expect("base64 initial response")
            }
        });
        return Action::Authenticate { mechanism, initial_response };
    }
    Action::Enqueue(typed_command(&name, &toks[1..]).unwrap_or_else(|| raw_command(&name, &toks[1..])))
}

fn typed_command(name: &str, args: &[Tok]) -> Option<Command> {
    let (uid, name, args) =
        if name == "UID" { (true, word(&args[0])?, &args[1..]) } else { (false, name.to_owned(), args) };
    let cmd = match (name.as_str(), args) {
        ("NOOP", []) => Command::Noop,
        ("CAPABILITY", []) => Command::Capability,
        ("LOGOUT", []) => Command::Logout,
        ("STARTTLS", []) => Command::StartTls,
        ("CHECK", []) => Command::Check,
        ("CLOSE", []) => Command::Close,
        ("UNSELECT", []) => Command::Unselect,
        ("NAMESPACE", []) => Command::Namespace,
        ("EXPUNGE", []) if !uid => Command::Expunge,
        ("EXPUNGE", [s]) if uid => Command::UidExpunge(set(s)?),
        ("LOGIN", [u, p]) => Command::login(bytes_of(u)?, bytes_of(p)?),
        ("ENABLE", caps) => Command::Enable(
            caps.iter().map(|c| bytes_of(c).map(|b| Capability::from_wire(&b))).collect::<Option<_>>()?,
        ),
        ("SELECT" | "EXAMINE", [m, rest @ ..]) => {
            let modifiers = select_modifiers(rest)?;
            let mailbox = mailbox(m)?;
            if name == "SELECT" {
                Command::Select { mailbox, modifiers }
            } else {
                Command::Examine { mailbox, modifiers }
            }
        }
        ("CREATE", [m]) => Command::Create { mailbox: mailbox(m)?, special_use: vec![] },
        ("DELETE", [m]) => Command::Delete(mailbox(m)?),
        ("LIST", [r, p]) => {
            Command::List(ListCommand { reference: bytes_of(r)?.into(), ..ListCommand::new(bytes_of(p)?) })
        }
        ("STATUS", [m, Tok::List(items)]) => Command::Status {
            mailbox: mailbox(m)?,
            items: items.iter().map(|i| status_attr(&word(i)?)).collect::<Option<_>>()?,
        },
        ("APPEND", [m, rest @ ..]) => {
            let (data, head) = rest.split_last()?;
            let flags = match head {
                [] => vec![],
                [Tok::List(_)] => flags(head)?,
                _ => return None,
            };
            let data = Bytes::from(bytes_of(data)?);
            Command::Append {
                mailbox: mailbox(m)?,
                messages: vec![AppendMessage { flags, date: None, data }],
            }
        }
        ("COPY" | "MOVE", [s, m]) => {
            let (set, mailbox) = (set(s)?, mailbox(m)?);
            if name == "COPY" {
                Command::Copy { uid, set, mailbox }
            } else {
                Command::Move { uid, set, mailbox }
            }
        }
        ("FETCH", [s, attrs, rest @ ..]) => {
            let attrs = match attrs {
                Tok::List(l) => l.iter().map(fetch_attr).collect::<Option<Vec<_>>>()?,
                t => vec![fetch_attr(t)?],
            };
            let (mut changed_since, mut vanished) = (None, false);
            match rest {
                [] => {}
                [Tok::List(m)] => {
                    let mut m = m.iter();
                    while let Some(t) = m.next() {
                        match word(t)?.as_str() {
                            "CHANGEDSINCE" => changed_since = Some(number(m.next()?)?),
                            "VANISHED" => vanished = true,
                            _ => return None,
                        }
                    }
                }
                _ => return None,
            }
            Command::Fetch { uid, set: set(s)?, attrs, changed_since, vanished }
        }
        ("STORE", [s, rest @ ..]) => {
            let (unchanged_since, rest) = match rest {
                [Tok::List(m), rest @ ..] if m.len() == 2 && word(&m[0])? == "UNCHANGEDSINCE" => {
                    (Some(number(&m[1])?), rest)
                }
                _ => (None, rest),
            };
            let (op, flag_toks) = rest.split_first()?;
            let op = word(op)?;
            let (mode, op) = match op.as_bytes()[0] {
                b'+' => (StoreMode::Add, &op[1..]),
                b'-' => (StoreMode::Remove, &op[1..]),
                _ => (StoreMode::Replace, &op[..]),
            };
            let silent = match op {
                "FLAGS" => false,
                "FLAGS.SILENT" => true,
                _ => return None,
            };
            Command::Store { uid, set: set(s)?, mode, silent, flags: flags(flag_toks)?, unchanged_since }
        }
        ("SEARCH", args) => {
            let (returns, args) = match args {
                [Tok::Atom(r), Tok::List(opts), rest @ ..] if r.eq_ignore_ascii_case("RETURN") => {
                    (Some(opts.iter().map(search_return).collect::<Option<Vec<_>>>()?), rest)
                }
                _ => (None, args),
            };
            let mut toks = args.iter();
            let mut keys = Vec::new();
            while toks.len() > 0 {
                keys.push(search_key(&mut toks)?);
            }
            let criteria = if keys.len() == 1 { keys.pop()? } else { SearchKey::And(keys) };
            Command::Search { uid, criteria, returns }
        }
        _ => return None,
    };
    Some(cmd)
}

fn select_modifiers(rest: &[Tok]) -> Option<SelectModifiers> {
    let mut modifiers = SelectModifiers::default();
    match rest {
        [] => {}
        [Tok::List(l)] => match l.as_slice() {
            [c] if word(c)? == "CONDSTORE" => modifiers.condstore = true,
            [q, Tok::List(p)] if word(q)? == "QRESYNC" => {
                modifiers.qresync = Some(QResync {
                    uid_validity: u32::try_from(number(p.first()?)?).ok()?,
                    modseq: number(p.get(1)?)?,
                    known_uids: match p.get(2) {
                        Some(t) => Some(set(t)?),
                        None => None,
                    },
                    seq_match: None,
                });
                if p.len() > 3 {
                    return None;
                }
            }
            _ => return None,
        },
        _ => return None,
    }
    Some(modifiers)
}

fn fetch_attr(t: &Tok) -> Option<FetchAttr> {
    let w = word(t)?;
    Some(match w.as_str() {
        "ALL" => FetchAttr::All,
        "FAST" => FetchAttr::Fast,
        "FULL" => FetchAttr::Full,
        "FLAGS" => FetchAttr::Flags,
        "UID" => FetchAttr::Uid,
        "ENVELOPE" => FetchAttr::Envelope,
        "INTERNALDATE" => FetchAttr::InternalDate,
        "RFC822" => FetchAttr::Rfc822,
        "RFC822.SIZE" => FetchAttr::Rfc822Size,
        "RFC822.HEADER" => FetchAttr::Rfc822Header,
        "RFC822.TEXT" => FetchAttr::Rfc822Text,
        "BODY" => FetchAttr::Body,
        "BODYSTRUCTURE" => FetchAttr::BodyStructure,
        "MODSEQ" => FetchAttr::ModSeq,
        _ => {
            let (peek, spec) = if let Some(s) = w.strip_prefix("BODY.PEEK[") {
                (true, s)
            } else {
                (false, w.strip_prefix("BODY[")?)
            };
            let section = match spec.strip_suffix(']')? {
                "" => Section::full(),
                "HEADER" => Section::header(),
                "TEXT" => Section::text(),
                _ => return None,
            };
            FetchAttr::BodySection { section, partial: None, peek }
        }
    })
}

fn status_attr(w: &str) -> Option<StatusAttr> {
    Some(match w {
        "MESSAGES" => StatusAttr::Messages,
        "RECENT" => StatusAttr::Recent,
        "UIDNEXT" => StatusAttr::UidNext,
        "UIDVALIDITY" => StatusAttr::UidValidity,
        "UNSEEN" => StatusAttr::Unseen,
        "HIGHESTMODSEQ" => StatusAttr::HighestModSeq,
        _ => return None,
    })
}

fn search_return(t: &Tok) -> Option<SearchReturn> {
    Some(match word(t)?.as_str() {
        "MIN" => SearchReturn::Min,
        "MAX" => SearchReturn::Max,
        "ALL" => SearchReturn::All,
        "COUNT" => SearchReturn::Count,
        _ => return None,
    })
}

fn search_key(toks: &mut std::slice::Iter<'_, Tok>) -> Option<SearchKey> {
    let t = toks.next()?;
    if let Tok::List(l) = t {
        let mut inner = l.iter();
        let mut keys = Vec::new();
        while inner.len() > 0 {
            keys.push(search_key(&mut inner)?);
        }
        return Some(SearchKey::And(keys));
    }
    let w = word(t)?;
    Some(match w.as_str() {
        "ALL" => SearchKey::All,
        "SEEN" => SearchKey::Seen,
        "UNSEEN" => SearchKey::Unseen,
        "DELETED" => SearchKey::Deleted,
        "UNDELETED" => SearchKey::Undeleted,
        "FLAGGED" => SearchKey::Flagged,
        "ANSWERED" => SearchKey::Answered,
        "RECENT" => SearchKey::Recent,
        "NEW" => SearchKey::New,
        "OLD" => SearchKey::Old,
        "LARGER" => SearchKey::Larger(number(toks.next()?)?),
        "SMALLER" => SearchKey::Smaller(number(toks.next()?)?),
        "MODSEQ" => SearchKey::ModSeq(number(toks.next()?)?),
        "NOT" => SearchKey::Not(Box::new(search_key(toks)?)),
        "OR" => {
            let a = search_key(toks)?;
            SearchKey::Or(Box::new(a), Box::new(search_key(toks)?))
        }
        "UID" => SearchKey::Uid(set(toks.next()?)?),
        "SUBJECT" => SearchKey::Subject(bytes_of(toks.next()?)?.into()),
        "FROM" => SearchKey::From(bytes_of(toks.next()?)?.into()),
        _ => SearchKey::SequenceSet(set(t)?),
    })
}

fn raw_command(name: &str, args: &[Tok]) -> Command {
    fn arg(t: &Tok) -> RawArg {
        match t {
            Tok::List(l) => RawArg::List(l.iter().map(arg).collect()),
            Tok::Str(s) => RawArg::String(s.clone().into()),
            Tok::Atom(a) if a.bytes().all(|b| b.is_ascii_digit()) && a.len() < 19 => {
                RawArg::Number(a.parse().unwrap())
            }
            Tok::Atom(a) => match SequenceSet::parse(a.as_bytes()) {
                Ok(s) if a.contains('*') => RawArg::SequenceSet(s),
                _ => RawArg::Atom(a.as_str().into()),
            },
        }
    }
    Command::Raw { name: name.into(), args: args.iter().map(arg).collect() }
}

// ------------------------------------------------------------------ replay

enum Expected {
    /// A command's bytes, compared canonically.
    Command { tag: Tag, text: Vec<u8> },
    /// A continuation line (SASL response, DONE), compared exactly.
    Line(Vec<u8>),
}

/// How much of `buf` one command takes.
enum Split {
    Complete(usize),
    /// Sent up to a synchronising literal's announcement: waiting for `+`.
    AwaitingContinuation,
    Partial,
}

fn split_command(buf: &[u8]) -> Split {
    let mut pos = 0;
    loop {
        let Some(lf) = buf[pos..].windows(2).position(|w| w == b"\r\n") else { return Split::Partial };
        let line_end = pos + lf;
        let next = line_end + 2;
        match literal_announcement(&buf[pos..line_end]) {
            None => return Split::Complete(next),
            Some((n, sync)) => {
                if buf.len() == next {
                    return if sync { Split::AwaitingContinuation } else { Split::Partial };
                }
                if buf.len() < next + n {
                    return Split::Partial;
                }
                pos = next + n;
            }
        }
    }
}

struct Replay<'a> {
    h: &'a mut Harness,
    file: &'a str,
    capabilities: String,
    /// Trace tag to engine tag, for the command most recently sent with it.
    tags: HashMap<String, Tag>,
    user_tags: Vec<Tag>,
    /// The status of each command's tagged `S:` line.
    status: HashMap<Tag, StatusKind>,
    pluses: HashMap<Tag, VecDeque<Vec<u8>>>,
    expected: VecDeque<Expected>,
    out: Vec<u8>,
}

impl Replay<'_> {
    fn run(&mut self, steps: &[Step]) {
        for step in steps {
            match step {
                Step::Server(bytes) => {
                    let bytes = self.rewrite_server(bytes);
                    self.h.server(&bytes);
                    self.switch_if_asked();
                }
                Step::Command { text, pluses } => self.command(text, pluses.clone()),
                Step::Sasl(line) => {
                    let data = B64.decode(line).expect("base64 SASL response");
                    self.h.client.sasl_respond(Some(&data)).expect("a challenge is waiting");
                    self.expected.push_back(Expected::Line(line.clone()));
                }
                Step::Done => {
                    self.h.client.idle_done().expect("IDLE is running");
                    self.expected.push_back(Expected::Line(b"DONE".to_vec()));
                }
            }
            self.h.pump();
            self.check_output();
        }
    }

    fn command(&mut self, text: &[u8], pluses: VecDeque<Vec<u8>>) {
        let toks = tokenize(text);
        let Tok::Atom(trace_tag) = &toks[0] else { panic!("{}: no tag in {text:?}", self.file) };
        let result = match parse_command(&toks[1..]) {
            Action::Enqueue(cmd) => self.h.try_enqueue(cmd),
            Action::Idle => self.h.try_enqueue(crate::request::idle()),
            Action::Authenticate { mechanism, initial_response } => {
                self.h.try_enqueue_interactive(&mechanism, initial_response)
            }
        };
        let tag = result
            .unwrap_or_else(|e| panic!("{}: {:?} refused: {e}", self.file, String::from_utf8_lossy(text)));
        self.tags.insert(trace_tag.clone(), tag.clone());
        self.user_tags.push(tag.clone());
        self.pluses.insert(tag.clone(), pluses);
        let mut text = text.to_vec();
        text.splice(..trace_tag.len(), tag.as_bytes().iter().copied());
        self.expected.push_back(Expected::Command { tag, text });
    }

    /// Maps the trace's tags to the engine's in tagged lines and ESEARCH
    /// correlators, and notes each command's status.
    fn rewrite_server(&mut self, bytes: &[u8]) -> Vec<u8> {
        let text = String::from_utf8(bytes.to_vec()).expect("traces are UTF-8");
        let mut out = String::new();
        for line in text.split_inclusive("\r\n") {
            let mut line = line.to_owned();
            let first = first_word(&line).to_owned();
            if let Some(tag) = self.tags.get(&first).cloned() {
                line = format!("{tag}{}", &line[first.len()..]);
                let kind = line.split(' ').nth(1).unwrap_or("").trim_end();
                let kind = match kind.to_ascii_uppercase().as_str() {
                    "OK" => StatusKind::Ok,
                    "NO" => StatusKind::No,
                    "BAD" => StatusKind::Bad,
                    "BYE" => StatusKind::Bye,
                    other => panic!("{}: tagged line with status {other:?}", self.file),
                };
                assert!(self.status.insert(tag, kind).is_none(), "{}: {first} answered twice", self.file);
            }
            for (trace_tag, tag) in &self.tags {
                line = line.replace(&format!("(TAG \"{trace_tag}\")"), &format!("(TAG \"{tag}\")"));
            }
            out.push_str(&line);
        }
        out.into_bytes()
    }

    fn switch_if_asked(&mut self) {
        let before = self.h.events.len();
        self.h.events.retain(|e| !matches!(e, Event::Switch(_)));
        if self.h.events.len() != before {
            self.h.client.handle_switched();
            self.h.pump();
        }
    }

    /// Matches what the engine sent against what the trace expects,
    /// answering the engine's own CAPABILITY and the continuations the
    /// trace leaves out.
    fn check_output(&mut self) {
        loop {
            self.out.append(&mut self.h.sent);
            if let Some(tag) = self.own_capability() {
                let reply = format!("* CAPABILITY {}\r\n{tag} OK done\r\n", self.capabilities);
                self.h.server(reply.as_bytes());
                self.switch_if_asked();
                continue;
            }
            match self.expected.front() {
                None => {
                    assert!(
                        self.out.is_empty(),
                        "{}: unexpected bytes {:?}",
                        self.file,
                        String::from_utf8_lossy(&self.out)
                    );
                    return;
                }
                Some(Expected::Line(line)) => {
                    let Some(end) = self.out.windows(2).position(|w| w == b"\r\n") else { return };
                    assert_eq!(
                        String::from_utf8_lossy(&self.out[..end]),
                        String::from_utf8_lossy(line),
                        "{}: continuation line",
                        self.file
                    );
                    self.out.drain(..end + 2);
                    self.expected.pop_front();
                }
                Some(Expected::Command { tag, text }) => match split_command(&self.out) {
                    Split::Complete(n) => {
                        let sent = canonical(&tokenize(&self.out[..n]));
                        let want = canonical(&tokenize(text));
                        assert_eq!(
                            sent,
                            want,
                            "{}: engine bytes {:?}",
                            self.file,
                            String::from_utf8_lossy(&self.out[..n])
                        );
                        self.out.drain(..n);
                        self.expected.pop_front();
                    }
                    Split::AwaitingContinuation => {
                        let plus = self.pluses.get_mut(tag).and_then(VecDeque::pop_front);
                        let plus = plus.unwrap_or_else(|| b"+ Ready for literal data\r\n".to_vec());
                        self.h.server(&plus);
                    }
                    Split::Partial => return,
                },
            }
        }
    }

    /// The tag of a CAPABILITY the engine sent on its own, if that is what
    /// comes next; removes it from the output.
    fn own_capability(&mut self) -> Option<String> {
        let end = self.out.windows(2).position(|w| w == b"\r\n")?;
        let line = std::str::from_utf8(&self.out[..end]).ok()?;
        let (tag, rest) = line.split_once(' ')?;
        if !rest.eq_ignore_ascii_case("CAPABILITY") || self.user_tags.iter().any(|t| t.as_str() == tag) {
            return None;
        }
        let tag = tag.to_owned();
        self.out.drain(..end + 2);
        Some(tag)
    }

    /// Every command completed exactly once, as its tagged line said; the
    /// results, in order.
    fn verify(&mut self) -> Vec<Result<crate::request::Completion, CommandError>> {
        self.h.client.handle_eof();
        self.h.pump();
        assert!(
            self.expected.is_empty(),
            "{}: the engine never sent {} item(s)",
            self.file,
            self.expected.len()
        );
        let mut seen = HashSet::new();
        let mut results = Vec::new();
        for e in self.h.events.clone() {
            match e {
                Event::Ready(id) => {
                    let tag = self.h.tag_of(id).cloned().expect("a request of the replay");
                    let tag = &tag;
                    let result = self.h.client.take_completion(id).expect("ready");
                    assert!(self.user_tags.contains(tag), "{}: completion of unknown {tag}", self.file);
                    assert!(seen.insert(tag.clone()), "{}: {tag} completed twice", self.file);
                    let ok = matches!(
                        (self.status.get(tag), &result),
                        (Some(StatusKind::Ok), Ok(_))
                            | (Some(StatusKind::No), Err(CommandError::No { .. }))
                            | (Some(StatusKind::Bad), Err(CommandError::Bad { .. }))
                            | (Some(StatusKind::Bye), Err(CommandError::Connection(ConnectionError::Bye(_))))
                            | (None, Err(CommandError::Connection(_)))
                    );
                    assert!(ok, "{}: {tag} expected {:?}, got {result:?}", self.file, self.status.get(tag));
                    results.push(result);
                }
                Event::ProtocolError(p) => panic!("{}: protocol error {p:?}", self.file),
                _ => {}
            }
        }
        for t in &self.user_tags {
            assert!(seen.contains(t), "{}: {t} never completed", self.file);
        }
        results
    }
}

fn replay(
    file: &TraceFile,
    chunking: Chunking,
) -> (Harness, Vec<Result<crate::request::Completion, CommandError>>) {
    let mut h = Harness::new(chunking);
    let mut r = Replay {
        h: &mut h,
        file: &file.name,
        capabilities: file.capabilities.clone(),
        tags: HashMap::new(),
        user_tags: Vec::new(),
        status: HashMap::new(),
        pluses: HashMap::new(),
        expected: VecDeque::new(),
        out: Vec::new(),
    };
    r.run(&file.steps);
    let results = r.verify();
    (h, results)
}

#[test]
fn rfc_traces_replay_in_every_chunking() {
    let files = read_traces();
    assert!(files.len() >= 7, "trace files found: {}", files.len());
    for file in &files {
        for chunking in all_chunkings() {
            replay(file, chunking);
        }
    }
}

#[test]
fn rfc3501_sample_typed_results() {
    let files = read_traces();
    let file = files.iter().find(|f| f.name == "rfc3501-sample.trace").expect("the RFC 3501 sample");
    let (h, results) = replay(file, Chunking::Whole);
    let fetched: Vec<_> = results
        .iter()
        .filter_map(|r| match r {
            Ok(c) => match &c.output {
                crate::request::Output::Fetch(f) => Some(f.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(fetched.len(), 2);
    let env = fetched[0][0].envelope().expect("envelope");
    assert_eq!(env.subject.as_ref().unwrap(), "IMAP4rev1 WG mtg summary and minutes");
    assert_eq!(fetched[1][0].header().map(|b| b.len()), Some(342));
    assert!(h.events.iter().any(|e| matches!(e, Event::LoggedOut)));
}

#[test]
fn the_trace_tools_agree_with_themselves() {
    // The canonical form tolerates quoting, case, set order and a lone
    // flag's parentheses, and nothing else.
    let c = |s: &str| canonical(&tokenize(format!("{s}\r\n").as_bytes()));
    assert_eq!(c("a1 login mrc secret"), c("a1 LOGIN mrc \"secret\""));
    assert_eq!(c("a STORE 7,5,9 +FLAGS \\deleted"), c("a STORE 5,7,9 +FLAGS (\\Deleted)"));
    assert_ne!(c("a STORE 1 +FLAGS (\\Seen \\Deleted)"), c("a STORE 1 +FLAGS \\Seen"));
    assert_ne!(c("a FETCH 1:2 FLAGS"), c("a FETCH 1:3 FLAGS"));
    assert!(matches!(split_command(b"a APPEND x {3}\r\n"), Split::AwaitingContinuation));
    assert!(matches!(split_command(b"a APPEND x {3}\r\nabc\r\nb"), Split::Complete(21)));
    assert!(matches!(split_command(b"a APPEND x {3+}\r\nab"), Split::Partial));
    let steps = steps(
        "t",
        vec![
            Line::C("a APPEND x {7}".into()),
            Line::S("+ go".into()),
            Line::C("hello".into()),
            Line::C(String::new()),
        ],
    );
    match steps.as_slice() {
        [Step::Command { text, pluses }] => {
            assert_eq!(text, b"a APPEND x {7}\r\nhello\r\n\r\n");
            assert_eq!(pluses.len(), 1);
        }
        other => panic!("{other:?}"),
    }
}
