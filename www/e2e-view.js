// End-to-end protection (S/MIME, OpenPGP) in the Message view: a line in the verdict card and a
// panel of its own. The Message view's module only detects the protection (report.e2e, checked:
// false); this file loads the e2e module (crates/mailspect-e2e, built into pkg-e2e/) when a
// report says a message is signed or encrypted, never otherwise, and shows what it returns: the
// signature checked, the signer's certificate, the recipients. The reader's roots (PEM) and
// OpenPGP public keys stay in the page; nothing leaves the machine.
import { el, revealed, section, safeHref } from './render.js';

let loading = null;

/** Resolves to the e2e module's exports (`checkE2e`), loading it once; a failed load retries. */
export function loadE2e() {
  loading ??= (async () => {
    const e2e = await import('./pkg-e2e/mailspect_e2e.js');
    await e2e.default({ module_or_path: new URL('./pkg-e2e/mailspect_e2e_bg.wasm', import.meta.url) });
    return e2e;
  })().catch((error) => {
    loading = null;
    throw error;
  });
  return loading;
}

const KIND = { smime: 'S/MIME', openpgp: 'OpenPGP' };
const RESULT = {
  pass: ['Valid signature', 'good'],
  fail: ['Signature does not verify', 'bad'],
  'not-verified': ['Signed, not verified', 'caution'],
  error: ['Signature not checked', 'caution'],
};
const TRUST = {
  'not-checked': 'not checked against a trust store',
  trusted: 'chains to a root you gave',
  untrusted: 'does not chain to a root you gave',
};

const date = (seconds) => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString().replace('.000Z', 'Z') : null);

/** The verdict card's line: signed or encrypted, by whom, valid or not. */
function verdictWords(e2e) {
  const kind = KIND[e2e.kind] ?? e2e.kind;
  const parts = [];
  if (e2e.signed) {
    const signature = e2e.signature;
    const [words] = signature ? RESULT[signature.result] ?? [signature.result] : ['checking…'];
    const who = signature?.signer?.subject ?? signature?.openpgp?.key_user_ids?.[0] ?? null;
    parts.push(`Signed with ${kind}: ${words.toLowerCase()}${who ? ` (${who})` : ''}`);
  }
  if (e2e.encrypted) parts.push(`Encrypted with ${kind} for ${e2e.recipients?.length ?? 0} recipient(s)`);
  return parts.join('; ');
}

const facts = (rows) => el('dl', { class: 'facts e2e-facts' }, ...rows.filter(([, value]) => value !== null && value !== undefined && value !== '')
  .flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)]));

function renderSignature(signature) {
  const [words, tone] = RESULT[signature.result] ?? [signature.result, 'unknown'];
  const signer = signature.signer;
  const pgp = signature.openpgp;
  return el('div', { class: 'e2e-signature' },
    el('p', { class: `e2e-result tone-${tone}`, 'data-result': signature.result }, el('strong', {}, words), ' · ', revealed(signature.reason)),
    facts([
      ['Algorithm', [signature.algorithm, signature.digest_algorithm, signature.key_bits ? `${signature.key_bits} bits` : null].filter(Boolean).join(', ')],
      ['Signed at', date(signature.signing_time)],
      ['Signer', signer ? revealed(signer.subject) : null],
      ['Issuer', signer ? revealed(signer.issuer) : null],
      ['Serial', signer ? el('code', {}, signer.serial) : null],
      ['Valid', signer ? `${date(signer.not_before)} to ${date(signer.not_after)}: ${signer.validity} at ${date(signer.checked_at)}` : null],
      ['Key usage', signer ? [...signer.key_usage, ...signer.extended_key_usage].join(', ') || 'none stated' : null],
      ['Addresses', signer ? `${signer.emails.join(', ') || 'none'}${signer.from_matches === false ? ' (not the From address)' : signer.from_matches ? ' (matches From)' : ''}` : null],
      ['Trust', signature.trust ? el('span', { 'data-status': signature.trust.status }, TRUST[signature.trust.status] ?? signature.trust.status,
        signature.trust.status === 'not-checked' ? null : ` (${signature.trust.reason})`) : null],
      ['Issuer key', pgp ? [...pgp.issuer_fingerprints, ...pgp.issuer_key_ids].map((id) => el('code', {}, id, ' ')) : null],
      ['Verified with', pgp?.verified_with ? el('code', {}, pgp.verified_with) : null],
    ]));
}

