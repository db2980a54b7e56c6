#!/usr/bin/env node
// Where the page's time goes in a whole-message analysis: Chromium's CPU profiler (through the
// DevTools protocol) over `analyzeMessage` of each conformance message that bench-browser.mjs
// times, DNS answered from the page's DoH cache, and the self time of each function, summed
// over all of them. "(idle)" is the main thread waiting, for the crypto thread's answers above
// all; "(program)" is the engine's own work outside JS and wasm; "(garbage collector)" is GC.
//
// Reads the module from www/PKG (default pkg). For function names in wasm, build one that keeps
// its name section, e.g.:
//   cargo build --profile wasm-release --target wasm32-unknown-unknown --lib --no-default-features --features message-view
//   wasm-bindgen --target web --out-dir www/pkg-prof --no-typescript target/wasm32-unknown-unknown/wasm-release/mailspect.wasm
// Run: node scripts/profile-browser.mjs [PKG] [SECONDS] [TOP]
import { conformanceCase, openContext, startPageServers } from '../wasm-tests/page/support.mjs';

const PKG = process.argv[2] ?? 'pkg';
const SECONDS = Number(process.argv[3] ?? 3);
const TOP = Number(process.argv[4] ?? 40);
const NOW = 1_764_576_000;
const CASES = [
  ...['001', '002', '003', '004', '005', '006'].map((name) => ['dkim', `${name}.txt`]),
  ['arc-messages', '001.txt'], ['arc-messages', '002.txt'],
];

const cases = [];
const zoneArgs = [];
const { mkdtemp, writeFile } = await import('node:fs/promises');
const dir = await mkdtemp('/tmp/mailspect-profile-');
for (const [folder, name] of CASES) {
  const { zone, message } = await conformanceCase(folder, name);
  const tlds = new Set(['arpa']);
  for (const line of zone.split('\n')) {
    const owner = line.split(' ')[0].replace(/\.$/, '');
    if (owner) tlds.add(owner.split('.').pop());
  }
  const soa = [...tlds].map((tld) => `${tld}. 300 SOA ns.${tld}. hostmaster.${tld}. 1 3600 600 86400 300`);
  const zonePath = `${dir}/${folder}-${name}.zone`;
  await writeFile(zonePath, `${zone}${soa.join('\n')}\n`);
  zoneArgs.push('--zone', zonePath);
  cases.push(message);
}
const servers = await startPageServers(zoneArgs);
try {
  const { page, close } = await openContext(servers.browser, servers.baseUrl);
  await page.evaluate(async (pkg) => {
    const core = await import(`./${pkg}/mailspect.js`);
    await core.default({ module_or_path: new URL(`./${pkg}/mailspect_bg.wasm`, location.href) });
    window.benchCore = core;
  }, PKG);
  const run = (seconds) => page.evaluate(async ({ messages, now, doh, seconds }) => {
    const options = { doh, now };
    let count = 0;
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      for (const message of messages) await window.benchCore.analyzeMessage(message, options);
      count += 1;
    }
    return count;
  }, { messages: cases, now: NOW, doh: servers.dohUrls[0], seconds });
  await run(0.5);
  const session = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 50 });
  await session.send('Profiler.start');
  const rounds = await run(SECONDS);
  const { profile } = await session.send('Profiler.stop');
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  let total = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const { functionName, url } = node.callFrame;
    const where = url.split('/').pop();
    // Anonymous JS functions by their line, so that one can look them up in the glue.
    const line = !functionName && where ? `:${node.callFrame.lineNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'}${where ? ` ${where}${line}` : ''}`;
    const time = deltas[index + 1] ?? 0;
    self.set(name, (self.get(name) ?? 0) + time);
    total += time;
  });
  const perRound = (us) => (us / rounds / 1000).toFixed(3);
  console.log(`${rounds} rounds of ${cases.length} messages in ${SECONDS} s: ${perRound(total)} ms a round;`
    + ' self time per round (all messages), ms and share');
  const kinds = new Map();
  for (const [name, time] of self) {
    const kind = name.endsWith('_bg.wasm') ? 'wasm' : name.endsWith('.js') ? 'JS glue'
      : name.startsWith('(') ? name : 'browser built-ins';
    kinds.set(kind, (kinds.get(kind) ?? 0) + time);
  }
  for (const [kind, time] of [...kinds].sort((a, b) => b[1] - a[1])) {
    console.log(`${perRound(time).padStart(8)}  ${(100 * time / total).toFixed(1).padStart(5)}%  [${kind}]`);
  }
  for (const [name, time] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(`${perRound(time).padStart(8)}  ${(100 * time / total).toFixed(1).padStart(5)}%  ${name}`);
  }
  await close();
} finally {
  await servers.stop();
}
