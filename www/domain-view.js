// The Domain and Record views' reports as DOM: a domain audit (grade, plain summary, findings
// with the record to publish, a panel per protocol, the DNS waterfall) and a record's lint (the
// record with the faulty characters marked, findings, the fixed record and the next step). As in
// render.js, untrusted text (records come from DNS or a paste) reaches the DOM only as text.
import { el, icon, renderDns, revealed, section, table } from './render.js';

const SEVERITY_ICON = { error: 'cross', warning: 'caution', info: 'check' };
const PROTOCOLS = [
  ['mx', 'MX: where mail to the domain goes'],
  ['spf', 'SPF: who may send as the domain'],
  ['dmarc', 'DMARC: what receivers do with mail that fails'],
  ['dkim', 'DKIM: signing keys'],
  ['mta_sts', 'MTA-STS: TLS required for mail to the domain'],
  ['tls_rpt', 'TLS-RPT: reports of TLS failures'],
  ['bimi', 'BIMI: the brand logo'],
  ['dane', 'DANE: TLSA records of the MX hosts'],
  ['dnssec', 'DNSSEC'],
];

/** A record to publish, with a button that copies it. */
export function recordToPublish(text, label = 'Record to publish') {
  const copy = el('button', { type: 'button', class: 'copy', 'aria-label': `Copy: ${label}` }, 'Copy');
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Select and copy';
    }
  });
  return el('div', { class: 'publish' }, el('span', { class: 'publish-label' }, label), el('code', { class: 'record' }, revealed(text)), copy);
}

/** Findings with their fixes: the record to publish when the fix is one. */
export function findingsWithFixes(findings = [], { title = 'Findings', id = 'findings' } = {}) {
  if (findings.length === 0) return section(title, id, el('p', { class: 'quiet' }, 'Nothing to report.'));
  return section(`${title} (${findings.length})`, id,
    el('ul', { class: 'findings-list fixes' }, ...findings.map((finding) =>
      el('li', { class: `finding ${finding.severity}`, 'data-code': finding.code },
        el('span', { class: 'severity' }, finding.severity),
        el('span', { class: 'message' }, finding.domain ? el('code', { class: 'finding-domain' }, `${finding.domain}: `) : null,
          revealed(finding.message)),
        el('code', { class: 'code' }, finding.code),
        finding.fix ? el('div', { class: 'fix' }, revealed(finding.fix)) : null))));
}

/** Any JSON value from a report as nested definition lists: the parsed parts of a record. */
function valueView(value, depth = 0) {
  if (value === null || value === undefined) return el('span', { class: 'quiet' }, '—');
  if (typeof value !== 'object') return revealed(String(value));
  if (depth > 4) return el('code', {}, revealed(JSON.stringify(value)));
  if (Array.isArray(value)) {
    if (value.length === 0) return el('span', { class: 'quiet' }, 'none');
    return el('ul', { class: 'value-list' }, ...value.map((item) => el('li', {}, valueView(item, depth + 1))));
  }
  const entries = Object.entries(value).filter(([key, item]) => !/span$/.test(key) && item !== null);
  return el('dl', { class: 'value-map' }, ...entries.flatMap(([key, item]) =>
    [el('dt', {}, key.replaceAll('_', ' ')), el('dd', {}, valueView(item, depth + 1))]));
}

function renderGrade(audit) {
  const { grade, summary = [] } = audit;
  const letter = grade.letter ?? '?';
  const card = section(`Grade for ${audit.domain}`, 'grade',
    el('p', { class: `grade-letter grade-${letter}`, 'data-letter': letter, 'aria-label': `Grade ${letter}` }, letter),
    el('p', { class: 'grade-score' }, `${grade.score} of ${grade.maximum_score} points`,
      grade.complete ? null : el('span', { class: 'badge warn', title: 'A lookup failed, or the MTA-STS policy could not be read.' }, 'not everything could be checked: the grade may change')),
    el('ul', { class: 'summary-lines' }, ...summary.map((line) =>
      el('li', { class: `summary-line ${line.severity}`, 'data-topic': line.topic },
        icon(SEVERITY_ICON[line.severity] ?? 'unknown'), ' ', revealed(line.text)))),
    grade.deductions.length ? el('details', { class: 'deductions' },
      el('summary', {}, `What cost points (${grade.deductions.length})`),
      table(['Points', 'Finding', 'Why'], grade.deductions.map((deduction) =>
        el('tr', {}, el('td', { class: 'num' }, `−${deduction.points}`), el('td', {}, el('code', {}, deduction.code)),
          el('td', {}, revealed(deduction.message)))), 'deduction-table'),
      el('p', { class: 'quiet' }, `Letters: ${grade.bands.map((band) => `${band.letter} from ${band.minimum_score}`).join(', ')}.`)) : null);
  return card;
}

/**
 * The MTA-STS policy lives on a web server that does not let other pages read it (no CORS
 * header): the page asks the reader to paste it, and audits again with the pasted text.
 */
