//! Connecting: TCP through async-io (smol's reactor), or any futures-io
//! stream (a tokio socket through compat, a TLS stream of your own...).

use std::time::Instant;

use async_io::Timer;
use async_net::TcpStream;
use futures_io::{AsyncRead, AsyncWrite};
use futures_lite::FutureExt;
use futures_rustls::TlsConnector;
use imap_core::Commands;
use imap_net::{ConnectError, ConnectOptions, Error, Result, Security, TlsError};

use crate::connection::{Connection, Io};
use crate::shared::{Session, Shared};

/// Connects over TCP, then TLS as `options` say; waits for the greeting
/// (and does STARTTLS). Spawn the [`Connection`] on your runtime, then use
/// the [`Session`] from any number of tasks.
///
/// ```no_run
/// use imap_smol::prelude::*;
/// use imap_smol::ConnectOptions;
///
/// smol::block_on(async {
///     let (mut imap, connection) = imap_smol::connect(ConnectOptions::new("imap.example.org")).await?;
///     smol::spawn(connection).detach();
///     imap.login("alice", "secret").await?;
///     let inbox = imap.select("INBOX").await?;
///     println!("{} messages", inbox.exists);
///     Ok::<(), imap_smol::Error>(())
/// })?;
/// # Ok::<(), imap_smol::Error>(())
/// ```
pub async fn connect(options: ConnectOptions) -> Result<(Session, Connection)> {
    let (host, port, timeout) = (options.host.clone(), options.server_port(), options.connect_timeout);
    options.tls_config()?; // a missing CA file fails before any packet is sent
    let connect = async {
        let addrs = async_net::resolve((host.as_str(), port))
            .await
            .map_err(|e| ConnectError::from_connect(&host, port, timeout, e))?;
        let mut last = std::io::Error::from(std::io::ErrorKind::AddrNotAvailable);
        for addr in addrs {
            match TcpStream::connect(addr).await {
                Ok(stream) => return Ok(stream),
                Err(e) => last = e,
            }
        }
        Err(ConnectError::from_connect(&host, port, timeout, last))
    };
    let expired = async {
        Timer::after(timeout).await;
        Err(ConnectError::from_connect(&host, port, timeout, std::io::ErrorKind::TimedOut.into()))
    };
    let tcp = connect.or(expired).await?;
    imap_net::tune_socket(&tcp, options.quickack)?;
    let rearm = options.quickack.then(|| {
        let socket = tcp.clone();
        Box::new(move || {
            let _ = imap_net::rearm_quickack(&socket);
        }) as Box<dyn FnMut() + Send>
    });
    let (session, mut connection) = connect_with(tcp, options).await?;
    connection.after_read = rearm;
    Ok((session, connection))
}

/// As [`connect`], over a stream you opened (any futures-io stream: a
/// tokio `TcpStream` through `tokio_util::compat`, a proxy tunnel...). TLS
/// and STARTTLS are done on it as `options` say.
///
/// ```no_run
/// use imap_smol::prelude::*;
/// use tokio_util::compat::TokioAsyncReadCompatExt;
///
/// # async fn f() -> imap_smol::Result<()> {
/// let options = imap_smol::ConnectOptions::new("imap.example.org");
/// let tcp = tokio::net::TcpStream::connect(("imap.example.org", 993)).await?;
/// let (mut imap, connection) = imap_smol::connect_with(tcp.compat(), options).await?;
/// tokio::spawn(connection);
/// imap.login("alice", "secret").await?;
/// # Ok(()) }
/// ```
pub async fn connect_with<S>(stream: S, options: ConnectOptions) -> Result<(Session, Connection)>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let stream: Box<dyn Io> = Box::new(stream);
    let deadline = Instant::now() + options.connect_timeout;
    let io = match options.tls_config()? {
        Some(tls) if options.security == Security::Tls => {
            let connector = TlsConnector::from(tls.client_config().clone());
            let handshake = async {
                connector
                    .connect(tls.server_name().clone(), stream)
                    .await
                    .map_err(|e| Error::from(TlsError::from_io(e, options.connect_timeout)))
            };
            let expired = async {
                Timer::at(deadline).await;
                Err(TlsError::from_io(std::io::ErrorKind::TimedOut.into(), options.connect_timeout).into())
            };
            Box::new(handshake.or(expired).await?)
        }
        _ => stream,
    };
    let shared = Shared::new(imap_core::Client::new(options.engine.clone()));
    let mut connection = Connection::new(shared.clone(), io);
    connection.tls = Some((options.host.clone(), options.tls.clone()));
    let mut session = Session { shared };
    // Polled with the connection: woken by the same reads.
    let greeted = std::future::poll_fn(|_| match session.shared.lock().core.capabilities_known() {
        true => std::task::Poll::Ready(Ok(())),
        false => std::task::Poll::Pending,
    });
    connection.drive_while(greeted).await?;
    if options.security == Security::StartTls {
        connection.drive_while(session.starttls()).await?;
    }
    Ok((session, connection))
}
