// What the page test files share: starting the static server and mailspect's DoH server on
// free ports, and launching Debian's Chromium (never a downloaded browser).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildSite } from '../../scripts/build-site.mjs';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const artifacts = `${root}artifacts`;

/**
 * The page as it is served (scripts/build-site.mjs: www/ with its modules minified), built from
 * the current sources for this test process alone, so that a test never runs against a stale
 * build and test files running side by side never share one. The wasm modules are linked, not
 * copied.
 */
const siteFolder = await mkdtemp(join(tmpdir(), 'mailspect-site-'));
process.on('exit', () => rmSync(siteFolder, { recursive: true, force: true }));
export const site = join(siteFolder, 'www');
await buildSite(`${root}www`, site, { link: true });

/** Starts a child process and resolves to the first match of `pattern` in what it prints. */
export function start(command, args, stream, pattern) {
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

/** The static server for the built page (`site`) on a free port. */
export const startWww = () =>
  start(process.execPath, [`${root}scripts/serve-www.mjs`, '--port', '0', '--root', site],
    'stdout', /http:\/\/127\.0\.0\.1:\d+\//);

/** `mailspect serve-dns` on a free loopback port, with `args` (zones, a delay). */
export const startDoh = (args) =>
  start(`${root}target/debug/mailspect`, ['serve-dns', ...args, '--listen', '127.0.0.1:0'],
    'stderr', /http:\/\/127\.0\.0\.1:\d+\/dns-query/);

/** Debian's Chromium, headless, with the flags this machine's closed network needs. */
export const launchBrowser = () => chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

/**
 * The static server, one `mailspect serve-dns` for each argument list in `dohArgs`, and the
 * browser. Resolves to their addresses and `stop()`, which ends them all.
 */
export async function startPageServers(...dohArgs) {
  await mkdir(artifacts, { recursive: true });
  const www = startWww();
  const dohs = dohArgs.map((args) => startDoh(args));
  const [baseUrl, ...dohUrls] = await Promise.all([www.found, ...dohs.map((doh) => doh.found)]);
  const browser = await launchBrowser();
  const stop = async () => {
    await browser.close();
    www.child.kill();
    for (const doh of dohs) doh.child.kill();
  };
  return { baseUrl, dohUrls, browser, stop };
}

/**
 * Opens `url` in a fresh browser context (its own localStorage), collecting page errors, console
 * errors and every request, once <mailspect-analyzer> is defined; with `doh`, the widget resolves
 * through it. `initScripts` run in each document before its own scripts.
 */
export async function openContext(browser, url, { doh = null, initScripts = [], ...options } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, ...options });
  for (const script of initScripts) await context.addInitScript(script);
  // The resolver is the reader's remembered choice before the page loads, so that work the page
  // starts by itself (a #domain= link) asks it too.
  if (doh) await context.addInitScript((resolver) => localStorage.setItem('mailspect.doh', resolver), doh);
  const page = await context.newPage();
  const problems = [];
  const requests = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(url);
  await page.waitForFunction(() => customElements.get('mailspect-analyzer'));
  if (doh) await page.locator('mailspect-analyzer').evaluate((element, resolver) => { element.doh = resolver; }, doh);
  return { page, context, problems, requests, close: () => context.close() };
}

/**
 * Reads a conformance file of ../shared/conformance/<folder>/ in place (`dkim/`,
 * `arc-messages/`): DNS TXT records one a line (`name value`), a blank line, then the message.
 * Returns the records as a zone file's text.
 */
export async function conformanceCase(folder, name) {
  const text = await readFile(`${root}../shared/conformance/${folder}/${name}`, 'utf8');
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
