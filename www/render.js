// Renders the core's JSON report as DOM. Untrusted text (everything in a report comes from the
// pasted message or from DNS) reaches the DOM only through text nodes and attribute setters.
import { el } from './dom.js';
import { renderPath } from './path.js';

export { el };

const REPORT_CSS = new URL('./report.css', import.meta.url).href;
/** Per shadow root, the load of the report's stylesheet, settled once: a later report never waits on an event that has passed. */
const reportSheets = new WeakMap();

/**
 * Adds the report's stylesheet (report.css) to `root`, the widget's shadow root, once, after the
 * widget's own, and resolves when it has loaded: a report drawn before would flash unstyled. A
 * stylesheet that fails to load resolves too: the report then shows plain rather than not at all.
 */
export function reportStyles(root) {
  if (!reportSheets.has(root)) {
    const link = el('link', { rel: 'stylesheet', href: REPORT_CSS });
    reportSheets.set(root, new Promise((resolve) => {
      link.addEventListener('load', resolve, { once: true });
      link.addEventListener('error', resolve, { once: true });
    }));
    const own = root.querySelector('link[rel=stylesheet]');
    if (own) own.after(link);
    else root.prepend(link);
  }
  return reportSheets.get(root);
}

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

export const section = (title, id, ...content) =>
  el('section', { class: `panel ${id}`, part: `section ${id}`, 'aria-labelledby': `h-${id}` },
    el('h2', { id: `h-${id}` }, title), ...content);

// Wrapped so that a wide table scrolls inside its own box on a phone, not the whole page.
export const table = (headings, rows, className) =>
  el('div', { class: 'table-scroll' },
    el('table', { class: className },
      el('thead', {}, el('tr', {}, ...headings.map((heading) => el('th', { scope: 'col' }, heading)))),
      el('tbody', {}, ...rows)));

/**
 * A URL from the report as a link target, or null. Only http(s): a `javascript:` or `data:` URL
 * is never made clickable, whatever part of the report it comes from.
 */
export function safeHref(url) {
  if (typeof url !== 'string') return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

const link = (url, text) => {
  const href = safeHref(url);
  return href ? el('a', { href, target: '_blank', rel: 'noopener noreferrer' }, text) : null;
};

const plural = (count, word, words = `${word}s`) => `${count} ${count === 1 ? word : words}`;

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
        link(finding.rfc, 'RFC')))));
}

/** A panel's own findings, lighter than the report's list: one line each, with its code. */
const findingLines = (findings = []) => (findings.length === 0 ? null
  : el('ul', { class: 'findings-list compact' }, ...findings.map((finding) =>
    el('li', { class: `finding ${finding.severity}`, 'data-code': finding.code },
      el('span', { class: 'severity' }, finding.severity),
      el('span', { class: 'message' }, revealed(finding.message)),
      el('code', { class: 'code' }, finding.code),
      link(finding.rfc, 'RFC')))));

/** Values longer than this show their start and a control for the rest: laying out a 1 MB line
 * takes the browser half a second, and nobody reads one unasked. */
const LONG_VALUE = 2000;
/** Fields a header table holds: a longer list is several tables that the browser lays out only
 * when scrolled to (content-visibility), so 10,000 fields render without freezing the page. */
const HEADER_CHUNK = 250;

function headerValue(header) {
  const text = header.decoded ?? '';
  // The exact bytes stay in the title, unless they are too long for a tooltip anyway.
  const title = header.value?.length <= LONG_VALUE ? header.value : null;
  if (text.length <= LONG_VALUE) return el('td', { class: 'value', title }, revealed(text));
  const cell = el('td', { class: 'value long' }, revealed(text.slice(0, LONG_VALUE)));
  const more = el('button', { type: 'button', class: 'show-all' },
    `Show all ${text.length.toLocaleString()} characters (${(text.length - LONG_VALUE).toLocaleString()} more)`);
  more.addEventListener('click', () => cell.replaceChildren(revealed(text)), { once: true });
  cell.append('… ', more);
  return cell;
}

const headerRow = (header, index) =>
  el('tr', { 'data-index': String(index) },
    el('td', { class: 'num' }, String(index + 1)),
    el('th', { scope: 'row', class: 'name' }, header.name),
    // The decoded value with hidden characters revealed.
    headerValue(header));

