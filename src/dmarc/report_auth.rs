//! External report destinations (RFC 9989 §4.9 with the aggregate-reporting document; RFC 7489
//! §7.1): a `rua=`/`ruf=` address outside the organisational domain of the record only receives
//! reports if `<domain>._report._dmarc.<destination>` has a TXT record starting `v=DMARC1`.

use serde::Serialize;

use super::parse::has_version;
use super::{Record, ReportUri};
use crate::dns::{DnsError, RecordType, Resolver};
use crate::org_domain::organizational_domain_psl;

const RFC_EXTERNAL: &str = "https://www.rfc-editor.org/rfc/rfc7489#section-7.1";

/// Whether a destination may receive the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ReportAuthorization {
    /// The destination is within the record's organisational domain: nothing to check.
    NotNeeded,
    /// The destination publishes the authorisation record.
    Authorized,
    /// It does not: receivers will not send it reports.
    NotAuthorized,
    /// The lookup failed temporarily.
    Temperror,
    /// The URI cannot receive reports at all (see the lint).
    Unusable,
}

/// Which kind of report a destination is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ReportTag {
    /// `rua=`: aggregate reports.
    Rua,
    /// `ruf=`: failure reports.
    Ruf,
}

impl ReportTag {
    pub fn name(self) -> &'static str {
        match self {
            ReportTag::Rua => "rua",
            ReportTag::Ruf => "ruf",
        }
    }
}

/// One `rua=`/`ruf=` destination and its authorisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct ReportDestination {
    pub tag: ReportTag,
    pub uri: String,
    /// The address's domain; `null` when the URI has none.
    pub destination_domain: Option<String>,
    /// Whether the destination is outside the record's organisational domain.
    pub external: bool,
    /// The authorisation record's name, when one had to be asked.
    pub query: Option<String>,
    pub authorization: ReportAuthorization,
    /// The authorisation record found, if any.
    pub record: Option<String>,
    pub reason: String,
    pub rfc: &'static str,
}

/// Whether a destination is external to the domain publishing the record: their RFC 7489
/// organisational domains (Public Suffix List) differ. The list rather than the tree walk: the
/// question is about registrations, and it needs no DNS.
pub fn is_external(record_domain: &str, destination: &str) -> bool {
    let org = |name: &str| {
        organizational_domain_psl(name)
            .ok()
            .flatten()
            .unwrap_or_else(|| name.to_string())
    };
    org(record_domain) != org(destination)
}

/// The authorisation record's name: `<record domain>._report._dmarc.<destination>`.
pub fn authorization_name(record_domain: &str, destination: &str) -> String {
    format!("{record_domain}._report._dmarc.{destination}")
}

/// Checks every `rua=` and `ruf=` URI of `record`, published at `record_domain`.
pub async fn authorize_destinations<R: Resolver>(
    record_domain: &str,
    record: &Record,
    resolver: &R,
) -> Vec<ReportDestination> {
    let mut destinations = Vec::new();
    let uris = record
        .aggregate_uris
        .iter()
        .map(|uri| (ReportTag::Rua, uri))
        .chain(record.failure_uris.iter().map(|uri| (ReportTag::Ruf, uri)));
    for (tag, uri) in uris {
        destinations.push(authorize(record_domain, tag, uri, resolver).await);
    }
    destinations
}

async fn authorize<R: Resolver>(
    record_domain: &str,
    tag: ReportTag,
    uri: &ReportUri,
    resolver: &R,
) -> ReportDestination {
    let mut destination = ReportDestination {
        tag,
        uri: uri.uri.clone(),
        destination_domain: uri.domain.clone(),
        external: false,
        query: None,
        authorization: ReportAuthorization::Unusable,
        record: None,
        reason: String::new(),
        rfc: RFC_EXTERNAL,
    };
    let (true, Some(domain)) = (uri.valid, uri.domain.as_deref()) else {
        destination.reason = uri
            .problem
            .clone()
            .unwrap_or_else(|| "the URI cannot receive reports".into());
        return destination;
    };
    if !is_external(record_domain, domain) {
        destination.authorization = ReportAuthorization::NotNeeded;
        destination.reason = format!("{domain} is within {record_domain}'s organisation.");
        return destination;
    }
    destination.external = true;
    let name = authorization_name(record_domain, domain);
    let answer = resolver
        .lookup_traced(&name, RecordType::Txt)
        .await
        .result();
    destination.query = Some(name.clone());
    match answer {
        Ok(answer) => {
            let found = answer
                .records
                .iter()
                .filter_map(|record| record.data.txt_joined())
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .find(|text| has_version(text));
            match found {
                Some(text) => {
                    destination.authorization = ReportAuthorization::Authorized;
                    destination.reason =
                        format!("{domain} authorises reports about {record_domain} ({name}).");
                    destination.record = Some(text);
                }
                None => not_authorized(&mut destination, domain, record_domain, &name),
            }
        }
        Err(error @ (DnsError::NxDomain | DnsError::NoData | DnsError::InvalidName(_))) => {
            let _ = error;
            not_authorized(&mut destination, domain, record_domain, &name);
        }
        Err(error) => {
            destination.authorization = ReportAuthorization::Temperror;
            destination.reason = format!("The lookup of {name} failed: {error}.");
        }
    }
    destination
}

fn not_authorized(
    destination: &mut ReportDestination,
    domain: &str,
    record_domain: &str,
    name: &str,
) {
    destination.authorization = ReportAuthorization::NotAuthorized;
    destination.reason = format!(
        "{domain} is outside {record_domain}'s organisation and publishes no v=DMARC1 record \
         at {name}: receivers will not send it reports."
    );
}
