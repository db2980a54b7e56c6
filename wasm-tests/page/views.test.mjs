// The page's views (Message, Domain, Record) and what a reader takes away from a report: the
// JSON as a file and the Markdown for a ticket, each with and without redaction, and the printed
// page. Same setup as the other page tests: the static server, mailspect's DoH server on
// loopback, Debian's Chromium through playwright-core. Saves the README's screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { artifacts, openContext, root, startPageServers } from './support.mjs';

const axeSource = createRequire(import.meta.url)('axe-core').source;
let servers;
let baseUrl;
let newsletter;

before(async () => {
  newsletter = await readFile(`${root}tests/fixtures/messages/newsletter-headers.txt`, 'utf8');
  const zones = ['newsletter', 'good-domain', 'bad-domain'].flatMap((zone) => ['--zone', `${root}tests/fixtures/dns/${zone}.zone`]);
  servers = await startPageServers(zones);
  ({ baseUrl } = servers);
});

after(() => servers?.stop());

const openPage = (path = '', options = {}) =>
  openContext(servers.browser, `${baseUrl}${path}`, { doh: servers.dohUrls[0], acceptDownloads: true, ...options });

const analyse = (page, text) => page.locator('mailspect-analyzer').evaluate((element, input) => element.analyze(input), text);

test('the views: Message, Domain and Record, chosen by link and named in the address', async () => {
  const { page, problems, close } = await openPage();
  const current = () => page.locator('.views a[aria-current=page]').textContent();
  assert.equal(await current(), 'Message');
  assert.equal(await page.locator('mailspect-analyzer').getAttribute('mode'), null);
  await page.locator('.views a', { hasText: 'Domain' }).click();
  assert.equal(new URL(page.url()).hash, '#domain');
  assert.equal(await current(), 'Domain');
  assert.equal(await page.locator('mailspect-analyzer').getAttribute('mode'), 'domain');
  await page.locator('.views a', { hasText: 'Message' }).click();
  assert.equal(await page.locator('mailspect-analyzer textarea[name=message]').isVisible(), true);
  // A link straight to a view opens it.
  const record = await openPage('#record');
  assert.equal(await record.page.locator('.views a[aria-current=page]').textContent(), 'Record');
  assert.equal(await record.page.locator('mailspect-analyzer').getAttribute('mode'), 'record');
  await record.close();
  assert.deepEqual(problems, []);
  await close();
});

test('the Domain view audits through the local DoH server: the grade, the summary, fixes to publish', async () => {
  // A link to an audit: #domain=NAME runs it.
  const { page, problems, close } = await openPage('#domain=bad.example', { viewport: { width: 1200, height: 1600 } });
  const widget = page.locator('mailspect-analyzer');
  const grade = widget.locator('section.grade .grade-letter');
  await grade.waitFor();
  assert.equal(await grade.textContent(), 'F');
  assert.match(await widget.locator('.summary-lines').textContent(), /Anyone can send mail as bad\.example/);
  assert.match(await widget.locator('.summary-lines').textContent(), /downgraded to plaintext/);
  assert.equal(await widget.locator('input[name=domain]').inputValue(), 'bad.example');
  // Every finding of the report, each fix under its finding; every protocol has its panel.
  const report = await widget.evaluate((element) => new Promise((resolve) => {
    element.addEventListener('mailspect-report', (event) => resolve(event.report), { once: true });
    element.analyze('bad.example');
  }));
  assert.equal(await widget.locator('section.findings .finding').count(), report.findings.length);
  assert.equal(await widget.locator('section.findings .fix').count(), report.findings.filter((finding) => finding.fix).length);
  for (const key of ['mx', 'spf', 'dmarc', 'dkim', 'mta-sts', 'tls-rpt', 'bimi', 'dane', 'dnssec']) {
    assert.equal(await widget.locator(`section.protocol.${key}`).count(), 1, `${key} panel`);
  }
  assert.ok(await widget.locator('.dns-table tbody tr').count() >= 40, 'the DNS waterfall lists every query');
  assert.equal(new URL(page.url()).hash, '#domain=bad.example');
  await page.screenshot({ path: `${artifacts}/page-domain.png` });

  // The good domain: its MTA-STS policy cannot be fetched by a page (CORS), so the page asks
  // for it, and audits again with what is pasted.
  await widget.locator('input[name=domain]').fill('good.example');
  await widget.locator('.domain-intake button[type=submit]').click();
  await widget.locator('section.grade', { hasText: 'good.example' }).waitFor();
  assert.match(await widget.locator('.grade-score').textContent(), /not everything could be checked/);
  const paste = widget.locator('.policy-paste textarea');
  await paste.fill('version: STSv1\nmode: enforce\nmx: *.good.example\nmax_age: 604800\n');
  const checked = widget.evaluate((element) => new Promise((resolve) => {
    element.addEventListener('mailspect-report', (event) => resolve(event.report), { once: true });
  }));
  await widget.locator('.policy-paste button').click();
  const audited = await checked;
  assert.equal(audited.mta_sts.mode, 'enforce');
  assert.equal(audited.grade.complete, true);
  assert.equal(await widget.locator('section.grade .grade-letter').textContent(), 'A');
  assert.equal(new URL(page.url()).hash, '#domain=good.example');
  assert.deepEqual(problems, []);
  await close();
});

