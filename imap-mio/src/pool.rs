//! The optional loop: N connections, a [`Token`] each, one `mio::Poll`,
//! for applications without an event loop of their own.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use imap_net::Result;
use mio::{Events, Poll, Registry, Token};

use crate::connection::{Connection, Connector, Progress};

/// Many connections in one `mio::Poll`, each under the [`Token`] it was
/// given when added. [`poll`](Self::poll) waits for readiness or the
/// earliest deadline and drives whatever it concerns; then
/// [`poll_progress`](Self::poll_progress) says what moved where. Use
/// [`get_mut`](Self::get_mut) to submit requests and take results between
/// two polls: the pool drives the connections touched before it sleeps.
///
/// ```no_run
/// use imap_mio::prelude::*;
/// use imap_mio::{ConnectOptions, Connector, Pool, Progress};
///
/// let connector = Connector::new(ConnectOptions::new("imap.example.org"))?;
/// let addr = connector.resolve()?[0];
/// let mut pool = Pool::new()?;
/// let token = pool.add(connector.connect(addr)?)?;
/// let mut login = None;
/// loop {
///     pool.poll(None)?;
///     while let Some((token, progress)) = pool.poll_progress() {
///         let conn = pool.get_mut(token).expect("a connection of the pool");
///         match progress {
///             Progress::Connected => login = Some(conn.login("alice", "secret")?),
///             Progress::Ready(id) if login.as_ref().is_some_and(|h| h.id() == id) => {
///                 conn.take(login.as_ref().unwrap()).unwrap()?;
///                 println!("logged in");
///                 return Ok(());
///             }
///             Progress::Closed => return Err(conn.error().map(|e| e.to_string()).unwrap_or_default().into()),
///             _ => {}
///         }
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Pool {
    poll: Poll,
    events: Events,
    /// By token; a free slot is reused.
    slots: Vec<Option<Connection>>,
    free: Vec<usize>,
    progress: VecDeque<(Token, Progress)>,
}

impl Pool {
    /// An empty pool with its own `mio::Poll`.
    pub fn new() -> io::Result<Pool> {
        Ok(Pool {
            poll: Poll::new()?,
            events: Events::with_capacity(1024),
            slots: Vec::new(),
            free: Vec::new(),
            progress: VecDeque::new(),
        })
    }

    /// Registers a connection (e.g. from [`Connector::connect`]) and gives
    /// its token.
    pub fn add(&mut self, mut connection: Connection) -> io::Result<Token> {
        let index = self.free.pop().unwrap_or(self.slots.len());
        let token = Token(index);
        connection.register(self.poll.registry(), token)?;
        if index == self.slots.len() {
            self.slots.push(None);
        }
        self.slots[index] = Some(connection);
        Ok(token)
    }

    /// Starts connecting to `addr` ([`Connector::connect`]) and adds the
    /// connection.
    pub fn connect(&mut self, connector: &Connector, addr: SocketAddr) -> Result<Token> {
        Ok(self.add(connector.connect(addr)?)?)
    }

    /// The connection of `token`.
    pub fn get(&self, token: Token) -> Option<&Connection> {
        self.slots.get(token.0)?.as_ref()
    }

    /// The connection of `token`, to submit requests and take results.
    pub fn get_mut(&mut self, token: Token) -> Option<&mut Connection> {
        self.slots.get_mut(token.0)?.as_mut()
    }

    /// Takes a connection out of the pool (its token may be reused).
    pub fn remove(&mut self, token: Token) -> Option<Connection> {
        let mut connection = self.slots.get_mut(token.0)?.take()?;
        let _ = connection.deregister(self.poll.registry());
        self.free.push(token.0);
        self.progress.retain(|(t, _)| *t != token);
        Some(connection)
    }

    /// The connections, with their tokens.
    pub fn iter(&self) -> impl Iterator<Item = (Token, &Connection)> {
        self.slots.iter().enumerate().filter_map(|(i, c)| Some((Token(i), c.as_ref()?)))
    }

    /// The registry, to register sockets of your own beside the pool's
    /// (with tokens the pool does not use, e.g. from `usize::MAX` down).
    pub fn registry(&self) -> &Registry {
        self.poll.registry()
    }

    /// Waits until a connection has something to do, its earliest deadline
    /// passes, or `timeout` (`None`: no limit but the deadlines); then
    /// drives every connection concerned. Returns at once when a
    /// connection was touched since the last call. Nothing is spent while
    /// nothing arrives: no timer runs unless an engine asked for one.
    pub fn poll(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        let busy = self.slots.iter().flatten().any(Connection::is_busy);
        let earliest = self.slots.iter().flatten().filter_map(Connection::next_deadline).min();
        let until = earliest.map(|d| d.saturating_duration_since(Instant::now()));
        let wait = if busy { Some(Duration::ZERO) } else { [until, timeout].into_iter().flatten().min() };
        match self.poll.poll(&mut self.events, wait) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => other?,
        }
        let registry = self.poll.registry();
        for event in self.events.iter() {
            let token = event.token();
            if let Some(Some(connection)) = self.slots.get_mut(token.0) {
                connection.handle_event(registry, event);
                collect(&mut self.progress, token, connection);
            }
        }
        let now = Instant::now();
        for (i, slot) in self.slots.iter_mut().enumerate() {
            let Some(connection) = slot else { continue };
            if connection.next_deadline().is_some_and(|d| d <= now) {
                connection.handle_timeout(registry, now);
            } else if connection.is_busy() {
                connection.drive(registry);
            } else {
                continue;
            }
            collect(&mut self.progress, Token(i), connection);
        }
        Ok(())
    }

    /// What moved where, oldest first.
    pub fn poll_progress(&mut self) -> Option<(Token, Progress)> {
        self.progress.pop_front()
    }
}

fn collect(progress: &mut VecDeque<(Token, Progress)>, token: Token, connection: &mut Connection) {
    while let Some(p) = connection.poll_progress() {
        progress.push_back((token, p));
    }
}
