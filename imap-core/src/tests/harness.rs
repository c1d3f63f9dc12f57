//! The scripted server side.

use std::time::{Duration, Instant};

use std::collections::HashMap;

use crate::client::{Client, ClientConfig};
use crate::event::Event;
use crate::request::{self, AnyHandle, CommandId, Completion, Output, Request};
use crate::types::{Command, Response, Tag};
use crate::{CommandError, ConnectionError};

/// How bytes are split on their way in (server to client) and out.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Chunking {
    Whole,
    Bytewise,
    Random(u64),
    /// Random chunks read into the engine's own buffer
    /// (`input_buffer` + `commit_input`) instead of `handle_input`.
    ReadInto(u64),
}

/// A tiny deterministic PRNG (xorshift) so chunkings are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

pub(crate) struct Harness {
    pub(crate) client: Client,
    pub(crate) now: Instant,
    chunking: Chunking,
    rng: Rng,
    /// Client bytes written and not yet checked by `expect_client`.
    pub(crate) sent: Vec<u8>,
    /// Events polled and not yet taken.
    pub(crate) events: Vec<Event>,
    /// The handle of each request submitted through the harness, by tag.
    handles: HashMap<Tag, AnyHandle>,
    /// COMPRESS on the server side of the script.
    #[cfg(feature = "compress")]
    server_deflate: Option<crate::ext::compress::Deflater>,
    #[cfg(feature = "compress")]
    server_inflate: Option<crate::ext::compress::Inflater>,
}

impl Harness {
    pub(crate) fn new(chunking: Chunking) -> Self {
        Self::with_config(chunking, ClientConfig::default())
    }

    pub(crate) fn with_config(chunking: Chunking, config: ClientConfig) -> Self {
        let seed = match chunking {
            Chunking::Random(s) | Chunking::ReadInto(s) => s | 1,
            _ => 1,
        };
        let mut h = Self {
            client: Client::new(config),
            now: Instant::now(),
            chunking,
            rng: Rng(seed),
            sent: Vec::new(),
            events: Vec::new(),
            handles: HashMap::new(),
            #[cfg(feature = "compress")]
            server_deflate: None,
            #[cfg(feature = "compress")]
            server_inflate: None,
        };
        h.client.handle_timeout(h.now);
        h
    }

    fn chunk_len(&mut self, left: usize) -> usize {
        match self.chunking {
            Chunking::Whole => left,
            Chunking::Bytewise => 1,
            Chunking::Random(_) | Chunking::ReadInto(_) => 1 + (self.rng.next() as usize % 64).min(left - 1),
        }
    }

    /// Hands the engine `bytes` as the transport would.
    fn feed(&mut self, bytes: &[u8]) {
        if let Chunking::ReadInto(_) = self.chunking {
            let room = self.client.input_buffer();
            let n = bytes.len().min(room.len());
            room[..n].copy_from_slice(&bytes[..n]);
            self.client.commit_input(n);
            if n < bytes.len() {
                self.feed(&bytes[n..]);
            }
        } else {
            self.client.handle_input(bytes);
        }
    }

    /// The server sends these bytes (compressed if the script turned
    /// COMPRESS on).
    pub(crate) fn server(&mut self, bytes: &[u8]) {
        #[cfg(feature = "compress")]
        let compressed;
        #[cfg(feature = "compress")]
        let bytes: &[u8] = match self.server_deflate.as_mut() {
            Some(d) => {
                let mut out = Vec::new();
                d.deflate(bytes, &mut out).unwrap();
                compressed = out;
                &compressed
            }
            None => bytes,
        };
        let mut i = 0;
        while i < bytes.len() {
            let n = self.chunk_len(bytes.len() - i);
            self.feed(&bytes[i..i + n]);
            i += n;
            self.pump();
        }
        self.pump();
    }