test('the Message view never downloads the audit module; loadAudit() fetches it once and audits a domain', async () => {
  const { page, problems, requests, close } = await openPage();
  await analyse(page, newsletter);
  const audit = (url) => url.includes('/pkg-audit/');
  assert.deepEqual(requests.filter(audit), [], 'a message analysis needs only pkg/');
  const reports = await page.evaluate(async (doh) => {
    const { loadAudit } = await import('./audit.js');
    const [first, second] = await Promise.all([loadAudit(), loadAudit()]);
    return {
      same: first === second,
      spf: await first.auditSpf('example.org', { doh }),
      dmarc: await first.auditDmarc('example.org', { doh }),
    };
  }, servers.dohUrls[0]);
  assert.ok(reports.same, 'one module, however often it is asked for');
  assert.equal(requests.filter((url) => url.endsWith('/pkg-audit/mailspect_audit_bg.wasm')).length, 1);
  // Plain objects, as the Message view's reports are: JSON-shaped, with the schema version.
  assert.equal(reports.spf.schema_version, '1.0');
  assert.equal(Object.getPrototypeOf(reports.spf), Object.prototype);
  assert.match(JSON.stringify(reports.spf), /_spf\.example\.org/);
  assert.equal(reports.dmarc.schema_version, '1.0');
  assert.match(JSON.stringify(reports.dmarc), /p=reject/);
  assert.deepEqual(problems, []);
  await close();
});

test('the Record view lints a pasted record with no DNS: the fault marked, the fixed record, the next step', async () => {
  const { page, context, problems, requests, close } = await openPage('#record');
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const widget = page.locator('mailspect-analyzer');
  await page.evaluate(() => navigator.clipboard.writeText('v=DMARC1; p=none; rua=mailto:dmarc@example.com; pct=50'));
  const before = requests.length;
  await widget.locator('textarea[name=record]').focus();
  await page.keyboard.press('Control+V');
  await widget.locator('.record-valid').waitFor();
  assert.match(await widget.locator('.record-valid').textContent(), /A valid dmarc record.*read as dmarc/);
  assert.ok(await widget.locator('mark.at-fault').count() >= 1, 'the faulty tags are marked');
  assert.match(await widget.locator('.next-step code.record').textContent(), /p=quarantine/);
  await widget.locator('.next-step button.copy').click();
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^v=DMARC1; p=quarantine/);
  assert.deepEqual(requests.slice(before).filter((url) => !url.startsWith(baseUrl)), [], 'no DNS, no request');
  // A kind given instead of guessed, and a record that is not one.
  await widget.locator('select[name=record-kind]').selectOption('tlsa');
  await widget.locator('textarea[name=record]').fill('3 1 1 abcd');
  await widget.locator('.record-intake button[type=submit]').click();
  await widget.locator('.record-valid', { hasText: /tlsa/ }).waitFor();
  assert.match(await widget.locator('.record-valid').textContent(), /Not a usable tlsa record/);
  await page.screenshot({ path: `${artifacts}/page-record.png`, fullPage: true });
  assert.deepEqual(problems, []);
  await close();
});

test('the first paint loads neither the report\'s renderer and stylesheet, the export bar, its Markdown nor the Domain view: each loads on first use, once', async () => {
  const { page, problems, requests, close } = await openPage();
  await page.locator('mailspect-analyzer textarea[name=message]').waitFor();
  await page.waitForLoadState('networkidle');
  const loads = (file) => requests.filter((url) => new URL(url).pathname.endsWith(`/${file}`)).length;
  const lazy = ['render.js', 'report.css', 'export.js', 'domain-view.js', 'audit.js', 'markdown.js'];
  assert.deepEqual(lazy.map(loads), [0, 0, 0, 0, 0, 0], 'the first paint needs none of them');
  await analyse(page, newsletter);
  await analyse(page, newsletter);
  const widget = page.locator('mailspect-analyzer');
  assert.equal(await widget.locator('.export-json').count(), 1, 'the report has its export bar');
  assert.equal(await widget.locator('.verdict-sentence').count(), 1, 'the report is rendered');
  // The report's stylesheet is in place when the report is drawn, not after.
  assert.equal(await widget.locator('.panel').first().evaluate((panel) => getComputedStyle(panel).borderTopLeftRadius), '8px');
  assert.deepEqual(lazy.map(loads), [1, 1, 1, 0, 0, 0], 'a message needs the renderer, its stylesheet and the export bar, not its Markdown');
  const audited = await widget.evaluate((element) => {
    element.mode = 'domain';
    return element.analyze('bad.example');
  });
  assert.equal(audited.domain, 'bad.example');
  assert.equal(await widget.locator('section.grade .grade-letter').textContent(), 'F');
  assert.equal(await widget.locator('.export-json').count(), 1, 'the audit has its export bar');
  assert.deepEqual(lazy.map(loads), [1, 1, 1, 1, 1, 0]);
  assert.deepEqual(problems, []);
  await close();
});

