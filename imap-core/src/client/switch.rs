//! Protocol switches that pause the parser at the exact byte: STARTTLS
//! (bytes already buffered after its OK are an injection attack, RFC 9051
//! section 11.1 and CVE-2011-0411) and COMPRESS=DEFLATE (bytes after its OK
//! are compressed data, inflated inside the engine).

use super::scheduler::Owner;
use super::Client;
use crate::error::ConnectionError;
use crate::event::{Event, Switch};
use crate::request::Completion;
use crate::state::Switching;
use crate::types::Command;

impl Client {
    /// The driver finished the TLS handshake after [`Switch::StartTls`].
    /// Capabilities are forgotten and read again (RFC 9051 section 6.2.1);
    /// the STARTTLS request is ready once they are known.
    pub fn handle_switched(&mut self) {
        if self.switching != Switching::StartTls {
            return;
        }
        self.switching = Switching::None;
        self.queue_engine(Command::Capability);
        self.pump();
    }

    /// Whether a switch is under way (nothing is read or sent meanwhile).
    pub(crate) fn is_switching(&self) -> bool {
        self.switching != Switching::None
    }

    pub(crate) fn starttls_accepted(&mut self, owner: Owner, completion: Completion) {
        let leftover = self.framer.take_unframed();
        // Ready only once the TLS session's capabilities are known; injected
        // bytes end the session first, and STARTTLS with it.
        self.hold_until_capabilities(owner, completion);
        if !leftover.is_empty() {
            self.fail(ConnectionError::StartTlsInjection(leftover.len()));
            return;
        }
        self.switching = Switching::StartTls;
        self.events.push_back(Event::Switch(Switch::StartTls));
    }

    #[cfg(feature = "compress")]
    pub(crate) fn compress_accepted(&mut self, owner: Owner, completion: Completion) {
        // Everything after this OK, already buffered or not, is compressed.
        let leftover = self.framer.take_unframed();
        let mut inflater = crate::ext::compress::Inflater::new();
        let framer = &mut self.framer;
        let result = inflater.inflate(&leftover, |plain| framer.push(plain));
        self.inflater = Some(inflater);
        self.outbound.start_compression();
        self.complete(owner, Ok(completion));
        if let Err(e) = result {
            self.fail(ConnectionError::Compression(e));
        }
    }
}
