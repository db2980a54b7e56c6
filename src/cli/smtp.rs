//! The probe's sockets and TLS: the CLI's answer to the core's [`SmtpTransport`]. TCP with a
//! timeout on the connect and on every read and write, all within one deadline per host (a
//! tarpit that answers a byte at a time still ends), and rustls (ring) for the handshake.
//!
//! The certificate is verified against the public roots (webpki-root-certs) and any
//! `--ca-file` roots, for the MX name, by rustls's own WebPKI verifier; but the verdict is
//! recorded rather than enforced ([`danger_recording_verifier`]), so that the probe goes on
//! and reports why a certificate fails. The probe sends no secret over the connection, so
//! nothing is exposed by going on; the signature of the handshake is still checked.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mailspect::probe::{
    CertificateBytes, CertificateProblemKind, CertificateVerdict, NameCheck, NameRole,
    SmtpConnection, SmtpTransport, TlsHandshake, TlsRequest, TlsVersions, TransportError,
    TransportErrorKind,
};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore,
    SignatureScheme,
};

use super::http::read_ca_file;
use super::CliError;

/// The edge's bounds on waiting.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub connect: Duration,
    pub read: Duration,
    /// Everything one host may take, every connection included.
    pub host: Duration,
}

/// Connections for the probe; one host at a time (the deadline is the current host's).
pub struct SocketTransport {
    limits: Limits,
    roots: Arc<RootCertStore>,
    provider: Arc<CryptoProvider>,
    deadline: Mutex<Instant>,
    started: Instant,
}

impl SocketTransport {
    /// Trusts the public roots and the certificates of `ca_file`.
    pub fn new(limits: Limits, ca_file: Option<&Path>) -> Result<Self, CliError> {
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
        if let Some(path) = ca_file {
            for certificate in read_ca_file(path)? {
                roots
                    .add(CertificateDer::from(certificate.der().to_vec()))
                    .map_err(|error| CliError(format!("--ca-file {}: {error}", path.display())))?;
            }
        }
        Ok(SocketTransport {
            limits,
            roots: Arc::new(roots),
            provider: Arc::new(rustls::crypto::ring::default_provider()),
            deadline: Mutex::new(Instant::now() + limits.host),
            started: Instant::now(),
        })
    }
}

fn io_error(error: std::io::Error, deadline: Instant, what: &str) -> TransportError {
    match error.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut if Instant::now() >= deadline => {
            TransportError::new(
                TransportErrorKind::HostDeadline,
                format!("the time allowed for the host ran out while {what}"),
            )
        }
        ErrorKind::WouldBlock | ErrorKind::TimedOut => TransportError::new(
            TransportErrorKind::Timeout,
            format!("no answer in time while {what}"),
        ),
        ErrorKind::ConnectionRefused => {
            TransportError::new(TransportErrorKind::Connect, "connection refused")
        }
        _ => match error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            Some(tls) => TransportError::new(TransportErrorKind::Tls, tls.to_string()),
            None => TransportError::new(TransportErrorKind::Io, format!("{error} while {what}")),
        },
    }
}

/// The time left before `deadline`, at most `cap`; an error when none is.
fn remaining(deadline: Instant, cap: Duration, what: &str) -> Result<Duration, TransportError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(TransportError::new(
            TransportErrorKind::HostDeadline,
            format!("the time allowed for the host ran out before {what}"),
        ));
    }
    Ok(left.min(cap))
}

impl SmtpTransport for SocketTransport {
    type Connection = SocketConnection;

    fn connect(
        &self,
        address: SocketAddr,
        first: bool,
    ) -> Result<SocketConnection, TransportError> {
        let mut deadline = self
            .deadline
            .lock()
            .map_err(|_| TransportError::new(TransportErrorKind::Io, "the deadline lock failed"))?;
        if first {
            *deadline = Instant::now() + self.limits.host;
        }
        let deadline = *deadline;
        let wait = remaining(deadline, self.limits.connect, "connecting")?;
        let stream =
            TcpStream::connect_timeout(&address, wait).map_err(|error| match error.kind() {
                ErrorKind::TimedOut | ErrorKind::WouldBlock => TransportError::new(
                    TransportErrorKind::Timeout,
                    format!("no connection within {} ms", wait.as_millis()),
                ),
                _ => TransportError::new(TransportErrorKind::Connect, error.to_string()),
            })?;
        Ok(SocketConnection {
            stream: Stream::Plain(stream),
            buffer: Vec::new(),
            deadline,
            read: self.limits.read,
            roots: self.roots.clone(),
            provider: self.provider.clone(),
        })
    }

    fn now_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<ClientConnection, TcpStream>>),
    /// After a failed handshake.
    Broken,
}

