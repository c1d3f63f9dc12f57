//! Name resolution and the socket options every driver sets: TCP_NODELAY,
//! and TCP_QUICKACK against delayed-ACK stalls.
//!
//! Why TCP_QUICKACK: a server that leaves Nagle's algorithm on (Cyrus does)
//! holds the last small segment of a response (the tagged `OK` line) until
//! the client has acknowledged what it sent before. A client with nothing to
//! send delays that ACK, by up to 40 ms on Linux, so every such response
//! takes 40 ms longer. TCP_QUICKACK makes the kernel acknowledge at once, but
//! only until it decides otherwise, so it is re-armed after every read.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
#[cfg(unix)]
use std::os::fd::AsFd;
#[cfg(windows)]
use std::os::windows::io::AsSocket;

use socket2::SockRef;

use crate::error::ConnectError;

/// Whether [`rearm_quickack`] does anything on this platform (Linux,
/// Android, Fuchsia, Cygwin).
pub const QUICKACK_SUPPORTED: bool =
    cfg!(any(target_os = "linux", target_os = "android", target_os = "fuchsia", target_os = "cygwin"));

/// The addresses of `host` (a name or an IP address) at `port`, from the
/// system resolver. Blocks: async drivers call it on a blocking thread (or
/// use their runtime's resolver and [`ConnectError::Resolve`]).
pub fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, ConnectError> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|error| ConnectError::Resolve { host: host.to_owned(), error })?
        .collect();
    if addrs.is_empty() {
        return Err(ConnectError::NoAddress { host: host.to_owned() });
    }
    Ok(addrs)
}

/// Tunes a freshly connected TCP socket: TCP_NODELAY on (commands go out at
/// once, not after the server's ACK of the previous write), and, when
/// `quickack` is on, a first [`rearm_quickack`].
///
/// Takes anything that gives its file descriptor: std's `TcpStream`,
/// async-io's `Async<TcpStream>`, mio's `TcpStream`, tokio's `TcpStream`
/// (on Windows: its socket handle).
#[cfg(unix)]
pub fn tune_socket(socket: &impl AsFd, quickack: bool) -> io::Result<()> {
    tune(SockRef::from(socket), quickack)
}

/// Tunes a freshly connected TCP socket: TCP_NODELAY on, and, when
/// `quickack` is on, a first [`rearm_quickack`] (which does nothing here).
#[cfg(windows)]
pub fn tune_socket(socket: &impl AsSocket, quickack: bool) -> io::Result<()> {
    tune(SockRef::from(socket), quickack)
}

/// Re-arms TCP_QUICKACK: the next segments are acknowledged at once rather
/// than after the delayed-ACK timer. Call it after every read that returned
/// data (the kernel falls back to delayed ACKs on its own), at the cost of
/// one system call per read.
///
/// On Linux, Android, Fuchsia and Cygwin this sets TCP_QUICKACK. Elsewhere
/// it does nothing and returns `Ok` ([`QUICKACK_SUPPORTED`] says which):
/// macOS and the BSDs have no per-socket switch (only the system-wide
/// `net.inet.tcp.delayed_ack` sysctl); Windows has a per-socket ioctl
/// (`SIO_TCP_SET_ACK_FREQUENCY`) that this crate does not use. There a
/// server that leaves Nagle on can still make a response wait for the
/// client's delayed ACK (up to 200 ms on Windows, about 100 ms on macOS).
#[cfg(unix)]
pub fn rearm_quickack(socket: &impl AsFd) -> io::Result<()> {
    quickack(SockRef::from(socket))
}

/// Re-arms TCP_QUICKACK. Windows has no such option: this does nothing and
/// returns `Ok` (see [`QUICKACK_SUPPORTED`]).
#[cfg(windows)]
pub fn rearm_quickack(socket: &impl AsSocket) -> io::Result<()> {
    quickack(SockRef::from(socket))
}

fn tune(socket: SockRef<'_>, quickack_on: bool) -> io::Result<()> {
    socket.set_tcp_nodelay(true)?;
    if quickack_on {
        quickack(socket)?;
    }
    Ok(())
}

#[cfg(any(target_os = "linux", target_os = "android", target_os = "fuchsia", target_os = "cygwin"))]
fn quickack(socket: SockRef<'_>) -> io::Result<()> {
    socket.set_tcp_quickack(true)
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "fuchsia", target_os = "cygwin")))]
fn quickack(_socket: SockRef<'_>) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::net::{TcpListener, TcpStream};

    use super::*;

    #[test]
    fn tuning_sets_nodelay_and_quickack() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        tune_socket(&client, true).unwrap();
        assert!(client.nodelay().unwrap());
        #[cfg(any(target_os = "linux", target_os = "android"))]
        assert!(SockRef::from(&client).tcp_quickack().unwrap());
        rearm_quickack(&client).unwrap();
    }

    #[test]
    fn resolving_an_address_and_a_name_that_does_not_exist() {
        let addrs = resolve("127.0.0.1", 143).unwrap();
        assert_eq!(addrs, vec!["127.0.0.1:143".parse().unwrap()]);
        // .invalid never resolves (RFC 2606).
        let err = resolve("no-such-host.invalid", 993).unwrap_err();
        assert!(
            matches!(&err, ConnectError::Resolve { host, .. } if host == "no-such-host.invalid"),
            "{err:?}"
        );
        assert!(err.to_string().contains("check the server name"), "{err}");
    }
}
