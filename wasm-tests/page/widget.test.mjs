// <mailspect-analyzer> as a widget: its attributes and properties, what starts an analysis (a
// paste, a dropped file), the race between two analyses, the resolver picker's memory, the theme,
// a foreign page embedding it, and axe-core's accessibility rules. Same setup as
// analyze.test.mjs: the static server, Debian's Chromium through playwright-core, and mailspect's
// own DoH server on loopback (one prompt, one that answers every query 400 ms late).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { artifacts, openContext, root, startPageServers } from './support.mjs';

const axeSource = createRequire(import.meta.url)('axe-core').source;
const SLOW_MS = 400;
let servers;
let baseUrl;
let dohUrl;
let slowDohUrl;
let newsletter;

before(async () => {
  newsletter = await readFile(`${root}tests/fixtures/messages/newsletter-headers.txt`, 'utf8');
  const zone = `${root}tests/fixtures/dns/newsletter.zone`;
  servers = await startPageServers(['--zone', zone], ['--zone', zone, '--delay-ms', String(SLOW_MS)]);
  ({ baseUrl } = servers);
  [dohUrl, slowDohUrl] = servers.dohUrls;
});

after(() => servers?.stop());

/** Opens `path` in a fresh context (its own localStorage), with the widget resolving locally. */
const openPage = (path = '', { doh = true, ...options } = {}) =>
  openContext(servers.browser, `${baseUrl}${path}`, { doh: doh ? dohUrl : null, ...options });

/** Resolves to the reports of every mailspect-report event the element fires from now on. */
const collectReports = (page) => page.locator('mailspect-analyzer').evaluate((element) => {
  window.reports = [];
  element.addEventListener('mailspect-report', (event) => window.reports.push(event.report));
});
const reports = (page) => page.evaluate(() => window.reports);

/** Fills the input, presses Analyse and resolves to the report the page rendered. */
async function analyse(page, text) {
  const report = page.locator('mailspect-analyzer').evaluate((element) => new Promise((resolve) =>
    element.addEventListener('mailspect-report', (event) => resolve(event.report), { once: true })));
  await page.locator('mailspect-analyzer textarea[name=message]').fill(text);
  await page.getByRole('button', { name: 'Analyse' }).click();
  const result = await report;
  await page.locator('section.verdict').waitFor();
  return result;
}

