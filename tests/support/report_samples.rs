//! Reports made by the tests: DMARC aggregate XML in each layout, SMTP TLS JSON, failure
//! reports, and the containers they arrive in (gzip, zip, e-mail, mbox). Shared by
//! `tests/reports.rs`, `tests/cli_reports.rs` and the `report_corpus` example (the benchmark's
//! input).
#![allow(dead_code)]

use std::io::Write;

use base64::Engine as _;

/// The layouts of aggregate reports.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Layout {
    Rfc7489,
    Rfc9990,
    Draft,
}

/// One `<record>`.
#[derive(Clone, Debug)]
pub struct Row {
    pub ip: String,
    pub count: u64,
    pub disposition: &'static str,
    pub dkim: &'static str,
    pub spf: &'static str,
    pub header_from: String,
    pub dkim_auth: Vec<(String, &'static str)>,
    pub spf_auth: Vec<(String, &'static str)>,
    pub reasons: Vec<(&'static str, &'static str)>,
}

impl Row {
    pub fn new(ip: &str, count: u64, from: &str) -> Self {
        Row {
            ip: ip.into(),
            count,
            disposition: "none",
            dkim: "fail",
            spf: "fail",
            header_from: from.into(),
            dkim_auth: Vec::new(),
            spf_auth: Vec::new(),
            reasons: Vec::new(),
        }
    }

    /// DKIM passes for `domain` (aligned when it is the From domain's organisation).
    pub fn dkim_pass(mut self, domain: &str, aligned: bool) -> Self {
        self.dkim_auth.push((domain.into(), "pass"));
        if aligned {
            self.dkim = "pass";
        }
        self
    }

    pub fn dkim_fail(mut self, domain: &str) -> Self {
        self.dkim_auth.push((domain.into(), "fail"));
        self
    }

    pub fn spf_result(mut self, domain: &str, result: &'static str, aligned: bool) -> Self {
        self.spf_auth.push((domain.into(), result));
        if aligned && result == "pass" {
            self.spf = "pass";
        }
        self
    }

    pub fn reason(mut self, kind: &'static str, comment: &'static str) -> Self {
        self.reasons.push((kind, comment));
        self
    }
}

/// One aggregate report.
#[derive(Clone, Debug)]
pub struct Aggregate {
    pub layout: Layout,
    pub org: String,
    pub report_id: String,
    pub begin: u64,
    pub domain: String,
    pub policy: &'static str,
    /// `<pct>`'s text (Yahoo writes `unused` in policy fields).
    pub pct: &'static str,
    pub rows: Vec<Row>,
    /// A newline after the XML declaration (some reporters leave it out).
    pub declaration_newline: bool,
}

impl Aggregate {
    pub fn new(org: &str, report_id: &str, begin: u64, domain: &str, rows: Vec<Row>) -> Self {
        Aggregate {
            layout: Layout::Rfc7489,
            org: org.into(),
            report_id: report_id.into(),
            begin,
            domain: domain.into(),
            policy: "none",
            pct: "100",
            rows,
            declaration_newline: true,
        }
    }

    pub fn xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        if self.declaration_newline {
            out.push('\n');
        }
        match self.layout {
            Layout::Rfc9990 => {
                out.push_str("<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">\n");
                out.push_str("  <version>1.0</version>\n");
            }
            _ => out.push_str("<feedback>\n"),
        }
        let end = self.begin + 86_399;
        out.push_str(&format!(
            "  <report_metadata>\n    <org_name>{}</org_name>\n    \
             <email>noreply-dmarc@{}</email>\n    <report_id>{}</report_id>\n    \
             <date_range><begin>{}</begin><end>{end}</end></date_range>\n",
            self.org, self.org, self.report_id, self.begin
        ));
        if self.layout == Layout::Rfc9990 {
            out.push_str("    <generator>mailspect tests</generator>\n");
        }
        out.push_str("  </report_metadata>\n  <policy_published>\n");
        out.push_str(&format!(
            "    <domain>{}</domain>\n    <adkim>r</adkim>\n    <aspf>r</aspf>\n    \
             <p>{}</p>\n    <sp>{}</sp>\n",
            self.domain, self.policy, self.policy
        ));
        match self.layout {
            Layout::Rfc9990 => out.push_str(
                "    <np>reject</np>\n    <testing>n</testing>\n    \
                 <discovery_method>treewalk</discovery_method>\n",
            ),
            _ => out.push_str(&format!("    <pct>{}</pct>\n", self.pct)),
        }
        out.push_str("  </policy_published>\n");
        let identifiers = if self.layout == Layout::Draft {
            "identities"
        } else {
            "identifiers"
        };
        for row in &self.rows {
            out.push_str(&format!(
                "  <record>\n    <row>\n      <source_ip>{}</source_ip>\n      \
                 <count>{}</count>\n      <policy_evaluated>\n        \
                 <disposition>{}</disposition>\n        <dkim>{}</dkim>\n        \
                 <spf>{}</spf>\n",
                row.ip, row.count, row.disposition, row.dkim, row.spf
            ));
            for (kind, comment) in &row.reasons {
                out.push_str(&format!(
                    "        <reason><type>{kind}</type><comment>{comment}</comment></reason>\n"
                ));
            }
            out.push_str(&format!(
                "      </policy_evaluated>\n    </row>\n    <{identifiers}>\n      \
                 <header_from>{}</header_from>\n    </{identifiers}>\n    <auth_results>\n",
                row.header_from
            ));
            for (domain, result) in &row.dkim_auth {
                out.push_str(&format!(
                    "      <dkim><domain>{domain}</domain><selector>s1</selector>\
                     <result>{result}</result></dkim>\n"
                ));
            }
            for (domain, result) in &row.spf_auth {
                out.push_str(&format!(
                    "      <spf><domain>{domain}</domain><scope>mfrom</scope>\
                     <result>{result}</result></spf>\n"
                ));
            }
            out.push_str("    </auth_results>\n  </record>\n");
        }
        out.push_str("</feedback>\n");
        out
    }
}

/// The three sources every class test needs: the domain's own mail (aligned), a service that
/// signs with its own domain (unaligned), a forger, and a forwarder.
pub fn mixed_rows(domain: &str) -> Vec<Row> {
    vec![
        Row::new("192.0.2.10", 120, domain)
            .dkim_pass(domain, true)
            .spf_result(domain, "pass", true),
        Row::new("198.51.100.20", 30, domain)
            .dkim_pass("sendgrid.net", false)
            .spf_result("bounces.sendgrid.net", "pass", false),
        Row::new("203.0.113.66", 7, domain).spf_result("forger.example", "softfail", false),
        Row::new("192.0.2.200", 4, domain)
            .dkim_fail(domain)
            .spf_result("lists.example.org", "pass", false)
            .reason("mailing_list", ""),
    ]
}

/// A TLS report (RFC 8460 §4) with one policy and `failures` failure details.
pub fn tls_json(org: &str, report_id: &str, failures: &[(&str, &str, u64)]) -> String {
    let details: Vec<String> = failures
        .iter()
        .map(|(kind, ip, count)| {
            format!(
                "{{\"result-type\":\"{kind}\",\"sending-mta-ip\":\"{ip}\",\
                 \"receiving-mx-hostname\":\"mx.example.com\",\"failed-session-count\":{count}}}"
            )
        })
        .collect();
    let failed: u64 = failures.iter().map(|(_, _, count)| count).sum();
    format!(
        "{{\"organization-name\":\"{org}\",\"date-range\":{{\"start-datetime\":\
         \"2026-04-01T00:00:00Z\",\"end-datetime\":\"2026-04-01T23:59:59Z\"}},\
         \"contact-info\":\"tls@{org}\",\"report-id\":\"{report_id}\",\"policies\":[{{\
         \"policy\":{{\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\",\
         \"mode: enforce\"],\"policy-domain\":\"example.com\",\"mx-host\":[\"mx.example.com\"]}},\
         \"summary\":{{\"total-successful-session-count\":1000,\
         \"total-failure-session-count\":{failed}}},\"failure-details\":[{}]}}]}}",
        details.join(",")
    )
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("gzip in memory");
    encoder.finish().expect("gzip in memory")
}

pub fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        writer.start_file(*name, options).expect("zip member");
        writer.write_all(bytes).expect("zip in memory");
    }
    writer.finish().expect("zip in memory").into_inner()
}