    /// The server sends these bytes as they are (never compressed), split
    /// by the chunking.
    #[cfg_attr(not(feature = "compress"), allow(dead_code))]
    pub(crate) fn server_raw(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            let n = self.chunk_len(bytes.len() - i);
            self.feed(&bytes[i..i + n]);
            i += n;
            self.pump();
        }
        self.pump();
    }

    /// Server-side COMPRESS: from now on the script's bytes are deflated and
    /// the client's are inflated.
    #[cfg(feature = "compress")]
    pub(crate) fn server_starts_compression(&mut self) {
        self.server_deflate = Some(crate::ext::compress::Deflater::new());
        self.server_inflate = Some(crate::ext::compress::Inflater::new());
    }

    /// Writes out what the client transmits (in partial writes), ticks the
    /// clock and drains events.
    pub(crate) fn pump(&mut self) {
        self.client.handle_timeout(self.now);
        self.transmit();
        // The documented order: the clock ticks after the transport moved.
        self.client.handle_timeout(self.now);
        // Arm the timer as a driver would: a deadline already due fires now.
        for _ in 0..4 {
            match self.client.poll_timeout() {
                Some(deadline) if deadline <= self.now => {
                    self.client.handle_timeout(self.now);
                    self.transmit();
                }
                _ => break,
            }
        }
        while let Some(e) = self.client.poll_event() {
            self.events.push(e);
        }
    }

    /// Writes out everything the client transmits, in partial writes.
    fn transmit(&mut self) {
        while let Some(out) = self.client.poll_transmit() {
            let len = out.len();
            let n = match self.chunking {
                Chunking::Whole => len,
                Chunking::Bytewise => 1,
                Chunking::Random(_) | Chunking::ReadInto(_) => {
                    1 + (self.rng.next() as usize % 97).min(len - 1)
                }
            };
            let chunk = out[..n].to_vec();
            #[cfg(feature = "compress")]
            if let Some(inf) = self.server_inflate.as_mut() {
                let sent = &mut self.sent;
                inf.inflate(&chunk, |b| sent.extend_from_slice(b)).unwrap();
                self.client.advance_transmit(n);
                continue;
            }
            self.sent.extend_from_slice(&chunk);
            self.client.advance_transmit(n);
        }
    }

    /// Asserts the client has sent exactly these bytes since the last check.
    #[track_caller]
    pub(crate) fn expect_client(&mut self, expected: &[u8]) {
        self.pump();
        assert_eq!(
            String::from_utf8_lossy(&self.sent),
            String::from_utf8_lossy(expected),
            "client bytes ({:?})",
            self.chunking
        );
        self.sent.clear();
    }

    /// Asserts the client has sent nothing since the last check.
    #[track_caller]
    pub(crate) fn expect_silence(&mut self) {
        self.expect_client(b"");
    }

    /// Submits a command (or a request) and returns its tag.
    pub(crate) fn enqueue(&mut self, request: impl IntoRequest) -> Tag {
        self.try_enqueue(request).expect("enqueue")
    }

    /// Submits a command (or a request); the usage error if refused.
    pub(crate) fn try_enqueue(&mut self, request: impl IntoRequest) -> Result<Tag, crate::UsageError> {
        let handle = self.client.submit(request.into_request())?;
        let tag = handle.tag().cloned().expect("a single command has a tag");
        self.handles.insert(tag.clone(), handle);
        self.pump();
        Ok(tag)
    }

    /// Submits a command without pumping (its bytes stay queued).
    pub(crate) fn enqueue_unsent(&mut self, request: impl IntoRequest) -> Tag {
        let handle = self.client.submit(request.into_request()).expect("submit");
        let tag = handle.tag().cloned().expect("a single command has a tag");
        self.handles.insert(tag.clone(), handle);
        tag
    }

    /// Submits an interactive AUTHENTICATE.
    pub(crate) fn try_enqueue_interactive(
        &mut self,
        mechanism: &str,
        initial_response: Option<Vec<u8>>,
    ) -> Result<Tag, crate::UsageError> {
        self.try_enqueue(request::authenticate_interactive(mechanism, initial_response))
    }

    /// The id of the request submitted under `tag`.
    #[track_caller]
    pub(crate) fn id(&self, tag: &Tag) -> CommandId {
        self.handles.get(tag).unwrap_or_else(|| panic!("no request under {tag}")).id()
    }

    /// The tag of the request with this id.
    pub(crate) fn tag_of(&self, id: CommandId) -> Option<&Tag> {
        self.handles.iter().find(|(_, h)| h.id() == id).map(|(t, _)| t)
    }

    /// Streamed messages of the request under `tag` taken so far.
    pub(crate) fn fetched(&mut self, tag: &Tag) -> Vec<crate::types::Fetch> {
        self.pump();
        let handle = self.handles.get(tag).cloned().expect("submitted");
        std::iter::from_fn(|| self.client.take_fetched(&handle)).collect()
    }

    pub(crate) fn advance(&mut self, d: Duration) {
        self.now += d;
        self.pump();
    }

    pub(crate) fn take_events(&mut self) -> Vec<Event> {
        self.pump();
        std::mem::take(&mut self.events)
    }

    /// Removes the `Ready` event of `tag` and returns its result; panics if
    /// it is not ready.
    #[track_caller]
    pub(crate) fn completed(&mut self, tag: &Tag) -> Result<Completion, CommandError> {
        self.pump();
        let id = self.id(tag);
        let i = self
            .events
            .iter()
            .position(|e| *e == Event::Ready(id))
            .unwrap_or_else(|| panic!("no completion for {tag}; events: {:#?}", self.events));
        self.events.remove(i);
        // A streaming FETCH is ready once its messages are taken.
        let _ = self.fetched(tag);
        self.client.take_completion(id).expect("a ready request has a result")
    }

    /// Asserts `tag` has not completed yet.
    #[track_caller]
    pub(crate) fn not_completed(&mut self, tag: &Tag) {
        self.pump();
        let id = self.id(tag);
        assert!(!self.events.iter().any(|e| *e == Event::Ready(id)), "{tag} completed early");
    }

    /// A greeting with capabilities, consumed.
    pub(crate) fn greet(&mut self, caps: &str) {
        self.server(format!("* OK [CAPABILITY {caps}] ready\r\n").as_bytes());
        let events = self.take_events();
        assert!(matches!(events.as_slice(), [Event::Greeting(_)]), "{events:?}");
    }

    /// Logs in with LOGIN (the OK carries the capabilities).
    pub(crate) fn login(&mut self, caps: &str) {
        let tag = self.enqueue(crate::types::Command::login("u", "p"));
        self.expect_client(format!("{tag} LOGIN u \"p\"\r\n").as_bytes());
        self.server(format!("{tag} OK [CAPABILITY {caps}] in\r\n").as_bytes());
        self.completed(&tag).unwrap();
    }

    /// Selects INBOX with `exists` messages (UIDVALIDITY 1, UIDNEXT
    /// `exists + 1`), checking the bytes; no event is left behind.
    pub(crate) fn select(&mut self, exists: u32) {
        let tag = self.enqueue(crate::types::Command::select("INBOX"));
        self.expect_client(format!("{tag} SELECT INBOX\r\n").as_bytes());
        self.server(
            format!(
                "* {exists} EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Deleted)\r\n\
                 * OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT {}] ok\r\n{tag} OK [READ-WRITE] selected\r\n",
                exists + 1
            )
            .as_bytes(),
        );
        self.completed(&tag).unwrap();
        let left = self.take_events();
        assert!(left.is_empty(), "{left:?}");
    }

    /// Greeting with `caps`, LOGIN (the OK repeats `caps`), SELECT INBOX
    /// with `exists` messages.
    pub(crate) fn selected(&mut self, caps: &str, exists: u32) {
        self.greet(caps);
        self.login(caps);
        self.select(exists);
    }

    /// The output of a successful command, of the kind `T` names.
    #[track_caller]
    pub(crate) fn output<T: FromOutput>(&mut self, tag: &Tag) -> T {
        let completion = self.completed(tag).unwrap_or_else(|e| panic!("{tag} failed: {e:?}"));
        let kind = completion.output.kind();
        T::from_output(completion.output).unwrap_or_else(|| panic!("{tag}: unexpected output {kind}"))
    }

    /// The error of a failed command.
    #[track_caller]
    pub(crate) fn failed(&mut self, tag: &Tag) -> CommandError {
        match self.completed(tag) {
            Ok(c) => panic!("{tag} succeeded: {c:?}"),
            Err(e) => e,
        }
    }

    /// Removes and returns the unsolicited responses polled so far.
    pub(crate) fn unsolicited(&mut self) -> Vec<Response> {
        self.take_matching(|e| match e {
            Event::Unsolicited(r) => Some(r.clone()),
            _ => None,
        })
    }

    /// Removes and returns the `ConnectionLost` errors polled so far.
    pub(crate) fn connection_lost(&mut self) -> Vec<ConnectionError> {
        self.take_matching(|e| match e {
            Event::ConnectionLost(c) => Some(c.clone()),
            _ => None,
        })
    }

    /// Removes the polled events `pick` takes, in order; the others stay.
    fn take_matching<T>(&mut self, pick: impl Fn(&Event) -> Option<T>) -> Vec<T> {
        self.pump();
        let mut out = Vec::new();
        self.events.retain(|e| match pick(e) {
            Some(t) => {
                out.push(t);
                false
            }
            None => true,
        });
        out
    }

    /// How many completions of `tag` were polled so far (not removed).
    pub(crate) fn completions_of(&mut self, tag: &Tag) -> usize {
        self.pump();
        let id = self.id(tag);
        self.events.iter().filter(|e| **e == Event::Ready(id)).count()
    }

    /// The chunking this harness feeds with.
    pub(crate) fn chunking(&self) -> Chunking {
        self.chunking
    }
}

