//! The server's end of one connection: TCP, then TLS after a `TLS` step,
//! then DEFLATE after a `DEFLATE` step. Received bytes are kept, decrypted
//! and inflated, until a step consumes them.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use miniz_oxide::deflate::core::{create_comp_flags_from_zip_params, CompressorOxide};
use miniz_oxide::inflate::stream::InflateState;
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection};

/// What one read brought.
pub(crate) enum Fill {
    Data,
    Eof,
    TimedOut,
}

pub(crate) struct Wire {
    tcp: TcpStream,
    tls: Option<Box<ServerConnection>>,
    deflate: Option<Box<Deflate>>,
    /// Plain bytes received and not yet consumed by a step.
    pub(crate) input: Vec<u8>,
}

impl Wire {
    pub(crate) fn new(tcp: TcpStream, write_timeout: Duration) -> io::Result<Self> {
        tcp.set_nodelay(true)?;
        tcp.set_write_timeout(Some(write_timeout))?;
        Ok(Wire { tcp, tls: None, deflate: None, input: Vec::new() })
    }

    /// Reads once, waiting until `deadline` at most.
    pub(crate) fn fill(&mut self, deadline: Instant) -> io::Result<Fill> {
        let Some(left) = deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()) else {
            return Ok(Fill::TimedOut);
        };
        self.tcp.set_read_timeout(Some(left))?;
        let mut buf = [0u8; 16 * 1024];
        let read = match self.tls.as_deref_mut() {
            Some(conn) => rustls::Stream::new(conn, &mut self.tcp).read(&mut buf),
            None => self.tcp.read(&mut buf),
        };
        match read {
            Ok(0) => Ok(Fill::Eof),
            Ok(n) => {
                match self.deflate.as_deref_mut() {
                    Some(d) => d.inflate(&buf[..n], &mut self.input)?,
                    None => self.input.extend_from_slice(&buf[..n]),
                }
                Ok(Fill::Data)
            }
            Err(e) => match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Ok(Fill::TimedOut),
                io::ErrorKind::Interrupted => Ok(Fill::Data),
                // A TLS client gone without close_notify, or a reset.
                io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset => Ok(Fill::Eof),
                _ => Err(e),
            },
        }
    }

    /// Writes `data` in one go (compressed and encrypted when switched on).
    pub(crate) fn send(&mut self, data: &[u8]) -> io::Result<()> {
        let compressed;
        let data = match self.deflate.as_deref_mut() {
            Some(d) => {
                compressed = d.deflate(data)?;
                &compressed[..]
            }
            None => data,
        };
        match self.tls.as_deref_mut() {
            Some(conn) => {
                let mut stream = rustls::Stream::new(conn, &mut self.tcp);
                stream.write_all(data)?;
                stream.flush()
            }
            None => self.tcp.write_all(data),
        }
    }

    /// The TLS handshake, as the server, on the same TCP connection.
    pub(crate) fn start_tls(&mut self, timeout: Duration) -> io::Result<()> {
        let mut conn = ServerConnection::new(pki().server.clone()).map_err(io::Error::other)?;
        self.tcp.set_read_timeout(Some(timeout))?;
        while conn.is_handshaking() {
            conn.complete_io(&mut self.tcp)?;
        }
        self.tls = Some(Box::new(conn));
        Ok(())
    }

    /// COMPRESS=DEFLATE from now on. Bytes already received are compressed
    /// data.
    pub(crate) fn start_deflate(&mut self) -> io::Result<()> {
        let mut deflate = Box::new(Deflate::new());
        let early = std::mem::take(&mut self.input);
        deflate.inflate(&early, &mut self.input)?;
        self.deflate = Some(deflate);
        Ok(())
    }

    /// Ends our side (FIN, no reset) and reads until the client closes too
    /// (or `deadline`), so what we sent last is never lost to a reset.
    pub(crate) fn close(&mut self, deadline: Instant) {
        let _ = self.tcp.shutdown(Shutdown::Write);
        loop {
            self.input.clear();
            match self.fill(deadline) {
                Ok(Fill::Data) => {}
                _ => return,
            }
        }
    }
}

