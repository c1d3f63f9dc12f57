//! Admission: requests come in, are checked against the session they will
//! run in (state, capabilities, arguments), get a tag and a slot, and wait
//! in the queue; or they are abandoned.

use bytes::Bytes;

use super::sasl::SaslRun;
use super::scheduler::{Owner, Pending, PlanRun, Queued};
use super::Client;
use crate::encode::{encode_command, EncodeContext};
use crate::error::UsageError;
use crate::request::spec::spec;
use crate::request::{Collector, CommandId, Handle, Op, Plan, Request};
use crate::state::StateName;
use crate::types::{Capability, Command, Tag};

impl Client {
    /// Submits a request; it is sent as soon as the pipelining rules allow
    /// and its result waits under the returned handle
    /// ([`Event::Ready`](crate::Event::Ready), then [`take`](Self::take)).
    ///
    /// Fails, with nothing sent, if the request is not valid in the state
    /// the session will be in when it runs, needs a capability the server
    /// does not announce, or has an argument that cannot be encoded.
    pub fn submit<T>(&mut self, request: Request<T>) -> Result<Handle<T>, UsageError> {
        if self.closed.is_some() || self.state == StateName::Logout {
            return Err(UsageError::Closed);
        }
        let Request { op, project } = request;
        let (id, tag) = match op {
            Op::Command { command, streaming } => {
                let sasl = matches!(command, Command::Authenticate { .. }).then(SaslRun::interactive);
                self.admit(command, streaming, sasl)?
            }
            Op::Authenticate(mechanism) => {
                let command =
                    Command::Authenticate { mechanism: mechanism.name().into(), initial_response: None };
                self.admit(command, false, Some(SaslRun::mechanism(mechanism)))?
            }
            Op::Plan(plan) => (self.admit_plan(*plan)?, None),
        };
        self.pump();
        Ok(Handle { id, tag, project })
    }

    fn admit(
        &mut self,
        command: Command,
        streaming: bool,
        sasl: Option<SaslRun>,
    ) -> Result<(CommandId, Option<Tag>), UsageError> {
        let spec = spec(&command);
        let projected = self.projected_state();
        if !spec.validity.allows(projected) {
            return Err(UsageError::WrongState { command: command.name(), state: projected });
        }
        if spec.modifies_mailbox && self.projected_read_only() {
            return Err(UsageError::ReadOnly { command: command.name() });
        }
        // While a login or STARTTLS is under way the capabilities may
        // change: the check then waits for dispatch.
        if self.caps_known && self.queue.is_empty() && self.in_flight.tally().changes_capabilities == 0 {
            if let Some(capability) = spec.needs.missing(&self.caps) {
                return Err(UsageError::MissingCapability { command: command.name(), capability });
            }
        }
        #[cfg(not(feature = "compress"))]
        if matches!(command, Command::Compress) {
            // Without the deflater the stream after the OK could not be read.
            return Err(UsageError::NotApplicable("COMPRESS needs the `compress` feature"));
        }
        if matches!(command, Command::StartTls | Command::Compress) && self.user_commands() > 0 {
            return Err(UsageError::Busy { command: command.name() });
        }
        if command == Command::Idle && self.idle_pending() {
            return Err(UsageError::NotApplicable("IDLE is already running"));
        }
        // Validate the arguments now, so the caller learns at once.
        encode_command(&Tag::from_parsed(Bytes::from_static(b"x")), &command, &self.encode_context())?;
        let tag = self.next_tag();
        let id = self.next_id();
        self.open_slot(id);
        let mut pending = Pending::new(tag.clone(), command, Owner::User(id));
        pending.streaming = streaming;
        pending.sasl = sasl;
        self.queue.push_back(Queued::Command(pending));
        Ok((id, Some(tag)))
    }

    fn admit_plan(&mut self, plan: Plan) -> Result<CommandId, UsageError> {
        let projected = self.projected_state();
        if !plan.validity().allows(projected) {
            return Err(UsageError::WrongState { command: plan.name(), state: projected });
        }
        if plan.modifies_mailbox() && self.projected_read_only() {
            return Err(UsageError::ReadOnly { command: plan.name() });
        }
        let id = self.next_id();
        self.open_slot(id);
        self.queue.push_back(Queued::Plan(PlanRun {
            id,
            plan,
            started: false,
            steps: Default::default(),
            numbered: 0,
            outstanding: 0,
            over: false,
        }));
        Ok(id)
    }