function policyPaste(audit, onPolicy) {
  if (!onPolicy || audit.mta_sts?.policy?.error?.kind !== 'blocked-by-browser') return null;
  const url = audit.mta_sts.policy_url ?? `https://mta-sts.${audit.domain}/.well-known/mta-sts.txt`;
  const box = el('textarea', { name: 'mta-sts-policy', spellcheck: 'false', 'aria-label': 'The MTA-STS policy file' });
  const check = el('button', { type: 'button', class: 'primary check-policy' }, 'Check this policy');
  check.addEventListener('click', () => { if (box.value.trim()) onPolicy(box.value); });
  return el('div', { class: 'policy-paste' },
    el('p', {}, 'This page cannot read the policy itself: its server does not let other sites read it (CORS). Open ',
      el('code', {}, url), ' in a new tab and paste what it shows here.'),
    box, check);
}

function renderProtocol(audit, key, title, onPolicy) {
  const part = audit[key];
  if (!part) return null;
  const { findings = [], queries: _queries, ...rest } = part;
  return el('section', { class: `panel protocol ${key.replace('_', '-')}`, 'aria-labelledby': `h-${key}` },
    el('h2', { id: `h-${key}` }, title, findings.length ? el('span', { class: 'badge' }, `${findings.length} finding${findings.length === 1 ? '' : 's'}`) : null),
    el('details', {}, el('summary', {}, 'What was found'), valueView(rest)),
    findings.length ? el('ul', { class: 'findings-list compact' }, ...findings.map((finding) =>
      el('li', { class: `finding ${finding.severity}`, 'data-code': finding.code },
        el('span', { class: 'severity' }, finding.severity), el('span', { class: 'message' }, revealed(finding.message)),
        el('code', { class: 'code' }, finding.code)))) : null,
    key === 'mta_sts' ? policyPaste(audit, onPolicy) : null);
}

/**
 * What the Domain view says about the SMTP probe when no report was dropped: the browser cannot
 * open SMTP connections, the command line can (probe-view.js draws a dropped report; it loads
 * only then, so that the first visit does not download it).
 */
function probeHint() {
  return el('p', { class: 'probe-hint quiet' }, 'To see what the mail servers themselves answer (STARTTLS, certificates, AUTH, open relay), run ',
    el('code', {}, 'mailspect probe DOMAIN --json > probe.json'), ' and drop probe.json here.');
}

/**
 * A domain audit, grade first. `onPolicy(text)`, when given, is called with an MTA-STS policy
 * the reader pasted because the browser could not fetch it. `probePanel`: the drawn SMTP probe
 * of the audit (probe-view.js `renderProbe`), when a probe report was dropped.
 */
export function renderDomainAudit(audit, { onPolicy, probePanel = null } = {}) {
  const fragment = document.createDocumentFragment();
  if (audit.error) {
    fragment.append(el('p', { class: 'error', role: 'alert' }, revealed(audit.error.message ?? String(audit.error))));
    return fragment;
  }
  fragment.append(...[
    renderGrade(audit),
    findingsWithFixes(audit.findings),
    probePanel ?? probeHint(),
    ...PROTOCOLS.map(([key, title]) => renderProtocol(audit, key, title, onPolicy)),
    renderDns(audit.queries),
  ].filter(Boolean));
  return fragment;
}

/** The record's text with each finding's characters marked. */
function markedRecord(text, findings) {
  const spans = findings.filter((finding) => finding.record_span)
    .map((finding) => ({ ...finding.record_span, severity: finding.severity, code: finding.code }))
    .sort((a, b) => a.start - b.start);
  const code = el('code', { class: 'record marked' });
  let at = 0;
  for (const span of spans) {
    if (span.start < at || span.end > text.length) continue; // overlapping or out of range
    code.append(revealed(text.slice(at, span.start)),
      el('mark', { class: `at-fault ${span.severity}`, title: span.code }, revealed(text.slice(span.start, span.end) || ' ')));
    at = span.end;
  }
  code.append(revealed(text.slice(at)));
  return code;
}

/** A record's lint: what it was read as, the record marked, findings, the fix and next step. */
export function renderRecordReport(report) {
  const fragment = document.createDocumentFragment();
  const kind = report.kind ?? 'unknown';
  const verdict = section('Record', 'record-verdict',
    el('p', { class: `record-valid ${report.valid ? 'yes' : 'no'}` },
      icon(report.valid ? 'check' : 'cross'), ' ',
      report.valid ? `A valid ${kind} record` : `Not a usable ${kind === 'unknown' ? '' : `${kind} `}record`,
      report.kind_guessed ? el('span', { class: 'quiet' }, ` (read as ${kind} from its text)`) : null),
    markedRecord(report.text ?? '', report.findings ?? []),
    report.fixed_record ? recordToPublish(report.fixed_record, 'Fixed record') : null,
    report.next_step?.record ? el('div', { class: 'next-step' },
      el('h3', {}, 'Next step'),
      recordToPublish(report.next_step.record, 'Publish next'),
      el('ul', {}, ...report.next_step.changes.map((change) => el('li', {}, revealed(change))),
        ...report.next_step.manual.map((step) => el('li', { class: 'manual' }, 'You: ', revealed(step)))),
      report.next_step.placeholders.length
        ? el('p', { class: 'warning' }, `Replace before publishing: ${report.next_step.placeholders.join(', ')}`) : null) : null);
  const parsed = ['spf', 'dmarc', 'dkim', 'mta_sts', 'mta_sts_policy', 'tlsrpt', 'bimi', 'tlsa']
    .map((key) => report[key]).find((value) => value);
  fragment.append(...[verdict, findingsWithFixes(report.findings),
    parsed ? section('What it says', 'record-parsed', valueView(parsed)) : null].filter(Boolean));
  return fragment;
}
