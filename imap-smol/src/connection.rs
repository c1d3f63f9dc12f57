//! The connection future: the one loop that moves bytes between the
//! transport and the engine, arms the engine's timer and wakes exactly the
//! task whose request became ready.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use async_io::Timer;
use futures_io::{AsyncRead, AsyncWrite};
use futures_rustls::{Connect, TlsConnector};
use imap_core::{Event, Switch};
use imap_net::{Error, Result, TlsError, TlsOptions};

use crate::shared::{Inner, Shared};

/// Any byte stream the connection runs over.
pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Drives one connection: spawn it on your runtime (`smol::spawn(conn)`,
/// `async_std::task::spawn(conn)`, `tokio::spawn(conn)`). It ends when the
/// session is over: `Ok` after LOGOUT, else the error that ended it.
/// Dropping it closes the connection; every request still open then fails.
pub struct Connection {
    pub(crate) shared: Arc<Shared>,
    pub(crate) io: Box<dyn Io>,
    /// The STARTTLS handshake under way (`io` is then a placeholder: the
    /// engine neither reads nor writes meanwhile).
    switching: Option<Box<Connect<Box<dyn Io>>>>,
    timer: Timer,
    armed: Option<Instant>,
    /// How STARTTLS upgrades: the server's name and the TLS settings.
    pub(crate) tls: Option<(String, TlsOptions)>,
    /// Called after every read that returned data (TCP_QUICKACK).
    pub(crate) after_read: Option<Box<dyn FnMut() + Send>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").field("shared", &self.shared).finish_non_exhaustive()
    }
}

impl Connection {
    pub(crate) fn new(shared: Arc<Shared>, io: Box<dyn Io>) -> Self {
        Connection {
            shared,
            io,
            switching: None,
            timer: Timer::never(),
            armed: None,
            tls: None,
            after_read: None,
        }
    }

    /// One pass: write, deliver events, read, tick, until nothing moves.
    fn drive(&mut self, inner: &mut Inner, cx: &mut Context<'_>) -> Result<()> {
        // Once a read found nothing, the reactor wakes this task when bytes
        // come: reading again in the same pass would only fail again (a
        // recvfrom and an epoll_ctl each time, several per command).
        let mut read_blocked = false;
        loop {
            let mut moved = false;
            if let Some(connect) = &mut self.switching {
                match Pin::new(connect.as_mut()).poll(cx) {
                    Poll::Ready(Ok(tls)) => {
                        self.io = Box::new(tls);
                        self.switching = None;
                        inner.core.handle_switched();
                        moved = true;
                    }
                    Poll::Ready(Err(e)) => return Err(TlsError::from_io(e, Duration::ZERO).into()),
                    Poll::Pending => return Ok(()),
                }
            }
            moved |= self.write(inner, cx)?;
            moved |= self.deliver(inner)?;
            if !read_blocked && inner.core.wants_read() && !inner.unsolicited_full() {
                match Pin::new(&mut *self.io).poll_read(cx, inner.core.input_buffer()) {
                    Poll::Ready(Ok(0)) => {
                        inner.core.handle_eof();
                        moved = true;
                    }
                    Poll::Ready(Ok(n)) => {
                        inner.core.commit_input(n);
                        if let Some(rearm) = self.after_read.as_mut() {
                            rearm();
                        }
                        moved = true;
                    }
                    Poll::Ready(Err(e)) => return Err(e.into()),
                    Poll::Pending => read_blocked = true,
                }
            }
            // A tick may queue bytes (an IDLE refresh, an automatic IDLE)
            // or end the session (a timeout): go round again.
            inner.core.handle_timeout(Instant::now());
            moved |= inner.core.wants_write() || inner.core.pending_events() > 0;
            if let Some(deadline) = inner.core.poll_timeout() {
                // Only ever moved earlier: the response timeout's deadline
                // moves on with every response, and re-arming the reactor's
                // timer each time cost a few syscalls per command. A timer
                // that fires early only makes the engine name the later
                // deadline, which is armed then.
                if self.armed.is_none_or(|armed| deadline < armed) {
                    self.timer.set_at(deadline);
                    self.armed = Some(deadline);
                }
                if Pin::new(&mut self.timer).poll(cx).is_ready() {
                    self.armed = None;
                    moved = true;
                }
            }
            if !moved {
                return Ok(());
            }
        }
    }

