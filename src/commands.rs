//! The top-level reports, one per command: what `mailspect … --json` prints and the wasm API
//! returns. Each starts with `schema_version`; `schema/` holds the JSON Schema of each, generated
//! from these types (`tests/schema.rs`).
//!
//! | report | CLI | wasm |
//! |---|---|---|
//! | [`MessageReport`](crate::MessageReport) | `mailspect message --json` | `analyzeMessage` |
//! | [`SpfCheckReport`] | `mailspect spf --ip … --json` | |
//! | [`SpfEnvelopeReport`] | | `checkSpf` |
//! | [`SpfAuditReport`] | `mailspect spf DOMAIN --json` | `auditSpf` |
//! | [`DmarcAuditReport`] | `mailspect dmarc DOMAIN --json` | `auditDmarc` |
//! | [`DomainAuditReport`] | `mailspect domain NAME --json` | `auditDomain` |
//! | [`DnsLookupReport`] | `mailspect dns NAME TYPE --json` | `resolve` |
//! | [`RecordLintReport`] | `mailspect record TEXT --json` | `lintRecord` |
//! | [`MtaStsAuditReport`] | `mailspect mta-sts DOMAIN --json` | |
//! | [`ProbeReportOutput`] | `mailspect probe TARGET --json` | |

use serde::Serialize;

use crate::dmarc::DmarcAudit;
use crate::dns::QueryTrace;
use crate::records::mta_sts::MtaStsAudit;
use crate::records::RecordReport;
use crate::report::SCHEMA_VERSION;
use crate::spf::{DomainAudit, MessageSpf, SpfReport};

/// A report with `schema_version` in front of its own fields.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Versioned<T> {
    /// The version of the report's shape (see `docs/report.md`).
    pub schema_version: &'static str,
    #[serde(flatten)]
    pub report: T,
}

impl<T> Versioned<T> {
    pub fn new(report: T) -> Self {
        Versioned {
            schema_version: SCHEMA_VERSION,
            report,
        }
    }
}

/// `mailspect spf --ip`: the check of the main identity (MAIL FROM, or HELO when only a HELO
/// name is given), and the HELO check beside it when both were given.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct SpfCheck {
    #[serde(flatten)]
    pub check: SpfReport,
    /// The HELO identity's check when MAIL FROM was checked too; `null` otherwise.
    pub helo_check: Option<SpfReport>,
}

pub type SpfCheckReport = Versioned<SpfCheck>;
pub type SpfEnvelopeReport = Versioned<MessageSpf>;
pub type SpfAuditReport = Versioned<DomainAudit>;
pub type DmarcAuditReport = Versioned<DmarcAudit>;
pub type DnsLookupReport = Versioned<QueryTrace>;
pub type RecordLintReport = Versioned<RecordReport>;
pub type MtaStsAuditReport = Versioned<MtaStsAudit>;
pub type DomainAuditReport = Versioned<crate::domain::DomainAudit>;
pub type ProbeReportOutput = Versioned<crate::probe::ProbeReport>;