    /// Gives up on a request: IMAP has no cancel, so a command on the wire
    /// still completes there, but its data is dropped as it arrives and its
    /// result is never delivered; the session (mailbox, capabilities,
    /// pipelining) stays exactly as if it had been awaited. A command not
    /// yet sent is not sent, unless it changes the session state (SELECT,
    /// LOGIN...); an IDLE ends (DONE); an interactive AUTHENTICATE waiting
    /// for an answer is cancelled. Unknown ids are ignored.
    pub fn abandon(&mut self, id: CommandId) {
        let Some(slot) = self.slots.remove(&id) else { return };
        self.waiting_items -= slot.items();
        self.waiting_bytes -= slot.bytes();
        let owner = Owner::User(id);
        self.queue
            .retain(|q| !matches!(q, Queued::Command(p) if p.owner == owner && p.command == Command::Idle));
        for f in self.in_flight.iter_mut().filter(|f| f.owner == owner) {
            if let Some(run) = f.idle.as_mut() {
                run.stop = true;
            }
            if !f.collector.feeds_session() {
                f.collector = Collector::Discard;
            }
        }
        self.sasl_cancel_abandoned();
        self.pump();
        self.resume_input();
    }

    /// Whether an IDLE of the application's is queued or in flight (an
    /// automatic one simply ends when another is asked for).
    fn idle_pending(&self) -> bool {
        let user = |owner: Owner| owner != Owner::Engine;
        self.in_flight.iter().any(|f| f.idle.is_some() && user(f.owner))
            || self
                .queue
                .iter()
                .any(|q| matches!(q, Queued::Command(p) if p.command == Command::Idle && user(p.owner)))
    }

    pub(crate) fn next_tag(&mut self) -> Tag {
        loop {
            let tag = Tag::from_parsed(Bytes::from(format!("{}{}", self.config.tag_prefix, self.next_tag)));
            self.next_tag = self.next_tag.wrapping_add(1).max(1);
            // Numbers are unique until the counter wraps; after that a tag
            // still in use is skipped.
            self.tags_wrapped |= self.next_tag == 1;
            let busy = self.tags_wrapped
                && (self.in_flight.iter().any(|f| f.tag == tag)
                    || self.queue.iter().any(|q| match q {
                        Queued::Command(p) => p.tag == tag,
                        Queued::Plan(run) => run.steps.iter().any(|p| p.tag == tag),
                    }));
            if !busy {
                return tag;
            }
        }
    }

    fn next_id(&mut self) -> CommandId {
        self.next_id += 1;
        CommandId(self.next_id)
    }

    /// The state once everything queued has succeeded.
    fn projected_state(&self) -> StateName {
        if self.in_flight.tally().state_changers == 0 && self.queue.tally().state_changers == 0 {
            return self.state;
        }
        let mut s = self.state;
        for f in self.in_flight.iter() {
            s = s.after_success(&f.spec);
        }
        for q in self.queue.iter() {
            if let Queued::Command(p) = q {
                s = s.after_success(&p.spec);
            }
        }
        s
    }

    /// Whether the mailbox selected once everything queued has run is known
    /// to be read-only: the current one's access, unless a later EXAMINE
    /// (read-only) or SELECT (read-write, unless its answer says otherwise,
    /// which dispatch checks again) replaces it.
    fn projected_read_only(&self) -> bool {
        if self.in_flight.tally().mailbox_switchers == 0 && self.queue.tally().mailbox_switchers == 0 {
            return self.read_only();
        }
        let queued = self.queue.iter().filter_map(|q| match q {
            Queued::Command(p) => Some(&p.command),
            Queued::Plan(_) => None,
        });
        self.in_flight.iter().map(|f| &f.command).chain(queued).fold(self.read_only(), |read_only, c| match c
        {
            Command::Examine { .. } => true,
            Command::Select { .. } | Command::Close | Command::Unselect => false,
            _ => read_only,
        })
    }

    /// Whether the selected mailbox is read-only now.
    pub(crate) fn read_only(&self) -> bool {
        self.mailbox.as_ref().is_some_and(|m| m.read_only)
    }

    pub(crate) fn encode_context(&self) -> EncodeContext {
        let mut ctx = EncodeContext::from_capabilities(&self.caps);
        ctx.utf8 = self.enabled.has(&Capability::Utf8Accept);
        ctx
    }
}
