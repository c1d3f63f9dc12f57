//! The scenario format: the server's side of one session, as text, so that
//! drivers in any language replay the same files.
//!
//! One step per line; `#` starts a comment line; blank lines are skipped.
//!
//! | line | step |
//! | --- | --- |
//! | `S: text` | send `text` and CRLF |
//! | `SB: bytes` | send bytes, no CRLF added (escapes below) |
//! | `C: pattern` | expect one line from the client (CRLF not written) |
//! | `CB: bytes` | expect exactly these bytes from the client (escapes below) |
//! | `PAUSE ms` | wait |
//! | `TLS` | TLS handshake as the server (after a STARTTLS OK) |
//! | `DEFLATE` | COMPRESS=DEFLATE from here on, both ways (after its OK) |
//! | `CLOSE` | close the connection (the last step) |
//!
//! Consecutive `S:`/`SB:` lines go out in **one write**, so bytes can follow
//! an OK in the same segment (the STARTTLS injection test); any other step
//! ends the write.
//!
//! `{name}` (a letter or `_`, then letters, digits, `_`) is a placeholder.
//! In a `C:` line an unbound one captures what the client sent there (up to
//! the next character of the pattern, or the end of the line); a bound one
//! must match its value. In `S:`/`SB:`/`CB:` lines it is replaced by its
//! value (it must be bound by then). Tags are the client's choice: capture them (`C: {tag} NOOP`) and
//! answer with them (`S: {tag} OK done`). Literal announcements such as
//! `{5}` or `{5+}` are not placeholders.
//!
//! `S:` and `C:` text is taken verbatim after the colon and one space
//! (IMAP's backslashes need no escaping). `SB:`/`CB:` bytes know `\r`, `\n`,
//! `\t`, `\\` and `\xHH`, e.g. `SB: + \r\n` (a continuation with an empty
//! text).
//!
//! After the last step (unless it is `CLOSE`) the server waits for the
//! client to close the connection; bytes it sends then fail the scenario.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

/// A parsed scenario.
#[derive(Debug, Clone)]
pub struct Script {
    name: String,
    pub(crate) steps: Vec<Step>,
}

/// One step, with the source lines it came from (for messages).
#[derive(Debug, Clone)]
pub(crate) struct Step {
    /// `name:line` of the (first) source line.
    pub(crate) at: String,
    /// The source text, for failure messages.
    pub(crate) source: String,
    pub(crate) kind: StepKind,
}

#[derive(Debug, Clone)]
pub(crate) enum StepKind {
    /// One write.
    Send(Template),
    /// One CRLF-terminated line.
    ExpectLine(Template),
    /// Exact bytes.
    ExpectBytes(Template),
    Pause(Duration),
    Tls,
    Deflate,
    Close,
}

/// Text with placeholders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Template(pub(crate) Vec<Piece>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Bytes(Vec<u8>),
    Var(String),
}

/// A scenario file that cannot be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    /// `name:line`.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

impl std::error::Error for ScriptError {}

impl Script {
    /// Parses scenario text; `name` appears in messages (e.g. the file name).
    pub fn parse(name: &str, text: &str) -> Result<Script, ScriptError> {
        let mut steps: Vec<Step> = Vec::new();
        let mut bound: HashSet<String> = HashSet::new();
        for (index, raw) in text.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            let at = format!("{name}:{}", index + 1);
            let err = |message: String| ScriptError { at: at.clone(), message };
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            if steps.last().is_some_and(|s| matches!(s.kind, StepKind::Close)) {
                return Err(err("CLOSE must be the last step".into()));
            }
            let kind = if let Some(text) = prefixed(line, "S:") {
                let mut bytes = text.as_bytes().to_vec();
                bytes.extend_from_slice(b"\r\n");
                StepKind::Send(check_bound(Template::parse(&bytes), &bound).map_err(err)?)
            } else if let Some(text) = prefixed(line, "SB:") {
                StepKind::Send(check_bound(Template::parse_escaped(text).map_err(err)?, &bound).map_err(err)?)
            } else if let Some(text) = prefixed(line, "C:") {
                StepKind::ExpectLine(bind(Template::parse(text.as_bytes()), &mut bound).map_err(err)?)
            } else if let Some(text) = prefixed(line, "CB:") {
                let template = Template::parse_escaped(text).map_err(err)?;
                if template.0.is_empty() {
                    return Err(err("CB: expects at least one byte".into()));
                }
                // The byte count must be known: no captures here.
                StepKind::ExpectBytes(check_bound(template, &bound).map_err(err)?)
            } else {
                let mut words = line.split_whitespace();
                match (words.next(), words.next(), words.next()) {
                    (Some("PAUSE"), Some(ms), None) => {
                        let ms =
                            ms.parse().map_err(|_| err(format!("PAUSE takes milliseconds, not {ms:?}")))?;
                        StepKind::Pause(Duration::from_millis(ms))
                    }
                    (Some("TLS"), None, None) => StepKind::Tls,
                    (Some("DEFLATE"), None, None) => StepKind::Deflate,
                    (Some("CLOSE"), None, None) => StepKind::Close,
                    _ => {
                        return Err(err(format!(
                            "unknown step {line:?} (S:, SB:, C:, CB:, PAUSE ms, TLS, DEFLATE, CLOSE)"
                        )))
                    }
                }
            };
            // Consecutive sends are one write.
            if let (StepKind::Send(more), Some(Step { kind: StepKind::Send(template), source, .. })) =
                (&kind, steps.last_mut())
            {
                template.0.extend(more.0.iter().cloned());
                source.push('\n');
                source.push_str(line);
                continue;
            }
            steps.push(Step { at, source: line.to_owned(), kind });
        }
        if steps.is_empty() {
            return Err(ScriptError { at: name.to_owned(), message: "no steps".into() });
        }
        Ok(Script { name: name.to_owned(), steps })
    }

    /// The name given to [`parse`](Self::parse).
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The text after `prefix` and one optional space.
fn prefixed<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(prefix)?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

