//! Bytes from the server: framed, parsed, and handed to the part of the
//! engine each response concerns.

use bytes::Bytes;

use super::trace::Direction;
use super::Client;
use crate::error::{ConnectionError, ProtocolError, ResponseError};
use crate::event::Event;
use crate::parse::Frame;
use crate::request::{Completion, Output};
use crate::state::{LogoutPhase, StateName};
use crate::types::{ByteStr, Capability, Command, Continue, Response, Status, StatusKind, Tag};

/// While no receive area made since the last release was larger, the
/// area is given back as soon as nothing is asked (see `release_early`).
const SMALL_AREA: usize = 16 * 1024;

impl Client {
    /// Feeds bytes received from the server (any split of the stream).
    pub fn handle_input(&mut self, data: &[u8]) {
        if self.closed.is_some() || data.is_empty() {
            return;
        }
        if self.is_switching() {
            // Plaintext after the STARTTLS OK and before the handshake.
            self.fail(ConnectionError::StartTlsInjection(data.len()));
            return;
        }
        let frames = self.frames;
        #[cfg(feature = "compress")]
        if let Some(inflater) = self.inflater.as_mut() {
            let framer = &mut self.framer;
            if let Err(e) = inflater.inflate(data, |plain| framer.push(plain)) {
                self.fail(ConnectionError::Compression(e));
                return;
            }
            self.process_input();
            self.count_partial_progress(frames);
            self.release_early();
            return;
        }
        self.framer.push(data);
        self.process_input();
        self.count_partial_progress(frames);
        self.release_early();
    }

    /// What counts as progress for the response timeout (see
    /// `ClientConfig::response_timeout`): a response for a command, a few
    /// unsolicited ones (keepalives such as Dovecot's `* OK Searched 50%`
    /// during a long SEARCH), or a chunk of a response still coming (a big
    /// literal). Not: bytes being dropped (an endless line, a literal over
    /// the limit), nor a flood of unsolicited data. So a server that
    /// streams without ever answering still times out.
    fn count_partial_progress(&mut self, frames_before: u64) {
        if self.frames == frames_before && self.framer.is_mid_response() && !self.framer.is_discarding() {
            self.progress += 1;
        }
    }

    /// Counts one framed response as progress (see above).
    fn count_frame(&mut self, unsolicited_before: u32) {
        /// Unsolicited responses in a row that still count as progress.
        const KEEPALIVES: u32 = 1_000;
        self.frames += 1;
        if self.unsolicited_run == unsolicited_before {
            self.unsolicited_run = 0;
            self.progress += 1;
        } else if self.unsolicited_run <= KEEPALIVES {
            self.progress += 1;
        }
    }

    /// Room to read the server's bytes into, without a copy: read from the
    /// transport into this slice, then [`commit_input`](Self::commit_input)
    /// how many bytes arrived. Equivalent to reading into a buffer of one's
    /// own and calling [`handle_input`](Self::handle_input), one pass over
    /// the data cheaper. Read only while [`wants_read`](Self::wants_read).
    ///
    /// ```
    /// use imap_core::{Client, ClientConfig, Event};
    /// let mut client = Client::new(ClientConfig::default());
    /// let wire = b"* OK [CAPABILITY IMAP4rev1] hi\r\n";
    /// let room = client.input_buffer();
    /// room[..wire.len()].copy_from_slice(wire); // socket.read(room)
    /// client.commit_input(wire.len());
    /// assert!(matches!(client.poll_event(), Some(Event::Greeting(_))));
    /// ```
    pub fn input_buffer(&mut self) -> &mut [u8] {
        #[cfg(feature = "compress")]
        if self.inflater.is_some() {
            // Compressed bytes go through the inflater: a staging area.
            if self.staging.len() < 64 * 1024 {
                self.staging.resize(64 * 1024, 0);
            }
            return &mut self.staging[..];
        }
        self.framer.read_buf()
    }

    /// Takes the first `n` bytes of [`input_buffer`](Self::input_buffer)
    /// as received from the server.
    pub fn commit_input(&mut self, n: usize) {
        if self.closed.is_some() || n == 0 {
            return;
        }
        #[cfg(feature = "compress")]
        if self.inflater.is_some() {
            let staging = std::mem::take(&mut self.staging);
            self.handle_input(&staging[..n.min(staging.len())]);
            self.staging = staging;
            return;
        }
        if self.is_switching() {
            // Plaintext after the STARTTLS OK and before the handshake.
            self.fail(ConnectionError::StartTlsInjection(n));
            return;
        }
        let frames = self.frames;
        self.framer.commit(n);
        self.process_input();
        self.count_partial_progress(frames);
        self.release_early();
    }