function renderHeaders(headers = [], body) {
  const note = body?.present ? `Body: ${body.bytes.toLocaleString()} bytes.` : 'Headers only: no body was given.';
  const headings = ['#', 'Field', 'Value (decoded)'];
  if (headers.length <= HEADER_CHUNK) {
    return section(`Headers (${headers.length})`, 'headers', table(headings, headers.map(headerRow), 'header-table'),
      el('p', { class: 'quiet' }, note));
  }
  // A long list: the first table now, each further one in a task of its own, so that the page
  // keeps drawing frames; aria-busy says when the list is complete.
  const chunk = (start) => {
    const box = table(headings, headers.slice(start, start + HEADER_CHUNK).map((header, i) => headerRow(header, start + i)),
      'header-table chunked');
    box.classList.add('header-chunk');
    return box;
  };
  const end = el('p', { class: 'quiet' }, note);
  const panel = section(`Headers (${headers.length})`, 'headers',
    el('p', { class: 'quiet' }, `${headers.length.toLocaleString()} fields, in tables of ${HEADER_CHUNK}.`), chunk(0), end);
  panel.setAttribute('aria-busy', 'true');
  const more = (start) => {
    if (start >= headers.length || !panel.isConnected) {
      panel.setAttribute('aria-busy', 'false');
      return;
    }
    end.before(chunk(start));
    setTimeout(() => more(start + HEADER_CHUNK), 0);
  };
  setTimeout(() => more(HEADER_CHUNK), 0);
  return panel;
}

