//! The imap-mio worker: one connection in an `imap_mio::Pool` that the
//! worker turns itself, as an application without a loop of its own does.
//! Every request is submitted at once and returns a handle; its result is
//! taken when the pool reports `Progress::Ready` for it (the messages of a
//! streaming FETCH when it reports `Progress::Fetched`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use imap_mio::imap_core::request::{self, CommandId, Handle};
use imap_mio::mio::Token;
use imap_mio::prelude::*;
use imap_mio::{Connection, Connector, Fetch, Pool, Progress};

use super::{add, attrs, count, options, Outcome, Server, Worker};
use crate::clients::Op;

/// How long a login, a run or a logout may take (the orchestrator gives up
/// on a run sooner).
const LIMIT: Duration = Duration::from_secs(300);

pub(super) struct Mio {
    pool: Pool,
    token: Token,
    /// `request::fetch_stream` (each message taken as it arrives) rather
    /// than `fetch` (the results collected by the engine).
    stream: bool,
}

impl Mio {
    pub(super) fn connect(s: &Server, mailbox: &str, stream: bool) -> Result<Mio, String> {
        let connector = Connector::new(options(s)).map_err(|e| format!("connect: {e}"))?;
        let addrs = connector.resolve().map_err(|e| format!("resolve: {e}"))?;
        let addr = *addrs.first().ok_or("no address")?;
        let mut pool = Pool::new().map_err(|e| format!("poll: {e}"))?;
        let token = pool.connect(&connector, addr).map_err(|e| format!("connect: {e}"))?;
        let mut mio = Mio { pool, token, stream };
        mio.turn(LIMIT, |_, progress| Ok(progress == Progress::Connected))
            .map_err(|e| format!("connect: {e}"))?;
        let login = mio.conn()?.login(&s.user, &s.password).map_err(|e| format!("login: {e}"))?;
        mio.wait(&login).map_err(|e| format!("login: {e}"))?;
        let examine = mio.conn()?.examine(mailbox).map_err(|e| format!("examine: {e}"))?;
        mio.wait(&examine).map_err(|e| format!("examine: {e}"))?;
        Ok(mio)
    }

    fn conn(&mut self) -> Result<&mut Connection, String> {
        self.pool.get_mut(self.token).ok_or_else(|| "the connection left the pool".into())
    }

    /// Polls the pool and hands each progress of the connection to `seen`
    /// until it says done (after the rest of that poll's progress). News
    /// the server sends on its own is taken and dropped; the connection's
    /// end is an error.
    fn turn(
        &mut self,
        limit: Duration,
        mut seen: impl FnMut(&mut Connection, Progress) -> Result<bool, String>,
    ) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.checked_duration_since(Instant::now()).ok_or("timed out")?;
            self.pool.poll(Some(left)).map_err(|e| format!("poll: {e}"))?;
            let mut done = false;
            while let Some((_, progress)) = self.pool.poll_progress() {
                let c = self.pool.get_mut(self.token).ok_or("the connection left the pool")?;
                match progress {
                    Progress::Closed => {
                        return Err(c
                            .error()
                            .map_or_else(|| "the connection closed".into(), |e| e.to_string()))
                    }
                    Progress::Unsolicited => drop(c.take_unsolicited()),
                    _ => {}
                }
                done |= seen(c, progress)?;
            }
            if done {
                return Ok(());
            }
        }
    }

    /// Turns until the request is ready, then takes its result.
    fn wait<T>(&mut self, handle: &Handle<T>) -> Result<T, String> {
        let mut result = None;
        self.turn(LIMIT, |c, progress| {
            if progress == Progress::Ready(handle.id()) {
                result = c.take(handle);
            }
            Ok(result.is_some())
        })?;
        result.ok_or("no result")?.map_err(|e| e.to_string())
    }

    /// `request::fetch_stream` of the whole mailbox: each message counted
    /// and dropped as it arrives, so one message at a time is held.
    fn stream(&mut self, op: Op, attrs: &[imap_mio::FetchAttr]) -> Result<(u64, u64), String> {
        let handle = self.conn()?.run(request::fetch_stream(true, 1.., attrs)).map_err(|e| e.to_string())?;
        let id = handle.id();
        let mut t = (0, 0);
        let mut end = None;
        self.turn(LIMIT, |c, progress| {
            if matches!(progress, Progress::Fetched(p) | Progress::Ready(p) if p == id) {
                while let Some(f) = c.take_fetched(&handle) {
                    add(&mut t, &f, op);
                }
            }
            if progress == Progress::Ready(id) {
                end = c.take(&handle);
            }
            Ok(end.is_some())
        })?;
        end.ok_or("no result")?.map_err(|e| e.to_string())?;
        Ok(t)
    }

    /// Every fetch submitted first (the engine pipelines them), then the
    /// loop turned until each has been reported ready and taken.
    fn pipelined(
        &mut self,
        op: Op,
        attrs: &[imap_mio::FetchAttr],
        (lo, hi): (u32, u32),
    ) -> Result<(u64, u64), String> {
        let c = self.conn()?;
        let mut pending: HashMap<CommandId, Handle<Vec<Fetch>>> = HashMap::new();
        for uid in lo..=hi {
            let handle = c.fetch(uid, attrs).map_err(|e| e.to_string())?;
            pending.insert(handle.id(), handle);
        }
        let mut t = (0, 0);
        self.turn(LIMIT, |c, progress| {
            if let Some(handle) = match progress {
                Progress::Ready(id) => pending.remove(&id),
                _ => None,
            } {
                let one = c.take(&handle).ok_or("reported ready, no result")?.map_err(|e| e.to_string())?;
                let (m, b) = count(&one, op);
                t = (t.0 + m, t.1 + b);
            }
            Ok(pending.is_empty())
        })?;
        Ok(t)
    }
}

impl Worker for Mio {
    fn run(&mut self, op: Op, (lo, hi): (u32, u32)) -> Result<Outcome, String> {
        let attrs = attrs(op);
        let start = Instant::now();
        let (messages, bytes) = match op {
            Op::Full | Op::Meta if self.stream => self.stream(op, &attrs)?,
            Op::Full | Op::Meta => {
                let handle = self.conn()?.fetch(1.., &attrs).map_err(|e| e.to_string())?;
                count(&self.wait(&handle)?, op)
            }
            Op::Sequential => {
                let mut t = (0, 0);
                for uid in lo..=hi {
                    let handle = self.conn()?.fetch(uid, &attrs).map_err(|e| e.to_string())?;
                    let (m, b) = count(&self.wait(&handle)?, op);
                    t = (t.0 + m, t.1 + b);
                }
                t
            }
            Op::Pipelined => self.pipelined(op, &attrs, (lo, hi))?,
        };
        Ok(Outcome { elapsed: start.elapsed(), messages, bytes, reply: 0 })
    }

    fn quit(mut self: Box<Self>) {
        let Ok(c) = self.conn() else { return };
        if c.logout().is_ok() {
            // Ends with the connection's close (an "error" here).
            let _ = self.turn(Duration::from_secs(5), |_, _| Ok(false));
        }
    }
}
