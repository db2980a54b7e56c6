//! mailspect's own verdicts set beside what the receiver recorded.
//!
//! The point of recomputing SPF and DKIM is to catch a receiver's result that does not hold, or
//! one that holds no longer; a disagreement is not always a forgery. DNS changes after delivery
//! (DKIM keys are rotated and withdrawn, SPF records edited), and a receiver evaluates with the
//! whole message while a pasted header block has no body. Each comparison says which it is.
//!
//! Only results the receiving organisation wrote (trusted by the border, RFC 8601 §5) are
//! compared: anything written upstream could say anything.

use serde::Serialize;

use super::{AuthenticationResults, MethodResult, ReceivedSpf, ResultsKind};
use crate::arc::ArcReport;
use crate::dkim::{DkimReport, DkimResult, Outcome};
use crate::dmarc::{DmarcReport, DmarcResult};
use crate::message::Message;
use crate::received::Trust;
use crate::report::{Finding, Severity};
use crate::spf::{MessageSpf, SpfResult};

const RFC8601_TRUST: &str = "https://www.rfc-editor.org/rfc/rfc8601#section-5";

/// The authentication methods mailspect recomputes and compares (RFC 8601 §2.7 method names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Method {
    Spf,
    Dkim,
    Dmarc,
    Arc,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Spf => "spf",
            Method::Dkim => "dkim",
            Method::Dmarc => "dmarc",
            Method::Arc => "arc",
        }
    }
}

/// The result words of RFC 8601 §2.7, across the methods: every result enum of mailspect
/// ([`SpfResult`], [`DkimResult`]) maps onto them, and a receiver's recorded word is read into
/// one when it is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ResultWord {
    Pass,
    Fail,
    Softfail,
    Neutral,
    None,
    Policy,
    Temperror,
    Permerror,
}

impl ResultWord {
    const ALL: [ResultWord; 8] = [
        ResultWord::Pass,
        ResultWord::Fail,
        ResultWord::Softfail,
        ResultWord::Neutral,
        ResultWord::None,
        ResultWord::Policy,
        ResultWord::Temperror,
        ResultWord::Permerror,
    ];

    pub fn word(self) -> &'static str {
        match self {
            ResultWord::Pass => "pass",
            ResultWord::Fail => "fail",
            ResultWord::Softfail => "softfail",
            ResultWord::Neutral => "neutral",
            ResultWord::None => "none",
            ResultWord::Policy => "policy",
            ResultWord::Temperror => "temperror",
            ResultWord::Permerror => "permerror",
        }
    }

    /// Reads a result word in any case; `None` for a word RFC 8601 does not define.
    pub fn from_word(word: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|result| result.word().eq_ignore_ascii_case(word.trim()))
    }
}

impl From<SpfResult> for ResultWord {
    fn from(result: SpfResult) -> Self {
        match result {
            SpfResult::Pass => ResultWord::Pass,
            SpfResult::Fail => ResultWord::Fail,
            SpfResult::Softfail => ResultWord::Softfail,
            SpfResult::Neutral => ResultWord::Neutral,
            SpfResult::None => ResultWord::None,
            SpfResult::Temperror => ResultWord::Temperror,
            SpfResult::Permerror => ResultWord::Permerror,
        }
    }
}

impl From<DmarcResult> for ResultWord {
    fn from(result: DmarcResult) -> Self {
        match result {
            DmarcResult::Pass => ResultWord::Pass,
            DmarcResult::Fail => ResultWord::Fail,
            DmarcResult::None => ResultWord::None,
            DmarcResult::Temperror => ResultWord::Temperror,
            DmarcResult::Permerror => ResultWord::Permerror,
        }
    }
}

impl From<DkimResult> for ResultWord {
    fn from(result: DkimResult) -> Self {
        match result {
            DkimResult::Pass => ResultWord::Pass,
            DkimResult::Fail => ResultWord::Fail,
            DkimResult::Neutral => ResultWord::Neutral,
            DkimResult::Policy => ResultWord::Policy,
            DkimResult::Temperror => ResultWord::Temperror,
            DkimResult::Permerror => ResultWord::Permerror,
            DkimResult::None => ResultWord::None,
        }
    }
}

/// One recorded result beside the recomputed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
pub struct Comparison {
    pub method: Method,
    /// Who recorded the result: the `authserv-id`, or the receiver named in Received-SPF.
    pub recorded_by: Option<String>,
    /// What the result is about: the SPF domain, or a DKIM signature's `d=` and `s=`.
    pub subject: String,
    /// The receiver's result, or `null` when it wrote a word RFC 8601 does not define.
    pub recorded: Option<ResultWord>,
    /// The receiver's result word as written, lower case (`hardfail`, `bestguesspass`, …).
    pub recorded_text: String,
    /// mailspect's result for the same thing, or `null` when it evaluated nothing that matches.
    pub recomputed: Option<ResultWord>,
    pub agreement: Agreement,
    /// Why they differ, or why they cannot be compared, in plain words.
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Agreement {
    Agree,
    Disagree,
    /// The two results are not about the same evidence (no body was given, DNS failed now, a
    /// different identity was checked), so neither confirms nor contradicts the other.
    NotComparable,
}

/// mailspect's own results for a message, to set beside what the receiver recorded.
pub struct Recomputed<'a> {
    pub spf: &'a MessageSpf,
    pub dkim: &'a [DkimReport],
    pub dmarc: &'a DmarcReport,
    pub arc: &'a ArcReport,
}

