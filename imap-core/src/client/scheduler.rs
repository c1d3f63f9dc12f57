//! The queue and the wire: what is waiting, what is in flight, and which
//! command goes out next under the pipelining rules (RFC 9051 section 5.5,
//! applied through each command's [`Spec`]).

use std::collections::VecDeque;

use bytes::Bytes;

use super::idle::IdleRun;
use super::sasl::SaslRun;
use super::trace::{self, Direction};
use super::Client;
use crate::encode::{encode_command, Fragment};
use crate::error::{CommandError, UsageError};
use crate::request::spec::{spec, Spec};
use crate::request::{Collector, CommandId, Plan};
use crate::types::{Command, Tag};

/// Who a command's result goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// A request the application submitted: its result waits in a slot.
    User(CommandId),
    /// The command numbered `step` of a compound operation.
    Plan { plan: CommandId, step: usize },
    /// The engine's own (CAPABILITY after STARTTLS or a login).
    Engine,
}

/// A command admitted and not yet on the wire.
#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) tag: Tag,
    pub(crate) command: Command,
    pub(crate) spec: Spec,
    pub(crate) owner: Owner,
    pub(crate) streaming: bool,
    pub(crate) sasl: Option<SaslRun>,
    /// An IDLE re-issued by the refresh timer (no new `IdleStarted`).
    pub(crate) idle_refresh: bool,
}

impl Pending {
    pub(crate) fn new(tag: Tag, command: Command, owner: Owner) -> Self {
        Pending {
            tag,
            spec: spec(&command),
            command,
            owner,
            streaming: false,
            sasl: None,
            idle_refresh: false,
        }
    }
}

/// A compound operation at its place in the queue.
#[derive(Debug)]
pub(crate) struct PlanRun {
    pub(crate) id: CommandId,
    pub(crate) plan: Plan,
    pub(crate) started: bool,
    /// Its commands not yet sent.
    pub(crate) steps: VecDeque<Pending>,
    /// Commands numbered so far (the next step's number).
    pub(crate) numbered: usize,
    /// Commands sent and not yet answered.
    pub(crate) outstanding: usize,
    /// The plan finished (its result delivered); it leaves the queue.
    pub(crate) over: bool,
}

/// An entry of the queue.
#[derive(Debug)]
pub(crate) enum Queued {
    Command(Pending),
    Plan(PlanRun),
}

/// A command on the wire, awaiting its tagged completion.
pub(crate) struct InFlight {
    pub(crate) tag: Tag,
    pub(crate) command: Command,
    pub(crate) spec: Spec,
    pub(crate) owner: Owner,
    pub(crate) collector: Collector,
    /// Fragments after a synchronising literal, sent on the server's `+`.
    pub(crate) unsent: VecDeque<Fragment>,
    pub(crate) sasl: Option<SaslRun>,
    pub(crate) idle: Option<IdleRun>,
    /// Bytes of untagged data collected for the result so far.
    pub(crate) collected: u64,
    /// The result broke `max_result_len`: its data is dropped and the
    /// command fails with this.
    pub(crate) overflow: Option<crate::error::LimitError>,
}

impl std::fmt::Debug for InFlight {
    /// Without the unsent fragments: they may hold a password literal.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InFlight")
            .field("tag", &self.tag)
            .field("command", &self.command)
            .field("owner", &self.owner)
            .field("collector", &self.collector)
            .field("unsent_fragments", &self.unsent.len())
            .field("sasl", &self.sasl)
            .field("idle", &self.idle)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Sends every queued command the pipelining rules allow, in order.
    pub(crate) fn pump(&mut self) {
        self.pump_queue();
        self.note_quiet();
    }

    fn pump_queue(&mut self) {
        while self.closed.is_none() && !self.is_switching() {
            if self.idle_holds_wire() {
                break;
            }
            // A command waiting for `+` owns the wire.
            if self.in_flight.owns_wire() {
                break;
            }
            match self.queue.front_mut() {
                None => break,
                Some(Queued::Command(next)) => {
                    if self.in_flight.blocks(&next.spec) {
                        break;
                    }
                    // After a login or STARTTLS the engine re-reads the
                    // capabilities; what follows is checked against them.
                    if !self.caps_known
                        && next.owner != Owner::Engine
                        && self.in_flight.iter().any(|f| f.owner == Owner::Engine)
                    {
                        break;
                    }
                    let Some(Queued::Command(p)) = self.queue.pop_front() else { break };
                    self.dispatch(p);
                }
                Some(Queued::Plan(run)) => {
                    if run.over {
                        self.queue.pop_front();
                        continue;
                    }
                    if !run.started {
                        if !self.caps_known {
                            break;
                        }
                        self.start_plan();
                        continue;
                    }
                    if run.outstanding == 0
                        && run.steps.len() == run.numbered
                        && !self.slots.contains_key(&run.id)
                    {
                        // Abandoned before it sent anything: it never will.
                        run.over = true;
                        continue;
                    }
                    let Some(next) = run.steps.front() else { break };
                    if self.in_flight.blocks(&next.spec) {
                        break;
                    }
                    let Some(p) = run.steps.pop_front() else { break };
                    run.outstanding += 1;
                    self.dispatch(p);
                }
            }
        }
    }