test('doh, mode, theme and compact reflect as properties; null removes the attribute, invalid falls back', async () => {
  const { page, problems, close } = await openPage('', { doh: false });
  const seen = await page.locator('mailspect-analyzer').evaluate((element) => {
    const state = () => ({
      doh: element.doh, mode: element.mode, theme: element.theme, compact: element.compact,
      attributes: Object.fromEntries(['doh', 'mode', 'theme', 'compact'].map((name) => [name, element.getAttribute(name)])),
    });
    const steps = { defaults: state() };
    element.doh = 'quad9';
    element.mode = 'domain';
    element.theme = 'dark';
    element.compact = true;
    steps.set = state();
    element.doh = null;
    element.mode = undefined;
    element.theme = null;
    element.compact = false;
    steps.nulls = state();
    element.setAttribute('doh', 'no such resolver');
    element.setAttribute('mode', 'bogus');
    element.setAttribute('theme', 'purple');
    steps.invalid = state();
    element.setAttribute('doh', 'https://dns.example/dns-query');
    element.setAttribute('mode', ' Record ');
    element.setAttribute('theme', 'LIGHT');
    element.setAttribute('compact', 'false'); // a boolean attribute: present is true
    steps.attributes = state();
    for (const name of ['doh', 'mode', 'theme', 'compact']) element.removeAttribute(name);
    steps.removed = state();
    element.value = 'Subject: typed\n';
    steps.value = [element.value, element.shadowRoot.querySelector('textarea').value];
    element.value = null;
    steps.valueNull = element.value;
    return steps;
  });
  const none = { doh: null, mode: null, theme: null, compact: null };
  const defaults = { doh: 'cloudflare', mode: 'message', theme: 'auto', compact: false, attributes: none };
  assert.deepEqual(seen.defaults, defaults);
  assert.deepEqual(seen.set, { doh: 'quad9', mode: 'domain', theme: 'dark', compact: true,
    attributes: { doh: 'quad9', mode: 'domain', theme: 'dark', compact: '' } });
  // Regression: `element.doh = null` stored the string "null".
  assert.deepEqual(seen.nulls, defaults);
  assert.deepEqual(seen.invalid, { ...defaults,
    attributes: { doh: 'no such resolver', mode: 'bogus', theme: 'purple', compact: null } });
  assert.deepEqual(seen.attributes, { doh: 'https://dns.example/dns-query', mode: 'record', theme: 'light', compact: true,
    attributes: { doh: 'https://dns.example/dns-query', mode: ' Record ', theme: 'LIGHT', compact: 'false' } });
  assert.deepEqual(seen.removed, defaults);
  assert.deepEqual(seen.value, ['Subject: typed\n', 'Subject: typed\n']);
  assert.equal(seen.valueNull, '');

  // The events are Event subclasses that cross the shadow boundary.
  const events = await page.evaluate(async () => {
    const { MailspectReportEvent, MailspectErrorEvent } = await import('./mailspect-analyzer.js');
    return [new MailspectReportEvent({}), new MailspectErrorEvent('x')].map((event) =>
      ({ type: event.type, bubbles: event.bubbles, composed: event.composed, isEvent: event instanceof Event }));
  });
  assert.deepEqual(events, [
    { type: 'mailspect-report', bubbles: true, composed: true, isEvent: true },
    { type: 'mailspect-error', bubbles: true, composed: true, isEvent: true },
  ]);
  assert.deepEqual(problems, []);
  await close();
});

test('analyze() resolves to the report and fires one mailspect-report; an error fires mailspect-error', async () => {
  const { page, problems, close } = await openPage();
  await collectReports(page);
  const result = await page.locator('mailspect-analyzer').evaluate(async (element, text) => {
    const errors = [];
    element.addEventListener('mailspect-error', (event) => errors.push(event.message));
    element.value = text;
    const report = await element.analyze();
    const failure = await element.analyze('prose, not a message\n').then(() => null, (error) => error.message);
    return { subject: report.summary?.subject ?? null, failure, errors };
  }, newsletter);
  assert.equal((await reports(page)).length, 1);
  assert.match(result.failure, /no header fields found/);
  assert.deepEqual(result.errors, [result.failure]);
  assert.match(await page.getByRole('alert').textContent(), /Cannot analyse the pasted text: .*no header fields found/);
  assert.deepEqual(problems, []);
  await close();
});

test('each mode has its own input; switching modes drops the other mode\'s report; message brings its input back', async () => {
  const { page, problems, close } = await openPage();
  const analyzer = page.locator('mailspect-analyzer');
  await analyse(page, newsletter);
  for (const [mode, input] of [['domain', 'input[name=domain]'], ['record', 'textarea[name=record]']]) {
    await analyzer.evaluate((element, value) => { element.mode = value; }, mode);
    assert.equal(await page.locator(`mailspect-analyzer ${input}`).isVisible(), true, `${mode} shows its input`);
    assert.equal(await page.locator('mailspect-analyzer textarea[name=message]').isVisible(), false);
    assert.equal(await page.locator('mailspect-analyzer section.verdict').count(), 0, 'the message report is gone');
    // `value` is the current mode's input.
    await analyzer.evaluate((element) => { element.value = 'v=spf1 -all'; });
    assert.equal(await page.locator(`mailspect-analyzer ${input}`).inputValue(), 'v=spf1 -all');
  }
  const record = await analyzer.evaluate((element) => element.analyze().then((report) => report.kind));
  assert.equal(record, 'spf');
  await analyzer.evaluate((element) => element.removeAttribute('mode'));
  assert.equal(await page.locator('mailspect-analyzer textarea[name=message]').isVisible(), true);
  await analyse(page, newsletter);
  assert.deepEqual(problems, []);
  await close();
});

