//! The domain audit (issue 12): how well one domain is protected against spoofing (SPF, DKIM,
//! DMARC, BIMI) and against plaintext or downgraded transport (MX, MTA-STS, TLS-RPT, DANE,
//! DNSSEC), with the exact record to publish for each problem, a grade computed from the
//! findings, and plain-language summary lines.
//!
//! Where it sits: beside the message pipeline, not in it. [`audit_domain`] asks every question
//! at once over the caller's [`Resolver`](crate::dns::Resolver) (the SPF audit, the DMARC audit,
//! the MX hosts and their addresses, the DKIM selectors, the MTA-STS, TLS-RPT, BIMI and TLSA
//! records), wrapped in a [`Recorder`](crate::dns::Recorder) so that the report lists every
//! query. The MTA-STS policy file is the one thing fetched over HTTPS, through the
//! [`HttpFetch`](crate::records::HttpFetch) the edge supplies (the CLI fetches it; the browser
//! usually cannot, for CORS, and takes a pasted policy: [`PastedPolicy`]).
//! The pure decisions (findings of each section, [`grade`], summary) sit beside the lookups.
//!
//! Files: [`mx`] (MX hosts, null MX, implicit MX), [`policy`] (what the SPF and DMARC audits
//! do not say about a whole domain), [`dkim`] (selector probing), [`transport`] (MTA-STS,
//! TLS-RPT, DANE), [`bimi`], [`dnssec`], [`grade`] (points, letter, summary), [`audit`] (the
//! entry point that joins them).

mod audit;
pub mod bimi;
pub mod dkim;
pub mod dnssec;
pub mod grade;
pub mod mx;
pub mod policy;
mod probe;
pub mod transport;

use serde::Serialize;

use crate::dns::QueryTrace;
use crate::report::Finding;
use crate::spf::DomainAudit as SpfAudit;

pub use crate::dmarc::AuditError;
pub use audit::audit_domain;
pub use bimi::BimiSection;
pub use dkim::{DkimKey, DkimKeyStatus, DkimSection, SelectorProbe, SelectorSource};
pub use dnssec::{DnssecName, DnssecSection};
pub use grade::{Deduction, Grade, GradeLetter, SummaryLine, SummaryTopic};
pub use mx::{MxHost, MxKind, MxSection};
pub use policy::DmarcSection;
pub use probe::add_probe;
pub use transport::{
    DaneHost, DaneSection, MtaStsSection, PastedPolicy, TlsRptSection, TxtRecords,
};

/// What the caller may add to the audit.
#[derive(Debug, Clone, Default)]
pub struct DomainOptions {
    /// DKIM selectors to probe beside the common ones (`--selector`, repeatable); at most
    /// [`dkim::MAX_EXTRA_SELECTORS`] are used.
    pub selectors: Vec<String>,
}

/// The audit of one domain: `mailspect domain NAME --json`, `auditDomain()`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct DomainAudit {
    /// The domain audited, canonical (A-labels, lower case, no trailing dot); as given when it
    /// is not a domain name.
    pub domain: String,
    /// Set when the name is not a domain: then nothing was asked and every section is empty.
    pub error: Option<AuditError>,
    /// The grade and every point it lost, finding by finding.
    pub grade: Grade,
    /// A few sentences for a person: what an attacker can do today, in plain words.
    pub summary: Vec<SummaryLine>,
    pub mx: MxSection,
    /// The SPF audit (`mailspect spf DOMAIN`), with the findings of the whole-domain view
    /// added to its `findings`.
    pub spf: SpfAudit,
    pub dmarc: DmarcSection,
    pub dkim: DkimSection,
    pub mta_sts: MtaStsSection,
    pub tls_rpt: TlsRptSection,
    pub bimi: BimiSection,
    pub dane: DaneSection,
    pub dnssec: DnssecSection,
    /// Every finding of every section, most severe first (each section keeps its own too).
    pub findings: Vec<Finding>,
    /// Every DNS query the audit made, in the order they started.
    pub queries: Vec<QueryTrace>,
    /// The SMTP probe of the MX hosts (`mailspect domain NAME --probe`, or a probe report
    /// dropped on the page); `null` when the servers were not probed. Its findings are in
    /// `findings` and in the grade.
    pub probe: Option<crate::probe::ProbeReport>,
}

#[cfg(test)]
mod tests;