impl Stream {
    fn socket(&self) -> Option<&TcpStream> {
        match self {
            Stream::Plain(socket) => Some(socket),
            Stream::Tls(tls) => Some(&tls.sock),
            Stream::Broken => None,
        }
    }
}

pub struct SocketConnection {
    stream: Stream,
    /// Bytes read past the last line.
    buffer: Vec<u8>,
    deadline: Instant,
    read: Duration,
    roots: Arc<RootCertStore>,
    provider: Arc<CryptoProvider>,
}

impl SocketConnection {
    fn arm(&self, what: &str) -> Result<(), TransportError> {
        let wait = remaining(self.deadline, self.read, what)?;
        let socket = self.stream.socket().ok_or_else(|| {
            TransportError::new(TransportErrorKind::Closed, "the connection is closed")
        })?;
        socket
            .set_read_timeout(Some(wait))
            .and_then(|()| socket.set_write_timeout(Some(wait)))
            .map_err(|error| io_error(error, self.deadline, what))
    }
}

impl SmtpConnection for SocketConnection {
    fn read_line(&mut self, max: usize) -> Result<Vec<u8>, TransportError> {
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = self.buffer.iter().position(|&byte| byte == b'\n') {
                let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if line.len() > max {
                    return Err(TransportError::new(
                        TransportErrorKind::LineTooLong,
                        format!("a reply line is longer than {max} bytes"),
                    ));
                }
                return Ok(line);
            }
            // CR LF may still follow `max` bytes.
            if self.buffer.len() > max + 1 {
                return Err(TransportError::new(
                    TransportErrorKind::LineTooLong,
                    format!("a reply line is longer than {max} bytes"),
                ));
            }
            self.arm("reading a reply")?;
            let read = match &mut self.stream {
                Stream::Plain(socket) => socket.read(&mut chunk),
                Stream::Tls(tls) => tls.read(&mut chunk),
                Stream::Broken => {
                    return Err(TransportError::new(
                        TransportErrorKind::Closed,
                        "the connection is closed",
                    ))
                }
            };
            match read {
                Ok(0) => {
                    return Err(TransportError::new(
                        TransportErrorKind::Closed,
                        "the server closed the connection",
                    ))
                }
                Ok(count) => self
                    .buffer
                    .extend_from_slice(chunk.get(..count).unwrap_or(&[])),
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => return Err(io_error(error, self.deadline, "reading a reply")),
            }
        }
    }

    fn write_line(&mut self, line: &str) -> Result<(), TransportError> {
        self.arm("sending a command")?;
        let bytes = format!("{line}\r\n");
        let written = match &mut self.stream {
            Stream::Plain(socket) => socket
                .write_all(bytes.as_bytes())
                .and_then(|()| socket.flush()),
            Stream::Tls(tls) => tls.write_all(bytes.as_bytes()).and_then(|()| tls.flush()),
            Stream::Broken => {
                return Err(TransportError::new(
                    TransportErrorKind::Closed,
                    "the connection is closed",
                ))
            }
        };
        written.map_err(|error| io_error(error, self.deadline, "sending a command"))
    }

    fn start_tls(&mut self, request: &TlsRequest) -> Result<TlsHandshake, TransportError> {
        // Anything the server sent after its 220 to STARTTLS was sent in plaintext and must not
        // be read as if it came over TLS (the STARTTLS command injection of CVE-2011-0411).
        self.buffer.clear();
        let socket = match std::mem::replace(&mut self.stream, Stream::Broken) {
            Stream::Plain(socket) => socket,
            other => {
                self.stream = other;
                return Err(TransportError::new(
                    TransportErrorKind::Tls,
                    "TLS is already established",
                ));
            }
        };
        let versions: &[&'static rustls::SupportedProtocolVersion] = match request.versions {
            TlsVersions::Any => &[&rustls::version::TLS13, &rustls::version::TLS12],
            TlsVersions::Tls12 => &[&rustls::version::TLS12],
            TlsVersions::Tls13 => &[&rustls::version::TLS13],
        };
        let tls_error =
            |error: rustls::Error| TransportError::new(TransportErrorKind::Tls, error.to_string());
        let webpki =
            WebPkiServerVerifier::builder_with_provider(self.roots.clone(), self.provider.clone())
                .build()
                .map_err(|error| TransportError::new(TransportErrorKind::Tls, error.to_string()))?;
        let verifier = Arc::new(danger_recording_verifier(
            webpki,
            request.also_check.clone(),
        ));
        let config = ClientConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(versions)
            .map_err(tls_error)?
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth();
        let name = ServerName::try_from(request.server_name.clone()).map_err(|error| {
            TransportError::new(
                TransportErrorKind::Tls,
                format!("{} is not a server name: {error}", request.server_name),
            )
        })?;
        let connection = ClientConnection::new(Arc::new(config), name).map_err(tls_error)?;
        let mut tls = rustls::StreamOwned::new(connection, socket);
        while tls.conn.is_handshaking() {
            let wait = remaining(self.deadline, self.read, "the TLS handshake")?;
            tls.sock
                .set_read_timeout(Some(wait))
                .and_then(|()| tls.sock.set_write_timeout(Some(wait)))
                .map_err(|error| io_error(error, self.deadline, "the TLS handshake"))?;
            match tls.conn.complete_io(&mut tls.sock) {
                Ok(_) => {}
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => return Err(io_error(error, self.deadline, "the TLS handshake")),
            }
        }
        let version = match tls.conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_string(),
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_string(),
            other => format!("{other:?}"),
        };
        let cipher_suite = tls
            .conn
            .negotiated_cipher_suite()
            .map(|suite| {
                suite
                    .suite()
                    .as_str()
                    .map_or_else(|| format!("{:?}", suite.suite()), str::to_string)
            })
            .unwrap_or_default();
        let chain = tls
            .conn
            .peer_certificates()
            .unwrap_or(&[])
            .iter()
            .map(certificate_bytes)
            .collect();
        let verdict = verifier
            .verdict
            .lock()
            .ok()
            .and_then(|mut recorded| recorded.take())
            .unwrap_or_else(|| CertificateVerdict {
                chain_valid: false,
                problem: Some(CertificateProblemKind::Other),
                detail: Some("the server sent no certificate to verify".into()),
                not_after: None,
                names: Vec::new(),
            });
        self.stream = Stream::Tls(Box::new(tls));
        Ok(TlsHandshake {
            version,
            cipher_suite,
            chain,
            verdict,
        })
    }
}

