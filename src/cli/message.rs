//! `mailspect message`: the message report.

use std::io::Read;

use mailspect::{analyze_message, EnvelopeOverride, Options};

use super::args::MessageArgs;
use super::resolve::resolver;
use super::{output, system_now, CliError};

pub fn run(args: &MessageArgs) -> Result<(), CliError> {
    let input = read_input(args)?;
    let options = Options {
        envelope: EnvelopeOverride {
            ip: args.envelope.ip,
            helo: args.envelope.helo.clone(),
            mail_from: args.envelope.mail_from.clone(),
        },
        now: args.now.unwrap_or_else(system_now),
        include_canonicalized: args.canonicalized,
        trusted_arc_sealers: args.trusted_arc_sealers.clone(),
        e2e: e2e_options(args)?,
    };
    let resolver = resolver(&args.dns.sources)?;
    let report = pollster::block_on(analyze_message(&input, &options, &resolver))
        .map_err(|error| CliError(format!("{}: {error}", input_name(args))))?;
    if args.json && args.redact {
        let value = serde_json::to_value(&report)?;
        output::print_json(&mailspect::redact::redact_report(&value))
    } else if args.json {
        output::print_json(&report)
    } else {
        output::print_text(output::message(&report))
    }
}

/// The roots of `--ca-file` and the keys of `--openpgp-key`, read whole: small files the user
/// names, bounded like a message.
fn e2e_options(args: &MessageArgs) -> Result<mailspect::e2e::E2eOptions, CliError> {
    let read = |flag: &str, path: &std::path::Path| -> Result<String, CliError> {
        let shown = path.display();
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|file| {
                file.take(mailspect::message::MAX_MESSAGE_BYTES as u64)
                    .read_to_string(&mut text)
            })
            .map_err(|error| CliError(format!("{flag} {shown}: {error}")))?;
        Ok(text)
    };
    let roots_pem = match &args.ca_file {
        Some(path) => read("--ca-file", path)?,
        None => String::new(),
    };
    let mut openpgp_keys = String::new();
    for path in &args.openpgp_keys {
        openpgp_keys.push_str(&read("--openpgp-key", path)?);
        openpgp_keys.push('\n');
    }
    Ok(mailspect::e2e::E2eOptions {
        roots_pem,
        openpgp_keys,
    })
}

fn input_name(args: &MessageArgs) -> String {
    match &args.file {
        Some(path) if path.as_os_str() != "-" => path.display().to_string(),
        _ => "standard input".into(),
    }
}

/// Reads the message, and no more than one byte past the most the core accepts: a larger input
/// is refused by intake (`too-large`) either way, and reading all of a huge file or an endless
/// pipe first would use memory out of all proportion to the message.
fn read_input(args: &MessageArgs) -> Result<Vec<u8>, CliError> {
    let most = mailspect::message::MAX_MESSAGE_BYTES;
    let limit = most as u64 + 1;
    let mut input = Vec::new();
    let source = match &args.file {
        Some(path) if path.as_os_str() != "-" => {
            let source = path.display().to_string();
            std::fs::File::open(path)
                .and_then(|file| file.take(limit).read_to_end(&mut input))
                .map_err(|error| CliError(format!("{source}: {error}")))?;
            source
        }
        _ => {
            std::io::stdin()
                .take(limit)
                .read_to_end(&mut input)
                .map_err(|error| CliError(format!("standard input: {error}")))?;
            "standard input".to_string()
        }
    };
    if input.len() > most {
        return Err(CliError(format!(
            "{source}: the input is larger than the {most} bytes a message may have here"
        )));
    }
    Ok(input)
}
