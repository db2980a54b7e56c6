// <mailspect-analyzer>: the analyser as a custom element. It owns the input (paste box, file,
// envelope options), hands the bytes to the wasm core, and renders the JSON report it returns.
// No protocol logic lives here: every verdict comes from the core.
//
// Attributes (the source of truth, reflected as properties; a missing or invalid value means the
// default, and setting a property to null or undefined removes the attribute):
//   doh      - DNS-over-HTTPS resolver: cloudflare | google | quad9 | off | an http(s) URL (the
//              core allows http only on loopback). Default: the reader's last choice in the
//              resolver picker (localStorage `mailspect.doh`), else cloudflare. The attribute
//              wins over the stored choice.
//   mode     - message | domain | record. Default message. domain audits a domain's records (the
//              input is the domain name), record lints one pasted record with no DNS at all.
//   theme    - light | dark | auto. Default auto (follows prefers-color-scheme).
//   compact  - boolean: a smaller input and tighter panels.
// Properties: `value` (the current mode's input text), and `analyze(input?)`, which analyses
// `input` (a message as a string, bytes or a File; a domain name; a record's text; the current
// mode's input text when omitted) and resolves to the report.
// Events (bubbling and composed):
//   mailspect-report  - a report was rendered; `event.report` is the JSON report
//   mailspect-error   - the input could not be analysed; `event.message` says why
// A newer analysis supersedes an older one: the older one's report is dropped (never rendered,
// no event) and its `analyze()` promise rejects with an AbortError.
import { analyzeMessage, ready } from './core.js';
import { el } from './dom.js';

/** Resolves to the initialised wasm module, loaded from beside this file. */
export { ready };

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

/** The resolvers the picker names; the core knows them by these names. */
export const RESOLVERS = { cloudflare: 'Cloudflare', google: 'Google', quad9: 'Quad9' };
/** Where the picker remembers the reader's resolver, shared by every page of this origin. */
export const DOH_STORAGE_KEY = 'mailspect.doh';
const MODES = ['message', 'domain', 'record'];
const THEMES = ['light', 'dark', 'auto'];
/** The files a drop or the file picker accepts: a message, as .eml, Outlook's .msg, or text. */
const MESSAGE_FILE = /\.(eml|msg|txt)$/i;

/**
 * A resolver the core would take: a provider name, `off`, or an http(s) URL. Whether http is
 * allowed (loopback only) is the core's decision, and its error says so.
 */
export function isResolver(value) {
  if (typeof value !== 'string') return false;
  const spec = value.trim().toLowerCase();
  if (spec in RESOLVERS || spec === 'off') return true;
  try {
    return ['https:', 'http:'].includes(new URL(spec).protocol);
  } catch {
    return false;
  }
}

// localStorage throws in a sandboxed frame or with storage disabled: the picker then simply
// forgets, rather than breaking the widget.
export function storedResolver() {
  try {
    const stored = localStorage.getItem(DOH_STORAGE_KEY);
    return isResolver(stored) ? stored.trim() : null;
  } catch {
    return null;
  }
}

function storeResolver(value) {
  try {
    localStorage.setItem(DOH_STORAGE_KEY, value);
  } catch {
    // Not remembered; the attribute still holds the choice for this page.
  }
}

const enumerated = (value, allowed, fallback) => {
  const word = value?.trim().toLowerCase();
  return allowed.includes(word) ? word : fallback;
};

const messageOf = (error) => (error instanceof Error ? error.message : String(error));
const superseded = () => new DOMException('a newer analysis superseded this one', 'AbortError');

/**
 * Said when the page's Content-Security-Policy refused the resolver: every lookup then fails,
 * and the report alone would only say "lookup failed". mailspect's own page allows the built-in
 * resolvers and loopback only, so that nothing on it can send what you paste anywhere else.
 */
function blockedNotice(blocked, doh) {
  if (blocked.size === 0) return null;
  const where = [...blocked].map((url) => { try { return new URL(url).origin; } catch { return url; } });
  return el('div', { class: 'notice blocked', role: 'alert', part: 'notice' },
    el('strong', {}, 'This page may not reach the resolver you chose. '),
    `Its Content-Security-Policy (connect-src) refused ${[...new Set(where)].join(', ')}, so every DNS lookup below failed and the results that need DNS are incomplete. `,
    `mailspect's own page allows Cloudflare, Google and Quad9, and DoH servers on this machine (127.0.0.1, localhost), such as \`mailspect serve-dns\`. `,
    `To use ${doh}, choose one of those, run the command line (mailspect message --dns doh:${doh}), or serve the page yourself with that resolver in its policy.`);
}

