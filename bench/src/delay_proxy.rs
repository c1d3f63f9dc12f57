//! A loopback proxy that puts a fixed one-way delay on each direction of
//! every connection, as a long network path would: a delay line, not a
//! throttle. Each chunk read from one side is stamped on arrival and written
//! to the other side at arrival + delay, in order; chunks in flight overlap,
//! so a burst of pipelined commands costs one delay, not one per command.
//!
//! Per direction, one thread reads and stamps, another sleeps until each
//! chunk is due and writes it. Every socket has TCP_NODELAY, so neither
//! Nagle's algorithm nor a delayed ACK adds to the delay. The proxy measures
//! how long it really held each chunk (a sleep overshoots by some tens of
//! microseconds, more on a busy machine): [`DelayProxy::take_stats`].
//!
//! Forwarding is bounded by the connections the caller opens: each runs
//! until either side closes, and the accepting thread ends with the process.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

/// A running proxy.
#[derive(Debug)]
pub struct DelayProxy {
    addr: SocketAddr,
    delay: Duration,
    stats: Arc<[Counters; 2]>,
}

/// What the proxy forwarded in one direction since the last
/// [`DelayProxy::take_stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Chunks forwarded (one per read from the sending side).
    pub chunks: u64,
    /// Their bytes.
    pub bytes: u64,
    /// The sum of the times chunks were held, arrival to write.
    pub held: Duration,
    /// The longest a chunk was held.
    pub max_held: Duration,
}

impl Stats {
    /// The mean time a chunk was held: the delay really applied.
    pub fn mean_held(&self) -> Option<Duration> {
        (self.chunks > 0)
            .then(|| Duration::from_nanos((self.held.as_nanos() / u128::from(self.chunks)) as u64))
    }
}

/// The direction of the traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Commands: client to server.
    ToServer = 0,
    /// Responses: server to client.
    ToClient = 1,
}

#[derive(Debug, Default)]
struct Counters {
    chunks: AtomicU64,
    bytes: AtomicU64,
    held_ns: AtomicU64,
    max_held_ns: AtomicU64,
}

impl Counters {
    fn record(&self, bytes: usize, held: Duration) {
        let ns = u64::try_from(held.as_nanos()).unwrap_or(u64::MAX);
        self.chunks.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes as u64, Ordering::Relaxed);
        self.held_ns.fetch_add(ns, Ordering::Relaxed);
        self.max_held_ns.fetch_max(ns, Ordering::Relaxed);
    }

    fn take(&self) -> Stats {
        Stats {
            chunks: self.chunks.swap(0, Ordering::Relaxed),
            bytes: self.bytes.swap(0, Ordering::Relaxed),
            held: Duration::from_nanos(self.held_ns.swap(0, Ordering::Relaxed)),
            max_held: Duration::from_nanos(self.max_held_ns.swap(0, Ordering::Relaxed)),
        }
    }
}

impl DelayProxy {
    /// Listens on a free loopback port and forwards each connection to
    /// `upstream`, every chunk `delay` late in each direction.
    pub fn start(upstream: SocketAddr, delay: Duration) -> io::Result<DelayProxy> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let stats: Arc<[Counters; 2]> = Arc::default();
        let counters = stats.clone();
        thread::Builder::new().name("delay-proxy".into()).spawn(move || {
            for client in listener.incoming().flatten() {
                let counters = counters.clone();
                let _ = thread::Builder::new()
                    .name("delay-proxy-conn".into())
                    .spawn(move || forward(client, upstream, delay, &counters));
            }
        })?;
        Ok(DelayProxy { addr, delay, stats })
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The one-way delay it was started with.
    pub fn delay(&self) -> Duration {
        self.delay
    }

    /// What went through in `direction` since the last call (all
    /// connections), and starts counting again.
    pub fn take_stats(&self, direction: Direction) -> Stats {
        self.stats[direction as usize].take()
    }
}

