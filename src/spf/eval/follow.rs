//! Following another record: `include` (RFC 7208 §5.2) and `redirect=` (§6.1), each a
//! `check_host()` of its own below the current one, for the evaluation in the parent module.

use super::super::parse::{Outline, OutlineTerm};
use super::super::trace::{TermOutcome, TermTrace, TraceNode};
use super::super::{SpfOutcome, SpfResult};
use super::{Evaluator, HostOutcome, MechanismOutcome, Stop};
use crate::dns::Resolver;
use crate::report::Span;

impl<R: Resolver> Evaluator<'_, R> {
    /// `include` (RFC 7208 §5.2): matches on the target's `pass`; its `temperror` is ours, and
    /// its `permerror` or `none` is our `permerror`. `name` goes to the child's node, and the
    /// term's trace (`trace.target`) takes a copy of it.
    pub(super) async fn include(
        &mut self,
        name: String,
        trace: &mut TermTrace,
    ) -> MechanismOutcome {
        if let Err((outcome, reason)) = self.may_follow(&name) {
            trace.target = Some(name);
            return MechanismOutcome::Error(SpfResult::Permerror, outcome, reason);
        }
        self.include_depth += 1;
        let child = self.check_host(name).await;
        self.include_depth -= 1;
        // The child's domain is the name it was given.
        let name = &child.node.domain;
        trace.target = Some(name.clone());
        let outcome = match child.result {
            SpfResult::Pass => self.address_match(true),
            SpfResult::Fail | SpfResult::Softfail | SpfResult::Neutral => MechanismOutcome::NoMatch,
            SpfResult::Temperror => MechanismOutcome::Error(SpfResult::Temperror, child.node.outcome, format!("include:{name}: {}", child.node.reason)),
            SpfResult::Permerror => MechanismOutcome::Error(SpfResult::Permerror, child.node.outcome, format!("include:{name}: {}", child.node.reason)),
            SpfResult::None => MechanismOutcome::Error(
                SpfResult::Permerror,
                SpfOutcome::IncludeWithoutSpf,
                format!("include:{name}: {}; an include of a domain without SPF is permerror (RFC 7208 §5.2)", child.node.reason),
            ),
        };
        trace.child = Some(Box::new(child.node));
        outcome
    }

    /// `redirect=` (RFC 7208 §6.1): the result is the target's, and `none` there is `permerror`.
    pub(super) async fn redirect(
        &mut self,
        record: &Outline,
        term: &OutlineTerm,
        target: Span,
        mut node: TraceNode,
        first_error: Option<(SpfResult, SpfOutcome, String)>,
    ) -> HostOutcome {
        let mut trace = self.term_trace(record, term);
        let counted = self.count_lookup();
        let name = self
            .expand_spec(&record.text, target, &mut trace.queries)
            .await;
        trace.lookups_used = self.lookups;
        // The name goes to the child's node, and the trace takes a copy of it from there.
        let fail =
            |mut node: TraceNode, mut trace: TermTrace, name: String, (outcome, reason): Stop| {
                trace.target = Some(name);
                trace.outcome = TermOutcome::Permerror;
                trace.error = Some(outcome);
                trace.note = Some(reason.clone());
                node.terms.push(trace);
                HostOutcome::ended(node, SpfResult::Permerror, outcome, reason)
            };
        if let Err(stop) = counted {
            if !self.audit {
                return fail(node, trace, name, stop);
            }
        }
        if let Err(stop) = self.may_follow(&name) {
            return fail(node, trace, name, stop);
        }
        let child = self.check_host(name).await;
        // The child's domain is the name it was given.
        let name = &child.node.domain;
        trace.target = Some(name.clone());
        trace.lookups_used = self.lookups;
        trace.void_lookups = self.void_lookups;
        let (result, outcome) = match child.result {
            SpfResult::None => (SpfResult::Permerror, SpfOutcome::RedirectWithoutSpf),
            other => (other, child.node.outcome),
        };
        trace.outcome = TermOutcome::Applied;
        let reason = if child.result == SpfResult::None {
            format!(
                "redirect={name}: {} (RFC 7208 §6.1 makes this permerror)",
                child.node.reason
            )
        } else {
            child.node.reason.clone()
        };
        trace.child = Some(Box::new(child.node));
        node.terms.push(trace);
        let (result, outcome, reason) = match first_error {
            Some(error) if self.audit => error,
            _ => (result, outcome, reason),
        };
        HostOutcome {
            explanation: child.explanation,
            decided_by: child.decided_by,
            ..HostOutcome::ended(node, result, outcome, reason)
        }
    }
}
