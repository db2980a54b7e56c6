//! `mailspect spf`: evaluate SPF for a connecting IP, or audit a domain's SPF record.

use mailspect::commands::{SpfAuditReport, SpfCheck, SpfCheckReport};
use mailspect::spf::{self, CheckOptions};

use super::args::SpfArgs;
use super::resolve::resolver;
use super::{output, system_now, CliError};

pub fn run(args: &SpfArgs) -> Result<(), CliError> {
    let resolver = resolver(&args.dns.sources)?;
    let Some(ip) = args.ip else {
        if args.mail_from.is_some() || args.helo.is_some() {
            return Err(CliError(
                "--mail-from and --helo need --ip (SPF evaluates a connecting address); \
                 give a domain alone to audit its record"
                    .into(),
            ));
        }
        let domain = args.domain.as_deref().ok_or_else(|| {
            CliError(
                "give --ip with --mail-from or --helo to evaluate, or a domain to audit".into(),
            )
        })?;
        let audit = pollster::block_on(spf::audit_domain(&resolver, domain));
        if args.json {
            return output::print_json(&SpfAuditReport::new(audit));
        }
        return output::print_text(output::spf_audit(&audit));
    };
    let options = CheckOptions {
        receiver: args.receiver.clone(),
        now: system_now(),
    };
    let mail_from = args.mail_from.clone().or_else(|| {
        args.domain
            .as_ref()
            .map(|domain| format!("postmaster@{domain}"))
    });
    let helo = args.helo.as_deref();
    let check = match (&mail_from, helo) {
        (Some(mail_from), _) => pollster::block_on(spf::check_mail_from(
            &resolver, ip, mail_from, helo, &options,
        ))
        .ok_or_else(|| {
            CliError(
                "MAIL FROM is empty (a bounce): give --helo, whose postmaster@ address is \
                         checked instead"
                    .into(),
            )
        })?,
        (None, Some(helo)) => pollster::block_on(spf::check_helo(&resolver, ip, helo, &options)),
        (None, None) => {
            return Err(CliError(
                "--ip needs --mail-from, --helo or a domain to check".into(),
            ))
        }
    };
    let helo_check = match (&mail_from, helo) {
        (Some(_), Some(helo)) => Some(pollster::block_on(spf::check_helo(
            &resolver, ip, helo, &options,
        ))),
        _ => None,
    };
    let check = SpfCheck { check, helo_check };
    if args.json {
        return output::print_json(&SpfCheckReport::new(check));
    }
    output::print_text(output::spf_check(&check))
}
