//! The end of a session: every request still open gets the connection's
//! error exactly once, nothing more is sent, and [`Event::ConnectionLost`]
//! comes once, last.

use std::collections::BTreeSet;

use super::scheduler::{Owner, Queued};
use super::Client;
use crate::error::{CommandError, ConnectionError};
use crate::event::Event;
use crate::request::CommandId;
use crate::state::StateName;

impl Client {
    /// Closes the session from the client side (e.g. the application drops
    /// the connection): open requests fail, nothing more is sent.
    pub fn disconnect(&mut self) {
        // After a clean LOGOUT there is nothing to report.
        if self.closed.is_none() && !self.is_closed() {
            self.fail(ConnectionError::ClosedByClient);
        }
    }

    /// The transport failed (an I/O error while reading or writing): every
    /// open request fails with [`ConnectionError::Transport`].
    pub fn handle_io_error(&mut self, kind: std::io::ErrorKind) {
        if !self.is_closed() {
            self.fail(ConnectionError::Transport(kind));
        }
    }

    /// Ends the session with `err`.
    pub(crate) fn fail(&mut self, err: ConnectionError) {
        if self.closed.is_some() {
            return;
        }
        self.closed = Some(err.clone());
        self.state = StateName::Logout;
        self.outbound.clear();
        let failed = || Err(CommandError::Connection(err.clone()));
        // Each user request once: plans as a whole, not step by step.
        let mut owners: Vec<Owner> = self.in_flight.take_all().into_iter().map(|f| f.owner).collect();
        owners.extend(std::mem::take(&mut self.held).into_iter().map(|(owner, _)| owner));
        for q in self.queue.take_all() {
            match q {
                Queued::Command(p) => owners.push(p.owner),
                Queued::Plan(run) if !run.over => owners.push(Owner::Plan { plan: run.id, step: 0 }),
                Queued::Plan(_) => {}
            }
        }
        let ids: BTreeSet<CommandId> = owners
            .into_iter()
            .filter_map(|owner| match owner {
                Owner::User(id) | Owner::Plan { plan: id, .. } => Some(id),
                Owner::Engine => None,
            })
            .collect();
        for id in ids {
            self.deliver(id, failed());
        }
        self.events.push_back(Event::ConnectionLost(err));
    }
}
