// DKIM and ARC in the Message view verify with the browser's WebCrypto (www/crypto.js,
// src/wasm/subtle.rs), and where WebCrypto is missing or refuses, with the audit module's Rust
// code. Either way the verdicts must be the CLI's: each conformance message (an rsa-sha256 and
// an ed25519 DKIM signature; an ARC chain sealed with ed25519, then rsa) is analysed by
// `mailspect message --json` and by the page, through the same DoH server, and the DKIM and ARC
// parts of the two reports compared whole.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { conformanceCase, openContext, root, startPageServers } from './support.mjs';

// Inside the signatures' validity, so that both sides check them against the same clock.
const NOW = 1700000000;
const cases = [['dkim', '001.txt'], ['arc-messages', '002.txt']];
let servers;
const messages = [];

before(async () => {
  const zoneDir = await mkdtemp(`${tmpdir()}/mailspect-crypto-`);
  const zones = [];
  for (const [folder, name] of cases) {
    const { zone, message } = await conformanceCase(folder, name);
    const base = `${zoneDir}/${folder}-${name}`;
    await writeFile(`${base}.zone`, zone);
    await writeFile(`${base}.eml`, message);
    zones.push('--zone', `${base}.zone`);
    messages.push({ label: `${folder}/${name}`, message, file: `${base}.eml` });
  }
  servers = await startPageServers(zones);
});

after(() => servers?.stop());

async function cliReport(file) {
  const { stdout } = await promisify(execFile)(`${root}target/debug/mailspect`,
    ['message', '--json', '--dns', `doh:${servers.dohUrls[0]}`, '--now', String(NOW), file],
    { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout);
}

/** The page's report of `message`, through core.js as the widget calls it. */
const pageReport = (page, message) => page.evaluate(async ({ message, doh, now }) => {
  const core = await import(new URL('core.js', location.href).href);
  return core.analyzeMessage(message, { doh, now });
}, { message, doh: servers.dohUrls[0], now: NOW });

const verdicts = (report) => ({ dkim: report.dkim, arc: report.arc });

test('WebCrypto gives the CLI\'s DKIM and ARC results', async () => {
  const { page, problems, requests, close } = await openContext(servers.browser, servers.baseUrl);
  for (const { label, message, file } of messages) {
    const [cli, inPage] = await Promise.all([cliReport(file), pageReport(page, message)]);
    assert.deepEqual(verdicts(inPage), verdicts(cli), label);
    const results = cli.dkim.map((signature) => `${signature.algorithm} ${signature.result}`);
    if (label.startsWith('dkim/')) assert.deepEqual(results, ['ed25519-sha256 pass', 'rsa-sha256 pass'], label);
    else assert.equal(cli.arc.result, 'pass', label);
  }
  // The worker's DoH queries are among the requests seen, so the audit module's would be too.
  assert.ok(requests.some((url) => url.startsWith(servers.dohUrls[0])), 'DoH requests are seen');
  assert.ok(!requests.some((url) => url.includes('/pkg-audit/')), 'no fallback with WebCrypto at hand');
  assert.deepEqual(problems, []);
  await close();
});

/** Workers that cannot start: core.js then analyses on the main thread, where init scripts apply. */
const noWorkers = () => {
  globalThis.Worker = class {
    constructor() {
      throw new Error('no workers in this test');
    }
  };
};

async function assertFallbackMatches(script, expectVerify) {
  const { page, problems, requests, close } = await openContext(servers.browser, servers.baseUrl,
    { initScripts: [noWorkers, script] });
  for (const { label, message, file } of messages) {
    const [cli, inPage] = await Promise.all([cliReport(file), pageReport(page, message)]);
    assert.deepEqual(verdicts(inPage), verdicts(cli), label);
  }
  assert.ok(requests.some((url) => url.includes('/pkg-audit/mailspect_audit_bg.wasm')), 'the audit module was fetched');
  const used = await page.evaluate(async () => (await import(new URL('crypto.js', location.href).href)).fallbackUse);
  assert.ok(used.verify >= expectVerify, `fallback verifications: ${JSON.stringify(used)}`);
  assert.deepEqual(problems, []);
  await close();
}

test('without crypto.subtle the audit module verifies, with the same results', async () => {
  await assertFallbackMatches(() => {
    Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined, configurable: true });
  }, 4);
});

test('an algorithm WebCrypto does not support (Ed25519) falls back, with the same results', async () => {
  await assertFallbackMatches(() => {
    const importKey = SubtleCrypto.prototype.importKey;
    SubtleCrypto.prototype.importKey = function (format, data, algorithm, ...rest) {
      const name = typeof algorithm === 'string' ? algorithm : algorithm.name;
      if (name === 'Ed25519') return Promise.reject(new DOMException('Algorithm: Unrecognized name', 'NotSupportedError'));
      return importKey.call(this, format, data, algorithm, ...rest);
    };
  }, 2);
});
