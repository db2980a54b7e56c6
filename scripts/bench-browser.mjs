#!/usr/bin/env node
// The same whole-message analysis natively and in headless Chromium, as a wasm/native ratio,
// and the memory an analysis of the largest accepted message takes in the browser.
//
// Each message of ../shared/conformance/ (dkim/ and arc-messages/, read in place) is analysed
// RUNS times on each side with its DNS answered from memory: natively by
// `bench/examples/analysis_timing.rs` over the message's zone, in the page by `analyzeMessage` on the
// main thread after a first run has filled the page's DoH cache (the zones carry SOA records, so
// that negative answers are cached too, RFC 2308). The table gives the median of each side and
// their ratio, and how many lookups of the timed runs still went to the DoH server (none is
// what makes the comparison fair). Both sides sample alike: a first run, a second that sets how
// many runs make a batch of at least 5 ms (the page's clock counts in 0.1 ms steps), then RUNS
// batches, each sample a batch's mean. Times are printed, never asserted (BENCHMARKS.md keeps
// them).
//
// Then a 48 MiB message (the largest the page accepts) is analysed once in a fresh page, and
// the wasm linear memory (which never shrinks, so its size is the peak) and the JS heap are
// printed.
//
// Needs www/pkg/ (scripts/setup.sh's build_wasm), target/debug/mailspect (serve-dns) and
// `cargo build --release -p mailspect-bench --example analysis_timing`. Run: node scripts/bench-browser.mjs [RUNS]
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { conformanceCase, openContext, root, startPageServers } from '../wasm-tests/page/support.mjs';

const RUNS = Number(process.argv[2] ?? 30);
// A fixed clock for both sides (seconds since the Unix epoch).
const NOW = 1_764_576_000;
const CASES = [
  ...['001', '002', '003', '004', '005', '006'].map((name) => ['dkim', `${name}.txt`]),
  ['arc-messages', '001.txt'], ['arc-messages', '002.txt'],
];
const LARGEST = 48 * 1024 * 1024;

/** The zone with an SOA record at each top-level domain its names are under, and in-addr.arpa. */
function withSoa(zone) {
  const tlds = new Set(['arpa']);
  for (const line of zone.split('\n')) {
    const name = line.split(' ')[0].replace(/\.$/, '');
    if (name) tlds.add(name.split('.').pop());
  }
  const soa = [...tlds].map((tld) => `${tld}. 300 SOA ns.${tld}. hostmaster.${tld}. 1 3600 600 86400 300`);
  return `${zone}${soa.join('\n')}\n`;
}

const dir = await mkdtemp(`${tmpdir()}/mailspect-bench-browser-`);
const cases = [];
const zoneArgs = [];
for (const [folder, name] of CASES) {
  const { zone, message } = await conformanceCase(folder, name);
  const zonePath = `${dir}/${folder}-${name}.zone`;
  const messagePath = `${dir}/${folder}-${name}.eml`;
  await writeFile(zonePath, withSoa(zone));
  await writeFile(messagePath, message);
  zoneArgs.push('--zone', zonePath);
  cases.push({ label: `${folder}/${name}`, zonePath, messagePath, message });
}