/// Sends and exact bytes may only use placeholders an earlier `C:` line
/// captured.
fn check_bound(template: Template, bound: &HashSet<String>) -> Result<Template, String> {
    for piece in &template.0 {
        if let Piece::Var(name) = piece {
            if !bound.contains(name) {
                return Err(format!("{{{name}}} is used before a C: line captures it"));
            }
        }
    }
    Ok(template)
}

/// Records the placeholders an expectation captures.
fn bind(template: Template, bound: &mut HashSet<String>) -> Result<Template, String> {
    for pair in template.0.windows(2) {
        if let [Piece::Var(a), Piece::Var(b)] = pair {
            return Err(format!("{{{a}}}{{{b}}}: two placeholders need text between them"));
        }
    }
    for piece in &template.0 {
        if let Piece::Var(name) = piece {
            bound.insert(name.clone());
        }
    }
    Ok(template)
}

impl Template {
    /// Splits verbatim text into bytes and `{name}` placeholders.
    fn parse(text: &[u8]) -> Template {
        let mut pieces = Vec::new();
        let mut literal = Vec::new();
        let mut i = 0;
        while i < text.len() {
            if let Some(len) = placeholder_len(&text[i..]) {
                if !literal.is_empty() {
                    pieces.push(Piece::Bytes(std::mem::take(&mut literal)));
                }
                let name = String::from_utf8_lossy(&text[i + 1..i + len - 1]).into_owned();
                pieces.push(Piece::Var(name));
                i += len;
            } else {
                literal.push(text[i]);
                i += 1;
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Bytes(literal));
        }
        Template(pieces)
    }

    /// Like [`parse`](Self::parse), then unescapes the byte pieces.
    fn parse_escaped(text: &str) -> Result<Template, String> {
        let pieces = Template::parse(text.as_bytes()).0.into_iter().map(|piece| match piece {
            Piece::Bytes(b) => unescape(&b).map(Piece::Bytes),
            var => Ok(var),
        });
        Ok(Template(pieces.collect::<Result<_, _>>()?))
    }

    /// The bytes, placeholders replaced (all bound: checked when parsed).
    pub(crate) fn render(&self, vars: &Vars) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in &self.0 {
            match piece {
                Piece::Bytes(b) => out.extend_from_slice(b),
                Piece::Var(name) => out.extend_from_slice(vars.get(name).map_or(&[][..], |v| &v[..])),
            }
        }
        out
    }

    /// The pattern as a reader sees it: bound placeholders replaced.
    pub(crate) fn describe(&self, vars: &Vars) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in &self.0 {
            match piece {
                Piece::Bytes(b) => out.extend_from_slice(b),
                Piece::Var(name) => match vars.get(name) {
                    Some(v) => out.extend_from_slice(v),
                    None => out.extend_from_slice(format!("{{{name}}}").as_bytes()),
                },
            }
        }
        out
    }

    /// Whether `input` matches; new captures go into `vars` only on a match.
    pub(crate) fn matches(&self, input: &[u8], vars: &mut Vars) -> bool {
        let mut captured = Vec::new();
        let mut rest = input;
        for (i, piece) in self.0.iter().enumerate() {
            let value = match piece {
                Piece::Bytes(b) => b.as_slice(),
                Piece::Var(name) => match vars.get(name) {
                    Some(v) => v.as_slice(),
                    None => {
                        // Up to the next byte of the pattern, or the end.
                        let end = match self.0.get(i + 1) {
                            Some(Piece::Bytes(next)) => {
                                rest.iter().position(|&c| c == next[0]).unwrap_or(rest.len())
                            }
                            _ => rest.len(),
                        };
                        if end == 0 {
                            return false;
                        }
                        captured.push((name.clone(), rest[..end].to_vec()));
                        rest = &rest[end..];
                        continue;
                    }
                },
            };
            match rest.strip_prefix(value) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        if !rest.is_empty() {
            return false;
        }
        vars.extend(captured);
        true
    }
}

/// Captured values by placeholder name.
pub(crate) type Vars = std::collections::HashMap<String, Vec<u8>>;

