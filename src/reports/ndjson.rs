//! One JSON document per record in the bulk shape of Elasticsearch and OpenSearch
//! (`POST _bulk`: an action line, then the document), for organisations whose report volume
//! outgrows one machine. Each document carries its report's metadata, so that it stands alone
//! in an index; its `_id` is made from the organisation, the report id and the record's place,
//! so that ingesting the same reports twice overwrites instead of doubling the counts.

use serde_json::{json, Value};

use super::ReportsReport;

/// The index names the action lines name.
pub const AGGREGATE_INDEX: &str = "mailspect-dmarc-aggregate";
pub const FAILURE_INDEX: &str = "mailspect-dmarc-failure";
pub const TLS_INDEX: &str = "mailspect-smtp-tls";

/// The bulk body: pairs of lines, each line JSON, each ending in `\n`.
pub fn bulk_lines(report: &ReportsReport) -> String {
    let mut out = String::new();
    for aggregate in &report.aggregate {
        let id = aggregate.dedup_key().replace('\u{0}', ":");
        for (index, record) in aggregate.records.iter().enumerate() {
            let document = json!({
                "org_name": aggregate.org_name,
                "report_id": aggregate.report_id,
                "format": aggregate.format,
                "date_begin": aggregate.date_begin,
                "date_end": aggregate.date_end,
                "policy": aggregate.policy,
                "file": aggregate.file,
                "record": record,
                "dmarc_pass": record.dmarc_pass(),
            });
            push(
                &mut out,
                AGGREGATE_INDEX,
                &format!("{id}:{index}"),
                &document,
            );
        }
    }
    for (number, failure) in report.failure.iter().enumerate() {
        let id = format!("{}:{number}", failure.file);
        push(&mut out, FAILURE_INDEX, &id, &json!(failure));
    }
    for tls in &report.tls {
        let id = tls.dedup_key().replace('\u{0}', ":");
        for (policy_index, policy) in tls.policies.iter().enumerate() {
            let base = json!({
                "organization_name": tls.organization_name,
                "report_id": tls.report_id,
                "start_datetime": tls.start_datetime,
                "end_datetime": tls.end_datetime,
                "policy_type": policy.policy_type,
                "policy_domain": policy.policy_domain,
                "successful_sessions": policy.successful_sessions,
                "failed_sessions": policy.failed_sessions,
            });
            if policy.failure_details.is_empty() {
                push(&mut out, TLS_INDEX, &format!("{id}:{policy_index}"), &base);
            }
            for (detail_index, detail) in policy.failure_details.iter().enumerate() {
                let mut document = base.clone();
                if let Value::Object(map) = &mut document {
                    map.insert("failure".into(), json!(detail));
                }
                let id = format!("{id}:{policy_index}:{detail_index}");
                push(&mut out, TLS_INDEX, &id, &document);
            }
        }
    }
    out
}

fn push(out: &mut String, index: &str, id: &str, document: &Value) {
    out.push_str(&json!({ "index": { "_index": index, "_id": id } }).to_string());
    out.push('\n');
    out.push_str(&document.to_string());
    out.push('\n');
}