// Icons are drawn, not emoji: they must look the same whatever fonts the visitor has.
const SVG = 'http://www.w3.org/2000/svg';
const ICON_PATHS = {
  lock: 'M5 7V5a3 3 0 0 1 6 0v2h1v7H4V7h1zm1.5 0h3V5a1.5 1.5 0 0 0-3 0v2z',
  key: 'M10 2a4 4 0 1 1-1.6 7.7L7 11H5.5v1.5H4V14H1.5v-2.5l5-5A4 4 0 0 1 10 2zm1 2.2a1 1 0 1 0 0 2 1 1 0 0 0 0-2z',
  open: 'M5 7V5a3 3 0 0 1 5.8-1.1l-1.4.5A1.5 1.5 0 0 0 6.5 5v2H12v7H4V7h1z',
  home: 'M8 2l6 5.5V14H9.5v-4h-3v4H2V7.5L8 2z',
  check: 'M8 1.5a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13zm3.1 3.9L7 9.5 4.9 7.4 3.8 8.5 7 11.7l5.2-5.2-1.1-1.1z',
  cross: 'M8 1.5a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13zM5.6 4.5 4.5 5.6 6.9 8l-2.4 2.4 1.1 1.1L8 9.1l2.4 2.4 1.1-1.1L9.1 8l2.4-2.4-1.1-1.1L8 6.9 5.6 4.5z',
  dash: 'M8 1.5a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13zM4.5 7.2v1.6h7V7.2h-7z',
  caution: 'M8 1.2 15.2 14H.8L8 1.2zm-.8 4.6v4.4h1.6V5.8H7.2zm.8 5.4a.9.9 0 1 0 0 1.8.9.9 0 0 0 0-1.8z',
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

export function renderDns(traces = []) {
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

// ---- The verdict: the answer first, in plain words; the RFC words one click away. ----

// Each status in plain words, with the tone its colour and icon carry (never the only signal:
// the words say it too). A status the page does not know yet shows as its own word.
const VERDICT_STATUS = {
  authenticated: ['Authenticated', 'good', 'check'],
  'authenticated-no-policy': ['Authenticated, but the domain has no DMARC policy', 'caution', 'caution'],
  'header-signature-only': ['Headers authenticated; the body was not checked', 'caution', 'caution'],
  'forwarder-vouches': ['Not authenticated now; a forwarder vouches for it', 'caution', 'caution'],
  'not-authenticated': ['Not authenticated', 'bad', 'cross'],
  undetermined: ['Could not be decided', 'unknown', 'unknown'],
};

const DISPOSITION = {
  none: 'no action (deliver as usual)',
  quarantine: 'quarantine (treat as suspicious, e.g. the spam folder)',
  reject: 'reject the message',
};

const hopList = (numbers) => `${numbers.length === 1 ? 'hop' : 'hops'} ${numbers.join(', ')}`;

function transportWords(transport) {
  switch (transport?.status) {
    case 'all-encrypted': return 'Every hop between servers was encrypted.';
    case 'not-all-encrypted':
      return `Not all encrypted: ${hopList(transport.plaintext_hops ?? [])} went between servers without TLS.`;
    case 'unknown':
      return `No hop was seen in plaintext, but ${hopList(transport.unknown_hops ?? [])} ${transport.unknown_hops?.length === 1 ? 'does' : 'do'} not say whether TLS was used.`;
    case 'no-path': return 'Unknown: the message has no Received fields.';
    default: return transport?.status ?? 'unknown';
  }
}

const TRANSPORT_TONE = { 'all-encrypted': 'good', 'not-all-encrypted': 'bad', unknown: 'unknown', 'no-path': 'unknown' };

const alignedWords = (identifier) => (identifier.method === 'dkim'
  ? `DKIM d=${identifier.domain}${identifier.selector ? ` s=${identifier.selector}` : ''}`
  : `${identifier.method.toUpperCase()} ${identifier.domain}`);

/** A `dt`/`dd` list from `[label, content]` pairs; pairs whose content is null are left out. */
const facts = (className, pairs) =>
  el('dl', { class: `facts ${className}` }, ...pairs.filter(([, content]) => content !== null && content !== undefined)
    .flatMap(([label, content]) => [el('dt', {}, label), el('dd', {}, ...[content].flat())]));

function renderVerdict(verdict) {
  if (!verdict) return null;
  const [words, tone, glyph] = VERDICT_STATUS[verdict.status] ?? [verdict.status, 'unknown', 'unknown'];
  const domain = verdict.from_domain
    ? [el('code', { class: 'from-domain' }, revealed(verdict.from_domain)),
      verdict.from_domain_unicode
        ? el('span', { class: 'from-domain-unicode' }, ' shown as ', el('code', {}, revealed(verdict.from_domain_unicode)))
        : null]
    : el('span', { class: 'quiet' }, 'no single From domain');
  const warnings = (verdict.from_domain_warnings ?? []).length
    ? el('ul', { class: 'domain-warnings' }, ...verdict.from_domain_warnings.map((warning) =>
      el('li', { class: 'warning' }, icon('caution'), ' ', revealed(warning))))
    : null;
  const aligned = (verdict.aligned_by ?? []).length
    ? el('ul', { class: 'aligned-by' }, ...verdict.aligned_by.map((identifier) =>
      el('li', {}, el('code', {}, revealed(alignedWords(identifier))))))
    : el('span', { class: 'quiet' }, 'none listed');
  const forwarder = verdict.arc_forwarder;
  const transportTone = TRANSPORT_TONE[verdict.transport?.status] ?? 'unknown';
  const top = verdict.top_findings ?? [];
  const card = section('Verdict', 'verdict',
    el('p', { class: `verdict-headline tone-${tone}`, part: 'verdict-headline', 'data-status': verdict.status },
      icon(glyph), ' ', el('span', { class: 'status-words' }, words)),
    el('p', { class: 'verdict-sentence' }, revealed(verdict.sentence)),
    facts('verdict-facts', [
      ['From domain', [...[domain].flat(), warnings]],
      ['Authenticated by', aligned],
      // `none` is DMARC's word for "no policy applies": there is no request to describe.
      ['DMARC', [resultBadge(verdict.dmarc), verdict.dmarc === 'none' ? ' · no DMARC policy applies'
        : ` · the domain's policy asks for: ${DISPOSITION[verdict.disposition] ?? verdict.disposition}`]],
      ['Forwarder', forwarder ? [
        el('span', { class: `badge ${forwarder.trusted ? 'trusted' : 'warn'}` },
          forwarder.trusted ? 'on your trusted list' : 'not on a trusted list'), ' ',
        revealed(forwarder.reason)] : null],
      ['Transport', el('span', { class: `transport-status tone-${transportTone}`, 'data-status': verdict.transport?.status ?? '' },
        transportWords(verdict.transport))],
    ]),
    top.length ? el('div', { class: 'top-findings' }, el('h3', {}, 'Most important findings'), findingLines(top)) : null,
    el('details', { class: 'rfc-detail' }, el('summary', {}, 'In RFC terms'),
      facts('verdict-detail', [
        ['status', el('code', {}, verdict.status)],
        ['dmarc', el('code', {}, `dmarc=${verdict.dmarc}`)],
        ['disposition', el('code', {}, verdict.disposition)],
        ['aligned identifiers', (verdict.aligned_by ?? []).length
          ? verdict.aligned_by.map((identifier) => el('code', { class: 'identifier' },
            revealed(`${identifier.method}: ${identifier.domain}${identifier.selector ? ` (s=${identifier.selector})` : ''}`)))
          : el('code', {}, '[]')],
        ['arc forwarder', forwarder ? el('code', {},
          revealed(`i=${forwarder.instance} d=${forwarder.sealer} ${forwarder.method}=pass${forwarder.domain ? ` for ${forwarder.domain}` : ''}${forwarder.authserv_id ? ` (authserv-id ${forwarder.authserv_id})` : ''}`)) : null],
        ['transport', el('code', {}, [verdict.transport?.status,
          verdict.transport?.plaintext_hops?.length ? `plaintext: ${verdict.transport.plaintext_hops.join(', ')}` : null,
          verdict.transport?.unknown_hops?.length ? `unknown: ${verdict.transport.unknown_hops.join(', ')}` : null].filter(Boolean).join('; '))],
      ]),
      el('p', { class: 'quiet' }, 'DMARC is RFC 9989 (with RFC 7489 where receivers still follow it); forwarders\' ARC seals are RFC 8617 §7.2.')));
  card.classList.add(`tone-${tone}`);
  return card;
}

// ---- DMARC ----

const POLICY_SOURCE = {
  'author-domain': 'the From domain\'s own record',
  'organizational-domain': 'the organisational domain\'s record',
  'public-suffix-domain': 'the public suffix domain\'s record',
};

const POLICY_TAG = {
  p: 'p= (the domain policy)',
  sp: 'sp= (the policy for subdomains)',
  np: 'np= (the policy for subdomains that do not exist)',
  'rua-only': 'no usable p=, but a valid rua=: acts as p=none',
};

const WALK_OUTCOME = {
  'no-record': 'no DMARC record',
  record: 'a DMARC record',
  'several-records': 'several DMARC records (all discarded)',
  temperror: 'the lookup failed',
};

const ORG_REASON = {
  'psd-no': 'its record says psd=n: it is an organisational domain',
  'below-psd-yes': 'it sits just below a record with psd=y (a public suffix domain)',
  'fewest-labels': 'the record found at the name with the fewest labels',
  'starting-domain': 'no record was found, so the From domain itself',
  temperror: 'undetermined: a lookup failed before the walk could finish',
};

const yesNo = (value) => el('span', { class: `yes-no ${value ? 'yes' : 'no'}` }, value ? 'yes' : 'no');

function renderAlignment(dmarc) {
  const checks = [dmarc.spf, ...(dmarc.dkim ?? [])].filter(Boolean);
  if (checks.length === 0) return el('p', { class: 'quiet' }, 'No SPF or DKIM identifier was checked for alignment.');
  const rows = checks.map((check) =>
    el('tr', { class: `alignment ${check.mechanism} ${check.result}`, 'data-mechanism': check.mechanism },
      el('th', { scope: 'row' }, check.mechanism.toUpperCase()),
      el('td', { class: 'identifier' }, check.identifier ? revealed(check.identifier) : el('span', { class: 'quiet' }, 'none'),
        check.selector ? el('span', { class: 'quiet' }, ' s=', revealed(check.selector)) : null),
      el('td', {}, check.mode),
      el('td', { class: 'identifier' }, check.org_domain ? revealed(check.org_domain) : '—'),
      el('td', {}, resultBadge(check.mechanism_result)),
      el('td', { class: 'aligned' }, yesNo(check.aligned)),
      el('td', {}, resultBadge(check.result)),
      el('td', { class: 'note' }, revealed(check.reason))));
  return table(['', 'Identifier', 'Mode', 'Organisational domain', 'Check', 'Aligned', 'DMARC', 'Why'], rows, 'alignment-table');
}

function renderWalk(walk) {
  if (!walk) return null;
  const steps = (walk.steps ?? []).map((step) =>
    el('li', { class: `walk-step ${step.outcome}` },
      el('code', {}, `_dmarc.${step.domain}`), ' → ',
      el('span', { class: 'outcome' }, WALK_OUTCOME[step.outcome] ?? step.outcome),
      step.psd ? el('span', { class: 'badge' }, `psd=${step.psd}`) : null,
      step.error ? el('span', { class: 'error-text' }, ': ', revealed(step.error)) : null,
      ...(step.records ?? []).map((record) => el('code', { class: 'record' }, revealed(record)))));
  const chosen = walk.organizational_domain;
  return el('div', { class: 'dmarc-walk' },
    el('h3', {}, 'How the record was found'),
    el('p', { class: 'quiet' }, 'The DNS tree walk of RFC 9989 asks for a record at the From domain and then at each parent. ',
      link(walk.rfc, 'RFC 9989 §4.10')),
    el('ol', { class: 'walk-steps' }, ...steps),
    walk.skipped?.length ? el('p', { class: 'quiet' }, `Skipped (the name has more than eight labels): ${walk.skipped.join(', ')}`) : null,
    chosen ? el('p', {}, 'Organisational domain: ', chosen.domain ? el('code', {}, revealed(chosen.domain)) : el('span', { class: 'quiet' }, 'undetermined'),
      el('span', { class: 'quiet' }, ` — ${ORG_REASON[chosen.reason] ?? chosen.reason}`),
      chosen.public_suffix_domain ? el('span', { class: 'quiet' }, ` (public suffix domain: ${chosen.public_suffix_domain})`) : null) : null);
}

function renderDmarc(dmarc) {
  if (!dmarc) return null;
  const detail = dmarc.disposition_detail;
  const differs = dmarc.org_domain && dmarc.org_domain_psl && dmarc.org_domain !== dmarc.org_domain_psl;
  const policy = dmarc.policy;
  return section('DMARC (recomputed by mailspect)', 'dmarc',
    el('p', { class: 'verdict' }, resultBadge(dmarc.result), ' ', revealed(dmarc.reason)),
    facts('dmarc-facts', [
      ['From domain', dmarc.domain ? el('code', {}, revealed(dmarc.domain)) : el('span', { class: 'quiet' }, 'not exactly one')],
      ['Organisational domain (DNS tree walk, RFC 9989)', dmarc.org_domain ? el('code', { class: 'org-domain' }, revealed(dmarc.org_domain)) : el('span', { class: 'quiet' }, 'undetermined')],
      ['Organisational domain (Public Suffix List, RFC 7489)', dmarc.org_domain_psl
        ? [el('code', { class: 'org-domain-psl' }, revealed(dmarc.org_domain_psl)),
          differs ? el('span', { class: 'badge warn org-differs' }, 'differs: receivers of either kind may align differently') : null]
        : null],
      ['Record', dmarc.record
        ? [el('code', { class: 'record-name' }, `_dmarc.${dmarc.record_domain ?? ''}`),
          dmarc.policy_source ? el('span', { class: 'quiet' }, ` (${POLICY_SOURCE[dmarc.policy_source] ?? dmarc.policy_source})`) : null,
          el('code', { class: 'record' }, revealed(dmarc.record.text))]
        : el('span', { class: 'quiet' }, 'none found')],
      ['Policy', policy
        ? [el('strong', { class: 'policy' }, policy.requested), ` from ${POLICY_TAG[policy.tag] ?? policy.tag}. `,
          el('span', { class: 'quiet' }, revealed(policy.reason))]
        : null],
      ['Disposition', [el('strong', {}, DISPOSITION[dmarc.disposition] ?? dmarc.disposition), '. ',
        detail ? el('span', { class: 'quiet' }, revealed(detail.reason)) : null,
        detail?.testing ? el('span', { class: 'badge warn' }, 't=y: the owner is testing the policy') : null,
        typeof detail?.percent === 'number'
          ? el('span', { class: 'badge warn' }, `pct=${detail.percent}: RFC 7489 receivers apply it to ${detail.percent}% of failing mail${detail.outside_percent ? `, ${detail.outside_percent} to the rest` : ''}`)
          : null]],
    ]),
    el('h3', {}, 'Alignment'),
    el('p', { class: 'quiet' }, 'DMARC passes when SPF or DKIM passes for a domain that matches the From domain: the same organisational domain in relaxed mode, the same name in strict mode.'),
    renderAlignment(dmarc),
    renderWalk(dmarc.discovery?.walk),
    findingLines([...(dmarc.findings ?? [])]));
}

// ---- ARC ----

const signatureLine = (label, signature, className) =>
  el('li', { class: className },
    el('span', { class: 'label' }, `${label}: `),
    signature ? [resultBadge(signature.result), ' ', revealed(signature.reason)]
      : el('span', { class: 'missing', title: 'The report has no result for it: the set lacks this field, or validation stopped before it.' }, 'not reported'));

function renderArcInstance(instance) {
  const recorded = instance.authentication_results;
  return el('article', { class: 'arc-instance', 'data-instance': String(instance.instance) },
    el('h3', {}, `i=${instance.instance} sealed by `, el('code', {}, revealed(instance.sealer ?? 'unknown')),
      instance.selector ? el('span', { class: 'quiet' }, ' s=', revealed(instance.selector)) : null,
      el('span', { class: 'badge cv', title: 'cv=: what this sealer found the chain to be when it sealed' }, `cv=${instance.cv ?? '?'}`)),
    el('ul', { class: 'arc-checks' },
      signatureLine('Seal', instance.seal, 'arc-seal'),
      signatureLine('Message signature', instance.message_signature, 'arc-message-signature'),
      el('li', { class: 'arc-recorded' }, el('span', { class: 'label' }, 'The sealer recorded: '),
        recorded
          ? [el('span', { class: 'quiet' }, 'by ', revealed(recorded.authserv_id ?? 'an unnamed server'), ' '),
            recorded.results.length
              ? el('ul', { class: 'ar-results' }, ...recorded.results.map((result) =>
                el('li', {}, el('code', {}, result.method), '=', resultBadge(result.result), ' ',
                  el('span', { class: 'quiet' }, revealed(result.properties.map((p) => `${p.ptype}.${p.property}=${p.value}`).join(' '))))))
              : el('span', { class: 'quiet' }, 'no results')]
          : el('span', { class: 'missing' }, 'no ARC-Authentication-Results'))),
    instance.duplicate_spans?.length
      ? el('p', { class: 'warning' }, `${plural(instance.duplicate_spans.length, 'duplicate field')} in this set.`) : null);
}

function renderArc(arc) {
  if (!arc) return null;
  const instances = arc.instances ?? [];
  if (instances.length === 0 && arc.result === 'none') {
    return section('ARC', 'arc', el('p', { class: 'quiet' }, 'No ARC headers.'));
  }
  return section(`ARC (${plural(instances.length, 'set')}, validated by mailspect)`, 'arc',
    el('p', { class: 'verdict' }, resultBadge(arc.result), ' ', revealed(arc.reason)),
    typeof arc.oldest_pass === 'number'
      ? el('p', { class: 'quiet oldest-pass' }, `Oldest pass: i=${arc.oldest_pass} — the message is unchanged since ${arc.oldest_pass === 1 ? 'the first sealer' : `ARC Set i=${arc.oldest_pass}`} sealed it.`)
      : null,
    ...instances.map(renderArcInstance),
    findingLines(arc.findings));
}

// ---- iprev ----

function renderIprev(iprev) {
  if (!iprev) return section('iprev (reverse DNS)', 'iprev', el('p', { class: 'quiet' }, 'No connecting IP is known, so reverse DNS was not checked.'));
  const names = (iprev.names ?? []).map((name) =>
    el('li', { class: `iprev-name ${name.matches ? 'matches' : 'no-match'}` },
      el('code', {}, revealed(name.name)), ' → ',
      name.addresses.length ? name.addresses.join(', ') : el('span', { class: 'quiet' }, name.error ? name.error.message : 'no addresses'),
      el('span', { class: `badge ${name.matches ? 'trusted' : 'warn'}` }, name.matches ? `maps back to ${iprev.ip}` : `does not map back to ${iprev.ip}`)));
  return section('iprev (reverse DNS)', 'iprev',
    el('p', { class: 'verdict' }, resultBadge(iprev.result), ' ', el('code', {}, iprev.ip), ': ', revealed(iprev.reason)),
    names.length ? el('ul', { class: 'iprev-names' }, ...names) : null,
    findingLines(iprev.findings));
}

// ---- The bulk-sender checklist ----

const REQUIREMENT = {
  'spf-or-dkim': 'SPF or DKIM passes',
  'spf-or-dkim-aligned': 'SPF or DKIM passes for the From domain (DMARC alignment)',
  'dmarc-published': 'The From domain publishes a DMARC policy',
  'spf-and-dkim': 'Both SPF and DKIM pass',
  iprev: 'The sending IP has reverse DNS that maps back to it',
  tls: 'Delivered to the receiver over TLS',
  'one-click-unsubscribe': 'One-click unsubscribe (RFC 8058)',
  'unsubscribe-signed': 'DKIM covers the unsubscribe header fields',
};

const CHECK_STATUS = {
  met: ['met', 'check'],
  'not-met': ['not met', 'cross'],
  'not-applicable': ['not applicable', 'dash'],
  unknown: ['unknown', 'unknown'],
};

const SCOPE = { 'all-senders': 'all senders', 'bulk-senders': 'bulk senders', 'subscribed-mail': 'subscribed and marketing mail' };
const PROVIDER = { gmail: 'Gmail', yahoo: 'Yahoo' };

function renderBulk(bulk) {
  if (!bulk) return null;
  const signals = bulk.bulk_signals ?? [];
  const items = (bulk.items ?? []).map((item) => {
    const [words, glyph] = CHECK_STATUS[item.status] ?? [item.status, 'unknown'];
    const providers = (item.required_by ?? []).map((provider) => PROVIDER[provider] ?? provider).join(' and ');
    return el('li', { class: `check-item ${item.status}`, 'data-requirement': item.requirement, 'data-status': item.status },
      el('span', { class: 'check-status' }, icon(glyph), ' ', words),
      el('div', { class: 'check-body' },
        el('strong', { class: 'requirement' }, REQUIREMENT[item.requirement] ?? item.requirement),
        el('p', { class: 'evidence' }, revealed(item.evidence)),
        el('p', { class: 'quiet' }, `For ${SCOPE[item.scope] ?? item.scope}; required by ${providers || 'no provider named'}. `,
          link(item.source, `${PROVIDER[item.required_by?.[0]] ?? 'The provider'}'s requirements`),
          item.rfc && safeHref(item.rfc) ? ' · ' : null, link(item.rfc, 'RFC'))));
  });
  return section('Bulk-sender readiness (Gmail, Yahoo)', 'bulk',
    el('p', { class: 'bulk-applies' }, bulk.applies
      ? `This message looks like bulk mail (${signals.join(', ')}): every requirement below applies.`
      : 'This message does not look like bulk mail (no List-Unsubscribe, List-Id or Precedence: bulk or list). The requirements for all senders apply; the bulk-sender ones are shown for reference.'),
    el('ul', { class: 'checklist' }, ...items));
}

/**
 * The report's panels, in the order a reader asks: what is it, what is wrong, the evidence. Each
 * is a function, so that a caller can render them a few at a time (see `renderReportInto`).
 */
export function reportPanels(report) {
  return [
    () => renderVerdict(report.verdict),
    () => renderSummary(report),
    () => renderFindings(report.findings),
    () => renderComparisons(report.comparisons),
    () => renderDmarc(report.dmarc),
    () => renderDkim(report.dkim),
    () => renderSpf(report.spf),
    () => renderArc(report.arc),
    () => ('iprev' in report ? renderIprev(report.iprev) : null),
    () => renderBulk(report.bulk_sender),
    () => (report.hops ? renderPath(report) : null),
    () => renderReceiverResults(report),
    () => renderVendorVerdicts(report.vendor_verdicts),
    () => renderDns(report.dns),
    () => renderHeaders(report.headers, report.body),
  ];
}

/**
 * Appends the report's panels to `container`, yielding to the browser whenever rendering has
 * taken more than a frame's worth of time: a report of 10,000 fields then never holds the page
 * still for long. `current()` says whether the report is still wanted; when it stops being,
 * rendering stops. Resolves once every panel is in place.
 */
export async function renderReportInto(container, report, current = () => true) {
  let slice = performance.now();
  for (const panel of reportPanels(report)) {
    if (performance.now() - slice > 30) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (!current()) return false;
      slice = performance.now();
    }
    const node = panel();
    if (node) container.append(node);
  }
  return true;
}