/// The length of a `{name}` placeholder at the start of `text`, if one is.
fn placeholder_len(text: &[u8]) -> Option<usize> {
    let body = text.strip_prefix(b"{")?;
    let end = body.iter().position(|&c| c == b'}')?;
    let name = &body[..end];
    let first_ok = name.first().is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
    let rest_ok = name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_');
    (first_ok && rest_ok).then_some(end + 2)
}

fn unescape(text: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.iter().copied();
    while let Some(c) = bytes.next() {
        if c != b'\\' {
            out.push(c);
            continue;
        }
        match bytes.next() {
            Some(b'r') => out.push(b'\r'),
            Some(b'n') => out.push(b'\n'),
            Some(b't') => out.push(b'\t'),
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') => {
                let hex = [bytes.next().unwrap_or(b'?'), bytes.next().unwrap_or(b'?')];
                let hex = std::str::from_utf8(&hex).unwrap_or("??");
                out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("bad escape \\x{hex}"))?);
            }
            Some(other) => return Err(format!("unknown escape \\{}", other as char)),
            None => return Err("a lone \\ at the end".into()),
        }
    }
    Ok(out)
}

/// Bytes as a reader wants to see them: printable ASCII, escapes for the rest.
pub(crate) fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs.iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect()
    }

    #[test]
    fn steps_and_one_write_per_run_of_sends() {
        let text = "# greeting\n\nS: * OK hi\r\nC: {t} LOGIN a \"b\"\nS: {t} OK\nSB: * 1 EXISTS\\r\\n\nPAUSE 20\nTLS\nDEFLATE\nCB: x\\x00\nCLOSE\n";
        let script = Script::parse("s", text).unwrap();
        let kinds: Vec<_> = script.steps.iter().map(|s| format!("{:?}", s.kind)).collect();
        assert_eq!(script.steps.len(), 8, "{kinds:?}");
        assert_eq!(script.steps[0].at, "s:3");
        match &script.steps[2].kind {
            StepKind::Send(t) => {
                assert_eq!(t.render(&vars(&[("t", "A1")])), b"A1 OK\r\n* 1 EXISTS\r\n");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(script.steps[2].source, "S: {t} OK\nSB: * 1 EXISTS\\r\\n");
        assert!(matches!(script.steps[3].kind, StepKind::Pause(d) if d == Duration::from_millis(20)));
        match &script.steps[6].kind {
            StepKind::ExpectBytes(t) => assert_eq!(t.render(&Vars::new()), b"x\0"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_scripts_say_where() {
        let cases = [
            ("S: {tag} OK\n", "s:1: {tag} is used before a C: line captures it"),
            ("C: x\nJUMP\n", "s:2: unknown step \"JUMP\""),
            ("CLOSE\nS: late\n", "s:2: CLOSE must be the last step"),
            ("PAUSE soon\n", "s:1: PAUSE takes milliseconds"),
            ("SB: \\q\n", "s:1: unknown escape \\q"),
            ("C: {a}{b}\n", "s:1: {a}{b}: two placeholders"),
            ("CB: {t} x\n", "s:1: {t} is used before a C: line captures it"),
            ("# nothing\n", "s: no steps"),
        ];
        for (text, want) in cases {
            let err = Script::parse("s", text).unwrap_err().to_string();
            assert!(err.starts_with(want), "{text:?}: {err}");
        }
    }

    #[test]
    fn patterns_capture_and_reuse() {
        let t = Template::parse(b"{tag} UID FETCH 1:2 (FLAGS)");
        let mut v = Vars::new();
        assert!(!t.matches(b"A7 UID FETCH 1:3 (FLAGS)", &mut v));
        assert!(v.is_empty(), "no capture from a failed match");
        assert!(t.matches(b"A7 UID FETCH 1:2 (FLAGS)", &mut v));
        assert_eq!(v["tag"], b"A7");
        assert!(!t.matches(b"A8 UID FETCH 1:2 (FLAGS)", &mut v), "bound: must be equal");
        let quoted = Template::parse(b"* ESEARCH (TAG \"{s}\") ALL {n}");
        assert!(quoted.matches(b"* ESEARCH (TAG \"X12\") ALL 1:3", &mut v));
        assert_eq!((&v["s"][..], &v["n"][..]), (&b"X12"[..], &b"1:3"[..]));
        assert!(!Template::parse(b"{e} x").matches(b" x", &mut v), "a capture is never empty");
    }

    #[test]
    fn literal_announcements_are_text() {
        let t = Template::parse(b"{tag} APPEND saved {12}");
        assert_eq!(t.0.len(), 2);
        assert_eq!(t.0[1], Piece::Bytes(b" APPEND saved {12}".to_vec()));
        assert_eq!(Template::parse(b"{5+} {x_1}").0.len(), 2);
    }

    #[test]
    fn escaping_round_trip() {
        assert_eq!(escape(b"A1 OK\r\n\x00\\"), "A1 OK\\r\\n\\x00\\\\");
        assert_eq!(unescape(escape(b"\x01a\r\n\\").as_bytes()).unwrap(), b"\x01a\r\n\\");
    }
}