/** What the Record view can read a pasted record as; `auto` guesses from its text. */
const RECORD_KINDS = [['auto', 'Guess from the text'], ['spf', 'SPF'], ['dmarc', 'DMARC'], ['dkim', 'DKIM key'],
  ['mta-sts', 'MTA-STS TXT record'], ['mta-sts-policy', 'MTA-STS policy file'], ['tlsrpt', 'TLS-RPT'], ['bimi', 'BIMI'], ['tlsa', 'TLSA']];

// What the first paint of the Message view does not show loads on first use, each module once
// (the browser keeps an imported module): the report's renderer (render.js, path.js), the export
// bar under a report (export.js), and the Domain and Record views' wasm (audit.js) and renderer
// (domain-view.js). The first visit downloads none of them (scripts/size.mjs lists them).

/** The wasm functions of the Domain and Record views. */
const auditCore = () => import('./audit.js').then(({ loadAudit }) => loadAudit());

/**
 * Starts loading the report's renderer, its stylesheet (into `root`) and export.js (and the
 * Domain and Record views' renderer when `views` is true), and resolves to the modules' exports
 * once the stylesheet is there. Called when an analysis starts, so that the downloads run beside
 * the analysis; a failed download rejects only where it is awaited.
 */
function reportModules(root, { views = false } = {}) {
  const modules = Promise.all([import('./export.js'), import('./render.js'), views ? import('./domain-view.js') : {}])
    .then(async ([exporter, renderer, domainView]) => {
      await renderer.reportStyles(root);
      return { ...exporter, ...renderer, ...domainView };
    });
  modules.catch(() => {});
  return modules;
}

export class MailspectAnalyzerElement extends HTMLElement {
  static define(tag = 'mailspect-analyzer', registry = customElements) {
    if (!registry.get(tag)) registry.define(tag, this);
    return this;
  }

  static get observedAttributes() {
    return ['doh', 'mode', 'theme', 'compact'];
  }

  /** Bumped by every analysis and every cancel: only the newest generation may render. */
  #generation = 0;
  /** The running analysis's reject, so that a newer one can settle the older promise at once. */
  #rejectRunning = null;
  /** Aborts the running analysis: its worker is terminated. */
  #abortRunning = null;
  // A probe report dropped on the Domain view, `{ text, domain }`: folded into that domain's audits.
  #probe = null;
  #pendingValue = '';

  get doh() {
    const value = this.getAttribute('doh');
    return isResolver(value) ? value.trim() : (storedResolver() ?? 'cloudflare');
  }

  set doh(value) {
    this.#reflect('doh', value);
  }

  get mode() {
    return enumerated(this.getAttribute('mode'), MODES, 'message');
  }

  set mode(value) {
    this.#reflect('mode', value);
  }

  get theme() {
    return enumerated(this.getAttribute('theme'), THEMES, 'auto');
  }

  set theme(value) {
    this.#reflect('theme', value);
  }

  get compact() {
    return this.hasAttribute('compact');
  }

  set compact(value) {
    this.toggleAttribute('compact', Boolean(value));
  }

  /** The input text. Setting it does not start an analysis: `analyze()` does. */
  get value() {
    const input = this.#modeInput();
    return input ? input.value : this.#pendingValue;
  }

  set value(text) {
    const string = text === null || text === undefined ? '' : String(text);
    const input = this.#modeInput();
    if (input) input.value = string;
    else this.#pendingValue = string;
  }