fn certificate_bytes(der: &CertificateDer<'_>) -> CertificateBytes {
    match webpki::EndEntityCert::try_from(der) {
        Ok(certificate) => CertificateBytes {
            der: der.to_vec(),
            spki: certificate.subject_public_key_info().as_ref().to_vec(),
            dns_names: certificate.valid_dns_names().map(str::to_string).collect(),
        },
        Err(_) => CertificateBytes {
            der: der.to_vec(),
            spki: Vec::new(),
            dns_names: Vec::new(),
        },
    }
}

/// Verifies like rustls's WebPKI verifier, records the verdict, and accepts the certificate
/// whatever it is: for the probe only, which must see the rest of the server's behaviour and
/// sends nothing secret. Handshake signatures are still verified for real.
fn danger_recording_verifier(
    inner: Arc<WebPkiServerVerifier>,
    also_check: Option<String>,
) -> RecordingVerifier {
    RecordingVerifier {
        inner,
        also_check,
        verdict: Mutex::new(None),
    }
}

#[derive(Debug)]
struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    also_check: Option<String>,
    verdict: Mutex<Option<CertificateVerdict>>,
}

fn name_valid(end_entity: &CertificateDer<'_>, name: &ServerName<'_>) -> bool {
    webpki::EndEntityCert::try_from(end_entity)
        .is_ok_and(|certificate| certificate.verify_is_valid_for_subject_name(name).is_ok())
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        let mut verdict = CertificateVerdict {
            chain_valid: true,
            problem: None,
            detail: None,
            not_after: None,
            names: Vec::new(),
        };
        if let Err(error) = &result {
            let kind = match error {
                rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. },
                ) => None,
                rustls::Error::InvalidCertificate(CertificateError::Expired) => {
                    Some(CertificateProblemKind::Expired)
                }
                rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
                    not_after,
                    ..
                }) => {
                    verdict.not_after = Some(not_after.as_secs());
                    Some(CertificateProblemKind::Expired)
                }
                rustls::Error::InvalidCertificate(
                    CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. },
                ) => Some(CertificateProblemKind::NotYetValid),
                rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
                    Some(CertificateProblemKind::UnknownIssuer)
                }
                _ => Some(CertificateProblemKind::Other),
            };
            if kind.is_some() {
                verdict.chain_valid = false;
                verdict.problem = kind;
                verdict.detail = Some(error.to_string());
            }
        }
        verdict.names.push(NameCheck {
            name: server_name.to_str().into_owned(),
            role: NameRole::MxHost,
            valid: name_valid(end_entity, server_name),
        });
        if let Some(name) = self
            .also_check
            .as_deref()
            .and_then(|name| ServerName::try_from(name).ok())
        {
            verdict.names.push(NameCheck {
                name: name.to_str().into_owned(),
                role: NameRole::Greeting,
                valid: name_valid(end_entity, &name),
            });
        }
        if let Ok(mut recorded) = self.verdict.lock() {
            *recorded = Some(verdict);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
