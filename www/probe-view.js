// The SMTP probe in the Domain view. A browser cannot open SMTP connections, so the page shows
// a probe report the CLI wrote (`mailspect probe DOMAIN --json > probe.json`) and dropped on
// the Domain view: the file's text goes to the audit module (auditDomain's `probeReport`), which
// checks it and folds its findings into the grade; this file only reads the file and draws the
// report's hosts. It loads only once a report is dropped (mailspect-analyzer.js imports it on
// use). As elsewhere, text from the report reaches the DOM only as text.
import { el, revealed, section, table } from './render.js';

/** Larger files are refused before reading: the audit module refuses them too. */
const MAX_PROBE_FILE = 4 * 1024 * 1024;

/**
 * Reads a dropped probe report: `{ text, domain }`, `domain` being the one it probed (`null`
 * when the file does not say), or throws with the reason.
 */
export async function readProbeFile(file) {
  if (file.size > MAX_PROBE_FILE) throw new Error('the file is too large to be a probe report');
  const text = await file.text();
  let domain = null;
  try {
    const value = JSON.parse(text);
    domain = typeof value?.domain === 'string' ? value.domain : null;
  } catch {
    throw new Error('the file is not JSON: drop the output of mailspect probe DOMAIN --json');
  }
  if (!domain) throw new Error('the file is not the probe report of a domain (mailspect probe DOMAIN --json)');
  return { text, domain };
}

const yes = (flag) => (flag ? 'yes' : 'no');

function capabilitiesText(found) {
  if (!found) return '—';
  const auth = found.auth.length ? found.auth.join(' ') : 'none';
  return `STARTTLS ${yes(found.starttls)}, AUTH ${auth}, SMTPUTF8 ${yes(found.smtputf8)}, REQUIRETLS ${yes(found.requiretls)}, PIPELINING ${yes(found.pipelining)}, SIZE ${found.size_offered ? (found.size ?? 'yes') : 'no'}`;
}

function certificateText(tls) {
  if (!tls) return '—';
  const certificate = tls.certificate;
  const chain = certificate.chain_valid ? 'issued by a trusted CA' : `not trusted (${certificate.problem ?? 'invalid'})`;
  const names = certificate.names.map((check) => `${check.name}: ${check.valid ? 'valid' : 'not valid'}`).join(', ');
  return `${chain}; ${names}`;
}

function hostRow(host) {
  const versions = host.tls_versions
    .filter((test) => test.accepted !== null)
    .map((test) => `${test.version} ${test.accepted ? 'accepted' : 'refused'}`).join(', ');
  return el('tr', { class: `probe-host ${host.outcome}`, 'data-host': host.host },
    el('td', {}, el('code', {}, revealed(host.host)), host.address ? el('span', { class: 'quiet' }, ` ${host.address}`) : null),
    el('td', { class: 'outcome' }, host.outcome, host.error ? el('div', { class: 'quiet' }, revealed(host.error)) : null),
    el('td', { class: 'tls' }, host.tls ? `${host.tls.version} ${host.tls.cipher_suite}` : (host.tls_error ? `failed: ${host.tls_error.detail}` : 'none'),
      versions ? el('div', { class: 'quiet' }, versions) : null),
    el('td', { class: 'certificate' }, revealed(certificateText(host.tls))),
    el('td', { class: 'capabilities' }, revealed(capabilitiesText(host.capabilities_after_tls ?? host.capabilities))),
    el('td', { class: 'relay' }, host.relay ? host.relay.verdict : 'not tested'));
}

/** The probe panel of a domain audit. */
export function renderProbe(probe) {
  const when = `Probed on port ${probe.options.port} (${probe.options.tls_mode}) by the command line; the page cannot open SMTP connections.`;
  return section(`SMTP probe: what the mail servers answered (${probe.hosts.length} host${probe.hosts.length === 1 ? '' : 's'})`, 'probe',
    el('p', { class: 'quiet' }, when),
    probe.error ? el('p', { class: 'error' }, revealed(probe.error)) : null,
    table(['Host', 'Outcome', 'TLS', 'Certificate', 'Offers', 'Relay'], probe.hosts.map(hostRow), 'probe-table'));
}
