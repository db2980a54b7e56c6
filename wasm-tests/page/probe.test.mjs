// A probe report the CLI wrote, dropped on the Domain view: the page cannot open SMTP
// connections, so `mailspect probe` runs here against a small SMTP server this test starts on
// 127.0.0.1 (a free port), with good.example's MX host on loopback in a zone file of its own.
// The page audits good.example through the fixture zones' DoH server, folds the dropped report
// in (the audit module checks it and regrades), and shows the probe panel. A report with a
// forged finding code is refused with the reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openContext, root, startPageServers } from './support.mjs';

let servers;
let probeJson;
let smtp;

/** An SMTP server without STARTTLS that offers AUTH PLAIN in plaintext and refuses to relay. */
function startSmtp() {
  const server = createServer((socket) => {
    socket.write('220 mx1.good.example ESMTP test\r\n');
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk;
      let end;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end).toUpperCase();
        buffered = buffered.slice(end + 2);
        if (line.startsWith('EHLO')) socket.write('250-mx1.good.example\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 10240000\r\n');
        else if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
        else socket.write('502 5.5.2 not here\r\n');
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  smtp = await startSmtp();
  const dir = await mkdtemp(join(tmpdir(), 'mailspect-probe-page-'));
  const zone = join(dir, 'loopback.zone');
  await writeFile(zone, '$ORIGIN good.example.\n$TTL 300\n@ IN MX 10 mx1\nmx1 IN A 127.0.0.1\n');
  const { stdout } = await promisify(execFile)(`${root}target/debug/mailspect`,
    ['probe', 'good.example', '--port', String(smtp.address().port), '--dns', `zone:${zone}`, '--json']);
  probeJson = stdout;
  servers = await startPageServers(['--zone', `${root}tests/fixtures/dns/good-domain.zone`]);
});

after(() => {
  smtp?.close();
  return servers?.stop();
});

/** Drops a file holding `text` on the widget. */
async function dropFile(page, name, text) {
  const dataTransfer = await page.evaluateHandle(({ fileName, body }) => {
    const data = new DataTransfer();
    data.items.add(new File([body], fileName, { type: 'application/json' }));
    return data;
  }, { fileName: name, body: text });
  await page.dispatchEvent('mailspect-analyzer', 'dragover', { dataTransfer });
  await page.dispatchEvent('mailspect-analyzer', 'drop', { dataTransfer });
}

test('a probe report dropped on the Domain view is shown with the audit and costs points', async () => {
  const { page, problems, requests, close } = await openContext(servers.browser, `${servers.baseUrl}#domain=good.example`, { doh: servers.dohUrls[0] });
  const widget = page.locator('mailspect-analyzer');
  // Before a report is dropped, the audit says how to get one; probe-view.js is not loaded.
  await widget.locator('.probe-hint').waitFor();
  assert.match(await widget.locator('.probe-hint').textContent(), /mailspect probe DOMAIN --json/);
  assert.equal(await widget.locator('section.probe').count(), 0);
  assert.ok(!requests.some((url) => url.endsWith('/probe-view.js')), 'probe-view.js loads on use');
  await dropFile(page, 'probe.json', probeJson);
  const panel = widget.locator('section.probe');
  await panel.waitFor();
  assert.equal(await widget.locator('input[name=domain]').inputValue(), 'good.example');
  const row = panel.locator('tr.probe-host[data-host="mx1.good.example"]');
  assert.match(await row.locator('.tls').textContent(), /none/);
  assert.match(await row.locator('.capabilities').textContent(), /AUTH PLAIN LOGIN/);
  // The probe's findings are among the audit's, and in the grade's arithmetic.
  const codes = await widget.locator('section.findings li.finding').evaluateAll((items) => items.map((item) => item.dataset.code));
  assert.ok(codes.includes('probe.starttls-missing'), codes.join(' '));
  assert.ok(codes.includes('probe.auth-plaintext'), codes.join(' '));
  const deductions = await widget.locator('.deduction-table').textContent();
  assert.match(deductions, /probe\.starttls-missing/);
  assert.deepEqual(problems, []);
  await close();
});

test('a probe report with a forged finding code is refused, with the reason', async () => {
  const { page, close } = await openContext(servers.browser, `${servers.baseUrl}#domain`, { doh: servers.dohUrls[0] });
  const widget = page.locator('mailspect-analyzer');
  await widget.locator('input[name=domain]').waitFor();
  await dropFile(page, 'probe.json', probeJson.replaceAll('probe.starttls-missing', 'probe.all-good'));
  const error = widget.locator('[role=alert]');
  await error.waitFor();
  assert.match(await error.textContent(), /"probe\.all-good" is not a finding code of the probe/);
  await close();
});