/// Sets the final receiver's recorded SPF, DKIM, DMARC and ARC results beside the recomputed
/// ones, and adds a finding for each disagreement.
pub fn compare(
    message: &Message,
    authentication_results: &[AuthenticationResults],
    received_spf: &[ReceivedSpf],
    recomputed: &Recomputed<'_>,
) -> (Vec<Comparison>, Vec<Finding>) {
    let Recomputed {
        spf,
        dkim,
        dmarc,
        arc,
    } = *recomputed;
    let mut comparisons = Vec::new();
    // The topmost trusted field is the final receiver's own; fields below it were written by
    // hops of the same organisation earlier and usually repeat it.
    let receiver = authentication_results.iter().find(|field| {
        field.trust == Trust::Trusted && field.kind == ResultsKind::AuthenticationResults
    });
    if let Some(field) = receiver {
        for result in &field.results {
            match result.method.as_str() {
                "spf" => comparisons.push(compare_spf(
                    field.authserv_id.clone(),
                    &result.result,
                    spf_identity(result),
                    spf,
                )),
                "dkim" => comparisons.push(compare_dkim(
                    field.authserv_id.clone(),
                    result,
                    message,
                    dkim,
                )),
                "dmarc" => comparisons.push(super::compare_policy::compare_dmarc(
                    field.authserv_id.clone(),
                    result,
                    dmarc,
                    dkim,
                )),
                "arc" => comparisons.push(super::compare_policy::compare_arc(
                    field.authserv_id.clone(),
                    result,
                    arc,
                )),
                _ => {}
            }
        }
    }
    let recorded_spf = comparisons
        .iter()
        .any(|comparison| comparison.method == Method::Spf);
    if !recorded_spf {
        if let Some(field) = received_spf
            .iter()
            .find(|field| field.trust == Trust::Trusted)
        {
            let identity = field.value("envelope-from").map(str::to_string);
            comparisons.push(compare_spf(field.receiver(), &field.result, identity, spf));
        }
    }
    let findings = comparisons
        .iter()
        .filter(|comparison| comparison.agreement == Agreement::Disagree)
        .map(|comparison| {
            Finding::new(
                Severity::Warning,
                "compare.disagrees",
                format!(
                    "{} recorded {}={} for {}, but mailspect's own check gives {}. {}",
                    comparison.recorded_by.as_deref().unwrap_or("The receiver"),
                    comparison.method.name(),
                    comparison.recorded_text,
                    comparison.subject,
                    comparison.recomputed.map_or("no result", ResultWord::word),
                    comparison.note
                ),
            )
            .with_rfc(RFC8601_TRUST)
        })
        .collect();
    (comparisons, findings)
}

/// The identity an SPF result was about: `smtp.mailfrom`, else `smtp.helo`.
fn spf_identity(result: &MethodResult) -> Option<String> {
    property(result, "smtp", "mailfrom").or_else(|| property(result, "smtp", "helo"))
}

/// The value of the `ptype.name` property of a result (case-insensitive).
pub(super) fn property(result: &MethodResult, ptype: &str, name: &str) -> Option<String> {
    result
        .properties
        .iter()
        .find(|property| {
            property.ptype.eq_ignore_ascii_case(ptype)
                && property.property.eq_ignore_ascii_case(name)
        })
        .map(|property| property.value.clone())
}

