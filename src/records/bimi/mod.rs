//! BIMI (draft-brand-indicators-for-message-identification): the `default._bimi.<domain>` TXT
//! record that points at the brand's logo (`l=`, an SVG Tiny PS file over HTTPS) and at the
//! evidence that the brand owns it (`a=`, a Verified Mark Certificate as PEM over HTTPS).
//! [`svg`] checks the logo file itself.
//!
//! `v=BIMI1` comes first. An empty `l=` (with an empty or absent `a=`) is a declination: the
//! domain asks receivers to show no logo. Mailbox providers show a logo only when the domain's
//! DMARC policy is at enforcement (quarantine or reject); the domain audit checks that, this
//! module reads the record alone.

pub mod fetch;
pub mod svg;

use serde::Serialize;

use super::tags::{self, Area, RecordTag};
use super::{finding, has_error, Lint};
use crate::report::{quoted, Finding, Severity};

pub use fetch::{fetch_logo, LogoFetchReport};
pub use svg::{check_svg, SvgReport, MAX_SVG_BYTES};

const RFC_RECORD: &str =
    "https://datatracker.ietf.org/doc/html/draft-brand-indicators-for-message-identification#section-4.2";

const AREA: Area = Area {
    version: "BIMI1",
    no_version: "bimi.no-version",
    malformed: "bimi.malformed-field",
    duplicate: "bimi.duplicate-field",
    rfc: RFC_RECORD,
};

/// The BIMI record, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct BimiRecord {
    /// The record's text, TXT strings joined.
    pub text: String,
    /// Every field in order, `v=` first.
    pub tags: Vec<RecordTag>,
    /// `l=`: the logo's URL; `""` for a declination, `null` when absent.
    pub location: Option<String>,
    /// `a=`: the VMC's URL; `""` or `null` when the record has none.
    pub authority: Option<String>,
    /// `avp=`: `brand` or `personal`, when given.
    pub avatar_preference: Option<String>,
    /// The record declines BIMI: empty `l=`, and `a=` empty or absent.
    pub declined: bool,
}

/// The lint of a BIMI record: `record` is `null` when the text does not begin with `v=BIMI1`;
/// `valid` when receivers could use it (`l=` an https: URL, or empty for a declination).
pub type BimiReport = Lint<BimiRecord>;

/// The record as receivers use it, or the findings that make them ignore it.
pub fn parse(text: &str) -> Result<BimiRecord, Vec<Finding>> {
    lint(text).into_result()
}

/// What is wrong with `url` as a BIMI `l=` or `a=` URL: it must be `https://` with a host (the
/// draft: "The only supported transport is HTTPS").
fn url_problem(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    match lower.strip_prefix("https://") {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            if host.is_empty() || host.contains('@') {
                Some("the URL has no host".to_string())
            } else if url.contains(char::is_whitespace) {
                Some("the URL holds white space".to_string())
            } else {
                None
            }
        }
        None if lower.starts_with("http://") => Some("it must be https:, not http:".to_string()),
        None => Some("it is not an https: URL".to_string()),
    }
}

