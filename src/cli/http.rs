//! The CLI's answer to the core's [`HttpFetch`]: ureq with rustls, the certificate checked
//! against the public roots (Mozilla's, as webpki-root-certs ships them) and any roots of a
//! `--ca-file`. Each request runs on a thread of its own (see [`super::thread`]).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use mailspect::records::fetch::require_https;
use mailspect::records::{FetchError, FetchErrorKind, FetchOptions, FetchedBody, HttpFetch};
use ureq::tls::{Certificate, RootCerts, TlsConfig};

use super::resolve::read_limited;
use super::{thread, CliError};

/// PEM files larger than this are refused: a CA bundle is a few hundred kilobytes.
const MAX_CA_FILE: u64 = 4 * 1024 * 1024;

/// HTTPS GETs for the core: the MTA-STS policy, the BIMI logo.
#[derive(Clone)]
pub struct UreqFetcher {
    /// Follows no redirect: [`FetchOptions::follow_redirects`] asks for one agent or the other.
    direct: ureq::Agent,
    following: ureq::Agent,
}

impl UreqFetcher {
    /// A fetcher trusting the public roots, and the certificates of `ca_file` (PEM) too when
    /// given: a private CA, or a test's.
    pub fn new(ca_file: Option<&Path>) -> Result<Self, CliError> {
        let mut roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|der| Certificate::from_der(der.as_ref()).to_owned())
            .collect();
        if let Some(path) = ca_file {
            roots.extend(read_ca_file(path)?);
        }
        let tls = TlsConfig::builder()
            .root_certs(RootCerts::Specific(Arc::new(roots)))
            .build();
        let agent = |redirects: u32| -> ureq::Agent {
            ureq::Agent::config_builder()
                .tls_config(tls.clone())
                .http_status_as_error(false)
                .max_redirects(redirects)
                .user_agent(concat!("mailspect/", env!("CARGO_PKG_VERSION")))
                .build()
                .into()
        };
        Ok(UreqFetcher {
            direct: agent(0),
            following: agent(5),
        })
    }
}

/// The certificates of a PEM file; an error names the file and what is wrong.
pub(super) fn read_ca_file(path: &Path) -> Result<Vec<Certificate<'static>>, CliError> {
    let shown = path.display();
    let pem = read_limited(path, MAX_CA_FILE)
        .map_err(|why| CliError(format!("--ca-file {shown}: {why}")))?;
    let mut certificates = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(certificate)) => certificates.push(certificate),
            Ok(_) => {}
            Err(error) => return Err(CliError(format!("--ca-file {shown}: {error}"))),
        }
    }
    if certificates.is_empty() {
        return Err(CliError(format!(
            "--ca-file {shown}: no CERTIFICATE in the file"
        )));
    }
    Ok(certificates)
}

/// The kind of a ureq failure. A TLS handshake failure comes as an I/O error wrapping the
/// rustls error; the certificate's own failures are told apart from the rest of TLS.
fn error_kind(error: &ureq::Error) -> FetchErrorKind {
    let tls = match error {
        ureq::Error::Rustls(tls) => Some(tls),
        ureq::Error::Io(io) => io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>()),
        _ => None,
    };
    if let Some(tls) = tls {
        return match tls {
            rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented => {
                FetchErrorKind::Certificate
            }
            _ => FetchErrorKind::Other,
        };
    }
    match error {
        ureq::Error::Timeout(_) => FetchErrorKind::Timeout,
        ureq::Error::BodyExceedsLimit(_) => FetchErrorKind::TooLarge,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::Io(_) => {
            FetchErrorKind::Connect
        }
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => FetchErrorKind::InvalidUrl,
        _ => FetchErrorKind::Other,
    }
}

/// One blocking GET, as the request thread runs it.
fn blocking_get(
    agent: &ureq::Agent,
    url: &str,
    options: &FetchOptions,
) -> Result<FetchedBody, FetchError> {
    let failed = |error: ureq::Error| FetchError::new(error_kind(&error), Some(error.to_string()));
    require_https(url)?;
    let mut response = agent
        .get(url)
        .header("Accept", options.accept)
        .config()
        .timeout_global(Some(Duration::from_millis(u64::from(options.timeout_ms))))
        .build()
        .call()
        .map_err(failed)?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    };
    if (300..400).contains(&status) && !options.follow_redirects {
        let location = header("location");
        return Err(FetchError::new(
            FetchErrorKind::Redirect,
            Some(match location {
                Some(location) => format!("{status} to {location}"),
                None => status.to_string(),
            }),
        ));
    }
    if !(200..300).contains(&status) {
        return Err(FetchError::new(
            FetchErrorKind::Status,
            Some(status.to_string()),
        ));
    }
    let content_type = header("content-type");
    let body = response
        .body_mut()
        .with_config()
        .limit(options.max_bytes as u64)
        .read_to_vec()
        .map_err(failed)?;
    Ok(FetchedBody {
        status,
        content_type,
        body,
    })
}

impl HttpFetch for UreqFetcher {
    async fn get(&self, url: &str, options: &FetchOptions) -> Result<FetchedBody, FetchError> {
        let agent = if options.follow_redirects {
            self.following.clone()
        } else {
            self.direct.clone()
        };
        let url = url.to_string();
        let options = options.clone();
        let request = thread::spawn("mailspect-https", move || {
            blocking_get(&agent, &url, &options)
        })
        .map_err(|error| {
            FetchError::new(
                FetchErrorKind::Other,
                Some(format!("cannot start a request thread: {error}")),
            )
        })?;
        request.await.unwrap_or_else(|| {
            Err(FetchError::new(
                FetchErrorKind::Other,
                Some("the request thread failed".into()),
            ))
        })
    }
}
