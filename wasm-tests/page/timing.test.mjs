// Paste to verdict, as a reader feels it: each message of ../shared/conformance/ (dkim/ and
// arc-messages/, read in place) is pasted into the page with the keyboard, through mailspect's
// DoH server on loopback answering every query 50 ms late, as a nearby public resolver would.
// Prints, per message, the time from the paste to the verdict on screen and to the whole report,
// and the DNS waves the analysis waited for (lookups that each started only after an earlier
// one ended). Times are printed, never asserted (BENCHMARKS.md keeps them); the waves are
// counted from the report's own DNS trace and must not exceed the messages' dependency depth.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { conformanceCase, openContext, startPageServers } from './support.mjs';

const DELAY_MS = 50;
const CASES = [
  ...['001', '002', '003', '004', '005', '006'].map((name) => ['dkim', `${name}.txt`]),
  ['arc-messages', '001.txt'], ['arc-messages', '002.txt'],
];
let servers;
const messages = [];

before(async () => {
  const zoneDir = await mkdtemp(`${tmpdir()}/mailspect-timing-`);
  const zones = [];
  for (const [folder, name] of CASES) {
    const { zone, message } = await conformanceCase(folder, name);
    const path = `${zoneDir}/${folder}-${name}.zone`;
    await writeFile(path, zone);
    zones.push('--zone', path);
    messages.push({ label: `${folder}/${name}`, message });
  }
  servers = await startPageServers([...zones, '--delay-ms', String(DELAY_MS)]);
});

after(() => servers?.stop());

/**
 * The longest chain of lookups in `traces` of which each started after the one before ended:
 * the round trips the analysis had to wait for one after another. Lookups the resolver merged
 * or answered from its cache took no round trip of their own.
 */
export function waves(traces) {
  const timed = traces.filter((trace) => typeof trace.start_ms === 'number' && trace.cache !== 'hit' && trace.cache !== 'merged')
    .map((trace) => ({ start: trace.start_ms, end: trace.start_ms + (trace.duration_ms ?? 0) }))
    .sort((a, b) => a.start - b.start);
  const depth = [];
  timed.forEach((query, index) => {
    let before = 0;
    for (let earlier = 0; earlier < index; earlier += 1) {
      if (timed[earlier].end <= query.start) before = Math.max(before, depth[earlier]);
    }
    depth.push(before + 1);
  });
  return Math.max(0, ...depth);
}

test('paste to verdict for the shared conformance messages through DoH with 50 ms of delay', async () => {
  const rows = [];
  for (const { label, message } of messages) {
    // A fresh context each time: its own worker and DNS cache, as a new visitor has.
    const { page, context, problems, close } = await openContext(servers.browser, servers.baseUrl, { doh: servers.dohUrls[0] });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: servers.baseUrl });
    await page.evaluate((text) => navigator.clipboard.writeText(text), message);
    await page.locator('mailspect-analyzer').evaluate((element) => {
      window.timing = {};
      element.shadowRoot.addEventListener('paste', () => { window.timing.paste = performance.now(); }, true);
      const results = element.shadowRoot.querySelector('.results');
      new MutationObserver(() => {
        if (!window.timing.verdict && results.querySelector('section.verdict')) window.timing.verdict = performance.now();
      }).observe(results, { childList: true });
      element.addEventListener('mailspect-report', (event) => {
        window.timing.report = performance.now();
        window.timing.dns = event.report.dns;
        window.timing.status = event.report.verdict.status;
      });
    });
    await page.locator('mailspect-analyzer textarea[name=message]').focus();
    await page.keyboard.press('Control+V');
    await page.waitForFunction(() => window.timing.report);
    const timing = await page.evaluate(() => window.timing);
    const count = waves(timing.dns);
    rows.push({ label, verdict: Math.round(timing.verdict - timing.paste), report: Math.round(timing.report - timing.paste),
      lookups: timing.dns.length, waves: count, status: timing.status });
    // Every name these analyses need is known from the message itself: the DKIM and ARC keys,
    // the From domain's _dmarc names up the tree (RFC 9989 §4.10, asked ahead), the client's
    // PTR (none in these zones, so no forward lookups follow). One wave is the dependency depth.
    assert.equal(count, 1, `${label}: ${count} DNS waves`);
    assert.deepEqual(problems, []);
    await close();
  }
  console.log(`paste to verdict, DoH with ${DELAY_MS} ms delay:`);
  for (const row of rows) {
    console.log(`  ${row.label.padEnd(20)} verdict ${String(row.verdict).padStart(4)} ms  report ${String(row.report).padStart(4)} ms  ${row.lookups} lookups in ${row.waves} waves  (${row.status})`);
  }
});
