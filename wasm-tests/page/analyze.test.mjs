// The page as a person uses it: load it from the static server, paste a real-shaped header
// block, press Analyse, read what it shows. Drives Debian's Chromium through playwright-core
// (never a downloaded browser) and saves screenshots under artifacts/. DNS goes to mailspect's
// own DoH server on loopback, serving a fixture zone (`target/debug/mailspect` must be built).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { artifacts, conformanceCase, launchBrowser, root, startDoh, startWww } from './support.mjs';

let server;
let dohServer;
let browser;
let baseUrl;
let dohUrl;
let rfc8463Message;
let arcMessage;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  const rfc8463 = await conformanceCase('dkim', '001.txt');
  rfc8463Message = rfc8463.message;
  // A two-hop ARC chain: scamorza.org (ed25519) sealed first, then manchego.org (rsa).
  const arc = await conformanceCase('arc-messages', '002.txt');
  arcMessage = arc.message;
  const zoneDir = await mkdtemp(`${tmpdir()}/mailspect-page-`);
  await writeFile(`${zoneDir}/rfc8463.zone`, rfc8463.zone);
  await writeFile(`${zoneDir}/arc.zone`, arc.zone);
  // An SPF tree with a DNS error inside it: the include names a domain that does not exist.
  await writeFile(`${zoneDir}/broken.zone`,
    'broken.example. 300 TXT "v=spf1 ip4:192.0.2.0/24 include:missing.example -all"\n');
  const www = startWww();
  const doh = startDoh(['--zone', `${root}tests/fixtures/dns/newsletter.zone`, '--zone', `${zoneDir}/rfc8463.zone`,
    '--zone', `${zoneDir}/broken.zone`, '--zone', `${zoneDir}/arc.zone`]);
  server = www.child;
  dohServer = doh.child;
  [baseUrl, dohUrl] = await Promise.all([www.found, doh.found]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.kill();
  dohServer?.kill();
});

async function openPage(options = {}) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, ...options });
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  await page.goto(baseUrl);
  await page.locator('#version').filter({ hasText: /\d+\.\d+\.\d+/ }).waitFor();
  // The attribute is the source of truth: the resolver field follows it.
  await page.locator('mailspect-analyzer').evaluate((element, url) => element.setAttribute('doh', url), dohUrl);
  return { page, problems };
}

