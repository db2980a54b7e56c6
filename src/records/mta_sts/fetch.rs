//! Fetching the policy (RFC 8461 §3.3): `https://mta-sts.<domain>/.well-known/mta-sts.txt`,
//! a certificate valid for that name and chaining to a trusted root, no redirects, `text/plain`,
//! and the body linted with [`lint_policy`].

use serde::Serialize;

use super::policy::{lint_policy, MtaStsPolicyReport};
use crate::records::fetch::{
    is_media_type, shown_content_type, FetchError, FetchErrorKind, FetchOptions, HttpFetch,
};
use crate::records::{about_domain, finding};
use crate::report::{quoted, Finding, Severity};

const RFC_FETCH: &str = "https://www.rfc-editor.org/rfc/rfc8461#section-3.3";

/// Policies longer than this are not read. RFC 8461 §3.3 leaves the limit to senders and notes
/// a policy is small; 64 KiB is what common senders allow.
pub const MAX_POLICY_BYTES: usize = 64 * 1024;

/// How long the fetch may take: senders are told to give up after a minute at most (§3.3 has
/// "a timeout of 1 minute"); an audit need not wait that long.
pub const POLICY_TIMEOUT_MS: u32 = 20_000;

/// The fetch of a domain's policy and its lint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct MtaStsFetchReport {
    /// The policy domain, as given.
    pub domain: String,
    /// What was fetched; `null` when the domain cannot make a URL.
    pub url: Option<String>,
    /// The HTTP status of the answer read; `null` when none was.
    pub status: Option<u16>,
    /// The answer's `Content-Type`, as sent; `null` when none was read or sent.
    pub content_type: Option<String>,
    /// Why no policy was read; `null` when one was.
    pub error: Option<FetchError>,
    /// The policy's lint; `null` when none was read.
    pub policy: Option<MtaStsPolicyReport>,
    /// About the fetch (the policy's own findings are in `policy.findings`), each about the
    /// host `mta-sts.<domain>`.
    pub findings: Vec<Finding>,
}

/// The URL of `domain`'s policy, or `None` when `domain` is not a host name (a URL must not be
/// made from arbitrary text: `example.com/evil?` would fetch from elsewhere).
pub fn policy_url(domain: &str) -> Option<String> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let host_name = !domain.is_empty()
        && domain.len() <= 253
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    host_name.then(|| format!("https://mta-sts.{domain}/.well-known/mta-sts.txt"))
}

/// Fetches and lints `domain`'s MTA-STS policy; with `mx_hosts`, checks that the policy covers
/// each of them ([`lint_policy`]).
pub async fn fetch_policy<F: HttpFetch>(
    fetcher: &F,
    domain: &str,
    mx_hosts: Option<&[String]>,
) -> MtaStsFetchReport {
    fetch_policy_at(fetcher, domain, policy_url(domain), mx_hosts).await
}

