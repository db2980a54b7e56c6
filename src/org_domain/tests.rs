use super::*;
use crate::dmarc::Psd;
use crate::dns::{DnsError, MemoryResolver, RecordData};

fn org(name: &str) -> Option<String> {
    organizational_domain_psl(name).ok().flatten()
}

// ---- the list ----

/// The embedded compact form must hold exactly the rules of `data/public_suffix_list.dat`,
/// U-labels as A-labels: this is what catches a stale `data/psl-compact.txt` after an update.
#[test]
fn compact_list_matches_the_dat_file() {
    let dat = include_str!("../../data/public_suffix_list.dat");
    let mut expected = std::collections::HashMap::new();
    let mut section = None;
    for line in dat.lines() {
        let line = line.trim();
        if line.contains("===BEGIN ICANN DOMAINS===") {
            section = Some(PslSection::Icann);
        } else if line.contains("===BEGIN PRIVATE DOMAINS===") {
            section = Some(PslSection::Private);
        } else if line.is_empty() || line.starts_with("//") {
            continue;
        } else if let Some(section) = section {
            let rule = line.split_whitespace().next().unwrap_or(line);
            let rule = rule.strip_prefix('!').unwrap_or(rule);
            let labels: Vec<String> = rule
                .split('.')
                .map(|label| punycode::a_label(label).expect("list labels encode"))
                .collect();
            expected.insert(labels.join("."), section);
        }
    }
    let mut rules = std::collections::HashMap::new();
    psl::for_each_rule(
        include_str!("../../data/psl-compact.txt"),
        |labels, _, section| {
            let name: Vec<&str> = labels.iter().rev().copied().collect();
            rules.insert(name.join("."), section);
        },
    );
    assert_eq!(rules, expected);
}

/// The list project's own test cases (data/psl_test.txt), U-labels compared as A-labels.
#[test]
fn psl_project_test_cases() {
    let tests = include_str!("../../data/psl_test.txt");
    let mut count = 0;
    for line in tests.lines() {
        let Some(args) = line
            .strip_prefix("checkPublicSuffix(")
            .and_then(|rest| rest.strip_suffix(");"))
        else {
            continue;
        };
        let (input, expected) = args.split_once(", ").expect("two arguments");
        let unquote = |text: &str| (text != "null").then(|| text.trim_matches('\'').to_string());
        let (Some(input), expected) = (unquote(input), unquote(expected)) else {
            continue;
        };
        let expected = expected.map(|name| to_ascii(&name).expect("expected names are valid"));
        assert_eq!(org(&input), expected, "checkPublicSuffix({input})");
        count += 1;
    }
    assert!(count > 70, "only {count} cases read");
}

#[test]
fn multi_label_and_private_suffixes() {
    assert_eq!(org("www.example.co.uk").as_deref(), Some("example.co.uk"));
    assert_eq!(org("co.uk"), None);
    // PRIVATE section: github.io is a suffix, so each user's site is its own organisation.
    assert_eq!(org("alice.github.io").as_deref(), Some("alice.github.io"));
    assert_eq!(
        org("www.alice.github.io").as_deref(),
        Some("alice.github.io")
    );
    let suffix = public_suffix("alice.github.io").expect("valid");
    assert_eq!(suffix.suffix, "github.io");
    assert_eq!(suffix.section, PslSection::Private);
    assert_eq!(
        public_suffix("a.b.co.uk").expect("valid").section,
        PslSection::Icann
    );
}

#[test]
fn wildcards_exceptions_and_unlisted() {
    // `*.ck` with `!www.ck`.
    assert_eq!(org("a.b.ck").as_deref(), Some("a.b.ck"));
    assert_eq!(org("www.ck").as_deref(), Some("www.ck"));
    assert_eq!(org("x.www.ck").as_deref(), Some("www.ck"));
    let unlisted = public_suffix("mail.example.invalidtld").expect("valid");
    assert_eq!(unlisted.suffix, "invalidtld");
    assert_eq!(unlisted.section, PslSection::Unlisted);
}

#[test]
fn case_trailing_dot_and_u_labels() {
    assert_eq!(org("Mail.EXAMPLE.com.").as_deref(), Some("example.com"));
    assert_eq!(
        to_ascii("Bücher.Example").as_deref(),
        Ok("xn--bcher-kva.example")
    );
    assert_eq!(org("www.bücher.de").as_deref(), Some("xn--bcher-kva.de"));
    assert_eq!(to_ascii("a..b"), Err(NameError::EmptyLabel));
    assert_eq!(to_ascii("192.0.2.1"), Err(NameError::AddressLiteral));
    assert_eq!(to_ascii(""), Err(NameError::Empty));
}

