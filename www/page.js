// The page's own bits outside the widget: the version in the footer, the theme toggle, and
// drops and pastes anywhere on the page, handed to the widget. No analysis happens here.
import { ready } from './mailspect-analyzer.js';

const THEME_STORAGE_KEY = 'mailspect.theme';
const analyzer = document.querySelector('mailspect-analyzer');
const themePicker = document.getElementById('theme');

ready.then((wasm) => {
  document.getElementById('version').textContent = wasm.version();
});

// localStorage throws when storage is disabled: the toggle then lasts for this visit only.
const storage = {
  get: (key) => { try { return localStorage.getItem(key); } catch { return null; } },
  set: (key, value) => { try { localStorage.setItem(key, value); } catch { /* not remembered */ } },
};

/** The widget's theme attribute is the truth; the page's own colours follow it. */
function applyTheme(theme) {
  analyzer.theme = theme;
  const applied = analyzer.theme; // invalid values fall back to auto
  themePicker.value = applied;
  document.documentElement.dataset.theme = applied;
}

applyTheme(storage.get(THEME_STORAGE_KEY)); // nothing stored: no attribute, auto
themePicker.addEventListener('change', () => {
  applyTheme(themePicker.value);
  storage.set(THEME_STORAGE_KEY, analyzer.theme);
});

// The views: Message, Domain and Record, one per widget mode, and Reports (its own section), named in the address (#domain) so
// that a view can be linked to. Only the view's name goes into the URL, never what was pasted.
const viewLinks = [...document.querySelectorAll('.views a[data-mode]')];
function showView() {
  const hash = location.hash.slice(1);
  const [name] = hash.split('=');
  const mode = viewLinks.some((link) => link.dataset.mode === name) ? name : 'message';
  showReports(mode === 'reports');
  if (mode !== 'reports') analyzer.mode = mode === 'message' ? null : mode;
  for (const link of viewLinks) {
    if (link.dataset.mode === mode) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  // #domain=example.com audits the domain: a link to an audit. Domains only: nothing a reader
  // pastes ever goes into the address.
  const domain = mode === 'domain' && hash.startsWith('domain=') ? decodeURIComponent(hash.slice(7)).trim() : '';
  if (domain && domain !== lastAudited) {
    analyzer.value = domain;
    analyzer.analyze(domain).catch(() => {});
  }
}
let lastAudited = null;
analyzer.addEventListener('mailspect-report', (event) => {
  if (analyzer.mode !== 'domain' || typeof event.report?.domain !== 'string' || event.report.error) return;
  lastAudited = event.report.domain;
  history.replaceState(null, '', `#domain=${encodeURIComponent(lastAudited)}`);
});
// The Reports view is not a mode of the widget: its own section and module, loaded on first use.
const reportsSection = document.getElementById('reports');
let reportsView = null;
function showReports(shown) {
  analyzer.hidden = shown;
  reportsSection.hidden = !shown;
  if (shown) {
    reportsView ??= import('./reports-view.js').then((module) =>
      module.mountReportsView(reportsSection, { doh: () => analyzer.getAttribute('doh') }));
  }
}
window.addEventListener('hashchange', showView);
showView();

// A file dropped anywhere on the page is analysed, as one dropped on the widget is; without
// this the browser would navigate away to show the file.
document.addEventListener('dragover', (event) => {
  if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
});
document.addEventListener('drop', (event) => {
  if (event.defaultPrevented) return; // the widget took it
  if (!reportsSection.hidden) {
    // In the Reports view a drop anywhere is a set of reports.
    event.preventDefault();
    const files = [...(event.dataTransfer?.files ?? [])];
    reportsView?.then((view) => view.readDropped(files));
    return;
  }
  const [file] = event.dataTransfer?.files ?? [];
  if (!file) return;
  event.preventDefault();
  analyzer.analyze(file).catch(() => {});
});

// A paste with nothing editable focused goes to the widget too.
document.addEventListener('paste', (event) => {
  if (event.defaultPrevented || event.composedPath().includes(analyzer) || !reportsSection.hidden) return;
  const target = event.target;
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement
    || target?.isContentEditable) return;
  const [file] = event.clipboardData?.files ?? [];
  const text = event.clipboardData?.getData('text/plain');
  if (!file && !text) return;
  event.preventDefault();
  if (!file) analyzer.value = text;
  analyzer.analyze(file ?? text).catch(() => {});
});
