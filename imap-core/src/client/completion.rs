//! Tagged responses: how a command's end moves the session, and when its
//! result is ready. LOGIN, AUTHENTICATE and STARTTLS are ready only once the
//! capabilities that follow them are known (from the response code or the
//! engine's own CAPABILITY), so the next command is checked against them.

use super::scheduler::{InFlight, Owner, Pending, Queued};
use super::Client;
use crate::error::{CommandError, ConnectionError, ProtocolError, UsageError};
use crate::event::Event;
use crate::request::spec::spec;
use crate::request::{Completion, Output};
use crate::state::StateName;
use crate::types::{Capabilities, Capability, Command, ResponseCode, Status, StatusKind};

impl Client {
    pub(crate) fn handle_tagged(&mut self, status: Status) {
        let Some(tag) = status.tag.clone() else { return };
        let Some(i) = self.in_flight.iter().position(|f| f.tag == tag) else {
            self.events.push_back(Event::ProtocolError(ProtocolError::UnknownTag(tag)));
            return;
        };
        let Some(mut f) = self.in_flight.remove(i) else { return };
        if let Some(ResponseCode::Capability(c)) = &status.code {
            self.set_capabilities(c.clone());
        }
        if let Some(limit) = f.overflow.take() {
            // The result is lost: whatever the server said, the command
            // failed for the application (a SELECT leaves nothing selected).
            self.state = self.state.after_failure(&f.spec);
            if f.spec.deselects_on_failure {
                self.mailbox = None;
            }
            self.complete(f.owner, Err(CommandError::Limit(limit)));
            self.pump();
            return;
        }
        match status.kind {
            StatusKind::Ok => self.succeeded(f, status),
            // Some servers (wp.pl) answer LOGOUT with a tagged BYE: that is
            // the logout succeeding.
            StatusKind::Bye if matches!(f.command, Command::Logout) => {
                self.succeeded(f, Status { kind: StatusKind::Ok, ..status })
            }
            StatusKind::Bye => {
                let err = ConnectionError::Bye(status.text.clone());
                self.complete(f.owner, Err(CommandError::Connection(err.clone())));
                self.fail(err);
            }
            _ => self.failed(f, status),
        }
        self.pump();
    }

    fn failed(&mut self, f: InFlight, status: Status) {
        if f.owner == Owner::Engine && f.idle.is_some() {
            // The server will not IDLE here: no automatic IDLE until the
            // next SELECT.
            self.auto_idle_refused = true;
        }
        self.state = self.state.after_failure(&f.spec);
        if f.spec.deselects_on_failure {
            self.mailbox = None;
        }
        if matches!(f.command, Command::Capability) {
            // Refused: the capabilities are as known as they will be;
            // results held for them (a LOGIN's) must not wait forever.
            self.capabilities_settled();
        }
        let err = match f.sasl.and_then(|s| s.error) {
            // We cancelled the exchange: our reason, not the server's answer to `*`.
            Some(reason) => CommandError::Sasl(reason),
            None if status.kind == StatusKind::No => {
                CommandError::No { code: status.code, text: status.text }
            }
            None => CommandError::Bad { code: status.code, text: status.text },
        };
        self.complete(f.owner, Err(err));
    }

    fn succeeded(&mut self, f: InFlight, status: Status) {
        let InFlight { command, spec, owner, collector, sasl, idle, .. } = f;
        if let Some(mut run) = sasl {
            if let Err(e) = run.verify_success() {
                // The server did not prove itself: the session is not
                // treated as authenticated.
                self.complete(owner, Err(CommandError::Sasl(e)));
                return;
            }
        }
        if let Some(run) = idle {
            if !self.idle_reissue(&run, owner) {
                let output = collector.finish(&status);
                self.complete(owner, Ok(Completion { status, output }));
            }
            return;
        }
        self.state = self.state.after_success(&spec);
        let output = collector.finish(&status);
        match (&command, &output) {
            (Command::Select { .. } | Command::Examine { .. }, Output::Select(r)) => {
                self.mailbox = Some(r.mailbox.detached());
                self.auto_idle_refused = false;
                if r.mailbox.read_only {
                    self.access_changed();
                }
            }
            (Command::Close | Command::Unselect, _) => self.mailbox = None,
            (Command::Capability, Output::Capabilities(c)) => self.set_capabilities(c.clone()),
            (Command::Capability, _) => self.capabilities_settled(),
            (Command::Enable(_), Output::Enabled(e)) => {
                for c in e.iter() {
                    self.enabled.insert(c.clone());
                }
                self.enabled = self.enabled.detached();
            }
            (Command::Logout, _) => {
                // The session is over: results held for capabilities that
                // will never come are what they are; queued commands will
                // never go out.
                for (owner, result) in std::mem::take(&mut self.held) {
                    self.complete(owner, result);
                }
                self.complete(owner, Ok(Completion { status, output }));
                self.drop_queue(UsageError::Closed);
                self.events.push_back(Event::LoggedOut);
                self.outbound.clear();
                return;
            }
            (Command::StartTls, _) => {
                self.starttls_accepted(owner, Completion { status, output });
                return;
            }
            #[cfg(feature = "compress")]
            (Command::Compress, _) => {
                self.compress_accepted(owner, Completion { status, output });
                return;
            }
            _ => {}
        }
        let completion = Completion { status, output };
        if spec.changes_capabilities && !self.caps_known_from(&completion.status) {
            // RFC 9051 6.2: capabilities may change with authentication;
            // the result waits until they are known.
            self.caps = Capabilities::new();
            self.caps_known = false;
            self.queue_engine(Command::Capability);
            self.held.push((owner, Ok(completion)));
            return;
        }
        if spec.changes_capabilities && self.start_utf8_accept() {
            self.held.push((owner, Ok(completion)));
            return;
        }
        self.complete(owner, Ok(completion));
    }

