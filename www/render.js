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

// Characters a reader cannot see, or that reorder the text around them: the bidi controls,
// zero-width and other invisible characters, and control characters (the same set as the core's
// `report::is_hidden_char`). `Invoice \u202Egnp.exe` would show as "Invoice exe.png".
const HIDDEN = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B-\u200D\u2060-\u2064\uFEFF\u180E\u00AD\u034F\u115F\u1160\u3164\uFFA0\u{E0000}-\u{E007F}\u0000-\u0008\u000A-\u001F\u007F-\u009F]/u;
const HIDDEN_ALL = new RegExp(HIDDEN.source, 'gu');

/**
 * Text from a message with every hidden character shown as a marked `⟨U+202E⟩`, so that what the
 * page shows is what the message holds. Returns a string when there is nothing to reveal.
 */
export function revealed(text) {
  if (typeof text !== 'string' || !HIDDEN.test(text)) return text ?? '';
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(HIDDEN_ALL)) {
    fragment.append(text.slice(last, match.index));
    const code = match[0].codePointAt(0).toString(16).toUpperCase().padStart(4, '0');
    fragment.append(el('mark', { class: 'hidden-char', title: 'An invisible or direction-changing character' }, `⟨U+${code}⟩`));
    last = match.index + match[0].length;
  }
  fragment.append(text.slice(last));
  return fragment;
}

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
      ...rows.filter(([, value]) => value).flatMap(([label, value]) => [el('dt', {}, label), el('dd', {}, revealed(value))])));
}

function renderFindings(findings = []) {
  if (findings.length === 0) return section('Findings', 'findings', el('p', { class: 'quiet' }, 'Nothing to report.'));
  return section(`Findings (${findings.length})`, 'findings',
    el('ul', { class: 'findings-list' }, ...findings.map((finding) =>
      el('li', { class: `finding ${finding.severity}`, 'data-code': finding.code },
        el('span', { class: 'severity' }, finding.severity),
        el('span', { class: 'message' }, revealed(finding.message)),
        el('code', { class: 'code' }, finding.code),
        finding.rfc ? el('a', { href: finding.rfc, target: '_blank', rel: 'noopener noreferrer' }, 'RFC') : null))));
}

function renderHeaders(headers = [], body) {
  const rows = headers.map((header, index) =>
    el('tr', { 'data-index': String(index) },
      el('td', { class: 'num' }, String(index + 1)),
      el('th', { scope: 'row', class: 'name' }, header.name),
      // The decoded value with hidden characters revealed; the exact bytes stay in the title.
      el('td', { class: 'value', title: header.value }, revealed(header.decoded))));
  const note = body?.present ? `Body: ${body.bytes.toLocaleString()} bytes.` : 'Headers only: no body was given.';
  return section(`Headers (${headers.length})`, 'headers',
    table(['#', 'Field', 'Value (decoded)'], rows, 'header-table'),
    el('p', { class: 'quiet' }, note));
}

const seconds = (value) => {
  const magnitude = Math.abs(value);
  if (magnitude < 120) return `${value} s`;
  if (magnitude < 7200) return `${Math.round(value / 60)} min`;
  if (magnitude < 172800) return `${(value / 3600).toFixed(1)} h`;
  return `${(value / 86400).toFixed(1)} days`;
};

// Icons are drawn, not emoji: they must look the same whatever fonts the visitor has.
const SVG = 'http://www.w3.org/2000/svg';
const ICON_PATHS = {
  lock: 'M5 7V5a3 3 0 0 1 6 0v2h1v7H4V7h1zm1.5 0h3V5a1.5 1.5 0 0 0-3 0v2z',
  key: 'M10 2a4 4 0 1 1-1.6 7.7L7 11H5.5v1.5H4V14H1.5v-2.5l5-5A4 4 0 0 1 10 2zm1 2.2a1 1 0 1 0 0 2 1 1 0 0 0 0-2z',
  open: 'M5 7V5a3 3 0 0 1 5.8-1.1l-1.4.5A1.5 1.5 0 0 0 6.5 5v2H12v7H4V7h1z',
  home: 'M8 2l6 5.5V14H9.5v-4h-3v4H2V7.5L8 2z',
  unknown: 'M8 1.5a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13zm0 9.3a.9.9 0 1 0 0 1.8.9.9 0 0 0 0-1.8zM8 4a2.3 2.3 0 0 0-2.3 2.3h1.5a.8.8 0 1 1 1.2.7c-.8.5-1.1.9-1.1 1.9v.4h1.4v-.3c0-.5.2-.7.7-1A2.3 2.3 0 0 0 8 4z',
};

