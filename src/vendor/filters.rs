//! SpamAssassin (Mail::SpamAssassin::Conf `add_header`, the `_YESNO_`, `_SCORE_`, `_REQD_`,
//! `_TESTS_` tags), Proofpoint and Mimecast verdict headers.

use super::{pairs, Decoded, VendorField};

/// `X-Spam-Status: Yes, score=7.2 required=5.0 tests=BAYES_99,HTML_MESSAGE autolearn=no
/// version=3.4.6`; older versions write `hits=` for `score=`.
pub fn spam_status(raw: &str) -> Decoded {
    let (flag, rest) = match raw.split_once(',') {
        Some((flag, rest)) => (flag.trim(), rest),
        None => (raw.trim(), ""),
    };
    let mut fields = vec![VendorField::new(
        "flag",
        flag,
        Some(match flag.to_ascii_lowercase().as_str() {
            "yes" => "SpamAssassin classified the message as spam.".into(),
            "no" => "SpamAssassin did not classify the message as spam.".into(),
            _ => "Not Yes or No.".into(),
        }),
    )];
    let mut score = None;
    let mut required = None;
    // Folding can break the comma-separated test list across lines; rejoin it first.
    let mut words: Vec<String> = Vec::new();
    for word in rest.split_whitespace() {
        match words.last_mut() {
            Some(last) if last.ends_with(',') => last.push_str(word),
            _ => words.push(word.to_string()),
        }
    }
    for word in &words {
        let Some((key, value)) = word.split_once('=') else {
            fields.push(VendorField::new(word, "", None));
            continue;
        };
        let meaning = match key {
            "score" | "hits" => {
                score = Some(value.to_string());
                Some("The total score of the rules that matched.".into())
            }
            "required" => {
                required = Some(value.to_string());
                Some("The score at which a message is classified as spam.".into())
            }
            "tests" => Some(format!(
                "The {} rules that matched.",
                value.split(',').filter(|t| !t.is_empty()).count()
            )),
            "autolearn" => Some("Whether the Bayes filter learned from this message.".into()),
            "version" => Some("The SpamAssassin version.".into()),
            _ => None,
        };
        fields.push(VendorField::new(key, value, meaning));
    }
    let summary = match (score, required) {
        (Some(score), Some(required)) => Some(format!(
            "SpamAssassin: {flag}, score {score} against a threshold of {required}."
        )),
        _ => None,
    };
    (summary, fields)
}

/// `X-Spam-Flag`, `X-Spam-Score`, `X-Spam-Level`: single values.
pub fn spam_simple(raw: &str) -> Decoded {
    let value = raw.trim();
    let meaning = if !value.is_empty() && value.bytes().all(|b| b == b'*') {
        format!("The score as a bar: {} stars, one per point.", value.len())
    } else {
        "A SpamAssassin value, as configured by the receiver.".into()
    };
    (None, vec![VendorField::new("value", value, Some(meaning))])
}

/// `X-Proofpoint-Spam-Details: rule=notspam policy=default score=0 spamscore=0 …`. Proofpoint
/// publishes the classifier names; the scores run from 0 to 100, higher meaning more likely.
pub fn proofpoint_details(raw: &str) -> Decoded {
    let mut rule = None;
    let fields = raw
        .split_whitespace()
        .map(|word| {
            let (key, value) = word.split_once('=').unwrap_or((word, ""));
            let meaning = match key {
                "rule" => {
                    rule = Some(value.to_string());
                    Some("The rule that decided the classification.".to_string())
                }
                "policy" => Some("The Proofpoint policy applied.".into()),
                "spamscore" | "phishscore" | "malwarescore" | "bulkscore" | "suspectscore"
                | "adultscore" | "impostorscore" | "lowpriorityscore" | "priorityscore" => {
                    Some(format!(
                        "Proofpoint's {} score (0–100; higher is more likely).",
                        key.strip_suffix("score").unwrap_or(key)
                    ))
                }
                "classifier" => Some("The classifier that decided.".into()),
                "engine" | "definitions" => Some("The engine or definitions version.".into()),
                _ => None,
            };
            VendorField::new(key, value, meaning)
        })
        .collect();
    (rule.map(|rule| format!("Proofpoint rule: {rule}.")), fields)
}

/// `X-Mimecast-Spam-Score: 0`.
pub fn mimecast_score(raw: &str) -> Decoded {
    let value = raw.trim();
    (
        Some(format!("Mimecast spam score {value}.")),
        vec![VendorField::new(
            "score",
            value,
            Some("Mimecast's spam score; higher is more likely spam.".into()),
        )],
    )
}

/// `X-Mimecast-Impersonation-Protect: Policy=…; Similar Internal Domain=false; …`: each check
/// of Mimecast's Impersonation Protect, `true` when it matched.
pub fn mimecast_impersonation(raw: &str) -> Decoded {
    let mut matched = Vec::new();
    let fields = pairs(raw, '=')
        .into_iter()
        .map(|(key, value)| {
            let meaning = if value.eq_ignore_ascii_case("true") {
                matched.push(key.clone());
                Some("This impersonation check matched.".into())
            } else if value.eq_ignore_ascii_case("false") {
                Some("This impersonation check did not match.".into())
            } else {
                None
            };
            VendorField::new(&key, &value, meaning)
        })
        .collect();
    let summary = if matched.is_empty() {
        "Mimecast Impersonation Protect: no check matched.".to_string()
    } else {
        format!(
            "Mimecast Impersonation Protect matched: {}.",
            matched.join(", ")
        )
    };
    (Some(summary), fields)
}
