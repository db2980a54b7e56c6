// The page as a person uses it: load it from the static server, paste a real-shaped header
// block, press Analyse, read what it shows. Drives Debian's Chromium through playwright-core
// (never a downloaded browser) and saves screenshots under artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const artifacts = `${root}artifacts`;
let server;
let browser;
let baseUrl;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  server = spawn(process.execPath, [`${root}scripts/serve-www.mjs`, '--port', '0', '--root', `${root}www`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  baseUrl = await new Promise((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`static server exited with ${code}`)));
    server.stdout.on('data', (chunk) => {
      const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(String(chunk));
      if (match) resolve(match[0]);
    });
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
});

async function openPage() {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  await page.goto(baseUrl);
  await page.locator('#version').filter({ hasText: /\d+\.\d+\.\d+/ }).waitFor();
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

  await page.screenshot({ path: `${artifacts}/page-headers.png`, fullPage: true });
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