    /// Gives back the receive area when no response is partly received;
    /// the next [`input_buffer`](Self::input_buffer) starts small again
    /// (4 KiB, doubling while reads fill it), and the room left in the
    /// engine's queues by busier moments goes too. Returns whether memory
    /// was given back. [`ClientConfig::release_buffers_after`](super::ClientConfig::release_buffers_after)
    /// has the engine do it by itself once a connection is quiet.
    pub fn release_buffers(&mut self) -> bool {
        #[cfg(feature = "compress")]
        {
            self.staging = Vec::new();
        }
        if !self.framer.release() {
            return false;
        }
        // The bookkeeping's room too: a few commands in flight once leave
        // ~7 KiB of capacity behind, more than a quiet connection's state.
        self.queue.shrink_to_fit();
        self.in_flight.shrink_to_fit();
        self.slots.shrink_to_fit();
        self.events.shrink_to_fit();
        self.held.shrink_to_fit();
        true
    }

    /// With [`ClientConfig::release_buffers_after`](super::ClientConfig::release_buffers_after)
    /// set, the receive buffer goes without waiting for the quiet time when
    /// that costs nothing later: in IDLE (only news awaited, for minutes),
    /// and when nothing at all is in flight and no receive area since the
    /// last release was over 16 KiB (a greeting's, short replies'). Never
    /// in the middle of a response. A thousand connections opening to IDLE
    /// then never hold a buffer each at once; an area a large FETCH grew
    /// waits for the quiet time, so back-to-back FETCHes reuse it instead
    /// of faulting in fresh memory.
    fn release_early(&mut self) {
        if self.config.release_buffers_after.is_none() || !self.holds_input_buffers() {
            return;
        }
        // IDLE is a barrier: when it runs it is the only command in flight.
        let idling = self.in_flight.len() == 1 && self.queue.is_empty() && self.is_idling();
        let nothing_asked = self.in_flight.is_empty() && self.queue.is_empty();
        if idling || (nothing_asked && self.framer.area_peak() <= SMALL_AREA) {
            self.release_buffers();
        }
    }

    /// Whether a receive buffer is held (to give back).
    pub(crate) fn holds_input_buffers(&self) -> bool {
        #[cfg(feature = "compress")]
        if self.staging.capacity() > 0 {
            return true;
        }
        self.framer.capacity() > 0
    }

    /// The server closed the connection (or the transport failed).
    pub fn handle_eof(&mut self) {
        if self.closed.is_some() || self.logged_out_cleanly() {
            return;
        }
        if self.logout == LogoutPhase::ByeSeen {
            // BYE then EOF before the tagged OK: LOGOUT did its job.
            let logout = self.in_flight.iter().position(|f| matches!(f.command, Command::Logout));
            if let Some(f) = logout.and_then(|i| self.in_flight.remove(i)) {
                let status = Status {
                    tag: None,
                    kind: StatusKind::Ok,
                    code: None,
                    text: ByteStr::from_static("connection closed after BYE"),
                };
                self.complete(f.owner, Ok(Completion { status, output: Output::Done }));
                self.state = StateName::Logout;
                self.events.push_back(Event::LoggedOut);
            }
            if self.in_flight.is_empty() && self.queue.is_empty() {
                // A clean end: no connection error (the state says Logout).
                return;
            }
        }
        let mid_response = self.framer.is_mid_response();
        self.fail(ConnectionError::Eof { mid_response });
    }

