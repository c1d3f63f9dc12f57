//! IDLE (RFC 2177): started by the server's `+`, ended by DONE (when the
//! application asks, when another command waits, or to refresh before the
//! server's inactivity timeout), re-issued invisibly after a refresh.

use std::time::Instant;

use bytes::Bytes;

use super::scheduler::{Owner, Pending, Queued};
use super::trace::Direction;
use super::Client;
use crate::error::UsageError;
use crate::event::Event;
use crate::request::{self, Completion, Handle, Output};
use crate::state::IdlePhase;
use crate::types::{ByteStr, Command, Status, StatusKind};

/// A running IDLE command.
#[derive(Debug, Clone)]
pub(crate) struct IdleRun {
    pub(crate) phase: IdlePhase,
    /// Re-issued by the refresh timer: the application already heard it
    /// start.
    pub(crate) refresh: bool,
    /// DONE was (or is to be) sent to refresh, not to end.
    pub(crate) refreshing: bool,
    /// The application asked to stop, or another command is waiting.
    pub(crate) stop: bool,
    /// When the server accepted it (the last time the engine saw).
    pub(crate) since: Option<Instant>,
}

impl IdleRun {
    pub(crate) fn new(refresh: bool) -> Self {
        IdleRun { phase: IdlePhase::Starting, refresh, refreshing: false, stop: false, since: None }
    }
}

impl Client {
    /// Starts IDLE (RFC 2177): [`Event::IdleStarted`] follows the server's
    /// `+`; untagged data then arrives as [`Event::Unsolicited`]. End it with
    /// [`idle_done`](Self::idle_done) (or by submitting any other command, or
    /// by abandoning it); it then completes like any request. Refreshed
    /// every [`ClientConfig::idle_refresh`](super::ClientConfig::idle_refresh)
    /// without the application noticing.
    pub fn idle(&mut self) -> Result<Handle<()>, UsageError> {
        self.submit(request::idle())
    }

    /// Ends IDLE: sends DONE once the server has accepted it (at once if it
    /// has). An IDLE still queued completes without being sent.
    pub fn idle_done(&mut self) -> Result<(), UsageError> {
        let user_idle =
            self.in_flight.iter_mut().filter(|f| f.owner != Owner::Engine).find_map(|f| f.idle.as_mut());
        if let Some(run) = user_idle {
            run.stop = true;
            self.pump();
            return Ok(());
        }
        let queued =
            self.queue.iter().position(|q| matches!(q, Queued::Command(p) if p.command == Command::Idle));
        let Some(i) = queued else {
            return Err(UsageError::NotApplicable("IDLE is not running"));
        };
        if let Some(Queued::Command(p)) = self.queue.remove(i) {
            let status = Status {
                tag: None,
                kind: StatusKind::Ok,
                code: None,
                text: ByteStr::from_static("IDLE ended before it was sent"),
            };
            self.complete(p.owner, Ok(Completion { status, output: Output::Done }));
        }
        Ok(())
    }

    /// Whether IDLE is running (the server accepted it and DONE was not sent).
    pub fn is_idling(&self) -> bool {
        self.in_flight.iter().any(|f| f.idle.as_ref().is_some_and(|i| i.phase == IdlePhase::Idling))
    }

    /// Whether an IDLE in flight holds the wire; sends DONE when it is time
    /// to end it (asked, refreshing, or another command waits).
    pub(crate) fn idle_holds_wire(&mut self) -> bool {
        // IDLE is a barrier: with none in flight, no IDLE is (and the scan
        // below is skipped for pipelined commands).
        if self.in_flight.tally().barriers == 0 {
            return false;
        }
        let queue_waiting = !self.queue.is_empty();
        let Some(run) = self.in_flight.iter_mut().find_map(|f| f.idle.as_mut()) else {
            return false;
        };
        if run.phase == IdlePhase::Idling && (run.stop || run.refreshing || queue_waiting) {
            run.phase = IdlePhase::Done;
            run.stop |= queue_waiting;
            self.trace.push(Direction::Sent, "DONE".into());
            self.send(Bytes::from_static(b"DONE\r\n"));
        }
        true
    }

