// Renders the core's JSON report as DOM. Untrusted text (everything in a report comes from the
// pasted message or from DNS) reaches the DOM only through text nodes and attribute setters.

export const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== undefined && child !== null));
  return node;
};

const section = (title, id, ...content) =>
  el('section', { class: `panel ${id}`, part: `section ${id}`, 'aria-labelledby': `h-${id}` },
    el('h2', { id: `h-${id}` }, title), ...content);

const table = (headings, rows, className) =>
  el('table', { class: className },
    el('thead', {}, el('tr', {}, ...headings.map((heading) => el('th', { scope: 'col' }, heading)))),
    el('tbody', {}, ...rows));

const mailboxes = (list = []) =>
  list.map(({ name, address }) => (name && address ? `${name} <${address}>` : address ?? name ?? '')).join(', ');

function renderSummary(report) {
  const { summary, envelope } = report;
  const rows = [
    ['From', mailboxes(summary.from)],
    ['To', mailboxes(summary.to)],
    ['Cc', mailboxes(summary.cc)],
    ['Reply-To', mailboxes(summary.reply_to)],
    ['Subject', summary.subject],
    ['Date', summary.date],
    ['Message-ID', summary.message_id],
  ];
  if (envelope) {
    const source = envelope.source === 'none' ? '' : ` (from ${envelope.source})`;
    if (envelope.mail_from !== null && envelope.mail_from !== undefined) {
      rows.push(['MAIL FROM', `${envelope.mail_from === '' ? '<> (bounce)' : envelope.mail_from}${source}`]);
    }
    if (envelope.ip) rows.push(['Connecting IP', `${envelope.ip}${source}`]);
    if (envelope.helo) rows.push(['HELO', `${envelope.helo}${source}`]);
  }
  return section('Summary', 'summary',
    el('dl', { class: 'summary-list' },
      ...rows.filter(([, value]) => value).flatMap(([label, value]) => [el('dt', {}, label), el('dd', {}, value)])));
}

function renderFindings(findings = []) {
  if (findings.length === 0) return section('Findings', 'findings', el('p', { class: 'quiet' }, 'Nothing to report.'));
  return section(`Findings (${findings.length})`, 'findings',
    el('ul', { class: 'findings-list' }, ...findings.map((finding) =>
      el('li', { class: `finding ${finding.severity}`, 'data-code': finding.code },
        el('span', { class: 'severity' }, finding.severity),
        el('span', { class: 'message' }, finding.message),
        el('code', { class: 'code' }, finding.code),
        finding.rfc ? el('a', { href: finding.rfc, target: '_blank', rel: 'noopener noreferrer' }, 'RFC') : null))));
}

function renderHeaders(headers = [], body) {
  const rows = headers.map((header, index) =>
    el('tr', { 'data-index': String(index) },
      el('td', { class: 'num' }, String(index + 1)),
      el('th', { scope: 'row', class: 'name' }, header.name),
      el('td', { class: 'value', title: header.value }, header.decoded)));
  const note = body?.present ? `Body: ${body.bytes.toLocaleString()} bytes.` : 'Headers only: no body was given.';
  return section(`Headers (${headers.length})`, 'headers',
    table(['#', 'Field', 'Value (decoded)'], rows, 'header-table'),
    el('p', { class: 'quiet' }, note));
}

/** The whole report, in the order a reader asks: what is it, what is wrong, the evidence. */
export function renderReport(report) {
  const fragment = document.createDocumentFragment();
  fragment.append(renderSummary(report), renderFindings(report.findings), renderHeaders(report.headers, report.body));
  return fragment;
}
