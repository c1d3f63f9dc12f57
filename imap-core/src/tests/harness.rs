//! The scripted server side.

use std::time::{Duration, Instant};

use crate::client::{Client, ClientConfig};
use crate::event::Event;
use crate::request::{Completion, Output, Request};
use crate::types::{Response, Tag};
use crate::{CommandError, ConnectionError};

/// How bytes are split on their way in (server to client) and out.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Chunking {
    Whole,
    Bytewise,
    Random(u64),
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
            Chunking::Random(s) => s | 1,
            _ => 1,
        };
        let mut h = Self {
            client: Client::new(config),
            now: Instant::now(),
            chunking,
            rng: Rng(seed),
            sent: Vec::new(),
            events: Vec::new(),
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
            Chunking::Random(_) => 1 + (self.rng.next() as usize % 64).min(left - 1),
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
            self.client.handle_input(&bytes[i..i + n]);
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
            self.client.handle_input(&bytes[i..i + n]);
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
                Chunking::Random(_) => 1 + (self.rng.next() as usize % 97).min(len - 1),
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

    pub(crate) fn enqueue(&mut self, request: impl Into<Request>) -> Tag {
        let tag = self.client.enqueue(request).expect("enqueue");
        self.pump();
        tag
    }

    pub(crate) fn advance(&mut self, d: Duration) {
        self.now += d;
        self.pump();
    }

    pub(crate) fn take_events(&mut self) -> Vec<Event> {
        self.pump();
        std::mem::take(&mut self.events)
    }

    /// Removes and returns the completion of `tag`; panics if absent.
    #[track_caller]
    pub(crate) fn completed(&mut self, tag: &Tag) -> Result<Completion, CommandError> {
        self.pump();
        let i = self
            .events
            .iter()
            .position(|e| matches!(e, Event::Completed { tag: t, .. } if t == tag))
            .unwrap_or_else(|| panic!("no completion for {tag}; events: {:#?}", self.events));
        match self.events.remove(i) {
            Event::Completed { result, .. } => result,
            _ => unreachable!(),
        }
    }

    /// Asserts `tag` has not completed yet.
    #[track_caller]
    pub(crate) fn not_completed(&mut self, tag: &Tag) {
        self.pump();
        assert!(
            !self.events.iter().any(|e| matches!(e, Event::Completed { tag: t, .. } if t == tag)),
            "{tag} completed early"
        );
    }

    /// A greeting with capabilities, consumed.
    pub(crate) fn greet(&mut self, caps: &str) {
        self.server(format!("* OK [CAPABILITY {caps}] ready\r\n").as_bytes());
        let events = self.take_events();
        assert!(matches!(events.as_slice(), [Event::Greeting(_)]), "{events:?}");
    }

    /// Logs in with LOGIN (the OK carries the capabilities).
    pub(crate) fn login(&mut self, caps: &str) {
        let tag = self.enqueue(crate::Command::login("u", "p"));
        self.expect_client(format!("{tag} LOGIN u \"p\"\r\n").as_bytes());
        self.server(format!("{tag} OK [CAPABILITY {caps}] in\r\n").as_bytes());
        self.completed(&tag).unwrap();
    }

    /// Selects INBOX with `exists` messages (UIDVALIDITY 1, UIDNEXT
    /// `exists + 1`), checking the bytes; no event is left behind.
    pub(crate) fn select(&mut self, exists: u32) {
        let tag = self.enqueue(crate::Command::select("INBOX"));
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

    /// The typed output of a successful command.
    #[track_caller]
    pub(crate) fn output<T>(&mut self, tag: &Tag) -> T
    where
        T: TryFrom<Output>,
        T::Error: std::fmt::Debug,
    {
        let completion = self.completed(tag).unwrap_or_else(|e| panic!("{tag} failed: {e:?}"));
        completion.output.try_into().expect("output of the expected kind")
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
        self.events.iter().filter(|e| matches!(e, Event::Completed { tag: t, .. } if t == tag)).count()
    }

    /// The chunking this harness feeds with.
    pub(crate) fn chunking(&self) -> Chunking {
        self.chunking
    }
}

/// Whole, byte by byte, and six random chunkings.
pub(crate) fn all_chunkings() -> Vec<Chunking> {
    let mut chunkings = vec![Chunking::Whole, Chunking::Bytewise];
    chunkings.extend((1..=6).map(|s| Chunking::Random(s * 0x9e37_79b9)));
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