/// Whole, byte by byte, six random chunkings, and two read into the
/// engine's own buffer.
pub(crate) fn all_chunkings() -> Vec<Chunking> {
    let mut chunkings = vec![Chunking::Whole, Chunking::Bytewise];
    chunkings.extend((1..=6).map(|s| Chunking::Random(s * 0x9e37_79b9)));
    chunkings.extend((7..=8).map(|s| Chunking::ReadInto(s * 0x9e37_79b9)));
    chunkings
}

/// Runs a scenario fed whole, byte by byte and in several random chunkings.
pub(crate) fn run_all_chunkings(scenario: impl Fn(&mut Harness)) {
    run_all_chunkings_with(ClientConfig::default, scenario);
}

/// As [`run_all_chunkings`], with a client built from `config()`.
pub(crate) fn run_all_chunkings_with(config: impl Fn() -> ClientConfig, scenario: impl Fn(&mut Harness)) {
    for c in all_chunkings() {
        let mut h = Harness::with_config(c, config());
        scenario(&mut h);
    }
}

/// What the harness submits: a command, or any request.
pub(crate) trait IntoRequest {
    fn into_request(self) -> Request<Completion>;
}

impl IntoRequest for Command {
    fn into_request(self) -> Request<Completion> {
        request::command(self)
    }
}