    /// Frames and handles every complete response buffered, as long as the
    /// application keeps up (backpressure).
    pub(crate) fn process_input(&mut self) {
        loop {
            if self.closed.is_some() || self.is_switching() {
                return;
            }
            if self.held_back() {
                return;
            }
            match self.framer.next_frame() {
                Ok(None) => return,
                Ok(Some(Frame::Response(raw))) => {
                    // A `+` for a SASL exchange is traced redacted when handled.
                    let sasl_challenge = raw.first() == Some(&b'+')
                        && self.in_flight.iter().all(|f| f.unsent.is_empty())
                        && self.in_flight.iter().any(|f| f.sasl.is_some());
                    if !sasl_challenge {
                        self.trace.push_wire(Direction::Received, &raw);
                    }
                    let parsed = if self.enabled.has(&Capability::Utf8Accept) {
                        crate::parse::parse_response_utf8(&raw, &self.config.parse)
                    } else {
                        crate::parse::parse_response(&raw, &self.config.parse)
                    };
                    let unsolicited = self.unsolicited_run;
                    self.frame_len = raw.len() as u64;
                    match parsed {
                        Ok(response) => self.handle_response(response),
                        Err(e) => {
                            // Garbage counts as unsolicited.
                            self.unsolicited_run = self.unsolicited_run.saturating_add(1);
                            self.handle_malformed(e, &raw);
                        }
                    }
                    self.count_frame(unsolicited);
                }
                Ok(Some(Frame::Skipped(limit))) => {
                    self.frames += 1;
                    if self.state == StateName::Greeting {
                        // Nothing sensible can follow a greeting that long.
                        self.fail(ConnectionError::MalformedGreeting(ResponseError::Limit(limit)));
                        return;
                    }
                    self.events.push_back(Event::ResponseError(ResponseError::Limit(limit)));
                }
                Err(e) => {
                    self.fail(ConnectionError::Framing(e));
                    return;
                }
            }
        }
    }

    /// A response that does not parse is reported and dropped. A greeting
    /// that does not parse ends the connection at once (nothing else could
    /// follow); a tagged completion of a command in flight still completes
    /// it with what can be read of it, so it never hangs.
    fn handle_malformed(&mut self, error: ResponseError, raw: &Bytes) {
        if self.state == StateName::Greeting {
            self.fail(ConnectionError::MalformedGreeting(error));
            return;
        }
        self.events.push_back(Event::ResponseError(error));
        let mut words = raw.splitn(3, |&c| c == b' ');
        let (Some(tag), Some(kind)) = (words.next(), words.next()) else { return };
        let kind = kind.strip_suffix(b"\r\n").unwrap_or(kind);
        let kind = if kind.eq_ignore_ascii_case(b"OK") {
            StatusKind::Ok
        } else if kind.eq_ignore_ascii_case(b"NO") {
            StatusKind::No
        } else if kind.eq_ignore_ascii_case(b"BAD") {
            StatusKind::Bad
        } else {
            return;
        };
        if tag == b"*" || tag == b"+" {
            return;
        }
        if self.in_flight.iter().any(|f| f.tag.as_bytes() == tag) {
            let text = words.next().map(|t| ByteStr::from(String::from_utf8_lossy(t).trim_end().to_owned()));
            let status = Status {
                tag: Some(Tag::from_parsed(Bytes::copy_from_slice(tag))),
                kind,
                code: None,
                text: text.unwrap_or_default(),
            };
            self.handle_tagged(status);
        }
    }

    fn handle_response(&mut self, response: Response) {
        match response {
            Response::Continue(c) => self.handle_continue(c),
            Response::Status(s) if s.tag.is_some() => self.handle_tagged(s),
            Response::Status(s) => self.handle_untagged_status(s),
            Response::Data(d) => self.handle_data(d),
        }
    }

    /// `+`: goes to the literal waiting for it, else a running AUTHENTICATE,
    /// else a starting IDLE; anything else is a protocol error.
    fn handle_continue(&mut self, cont: Continue) {
        if let Some(i) = self.in_flight.iter().position(|f| !f.unsent.is_empty()) {
            let mut unsent = std::mem::take(&mut self.in_flight[i].unsent);
            if let Some(crate::encode::Fragment::Literal { data, .. }) = unsent.pop_front() {
                self.send(data);
            }
            self.send_until_sync(&mut unsent);
            let done = unsent.is_empty();
            self.in_flight[i].unsent = unsent;
            if done {
                self.pump();
            }
            return;
        }
        if let Some(i) = self.in_flight.iter().position(|f| f.sasl.is_some()) {
            self.sasl_challenge(i, cont);
            return;
        }
        let starting = self
            .in_flight
            .iter()
            .position(|f| f.idle.as_ref().is_some_and(|r| r.phase == crate::state::IdlePhase::Starting));
        if let Some(i) = starting {
            self.idle_accepted(i);
            return;
        }
        self.events.push_back(Event::ProtocolError(ProtocolError::UnexpectedContinuation));
    }
}