export function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICON_PATHS[name]);
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('fill-rule', 'evenodd');
  svg.append(path);
  return svg;
}

const TRANSPORT = {
  encrypted: ['lock', 'encrypted'],
  'authenticated-submission': ['key', 'authenticated submission'],
  plaintext: ['open', 'plaintext'],
  internal: ['home', 'internal'],
  unknown: ['unknown', 'unknown'],
};

function hopDelay(hop) {
  if (hop.delay_seconds === null || hop.delay_seconds === undefined) return el('span', { class: 'quiet' }, '—');
  if (hop.clock_skew) {
    return el('span', { class: 'skew', title: 'The two hosts\' clocks disagree: this is not a delay.' },
      `clock skew ${seconds(hop.delay_seconds)}`);
  }
  return el('span', {}, `+${seconds(hop.delay_seconds)}`);
}

function renderHops(report) {
  const hops = report.hops ?? [];
  if (hops.length === 0) return section('Path', 'hops', el('p', { class: 'quiet' }, 'No Received fields: the path is unknown.'));
  const rows = hops.map((hop) => {
    const [glyph, label] = TRANSPORT[hop.transport] ?? TRANSPORT.unknown;
    const tls = hop.tls ? [hop.tls.version, hop.tls.cipher].filter(Boolean).join(' ') : '';
    const sender = [hop.from, hop.reverse_dns && hop.reverse_dns !== hop.from ? hop.reverse_dns : null,
      hop.ip ? `[${hop.ip}]` : null].filter(Boolean).join(' ');
    return el('tr', { class: `hop ${hop.transport}${hop.border ? ' border' : ''}`, 'data-number': String(hop.number) },
      el('td', { class: 'num' }, String(hop.number)),
      el('td', { class: 'transport', title: label }, icon(glyph), ` ${label}`,
        hop.tls?.outdated ? el('span', { class: 'badge warn' }, 'old TLS') : null),
      el('td', { class: 'route' }, el('span', { class: 'from' }, sender || 'unknown sender'), ' → ',
        el('span', { class: 'by' }, hop.by ?? 'unknown receiver'),
        hop.border ? el('span', { class: 'badge', title: 'The first hop stamped by the receiving organisation: SPF is evaluated here.' }, 'border') : null),
      el('td', { class: 'with' }, hop.with ?? ''),
      el('td', { class: 'tls' }, tls),
      el('td', { class: 'delay' }, hopDelay(hop)));
  });
  const total = report.transit?.total_seconds;
  const title = `Path (${hops.length} hop${hops.length === 1 ? '' : 's'}${typeof total === 'number' ? `, ${seconds(total)} in all` : ''})`;
  return section(title, 'hops', table(['#', 'Transport', 'From → by', 'With', 'TLS', 'Delay'], rows, 'hop-table'));
}

function dnsOutcome(trace) {
  if (trace.outcome?.answer) {
    const records = trace.outcome.answer.records ?? [];
    return `${records.length} record${records.length === 1 ? '' : 's'}${trace.outcome.answer.authenticated ? ' (DNSSEC AD)' : ''}`;
  }
  return trace.outcome?.error?.message ?? '';
}

/** A lookup's answers as a zone file writes them, or its error in words. */
function answerText(query) {
  if (query.outcome?.error) return query.outcome.error.message;
  const records = query.outcome?.answer?.records ?? [];
  return records.length ? records.map((record) => record.text).join(' ') : 'no records';
}

const isVoid = (query) => ['nxdomain', 'nodata'].includes(query.outcome?.error?.kind);

