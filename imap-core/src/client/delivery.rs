//! Per-command delivery: each submitted request's result (and a streaming
//! FETCH's messages) waits here until the driver takes it by its handle.
//! What waits counts toward backpressure: a driver that takes nothing makes
//! [`Client::wants_read`] go false.

use std::collections::VecDeque;

use super::scheduler::Owner;
use super::Client;
use crate::error::CommandError;
use crate::event::Event;
use crate::request::{CommandId, Completion, Handle};
use crate::types::Fetch;

/// What waits for one submitted request.
#[derive(Debug, Default)]
pub(crate) struct Slot {
    result: Option<Result<Completion, CommandError>>,
    /// Streamed messages, each with its size as received.
    fetched: VecDeque<(Fetch, usize)>,
}

impl Slot {
    /// Items it holds (for backpressure).
    pub(crate) fn items(&self) -> usize {
        usize::from(self.result.is_some()) + self.fetched.len()
    }

    /// Bytes of the streamed messages it holds (for backpressure).
    pub(crate) fn bytes(&self) -> usize {
        self.fetched.iter().map(|(_, n)| n).sum()
    }
}

impl Client {
    /// The typed result of a request once it is ready ([`Event::Ready`]);
    /// `None` before (and after it was taken). For a streaming FETCH the
    /// result is ready only once every message was taken with
    /// [`take_fetched`](Self::take_fetched).
    pub fn take<T>(&mut self, handle: &Handle<T>) -> Option<Result<T, CommandError>> {
        self.take_completion(handle.id).map(|r| r.map(|c| handle.project(c)))
    }

    /// As [`take`](Self::take), by id, as the untyped [`Completion`].
    pub fn take_completion(&mut self, id: CommandId) -> Option<Result<Completion, CommandError>> {
        let slot = self.slots.get_mut(&id)?;
        if !slot.fetched.is_empty() {
            return None;
        }
        let result = slot.result.take()?;
        self.slots.remove(&id);
        self.waiting_items -= 1;
        self.resume_input();
        Some(result)
    }

    /// The next message of a streaming FETCH
    /// ([`request::fetch_stream`](crate::request::fetch_stream)), in arrival
    /// order. [`Event::Fetched`] says when messages wait.
    pub fn take_fetched<T>(&mut self, handle: &Handle<T>) -> Option<Fetch> {
        let (fetch, size) = self.slots.get_mut(&handle.id)?.fetched.pop_front()?;
        self.waiting_items -= 1;
        self.waiting_bytes -= size;
        self.resume_input();
        Some(fetch)
    }

    /// Whether the request's result (or a streamed message) waits to be
    /// taken.
    pub fn is_ready(&self, id: CommandId) -> bool {
        self.slots.get(&id).is_some_and(|s| s.result.is_some() || !s.fetched.is_empty())
    }

    /// Opens the slot of a newly submitted request.
    pub(crate) fn open_slot(&mut self, id: CommandId) {
        self.slots.insert(id, Slot::default());
    }

    /// Whether nobody waits for this owner's result any more (it was
    /// abandoned): its data is dropped as it arrives.
    pub(crate) fn owner_gone(&self, owner: Owner) -> bool {
        match owner {
            Owner::User(id) => !self.slots.contains_key(&id),
            Owner::Plan { .. } | Owner::Engine => false,
        }
    }

    /// Stores a request's result and announces it. Results of abandoned
    /// requests are dropped.
    pub(crate) fn deliver(&mut self, id: CommandId, result: Result<Completion, CommandError>) {
        let Some(slot) = self.slots.get_mut(&id) else { return };
        if slot.result.is_none() {
            self.waiting_items += 1;
        }
        slot.result = Some(result);
        self.events.push_back(Event::Ready(id));
    }

    /// Stores one message of a streaming FETCH; announces the first of a run.
    pub(crate) fn deliver_fetched(&mut self, id: CommandId, fetch: Fetch) {
        let Some(slot) = self.slots.get_mut(&id) else { return };
        let size = usize::try_from(self.frame_len).unwrap_or(usize::MAX);
        slot.fetched.push_back((fetch, size));
        self.waiting_items += 1;
        self.waiting_bytes += size;
        if slot.fetched.len() == 1 {
            self.events.push_back(Event::Fetched(id));
        }
    }

    /// Items waiting for the application: events, results and messages.
    pub(crate) fn backlog(&self) -> usize {
        self.events.len() + self.waiting_items
    }

    /// Whether enough waits for the application that reading stops
    /// (backpressure): items, or bytes of streamed messages.
    pub(crate) fn held_back(&self) -> bool {
        self.backlog() >= self.config.max_pending_events
            || self.waiting_bytes >= self.config.max_pending_bytes
    }

    /// The application took something: responses already buffered may
    /// now be handled, if it released the backpressure.
    pub(crate) fn resume_input(&mut self) {
        if !self.held_back() && self.framer.buffered() > 0 {
            self.process_input();
        }
    }
}
