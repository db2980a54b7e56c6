// Export of a report: the JSON as a file, and a Markdown summary for a ticket or a chat
// (markdown.js, loaded on the first copy), each with or without redaction. Redaction is the core's (`redactReport`, see src/redact.rs): the
// recipients' local parts, the receiving side's host names and addresses and the message
// identifiers are masked; the sender's authentication evidence is kept, so the shared report
// still shows why the verdict is what it is. It lives in the audit module, which the first
// redacted export loads (`loadAudit()`): the Message view's first visit does not carry it.
import { el } from './render.js';

/** Saves `text` as a file: a download of a blob URL, revoked once the click has been handled. */
function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const anchor = el('a', { href: url, download: name, hidden: '' });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * The export bar above a report: a redaction switch, "Download JSON" and "Copy as Markdown"
 * for a message's report; the other reports (`message: false`) get "Download JSON" only.
 * When the clipboard is refused (an embedding page's permissions policy, an old browser) the
 * Markdown is shown in a box, selected, to copy by hand.
 */
export function renderExport(report, { message = true } = {}) {
  const redact = el('input', { type: 'checkbox', name: 'redact' });
  const json = el('button', { type: 'button', part: 'button', class: 'export-json' }, 'Download JSON');
  const markdown = el('button', { type: 'button', part: 'button', class: 'export-markdown' }, 'Copy as Markdown');
  const status = el('p', { class: 'export-status', role: 'status', 'aria-live': 'polite' });
  // Made only when the clipboard refuses: the only text box in the widget is its input.
  let manual = null;
  const shared = async () => (redact.checked ? (await (await import('./audit.js')).loadAudit()).redactReport(report) : report);
  const suffix = () => (redact.checked ? '-redacted' : '');

  json.addEventListener('click', async () => {
    const value = await shared();
    download(`mailspect-report${suffix()}.json`, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
    status.textContent = `Saved mailspect-report${suffix()}.json${redact.checked ? ', redacted' : ''}.`;
  });
  markdown.addEventListener('click', async () => {
    const [{ reportMarkdown }, value] = await Promise.all([import('./markdown.js'), shared()]);
    const text = reportMarkdown(value);
    try {
      await navigator.clipboard.writeText(text);
      manual?.remove();
      manual = null;
      status.textContent = `Copied the report as Markdown${redact.checked ? ', redacted' : ''}.`;
    } catch {
      manual ??= el('textarea', { class: 'export-text', readonly: '', 'aria-label': 'The report as Markdown' });
      manual.value = text;
      bar.append(manual);
      manual.select();
      status.textContent = 'This page may not write to the clipboard: the Markdown is below, selected, to copy.';
    }
  });
  const bar = el('div', { class: 'export', part: 'export', role: 'group', 'aria-label': 'Export the report' },
    el('label', { class: 'check redact', title: 'Masks the recipients, their servers and addresses, and message identifiers; keeps the sender\'s evidence.' },
      redact, el('span', {}, 'Redact for sharing')),
    json, markdown, status);
  // A domain audit or a record lint holds nothing private, and its summary is the page itself.
  if (!message) {
    redact.closest('label').remove();
    markdown.remove();
  }
  return bar;
}