function renderDns(traces = []) {
  if (traces.length === 0) return null;
  const timed = traces.filter((trace) => typeof trace.start_ms === 'number');
  const origin = Math.min(...timed.map((trace) => trace.start_ms));
  const end = Math.max(...timed.map((trace) => trace.start_ms + (trace.duration_ms ?? 0)));
  const span = Math.max(end - origin, 1);
  const rows = traces.map((trace) => {
    const bar = el('span', { class: `bar ${trace.cache ?? ''}` });
    if (typeof trace.start_ms === 'number') {
      // CSSOM, not a style attribute: allowed under the page's style-src 'self'.
      bar.style.marginLeft = `${((trace.start_ms - origin) / span) * 100}%`;
      bar.style.width = `${Math.max(((trace.duration_ms ?? 0) / span) * 100, 0.5)}%`;
    }
    return el('tr', { class: trace.outcome?.error ? 'dns-error' : '' },
      el('td', { class: 'name' }, trace.name),
      el('td', {}, trace.record_type),
      el('td', {}, dnsOutcome(trace)),
      el('td', {}, trace.cache ?? ''),
      el('td', { class: 'num' }, typeof trace.duration_ms === 'number' ? `${Math.round(trace.duration_ms)} ms` : ''),
      el('td', { class: 'waterfall' }, bar));
  });
  return section(`DNS (${traces.length} lookup${traces.length === 1 ? '' : 's'})`, 'dns',
    table(['Name', 'Type', 'Answer', 'Cache', 'Time', ''], rows, 'dns-table'));
}

const TRUST = {
  trusted: 'written by the receiver',
  untrusted: 'written before the message reached the receiver: anyone could have written it',
  unknown: 'the receiver\'s border is unknown, so who wrote this cannot be told',
};

const trustBadge = (trust) => el('span', { class: `badge trust ${trust}`, title: TRUST[trust] ?? '' }, trust);

function renderReceiverResults(report) {
  const fields = report.authentication_results ?? [];
  const spf = report.received_spf ?? [];
  if (fields.length === 0 && spf.length === 0) return null;
  const items = fields.map((field) =>
    el('li', { class: `ar ${field.trust}` },
      el('div', { class: 'ar-head' },
        el('strong', {}, field.kind === 'arc-authentication-results' ? `ARC i=${field.instance ?? '?'}` : 'Authentication-Results'),
        ` by ${field.authserv_id ?? 'an unnamed server'}`, trustBadge(field.trust)),
      el('ul', { class: 'ar-results' }, ...field.results.map((result) =>
        el('li', {},
          el('span', { class: `result ${result.result}` }, result.result), ' ',
          el('code', {}, result.method), ' ',
          el('span', { class: 'quiet' }, result.properties.map((p) => `${p.ptype}.${p.property}=${p.value}`).join(' ')))))));
  const spfItems = spf.map((field) =>
    el('li', { class: `ar ${field.trust}` },
      el('div', { class: 'ar-head' }, el('strong', {}, 'Received-SPF'), ' ',
        el('span', { class: `result ${field.result}` }, field.result), trustBadge(field.trust)),
      field.comment ? el('p', { class: 'quiet' }, field.comment) : null));
  return section('What the receiving servers recorded', 'receiver-results',
    el('p', { class: 'quiet' }, 'These are the receivers\' own claims. Only fields written at or after the border hop can be trusted.'),
    el('ul', { class: 'ar-list' }, ...items, ...spfItems));
}

function renderVendorVerdicts(verdicts = []) {
  if (verdicts.length === 0) return null;
  return section('Filter verdicts', 'vendor',
    el('ul', { class: 'ar-list' }, ...verdicts.map((verdict) =>
      el('li', { class: `vendor ${verdict.trust}` },
        el('div', { class: 'ar-head' }, el('strong', {}, verdict.header), trustBadge(verdict.trust)),
        verdict.summary ? el('p', {}, verdict.summary) : null,
        verdict.fields.length ? el('dl', { class: 'vendor-fields' }, ...verdict.fields.flatMap((field) => [
          el('dt', {}, field.key), el('dd', {}, field.value, field.meaning ? el('span', { class: 'quiet' }, ` — ${field.meaning}`) : null),
        ])) : null))));
}

const resultBadge = (result) => el('span', { class: `result ${result}` }, result);

const OUTCOME = { match: '✓ matched', 'no-match': 'no match', applied: 'applied', ignored: 'not evaluated', temperror: 'temperror', permerror: 'permerror' };