test('pasting a header block shows every field, decoded, and the summary', async () => {
  const { page, problems } = await openPage();
  const headers = await readFile(`${root}tests/fixtures/messages/newsletter-headers.txt`, 'utf8');
  await page.locator('mailspect-analyzer textarea[name=message]').fill(headers);
  await page.getByRole('button', { name: 'Analyse' }).click();
  await page.locator('.header-table tbody tr').first().waitFor();

  const rows = page.locator('.header-table tbody tr');
  const fieldCount = headers.split('\n').filter((line) => /^[\x21-\x39\x3b-\x7e]+:/.test(line)).length;
  assert.equal(await rows.count(), fieldCount);
  assert.equal(await rows.nth(0).locator('.name').textContent(), 'Delivered-To');
  const subjectRow = rows.filter({ has: page.locator('.name', { hasText: /^Subject$/ }) });
  assert.equal(await subjectRow.locator('.value').textContent(), 'Your weekly ✉ digest');

  const summary = page.locator('.summary-list');
  assert.match(await summary.textContent(), /Example Übersicht <news@example\.org>/);
  assert.match(await page.locator('.status').textContent(), /Analysed the pasted text in \d+ ms/);
  // The path, oldest hop first, with a lock on the encrypted hop and the border marked.
  const hops = page.locator('.timeline li.hop');
  assert.equal(await hops.count(), 4);
  const gmail = hops.nth(2);
  assert.match(await gmail.getAttribute('class'), /\bencrypted\b/);
  assert.equal(await gmail.locator('.icon-lock').count(), 1);
  assert.match(await gmail.locator('.tls').textContent(), /TLS 1\.3 TLS_AES_128_GCM_SHA256/);
  assert.match(await gmail.locator('.route').textContent(), /198\.51\.100\.25.*mx\.google\.com.*border/);
  assert.equal(await page.locator('.timeline .icon-lock').count(), 1);
  assert.match(await page.locator('#h-hops').textContent(), /Path \(4 hops, 1 s in all\)/);

  // SPF recomputed for the border hop's IP through the local DoH server: em.example.org includes
  // sendgrid.example.net, whose ip4:198.51.100.0/24 holds 198.51.100.25.
  const spf = page.locator('section.spf');
  assert.equal(await spf.locator('.verdict .result').textContent(), 'pass');
  assert.match(await spf.locator('.verdict').textContent(), /198\.51\.100\.25 matched "include:sendgrid\.example\.net"/);
  assert.match(await spf.textContent(), /1 of 10 DNS lookups used/);
  // The receiver's recorded results beside mailspect's: SPF still holds; the DKIM key the
  // receiver used is not in this zone, so its pass cannot be reproduced, and the page says why.
  const spfRow = page.locator('.comparison', { has: page.locator('code', { hasText: /^spf$/ }) });
  assert.match(await spfRow.getAttribute('class'), /\bagree\b/);
  const dkimRow = page.locator('.comparison', { has: page.locator('code', { hasText: /^dkim$/ }) });
  assert.match(await dkimRow.getAttribute('class'), /\bdisagree\b/);
  assert.match(await dkimRow.locator('.note').textContent(), /gone from DNS/);

  const dns = page.locator('.dns-table tbody tr');
  assert.ok(await dns.count() >= 2);
  assert.match(await page.locator('.dns-table').textContent(), /em\.example\.org/);

  await page.locator('section.hops').screenshot({ path: `${artifacts}/page-path.png` });
  await page.screenshot({ path: `${artifacts}/page-headers.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a signed message shows each DKIM signature verified, with its key and coverage', async () => {
  const { page, problems } = await openPage();
  await page.locator('mailspect-analyzer textarea[name=message]').fill(rfc8463Message);
  await page.getByRole('button', { name: 'Analyse' }).click();
  const signatures = page.locator('.dkim-signature');
  await signatures.first().waitFor();
  assert.equal(await signatures.count(), 2);
  const ed25519 = page.locator('.dkim-signature', { hasText: 's=brisbane' });
  assert.equal(await ed25519.locator('h3 .result').textContent(), 'pass');
  assert.match(await ed25519.locator('.key').textContent(), /ed25519 key, 256 bits, at brisbane\._domainkey\.football\.example\.com/);
  assert.match(await ed25519.locator('.coverage.signed-not-over-signed').textContent(), /^To/);
  const rsa = page.locator('.dkim-signature', { hasText: 's=test' });
  assert.equal(await rsa.locator('h3 .result').textContent(), 'pass');
  assert.match(await rsa.locator('.key').textContent(), /rsa key, 1024 bits/);

  // On request, the exact bytes each signature hashed.
  await page.locator('summary', { hasText: 'Envelope and DNS' }).click();
  await page.getByLabel('Show the exact bytes each DKIM signature hashed').check();
  await page.getByRole('button', { name: 'Analyse' }).click();
  const hashed = ed25519.locator('.canonicalized pre').first();
  await hashed.waitFor({ state: 'attached' });
  assert.match(await hashed.textContent(), /^from:Joe SixPack <joe@football\.example\.com>␍␊/);
  await page.screenshot({ path: `${artifacts}/page-dkim.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('hostile input gets a clear error, not a broken page', async () => {
  const { page, problems } = await openPage();
  await page.locator('mailspect-analyzer textarea[name=message]').fill('this is prose, not a message\nno fields here\n');
  await page.getByRole('button', { name: 'Analyse' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /no header fields found/);

  // Markup in a header value is text, never HTML.
  await page.locator('mailspect-analyzer textarea[name=message]').fill('Subject: <img src=x onerror=alert(1)>\nFrom: a@example.com\n');
  await page.getByRole('button', { name: 'Analyse' }).click();
  const value = page.locator('.header-table .value').first();
  await value.waitFor();
  assert.equal(await value.textContent(), '<img src=x onerror=alert(1)>');
  assert.equal(await page.locator('mailspect-analyzer img').count(), 0);

  // A URL from a report becomes a link only when it is http(s).
  const hrefs = await page.evaluate(async (url) => {
    const { safeHref } = await import(url);
    return ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,x', 'vbscript:x', 'mailto:a@example.com',
      'https://www.rfc-editor.org/rfc/rfc9989', null].map(safeHref);
  }, `${baseUrl}render.js`);
  assert.deepEqual(hrefs, [null, null, null, null, null, 'https://www.rfc-editor.org/rfc/rfc9989', null]);
  assert.deepEqual(problems.filter((p) => !/Failed to load resource/.test(p)), []);
  await page.close();
});

// Regression: a DNS error inside the SPF tree showed as "[object Object]" (the page handed the
// error object to a text node), and the lookup count was written against a hard-coded 10 rather
// than the report's `lookup_limit`.
test('a DNS error inside the SPF tree shows in words, against the report\'s own lookup limit', async () => {
  const { page, problems } = await openPage();
  await page.locator('summary', { hasText: 'Envelope and DNS' }).click();
  await page.locator('input[name=ip]').fill('203.0.113.7');
  await page.locator('input[name=mail-from]').fill('someone@broken.example');
  const report = page.locator('mailspect-analyzer').evaluate((element) => new Promise((resolve) =>
    element.addEventListener('mailspect-report', (event) => resolve(event.report), { once: true })));
  await page.locator('mailspect-analyzer textarea[name=message]').fill('From: someone@broken.example\nSubject: test\n');
  await page.getByRole('button', { name: 'Analyse' }).click();
  const { spf } = await report;
  const section = page.locator('section.spf');
  await section.locator('.verdict .result').waitFor();
  assert.equal(await section.locator('.verdict .result').textContent(), 'permerror');
  await section.locator('summary', { hasText: 'Evaluation tree' }).first().click();
  const text = await section.textContent();
  assert.doesNotMatch(text, /\[object Object\]/);
  assert.match(text, /TXT missing\.example → the name does not exist \(NXDOMAIN\)/);
  const limit = spf.mail_from.lookup_limit;
  assert.equal(typeof limit, 'number');
  assert.match(await section.locator('.lookups').first().textContent(), new RegExp(`/${limit} lookups`));
  assert.deepEqual(problems, []);
  await page.close();
});

// Regression: bidi controls and invisible characters were rendered raw, so a Subject of
// "Invoice \u202Egnp.exe" showed as "Invoice exe.png". They are revealed, with a finding; the
// header table keeps the exact value in its title.
test('a bidi override in the Subject is revealed, not obeyed', async () => {
  const { page, problems } = await openPage();
  await page.locator('mailspect-analyzer textarea[name=message]').fill('From: a@example.com\nSubject: Invoice \u202Egnp.exe\n');
  await page.getByRole('button', { name: 'Analyse' }).click();
  const summary = page.locator('.summary-list');
  await summary.waitFor();
  assert.match(await summary.textContent(), /Invoice ⟨U\+202E⟩gnp\.exe/);
  assert.equal(await summary.locator('mark.hidden-char').count(), 1);
  const subjectRow = page.locator('.header-table tbody tr', { has: page.locator('.name', { hasText: /^Subject$/ }) });
  assert.match(await subjectRow.locator('.value').textContent(), /⟨U\+202E⟩/);
  assert.equal(await subjectRow.locator('.value').getAttribute('title'), ' Invoice \u202Egnp.exe');
  // Once in the findings list (the verdict card may repeat it among its top findings).
  assert.ok(await page.locator('section.findings .finding[data-code="message.hidden-characters"]').count() === 1);
  await page.screenshot({ path: `${artifacts}/page-bidi.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

/** Pastes `text`, presses Analyse and resolves to the report the page rendered. */
async function analyse(page, text) {
  const report = page.locator('mailspect-analyzer').evaluate((element) => new Promise((resolve) =>
    element.addEventListener('mailspect-report', (event) => resolve(event.report), { once: true })));
  await page.locator('mailspect-analyzer textarea[name=message]').fill(text);
  await page.getByRole('button', { name: 'Analyse' }).click();
  const result = await report;
  await page.locator('section.verdict').waitFor();
  return result;
}

/** What every analysis must hold: no object stringified into the text, only http(s) links. */
async function assertClean(page) {
  const text = await page.locator('mailspect-analyzer .results').textContent();
  assert.doesNotMatch(text, /\[object \w+\]/);
  assert.doesNotMatch(text, /undefined|NaN/);
  const hrefs = await page.locator('mailspect-analyzer .results a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  for (const href of hrefs) assert.match(href, /^https?:\/\//);
}

const newsletter = () => readFile(`${root}tests/fixtures/messages/newsletter-headers.txt`, 'utf8');

test('the verdict card comes first: the newsletter is authenticated by aligned SPF under p=reject', async () => {
  const { page, problems } = await openPage();
  const report = await analyse(page, await newsletter());

  // Sections in the order a reader asks: the answer, what the message is, what is wrong, the evidence.
  const order = await page.locator('mailspect-analyzer .results > section').evaluateAll((sections) =>
    sections.map((section) => section.getAttribute('part').replace(/^section /, '')));
  assert.deepEqual(order, ['verdict', 'summary', 'findings', 'comparisons', 'dmarc', 'dkim', 'spf', 'arc', 'iprev',
    'bulk', 'hops', 'receiver-results', 'dns', 'headers']);

  const verdict = page.locator('section.verdict');
  assert.equal(await page.getByRole('region', { name: 'Verdict' }).count(), 1);
  const headline = verdict.locator('.verdict-headline');
  assert.equal(await headline.getAttribute('data-status'), 'authenticated');
  assert.equal((await headline.textContent()).trim(), 'Authenticated');
  assert.match(await verdict.locator('.verdict-sentence').textContent(), /^Sent by example\.org/);
  assert.equal(await verdict.locator('.verdict-sentence').textContent(), report.verdict.sentence);
  assert.equal(await verdict.locator('.from-domain').textContent(), 'example.org');
  assert.equal(await verdict.locator('.aligned-by').textContent(), 'SPF em.example.org');
  assert.match(await verdict.textContent(), /DMARCpass/);
  assert.match(await verdict.locator('.transport-status').textContent(), /hop 1 went between servers without TLS/);
  const top = verdict.locator('.top-findings .finding');
  assert.equal(await top.count(), report.verdict.top_findings.length);
  assert.equal(await top.first().getAttribute('data-code'), report.verdict.top_findings[0].code);
  // The RFC words are one click away.
  assert.equal(await verdict.locator('.rfc-detail').getAttribute('open'), null);
  await verdict.locator('.rfc-detail summary').click();
  assert.match(await verdict.locator('.verdict-detail').textContent(), /dmarc=pass/);

  // DMARC, recomputed: example.org's own record, p=reject, SPF aligned (relaxed: em.example.org).
  const dmarc = page.locator('section.dmarc');
  assert.equal(await dmarc.locator('.verdict .result').textContent(), 'pass');
  assert.equal(await dmarc.locator('.record-name').textContent(), '_dmarc.example.org');
  assert.match(await dmarc.locator('dd code.record').textContent(), /p=reject/);
  assert.match(await dmarc.textContent(), /the From domain's own record/);
  assert.equal(await dmarc.locator('.policy').textContent(), 'reject');
  const spfRow = dmarc.locator('.alignment[data-mechanism=spf]');
  assert.match(await spfRow.textContent(), /em\.example\.org/);
  assert.equal(await spfRow.locator('.aligned').textContent(), 'yes');
  assert.match(await spfRow.getAttribute('class'), /\bpass\b/);
  assert.equal(await dmarc.locator('.alignment[data-mechanism=dkim]').count(), report.dmarc.dkim.length);
  assert.equal(await dmarc.locator('.org-differs').count(), 0);
  const steps = dmarc.locator('.walk-step');
  assert.equal(await steps.count(), report.dmarc.discovery.walk.steps.length);
  assert.match(await steps.first().textContent(), /_dmarc\.example\.org → a DMARC record/);

  // The receiver's DMARC result beside mailspect's, in the comparisons table.
  const dmarcComparison = page.locator('.comparison', { has: page.locator('code', { hasText: /^dmarc$/ }) });
  assert.equal(await dmarcComparison.count(), report.comparisons.filter((c) => c.method === 'dmarc').length);
  assert.match(await dmarcComparison.first().getAttribute('class'), /\bagree\b/);

  // iprev: the border IP has no PTR.
  assert.match(await page.locator('section.iprev .verdict').textContent(), /permerror 198\.51\.100\.25: .*no reverse DNS name/);

  // The bulk-sender checklist: every item, with its status in words and the provider's page.
  const items = page.locator('.check-item');
  assert.equal(await items.count(), report.bulk_sender.items.length);
  for (const [index, item] of report.bulk_sender.items.entries()) {
    const row = items.nth(index);
    assert.equal(await row.getAttribute('data-requirement'), item.requirement);
    const words = { met: 'met', 'not-met': 'not met', 'not-applicable': 'not applicable', unknown: 'unknown' }[item.status];
    assert.equal((await row.locator('.check-status').textContent()).trim(), words);
    assert.doesNotMatch(await row.locator('.requirement').textContent(), /^[a-z-]+$/, 'a title, not the code');
    assert.equal(await row.locator('a', { hasText: 'requirements' }).getAttribute('href'), item.source);
  }
  assert.match(await page.locator('.check-item[data-requirement=dmarc-published]').textContent(), /p=reject/);
  assert.match(await page.locator('.bulk-applies').textContent(), report.bulk_sender.applies ? /looks like bulk mail/ : /does not look like bulk mail/);

  await assertClean(page);
  await verdict.screenshot({ path: `${artifacts}/page-verdict.png` });
  await page.locator('section.dmarc').screenshot({ path: `${artifacts}/page-dmarc.png` });
  await page.locator('section.bulk').screenshot({ path: `${artifacts}/page-bulk.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the RFC 8463 message shows the verdict its report gives, and both organisational domains', async () => {
  const { page, problems } = await openPage();
  const report = await analyse(page, rfc8463Message);
  const verdict = page.locator('section.verdict');
  assert.equal(await verdict.locator('.verdict-headline').getAttribute('data-status'), report.verdict.status);
  assert.equal(await verdict.locator('.verdict-sentence').textContent(), report.verdict.sentence);
  assert.equal(await verdict.locator('.from-domain').textContent(), report.verdict.from_domain);
  // football.example.com publishes no DMARC record: the tree walk stops at the From domain,
  // the Public Suffix List says example.com, and the page flags that they differ.
  const dmarc = page.locator('section.dmarc');
  assert.equal(await dmarc.locator('.verdict .result').textContent(), report.dmarc.result);
  assert.equal(await dmarc.locator('.org-domain').textContent(), report.dmarc.org_domain);
  assert.equal(await dmarc.locator('.org-domain-psl').textContent(), report.dmarc.org_domain_psl);
  assert.equal(await dmarc.locator('.org-differs').count(), report.dmarc.org_domain === report.dmarc.org_domain_psl ? 0 : 1);
  assert.equal(await dmarc.locator('.walk-step').count(), report.dmarc.discovery.walk.steps.length);
  assert.equal((await page.locator('section.arc').textContent()).trim(), 'ARCNo ARC headers.');
  assert.equal(report.iprev, null);
  assert.match(await page.locator('section.iprev').textContent(), /No connecting IP is known/);
  assert.match(await verdict.locator('.transport-status').textContent(), /no Received fields/);
  await assertClean(page);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a two-hop ARC chain shows each sealer, oldest first, and the chain passing', async () => {
  const { page, problems } = await openPage();
  const report = await analyse(page, arcMessage);
  const arc = page.locator('section.arc');
  assert.equal(await arc.locator('.verdict .result').first().textContent(), 'pass');
  assert.equal(report.arc.result, 'pass');
  const instances = arc.locator('.arc-instance');
  assert.equal(await instances.count(), 2);
  assert.deepEqual(await instances.evaluateAll((nodes) => nodes.map((node) => node.dataset.instance)), ['1', '2']);
  assert.match(await instances.nth(0).locator('h3').textContent(), /^i=1 sealed by scamorza\.org s=edcv=none$/);
  assert.match(await instances.nth(1).locator('h3').textContent(), /^i=2 sealed by manchego\.org s=rsacv=pass$/);
  for (const index of [0, 1]) {
    assert.equal(await instances.nth(index).locator('.arc-seal .result').textContent(), 'pass');
    assert.equal(await instances.nth(index).locator('.arc-message-signature .result').textContent(), 'pass');
    assert.match(await instances.nth(index).locator('.arc-recorded').textContent(), /dkim=pass header\.d=manchego\.org/);
  }
  assert.match(await arc.locator('.oldest-pass').textContent(), /i=1/);
  // Whatever the report's verdict is, the card shows it; a forwarder's seal is named with its trust.
  const verdict = page.locator('section.verdict');
  assert.equal(await verdict.locator('.verdict-headline').getAttribute('data-status'), report.verdict.status);
  assert.equal(await verdict.locator('.verdict-sentence').textContent(), report.verdict.sentence);
  if (report.verdict.arc_forwarder) {
    assert.match(await verdict.textContent(), report.verdict.arc_forwarder.trusted ? /on your trusted list/ : /not on a trusted list/);
  }
  const arcComparisons = report.comparisons.filter((c) => c.method === 'arc').length;
  assert.equal(await page.locator('.comparison', { has: page.locator('code', { hasText: /^arc$/ }) }).count(), arcComparisons);
  await assertClean(page);
  await arc.screenshot({ path: `${artifacts}/page-arc.png` });
  await verdict.screenshot({ path: `${artifacts}/page-verdict-arc.png` });
  assert.deepEqual(problems, []);
  await page.close();
});

/** WCAG contrast ratio of an element's text against the page's background, in the page. */
const contrastOf = (locator) => locator.evaluate((element) => {
  const rgb = (text) => text.match(/[\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map((v) => v / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  let node = element;
  let background = null;
  while (node && node.nodeType === 1) {
    const color = getComputedStyle(node).backgroundColor;
    if (!/rgba\(.*, 0\)$|transparent/.test(color)) { background = color; break; }
    node = node.parentNode instanceof ShadowRoot ? node.parentNode.host : node.parentNode;
  }
  // Chromium's canvas: white in light mode, #121212 in dark.
  background ??= matchMedia('(prefers-color-scheme: dark)').matches ? 'rgb(18, 18, 18)' : 'rgb(255, 255, 255)';
  const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(rgb(background))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
});

test('dark mode keeps the status colours readable; a 390 px phone never scrolls sideways', async () => {
  const dark = await openPage({ colorScheme: 'dark' });
  await analyse(dark.page, await newsletter());
  for (const selector of ['.verdict-headline', '.transport-status', '.check-item.met .check-status',
    '.check-item.not-met .check-status', 'section.dmarc .verdict .result', '.finding.warning .severity']) {
    const ratio = await contrastOf(dark.page.locator(selector).first());
    assert.ok(ratio >= 4.5, `${selector}: contrast ${ratio.toFixed(2)} in dark mode`);
  }
  await assertClean(dark.page);
  await dark.page.screenshot({ path: `${artifacts}/page-message-dark.png`, fullPage: true });
  assert.deepEqual(dark.problems, []);
  await dark.page.close();

  const light = await openPage();
  await analyse(light.page, await newsletter());
  for (const selector of ['.verdict-headline', '.transport-status', '.check-item.met .check-status',
    '.check-item.not-met .check-status']) {
    const ratio = await contrastOf(light.page.locator(selector).first());
    assert.ok(ratio >= 4.5, `${selector}: contrast ${ratio.toFixed(2)} in light mode`);
  }
  await light.page.close();

  const phone = await openPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await analyse(phone.page, await newsletter());
  const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the page is ${width} px wide at 390 px`);
  await assertClean(phone.page);
  await phone.page.screenshot({ path: `${artifacts}/page-message-phone.png`, fullPage: true });
  await phone.page.locator('section.verdict').screenshot({ path: `${artifacts}/page-verdict-phone.png` });
  assert.deepEqual(phone.problems, []);
  await phone.page.close();
});
