//! The scripted server side.

use std::time::{Duration, Instant};

use crate::client::{Client, ClientConfig};
use crate::event::Event;
use crate::request::{Completion, Request};
use crate::types::Tag;
use crate::CommandError;

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
        loop {
            let Some(out) = self.client.poll_transmit() else { break };
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
        while let Some(e) = self.client.poll_event() {
            self.events.push(e);
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
        self.expect_client(format!("{tag} LOGIN u p\r\n").as_bytes());
        self.server(format!("{tag} OK [CAPABILITY {caps}] in\r\n").as_bytes());
        self.completed(&tag).unwrap();
    }
}

/// Runs a scenario fed whole, byte by byte and in several random chunkings.
pub(crate) fn run_all_chunkings(scenario: impl Fn(&mut Harness)) {
    let mut chunkings = vec![Chunking::Whole, Chunking::Bytewise];
    chunkings.extend((1..=6).map(|s| Chunking::Random(s * 0x9e37_79b9)));
    for c in chunkings {
        let mut h = Harness::new(c);
        scenario(&mut h);
    }
}
