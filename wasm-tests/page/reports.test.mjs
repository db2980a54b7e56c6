// The Reports view: a .zip and a .xml.gz dropped on it are read in the worker by the reports
// wasm module, and the table, the classes and the chart show what the core made of them; the
// table sorts; the opt-in archive keeps the reports once and is deleted on request. Same setup
// as the other page tests (static server, Debian's Chromium through playwright-core).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { openContext, startPageServers } from './support.mjs';
import { aggregateXml, dropFiles, gzip, zipOne } from './reports-files.mjs';

let servers;

before(async () => {
  // PTR names for two of the sources, served by mailspect's own DoH server on loopback.
  const zoneDir = await mkdtemp(`${tmpdir()}/mailspect-reports-`);
  await writeFile(`${zoneDir}/ptr.zone`, '$ORIGIN in-addr.arpa.\n'
    + '10.2.0.192 300 IN PTR mail-a.outbound.example.com.\n'
    + '66.113.0.203 300 IN PTR host.forger.example.\n');
  servers = await startPageServers(['--zone', `${zoneDir}/ptr.zone`]);
});

after(() => servers?.stop());

const openReports = () => openContext(servers.browser, `${servers.baseUrl}#reports`, { doh: servers.dohUrls[0] });

function files() {
  const first = aggregateXml({
    org: 'google.com', reportId: 'g-1',
    rows: [['192.0.2.10', 120, true], ['203.0.113.66', 7, false]],
  });
  const second = aggregateXml({
    org: 'Yahoo', reportId: 'y-1', begin: 1774915200 + 86400,
    rows: [['192.0.2.10', 30, true], ['198.51.100.5', 3, false]],
  });
  return [
    { name: 'google.com!example.com!1.xml.zip', bytes: zipOne('google.com!example.com!1.xml', first) },
    { name: 'yahoo!example.com!2.xml.gz', bytes: gzip(second) },
  ];
}

const cells = (page) => page.locator('.reports-table tbody tr').evaluateAll((rows) =>
  rows.map((row) => [...row.cells].map((cell) => cell.textContent)));

test('a dropped .zip and .xml.gz fill the table, the classes and the chart', async () => {
  const { page, problems, close } = await openReports();
  await page.locator('.reports-drop').waitFor();
  assert.equal(await page.locator('mailspect-analyzer').isHidden(), true);
  await dropFiles(page, '.reports-drop', files());
  await page.locator('.reports-table tbody tr').first().waitFor();
  const rows = await cells(page);
  assert.deepEqual(rows.map((row) => row.slice(0, 5)), [
    ['192.0.2.10', '', '150', '100.0%', 'aligned'],
    ['203.0.113.66', '', '7', '0.0%', 'likely-forgery'],
    ['198.51.100.5', '', '3', '0.0%', 'likely-forgery'],
  ]);
  assert.match(rows[1][7], /p=quarantine/);
  assert.match(await page.locator('.reports-overview').textContent(), /160 messages from 3 source IPs; 150 passed DMARC \(93\.8%\)/);
  assert.equal(await page.locator('.reports-chart .bar').count(), 2, 'one bar per day');
  assert.match(await page.locator('.reports-status').textContent(), /Read 2 aggregate, 0 failure and 0 TLS reports/);

  // Sorting by messages ascending, then by source IP.
  await page.locator('.reports-table th button[data-sort=messages]').click();
  assert.deepEqual((await cells(page)).map((row) => row[0]), ['192.0.2.10', '203.0.113.66', '198.51.100.5'].reverse());
  await page.locator('.reports-table th button[data-sort=source_ip]').click();
  assert.deepEqual((await cells(page)).map((row) => row[0]), ['192.0.2.10', '198.51.100.5', '203.0.113.66']);
  assert.deepEqual(problems, []);
  await close();
});

test('a broken file is named, the others are read', async () => {
  const { page, problems, close } = await openReports();
  await page.locator('.reports-drop').waitFor();
  const [zip] = files();
  const bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><feedback>&a;</feedback>';
  await dropFiles(page, '.reports-drop', [zip, { name: 'bomb.xml', bytes: Buffer.from(bomb) }]);
  await page.locator('.reports-table tbody tr').first().waitFor();
  assert.match(await page.locator('.reports-findings').textContent(), /"bomb\.xml" line 1, column 22: declares a document type/);
  assert.equal((await cells(page)).length, 2);
  assert.deepEqual(problems, []);
  await close();
});

test('the archive is opt-in, keeps a report once and is deleted on request', async () => {
  const { page, problems, close } = await openReports();
  await page.locator('.reports-drop').waitFor();
  await page.locator('#reports-keep').check();
  await dropFiles(page, '.reports-drop', files());
  await page.locator('.reports-status', { hasText: '2 new in the archive' }).waitFor();
  await dropFiles(page, '.reports-drop', files());
  await page.locator('.reports-status', { hasText: '0 new in the archive' }).waitFor();
  await page.reload();
  await page.locator('#reports-show-archive').click();
  await page.locator('.reports-status', { hasText: 'Read 2 aggregate' }).waitFor();
  assert.equal((await cells(page)).length, 3);
  await page.locator('#reports-delete-archive').click();
  await page.locator('.reports-status', { hasText: 'The archive is deleted.' }).waitFor();
  await page.locator('#reports-show-archive').click();
  await page.locator('.reports-status', { hasText: 'Read 0 aggregate' }).waitFor();
  assert.deepEqual(problems, []);
  await close();
});

test('PTR names come over the page\'s DoH resolver, looked up in the worker', async () => {
  const { page, problems, requests, close } = await openReports();
  await page.locator('.reports-drop').waitFor();
  await page.locator('#reports-ptr').check();
  await dropFiles(page, '.reports-drop', files());
  await page.locator('.reports-ptr').waitFor();
  const rows = await cells(page);
  assert.deepEqual(rows.map((row) => row.slice(0, 2)), [
    ['192.0.2.10', 'mail-a.outbound.example.com'],
    ['203.0.113.66', 'host.forger.example'],
    ['198.51.100.5', ''],
  ]);
  assert.match(await page.locator('.reports-ptr').textContent(), /example\.com: 1 IPs, 150 messages/);
  assert.ok(requests.every((url) => url.startsWith(servers.baseUrl) || url.startsWith(servers.dohUrls[0])), 'nothing else is asked');
  assert.deepEqual(problems, []);
  await close();
});