// Regression: a paste and a click that overlapped raced, and whichever analysis ended last won.
test('a newer analysis supersedes a slower one: only the second renders, one mailspect-report fires, with its report', async () => {
  const { page, problems, close } = await openPage();
  await collectReports(page);
  const analyzer = page.locator('mailspect-analyzer');
  const outcome = analyzer.evaluate(async (element, { slow, fast, text }) => {
    element.doh = slow;
    const first = element.analyze(text).then(() => 'resolved', (error) => error.name);
    // The second starts once the first is waiting on DNS (its worker and module may take a
    // while to start on a busy machine): polled, not a fixed delay.
    const status = () => element.shadowRoot.querySelector('.status').textContent;
    for (let waited = 0; waited < 10000 && !/ DNS: /.test(status()); waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const busy = status();
    element.doh = fast;
    const second = await element.analyze('From: Second <second@example.com>\nSubject: the second input\n');
    return { first: await first, busy, second: second.summary };
  }, { slow: slowDohUrl, fast: dohUrl, text: newsletter });
  const { first, busy, second } = await outcome;
  assert.match(busy, /^Analysing… DNS: 0 of \d+ lookups? answered\.$/);
  assert.equal(first, 'AbortError');
  assert.match(JSON.stringify(second), /the second input/);

  // Let the first analysis finish: the same message through the slow resolver, in a page of its
  // own (its own wasm instance and DNS cache), started after the first, ends after it.
  const other = await openPage('', { doh: false });
  const ms = await other.page.evaluate(async ({ slow, text }) => {
    const { ready } = await import('./mailspect-analyzer.js');
    const core = await ready;
    const started = performance.now();
    await core.analyzeMessage(text, { doh: slow });
    return performance.now() - started;
  }, { slow: slowDohUrl, text: newsletter });
  assert.ok(ms > SLOW_MS, `the slow resolver answered in ${ms} ms`);
  await other.close();
  await page.waitForTimeout(500);

  const fired = await reports(page);
  assert.equal(fired.length, 1);
  assert.match(JSON.stringify(fired[0].summary), /the second input/);
  assert.match(await page.locator('mailspect-analyzer .summary-list').textContent(), /the second input/);
  assert.doesNotMatch(await page.locator('mailspect-analyzer .results').textContent(), /Übersicht/);
  assert.match(await page.locator('mailspect-analyzer .status').textContent(), /Analysed the pasted text/);
  assert.deepEqual(problems, []);
  await close();
});

test('the cancel control drops the running analysis: nothing renders and no event fires', async () => {
  const { page, problems, close } = await openPage();
  await collectReports(page);
  const analyzer = page.locator('mailspect-analyzer');
  const first = analyzer.evaluate((element, { slow, text }) => {
    element.doh = slow;
    return element.analyze(text).then(() => 'resolved', (error) => error.name);
  }, { slow: slowDohUrl, text: newsletter });
  const cancel = page.getByRole('button', { name: 'Cancel' });
  await cancel.waitFor();
  assert.match(await page.locator('mailspect-analyzer .status').textContent(), /Analysing…/);
  await cancel.click();
  assert.equal(await first, 'AbortError');
  assert.equal(await cancel.isVisible(), false);
  assert.match(await page.locator('mailspect-analyzer .status').textContent(), /Cancelled/);
  await page.waitForTimeout(SLOW_MS * 12);
  assert.deepEqual(await reports(page), []);
  assert.equal(await page.locator('mailspect-analyzer section.verdict').count(), 0);
  assert.deepEqual(problems, []);
  await close();
});

test('a paste starts the analysis without a click: into the input, and anywhere on the page', async () => {
  const { page, problems, close } = await openPage('', { permissions: ['clipboard-read', 'clipboard-write'] });
  await collectReports(page);
  const textarea = page.locator('mailspect-analyzer textarea[name=message]');
  await textarea.focus();
  await page.evaluate((text) => navigator.clipboard.writeText(text), newsletter);
  await page.keyboard.press('ControlOrMeta+V');
  await page.locator('mailspect-analyzer section.verdict').waitFor();
  assert.equal(await textarea.inputValue(), newsletter);
  assert.equal((await reports(page)).length, 1);
  assert.match(await page.locator('mailspect-analyzer .status').textContent(), /Analysed the pasted text/);

  // A paste with nothing focused (on the page's heading) goes to the widget too.
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.setData('text/plain', 'From: Pasted <p@example.com>\nSubject: pasted on the page\n');
    document.querySelector('h1').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await page.locator('mailspect-analyzer .summary-list', { hasText: 'pasted on the page' }).waitFor();
  assert.equal((await reports(page)).length, 2);
  assert.match(await textarea.inputValue(), /pasted on the page/);
  // A paste into an envelope field is the field's own.
  await page.locator('summary', { hasText: 'Envelope and DNS' }).click();
  await page.locator('input[name=ip]').focus();
  await page.evaluate(() => navigator.clipboard.writeText('192.0.2.1'));
  await page.keyboard.press('ControlOrMeta+V');
  await page.waitForTimeout(300);
  assert.equal(await page.locator('input[name=ip]').inputValue(), '192.0.2.1');
  assert.equal((await reports(page)).length, 2);
  assert.deepEqual(problems, []);
  await close();
});

/** Drops a file named `name` holding `text` on the element matching `selector`. */
async function dropFile(page, selector, name, text) {
  const dataTransfer = await page.evaluateHandle(({ name: fileName, text: body }) => {
    const data = new DataTransfer();
    data.items.add(new File([body], fileName, { type: fileName.endsWith('.eml') ? 'message/rfc822' : '' }));
    return data;
  }, { name, text });
  await page.dispatchEvent(selector, 'dragover', { dataTransfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer });
}

test('dropping a .eml file starts the analysis, on the widget and anywhere on the page; other files are refused', async () => {
  const { page, problems, close } = await openPage();
  await collectReports(page);
  await dropFile(page, 'mailspect-analyzer', 'newsletter.eml', newsletter);
  await page.locator('mailspect-analyzer section.verdict').waitFor();
  assert.match(await page.locator('mailspect-analyzer .status').textContent(), /Analysed newsletter\.eml in \d+ ms/);
  assert.match(await page.locator('mailspect-analyzer textarea[name=message]').getAttribute('placeholder'), /newsletter\.eml \([\d,]+ bytes\) was opened/);
  assert.equal((await reports(page)).length, 1);

  // On the page outside the widget (the footer), as index.html does.
  await dropFile(page, 'footer', 'second.txt', 'From: Dropped <d@example.com>\nSubject: dropped on the footer\n');
  await page.locator('mailspect-analyzer .summary-list', { hasText: 'dropped on the footer' }).waitFor();
  assert.equal((await reports(page)).length, 2);
  assert.equal(page.url(), baseUrl, 'the browser did not navigate to the file');

  // Listening before the drop: an unawaited evaluate might reach the page after it.
  await page.locator('mailspect-analyzer').evaluate((element) => {
    window.nextError = new Promise((resolve) =>
      element.addEventListener('mailspect-error', (event) => resolve(event.message), { once: true }));
  });
  await dropFile(page, 'mailspect-analyzer', 'photo.png', 'not a message');
  assert.match(await page.evaluate(() => window.nextError), /open a \.eml, \.msg or \.txt file/);
  assert.match(await page.getByRole('alert').textContent(), /Cannot analyse photo\.png/);
  assert.equal((await reports(page)).length, 2);
  assert.deepEqual(problems, []);
  await close();
});

test('the resolver picker remembers its choice in localStorage; a doh attribute wins over it', async () => {
  const { page, problems, close } = await openPage('', { doh: false });
  const picker = page.locator('mailspect-analyzer select[name=doh]');
  assert.equal(await picker.inputValue(), 'cloudflare');
  assert.deepEqual(await picker.locator('option').allTextContents(), ['Cloudflare', 'Google', 'Quad9', 'Custom URL…']);
  await page.locator('summary', { hasText: 'Envelope and DNS' }).click();
  await picker.selectOption('google');
  assert.equal(await page.evaluate(() => localStorage.getItem('mailspect.doh')), 'google');
  assert.equal(await page.locator('mailspect-analyzer').getAttribute('doh'), 'google');

  await page.reload();
  await page.waitForFunction(() => customElements.get('mailspect-analyzer'));
  assert.equal(await page.locator('mailspect-analyzer').getAttribute('doh'), null);
  assert.equal(await page.locator('mailspect-analyzer').evaluate((element) => element.doh), 'google');
  assert.equal(await picker.inputValue(), 'google');

  // An element whose page says doh="quad9" uses Quad9, whatever the reader chose elsewhere.
  const attributed = await page.evaluate(() => {
    const element = document.createElement('mailspect-analyzer');
    element.setAttribute('doh', 'quad9');
    document.body.append(element);
    const shown = element.shadowRoot.querySelector('select[name=doh]').value;
    element.remove();
    return [element.doh, shown];
  });
  assert.deepEqual(attributed, ['quad9', 'quad9']);

  // A custom URL: the picker says so, the URL field holds it, and it is remembered too.
  await page.locator('summary', { hasText: 'Envelope and DNS' }).click();
  await picker.selectOption('custom');
  const url = page.getByLabel('Custom DNS-over-HTTPS URL');
  await url.fill(dohUrl);
  await url.press('Tab');
  assert.equal(await page.evaluate(() => localStorage.getItem('mailspect.doh')), dohUrl);
  assert.equal(await page.locator('mailspect-analyzer').evaluate((element) => element.doh), dohUrl);
  // And the analysis goes there: the newsletter's SPF resolves through the local server.
  const report = await analyse(page, newsletter);
  assert.ok(report.dns.length > 0);
  await page.reload();
  await page.waitForFunction(() => customElements.get('mailspect-analyzer'));
  assert.equal(await picker.inputValue(), 'custom');
  assert.equal(await page.getByLabel('Custom DNS-over-HTTPS URL').inputValue(), dohUrl);
  assert.deepEqual(problems, []);
  await close();
});

const frameColours = (page) => page.locator('mailspect-analyzer').evaluate((element) => {
  const frame = element.shadowRoot.querySelector('.frame');
  return { background: getComputedStyle(frame).backgroundColor, color: getComputedStyle(frame).color };
});

test('the theme follows the system; the page toggle sets the widget\'s theme attribute and is remembered', async () => {
  const dark = await openPage('', { colorScheme: 'dark' });
  const darkColours = await frameColours(dark.page);
  await dark.close();
  const { page, problems, close } = await openPage();
  const lightColours = await frameColours(page);
  assert.notDeepEqual(lightColours, darkColours);
  assert.equal(await page.locator('mailspect-analyzer').evaluate((element) => element.theme), 'auto');

  await page.getByLabel('Theme').selectOption('dark');
  assert.equal(await page.locator('mailspect-analyzer').getAttribute('theme'), 'dark');
  assert.deepEqual(await frameColours(page), darkColours);
  assert.equal(await page.evaluate(() => localStorage.getItem('mailspect.theme')), 'dark');
  await analyse(page, newsletter);
  // The dark palette's green on a light system, not the light one's.
  assert.equal(await page.locator('.check-item.met .check-status').first().evaluate((node) => getComputedStyle(node).color),
    'rgb(74, 222, 128)');
  await page.reload();
  await page.waitForFunction(() => customElements.get('mailspect-analyzer'));
  assert.equal(await page.locator('mailspect-analyzer').getAttribute('theme'), 'dark');
  assert.equal(await page.getByLabel('Theme').inputValue(), 'dark');
  await page.getByLabel('Theme').selectOption('light');
  assert.deepEqual(await frameColours(page), lightColours);
  assert.deepEqual(problems, []);
  await close();
});

/** Computed styles of the widget's parts that a host page's rules would change, if they leaked. */
const widgetStyles = (page) => page.locator('mailspect-analyzer').evaluate((element) => {
  const properties = ['color', 'background-color', 'font-family', 'font-size', 'font-style', 'letter-spacing', 'line-height',
    'text-transform', 'text-align', 'word-spacing', 'border-top-style', 'border-top-width', 'padding-top', 'margin-top',
    'text-decoration-line', 'box-sizing'];
  const selectors = ['.frame', 'textarea', 'button.primary', '.status', 'section.verdict', 'section.verdict h2',
    '.summary-list', '.finding', '.header-table td', 'details.options', '.results p'];
  return Object.fromEntries(selectors.map((selector) => {
    const node = element.shadowRoot.querySelector(selector);
    const style = node && getComputedStyle(node);
    return [selector, node ? Object.fromEntries(properties.map((name) => [name, style.getPropertyValue(name)])) : null];
  }));
});

test('embed.html: one module and the tag drive the widget, and the host page\'s clashing styles stay out', async () => {
  const home = await openPage();
  await analyse(home.page, newsletter);
  const expected = await widgetStyles(home.page);
  await home.close();

  const { page, problems, close } = await openPage('embed.html');
  assert.deepEqual(await page.locator('script').evaluateAll((scripts) => scripts.map((s) => [s.type, s.getAttribute('src')])),
    [['module', 'define.js']]);
  // The host page really is loud: its own paragraph is uppercase Comic Sans.
  const hostParagraph = await page.locator('.content > p').evaluate((node) => getComputedStyle(node).textTransform);
  assert.equal(hostParagraph, 'uppercase');
  const report = await analyse(page, newsletter);
  assert.equal(await page.locator('mailspect-analyzer section.verdict .verdict-sentence').textContent(), report.verdict.sentence);
  const seen = await widgetStyles(page);
  for (const [selector, style] of Object.entries(expected)) {
    assert.ok(style, `${selector} exists`);
    assert.deepEqual(seen[selector], style, `${selector} looks as it does on the widget's own page`);
  }
  assert.doesNotMatch(seen['button.primary']['font-family'], /Comic/);
  // The host page and the widget in it, as a visitor first sees them; then the whole widget.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${artifacts}/widget-embed.png` });
  await page.locator('mailspect-analyzer').screenshot({ path: `${artifacts}/widget-embed-full.png` });
  const phone = await openPage('embed.html', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await analyse(phone.page, newsletter);
  const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `embed.html is ${width} px wide at 390 px`);
  await phone.page.screenshot({ path: `${artifacts}/widget-embed-phone.png`, fullPage: true });
  assert.deepEqual(phone.problems, []);
  await phone.close();
  assert.deepEqual(problems, []);
  await close();
});

test('axe-core finds no serious or critical violations on the Message view, light and dark, 1200 and 390 px', async () => {
  for (const colorScheme of ['light', 'dark']) {
    for (const width of [1200, 390]) {
      // axe sets inline styles while it measures, which the page's CSP (style-src 'self') blocks.
      const { page, problems, close } = await openPage('', { colorScheme, viewport: { width, height: 900 }, bypassCSP: true });
      await analyse(page, newsletter);
      // Open every disclosure, so that axe sees what a reader can reach.
      await page.locator('mailspect-analyzer').evaluate((element) => {
        for (const details of element.shadowRoot.querySelectorAll('details')) details.open = true;
      });
      await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const results = await window.axe.run(document, { resultTypes: ['violations'] });
        return results.violations.filter((v) => ['serious', 'critical'].includes(v.impact)).map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 5).map((node) => ({ target: node.target, summary: node.failureSummary })),
        }));
      });
      assert.deepEqual(violations, [], `${colorScheme} at ${width} px: ${JSON.stringify(violations, null, 2)}`);
      assert.deepEqual(problems, []);
      await close();
    }
  }
});