const queryItem = (query, className = 'spf-query') =>
  el('li', { class: `${className}${isVoid(query) ? ' void' : ''}${query.outcome?.error ? ' dns-error' : ''}` },
    el('code', {}, `${query.record_type} ${query.name}`), ' → ',
    query.outcome?.error ? el('span', { class: 'result temperror' }, answerText(query)) : revealed(answerText(query)),
    isVoid(query) ? el('span', { class: 'badge warn', title: 'A void lookup: NXDOMAIN or no records (RFC 7208 §4.6.4).' }, 'void') : null);

/** One `check_host()` of the tree. `limits` are the report's own lookup limits, never assumed. */
function renderSpfNode(node, limits) {
  const queries = (node.queries ?? []).map((query) => queryItem(query));
  const terms = (node.terms ?? []).map((term) =>
    el('li', { class: `spf-term ${term.outcome}` },
      el('code', { class: 'term' }, revealed(term.text)),
      el('span', { class: 'outcome' }, ` ${OUTCOME[term.outcome] ?? term.outcome}`),
      typeof term.lookups_used === 'number' ? el('span', { class: 'quiet lookups' }, ` · ${term.lookups_used}/${limits.lookups} lookups`) : null,
      term.note ? el('span', { class: 'quiet' }, ' · ', revealed(term.note)) : null,
      term.queries?.length && !term.child ? el('ul', { class: 'spf-queries' }, ...term.queries.map((query) => queryItem(query, 'spf-term-query'))) : null,
      term.child ? el('ul', { class: 'spf-tree' }, el('li', {}, renderSpfNode(term.child, limits))) : null));
  return el('div', { class: 'spf-node' },
    el('div', {}, el('strong', {}, node.domain), ' ', node.result ? resultBadge(node.result) : null),
    node.record ? el('code', { class: 'record' }, revealed(node.record)) : null,
    node.parse_error ? el('p', { class: 'error' }, `${node.parse_error.message} (at bytes ${node.parse_error.record_span.start}–${node.parse_error.record_span.end})`) : null,
    queries.length && !node.record ? el('ul', { class: 'spf-queries' }, ...queries) : null,
    terms.length ? el('ol', { class: 'spf-terms' }, ...terms) : null);
}

function renderSpfCheck(title, check) {
  if (!check) return null;
  return el('div', { class: 'spf-check' },
    el('h3', {}, title, ' ', resultBadge(check.result)),
    el('p', {}, revealed(check.reason ?? '')),
    check.explanation ? el('p', { class: 'quiet' }, check.explanation_source === 'record' ? 'Explanation published by the domain: ' : 'Explanation: ', revealed(check.explanation)) : null,
    el('p', { class: 'quiet' }, `${check.lookups_used} of ${check.lookup_limit} DNS lookups used, ${check.void_lookups} of ${check.void_lookup_limit} void lookups.`),
    check.trace ? el('details', { class: 'spf-trace' }, el('summary', {}, 'Evaluation tree'),
      renderSpfNode(check.trace, { lookups: check.lookup_limit, voids: check.void_lookup_limit })) : null);
}

function renderSpf(spf) {
  if (!spf) return null;
  return section('SPF (recomputed by mailspect)', 'spf',
    el('p', { class: 'verdict' }, resultBadge(spf.result), ' ', revealed(spf.reason ?? '')),
    renderSpfCheck(`MAIL FROM ${spf.mail_from?.sender ?? ''}`, spf.mail_from),
    renderSpfCheck(`HELO ${spf.helo?.helo ?? ''}`, spf.helo));
}

const COVERAGE = {
  'over-signed': 'signed, and no copy can be added',
  'signed-not-over-signed': 'signed, but a second copy could be added above it',
  'not-signed': 'present but not signed',
  'absent-not-signed': 'absent and not signed: one could be added',
};

// CR and LF made visible: the point of showing hashed bytes is to see every one of them.
const visibleBytes = (text) => text.replaceAll('\r', '␍').replaceAll('\n', '␊\n').replaceAll('\t', '␉');

