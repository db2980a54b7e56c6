//! Asking ahead: the names a record's terms will look up, asked all at once before the terms
//! are evaluated in order (see `check_host` in the parent module).

use super::super::address::address_type;
use super::super::macros::{self, query_name, valid_query_name};
use super::super::parse::{self, Outline, OutlineMechanism};
use super::super::trace::TraceNode;
use super::super::{MacroString, MAX_DNS_TERMS};
use super::{Evaluator, HostOutcome};
use crate::dns::{RecordType, Resolver};
use crate::report::Span;

impl<R: Resolver> Evaluator<'_, R> {
    /// [`Self::evaluate_record`] with the names its terms will ask asked at once: the terms
    /// are then evaluated in order over answers already there or on their way, so that the
    /// result, the counts and the tree are those of in-order evaluation, in fewer round trips.
    pub(super) async fn evaluate_asking_ahead(
        &mut self,
        record: &Outline,
        node: TraceNode,
    ) -> HostOutcome {
        let ahead = self.names_ahead(record);
        let resolver = self.resolver;
        let asking_ahead = async move {
            crate::join::join_all(
                ahead
                    .iter()
                    .map(|(name, record_type)| resolver.prefetch(name, *record_type)),
            )
            .await;
        };
        futures_util::future::join(self.evaluate_record(record, node), asking_ahead)
            .await
            .0
    }

    /// The names a record's terms will look up, up to its first `all` (terms after it are never
    /// evaluated), at most [`MAX_DNS_TERMS`]: those of `include`, `a`, `mx` and `exists`, and of
    /// `redirect=` when there is no `all`. Names that need the `%{p}` lookup first, or that an
    /// audit would not ask, are left to the evaluation.
    pub(super) fn names_ahead(&self, record: &Outline) -> Vec<(String, RecordType)> {
        let mut names = Vec::new();
        let mut ends_in_all = false;
        let expandable = |spec: &MacroString| {
            !(macros::needs_validated_name(spec)
                || (self.audit && macros::depends_on_message(spec)))
        };
        let push = |names: &mut Vec<(String, RecordType)>, spec: Option<Span>, record_type| {
            let name = match spec {
                // Built whole, macros or not: asking ahead is for resolvers with a network,
                // where a lookup costs far more than the macro-string. The outline checked
                // it, so `spec_at` gives it.
                Some(span) => match parse::spec_at(&record.text, span) {
                    Ok(spec) if expandable(&spec) => {
                        query_name(macros::expand(&spec, &self.values))
                    }
                    _ => return,
                },
                None => self.values.domain.clone(),
            };
            if valid_query_name(&name) && !names.iter().any(|(known, _)| *known == name) {
                names.push((name, record_type));
            }
        };
        for (_, _, mechanism) in record.directives() {
            if names.len() >= MAX_DNS_TERMS as usize {
                break;
            }
            match mechanism {
                OutlineMechanism::All => {
                    ends_in_all = true;
                    break;
                }
                OutlineMechanism::Include(domain) => {
                    push(&mut names, Some(domain), RecordType::Txt)
                }
                OutlineMechanism::A(domain, _) => {
                    push(&mut names, domain, address_type(self.values.ip))
                }
                OutlineMechanism::Mx(domain, _) => push(&mut names, domain, RecordType::Mx),
                OutlineMechanism::Exists(domain) => push(&mut names, Some(domain), RecordType::A),
                OutlineMechanism::Ptr(_)
                | OutlineMechanism::Ip4(..)
                | OutlineMechanism::Ip6(..) => {}
            }
        }
        if !ends_in_all && names.len() < MAX_DNS_TERMS as usize {
            if let Some((_, target)) = record.redirect() {
                push(&mut names, Some(target), RecordType::Txt);
            }
        }
        names
    }
}
