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
use futures_rustls::client::TlsStream;
use futures_rustls::{Connect, TlsConnector};
use imap_core::{Event, Switch};
use imap_net::{Error, Result, TlsError, TlsOptions};

use crate::shared::{Inner, Shared};

/// The byte stream, before, during and after TLS.
pub(crate) enum Transport<S> {
    Plain(S),
    Tls(Box<TlsStream<S>>),
    /// The STARTTLS handshake, under way.
    Switching(Box<Connect<S>>),
    Gone,
}

/// Drives one connection: spawn it on your runtime (`smol::spawn(conn)`,
/// `async_std::task::spawn(conn)`, `tokio::spawn(conn)`). It ends when the
/// session is over: `Ok` after LOGOUT, else the error that ended it.
/// Dropping it closes the connection; every request still open then fails.
pub struct Connection<S> {
    pub(crate) shared: Arc<Shared>,
    pub(crate) io: Transport<S>,
    timer: Timer,
    armed: Option<Instant>,
    /// How STARTTLS upgrades: the server's name and the TLS settings.
    pub(crate) tls: Option<(String, TlsOptions)>,
    /// Called after every read that returned data (TCP_QUICKACK).
    pub(crate) after_read: Option<Box<dyn FnMut() + Send>>,
}

impl<S> std::fmt::Debug for Connection<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").field("shared", &self.shared).finish_non_exhaustive()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    pub(crate) fn new(shared: Arc<Shared>, io: Transport<S>) -> Self {
        Connection { shared, io, timer: Timer::never(), armed: None, tls: None, after_read: None }
    }

    /// One pass: write, deliver events, read, tick, until nothing moves.
    fn drive(&mut self, inner: &mut Inner, cx: &mut Context<'_>) -> Result<()> {
        loop {
            let mut moved = false;
            if let Transport::Switching(connect) = &mut self.io {
                match Pin::new(connect.as_mut()).poll(cx) {
                    Poll::Ready(Ok(tls)) => {
                        self.io = Transport::Tls(Box::new(tls));
                        inner.core.handle_switched();
                        moved = true;
                    }
                    Poll::Ready(Err(e)) => return Err(TlsError::from_io(e, Duration::ZERO).into()),
                    Poll::Pending => return Ok(()),
                }
            }
            moved |= self.write(inner, cx)?;
            moved |= self.deliver(inner)?;
            if inner.core.wants_read() && !inner.unsolicited_full() {
                match poll_read(&mut self.io, cx, inner.core.input_buffer()) {
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
                    Poll::Pending => {}
                }
            }
            // A tick may queue bytes (an IDLE refresh, an automatic IDLE)
            // or end the session (a timeout): go round again.
            inner.core.handle_timeout(Instant::now());
            moved |= inner.core.wants_write() || inner.core.pending_events() > 0;
            if let Some(deadline) = inner.core.poll_timeout() {
                if self.armed != Some(deadline) {
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
            match poll_write(&mut self.io, cx, &out) {
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
            if let Poll::Ready(Err(e)) = poll_flush(&mut self.io, cx) {
                return Err(e.into());
            }
        }
        Ok(wrote)
    }

    /// Wakes whoever each event concerns; whether there were any.
    fn deliver(&mut self, inner: &mut Inner) -> Result<bool> {
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
        match std::mem::replace(&mut self.io, Transport::Gone) {
            Transport::Plain(stream) => {
                self.io = Transport::Switching(Box::new(connector.connect(name, stream)));
                Ok(())
            }
            other => {
                self.io = other;
                Err(Error::Unsupported("STARTTLS on a connection already under TLS"))
            }
        }
    }

    /// Drives the connection until `done` holds (before it is spawned:
    /// the greeting, STARTTLS).
    pub(crate) async fn drive_until(&mut self, mut done: impl FnMut(&mut Inner) -> bool) -> Result<()> {
        std::future::poll_fn(|cx| {
            if let Poll::Ready(result) = Pin::new(&mut *self).poll(cx) {
                return Poll::Ready(result.and(Err(imap_core::ConnectionError::ClosedByClient.into())));
            }
            match done(&mut self.shared.lock()) {
                true => Poll::Ready(Ok(())),
                false => Poll::Pending,
            }
        })
        .await
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Future for Connection<S> {
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

impl<S> Drop for Connection<S> {
    fn drop(&mut self) {
        let mut inner = self.shared.lock();
        inner.core.disconnect();
        inner.wake_all();
    }
}

fn poll_read<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut Transport<S>,
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<std::io::Result<usize>> {
    match io {
        Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
        Transport::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        Transport::Switching(_) | Transport::Gone => Poll::Pending,
    }
}

fn poll_write<S: AsyncRead + AsyncWrite + Unpin>(
    io: &mut Transport<S>,
    cx: &mut Context<'_>,
    buf: &[u8],
) -> Poll<std::io::Result<usize>> {
    match io {
        Transport::Plain(s) => Pin::new(s).poll_write(cx, buf),
        Transport::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        Transport::Switching(_) | Transport::Gone => Poll::Pending,
    }
}

fn poll_flush<S: AsyncRead + AsyncWrite + Unpin>(io: &mut Transport<S>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
    match io {
        Transport::Plain(s) => Pin::new(s).poll_flush(cx),
        Transport::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        Transport::Switching(_) | Transport::Gone => Poll::Ready(Ok(())),
    }
}