function renderDkimSignature(signature) {
  const key = signature.key;
  const keyLine = key
    ? `${key.key_type ?? 'unknown'} key${key.bits ? `, ${key.bits} bits` : ''}, at ${key.name} (TTL ${key.ttl} s, ${key.authenticated ? 'DNSSEC-validated by the resolver' : 'not DNSSEC-validated'})${key.testing ? ', testing mode (t=y)' : ''}`
    : null;
  const coverage = (signature.header_coverage ?? []).map((entry) =>
    el('tr', { class: `coverage ${entry.status}` },
      el('th', { scope: 'row' }, entry.name),
      el('td', {}, COVERAGE[entry.status] ?? entry.status),
      el('td', { class: 'num' }, `${entry.signed} of ${entry.present}`)));
  const canonicalized = signature.canonicalized
    ? el('details', { class: 'canonicalized' }, el('summary', {}, 'The exact bytes that were hashed'),
      el('h4', {}, 'Headers'), el('pre', {}, visibleBytes(signature.canonicalized.headers ?? '')),
      signature.canonicalized.body !== null && signature.canonicalized.body !== undefined
        ? [el('h4', {}, 'Body'), el('pre', {}, visibleBytes(signature.canonicalized.body))]
        : el('p', { class: 'quiet' }, 'No body was hashed.'))
    : null;
  return el('article', { class: `dkim-signature ${signature.result}`, 'data-domain': signature.domain },
    el('h3', {}, resultBadge(signature.result), ' ', el('code', {}, `d=${signature.domain} s=${signature.selector}`), ' ',
      el('span', { class: 'quiet' }, signature.algorithm)),
    el('p', { class: 'reason' }, revealed(signature.reason)),
    signature.outcome === 'header-signature-valid-body-not-checked'
      ? el('p', { class: 'badge warn' }, 'header signature valid, body not checked') : null,
    keyLine ? el('p', { class: 'key quiet' }, keyLine) : null,
    ...(signature.findings ?? []).map((finding) => el('p', { class: `warning ${finding.severity}`, 'data-code': finding.code }, revealed(finding.message))),
    coverage.length ? table(['Field', 'Signature covers it?', 'Signed / present'], coverage, 'coverage-table') : null,
    signature.signed_headers?.length ? el('p', { class: 'quiet' }, `h= ${signature.signed_headers.join(' : ')}`) : null,
    canonicalized);
}

function renderDkim(signatures) {
  if (!signatures) return null;
  if (signatures.length === 0) return section('DKIM', 'dkim', el('p', { class: 'quiet' }, 'The message has no DKIM-Signature.'));
  return section(`DKIM (${signatures.length} signature${signatures.length === 1 ? '' : 's'}, verified by mailspect)`, 'dkim',
    ...signatures.map(renderDkimSignature));
}

const AGREEMENT = { agree: 'agrees', disagree: 'disagrees', 'not-comparable': 'not comparable' };

function renderComparisons(comparisons = []) {
  if (comparisons.length === 0) return null;
  const rows = comparisons.map((comparison) =>
    el('tr', { class: `comparison ${comparison.agreement}` },
      el('td', {}, el('code', {}, comparison.method)),
      el('td', { class: 'subject' }, revealed(comparison.subject)),
      el('td', {}, resultBadge(comparison.recorded ?? comparison.recorded_text), el('span', { class: 'quiet' }, ' by ', revealed(comparison.recorded_by ?? 'the receiver'))),
      el('td', {}, comparison.recomputed ? resultBadge(comparison.recomputed) : '—'),
      el('td', {}, el('span', { class: `badge agreement ${comparison.agreement}` }, AGREEMENT[comparison.agreement] ?? comparison.agreement)),
      el('td', { class: 'note' }, comparison.note)));
  return section('Receiver\'s results, rechecked', 'comparisons',
    table(['Method', 'About', 'Receiver recorded', 'mailspect', '', 'Why'], rows, 'comparison-table'));
}

/** The whole report, in the order a reader asks: what is it, what is wrong, the evidence. */
export function renderReport(report) {
  const fragment = document.createDocumentFragment();
  fragment.append(...[
    renderSummary(report),
    renderFindings(report.findings),
    renderComparisons(report.comparisons),
    renderDkim(report.dkim),
    renderSpf(report.spf),
    report.hops ? renderHops(report) : null,
    renderReceiverResults(report),
    renderVendorVerdicts(report.vendor_verdicts),
    renderDns(report.dns),
    renderHeaders(report.headers, report.body),
  ].filter(Boolean));
  return fragment;
}