// The report waits for its stylesheet (render.js reportStyles): one that cannot load must not
// hold a report back, neither the first nor a later one.
test('a report.css that cannot load leaves the reports plain, every time, not missing', async () => {
  const { page, close } = await openPage();
  await page.route('**/report.css', (route) => route.abort());
  for (const subject of ['first', 'second']) {
    const report = await analyse(page, `From: A <a@example.com>\nSubject: the ${subject} input\n`);
    assert.equal(report.summary.subject, `the ${subject} input`);
    assert.match(await page.locator('mailspect-analyzer .summary-list').textContent(), new RegExp(`the ${subject} input`));
  }
  await close();
});

test('an Outlook .msg is read by the msg module, fetched only then, and gives the report of its headers', async () => {
  const { page, problems, requests, close } = await openPage();
  const msgModule = (url) => url.includes('/pkg-msg/');
  const fromText = await analyse(page, newsletter);
  assert.deepEqual(requests.filter(msgModule), [], 'text needs only pkg/');
  const msg = [...await readFile(`${root}tests/fixtures/messages/newsletter.msg`)];
  const fromMsg = await page.locator('mailspect-analyzer')
    .evaluate((element, bytes) => element.analyze(new Uint8Array(bytes)), msg);
  assert.equal(requests.filter((url) => url.endsWith('/pkg-msg/mailspect_msg_bg.wasm')).length, 1);
  const outlook = (report) => report.findings.filter((finding) => finding.code === 'intake.outlook-msg').length;
  assert.equal(outlook(fromMsg), 1, 'the report says the headers came from a .msg');
  assert.equal(outlook(fromText), 0);
  assert.deepEqual(fromMsg.headers, fromText.headers);
  assert.deepEqual(fromMsg.verdict, fromText.verdict);
  assert.deepEqual(problems, []);
  await close();
});

test('export: the JSON as a file and the Markdown to the clipboard, each also redacted', async () => {
  const { page, context, problems, requests, close } = await openPage();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  const report = await analyse(page, newsletter);
  const widget = page.locator('mailspect-analyzer');
  const saved = async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), widget.locator('.export-json').click()]);
    return { name: download.suggestedFilename(), report: JSON.parse(await readFile(await download.path(), 'utf8')) };
  };
  const copied = async () => {
    await widget.locator('.export-markdown').click();
    await widget.locator('.export-status', { hasText: /Copied/ }).waitFor();
    return page.evaluate(() => navigator.clipboard.readText());
  };

  const plain = await saved();
  assert.equal(plain.name, 'mailspect-report.json');
  assert.deepEqual(plain.report, report);
  assert.equal(plain.report.schema_version, '1.0');
  assert.match(JSON.stringify(plain.report), /alice@example\.net/);
  const markdown = await copied();
  assert.match(markdown, /^## mailspect report\n/);
  assert.match(markdown, /\*\*Verdict: authenticated\.\*\*/);
  assert.match(markdown, /alice@example\\\.net/);
  assert.match(markdown, /\| SPF \| em\\\.example\\\.org \| pass \|/);
  const auditModule = () => requests.filter((url) => url.endsWith('/pkg-audit/mailspect_audit_bg.wasm')).length;
  assert.equal(auditModule(), 0, 'an export without redaction needs no other module');

  await widget.locator('input[name=redact]').check();
  const redacted = await saved();
  assert.equal(redacted.name, 'mailspect-report-redacted.json');
  const text = JSON.stringify(redacted.report);
  assert.doesNotMatch(text, /alice@/, 'the recipient is masked');
  assert.ok(redacted.report.redaction.recipients >= 1);
  // The sender's evidence stays: the From domain, its DKIM signature and the SPF result.
  assert.equal(redacted.report.verdict.from_domain, 'example.org');
  assert.equal(redacted.report.dkim[0].domain, report.dkim[0].domain);
  assert.equal(redacted.report.spf.result, report.spf.result);
  const redactedMarkdown = await copied();
  assert.doesNotMatch(redactedMarkdown, /alice/);
  assert.match(redactedMarkdown, /^## mailspect report\n\n\*.*mask/s);
  assert.match(await widget.locator('.export-status').textContent(), /redacted/);
  assert.equal(auditModule(), 1, 'redaction is in the audit module, loaded once');
  assert.deepEqual(problems, []);
  await close();
});