/// The e-mail a receiver sends an aggregate or TLS report in: a text part and the report as a
/// base64 attachment.
pub fn email_with(name: &str, content_type: &str, bytes: &[u8]) -> Vec<u8> {
    let body = base64::engine::general_purpose::STANDARD.encode(bytes);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(76)
        .map(|chunk| std::str::from_utf8(chunk).expect("base64 is ASCII"))
        .collect();
    format!(
        "From: noreply-dmarc@reporter.example\r\nTo: dmarc@example.com\r\n\
         Subject: Report domain: example.com\r\nMessage-ID: <{name}@reporter.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nThis is an aggregate report.\r\n\
         --b1\r\nContent-Type: {content_type}; name=\"{name}\"\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        lines.join("\r\n")
    )
    .into_bytes()
}

/// An mbox of messages (each `From ` line added).
pub fn mbox(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for message in messages {
        out.extend_from_slice(b"From reporter@example Mon Apr  1 00:00:00 2026\n");
        out.extend_from_slice(
            &String::from_utf8_lossy(message)
                .replace("\r\n", "\n")
                .into_bytes(),
        );
        out.push(b'\n');
    }
    out
}

/// A DMARC failure report (RFC 6591): ARF fields and the original message's headers.
pub fn failure_report(source_ip: &str) -> Vec<u8> {
    format!(
        "From: dmarc-ruf@receiver.example\r\nTo: ruf@example.com\r\n\
         Subject: DMARC failure report for example.com\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=feedback-report; boundary=\"r\"\r\n\r\n\
         --r\r\nContent-Type: text/plain\r\n\r\nA message failed DMARC.\r\n\
         --r\r\nContent-Type: message/feedback-report\r\n\r\n\
         Feedback-Type: auth-failure\r\nUser-Agent: receiver/1.0\r\nVersion: 1\r\n\
         Original-Mail-From: <bounce@forger.example>\r\nArrival-Date: 1 Apr 2026 10:00:00 +0000\r\n\
         Source-IP: {source_ip}\r\nReported-Domain: example.com\r\nAuth-Failure: dmarc\r\n\
         Authentication-Results: receiver.example; dmarc=fail header.from=example.com;\r\n \
         spf=fail smtp.mailfrom=forger.example\r\nIdentity-Alignment: none\r\n\r\n\
         --r\r\nContent-Type: text/rfc822-headers\r\n\r\n\
         From: \"Bank\" <alerts@example.com>\r\nSubject: Verify your account\r\n\
         Message-ID: <forged-1@forger.example>\r\n\r\n--r--\r\n"
    )
    .into_bytes()
}