    /// Writes what the engine has; whether anything went out.
    fn write(&mut self, inner: &mut Inner, cx: &mut Context<'_>) -> Result<bool> {
        let mut wrote = false;
        while let Some(out) = inner.core.poll_transmit() {
            match Pin::new(&mut *self.io).poll_write(cx, &out) {
                Poll::Ready(Ok(0)) => return Err(std::io::Error::from(std::io::ErrorKind::WriteZero).into()),
                Poll::Ready(Ok(n)) => {
                    inner.core.advance_transmit(n);
                    wrote = true;
                }
                Poll::Ready(Err(e)) => return Err(e.into()),
                Poll::Pending => break,
            }
        }
        if wrote {
            if let Poll::Ready(Err(e)) = Pin::new(&mut *self.io).poll_flush(cx) {
                return Err(e.into());
            }
        }
        Ok(wrote)
    }

    /// Wakes whoever each event concerns; whether there were any.
    fn deliver(&mut self, inner: &mut Inner) -> Result<bool> {
        if let Some(log) = &mut inner.log {
            log.drain(&mut inner.core);
        }
        let mut any = false;
        while !inner.unsolicited_full() {
            let Some(event) = inner.core.poll_event() else { break };
            any = true;
            match inner.backlog.absorb(event) {
                Some(Event::Ready(id) | Event::Fetched(id) | Event::IdleStarted(id)) => inner.wake(id),
                // Mechanism objects answer challenges; an interactive
                // exchange has nobody here to answer.
                Some(Event::SaslChallenge { .. }) => inner.core.sasl_respond(None)?,
                Some(Event::Switch(Switch::StartTls)) => self.start_tls()?,
                Some(Event::ConnectionLost(_)) => inner.wake_all(),
                Some(_) => {}
                None => inner.unsolicited_waiters.drain(..).for_each(std::task::Waker::wake),
            }
        }
        Ok(any)
    }

    fn start_tls(&mut self) -> Result<()> {
        let Some((host, options)) = &self.tls else {
            return Err(Error::Unsupported("STARTTLS on a stream connected without TLS settings"));
        };
        let connector = TlsConnector::from(options.client_config()?);
        let name = imap_net::server_name(host)?;
        let plain = std::mem::replace(&mut self.io, Box::new(futures_lite::io::Cursor::new(Vec::new())));
        self.switching = Some(Box::new(connector.connect(name, plain)));
        Ok(())
    }

    /// Runs `task` while driving the connection (before it is spawned:
    /// the greeting, STARTTLS). Both are polled in this one task.
    pub(crate) async fn drive_while<T>(&mut self, task: impl Future<Output = Result<T>>) -> Result<T> {
        let mut task = std::pin::pin!(task);
        std::future::poll_fn(|cx| {
            let ended = Pin::new(&mut *self).poll(cx);
            match (task.as_mut().poll(cx), ended) {
                (Poll::Ready(done), _) => Poll::Ready(done),
                (Poll::Pending, Poll::Ready(r)) => Poll::Ready(Err(r
                    .err()
                    .unwrap_or(Error::Connection(imap_core::ConnectionError::ClosedByClient)))),
                (Poll::Pending, Poll::Pending) => Poll::Pending,
            }
        })
        .await
    }
}

impl Future for Connection {
    type Output = Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let this = self.get_mut();
        let shared = this.shared.clone();
        let mut inner = shared.lock();
        inner.driver = Some(cx.waker().clone());
        if let Err(e) = this.drive(&mut inner, cx) {
            // Every open request learns it from the engine; the spawner gets
            // the error itself.
            let kind = match &e {
                Error::Io(io) => io.kind(),
                _ => std::io::ErrorKind::ConnectionAborted,
            };
            inner.core.handle_io_error(kind);
            while inner.core.poll_event().is_some() {}
            inner.wake_all();
            return Poll::Ready(Err(e));
        }
        if inner.core.is_closed() && !inner.core.wants_write() {
            inner.wake_all();
            return Poll::Ready(match inner.core.connection_error() {
                Some(e) => Err(e.clone().into()),
                None => Ok(()),
            });
        }
        Poll::Pending
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let mut inner = self.shared.lock();
        inner.core.disconnect();
        inner.wake_all();
    }
}