test('the Markdown keeps a hostile header as text: HTML and link syntax escaped, hidden characters shown', async () => {
  const { page, close } = await openPage();
  const escaped = await page.evaluate(async () => {
    const { markdownText } = await import('./markdown.js');
    return [markdownText('<script>alert(1)</script>'), markdownText('[x](javascript:alert(1))'), markdownText('Pay\u202Egnp.exe')];
  });
  assert.deepEqual(escaped, ['\\<script\\>alert\\(1\\)\\</script\\>', '\\[x\\]\\(javascript:alert\\(1\\)\\)', 'Pay⟨U+202E⟩gnp\\.exe']);
  await close();
});

test('when the clipboard is refused, the Markdown is shown selected to copy by hand', async () => {
  const { page, close } = await openPage();
  await analyse(page, newsletter);
  await page.evaluate(() => {
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: () => Promise.reject(new Error('denied')) } });
  });
  const widget = page.locator('mailspect-analyzer');
  await widget.locator('.export-markdown').click();
  const box = widget.locator('textarea.export-text');
  assert.match(await box.inputValue(), /^## mailspect report/);
  assert.match(await widget.locator('.export-status').textContent(), /may not write to the clipboard/);
  await close();
});

test('printed, the report drops the controls and keeps every panel; the README screenshots', async () => {
  const { page, problems, close } = await openPage('', { viewport: { width: 1200, height: 1500 } });
  await analyse(page, newsletter);
  // Nothing but the report and the controls between the input and the verdict.
  assert.deepEqual(await page.locator('mailspect-analyzer .results').evaluate((results) =>
    [...results.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent)), []);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${artifacts}/readme-message.png` });
  await page.locator('mailspect-analyzer section.hops').screenshot({ path: `${artifacts}/readme-path.png` });
  await page.emulateMedia({ media: 'print' });
  const hidden = await page.locator('mailspect-analyzer').evaluate((element) =>
    ['.intake', '.progress', '.export'].map((selector) => getComputedStyle(element.shadowRoot.querySelector(selector)).display));
  assert.deepEqual(hidden, ['none', 'none', 'none']);
  assert.equal(await page.locator('.views').evaluate((node) => getComputedStyle(node).display), 'none');
  assert.ok(await page.locator('mailspect-analyzer section.verdict').isVisible());
  await page.screenshot({ path: `${artifacts}/page-print.png`, fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  assert.deepEqual(problems, []);
  await close();

  const dark = await openPage('', { colorScheme: 'dark', viewport: { width: 1200, height: 1500 } });
  await analyse(dark.page, newsletter);
  await dark.page.screenshot({ path: `${artifacts}/readme-message-dark.png` });
  await dark.close();
  const phone = await openPage('', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await analyse(phone.page, newsletter);
  await phone.page.locator('mailspect-analyzer section.verdict').scrollIntoViewIfNeeded();
  await phone.page.screenshot({ path: `${artifacts}/readme-message-phone.png` });
  await phone.close();
  // The narrowest phone the page is made for: nothing scrolls sideways.
  const narrow = await openPage('', { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  await analyse(narrow.page, newsletter);
  assert.ok(await narrow.page.evaluate(() => document.documentElement.scrollWidth) <= 360, 'the page fits 360 px');
  await narrow.close();
});

test('axe-core finds no serious or critical violations on every view, light and dark, 1200 and 390 px', async () => {
  for (const view of ['domain', 'record']) {
    for (const colorScheme of ['light', 'dark']) {
      for (const width of [1200, 390]) {
        // axe sets inline styles while it measures, which the page's CSP (style-src 'self') blocks.
        const { page, problems, close } = await openPage(`#${view}`, { colorScheme, viewport: { width, height: 900 }, bypassCSP: true });
        await page.locator('mailspect-analyzer').evaluate((element, input) => element.analyze(input),
          view === 'domain' ? 'bad.example' : 'v=spf1 ptr +all');
        await page.locator('mailspect-analyzer').evaluate((element) => {
          for (const details of element.shadowRoot.querySelectorAll('details')) details.open = true;
        });
        await page.evaluate(axeSource);
        const violations = await page.evaluate(async () => {
          const results = await window.axe.run(document, { resultTypes: ['violations'] });
          return results.violations.filter((v) => ['serious', 'critical'].includes(v.impact))
            .map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 5).map((node) => node.target) }));
        });
        assert.deepEqual(violations, [], `${view}, ${colorScheme} at ${width} px: ${JSON.stringify(violations)}`);
        assert.deepEqual(problems, []);
        await close();
      }
    }
  }
});