const native = promisify(execFile);
const servers = await startPageServers(zoneArgs);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
try {
  const { page, close } = await openContext(servers.browser, servers.baseUrl);
  await page.evaluate(async () => {
    const core = await import('./pkg/mailspect.js');
    await core.default({ module_or_path: new URL('./pkg/mailspect_bg.wasm', location.href) });
    window.benchCore = core;
  });
  // Every message, again and again for two seconds, before any is timed: the engine compiles
  // the module's hot functions again with its optimising tier in the background (V8's dynamic
  // tiering), on the same two cores, and the native side is compiled ahead of time. Without
  // this the first message timed paid for the compiler (dkim/001: median 3.55 ms, best 1.00).
  await page.evaluate(async ({ messages, now, doh }) => {
    const end = performance.now() + 2000;
    while (performance.now() < end) {
      for (const message of messages) await window.benchCore.analyzeMessage(message, { doh, now });
    }
  }, { messages: cases.map((item) => item.message), now: NOW, doh: servers.dohUrls[0] });
  console.log(`whole-message analysis, ${RUNS} runs a side, DNS from memory (median; best in brackets)`);
  console.log('message               lookups  native ms          wasm ms            wasm/native  to server');
  const ratios = [];
  for (const { label, zonePath, messagePath, message } of cases) {
    const { stdout } = await native(`${root}target/release/examples/analysis_timing`,
      [zonePath, messagePath, String(RUNS), String(NOW)]);
    const ours = JSON.parse(stdout);
    const browser = await page.evaluate(async ({ message, runs, now, doh }) => {
      const options = { doh, now };
      // The first run fills the DoH cache; the second says how many runs make a sample of at
      // least 5 ms: the page's clock counts in steps of 0.1 ms (no cross-origin isolation).
      await window.benchCore.analyzeMessage(message, options);
      const second = performance.now();
      await window.benchCore.analyzeMessage(message, options);
      const batch = Math.max(1, Math.ceil(5 / Math.max(performance.now() - second, 0.1)));
      const times = [];
      let network = 0;
      for (let run = 0; run < runs; run += 1) {
        const reports = [];
        const start = performance.now();
        for (let repeat = 0; repeat < batch; repeat += 1) {
          reports.push(await window.benchCore.analyzeMessage(message, options));
        }
        times.push((performance.now() - start) / batch);
        // Counted after the clock stops: the native side does no such work.
        for (const report of reports) {
          network += report.dns.filter((trace) => trace.cache !== 'hit' && trace.cache !== 'merged').length;
        }
      }
      return { times, network };
    }, { message, runs: RUNS, now: NOW, doh: servers.dohUrls[0] });
    const wasm = median(browser.times);
    const ratio = wasm / ours.median_ms;
    ratios.push(ratio);
    console.log(`${label.padEnd(22)}${String(ours.lookups).padStart(7)}  `
      + `${ours.median_ms.toFixed(2).padStart(7)} [${ours.best_ms.toFixed(2)}]`.padEnd(19)
      + `${wasm.toFixed(2).padStart(7)} [${Math.min(...browser.times).toFixed(2)}]`.padEnd(19)
      + `${ratio.toFixed(2).padStart(11)}  ${String(browser.network).padStart(9)}`);
  }
  console.log(`wasm/native: median of the ratios ${median(ratios).toFixed(2)}, largest ${Math.max(...ratios).toFixed(2)}`);
  await close();

  // The largest message the page accepts: real headers, then a body up to 48 MiB.
  const { page: big, close: closeBig } = await openContext(servers.browser, servers.baseUrl);
  const memory = await big.evaluate(async ({ head, size, now }) => {
    const core = await import('./pkg/mailspect.js');
    const wasm = await core.default({ module_or_path: new URL('./pkg/mailspect_bg.wasm', location.href) });
    const line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n';
    const body = line.repeat(Math.floor((size - head.length - 4) / line.length));
    const message = `${head}\r\n\r\n${body}`;
    const before = wasm.memory.buffer.byteLength;
    const start = performance.now();
    const report = await core.analyzeMessage(message, { doh: 'off', now });
    return {
      bytes: message.length,
      ms: performance.now() - start,
      before,
      after: wasm.memory.buffer.byteLength,
      heap: performance.memory?.usedJSHeapSize ?? null,
      body: report.body?.bytes ?? null,
    };
  }, { head: cases[0].message.split(/\r?\n\r?\n/)[0].replace(/\r?\n/g, '\r\n'), size: LARGEST, now: NOW });
  const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);
  console.log(`\n${mib(memory.bytes)} MiB message (body ${mib(memory.body)} MiB), DNS off: analysed in ${memory.ms.toFixed(0)} ms;`
    + ` wasm memory ${mib(memory.before)} → ${mib(memory.after)} MiB (${(memory.after / memory.bytes).toFixed(2)}× the message);`
    + ` JS heap ${memory.heap === null ? 'not reported' : `${mib(memory.heap)} MiB`}`);
  await closeBig();
} finally {
  await servers.stop();
}
