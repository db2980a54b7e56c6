//! HTTPS for the core in the CLI: the MTA-STS policy fetch of `mailspect domain`, over ureq
//! with rustls, validating the certificate against the public roots or the `--ca-file` given.
//! A minimal client: one blocking GET (the audit makes one, after its DNS lookups).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use mailspect::records::{FetchError, FetchErrorKind, FetchOptions, FetchedBody, HttpFetch};
use ureq::tls::{parse_pem, PemItem, RootCerts, TlsConfig};

use super::CliError;

pub struct UreqFetcher {
    agent: ureq::Agent,
}

impl UreqFetcher {
    /// A client trusting the public roots, or only the certificates of `ca_file` (PEM).
    pub fn new(ca_file: Option<&Path>) -> Result<Self, CliError> {
        let mut tls = TlsConfig::builder();
        if let Some(path) = ca_file {
            let shown = path.display();
            let pem = std::fs::read(path).map_err(|error| CliError(format!("{shown}: {error}")))?;
            let certificates: Vec<_> = parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(PemItem::Certificate(certificate)) => Some(certificate),
                    _ => None,
                })
                .collect();
            if certificates.is_empty() {
                return Err(CliError(format!("{shown}: no PEM certificate in the file")));
            }
            tls = tls.root_certs(RootCerts::Specific(Arc::new(certificates)));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .https_only(true)
            .tls_config(tls.build())
            .user_agent(concat!("mailspect/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(UreqFetcher { agent })
    }
}

fn fetch_error(error: ureq::Error) -> FetchError {
    let text = error.to_string();
    // rustls's certificate errors reach here as `Rustls` or, through the connection, as `Io`;
    // both say "certificate" (the crate is not a direct dependency to match on its types).
    let about_certificate = text.to_ascii_lowercase().contains("certificate");
    let kind = match &error {
        _ if about_certificate => FetchErrorKind::Certificate,
        ureq::Error::Timeout(_) => FetchErrorKind::Timeout,
        ureq::Error::BodyExceedsLimit(_) => FetchErrorKind::TooLarge,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::Io(_) => {
            FetchErrorKind::Connect
        }
        ureq::Error::BadUri(_) | ureq::Error::RequireHttpsOnly(_) => FetchErrorKind::InvalidUrl,
        _ => FetchErrorKind::Other,
    };
    FetchError::new(kind, Some(text))
}

impl HttpFetch for UreqFetcher {
    async fn get(&self, url: &str, options: &FetchOptions) -> Result<FetchedBody, FetchError> {
        let mut response = self
            .agent
            .get(url)
            .header("Accept", options.accept)
            .config()
            .max_redirects(if options.follow_redirects { 5 } else { 0 })
            .timeout_global(Some(Duration::from_millis(u64::from(options.timeout_ms))))
            .build()
            .call()
            .map_err(fetch_error)?;
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            let location = response
                .headers()
                .get("location")
                .and_then(|value| value.to_str().ok())
                .map(str::to_string);
            return Err(FetchError::new(FetchErrorKind::Redirect, location));
        }
        if !(200..300).contains(&status) {
            return Err(FetchError::new(
                FetchErrorKind::Status,
                Some(status.to_string()),
            ));
        }
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        let body = response
            .body_mut()
            .with_config()
            .limit(options.max_bytes as u64)
            .read_to_vec()
            .map_err(fetch_error)?;
        Ok(FetchedBody {
            status,
            content_type,
            body,
        })
    }
}