    /// The server's `+` for the IDLE in flight at `i`.
    pub(crate) fn idle_accepted(&mut self, i: usize) {
        let now = self.now;
        let owner = self.in_flight[i].owner;
        let Some(run) = self.in_flight[i].idle.as_mut() else { return };
        run.phase = IdlePhase::Idling;
        run.since = now;
        if !run.refresh {
            if let Owner::User(id) = owner {
                if self.slots.contains_key(&id) {
                    self.events.push_back(Event::IdleStarted(id));
                }
            }
        }
        // Someone asked to stop before the server even accepted.
        self.pump();
    }

    /// Marks IDLEs due for a refresh at `now`; whether any is.
    pub(crate) fn idle_refresh_due(&mut self, now: Instant) -> bool {
        let refresh = self.config.idle_refresh;
        let mut due = false;
        for run in self.in_flight.iter_mut().filter_map(|f| f.idle.as_mut()) {
            if run.phase != IdlePhase::Idling {
                continue;
            }
            match run.since {
                None => run.since = Some(now),
                Some(since) if now.duration_since(since) >= refresh => {
                    run.refreshing = true;
                    due = true;
                }
                Some(_) => {}
            }
        }
        due
    }

    /// When the running IDLE must be refreshed.
    pub(crate) fn idle_deadline(&self) -> Option<Instant> {
        self.in_flight
            .iter()
            .filter_map(|f| f.idle.as_ref())
            .filter(|run| run.phase == IdlePhase::Idling && !run.refreshing)
            .filter_map(|run| run.since.map(|since| since + self.config.idle_refresh))
            .min()
    }

    /// IDLE's tagged OK: after a refresh with nothing else waiting, IDLE
    /// starts again under a new tag for the same owner; otherwise it is over.
    /// Returns whether it was re-issued.
    pub(crate) fn idle_reissue(&mut self, run: &IdleRun, owner: Owner) -> bool {
        if !(run.refreshing && !run.stop && self.queue.is_empty()) {
            return false;
        }
        let tag = self.next_tag();
        let mut p = Pending::new(tag, Command::Idle, owner);
        p.idle_refresh = true;
        self.queue.push_front(Queued::Command(p));
        true
    }
}

// ------------------------------------------------------------ automatic IDLE

impl Client {
    /// Whether the session is quiet and able to IDLE on its own: a mailbox
    /// selected, IDLE offered, nothing queued or in flight.
    fn auto_idle_possible(&self) -> bool {
        self.config.auto_idle.is_some()
            && !self.auto_idle_refused
            && self.closed.is_none()
            && !self.is_switching()
            && self.state == crate::state::StateName::Selected
            && self.caps_known
            && (self.caps.has(&crate::types::Capability::Idle) || self.caps.is_rev2())
            && self.queue.is_empty()
            && self.in_flight.is_empty()
    }

    /// Notes when the session became quiet (after the wire settles).
    pub(crate) fn note_quiet(&mut self) {
        if !self.auto_idle_possible() {
            self.quiet_since = None;
        } else if self.quiet_since.is_none() {
            self.quiet_since = self.now;
        }
    }

    /// At a tick: the automatic IDLE starts once the session has been quiet
    /// for the configured delay.
    pub(crate) fn auto_idle_tick(&mut self, now: Instant) {
        let Some(delay) = self.config.auto_idle else { return };
        if !self.auto_idle_possible() {
            self.quiet_since = None;
            return;
        }
        let since = *self.quiet_since.get_or_insert(now);
        if now.duration_since(since) >= delay {
            self.quiet_since = None;
            self.queue_engine(Command::Idle);
            self.pump();
        }
    }

    /// When the automatic IDLE is due.
    pub(crate) fn auto_idle_deadline(&self) -> Option<Instant> {
        let delay = self.config.auto_idle?;
        if !self.auto_idle_possible() {
            return None;
        }
        self.quiet_since.or(self.now).map(|since| since + delay)
    }

    /// Ends a running automatic IDLE (DONE).
    pub(crate) fn end_auto_idle(&mut self) {
        for f in self.in_flight.iter_mut().filter(|f| f.owner == Owner::Engine) {
            if let Some(run) = f.idle.as_mut() {
                run.stop = true;
            }
        }
        self.pump();
    }
}
