//! Fetching the BIMI logo named by `l=` over [`HttpFetch`] and checking it with
//! [`check_svg`]. Read up to [`MAX_SCANNED_BYTES`], so that a logo over the BIMI group's 32 KB
//! is still checked (and warned about) rather than only refused.

use serde::Serialize;

use super::svg::{check_svg, SvgReport, MAX_SCANNED_BYTES};
use crate::records::fetch::{
    is_media_type, require_https, shown_content_type, FetchError, FetchOptions, HttpFetch,
};
use crate::records::finding;
use crate::report::{quoted, Finding, Severity};

const RFC_LOGO: &str =
    "https://datatracker.ietf.org/doc/html/draft-brand-indicators-for-message-identification";

/// The fetch of a BIMI logo and its check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct LogoFetchReport {
    pub url: String,
    /// The HTTP status of the answer read; `null` when none was.
    pub status: Option<u16>,
    /// `Content-Type` as sent; `null` when none was read or sent.
    pub content_type: Option<String>,
    /// Why no logo was read; `null` when one was.
    pub error: Option<FetchError>,
    /// The check of the file; `null` when none was read.
    pub svg: Option<SvgReport>,
    /// About the fetch; the file's own findings are in `svg.findings`.
    pub findings: Vec<Finding>,
}

/// Fetches the logo at `url` (a BIMI `l=` value) and checks it.
pub async fn fetch_logo<F: HttpFetch>(fetcher: &F, url: &str) -> LogoFetchReport {
    let mut report = LogoFetchReport {
        url: url.to_string(),
        status: None,
        content_type: None,
        error: None,
        svg: None,
        findings: Vec::new(),
    };
    let options = FetchOptions {
        max_bytes: MAX_SCANNED_BYTES,
        follow_redirects: true,
        timeout_ms: 20_000,
        accept: "image/svg+xml",
    };
    let fetched = match require_https(url) {
        Ok(()) => fetcher.get(url, &options).await,
        Err(error) => Err(error),
    };
    match fetched {
        Ok(fetched) => {
            report.status = Some(fetched.status);
            if !is_media_type(fetched.content_type.as_deref(), "image/svg+xml") {
                report.findings.push(finding(
                    Severity::Warning,
                    "bimi.logo-content-type",
                    format!(
                        "The logo is served as {}; receivers expect image/svg+xml.",
                        shown_content_type(fetched.content_type.as_deref())
                    ),
                    RFC_LOGO,
                    None,
                    Some("Serve the .svg file with Content-Type: image/svg+xml.".into()),
                ));
            }
            report.content_type = fetched.content_type;
            report.svg = Some(check_svg(&fetched.body));
        }
        Err(error) => {
            report.findings.push(finding(
                Severity::Error,
                "bimi.logo-fetch-failed",
                format!("{}: {error}; receivers cannot show the logo.", quoted(url)),
                RFC_LOGO,
                None,
                None,
            ));
            report.error = Some(error);
        }
    }
    report
}
