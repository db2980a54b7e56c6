// <mailspect-analyzer>: the analyser as a custom element. It owns the input (paste box, file,
// envelope options), hands the bytes to the wasm core, and renders the JSON report it returns.
// No protocol logic lives here: every verdict comes from the core.
//
// Attributes (the source of truth, reflected as properties):
//   doh  - DNS-over-HTTPS resolver: cloudflare | google | quad9 | an https URL (http only on loopback)
// Events:
//   mailspect-report  - a report was rendered; `event.report` is the JSON report
//   mailspect-error   - the input could not be analysed; `event.message` says why
import init, * as wasm from './pkg/mailspect.js';
import { renderReport } from './render.js';

/** Resolves to the initialised wasm module, loaded from beside this file. */
export const ready = init({ module_or_path: new URL('./pkg/mailspect_bg.wasm', import.meta.url) }).then(() => wasm);

export class MailspectReportEvent extends Event {
  constructor(report) {
    super('mailspect-report', { bubbles: true, composed: true });
    this.report = report;
  }
}

export class MailspectErrorEvent extends Event {
  constructor(message) {
    super('mailspect-error', { bubbles: true, composed: true });
    this.message = message;
  }
}

const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
};

export class MailspectAnalyzerElement extends HTMLElement {
  static define(tag = 'mailspect-analyzer', registry = customElements) {
    if (!registry.get(tag)) registry.define(tag, this);
    return this;
  }

  static get observedAttributes() {
    return ['doh'];
  }

  get doh() {
    return this.getAttribute('doh') ?? 'cloudflare';
  }

  set doh(value) {
    this.setAttribute('doh', value);
  }

  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const styles = el('link', { rel: 'stylesheet', href: new URL('./analyzer.css', import.meta.url).href });

    this.input = el('textarea', {
      part: 'input',
      spellcheck: 'false',
      autocomplete: 'off',
      'aria-label': 'Message headers or whole message',
      placeholder: 'Paste the headers ("Show original" in Gmail, "View source" elsewhere) or a whole message here.',
    });
    this.file = el('input', { type: 'file', accept: '.eml,.msg,.txt,message/rfc822', 'aria-label': 'Open a message file' });
    const analyse = el('button', { type: 'button', part: 'button', class: 'primary' }, 'Analyse');
    const openFile = el('button', { type: 'button', part: 'button' }, 'Open file…');
    const clear = el('button', { type: 'button', part: 'button' }, 'Clear');

    this.ip = el('input', { type: 'text', name: 'ip', placeholder: 'from the Received chain', inputmode: 'text' });
    this.helo = el('input', { type: 'text', name: 'helo', placeholder: 'from the Received chain' });
    this.mailFrom = el('input', { type: 'text', name: 'mail-from', placeholder: 'from Return-Path' });
    this.resolver = el('input', { type: 'text', name: 'doh', value: this.doh, list: 'resolvers' });
    this.canonicalized = el('input', { type: 'checkbox', name: 'canonicalized' });
    const resolvers = el('datalist', { id: 'resolvers' },
      el('option', { value: 'cloudflare' }), el('option', { value: 'google' }), el('option', { value: 'quad9' }));
    const label = (text, control) => el('label', {}, el('span', {}, text), control);
    const options = el('details', { part: 'options', class: 'options' },
      el('summary', {}, 'Envelope and DNS'),
      el('div', { class: 'option-grid' },
        label('Connecting IP', this.ip), label('HELO name', this.helo), label('MAIL FROM', this.mailFrom),
        label('DNS-over-HTTPS', this.resolver), resolvers,
        el('label', { class: 'check' }, this.canonicalized, el('span', {}, 'Show the exact bytes each DKIM signature hashed'))));

    this.status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    this.results = el('div', { class: 'results', part: 'results' });

    root.append(styles,
      el('div', { class: 'intake', part: 'intake' }, this.input,
        el('div', { class: 'actions' }, analyse, openFile, clear, this.file), options),
      this.status, this.results);

    analyse.addEventListener('click', () => this.analyse(this.input.value));
    openFile.addEventListener('click', () => this.file.click());
    clear.addEventListener('click', () => {
      this.input.value = '';
      this.results.replaceChildren();
      this.status.textContent = '';
    });
    this.file.addEventListener('change', async () => {
      const [chosen] = this.file.files;
      if (!chosen) return;
      const bytes = new Uint8Array(await chosen.arrayBuffer());
      this.input.value = '';
      this.input.placeholder = `${chosen.name} (${bytes.length.toLocaleString()} bytes) was opened.`;
      this.analyse(bytes, chosen.name);
    });
    this.resolver.addEventListener('change', () => { this.doh = this.resolver.value.trim(); });
    // A paste is the usual way in: analyse it as soon as it lands.
    this.input.addEventListener('paste', () => setTimeout(() => this.analyse(this.input.value)));
  }

  attributeChangedCallback(name, _old, value) {
    if (name === 'doh' && this.resolver && this.resolver.value !== value) this.resolver.value = value ?? '';
  }

  /** Analyses a string or bytes and renders the report. Resolves to the report, or null. */
  async analyse(input, name = 'the pasted text') {
    if (typeof input === 'string' && input.trim() === '') {
      this.status.textContent = 'Paste some headers first.';
      return null;
    }
    this.status.textContent = 'Analysing…';
    const started = performance.now();
    try {
      const core = await ready;
      const report = await core.analyzeMessage(input, {
        ip: this.ip.value,
        helo: this.helo.value,
        mailFrom: this.mailFrom.value,
        doh: this.doh,
        includeCanonicalized: this.canonicalized.checked,
      });
      this.results.replaceChildren(renderReport(report));
      const ms = Math.round(performance.now() - started);
      this.status.textContent = `Analysed ${name} in ${ms} ms.`;
      this.dispatchEvent(new MailspectReportEvent(report));
      return report;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.results.replaceChildren(el('p', { class: 'error', role: 'alert' }, `Cannot analyse ${name}: ${message}`));
      this.status.textContent = '';
      this.dispatchEvent(new MailspectErrorEvent(message));
      return null;
    }
  }
}