function renderRecipients(recipients = []) {
  if (recipients.length === 0) return null;
  return el('div', { class: 'e2e-recipients' }, el('h3', {}, `Recipients (${recipients.length})`),
    el('ul', {}, ...recipients.map((recipient) => el('li', { 'data-kind': recipient.kind },
      recipient.key_id ? ['key ID ', el('code', {}, recipient.key_id)] : null,
      recipient.issuer ? ['issuer ', revealed(recipient.issuer), ', serial ', el('code', {}, recipient.serial ?? '')] : null,
      recipient.subject_key_identifier ? ['subject key ID ', el('code', {}, recipient.subject_key_identifier)] : null,
      recipient.algorithm ? el('span', { class: 'quiet' }, ` · ${recipient.algorithm}`) : null))));
}

const findingList = (findings = []) => (findings.length === 0 ? null
  : el('ul', { class: 'findings-list compact' }, ...findings.map((finding) =>
    el('li', { class: `finding ${finding.severity}`, 'data-code': finding.code },
      el('span', { class: 'severity' }, finding.severity), ' ',
      el('span', { class: 'message' }, revealed(finding.message)), ' ',
      el('code', { class: 'code' }, finding.code),
      safeHref(finding.rfc) ? [' ', el('a', { href: safeHref(finding.rfc), rel: 'noreferrer', target: '_blank' }, 'RFC')] : null))));

function renderBody(e2e) {
  return [
    el('p', {}, verdictWords(e2e) || `${KIND[e2e.kind]} structure found.`),
    e2e.signature ? renderSignature(e2e.signature) : null,
    renderRecipients(e2e.recipients),
    findingList(e2e.findings),
  ];
}

/**
 * Adds the end-to-end line to the verdict card and the panel after it, when `report.e2e` says
 * the message is protected; then loads the e2e module and checks `input` (the message as the
 * reader gave it). Does nothing, and loads nothing, for a message without protection.
 */
export function renderE2eInto(results, input, report) {
  const e2e = report?.e2e;
  if (!e2e || e2e.kind === 'none') return null;
  const line = el('p', { class: 'verdict-e2e', 'data-kind': e2e.kind }, verdictWords(e2e));
  results.querySelector('section.verdict')?.append(line);
  const body = el('div', { class: 'e2e-body', 'aria-live': 'polite' }, el('p', { class: 'quiet' }, 'Checking the signature…'));
  const roots = el('textarea', { name: 'e2e-roots', rows: '4', spellcheck: 'false', placeholder: '-----BEGIN CERTIFICATE-----' });
  const keys = el('textarea', { name: 'openpgp-keys', rows: '4', spellcheck: 'false', placeholder: '-----BEGIN PGP PUBLIC KEY BLOCK-----' });
  const again = el('button', { type: 'button', class: 'e2e-check' }, 'Check again');
  const panel = section(`End-to-end protection (${KIND[e2e.kind] ?? e2e.kind})`, 'e2e', body,
    el('details', { class: 'e2e-inputs' }, el('summary', {}, 'Check with your roots or an OpenPGP public key'),
      el('label', {}, 'Trusted roots (PEM certificates)', roots),
      el('label', {}, 'OpenPGP public keys (armored)', keys), again));
  const verdict = results.querySelector('section.verdict');
  if (verdict) verdict.after(panel); else results.append(panel);
  const dkim = report.dkim ?? [];
  // Headers alone (or an Outlook .msg's transport headers): nothing to check, nothing to load.
  if (report.body?.present === false) {
    body.replaceChildren(...renderBody(e2e).filter(Boolean));
    return Promise.resolve();
  }
  const check = async () => {
    body.replaceChildren(el('p', { class: 'quiet' }, 'Checking the signature…'));
    try {
      const module = await loadE2e();
      const checked = module.checkE2e(input, {
        roots: roots.value,
        openpgpKeys: keys.value,
        dkimPassed: dkim.length ? dkim.some((signature) => signature.result === 'pass') : null,
      });
      report.e2e = checked;
      body.replaceChildren(...renderBody(checked).filter(Boolean));
      line.textContent = verdictWords(checked);
    } catch (error) {
      body.replaceChildren(el('p', { class: 'error', role: 'alert' }, `The signature cannot be checked: ${error?.message ?? error}`));
    }
  };
  again.addEventListener('click', check);
  return check();
}
