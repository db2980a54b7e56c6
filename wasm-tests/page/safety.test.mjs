// The page against an attacker's message, and what it sends over the network. A hostile header
// block (script tags, event-handler attributes, javascript: and data: URLs, bidi overrides, a
// 1 MB line, nested and many encoded-words, 10,000 fields) must run no script, keep the page
// responsive while the core works (the core runs in a Web Worker) and still show every field.
// Every request an analysis makes is recorded: only the page's own files and DoH queries to the
// chosen resolver may go out. A resolver outside the page's Content-Security-Policy is refused,
// and the page says so instead of only showing failed lookups.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openContext, root, startPageServers } from './support.mjs';

let servers;
let dohUrl;
let newsletter;

before(async () => {
  newsletter = await readFile(`${root}tests/fixtures/messages/newsletter-headers.txt`, 'utf8');
  // A delay, so that the analysis takes long enough for the page's frames to be measured.
  servers = await startPageServers(['--zone', `${root}tests/fixtures/dns/newsletter.zone`, '--delay-ms', '50']);
  [dohUrl] = servers.dohUrls;
});

after(() => servers?.stop());

const openPage = ({ doh = dohUrl } = {}) => openContext(servers.browser, servers.baseUrl, { doh });

/** A header block written to attack the page that shows it. */
function hostileHeaders() {
  const lines = [
    'From: "Pay\u202Egnp.exe" <billing@example.org>',
    'To: victim@example.net',
    'Subject: <script>window.__pwned = "subject"</script>',
    'X-Img: <img src=x onerror="window.__pwned = \'img\'">',
    'List-Unsubscribe: <javascript:window.__pwned=\'unsubscribe\'>, <data:text/html,<script>alert(1)</script>>',
    'BIMI-Location: v=BIMI1; l=javascript:window.__pwned=\'bimi\'',
    'X-Link: [click me](javascript:window.__pwned=\'markdown\')',
    'X-Attr: "><svg onload="window.__pwned=\'svg\'">',
    'X-Bidi: \u2067\u202Dreversed\u202C\u2069 and \u200Bzero\u200Dwidth',
    'Date: Sat, 05 Nov 2022 17:54:30 +0000',
  ];
  // An encoded-word whose text is an encoded-word, and so on, 40 deep.
  let nested = '=?utf-8?q?<script>window.__pwned="nested"</script>?=';
  for (let depth = 0; depth < 40 && nested.length < 6000; depth += 1) {
    nested = `=?utf-8?b?${Buffer.from(nested).toString('base64')}?=`;
  }
  lines.push(`X-Nested: ${nested}`);
  lines.push(`X-Many-Words: ${Array.from({ length: 2000 }, (_, i) => `=?utf-8?q?w${i}?=`).join(' ')}`);
  lines.push(`X-Long: ${'A'.repeat(1 << 20)}`);
  for (let i = 0; i < 10000; i += 1) lines.push(`X-Filler-${i}: value ${i}`);
  return `${lines.join('\r\n')}\r\n`;
}

test('a hostile header block runs no script, keeps the page responsive and shows every field', async () => {
  const { page, problems, close } = await openPage();
  const text = hostileHeaders();
  const fields = text.split('\r\n').filter((line) => line.length > 0).length;
  const outcome = await page.locator('mailspect-analyzer').evaluate(async (element, input) => {
    // The longest wait between two frames while the core works, and the time the report then
    // took to render. requestAnimationFrame runs once a frame when the main thread is free.
    let last = performance.now();
    let longest = 0;
    let running = true;
    const tick = (now) => {
      longest = Math.max(longest, now - last);
      last = now;
      if (running) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const started = performance.now();
    const report = await element.analyze(input);
    const analysed = performance.now();
    const duringAnalysis = longest;
    // The header list renders in pieces after the report: until it is complete, and two frames
    // more for its layout, is part of what the reader waits for.
    const headers = element.shadowRoot.querySelector('section.headers');
    while (headers.getAttribute('aria-busy') === 'true') await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    running = false;
    return {
      longest, duringAnalysis, analysed: analysed - started, total: performance.now() - started,
      headers: report.headers.length, pwned: window.__pwned ?? null,
    };
  }, text);
  assert.equal(outcome.pwned, null, 'a script from the message ran');
  assert.equal(outcome.headers, fields);
  const ms = (value) => `${Math.round(value)} ms`;
  console.log(`hostile corpus: ${fields} fields; report after ${ms(outcome.analysed)}, every field shown after ${ms(outcome.total)}; longest wait for a frame ${ms(outcome.duringAnalysis)} while the core worked, ${ms(outcome.longest)} in all`);
  assert.ok(outcome.longest < 200, `the page went ${ms(outcome.longest)} without a frame`);

  const shown = await page.locator('mailspect-analyzer').evaluate((element) => {
    const root = element.shadowRoot;
    const handlers = [...root.querySelectorAll('*')].filter((node) =>
      [...node.attributes].some((attribute) => attribute.name.startsWith('on'))).length;
    return {
      rows: root.querySelectorAll('.header-table tbody tr').length,
      scripts: root.querySelectorAll('script, iframe, object, embed').length,
      svgFromMessage: root.querySelectorAll('svg:not(.icon)').length,
      handlers,
      badLinks: [...root.querySelectorAll('a[href]')].filter((a) => !/^https?:/.test(a.getAttribute('href'))).length,
      subject: [...root.querySelectorAll('.header-table .name')].find((cell) => cell.textContent === 'Subject')
        ?.parentElement.querySelector('.value').textContent,
      bidi: root.querySelector('.summary-list')?.textContent ?? '',
    };
  });
  assert.equal(shown.rows, fields, 'every field is in the header table');
  assert.deepEqual([shown.scripts, shown.svgFromMessage, shown.handlers, shown.badLinks], [0, 0, 0, 0]);
  assert.equal(shown.subject, '<script>window.__pwned = "subject"</script>', 'the tag is shown as text');
  assert.match(shown.bidi, /Pay⟨U\+202E⟩gnp\.exe/);
  assert.deepEqual(problems, []);
  await close();
});

test('an analysis requests only the page\'s own files and DoH queries to the chosen resolver', async () => {
  const { page, problems, requests, close } = await openPage();
  await page.locator('mailspect-analyzer').evaluate((element, input) => element.analyze(input), newsletter);
  const page_ = new URL(servers.baseUrl);
  const resolver = new URL(dohUrl);
  const strangers = requests.filter((url) => {
    const parsed = new URL(url);
    if (parsed.origin === page_.origin) return false;
    return !(parsed.origin === resolver.origin && parsed.pathname === resolver.pathname);
  });
  assert.deepEqual(strangers, []);
  const queries = requests.filter((url) => url.startsWith(dohUrl));
  assert.ok(queries.length >= 3, `the DoH queries are seen too (${queries.length})`);
  assert.ok(requests.some((url) => url.endsWith('/worker.js')), 'the core ran in its worker');
  assert.deepEqual(problems, []);
  await close();
});

test('a resolver outside the page\'s Content-Security-Policy is refused, and the page explains', async () => {
  const { page, close } = await openPage({ doh: 'https://doh.example.test/dns-query' });
  const report = await page.locator('mailspect-analyzer').evaluate((element, input) => element.analyze(input), newsletter);
  const notice = page.locator('mailspect-analyzer .notice.blocked');
  assert.match(await notice.textContent(), /refused https:\/\/doh\.example\.test.*mailspect serve-dns/s);
  // The lookups failed rather than going anywhere, and the report says they failed.
  assert.ok(report.dns.every((trace) => trace.outcome.error), 'every lookup failed');
  await close();
});
