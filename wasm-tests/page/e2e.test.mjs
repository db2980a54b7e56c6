// End-to-end protection in the page: a message the test signs itself with S/MIME (a test CA and
// signer made here with openssl) shows the verdict card's line and its own panel, checked by the
// e2e module, which loads for that message only; a plain message does not load it. The reader's
// roots, given in the panel's box, turn "not checked against a trust store" into "trusted".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { artifacts, openContext, root, startPageServers } from './support.mjs';

let servers;
let signed;
let tampered;
let caPem;
let newsletter;
let pgpSigned;
let pgpKey;

const CONTENT = 'Content-Type: text/plain\r\n\r\nPay only to IBAN DE00 1234.\r\n';

before(async () => {
  const dir = await mkdtemp(`${tmpdir()}/mailspect-page-e2e-`);
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Page Test CA',
    '-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'alice.key', '-out', 'alice.csr', '-subj', '/CN=Alice/emailAddress=alice@example.com');
  await writeFile(`${dir}/alice.ext`, 'subjectAltName=email:alice@example.com\nextendedKeyUsage=emailProtection\n');
  openssl('x509', '-req', '-in', 'alice.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', '0x77', '-days', '30',
    '-out', 'alice.pem', '-extfile', 'alice.ext');
  await writeFile(`${dir}/content.txt`, CONTENT);
  const smime = openssl('cms', '-sign', '-in', 'content.txt', '-signer', 'alice.pem', '-inkey', 'alice.key', '-md', 'sha256').toString();
  signed = `From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Invoice\r\n${smime}`;
  tampered = signed.replace('DE00 1234', 'DE99 6666');
  caPem = await readFile(`${dir}/ca.pem`, 'utf8');
  newsletter = await readFile(`${root}tests/fixtures/messages/newsletter-headers.txt`, 'utf8');
  // OpenPGP: a key made here with GnuPG, a PGP/MIME message signed with it (RFC 3156 §5).
  const home = `${dir}/gnupg`;
  const gpg = (...args) => execFileSync('gpg', ['--homedir', home, '--batch', '--no-tty', '--quiet', '--pinentry-mode', 'loopback',
    '--passphrase', '', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  execFileSync('mkdir', ['-m', '700', home]);
  gpg('--quick-gen-key', 'Alice <alice@example.com>', 'future-default', 'default', 'never');
  pgpKey = gpg('--armor', '--export').toString();
  const part = 'Content-Type: text/plain\r\n\r\nPay only to IBAN DE00 1234.';
  await writeFile(`${dir}/part.txt`, part);
  gpg('--armor', '--digest-algo', 'SHA256', '--detach-sign', 'part.txt');
  const signature = await readFile(`${dir}/part.txt.asc`, 'utf8');
  pgpSigned = 'From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Invoice\r\nMIME-Version: 1.0\r\n'
    + 'Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="b1"\r\n\r\n'
    + `--b1\r\n${part}\r\n--b1\r\nContent-Type: application/pgp-signature\r\n\r\n${signature}\r\n--b1--\r\n`;
  servers = await startPageServers(['--zone', `${root}tests/fixtures/dns/newsletter.zone`]);
});

after(() => servers?.stop());

const openPage = () => openContext(servers.browser, servers.baseUrl, { doh: servers.dohUrls[0] });
const analyse = (page, text) => page.locator('mailspect-analyzer').evaluate((element, input) => element.analyze(input), text);
const e2eLoads = (requests) => requests.filter((url) => url.includes('/pkg-e2e/') || url.endsWith('/e2e-view.js'));

test('a plain message does not load the e2e module and shows no e2e panel', async () => {
  const { page, problems, requests, close } = await openPage();
  const report = await analyse(page, newsletter);
  assert.equal(report.e2e.kind, 'none');
  assert.equal(await page.locator('mailspect-analyzer section.e2e').count(), 0);
  assert.deepEqual(e2eLoads(requests), []);
  // The headers of a signed message without its body: the panel says so, and nothing loads.
  const headers = `${signed.slice(0, signed.search(/\r?\n\r?\n/))}\r\n`;
  const detected = await analyse(page, headers);
  assert.deepEqual([detected.e2e.kind, detected.body.present], ['smime', false]);
  await page.locator('mailspect-analyzer section.e2e [data-code="e2e.body-missing"]').waitFor();
  assert.deepEqual(e2eLoads(requests).filter((url) => url.includes('/pkg-e2e/')), []);
  assert.deepEqual(problems, []);
  await close();
});

test('an S/MIME signed message: the verdict line and the panel, checked by the e2e module loaded on use', async (t) => {
  const { page, problems, requests, close } = await openPage();
  const report = await analyse(page, signed);
  const reported = Date.now();
  // The Message view's module detects only.
  assert.deepEqual([report.e2e.kind, report.e2e.signed, report.e2e.checked], ['smime', true, false]);
  const widget = page.locator('mailspect-analyzer');
  const result = widget.locator('section.e2e .e2e-result');
  await result.waitFor();
  // A figure for BENCHMARKS.md, not an assertion: from the report to the checked panel, the e2e
  // module's first download and compilation included.
  t.diagnostic(`report to checked S/MIME panel (first load of pkg-e2e): ${Date.now() - reported} ms`);
  assert.equal(await result.getAttribute('data-result'), 'pass');
  const panel = await widget.locator('section.e2e').textContent();
  assert.match(panel, /Valid signature/);
  assert.match(panel, /CN=Alice/);
  assert.match(panel, /CN=Page Test CA/);
  assert.match(panel, /not checked against a trust store/);
  assert.match(panel, /email-protection/);
  assert.match(await widget.locator('section.verdict .verdict-e2e').textContent(), /Signed with S\/MIME: valid signature/);
  assert.ok(e2eLoads(requests).some((url) => url.endsWith('mailspect_e2e_bg.wasm')), 'the e2e module loaded');
  await widget.locator('section.e2e').screenshot({ path: `${artifacts}/e2e-panel.png` });

  // The reader's roots: the chain is checked.
  await widget.locator('section.e2e details.e2e-inputs summary').click();
  await widget.locator('section.e2e textarea[name=e2e-roots]').fill(caPem);
  const again = Date.now();
  await widget.locator('section.e2e button.e2e-check').click();
  await widget.locator('section.e2e .e2e-result').waitFor();
  await page.waitForFunction(() => document.querySelector('mailspect-analyzer').shadowRoot
    ?.querySelector('section.e2e')?.textContent.includes('chains to a root you gave'));
  t.diagnostic(`check again with roots (module loaded): ${Date.now() - again} ms`);

  // A changed body fails, with the finding in the panel.
  await analyse(page, tampered);
  const failed = widget.locator('section.e2e .e2e-result[data-result=fail]');
  await failed.waitFor();
  assert.equal(await widget.locator('section.e2e [data-code="e2e.signature-invalid"]').count(), 1);
  assert.deepEqual(problems, []);
  await close();
});

test('an OpenPGP signed message: parsed without a key, verified once the reader pastes the public key', async () => {
  const { page, problems, close } = await openPage();
  await analyse(page, pgpSigned);
  const widget = page.locator('mailspect-analyzer');
  await widget.locator('section.e2e .e2e-result[data-result=not-verified]').waitFor();
  assert.equal(await widget.locator('section.e2e [data-code="e2e.not-verified"]').count(), 1);
  await widget.locator('section.e2e details.e2e-inputs summary').click();
  await widget.locator('section.e2e textarea[name=openpgp-keys]').fill(pgpKey);
  await widget.locator('section.e2e button.e2e-check').click();
  await widget.locator('section.e2e .e2e-result[data-result=pass]').waitFor();
  assert.match(await widget.locator('section.e2e').textContent(), /Verified with/);
  assert.deepEqual(problems, []);
  await close();
});