/// COMPRESS=DEFLATE (RFC 4978): raw DEFLATE both ways, a sync flush after
/// every write so the client can read it at once.
struct Deflate {
    compressor: Box<CompressorOxide>,
    inflater: Box<InflateState>,
}

impl Deflate {
    fn new() -> Self {
        // Level 6, negative window bits: raw DEFLATE without a zlib header.
        let flags = create_comp_flags_from_zip_params(6, -15, 0);
        Deflate {
            compressor: Box::new(CompressorOxide::new(flags)),
            inflater: InflateState::new_boxed(DataFormat::Raw),
        }
    }

    fn deflate(&mut self, mut input: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let r =
                miniz_oxide::deflate::stream::deflate(&mut self.compressor, input, &mut buf, MZFlush::Sync);
            out.extend_from_slice(&buf[..r.bytes_written]);
            input = &input[r.bytes_consumed..];
            match r.status {
                Ok(_) if input.is_empty() && r.bytes_written < buf.len() => return Ok(out),
                Ok(_) | Err(MZError::Buf) => {}
                Err(e) => return Err(io::Error::other(format!("deflate failed: {e:?}"))),
            }
        }
    }

    fn inflate(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let r = miniz_oxide::inflate::stream::inflate(&mut self.inflater, input, &mut buf, MZFlush::None);
            out.extend_from_slice(&buf[..r.bytes_written]);
            input = &input[r.bytes_consumed..];
            match r.status {
                Ok(MZStatus::Ok) | Err(MZError::Buf) => {
                    if input.is_empty() && r.bytes_written < buf.len() {
                        return Ok(());
                    }
                }
                Ok(MZStatus::StreamEnd) if input.is_empty() => return Ok(()),
                other => {
                    let message = format!("the client's DEFLATE stream is corrupt ({other:?})");
                    return Err(io::Error::new(io::ErrorKind::InvalidData, message));
                }
            }
        }
    }
}

/// A CA made at start-up and the server configuration of a leaf it signed
/// for `127.0.0.1` and `localhost`.
struct Pki {
    ca_pem: String,
    server: Arc<ServerConfig>,
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| make_pki().unwrap_or_else(|e| panic!("cannot make the test certificates: {e}")))
}

fn make_pki() -> Result<Pki, Box<dyn std::error::Error>> {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(DnType::CommonName, "imap-conformance test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;
    let key = KeyPair::generate()?;
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])?;
    let leaf = leaf.signed_by(&key, &ca)?;

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let chain = vec![CertificateDer::from(leaf.der().to_vec())];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let server = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(Pki { ca_pem: ca.pem(), server: Arc::new(server) })
}

/// The PEM of the CA that signed the scripted server's certificate (for
/// `127.0.0.1` and `localhost`): what a client must trust for `TLS` steps.
pub fn ca_pem() -> &'static str {
    &pki().ca_pem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deflate_round_trip_with_sync_flushes() {
        let mut server = Deflate::new();
        let mut client = Deflate::new();
        let mut plain = Vec::new();
        for i in 0..20 {
            let line = format!("* {i} FETCH (BODY[] {{{}}}\r\n{})\r\n", i * 50, "x".repeat(i * 50));
            let wire = server.deflate(line.as_bytes()).unwrap();
            let before = plain.len();
            client.inflate(&wire, &mut plain).unwrap();
            assert_eq!(&plain[before..], line.as_bytes(), "each write readable on arrival");
        }
        assert!(client.inflate(&[0xff; 32], &mut plain).is_err());
    }

    #[test]
    fn the_certificate_is_for_loopback() {
        assert!(ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(std::ptr::eq(pki(), pki()), "made once");
    }
}
