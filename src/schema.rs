//! The JSON Schemas of the reports, generated from their Rust types (native builds only: the
//! page never needs them). `tests/schema.rs` checks that `schema/*.schema.json` are exactly what
//! this generates, and validates real reports against them; `MAILSPECT_UPDATE_SCHEMA=1 cargo test
//! --test schema` rewrites the files after a deliberate change (add fields; never rename).

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::Value;

use crate::analysis::MessageReport;
use crate::commands::{
    DmarcAuditReport, DnsLookupReport, DomainAuditReport, MtaStsAuditReport, ProbeReportOutput,
    RecordLintReport, SpfAuditReport, SpfCheckReport, SpfEnvelopeReport,
};
use crate::report::SCHEMA_VERSION;

/// Where the schemas are published, relative to the repository.
pub const SCHEMA_BASE: &str = "https://mailspect.invalid/schema/";

/// Every report's schema, by file stem (`message` → `schema/message.schema.json`).
pub fn schemas() -> Vec<(&'static str, Value)> {
    #[allow(unused_mut)]
    let mut schemas = vec![
        (
            "message",
            generate::<MessageReport>(
                "message",
                "mailspect message report: `mailspect message --json`, `analyzeMessage()`",
            ),
        ),
        (
            "spf-check",
            generate::<SpfCheckReport>(
                "spf-check",
                "mailspect SPF check: `mailspect spf --ip … --json`",
            ),
        ),
        (
            "spf-envelope",
            generate::<SpfEnvelopeReport>(
                "spf-envelope",
                "mailspect SPF of an envelope: `checkSpf()`",
            ),
        ),
        (
            "spf-audit",
            generate::<SpfAuditReport>(
                "spf-audit",
                "mailspect SPF audit of a domain: `mailspect spf DOMAIN --json`, `auditSpf()`",
            ),
        ),
        (
            "dmarc-audit",
            generate::<DmarcAuditReport>(
                "dmarc-audit",
                "mailspect DMARC audit of a domain: `mailspect dmarc DOMAIN --json`, `auditDmarc()`",
            ),
        ),
        (
            "domain-audit",
            generate::<DomainAuditReport>(
                "domain-audit",
                "mailspect domain audit: `mailspect domain NAME --json`, `auditDomain()`",
            ),
        ),
        (
            "dns-lookup",
            generate::<DnsLookupReport>(
                "dns-lookup",
                "mailspect DNS lookup: `mailspect dns NAME TYPE --json`, `resolve()`",
            ),
        ),
        (
            "record",
            generate::<RecordLintReport>(
                "record",
                "mailspect record lint: `mailspect record TEXT --json`, `lintRecord()`",
            ),
        ),
        (
            "mta-sts",
            generate::<MtaStsAuditReport>(
                "mta-sts",
                "mailspect MTA-STS check of a domain: `mailspect mta-sts DOMAIN --json`",
            ),
        ),
        (
            "probe",
            generate::<ProbeReportOutput>(
                "probe",
                "mailspect SMTP probe of a domain's MX hosts or one host: `mailspect probe TARGET --json`",
            ),
        ),
    ];
    #[cfg(feature = "reports")]
    schemas.push((
        "reports",
        generate::<crate::reports::ReportsReport>(
            "reports",
            "mailspect DMARC and TLS reports read: `mailspect reports FILES --json`, `readReports()`",
        ),
    ));
    schemas
}

fn generate<T: JsonSchema>(stem: &str, title: &str) -> Value {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let mut value = generator.into_root_schema_for::<T>().to_value();
    require_every_property(&mut value);
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "$id".into(),
            format!("{SCHEMA_BASE}{stem}.schema.json").into(),
        );
        object.insert("title".into(), title.into());
        object.insert(
            "x-schema-version".into(),
            Value::String(SCHEMA_VERSION.into()),
        );
    }
    value
}

/// The report never omits a field (docs/report.md: a value that does not apply is `null`), so
/// every property of every object is required; schemars leaves `Option` fields out of
/// `required`, which would let a report that drops one still validate.
fn require_every_property(schema: &mut Value) {
    visit_schemas(schema, &mut |object| {
        if let Some(Value::Object(properties)) = object.get("properties") {
            let names: Vec<Value> = properties.keys().cloned().map(Value::String).collect();
            object.insert("required".into(), Value::Array(names));
        }
    });
}

/// Calls `visit` on `schema` and on every subschema below it, by keyword: a field of a report
/// may itself be named `properties` or `items`, so the walk must know where schemas are.
fn visit_schemas(schema: &mut Value, visit: &mut dyn FnMut(&mut serde_json::Map<String, Value>)) {
    let Value::Object(object) = schema else {
        return;
    };
    visit(object);
    for (keyword, child) in object.iter_mut() {
        match (keyword.as_str(), child) {
            ("properties" | "$defs" | "definitions" | "patternProperties", Value::Object(map)) => {
                map.values_mut().for_each(|sub| visit_schemas(sub, visit));
            }
            ("anyOf" | "oneOf" | "allOf" | "prefixItems", Value::Array(list)) => {
                list.iter_mut().for_each(|sub| visit_schemas(sub, visit));
            }
            (
                "items" | "additionalProperties" | "not" | "if" | "then" | "else" | "contains",
                sub @ Value::Object(_),
            ) => visit_schemas(sub, visit),
            _ => {}
        }
    }
}

/// The schema with `additionalProperties: false` on every object that lists its properties: what
/// the tests validate against, so that a field the types do not declare (a hand-written
/// serializer drifting from its schema) fails. Readers of the published schemas should accept
/// fields they do not know, which is why the published form leaves this out.
pub fn strict(schema: &Value) -> Value {
    let mut value = schema.clone();
    forbid_unknown(&mut value);
    value
}

fn forbid_unknown(schema: &mut Value) {
    visit_schemas(schema, &mut |object| {
        if object.contains_key("properties") && !object.contains_key("additionalProperties") {
            object.insert("additionalProperties".into(), Value::Bool(false));
        }
    });
}