  /** The text box of the current mode, once the element has rendered. */
  #modeInput() {
    if (!this.input) return null;
    return { domain: this.domainInput, record: this.recordInput }[this.mode] ?? this.input;
  }

  #reflect(name, value) {
    if (value === null || value === undefined) this.removeAttribute(name);
    else this.setAttribute(name, String(value));
  }

  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const styles = el('link', { rel: 'stylesheet', href: new URL('./analyzer.css', import.meta.url).href });

    this.input = el('textarea', {
      part: 'input',
      name: 'message',
      spellcheck: 'false',
      autocomplete: 'off',
      'aria-label': 'Message headers or whole message',
      placeholder: 'Paste the headers ("Show original" in Gmail, "View source" elsewhere) or a whole message here, or drop a .eml file.',
    });
    this.input.value = this.#pendingValue;
    this.file = el('input', { type: 'file', accept: '.eml,.msg,.txt,message/rfc822', 'aria-label': 'Open a message file', tabindex: '-1' });
    const analyse = el('button', { type: 'button', part: 'button', class: 'primary' }, 'Analyse');
    const openFile = el('button', { type: 'button', part: 'button' }, 'Open file…');
    const clear = el('button', { type: 'button', part: 'button' }, 'Clear');

    this.ip = el('input', { type: 'text', name: 'ip', placeholder: 'from the Received chain', inputmode: 'text' });
    this.helo = el('input', { type: 'text', name: 'helo', placeholder: 'from the Received chain' });
    this.mailFrom = el('input', { type: 'text', name: 'mail-from', placeholder: 'from Return-Path' });
    this.resolverPicker = el('select', { name: 'doh' },
      ...Object.entries(RESOLVERS).map(([value, name]) => el('option', { value }, name)),
      el('option', { value: 'custom' }, 'Custom URL…'));
    this.customResolver = el('input', {
      type: 'url', name: 'doh-url', placeholder: 'https://dns.example/dns-query', 'aria-label': 'Custom DNS-over-HTTPS URL',
    });
    this.canonicalized = el('input', { type: 'checkbox', name: 'canonicalized' });
    const label = (text, ...controls) => el('label', {}, el('span', {}, text), ...controls);
    this.customLabel = label('Resolver URL', this.customResolver);
    const options = el('details', { part: 'options', class: 'options' },
      el('summary', {}, 'Envelope and DNS'),
      el('div', { class: 'option-grid' },
        label('Connecting IP', this.ip), label('HELO name', this.helo), label('MAIL FROM', this.mailFrom),
        label('DNS-over-HTTPS resolver', this.resolverPicker), this.customLabel,
        el('label', { class: 'check' }, this.canonicalized, el('span', {}, 'Show the exact bytes each DKIM signature hashed'))));

    this.cancel = el('button', { type: 'button', part: 'button cancel', class: 'cancel', hidden: '' }, 'Cancel');
    this.status = el('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
    this.results = el('div', { class: 'results', part: 'results' });
    this.intake = el('div', { class: 'intake', part: 'intake' }, this.input,
      el('div', { class: 'actions' }, analyse, openFile, clear, this.file), options);
    this.domainInput = el('input', {
      type: 'text', name: 'domain', part: 'input', autocomplete: 'off', spellcheck: 'false', placeholder: 'example.com',
    });
    this.selectorsInput = el('input', { type: 'text', name: 'selectors', autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. s2024 mc1' });
    this.domainIntake = el('form', { class: 'intake domain-intake', part: 'intake', hidden: '' },
      el('div', { class: 'option-grid' }, label('Domain', this.domainInput),
        label('More DKIM selectors to try (space-separated)', this.selectorsInput)),
      el('div', { class: 'actions' }, el('button', { type: 'submit', part: 'button', class: 'primary' }, 'Check domain')),
      el('p', { class: 'quiet' }, 'Checks MX, SPF, DMARC, DKIM (common selectors), MTA-STS, TLS-RPT, BIMI, DANE and DNSSEC. Every lookup goes to the resolver chosen under Envelope and DNS in the Message view.'));
    this.recordInput = el('textarea', {
      part: 'input', name: 'record', spellcheck: 'false', autocomplete: 'off', 'aria-label': 'A DNS record or MTA-STS policy',
      placeholder: 'Paste a record: v=spf1 …, v=DMARC1; …, a DKIM key (v=DKIM1; k=rsa; p=…), an MTA-STS policy, TLS-RPT, BIMI or TLSA.',
    });
    this.recordKind = el('select', { name: 'record-kind' }, ...RECORD_KINDS.map(([value, text]) => el('option', { value }, text)));
    this.recordIntake = el('form', { class: 'intake record-intake', part: 'intake', hidden: '' }, this.recordInput,
      el('div', { class: 'actions' }, el('button', { type: 'submit', part: 'button', class: 'primary' }, 'Check record'),
        label('Read it as', this.recordKind)),
      el('p', { class: 'quiet' }, 'No DNS at all: the record is checked as you pasted it.'));
    for (const form of [this.domainIntake, this.recordIntake]) {
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        this.#start(this.value);
      });
    }
    this.frame = el('div', { class: 'frame', part: 'frame' },
      this.intake, this.domainIntake, this.recordIntake, el('div', { class: 'progress' }, this.status, this.cancel), this.results);
    root.append(styles, this.frame);

    analyse.addEventListener('click', () => this.#start(this.input.value));
    openFile.addEventListener('click', () => this.file.click());
    clear.addEventListener('click', () => {
      this.#supersede();
      this.#idle('');
      this.input.value = '';
      this.results.replaceChildren();
    });
    this.cancel.addEventListener('click', () => {
      this.#supersede();
      this.#idle('Cancelled: the analysis was dropped.');
    });
    this.file.addEventListener('change', () => {
      const [chosen] = this.file.files;
      if (chosen) this.#start(chosen);
      this.file.value = '';
    });
    this.resolverPicker.addEventListener('change', () => {
      const custom = this.resolverPicker.value === 'custom';
      this.customLabel.hidden = !custom;
      if (!custom) this.#chooseResolver(this.resolverPicker.value);
      else this.customResolver.focus();
    });
    this.customResolver.addEventListener('change', () => {
      if (isResolver(this.customResolver.value)) this.#chooseResolver(this.customResolver.value.trim());
    });
    root.addEventListener('paste', (event) => this.#onPaste(event));
    // Drops land anywhere on the element, the results included.
    this.addEventListener('dragover', (event) => {
      if (!event.dataTransfer?.types.includes('Files')) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
      this.frame.classList.add('dragging');
    });
    this.addEventListener('dragleave', (event) => {
      if (!this.contains(event.relatedTarget)) this.frame.classList.remove('dragging');
    });
    this.addEventListener('drop', (event) => {
      this.frame.classList.remove('dragging');
      const [dropped] = event.dataTransfer?.files ?? [];
      if (!dropped) return;
      event.preventDefault();
      this.#start(dropped);
    });
    // A wide table scrolls in its own box; one that does must be reachable from the keyboard
    // (WCAG 2.1.1). Only those that overflow get a tab stop, so a wide screen has none.
    new ResizeObserver(() => this.#markScrollable()).observe(this.results);
    this.results.addEventListener('toggle', () => this.#markScrollable(), true);
    this.#showResolver();
    this.#showMode();
  }

  #markScrollable() {
    // Header chunks have fixed columns and never scroll; measuring them would lay out all 10,000
    // fields of a long list, which content-visibility spares.
    for (const box of this.results.querySelectorAll('.table-scroll:not(.header-chunk)')) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls === box.hasAttribute('tabindex')) continue;
      if (scrolls) {
        const title = box.closest('section')?.querySelector('h2')?.textContent ?? 'Table';
        box.setAttribute('tabindex', '0');
        box.setAttribute('role', 'region');
        box.setAttribute('aria-label', `${title} (scrolls sideways)`);
      } else {
        for (const name of ['tabindex', 'role', 'aria-label']) box.removeAttribute(name);
      }
    }
  }

  attributeChangedCallback(name) {
    if (!this.shadowRoot) return;
    if (name === 'doh') this.#showResolver();
    if (name === 'mode') this.#showMode();
  }

  /** The picker's choice: remembered for next time, and the element's `doh` from now on. */
  #chooseResolver(value) {
    storeResolver(value);
    this.doh = value;
  }

  #showResolver() {
    const doh = this.doh;
    const named = doh.toLowerCase() in RESOLVERS;
    this.resolverPicker.value = named ? doh.toLowerCase() : 'custom';
    if (!named && this.customResolver.value !== doh) this.customResolver.value = doh;
    this.customLabel.hidden = named;
  }

  #showMode() {
    const mode = this.mode;
    if (this.shownMode === mode) return;
    const first = this.shownMode === undefined;
    this.shownMode = mode;
    this.intake.hidden = mode !== 'message';
    this.domainIntake.hidden = mode !== 'domain';
    this.recordIntake.hidden = mode !== 'record';
    if (!first) {
      // Another mode's report is not this one's: switching drops it.
      this.#supersede();
      this.#idle('');
      this.results.replaceChildren();
    }
  }

  #onPaste(event) {
    const target = event.composedPath()[0];
    const [pastedFile] = event.clipboardData?.files ?? [];
    if (pastedFile) {
      event.preventDefault();
      this.#start(pastedFile);
    } else if (target === this.input || target === this.recordInput || target === this.domainInput) {
      // Let the textarea take the text first (and keep the paste in its undo history).
      setTimeout(() => this.#start(target.value));
    } else if (!(target instanceof HTMLInputElement || target instanceof HTMLSelectElement)) {
      // A paste on a button or on the results: the pasted text becomes the input. Pastes into
      // the envelope fields (an IP address, say) are theirs and start nothing.
      const text = event.clipboardData?.getData('text/plain');
      if (!text) return;
      event.preventDefault();
      this.input.value = text;
      this.#start(text);
    }
  }

  /** Starts an analysis from the element's own controls: its outcome is shown, not thrown. */
  #start(input) {
    this.analyze(input).catch(() => {});
  }

  /** Drops the running analysis, if any: its report will not be rendered. */
  #supersede() {
    this.#generation += 1;
    this.#abortRunning?.abort();
    this.#abortRunning = null;
    this.#rejectRunning?.(superseded());
    this.#rejectRunning = null;
  }

  #idle(status) {
    this.status.textContent = status;
    this.cancel.hidden = true;
    this.results.removeAttribute('aria-busy');
  }

  /**
   * Analyses `input` (a string, bytes, or a File or Blob; the input text when omitted) and
   * renders the report. Resolves to the report; rejects with the core's error, or with an
   * AbortError when a newer analysis or the cancel control superseded this one.
   */
  analyze(input = this.value) {
    return this.#begin((current) => this.#run(input, current));
  }

  /** Audits `domain` again with the MTA-STS policy the reader pasted. */
  #startAudit(domain, policy) {
    const fail = (message) => this.#fail(`Cannot check ${domain}`, message);
    this.#begin((current) => this.#runAudit(domain, current, fail, policy)).catch(() => {});
  }

  /**
   * Starts `run(current)` as the newest analysis: the running one is superseded, and
   * `current()` says whether this one still is the newest.
   */
  #begin(run) {
    if (!this.shadowRoot) return Promise.reject(new Error('the element is not in a document yet'));
    this.#supersede();
    const generation = this.#generation;
    const current = () => generation === this.#generation;
    return new Promise((resolve, reject) => {
      this.#rejectRunning = reject;
      run(current).then(resolve, reject).finally(() => {
        if (current()) this.#rejectRunning = null;
      });
    });
  }

  /** Shows why the input cannot be analysed, fires mailspect-error, and throws. */
  #fail(what, message) {
    this.results.replaceChildren(el('p', { class: 'error', role: 'alert' }, `${what}: ${message}`));
    this.#idle('');
    this.dispatchEvent(new MailspectErrorEvent(message));
    throw new Error(message);
  }

  /** The Domain and Record views: an audit of a domain name, or the lint of a pasted record. */
  async #runAudit(input, current, fail, policy = null) {
    const domain = this.mode === 'domain';
    const text = typeof input === 'string' ? input.trim() : '';
    if (!text) {
      this.#idle(domain ? 'Type a domain first.' : 'Paste a record first.');
      throw new Error(domain ? 'there is no domain to check' : 'there is no record to check');
    }
    this.status.textContent = domain ? `Checking ${text}…` : 'Checking the record…';
    this.cancel.hidden = false;
    this.results.setAttribute('aria-busy', 'true');
    const started = performance.now();
    const modules = reportModules(this.shadowRoot, { views: true });
    let report;
    let renderers;
    try {
      const core = await auditCore();
      report = domain
        ? await core.auditDomain(text, {
          doh: this.doh, selectors: this.selectorsInput.value.split(/[\s,]+/).filter(Boolean), mtaStsPolicy: policy,
          probeReport: this.#probe?.domain.toLowerCase() === text.toLowerCase() ? this.#probe.text : null,
        })
        : core.lintRecord(text, this.recordKind.value === 'auto' ? null : this.recordKind.value);
      renderers = await modules;
    } catch (error) {
      if (!current()) throw superseded();
      fail(messageOf(error));
    }
    // A folded probe report is drawn by probe-view.js, loaded only then.
    const probePanel = domain && report.probe ? (await import('./probe-view.js')).renderProbe(report.probe) : null;
    if (!current()) throw superseded();
    const { renderExport, renderDomainAudit, renderRecordReport } = renderers;
    this.results.replaceChildren(renderExport(report, { message: false }),
      domain ? renderDomainAudit(report, { onPolicy: (pasted) => this.#startAudit(text, pasted), probePanel }) : renderRecordReport(report));
    this.#idle(`Checked ${domain ? text : 'the record'} in ${Math.round(performance.now() - started)} ms.`);
    this.dispatchEvent(new MailspectReportEvent(report));
    return report;
  }

  async #run(input, current) {
    let name = 'the pasted text';
    const fail = (message) => this.#fail(`Cannot analyse ${name}`, message);
    // A file dropped on the Domain view is a probe report the CLI wrote (probe-view.js).
    if (this.mode === 'domain' && input instanceof Blob) {
      name = input.name ?? 'the file';
      try {
        const { readProbeFile } = await import('./probe-view.js');
        this.#probe = await readProbeFile(input);
      } catch (error) {
        fail(messageOf(error));
      }
      if (!current()) throw superseded();
      this.domainInput.value = this.#probe.domain;
      return this.#runAudit(this.#probe.domain, current, fail);
    }
    if (this.mode !== 'message') return this.#runAudit(input, current, fail);
    let bytes = input;
    if (input instanceof Blob) {
      name = input.name ?? 'the file';
      if (input.name && !MESSAGE_FILE.test(input.name) && input.type !== 'message/rfc822') {
        fail('open a .eml, .msg or .txt file');
      }
      this.status.textContent = `Reading ${name}…`;
      bytes = new Uint8Array(await input.arrayBuffer());
      if (!current()) throw superseded();
      this.input.value = '';
      this.input.placeholder = `${name} (${bytes.length.toLocaleString()} bytes) was opened.`;
    } else if (typeof input === 'string' && input.trim() === '') {
      this.#idle('Paste some headers first.');
      throw new Error('there is no input to analyse');
    }
    this.status.textContent = 'Analysing…';
    this.cancel.hidden = false;
    this.results.setAttribute('aria-busy', 'true');
    const started = performance.now();
    const controller = new AbortController();
    this.#abortRunning = controller;
    const onProgress = ({ asked, answered }) => {
      if (!current()) return;
      this.status.textContent = `Analysing… DNS: ${answered} of ${asked} ${asked === 1 ? 'lookup' : 'lookups'} answered.`;
    };
    const blocked = new Set();
    const onBlocked = ({ url }) => blocked.add(url);
    const modules = reportModules(this.shadowRoot);
    let report;
    let renderExport;
    let renderReportInto;
    try {
      report = await analyzeMessage(bytes, {
        ip: this.ip.value,
        helo: this.helo.value,
        mailFrom: this.mailFrom.value,
        doh: this.doh,
        includeCanonicalized: this.canonicalized.checked,
      }, { onProgress, onBlocked, signal: controller.signal });
      ({ renderExport, renderReportInto } = await modules);
    } catch (error) {
      if (!current()) throw superseded();
      fail(messageOf(error));
    }
    // A newer input came in while this one ran: its result is not for the reader any more.
    if (!current()) throw superseded();
    this.#abortRunning = null;
    this.results.replaceChildren(...[blockedNotice(blocked, this.doh), renderExport(report)].filter(Boolean));
    if (!await renderReportInto(this.results, report, current)) throw superseded();
    // A signed or encrypted message: its panel and the e2e module load now and check it
    // (www/e2e-view.js); the first visit downloads neither.
    if (report.e2e && report.e2e.kind !== 'none') {
      import('./e2e-view.js').then(({ renderE2eInto }) => current() && renderE2eInto(this.results, bytes, report))
        .catch((error) => this.results.append(el('p', { class: 'error', role: 'alert' },
          `Cannot check the end-to-end protection: ${messageOf(error)}`)));
    }
    this.#markScrollable();
    this.#idle(`Analysed ${name} in ${Math.round(performance.now() - started)} ms.`);
    this.dispatchEvent(new MailspectReportEvent(report));
    return report;
  }
}
