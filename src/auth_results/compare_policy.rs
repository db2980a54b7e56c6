//! The receiver's recorded DMARC and ARC results beside mailspect's own (see `compare` for SPF
//! and DKIM). DMARC rests on SPF and DKIM, so most differences are theirs, told apart here; one
//! is DMARC's own: receivers that still follow RFC 7489 find the organisational domain with the
//! Public Suffix List, mailspect with the RFC 9989 DNS tree walk, and the two can differ.

use super::compare::{property, Agreement, Comparison, Method, ResultWord};
use super::MethodResult;
use crate::arc::{ArcReport, ArcResult};
use crate::dkim::{DkimReport, Outcome};
use crate::dmarc::{DmarcReport, DmarcResult};

/// The receiver's `dmarc=` result beside mailspect's.
pub(super) fn compare_dmarc(
    recorded_by: Option<String>,
    result: &MethodResult,
    dmarc: &DmarcReport,
    dkim: &[DkimReport],
) -> Comparison {
    let recorded_text = result.result.to_ascii_lowercase();
    let recorded = ResultWord::from_word(&recorded_text);
    let subject = property(result, "header", "from")
        .map(|domain| domain.trim().trim_end_matches('.').to_ascii_lowercase())
        .or_else(|| dmarc.domain.clone())
        .unwrap_or_else(|| "the From domain".into());
    let recomputed = ResultWord::from(dmarc.result);
    let headers_only = dkim
        .iter()
        .any(|report| report.outcome == Outcome::HeaderSignatureValidBodyNotChecked);
    let org_domains_differ = dmarc.org_domain.is_some()
        && dmarc.org_domain_psl.is_some()
        && dmarc.org_domain != dmarc.org_domain_psl;
    let (agreement, note) = if dmarc
        .domain
        .as_deref()
        .is_some_and(|domain| domain != subject)
    {
        (
            Agreement::NotComparable,
            format!(
                "The receiver evaluated {subject}, mailspect {}: different author domains.",
                dmarc.domain.as_deref().unwrap_or_default()
            ),
        )
    } else if dmarc.result == DmarcResult::Temperror {
        (
            Agreement::NotComparable,
            "mailspect's DNS lookups failed this time, so DMARC could not be recomputed.".into(),
        )
    } else if Some(recomputed) == recorded {
        (
            Agreement::Agree,
            "Recomputing gives the same result.".into(),
        )
    } else if headers_only && dmarc.result != DmarcResult::Pass {
        (
            Agreement::NotComparable,
            "Only headers were given, so DKIM could not pass here; the receiver had the whole \
             message."
                .into(),
        )
    } else if org_domains_differ {
        (
            Agreement::Disagree,
            format!(
                "The organisational domain differs between RFC 7489 (Public Suffix List: {}) and \
                 RFC 9989 (DNS tree walk: {}); a receiver that follows RFC 7489 aligns \
                 differently. Otherwise the difference comes from SPF or DKIM (see their rows).",
                dmarc.org_domain_psl.as_deref().unwrap_or_default(),
                dmarc.org_domain.as_deref().unwrap_or_default()
            ),
        )
    } else {
        (
            Agreement::Disagree,
            "DMARC follows from SPF and DKIM: their rows show which result no longer holds (a \
             withdrawn key or an edited record is common for old mail)."
                .into(),
        )
    };
    Comparison {
        method: Method::Dmarc,
        recorded_by,
        subject,
        recorded,
        recorded_text,
        recomputed: Some(recomputed),
        agreement,
        note,
    }
}

/// The receiver's `arc=` result beside mailspect's chain validation.
pub(super) fn compare_arc(
    recorded_by: Option<String>,
    result: &MethodResult,
    arc: &ArcReport,
) -> Comparison {
    let recorded_text = result.result.to_ascii_lowercase();
    let recorded = ResultWord::from_word(&recorded_text);
    let recomputed = match arc.result {
        ArcResult::None => ResultWord::None,
        ArcResult::Pass => ResultWord::Pass,
        ArcResult::Fail => ResultWord::Fail,
        ArcResult::Neutral => ResultWord::Neutral,
    };
    let (agreement, note) = if Some(recomputed) == recorded {
        (
            Agreement::Agree,
            "Recomputing gives the same result.".into(),
        )
    } else if arc.result == ArcResult::Neutral {
        (
            Agreement::NotComparable,
            "Only headers were given: the seals verify, the newest message signature's body \
             hash could not be checked."
                .into(),
        )
    } else if recorded == Some(ResultWord::Pass) && arc.result == ArcResult::None {
        (
            Agreement::NotComparable,
            "The receiver validated ARC sets that the message as given does not hold; the \
             receiver may have removed them, or they were lost in copying."
                .into(),
        )
    } else {
        (Agreement::Disagree, format!("mailspect: {}", arc.reason))
    };
    Comparison {
        method: Method::Arc,
        recorded_by,
        subject: "the ARC chain".into(),
        recorded,
        recorded_text,
        recomputed: Some(recomputed),
        agreement,
        note,
    }
}