    /// Queues the engine's `ENABLE UTF8=ACCEPT` (RFC 6855 section 3: after
    /// authentication) when [`ClientConfig::utf8_accept`](super::ClientConfig::utf8_accept)
    /// asks and the server offers it, once a session. Returns whether it
    /// did: results of the login then wait for its answer, and it goes out
    /// before anything queued, so every later command is encoded the way
    /// the session ends up.
    fn start_utf8_accept(&mut self) -> bool {
        // It goes before anything queued: what is in flight decides the
        // state it runs in.
        let runs_in = self.in_flight.iter().fold(self.state, |s, f| s.after_success(&f.spec));
        // RFC 6855 section 3: UTF8=ONLY implies UTF8=ACCEPT.
        let offered = self.caps.has(&Capability::Utf8Accept) || self.caps.has(&Capability::Utf8Only);
        let due = self.config.utf8_accept
            && !self.utf8_asked
            && runs_in == StateName::Authenticated
            && self.caps_known
            && offered
            && !self.enabled.has(&Capability::Utf8Accept);
        let command = Command::Enable(vec![Capability::Utf8Accept]);
        if !due || spec(&command).needs.missing(&self.caps).is_some() {
            return false;
        }
        self.utf8_asked = true;
        self.queue_engine(command);
        true
    }

    /// Whether the engine's ENABLE is queued or in flight.
    fn utf8_accept_pending(&self) -> bool {
        let engine_enable =
            |owner: Owner, c: &Command| owner == Owner::Engine && matches!(c, Command::Enable(_));
        self.in_flight.iter().any(|f| engine_enable(f.owner, &f.command))
            || self
                .queue
                .iter()
                .any(|q| matches!(q, Queued::Command(p) if engine_enable(p.owner, &p.command)))
    }

    /// Whether the tagged OK itself announced the capabilities.
    fn caps_known_from(&self, status: &Status) -> bool {
        matches!(status.code, Some(ResponseCode::Capability(_)))
    }

    /// Delivers a result to whoever owns the command.
    pub(crate) fn complete(&mut self, owner: Owner, result: Result<Completion, CommandError>) {
        match owner {
            Owner::User(id) => self.deliver(id, result),
            Owner::Plan { plan, step } => self.plan_result(plan, step, result),
            // Its ENABLE answered (or not sent at all): what waited goes on.
            Owner::Engine => self.release_held(),
        }
    }

    /// The capabilities the server announced (a CAPABILITY response or
    /// code): current again; results waiting for them are released.
    pub(crate) fn set_capabilities(&mut self, caps: Capabilities) {
        // Kept for the whole session: not a slice of the receive buffer.
        self.caps = caps.detached();
        self.capabilities_settled();
    }

    /// The capabilities are as good as the server will tell (also after a
    /// CAPABILITY that failed): release what waited for them.
    fn capabilities_settled(&mut self) {
        self.caps_known = true;
        if !self.start_utf8_accept() {
            self.release_held();
        }
    }

    /// Delivers the results held for the capabilities or the engine's
    /// ENABLE, unless one of them is still awaited.
    fn release_held(&mut self) {
        if !self.caps_known || self.utf8_accept_pending() {
            return;
        }
        for (owner, result) in std::mem::take(&mut self.held) {
            self.complete(owner, result);
        }
    }

    /// A result held until the capabilities are known (a STARTTLS whose
    /// switch is under way).
    pub(crate) fn hold_until_capabilities(&mut self, owner: Owner, completion: Completion) {
        self.caps = Capabilities::new();
        self.caps_known = false;
        self.held.push((owner, Ok(completion)));
    }

    /// Whether the session still has somewhere to go (for EOF handling).
    pub(crate) fn logged_out_cleanly(&self) -> bool {
        self.state == StateName::Logout
            && self.in_flight.is_empty()
            && self.held.is_empty()
            && self.queue.is_empty()
    }

    /// Completes everything still queued with `why` (never sent).
    fn drop_queue(&mut self, why: UsageError) {
        for q in self.queue.take_all() {
            let id = match q {
                Queued::Command(Pending { owner: Owner::User(id), .. }) => id,
                Queued::Plan(run) if !run.over => run.id,
                _ => continue,
            };
            self.deliver(id, Err(CommandError::NotSent(why.clone())));
        }
    }
}
