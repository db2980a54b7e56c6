//! Asking ahead: the names a record's terms will look up, asked all at once before the terms
//! are evaluated in order (see `check_host` in the parent module).

use super::super::address::address_type;
use super::super::macros::{self, query_name, valid_query_name};
use super::super::{MacroString, Mechanism, Record, MAX_DNS_TERMS};
use super::Evaluator;
use crate::dns::{RecordType, Resolver};

impl<R: Resolver> Evaluator<'_, R> {
    /// The names a record's terms will look up, up to its first `all` (terms after it are never
    /// evaluated), at most [`MAX_DNS_TERMS`]: those of `include`, `a`, `mx` and `exists`, and of
    /// `redirect=` when there is no `all`. Names that need the `%{p}` lookup first, or that an
    /// audit would not ask, are left to the evaluation.
    pub(super) fn names_ahead(&self, record: &Record) -> Vec<(String, RecordType)> {
        let mut names = Vec::new();
        let mut ends_in_all = false;
        let expandable = |spec: &MacroString| {
            !(macros::needs_validated_name(spec)
                || (self.audit && macros::depends_on_message(spec)))
        };
        let push = |names: &mut Vec<(String, RecordType)>,
                    spec: Option<&MacroString>,
                    record_type| {
            let name = match spec {
                Some(spec) if expandable(spec) => query_name(macros::expand(spec, &self.values)),
                Some(_) => return,
                None => self.values.domain.clone(),
            };
            if valid_query_name(&name) && !names.iter().any(|(known, _)| *known == name) {
                names.push((name, record_type));
            }
        };
        for (_, directive) in record.directives() {
            if names.len() >= MAX_DNS_TERMS as usize {
                break;
            }
            match &directive.mechanism {
                Mechanism::All => {
                    ends_in_all = true;
                    break;
                }
                Mechanism::Include { domain } => push(&mut names, Some(domain), RecordType::Txt),
                Mechanism::A { domain, .. } => {
                    push(&mut names, domain.as_ref(), address_type(self.values.ip))
                }
                Mechanism::Mx { domain, .. } => push(&mut names, domain.as_ref(), RecordType::Mx),
                Mechanism::Exists { domain } => push(&mut names, Some(domain), RecordType::A),
                Mechanism::Ptr { .. } | Mechanism::Ip4 { .. } | Mechanism::Ip6 { .. } => {}
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