/// [`fetch_policy`] from `url` instead of the well-known URL (a staging server, a test's
/// loopback server); `None` when no URL could be made.
pub async fn fetch_policy_at<F: HttpFetch>(
    fetcher: &F,
    domain: &str,
    url: Option<String>,
    mx_hosts: Option<&[String]>,
) -> MtaStsFetchReport {
    let host = format!("mta-sts.{}", domain.trim().trim_end_matches('.'));
    let mut report = MtaStsFetchReport {
        domain: domain.to_string(),
        url,
        status: None,
        content_type: None,
        error: None,
        policy: None,
        findings: Vec::new(),
    };
    let Some(url) = report.url.clone() else {
        report.error = Some(FetchError::new(
            FetchErrorKind::InvalidUrl,
            Some(format!("{} is not a domain name", quoted(domain))),
        ));
        report.findings.push(finding(
            Severity::Error,
            "mta-sts-policy.invalid-domain",
            format!(
                "{} is not a domain name; no policy URL can be made.",
                quoted(domain)
            ),
            RFC_FETCH,
            None,
            None,
        ));
        return report;
    };
    let options = FetchOptions {
        max_bytes: MAX_POLICY_BYTES,
        follow_redirects: false,
        timeout_ms: POLICY_TIMEOUT_MS,
        accept: "text/plain",
    };
    match fetcher.get(&url, &options).await {
        Ok(fetched) => {
            report.status = Some(fetched.status);
            report.content_type = fetched.content_type.clone();
            if !is_media_type(fetched.content_type.as_deref(), "text/plain") {
                report.findings.push(finding(
                    Severity::Warning,
                    "mta-sts-policy.content-type",
                    format!(
                        "The policy is served as {}; RFC 8461 §3.3 asks for text/plain, and some \
                         senders refuse anything else.",
                        shown_content_type(fetched.content_type.as_deref())
                    ),
                    RFC_FETCH,
                    None,
                    Some("Serve /.well-known/mta-sts.txt with Content-Type: text/plain.".into()),
                ));
            }
            match String::from_utf8(fetched.body) {
                Ok(text) => {
                    let mut policy = lint_policy(&text, mx_hosts);
                    about_domain(&mut policy.findings, &host);
                    report.policy = Some(policy);
                }
                Err(error) => report.findings.push(finding(
                    Severity::Error,
                    "mta-sts-policy.not-text",
                    format!(
                        "The policy is not UTF-8 text (invalid byte at offset {}).",
                        error.utf8_error().valid_up_to()
                    ),
                    RFC_FETCH,
                    None,
                    None,
                )),
            }
        }
        Err(error) => {
            report.findings.push(fetch_finding(&error, &url));
            report.error = Some(error);
        }
    }
    about_domain(&mut report.findings, &host);
    report
}

/// The finding for a failed fetch: senders then treat the domain as having no policy (unless
/// they hold a cached one), so each is an error, but a browser's refusal, which says nothing
/// about what senders see.
fn fetch_finding(error: &FetchError, url: &str) -> Finding {
    let detail = error.detail.as_deref().map_or(String::new(), |detail| {
        format!(" ({})", crate::report::reveal(detail))
    });
    let (severity, code, message, fix): (Severity, &'static str, String, Option<String>) =
        match error.kind {
            FetchErrorKind::Certificate => (
                Severity::Error,
                "mta-sts-policy.certificate",
                format!("{url}: the certificate is not valid{detail}; senders do not use a policy served without a valid certificate."),
                Some("Serve mta-sts.<domain> with a certificate for that name from a public CA, not expired.".into()),
            ),
            FetchErrorKind::Redirect => (
                Severity::Error,
                "mta-sts-policy.redirect",
                format!("{url} answers with a redirect{detail}; senders MUST NOT follow it (RFC 8461 §3.3), so they find no policy."),
                Some("Serve the policy at this exact URL with status 200.".into()),
            ),
            FetchErrorKind::Status => (
                Severity::Error,
                "mta-sts-policy.http-status",
                format!("{url}: {error}; senders find no policy."),
                Some("Serve the policy at this exact URL with status 200.".into()),
            ),
            FetchErrorKind::TooLarge => (
                Severity::Error,
                "mta-sts-policy.too-large",
                format!("{url}: the answer is larger than {MAX_POLICY_BYTES} bytes; senders stop reading."),
                None,
            ),
            FetchErrorKind::BlockedByBrowser => (
                Severity::Info,
                "mta-sts-policy.blocked-by-browser",
                format!("{url}: the browser did not let this page read the policy (the server sends no CORS header, or the browser refused the connection){detail}. This says nothing about what senders see: paste the policy to check it, or use the command line."),
                None,
            ),
            FetchErrorKind::NotFetched => (
                Severity::Info,
                "mta-sts-policy.not-fetched",
                format!("{url} was not fetched{detail}. Nothing is known of the policy senders would find."),
                None,
            ),
            _ => (
                Severity::Error,
                "mta-sts-policy.fetch-failed",
                format!("{url}: {error}{detail}; senders find no policy."),
                None,
            ),
        };
    finding(severity, code, message, RFC_FETCH, None, fix)
}
