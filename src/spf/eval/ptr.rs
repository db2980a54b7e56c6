//! `%{p}` and the `ptr` mechanism: the validated names of the connecting IP (RFC 7208 §5.5,
//! §7.3), for the evaluation in the parent module.

use super::super::address::{address_type, addresses, reverse_name, within_domain};
use super::super::macros::valid_query_name;
use super::super::MAX_NAMES_PER_LOOKUP;
use super::Evaluator;
use crate::dns::{QueryTrace, RecordData, RecordType, Resolver};

impl<R: Resolver> Evaluator<'_, R> {
    /// `%{p}` (RFC 7208 §7.3): a validated name of the IP, preferring the domain itself, then
    /// a name below it, then any other; `None` ("unknown") when none validates.
    pub(super) async fn validated_name(&self, queries: &mut Vec<QueryTrace>) -> Option<String> {
        let names = self.validated_names(queries, |_| true).await;
        let domain = &self.values.domain;
        let rank = |name: &String| {
            if name.eq_ignore_ascii_case(domain) {
                0
            } else if within_domain(name, domain) {
                1
            } else {
                2
            }
        };
        names.into_iter().min_by_key(rank)
    }

    /// The PTR names of the IP (at most ten, RFC 7208 §4.6.4) that `wanted` accepts and whose
    /// A or AAAA records include the IP (RFC 7208 §5.5). Errors skip a name, and an error on
    /// the PTR lookup itself means no names (§5.5: the mechanism "fails to match").
    ///
    /// A missing PTR is not counted as a void lookup: the reverse zone belongs to whoever
    /// controls the connecting IP, so counting it would let a sender turn a domain's `fail`
    /// into `permerror` (the suite's `ptr-limit` comment makes the same point for the PTR count).
    pub(super) async fn validated_names(
        &self,
        queries: &mut Vec<QueryTrace>,
        wanted: impl Fn(&str) -> bool,
    ) -> Vec<String> {
        let ip = self.values.ip;
        let (answer, trace) = self.query(&reverse_name(ip), RecordType::Ptr).await;
        queries.push(trace);
        let Ok(answer) = answer else {
            return Vec::new();
        };
        let address_type = address_type(ip);
        let mut validated = Vec::new();
        let names = answer
            .records
            .iter()
            .filter_map(|record| match &record.data {
                RecordData::Ptr { target } => Some(target.trim_end_matches('.').to_string()),
                _ => None,
            });
        for name in names.take(MAX_NAMES_PER_LOOKUP).filter(|name| wanted(name)) {
            if !valid_query_name(&name) {
                continue;
            }
            let (answer, trace) = self.query(&name, address_type).await;
            queries.push(trace);
            if let Ok(answer) = answer {
                if addresses(&answer).contains(&ip) {
                    validated.push(name);
                }
            }
        }
        validated
    }
}
