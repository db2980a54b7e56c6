//! The caps that keep a hostile or huge report from exhausting memory or time. Each is far above
//! what real reports need: the largest public sample (2,286 records) is 909 KB of XML, and a
//! busy domain's daily report from a large receiver holds a few thousand rows.

/// Bytes one member may inflate to (a gzip stream, a zip entry, an attachment). A zip or gzip
/// bomb stops here with `reports.too-large`; what was read is not parsed, since a cut XML or
/// JSON file would only add a second finding.
pub const MAX_MEMBER_BYTES: usize = 64 * 1024 * 1024;

/// Bytes all members of one run may inflate to together, so that many small bombs do not add
/// up to one large one.
pub const MAX_TOTAL_BYTES: usize = 512 * 1024 * 1024;

/// Members read from one zip archive; the rest are skipped with a finding.
pub const MAX_ZIP_MEMBERS: usize = 256;

/// Containers inside containers (a zip in an e-mail in an mbox is 3).
pub const MAX_NESTING: usize = 4;

/// Messages read from one mbox file.
pub const MAX_MBOX_MESSAGES: usize = 10_000;

/// Records kept from one aggregate report; the rest are counted in a finding.
pub const MAX_RECORDS_PER_REPORT: usize = 200_000;

/// Element nesting in one XML document: aggregate reports need 5.
pub const MAX_XML_DEPTH: usize = 32;

/// Characters kept of one element's text (a `<comment>` or `<human_result>`).
pub const MAX_TEXT_CHARS: usize = 4096;

/// Failure-detail entries kept from one TLS report policy.
pub const MAX_TLS_DETAILS: usize = 10_000;

/// Bytes of a failure report's original header block kept.
pub const MAX_ORIGINAL_HEADERS: usize = 64 * 1024;

/// The caps one run reads under: the constants above, or smaller ones (tests show a bomb
/// stopping without inflating 64 MB).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub member_bytes: usize,
    pub total_bytes: usize,
    pub records_per_report: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            member_bytes: MAX_MEMBER_BYTES,
            total_bytes: MAX_TOTAL_BYTES,
            records_per_report: MAX_RECORDS_PER_REPORT,
        }
    }
}

/// What a run has used of its total.
#[derive(Debug)]
pub struct Budget {
    pub limits: Limits,
    inflated: usize,
}

impl Budget {
    pub fn new(limits: Limits) -> Self {
        Budget {
            limits,
            inflated: 0,
        }
    }

    /// The bytes one member may still inflate to: the smaller of the member cap and what is
    /// left of the run's.
    pub fn member_cap(&self) -> usize {
        self.limits
            .member_bytes
            .min(self.limits.total_bytes.saturating_sub(self.inflated))
    }

    pub fn spend(&mut self, bytes: usize) {
        self.inflated = self.inflated.saturating_add(bytes);
    }
}
