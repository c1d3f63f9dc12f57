//! Tagged responses: how a command's end moves the session, and when its
//! result is ready. LOGIN, AUTHENTICATE and STARTTLS are ready only once the
//! capabilities that follow them are known (from the response code or the
//! engine's own CAPABILITY), so the next command is checked against them.

use super::scheduler::{InFlight, Owner};
use super::Client;
use crate::error::{CommandError, ConnectionError, ProtocolError};
use crate::event::Event;
use crate::request::{Completion, Output};
use crate::state::StateName;
use crate::types::{Capabilities, Command, ResponseCode, Status, StatusKind};

impl Client {
    pub(crate) fn handle_tagged(&mut self, status: Status) {
        let Some(tag) = status.tag.clone() else { return };
        let i = self.in_flight.iter().position(|f| f.tag == tag);
        let Some(mut f) = i.and_then(|i| self.in_flight.remove(i)) else {
            self.events.push_back(Event::ProtocolError(ProtocolError::UnknownTag(tag)));
            return;
        };
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
                self.mailbox = Some(r.mailbox.clone());
                self.auto_idle_refused = false;
            }
            (Command::Close | Command::Unselect, _) => self.mailbox = None,
            (Command::Capability, Output::Capabilities(c)) => self.set_capabilities(c.clone()),
            (Command::Capability, _) => self.capabilities_settled(),
            (Command::Enable(_), Output::Enabled(e)) => {
                for c in e.iter() {
                    self.enabled.insert(c.clone());
                }
            }
            (Command::Logout, _) => {
                self.complete(owner, Ok(Completion { status, output }));
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
        self.complete(owner, Ok(completion));
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
            Owner::Engine => {}
        }
    }

    /// The capabilities the server announced (a CAPABILITY response or
    /// code): current again; results waiting for them are released.
    pub(crate) fn set_capabilities(&mut self, caps: Capabilities) {
        self.caps = caps;
        self.capabilities_settled();
    }

    /// The capabilities are as good as the server will tell (also after a
    /// CAPABILITY that failed): release what waited for them.
    fn capabilities_settled(&mut self) {
        self.caps_known = true;
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
        self.state == StateName::Logout && self.in_flight.is_empty()
    }
}
