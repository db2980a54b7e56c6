//! Unit tests of the XML tree's repairs and limits, and of the decisions the summary makes.

use super::summary::{aligned, SourceClass};
use super::xml::{parse, place};

fn tree(text: &str) -> super::xml::Document {
    parse(text.as_bytes(), "feedback", "record", &mut |_| {})
}

#[test]
fn place_counts_lines_and_characters_from_one() {
    assert_eq!(place("ab\ncdé f", 0), "line 1, column 1");
    assert_eq!(place("ab\ncdé f", 3), "line 2, column 1");
    // Inside the two bytes of é: the place of the character itself.
    assert_eq!(place("ab\ncdé f", 6), "line 2, column 3");
    assert_eq!(place("ab", 99), "line 1, column 3");
}

#[test]
fn predefined_entities_and_character_references_resolve() {
    let document = tree("<a>&lt;&amp;&#65;&#x42;&quot;&apos;&gt;</a>");
    assert_eq!(document.root.children[0].text, "<&AB\"'>");
    assert!(document.problems.is_empty(), "{:?}", document.problems);
}

#[test]
fn a_nul_character_reference_is_not_resolved() {
    let document = tree("<a>&#0;</a>");
    assert_eq!(document.root.children[0].text, "&#0;");
    assert_eq!(document.problems[0].code, "reports.xml-entity");
}

#[test]
fn a_stray_end_tag_is_skipped_and_named() {
    let document = tree("<a><b>x</b></c></a>");
    assert_eq!(document.root.children[0].children[0].text, "x");
    assert_eq!(document.problems[0].code, "reports.xml-stray-end");
    assert_eq!(document.problems[0].offset, 11);
}

#[test]
fn nesting_past_the_limit_stops_the_document() {
    let deep = "<a>".repeat(100);
    let document = tree(&deep);
    let last = document.problems.last().expect("a problem");
    assert_eq!(last.code, "reports.xml-too-deep");
    assert!(last.fatal);
}

#[test]
fn element_text_is_capped() {
    let long = format!("<a>{}</a>", "x".repeat(10_000));
    let document = tree(&long);
    assert_eq!(
        document.root.children[0].text.len(),
        super::limits::MAX_TEXT_CHARS
    );
}

#[test]
fn records_under_feedback_go_to_the_sink_not_the_tree() {
    let mut seen = 0;
    let document = parse(
        b"<feedback><record/><record><row/></record><other><record/></other></feedback>",
        "feedback",
        "record",
        &mut |_| seen += 1,
    );
    assert_eq!(seen, 2);
    let feedback = &document.root.children[0];
    assert_eq!(feedback.children.len(), 1, "only <other>");
    assert_eq!(
        feedback.children[0].children.len(),
        1,
        "a record elsewhere stays"
    );
}

#[test]
fn relaxed_alignment_compares_organisational_domains() {
    assert!(aligned("mail.example.com", "example.com"));
    assert!(aligned("EXAMPLE.com.", "news.example.com"));
    assert!(!aligned("sendgrid.net", "example.com"));
    assert!(!aligned("example.co.uk", "other.co.uk"));
}

#[test]
fn class_words_are_the_report_words() {
    for (class, word) in [
        (SourceClass::Aligned, "aligned"),
        (SourceClass::OwnServiceUnaligned, "own-service-unaligned"),
        (SourceClass::Forwarded, "forwarded"),
        (SourceClass::LikelyForgery, "likely-forgery"),
    ] {
        assert_eq!(class.word(), word);
        assert_eq!(
            serde_json::to_value(class).expect("serializes"),
            serde_json::Value::from(word)
        );
    }
}