/// The domain of an identity that may be a whole address (`user@domain`) or a bare domain.
fn identity_domain(identity: &str) -> String {
    let domain = identity
        .rsplit_once('@')
        .map_or(identity, |(_, domain)| domain);
    domain
        .trim()
        .trim_matches(|c| c == '<' || c == '>' || c == '"')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

fn compare_spf(
    recorded_by: Option<String>,
    recorded: &str,
    identity: Option<String>,
    spf: &MessageSpf,
) -> Comparison {
    let recorded_text = recorded.to_ascii_lowercase();
    let recorded = ResultWord::from_word(&recorded_text);
    let subject = identity
        .as_deref()
        .map(identity_domain)
        .or_else(|| spf.domain.clone())
        .unwrap_or_else(|| "the sender".into());
    let recomputed = ResultWord::from(spf.result);
    let (agreement, note) = if spf.ip.is_none() || spf.domain.is_none() {
        (
            Agreement::NotComparable,
            format!("mailspect could not evaluate SPF: {}", spf.reason),
        )
    } else if spf.domain.as_deref() != Some(subject.as_str()) {
        (
            Agreement::NotComparable,
            format!(
                "The receiver checked {subject}, mailspect checked {}: different identities.",
                spf.domain.as_deref().unwrap_or_default()
            ),
        )
    } else if spf.result == SpfResult::Temperror {
        (
            Agreement::NotComparable,
            "mailspect's DNS lookups failed this time, so the result could not be recomputed."
                .into(),
        )
    } else if Some(recomputed) == recorded {
        (
            Agreement::Agree,
            "Recomputing gives the same result.".into(),
        )
    } else {
        (
            Agreement::Disagree,
            "SPF records can change after delivery, so an old message may no longer evaluate as \
             it did; for a recent one, the recorded result does not hold."
                .into(),
        )
    };
    Comparison {
        method: Method::Spf,
        recorded_by,
        subject,
        recorded,
        recorded_text,
        recomputed: Some(recomputed),
        agreement,
        note,
    }
}

/// The value of a `header.<name>` property.
fn header_property(result: &MethodResult, name: &str) -> Option<String> {
    property(result, "header", name)
}

/// The `b=` value of a signature with folding white space removed.
fn signature_value(message: &Message, report: &DkimReport) -> Option<String> {
    let tag = report.tags.iter().find(|tag| tag.name == "b")?;
    let bytes = message.bytes.get(tag.span.start..tag.span.end)?;
    Some(
        bytes
            .iter()
            .filter(|byte| !byte.is_ascii_whitespace())
            .map(|byte| char::from(*byte))
            .collect(),
    )
}

/// Finds the signature an RFC 8601 dkim result is about: by `header.d` (or the domain of
/// `header.i`), narrowed by `header.s` and by `header.b`, the leading characters of the signature
/// that RFC 6008 added to tell signatures of one domain apart.
fn matching_signature<'a>(
    result: &MethodResult,
    message: &Message,
    dkim: &'a [DkimReport],
) -> Option<&'a DkimReport> {
    let domain = header_property(result, "d")
        .or_else(|| header_property(result, "i").map(|identity| identity_domain(&identity)))?;
    let selector = header_property(result, "s");
    let prefix = header_property(result, "b");
    dkim.iter().find(|report| {
        report
            .domain
            .eq_ignore_ascii_case(domain.trim_end_matches('.'))
            && selector
                .as_deref()
                .is_none_or(|selector| report.selector.eq_ignore_ascii_case(selector))
            && prefix.as_deref().is_none_or(|prefix| {
                signature_value(message, report).is_some_and(|value| value.starts_with(prefix))
            })
    })
}

fn compare_dkim(
    recorded_by: Option<String>,
    result: &MethodResult,
    message: &Message,
    dkim: &[DkimReport],
) -> Comparison {
    let recorded_text = result.result.to_ascii_lowercase();
    let recorded = ResultWord::from_word(&recorded_text);
    let described = header_property(result, "d")
        .or_else(|| header_property(result, "i"))
        .unwrap_or_else(|| "a signature".into());
    let Some(report) = matching_signature(result, message, dkim) else {
        return Comparison {
            method: Method::Dkim,
            recorded_by,
            subject: described,
            recorded,
            recorded_text,
            recomputed: None,
            agreement: if dkim.is_empty() && result.result.eq_ignore_ascii_case("none") {
                Agreement::Agree
            } else {
                Agreement::NotComparable
            },
            note: "No DKIM-Signature in the message matches the one this result names.".into(),
        };
    };
    let subject = format!("d={} s={}", report.domain, report.selector);
    let recomputed = ResultWord::from(report.result);
    let (agreement, note) = match report.outcome {
        Outcome::HeaderSignatureValidBodyNotChecked => (
            Agreement::NotComparable,
            "Only headers were given: the header signature is valid, the body could not be \
             checked."
                .to_string(),
        ),
        Outcome::KeyLookupFailed => (
            Agreement::NotComparable,
            "mailspect's DNS lookup of the key failed this time.".into(),
        ),
        _ if Some(recomputed) == recorded => (
            Agreement::Agree,
            "Recomputing gives the same result.".into(),
        ),
        Outcome::KeyNotFound | Outcome::KeyRevoked if recorded == Some(ResultWord::Pass) => (
            Agreement::Disagree,
            "The key is gone from DNS now. Senders rotate and withdraw keys after a while, so \
             for an old message this is expected; for a recent one, the recorded pass is \
             doubtful."
                .into(),
        ),
        _ if report.result == DkimResult::Fail && recorded == Some(ResultWord::Pass) => (
            Agreement::Disagree,
            "The signature does not verify over the message as given: it was changed after the \
             receiver checked it (or on the way to you), or the recorded pass was never true."
                .into(),
        ),
        _ => (Agreement::Disagree, format!("mailspect: {}", report.reason)),
    };
    Comparison {
        method: Method::Dkim,
        recorded_by,
        subject,
        recorded,
        recorded_text,
        recomputed: Some(recomputed),
        agreement,
        note,
    }
}