/// The all-ASCII shortcut of `to_ascii` must give what building the name label by label gives,
/// errors included: it exists only to save the copies.
#[test]
fn ascii_shortcut_agrees_with_labels() {
    let by_labels = |name: &str| -> Result<String, NameError> {
        let name = name.strip_suffix('.').unwrap_or(name);
        let mut labels = Vec::new();
        for label in name.split('.') {
            if label.is_empty() {
                return Err(NameError::EmptyLabel);
            }
            let label = punycode::a_label(label).ok_or(NameError::NotEncodable)?;
            if label.len() > 63 {
                return Err(NameError::LabelTooLong);
            }
            labels.push(label);
        }
        Ok(labels.join("."))
    };
    let long = "a".repeat(64);
    let names = [
        "Mail.EXAMPLE.com".to_string(),
        "example.com.".into(),
        "x".into(),
        "a..b".into(),
        ".example".into(),
        "example..".into(),
        format!("{long}.example"),
        format!("{long}..example"),
        format!("..{long}"),
        "_dmarc.Example.ORG".into(),
        "xn--bcher-kva.de".into(),
    ];
    for name in &names {
        assert_eq!(to_ascii(name), by_labels(name), "{name}");
    }
}

/// The character test in front of the address parser must not turn an address into a name:
/// every string here is judged as the parser alone judges it, addresses of both families,
/// hex-only names that are not addresses, and names with a letter past `f`.
#[test]
fn address_test_agrees_with_the_parser() {
    let strings = [
        "192.0.2.1",
        "::1",
        "2001:db8::1",
        "::ffff:192.0.2.1",
        "2001:DB8:0:0:0:0:0:1",
        "1.2.3",
        "256.1.1.1",
        "01.2.3.4",
        "cafe.be",
        "add.face",
        "dead:beef",
        "fe80::1%eth0",
        "example.com",
        "1.2.3.4.in-addr.arpa",
        "",
        ".",
        ":",
    ];
    for string in strings {
        assert_eq!(
            is_ip_address(string),
            string.parse::<std::net::IpAddr>().is_ok(),
            "{string}"
        );
    }
}

/// RFC 3492 §7.1 sample (L): the encoder must agree with the decoder in sender/.
#[test]
fn punycode_encodes_rfc3492_sample() {
    assert_eq!(
        punycode::a_label("3年B組金八先生").as_deref(),
        Some("xn--3b-ww4c5e180e575a65lsy2b")
    );
    assert_eq!(
        punycode::a_label("münchen").as_deref(),
        Some("xn--mnchen-3ya")
    );
}

#[test]
fn within_is_label_wise() {
    assert!(is_within("a.example.com", "example.com"));
    assert!(is_within("example.com", "example.com"));
    assert!(!is_within("badexample.com", "example.com"));
}

// ---- the tree walk ----

#[test]
fn walk_targets_short_names_remove_one_label() {
    assert_eq!(
        walk_targets("a.mail.example.com"),
        [
            "a.mail.example.com",
            "mail.example.com",
            "example.com",
            "com"
        ]
    );
}

/// RFC 9989 §4.10's own example: thirteen labels, eight queries, skipping to seven labels.
/// The walk reads its names as suffixes of the start; they must be the names joined from
/// the labels, for names of every length and for names with empty labels (which take the
/// joining path).
#[test]
fn target_suffixes_are_the_joined_names() {
    let names = [
        "com",
        "example.com",
        "a.b.c.d.e.f.g",
        "a.b.c.d.e.f.g.h",
        "a.b.c.d.e.f.g.h.i",
        "a.b.c.d.e.f.g.h.i.j.mail.example.com",
        "a..b",
        ".example.com",
        "example.com.",
        "",
        ".",
    ];
    for name in names {
        let suffixes: Vec<String> = walk::target_names(name)
            .into_iter()
            .map(std::borrow::Cow::into_owned)
            .collect();
        assert_eq!(suffixes, walk::joined_targets(name), "{name}");
    }
}