/// One connection: a delay line each way, until either side closes.
fn forward(
    client: TcpStream,
    upstream: SocketAddr,
    delay: Duration,
    stats: &Arc<[Counters; 2]>,
) -> io::Result<()> {
    let server = match TcpStream::connect(upstream) {
        Ok(s) => s,
        Err(e) => {
            let _ = client.shutdown(Shutdown::Both);
            return Err(e);
        }
    };
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    let (client_in, server_out) = (client.try_clone()?, server.try_clone()?);
    let to_server = {
        let stats = stats.clone();
        thread::spawn(move || delay_line(client_in, server_out, delay, stats, Direction::ToServer))
    };
    let to_client = delay_line(server, client, delay, stats.clone(), Direction::ToClient);
    let to_server = to_server.join().unwrap_or_else(|_| Err(io::Error::other("delay line panicked")));
    to_client.and(to_server)
}

/// Reads `from` and writes each chunk to `to` at its arrival + `delay`; at
/// the end of `from`, ends `to`'s sending side once the last chunk is out.
fn delay_line(
    mut from: TcpStream,
    mut to: TcpStream,
    delay: Duration,
    stats: Arc<[Counters; 2]>,
    direction: Direction,
) -> io::Result<()> {
    let (stamped, due) = mpsc::channel::<(Instant, Vec<u8>)>();
    let writer = thread::Builder::new().name("delay-proxy-write".into()).spawn(move || {
        let counters = &stats[direction as usize];
        let mut result = Ok(());
        for (arrived, chunk) in due {
            let at = arrived + delay;
            let now = Instant::now();
            if at > now {
                thread::sleep(at - now);
            }
            if let Err(e) = to.write_all(&chunk) {
                result = Err(e);
                break;
            }
            counters.record(chunk.len(), arrived.elapsed());
        }
        let _ = to.shutdown(Shutdown::Write);
        result
    })?;
    let mut buf = vec![0u8; 64 * 1024];
    let read = loop {
        match from.read(&mut buf) {
            Ok(0) => break Ok(()),
            // Stamped before anything else: the delay counts from here.
            Ok(n) => {
                if stamped.send((Instant::now(), buf[..n].to_vec())).is_err() {
                    break Ok(()); // the writer failed: its error is returned
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    drop(stamped);
    let written = writer.join().unwrap_or_else(|_| Err(io::Error::other("delay line writer panicked")));
    read.and(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chunks come out in order, each about `delay` late, and a burst
    /// costs one delay, not one per chunk.
    #[test]
    fn a_delay_line_not_a_throttle() {
        let echo = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let upstream = echo.local_addr().unwrap();
        thread::spawn(move || {
            let (mut s, _) = echo.accept().unwrap();
            let mut r = s.try_clone().unwrap();
            let _ = io::copy(&mut r, &mut s);
        });
        let delay = Duration::from_millis(20);
        let proxy = DelayProxy::start(upstream, delay).unwrap();
        let mut c = TcpStream::connect(proxy.addr()).unwrap();
        c.set_nodelay(true).unwrap();
        let start = Instant::now();
        let mut sent = Vec::new();
        for i in 0..50u8 {
            let chunk = [i; 100];
            c.write_all(&chunk).unwrap();
            sent.extend_from_slice(&chunk);
            thread::sleep(Duration::from_micros(200));
        }
        let mut got = vec![0u8; sent.len()];
        c.read_exact(&mut got).unwrap();
        let elapsed = start.elapsed();
        assert_eq!(got, sent);
        // Two delays (there and back) plus the 10 ms spent sending, not 50 × 40 ms.
        assert!(elapsed >= 2 * delay, "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(500), "{elapsed:?}");
        c.shutdown(Shutdown::Write).unwrap();
        assert_eq!(c.read(&mut [0u8; 1]).unwrap(), 0, "the end of the stream passes through");
        let there = proxy.take_stats(Direction::ToServer);
        assert_eq!(there.bytes, 5000);
        assert!(there.mean_held().unwrap() >= delay);
        assert_eq!(proxy.take_stats(Direction::ToServer), Stats::default(), "taking resets");
    }
}
