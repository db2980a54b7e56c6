// The report as Markdown, for a ticket or a chat: loaded by the export bar (export.js) on the
// first "Copy as Markdown", so that a report's first render does not carry it.

const HIDDEN_ALL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B-\u200D\u2060-\u2064\uFEFF\u180E\u00AD\u034F\u115F\u1160\u3164\uFFA0\u{E0000}-\u{E007F}\u0000-\u0008\u000A-\u001F\u007F-\u009F]/gu;

/**
 * Text from a report as Markdown that shows exactly that text: hidden characters written as
 * ⟨U+202E⟩ (as the page shows them), Markdown and HTML punctuation backslash-escaped, so that a
 * header holding `<script>` or `[click](javascript:…)` stays text in the ticket that renders it.
 */
export function markdownText(value) {
  if (value === null || value === undefined) return '';
  return String(value)
    .replace(/[\\`*_{}[\]()<>#+\-.!|~&"']/g, (char) => `\\${char}`)
    .replace(HIDDEN_ALL, (char) => `⟨U+${char.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

const code = (value) => {
  const text = String(value ?? '').replace(HIDDEN_ALL, (char) =>
    `⟨U+${char.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
  // A code span holding backticks needs a longer fence (CommonMark §6.1).
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${longest ? ' ' : ''}${text}${longest ? ' ' : ''}${fence}`;
};

const cell = (value) => markdownText(value).replace(/\n/g, ' ');
const tableRows = (headings, rows) => [
  `| ${headings.join(' | ')} |`,
  `|${headings.map(() => ' --- ').join('|')}|`,
  ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
];

const mailboxes = (list = []) => list.map(({ name, address }) => (name && address ? `${name} <${address}>` : address ?? name ?? '')).join(', ');

/** The report as Markdown: the verdict and why, the checks, the findings and the path. */
export function reportMarkdown(report) {
  const lines = [];
  const verdict = report.verdict;
  lines.push('## mailspect report', '');
  if (report.redaction) lines.push(`*${markdownText(report.redaction.note)}*`, '');
  if (verdict) {
    lines.push(`**Verdict: ${markdownText(verdict.status)}.** ${markdownText(verdict.sentence)}`, '');
    lines.push(`- From domain: ${verdict.from_domain ? code(verdict.from_domain) : 'no single From domain'}`
      + (verdict.from_domain_unicode ? ` (shown as ${code(verdict.from_domain_unicode)})` : ''));
    for (const warning of verdict.from_domain_warnings ?? []) lines.push(`  - ${markdownText(warning)}`);
    lines.push(`- DMARC: ${code(`dmarc=${verdict.dmarc}`)}, disposition ${code(verdict.disposition)}`);
    const aligned = (verdict.aligned_by ?? []).map((id) => code(`${id.method}: ${id.domain}${id.selector ? ` s=${id.selector}` : ''}`));
    lines.push(`- Authenticated by: ${aligned.length ? aligned.join(', ') : 'none'}`);
    lines.push(`- Transport: ${code(verdict.transport?.status ?? 'unknown')}`);
    lines.push('');
  }
  const summary = report.summary ?? {};
  lines.push(...tableRows(['Field', 'Value'], [
    ['From', mailboxes(summary.from)], ['To', mailboxes(summary.to)], ['Subject', summary.subject],
    ['Date', summary.date], ['Message-ID', summary.message_id],
  ].filter(([, value]) => value)), '');

  const checks = [];
  if (report.dmarc) checks.push(['DMARC', report.dmarc.domain, report.dmarc.result, report.dmarc.reason]);
  if (report.spf) checks.push(['SPF', report.spf.domain, report.spf.result, report.spf.reason]);
  for (const signature of report.dkim ?? []) {
    checks.push(['DKIM', `d=${signature.domain ?? '?'} s=${signature.selector ?? '?'}`, signature.result, signature.reason]);
  }
  if (report.arc) checks.push(['ARC', report.arc.instances?.length ? `${report.arc.instances.length} sets` : '', report.arc.result, report.arc.reason]);
  if (checks.length) lines.push('### Checks (rechecked by mailspect)', '', ...tableRows(['Check', 'For', 'Result', 'Why'], checks), '');

  const findings = report.findings ?? [];
  if (findings.length) {
    lines.push(`### Findings (${findings.length})`, '');
    for (const finding of findings) lines.push(`- **${markdownText(finding.severity)}** ${markdownText(finding.message)} (${code(finding.code)})`);
    lines.push('');
  }
  const hops = report.hops ?? [];
  if (hops.length) {
    lines.push(`### Path (${hops.length} hops, oldest first)`, '', ...tableRows(['#', 'From', 'By', 'With', 'TLS', 'Delay'],
      hops.map((hop) => [hop.number, [hop.from, hop.ip ? `[${hop.ip}]` : null].filter(Boolean).join(' '), hop.by ?? '',
        hop.with ?? '', hop.tls ? [hop.tls.version, hop.tls.cipher].filter(Boolean).join(' ') : hop.transport,
        typeof hop.delay_seconds === 'number' ? `${hop.delay_seconds} s` : ''])), '');
  }
  lines.push(`*mailspect, report schema ${markdownText(report.schema_version ?? '')}*`);
  return `${lines.join('\n')}\n`;
}