#[test]
fn walk_targets_long_names_skip_to_seven_labels() {
    let targets = walk_targets("a.b.c.d.e.f.g.h.i.j.mail.example.com");
    assert_eq!(
        targets,
        [
            "a.b.c.d.e.f.g.h.i.j.mail.example.com",
            "g.h.i.j.mail.example.com",
            "h.i.j.mail.example.com",
            "i.j.mail.example.com",
            "j.mail.example.com",
            "mail.example.com",
            "example.com",
            "com",
        ]
    );
    assert_eq!(targets.len(), MAX_WALK_QUERIES);
    assert_eq!(walk_targets("1.2.3.4.5.6.7.8").len(), 8);
}

fn record(domain: &str, psd: Option<Psd>) -> WalkRecord<'_> {
    WalkRecord { domain, psd }
}

/// The three examples at the end of RFC 9989 §4.10.2.
#[test]
fn selection_follows_rfc9989_examples() {
    let start = "a.mail.example.com";
    let fewest = select_organizational_domain(
        start,
        &[
            record("mail.example.com", None),
            record("example.com", None),
        ],
    );
    assert_eq!(fewest.domain.as_deref(), Some("example.com"));
    assert_eq!(fewest.reason, OrgDomainReason::FewestLabels);
    let psd_no = select_organizational_domain(start, &[record("mail.example.com", Some(Psd::No))]);
    assert_eq!(psd_no.domain.as_deref(), Some("mail.example.com"));
    assert_eq!(psd_no.reason, OrgDomainReason::PsdNo);
    let psd_yes = select_organizational_domain(start, &[record("com", Some(Psd::Yes))]);
    assert_eq!(psd_yes.domain.as_deref(), Some("example.com"));
    assert_eq!(psd_yes.reason, OrgDomainReason::BelowPsdYes);
    assert_eq!(psd_yes.public_suffix_domain.as_deref(), Some("com"));
    let none = select_organizational_domain(start, &[]);
    assert_eq!(none.domain.as_deref(), Some(start));
    assert_eq!(none.reason, OrgDomainReason::StartingDomain);
}

fn txt(zone: &mut MemoryResolver, name: &str, text: &str) {
    zone.insert(
        name,
        300,
        RecordData::Txt {
            strings: vec![text.as_bytes().to_vec()],
        },
    );
}

#[test]
fn tree_walk_stops_at_psd_and_on_temperror() {
    let mut zone = MemoryResolver::new();
    txt(&mut zone, "_dmarc.example", "v=DMARC1; p=reject; psd=y");
    let walk = pollster::block_on(tree_walk("a.b.example", &zone));
    assert_eq!(walk.steps.len(), 3);
    assert_eq!(
        walk.organizational_domain.domain.as_deref(),
        Some("b.example")
    );
    zone.insert_failure("_dmarc.b.example", DnsError::ServFail);
    let walk = pollster::block_on(tree_walk("a.b.example", &zone));
    assert_eq!(walk.steps.len(), 2);
    assert_eq!(
        walk.organizational_domain.reason,
        OrgDomainReason::Temperror
    );
    assert_eq!(walk.organizational_domain.domain, None);
}

/// The block index answers exactly as a pass over the whole list does: for the names of every
/// wildcard and exception rule and of every fifth other rule (a full pass per name makes all of
/// them too slow for a debug build), each as it is and one label below it.
#[test]
fn indexed_lookup_agrees_with_a_full_scan() {
    let mut names: Vec<Vec<String>> = Vec::new();
    let mut count = 0usize;
    psl::for_each_rule(
        include_str!("../../data/psl-compact.txt"),
        |labels, exception, _| {
            count += 1;
            if !(exception || labels.contains(&"*") || count.is_multiple_of(5)) {
                return;
            }
            let concrete: Vec<String> = labels
                .iter()
                .map(|label| {
                    if *label == "*" {
                        "x".to_string()
                    } else {
                        label.to_string()
                    }
                })
                .collect();
            let mut below = concrete.clone();
            below.push("host".into());
            names.push(concrete);
            names.push(below);
        },
    );
    names.push(vec!["unlistedtld".into(), "example".into()]);
    assert!(count > 9_000, "the whole list was read ({count})");
    for name in &names {
        let reversed: Vec<&str> = name.iter().map(String::as_str).collect();
        assert_eq!(
            psl::prevailing(&reversed),
            psl::prevailing_by_full_scan(&reversed),
            "{reversed:?}"
        );
    }
}
