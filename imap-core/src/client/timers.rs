//! Time, which only ever comes in as an argument: the response timeout,
//! the IDLE refresh, automatic IDLE and giving back an idle receive buffer.
//!
//! The engine counts progress (bytes in, bytes out) and learns the time at
//! each [`Client::handle_timeout`]. A deadline is measured from the last
//! tick at which progress was seen; if progress happened since, a tick at
//! the deadline just moves it on. So [`Client::poll_timeout`] never returns
//! an instant the engine has already handled.

use std::time::Instant;

use super::Client;
use crate::error::ConnectionError;
use crate::state::{IdlePhase, StateName};

impl Client {
    /// Time passes in here: call it when the deadline from
    /// [`poll_timeout`](Self::poll_timeout) is reached, and after handling
    /// input (every time the driver wakes up is best). The clock starts at
    /// the first call: make one right after creating the client.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = Some(self.now.map_or(now, |last| last.max(now)));
        let now = self.now.unwrap_or(now);
        if self.closed.is_some() {
            return;
        }
        // IDLE refresh: DONE now, a new IDLE after the OK.
        if self.idle_refresh_due(now) {
            self.pump();
        }
        self.auto_idle_tick(now);
        if self.progress != self.progress_seen || self.last_progress.is_none() {
            self.progress_seen = self.progress;
            self.last_progress = Some(now);
        }
        if let (Some(timeout), Some(last)) = (self.config.response_timeout, self.last_progress) {
            if self.awaiting_server() && now.duration_since(last) >= timeout {
                self.fail(ConnectionError::TimedOut(timeout));
                return;
            }
        }
        if self.release_deadline().is_some_and(|d| d <= now) {
            self.release_buffers();
        }
    }

    /// When the receive buffer goes back
    /// ([`ClientConfig::release_buffers_after`](super::ClientConfig::release_buffers_after)):
    /// only while there is one to give back and no response is partly
    /// received, so a released or busy connection has no such deadline.
    fn release_deadline(&self) -> Option<Instant> {
        let after = self.config.release_buffers_after?;
        if !self.holds_input_buffers() || self.framer.is_mid_response() {
            return None;
        }
        self.last_progress?.checked_add(after)
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next:
    /// always later than the last instant it was given; `None` when nothing
    /// is due (or before the clock started).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed.is_some() {
            return None;
        }
        let response = match (self.config.response_timeout, self.last_progress) {
            (Some(timeout), Some(last)) if self.awaiting_server() => Some(last + timeout),
            _ => None,
        };
        let deadline = [response, self.idle_deadline(), self.auto_idle_deadline(), self.release_deadline()]
            .into_iter()
            .flatten()
            .min();
        // A deadline at or before the last tick was handled by it (progress
        // moved it on); ask again just after.
        match (deadline, self.now) {
            (Some(d), Some(now)) if d <= now => Some(now + std::time::Duration::from_millis(1)),
            (d, _) => d,
        }
    }

    /// Whether the server owes us something (the greeting or a completion).
    pub(crate) fn awaiting_server(&self) -> bool {
        if self.is_switching() {
            return false;
        }
        if self.state == StateName::Greeting {
            return true;
        }
        if self.sasl_waiting() {
            return false;
        }
        self.in_flight.iter().any(|f| f.idle.as_ref().is_none_or(|run| run.phase != IdlePhase::Idling))
    }
}