    /// Puts one command on the wire, or completes it at once when it can no
    /// longer run (its state or capability check failed after an earlier
    /// command changed the session), or drops it when it was abandoned and
    /// dropping changes nothing.
    fn dispatch(&mut self, p: Pending) {
        let Pending { tag, command, spec, owner, streaming, sasl, idle_refresh } = p;
        if let Owner::User(id) = owner {
            if !self.slots.contains_key(&id) && !spec.barrier && spec.on_success.is_none() {
                return;
            }
        }
        if !spec.validity.allows(self.state) {
            let e = UsageError::WrongState { command: command.name(), state: self.state };
            self.complete(owner, Err(CommandError::NotSent(e)));
            return;
        }
        if self.caps_known {
            if let Some(capability) = spec.needs.missing(&self.caps) {
                let e = UsageError::MissingCapability { command: command.name(), capability };
                self.complete(owner, Err(CommandError::NotSent(e)));
                return;
            }
        }
        if spec.modifies_mailbox && self.read_only() {
            // The mailbox became read-only after admission (an EXAMINE or a
            // SELECT answered READ-ONLY before it, or `* OK [READ-ONLY]`).
            let e = UsageError::ReadOnly { command: command.name() };
            self.complete(owner, Err(CommandError::NotSent(e)));
            return;
        }
        let mut command = command;
        let sasl = sasl.map(|run| run.prepare(&mut command, &self.caps));
        let encoded = match encode_command(&tag, &command, &self.encode_context()) {
            Ok(e) => e,
            Err(e) => {
                self.complete(owner, Err(CommandError::NotSent(e.into())));
                return;
            }
        };
        if self.trace.enabled() {
            match trace::redact(&command) {
                Some(redacted) => match encode_command(&tag, &redacted, &self.encode_context()) {
                    Ok(shown) => self.trace.push_command(shown.fragments()),
                    Err(_) => self.trace.push(Direction::Sent, String::new()),
                },
                None => self.trace.push_command(encoded.fragments()),
            }
        }
        let collector = Collector::for_command(&command, streaming);
        let idle = matches!(command, Command::Idle).then(|| IdleRun::new(idle_refresh));
        let mut unsent: VecDeque<Fragment> = encoded.into_fragments().into();
        self.send_until_sync(&mut unsent);
        self.in_flight.push_back(InFlight {
            tag,
            command,
            spec,
            owner,
            collector,
            unsent,
            sasl,
            idle,
            collected: 0,
            overflow: None,
        });
    }

    /// Sends fragments up to (not including) the next synchronising literal.
    pub(crate) fn send_until_sync(&mut self, unsent: &mut VecDeque<Fragment>) {
        while let Some(f) = unsent.front() {
            match f {
                Fragment::Literal { sync: true, .. } => return,
                Fragment::Line(b) | Fragment::Literal { data: b, .. } => {
                    let b = b.clone();
                    unsent.pop_front();
                    self.send(b);
                }
            }
        }
    }

    /// Queues bytes for the transport.
    pub(crate) fn send(&mut self, bytes: Bytes) {
        // Sending starts a wait for the server: the response timeout counts
        // from here, not from the last exchange before a quiet period.
        self.progress += 1;
        if let Err(e) = self.outbound.push(bytes) {
            self.fail(crate::error::ConnectionError::Compression(e));
        }
    }

    /// Queues a command of the engine's own, ahead of everything.
    pub(crate) fn queue_engine(&mut self, command: Command) {
        let tag = self.next_tag();
        self.queue.push_front(Queued::Command(Pending::new(tag, command, Owner::Engine)));
    }

    /// Commands queued or in flight for the application (plans count once).
    pub(crate) fn user_commands(&self) -> usize {
        let queued = self
            .queue
            .iter()
            .filter(|q| match q {
                Queued::Command(p) => matches!(p.owner, Owner::User(_)),
                Queued::Plan(run) => !run.over,
            })
            .count();
        queued + self.in_flight.iter().filter(|f| matches!(f.owner, Owner::User(_))).count()
    }
}