/// The path of a URL without its query and fragment, lower case.
fn url_path(url: &str) -> String {
    url.split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Lints the BIMI record `text`.
pub fn lint(text: &str) -> BimiReport {
    let (tags, mut findings) = tags::read(text, &AREA);
    let Some(tags) = tags else {
        for finding in findings.iter_mut().filter(|f| f.code == AREA.no_version) {
            finding.fix = Some(
                "Publish v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem \
                 (your URLs), or v=BIMI1; l=; to decline."
                    .into(),
            );
        }
        return Lint::unreadable(findings);
    };
    let location = tags::first(&tags, "l");
    let authority = tags::first(&tags, "a");
    let declined = location.is_some_and(|l| l.value.is_empty())
        && authority.is_none_or(|a| a.value.is_empty());
    match location {
        None => findings.push(finding(
            Severity::Error,
            "bimi.no-location",
            "The record has no l= tag; receivers have no logo to show.",
            RFC_RECORD,
            None,
            Some("Add l=https://… with the URL of the SVG logo, or l= (empty) to decline.".into()),
        )),
        Some(tag) if tag.value.is_empty() => {
            if declined {
                findings.push(finding(
                    Severity::Info,
                    "bimi.declined",
                    "l= is empty: the domain declines to show a logo.",
                    RFC_RECORD,
                    Some(tag.record_span),
                    None,
                ));
            } else {
                findings.push(finding(
                    Severity::Warning,
                    "bimi.empty-location",
                    "l= is empty but a= is not: the record neither declines nor names a logo.",
                    RFC_RECORD,
                    Some(tag.record_span),
                    Some("Put the logo's https: URL in l=, or empty a= as well to decline.".into()),
                ));
            }
        }
        Some(tag) => lint_location(tag, &mut findings),
    }
    match authority {
        Some(tag) if !tag.value.is_empty() => {
            if let Some(problem) = url_problem(&tag.value) {
                findings.push(finding(
                    Severity::Error,
                    "bimi.bad-authority",
                    format!("a={}: {problem}.", quoted(&tag.value)),
                    RFC_RECORD,
                    Some(tag.value_span),
                    Some("Use the https: URL of the VMC's .pem file.".into()),
                ));
            } else if !url_path(&tag.value).ends_with(".pem") {
                findings.push(finding(
                    Severity::Info,
                    "bimi.authority-not-pem",
                    format!(
                        "a={} does not end in .pem; the evidence document is a PEM file.",
                        quoted(&tag.value)
                    ),
                    RFC_RECORD,
                    Some(tag.value_span),
                    None,
                ));
            }
        }
        _ if !declined && location.is_some() => findings.push(finding(
            Severity::Info,
            "bimi.no-authority",
            "The record has no a= (Verified Mark Certificate): the largest mailbox providers \
             show a logo only with one.",
            RFC_RECORD,
            authority.map(|tag| tag.record_span),
            None,
        )),
        _ => {}
    }
    if let Some(tag) = tags::first(&tags, "avp") {
        if tag.value != "brand" && tag.value != "personal" {
            findings.push(finding(
                Severity::Warning,
                "bimi.invalid-value",
                format!("avp={} is not brand or personal.", quoted(&tag.value)),
                RFC_RECORD,
                Some(tag.value_span),
                None,
            ));
        }
    }
    for tag in tags.iter().skip(1) {
        if !matches!(tag.name.as_str(), "v" | "l" | "a" | "avp") {
            findings.push(finding(
                Severity::Info,
                "bimi.unknown-field",
                format!("{}= is not a BIMI tag; receivers ignore it.", tag.name),
                RFC_RECORD,
                Some(tag.record_span),
                None,
            ));
        }
    }
    let valid = !has_error(&findings);
    Lint {
        record: Some(BimiRecord {
            text: text.to_string(),
            location: location.map(|tag| tag.value.clone()),
            authority: authority.map(|tag| tag.value.clone()),
            avatar_preference: tags::first(&tags, "avp").map(|tag| tag.value.clone()),
            declined,
            tags,
        }),
        valid,
        findings,
    }
}

/// `l=` with a value: one https: URL of an `.svg` file.
fn lint_location(tag: &RecordTag, findings: &mut Vec<Finding>) {
    let urls: Vec<&str> = tag.value.split(',').map(str::trim).collect();
    if urls.len() > 1 {
        findings.push(finding(
            Severity::Warning,
            "bimi.several-locations",
            "l= lists several URLs; the current draft allows one, and receivers take the first.",
            RFC_RECORD,
            Some(tag.value_span),
            urls.first().map(|first| format!("l={first}")),
        ));
    }
    let url = urls.first().copied().unwrap_or("");
    if let Some(problem) = url_problem(url) {
        let fix = url
            .get(..7)
            .filter(|scheme| scheme.eq_ignore_ascii_case("http://"))
            .and_then(|_| url.get(7..))
            .map_or_else(
                || "Use the https: URL of the SVG logo.".to_string(),
                |rest| format!("l=https://{rest} (if the server answers there)"),
            );
        findings.push(finding(
            Severity::Error,
            "bimi.bad-location",
            format!("l={}: {problem}.", quoted(url)),
            RFC_RECORD,
            Some(tag.value_span),
            Some(fix),
        ));
    } else if !url_path(url).ends_with(".svg") {
        findings.push(finding(
            Severity::Warning,
            "bimi.location-not-svg",
            format!(
                "l={} does not end in .svg; the logo must be an SVG Tiny PS file (not .svgz, \
                 PNG or JPEG).",
                quoted(url)
            ),
            RFC_RECORD,
            Some(tag.value_span),
            None,
        ));
    }
}