impl<T> IntoRequest for Request<T> {
    fn into_request(self) -> Request<Completion> {
        self.erase()
    }
}

/// Reads one kind of [`Output`] (tests only: requests are typed).
pub(crate) trait FromOutput: Sized {
    fn from_output(output: Output) -> Option<Self>;
}

macro_rules! from_output {
    ($($ty:ty => $($variant:ident)|+),* $(,)?) => {$(
        impl FromOutput for $ty {
            fn from_output(output: Output) -> Option<Self> {
                match output {
                    $(Output::$variant(v) => Some(v),)+
                    _ => None,
                }
            }
        }
    )*};
}

from_output! {
    crate::types::Capabilities => Capabilities | Enabled,
    crate::request::SelectResult => Select,
    Vec<crate::request::ListEntry> => List,
    crate::request::MailboxStatus => Status,
    crate::request::SearchResult => Search | Sort,
    crate::types::ESearch => ESearch,
    Vec<crate::types::Thread> => Thread,
    Vec<crate::types::Fetch> => Fetch,
    u32 => Streamed,
    crate::request::StoreResult => Store,
    crate::request::CopyResult => Copy,
    crate::request::MoveResult => Move,
    crate::request::ExpungeResult => Expunge,
    crate::request::AppendResult => Append,
    crate::types::Namespaces => Namespace,
    crate::request::QuotaResult => Quota,
    Vec<crate::types::AclEntry> => Acl,
    crate::request::ListRightsResult => ListRights,
    Vec<crate::types::MetadataEntry> => Metadata,
    Vec<crate::types::Annotation> => Annotation,
    Vec<Response> => Raw,
}

impl FromOutput for crate::request::MailboxInfo {
    fn from_output(output: Output) -> Option<Self> {
        crate::request::SelectResult::from_output(output).map(|s| s.mailbox)
    }
}
