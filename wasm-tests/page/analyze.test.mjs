// The page as a person uses it: load it from the static server, paste a real-shaped header
// block, press Analyse, read what it shows. Drives Debian's Chromium through playwright-core
// (never a downloaded browser) and saves screenshots under artifacts/. DNS goes to mailspect's
// own DoH server on loopback, serving a fixture zone (`target/debug/mailspect` must be built).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const artifacts = `${root}artifacts`;
let server;
let dohServer;
let browser;
let baseUrl;
let dohUrl;
let rfc8463Message;

/**
 * Reads a conformance file of ../shared/conformance/dkim/ in place: DNS TXT records one a line
 * (`name value`), a blank line, then the message. Returns the records as a zone file's text.
 */
async function conformanceCase(name) {
  const text = await readFile(`${root}../shared/conformance/dkim/${name}`, 'utf8');
  const blank = text.indexOf('\n\n');
  const zone = text.slice(0, blank).split('\n').map((line) => {
    const space = line.indexOf(' ');
    const value = line.slice(space + 1);
    // A TXT character-string holds at most 255 octets: longer values are split (RFC 1035 §3.3).
    const strings = value.match(/.{1,255}/g).map((chunk) => `"${chunk.replaceAll('"', '\\"')}"`);
    return `${line.slice(0, space)}. 300 TXT ${strings.join(' ')}`;
  });
  return { zone: `${zone.join('\n')}\n`, message: text.slice(blank + 2) };
}

/** Starts a child process and resolves to the first match of `pattern` in what it prints. */
function start(command, args, stream, pattern) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const found = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}`)));
    let seen = '';
    child[stream].on('data', (chunk) => {
      seen += String(chunk);
      const match = pattern.exec(seen);
      if (match) resolve(match[0]);
    });
  });
  return { child, found };
}

before(async () => {
  await mkdir(artifacts, { recursive: true });
  const rfc8463 = await conformanceCase('001.txt');
  rfc8463Message = rfc8463.message;
  const zoneDir = await mkdtemp(`${tmpdir()}/mailspect-page-`);
  await writeFile(`${zoneDir}/rfc8463.zone`, rfc8463.zone);
  // An SPF tree with a DNS error inside it: the include names a domain that does not exist.
  await writeFile(`${zoneDir}/broken.zone`,
    'broken.example. 300 TXT "v=spf1 ip4:192.0.2.0/24 include:missing.example -all"\n');
  const www = start(process.execPath, [`${root}scripts/serve-www.mjs`, '--port', '0', '--root', `${root}www`],
    'stdout', /http:\/\/127\.0\.0\.1:\d+\//);
  const doh = start(`${root}target/debug/mailspect`,
    ['serve-dns', '--zone', `${root}tests/fixtures/dns/newsletter.zone`, '--zone', `${zoneDir}/rfc8463.zone`,
      '--zone', `${zoneDir}/broken.zone`,
      '--listen', '127.0.0.1:0'],
    'stderr', /http:\/\/127\.0\.0\.1:\d+\/dns-query/);
  server = www.child;
  dohServer = doh.child;
  [baseUrl, dohUrl] = await Promise.all([www.found, doh.found]);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  dohServer?.kill();
});

async function openPage() {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
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
  await page.locator('mailspect-analyzer textarea').fill(headers);
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
  const hops = page.locator('.hop-table tbody tr');
  assert.equal(await hops.count(), 4);
  const gmail = hops.nth(2);
  assert.match(await gmail.getAttribute('class'), /\bencrypted\b/);
  assert.equal(await gmail.locator('.icon-lock').count(), 1);
  assert.match(await gmail.locator('.tls').textContent(), /TLS 1\.3 TLS_AES_128_GCM_SHA256/);
  assert.match(await gmail.locator('.route').textContent(), /198\.51\.100\.25.*mx\.google\.com.*border/);
  assert.equal(await page.locator('.hop-table .icon-lock').count(), 1);
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
  await page.locator('mailspect-analyzer textarea').fill(rfc8463Message);
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
  await page.locator('mailspect-analyzer textarea').fill('this is prose, not a message\nno fields here\n');
  await page.getByRole('button', { name: 'Analyse' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /no header fields found/);

  // Markup in a header value is text, never HTML.
  await page.locator('mailspect-analyzer textarea').fill('Subject: <img src=x onerror=alert(1)>\nFrom: a@example.com\n');
  await page.getByRole('button', { name: 'Analyse' }).click();
  const value = page.locator('.header-table .value').first();
  await value.waitFor();
  assert.equal(await value.textContent(), '<img src=x onerror=alert(1)>');
  assert.equal(await page.locator('mailspect-analyzer img').count(), 0);
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
  await page.locator('mailspect-analyzer textarea').fill('From: someone@broken.example\nSubject: test\n');
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
  await page.locator('mailspect-analyzer textarea').fill('From: a@example.com\nSubject: Invoice \u202Egnp.exe\n');
  await page.getByRole('button', { name: 'Analyse' }).click();
  const summary = page.locator('.summary-list');
  await summary.waitFor();
  assert.match(await summary.textContent(), /Invoice ⟨U\+202E⟩gnp\.exe/);
  assert.equal(await summary.locator('mark.hidden-char').count(), 1);
  const subjectRow = page.locator('.header-table tbody tr', { has: page.locator('.name', { hasText: /^Subject$/ }) });
  assert.match(await subjectRow.locator('.value').textContent(), /⟨U\+202E⟩/);
  assert.equal(await subjectRow.locator('.value').getAttribute('title'), ' Invoice \u202Egnp.exe');
  assert.ok(await page.locator('.finding[data-code="message.hidden-characters"]').count() === 1);
  await page.screenshot({ path: `${artifacts}/page-bidi.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
