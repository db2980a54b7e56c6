//! `mailspect record 'TEXT'`: lint one pasted record, with no DNS.

use std::io::Read;

use mailspect::commands::RecordLintReport;
use mailspect::records::mode::lint_record;

use super::args::RecordArgs;
use super::{output, CliError};

/// More than any record or policy file: standard input is read no further.
const MAX_INPUT: u64 = 1024 * 1024;

/// Exit code 0 whatever the record holds; 2 when there is no text to read.
pub fn run(args: &RecordArgs) -> Result<(), CliError> {
    let text = match args.text.as_deref() {
        Some(text) if text != "-" => text.to_string(),
        _ => {
            let mut input = Vec::new();
            std::io::stdin()
                .take(MAX_INPUT)
                .read_to_end(&mut input)
                .map_err(|error| CliError(format!("standard input: {error}")))?;
            String::from_utf8(input)
                .map_err(|_| CliError("standard input: the record is not UTF-8 text".into()))?
        }
    };
    let report = lint_record(&text, args.kind);
    if args.json {
        return output::print_json(&RecordLintReport::new(report));
    }
    output::print_text(output::record(&report))
}
