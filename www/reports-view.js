// The Reports view (#reports): DMARC aggregate and failure reports and SMTP TLS reports dropped
// on the view or picked, many at once, read in a Web Worker by the reports wasm module, and
// shown as the classes of senders, a chart per day, a sortable table of source IPs and the TLS
// failures. The page renders the report the core made and nothing else: classes, actions and
// counts all come from it. Nothing is uploaded; the archive (reports-archive.js) is opt-in.
import { el, revealed } from './render.js';
import { dailyChart } from './reports-chart.js';
import { archiveEnabled, archiveReports, archivedReports, deleteArchive, setArchiveEnabled } from './reports-archive.js';

/** The most a drop may hold together: the wasm module refuses more. */
const MAX_TOTAL_BYTES = 512 * 1024 * 1024;
/** Table rows shown before "Show all". */
const FIRST_ROWS = 200;

let worker = null;
let nextId = 1;
const pending = new Map();

function startWorker() {
  worker = new Worker(new URL('./reports-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    const settle = pending.get(data.id);
    pending.delete(data.id);
    if (!settle) return;
    if (data.error) settle.reject(new Error(data.error));
    else settle.resolve(data);
  };
  worker.onerror = (event) => {
    for (const settle of pending.values()) settle.reject(new Error(event.message || 'the reports worker failed'));
    pending.clear();
    worker = null;
  };
}

/** Sends one read to the worker; resolves to `{report, ms, wasmMemoryBytes}`. */
function ask(message, transfer = []) {
  if (!worker) startWorker();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, ...message }, transfer);
  });
}

/** Reads `files` (File objects) in the worker. */
export async function readFiles(files, options = {}) {
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (total > MAX_TOTAL_BYTES) throw new Error(`the files add up to ${Math.round(total / 1e6)} MB; at most ${MAX_TOTAL_BYTES / 1e6} MB at once`);
  const loaded = await Promise.all(files.map(async (file) => ({ name: file.name, bytes: await file.arrayBuffer() })));
  return ask({ files: loaded, options }, loaded.map((file) => file.bytes));
}

const percent = (part, whole) => (whole ? `${((part / whole) * 100).toFixed(1)}%` : '–');

/** Builds the view inside `root` (an empty element); returns the controls tests reach. */
export function mountReportsView(root, { doh = () => null } = {}) {
  document.head.append(el('link', { rel: 'stylesheet', href: new URL('./reports.css', import.meta.url).href }));
  const picker = el('input', { type: 'file', multiple: '', id: 'reports-files', accept: '.xml,.json,.gz,.zip,.eml,.mbox,application/xml,application/json,application/gzip,application/zip,message/rfc822' });
  const zone = el('div', { class: 'reports-drop', tabindex: '0' },
    el('p', {}, 'Drop DMARC aggregate (rua) and failure (ruf) reports and SMTP TLS reports here: .xml, .json, .gz, .zip, or the e-mails they came in (.eml, mbox). They are read in this page; nothing is uploaded.'),
    el('label', {}, 'Or choose files: ', picker));
  const ptr = el('input', { type: 'checkbox', id: 'reports-ptr' });
  const keep = el('input', { type: 'checkbox', id: 'reports-keep' });
  keep.checked = archiveEnabled();
  const showArchive = el('button', { type: 'button', id: 'reports-show-archive' }, 'Show the archive');
  const deleteButton = el('button', { type: 'button', id: 'reports-delete-archive' }, 'Delete the archive');
  const options = el('div', { class: 'reports-options' },
    el('label', {}, ptr, ' Look up the senders\' names (PTR, over the DNS-over-HTTPS resolver)'),
    el('label', {}, keep, ' Keep the reports in this browser (IndexedDB, on this device only)'),
    showArchive, deleteButton);
  const status = el('p', { class: 'reports-status', role: 'status', 'aria-live': 'polite' });
  const output = el('div', { class: 'reports-output' });
  root.replaceChildren(zone, options, status, output);

  const run = async (work, what) => {
    status.textContent = what;
    try {
      const { report, ms, wasmMemoryBytes } = await work();
      root.dataset.readMs = String(ms);
      root.dataset.wasmMemoryBytes = String(wasmMemoryBytes);
      render(output, report);
      status.textContent = `Read ${report.aggregate.length} aggregate, ${report.failure.length} failure and ${report.tls.length} TLS reports in ${Math.round(ms)} ms.`;
      if (keep.checked && report.files.length) {
        const added = await archiveReports(report);
        status.textContent += ` ${added} new in the archive.`;
      }
      root.dispatchEvent(new CustomEvent('reports-shown', { detail: report }));
    } catch (error) {
      status.textContent = `Could not read the reports: ${error.message}`;
    }
  };
  const readDropped = (files) => {
    if (!files.length) return;
    run(() => readFiles(files, { ptr: ptr.checked, doh: doh() }), `Reading ${files.length} files…`);
  };
  picker.addEventListener('change', () => readDropped([...picker.files]));
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    readDropped([...(event.dataTransfer?.files ?? [])]);
  });
  keep.addEventListener('change', () => setArchiveEnabled(keep.checked));
  showArchive.addEventListener('click', () => run(async () => {
    const kept = { aggregate: [], failure: [], tls: [] };
    for (const entry of await archivedReports()) kept[entry.kind]?.push(entry.report);
    return ask({ kept });
  }, 'Reading the archive…'));
  deleteButton.addEventListener('click', async () => {
    await deleteArchive();
    status.textContent = 'The archive is deleted.';
  });
  return { readDropped };
}

function render(output, report) {
  const summary = report.summary;
  const parts = [];
  const findings = [...report.files.flatMap((file) => file.findings), ...report.findings];
  if (findings.length) {
    parts.push(el('section', { class: 'panel reports-findings' }, el('h2', {}, 'What went wrong in the files'),
      el('ul', {}, ...findings.map((finding) => el('li', { class: `severity-${finding.severity}` }, revealed(finding.message))))));
  }
  if (report.aggregate.length) {
    parts.push(el('section', { class: 'panel reports-overview' }, el('h2', {}, 'Who sends as your domains'),
      el('p', {}, `${summary.messages} messages from ${summary.sources.length} source IPs; ${summary.dmarc_pass} passed DMARC (${percent(summary.dmarc_pass, summary.messages)}). Domains: ${summary.domains.join(', ')}. Reporters: ${summary.organisations.join(', ')}.`),
      el('ul', { class: 'reports-classes' }, ...summary.classes.map((entry) =>
        el('li', { 'data-class': entry.class }, `${entry.class}: ${entry.sources} sources, ${entry.messages} messages`))),
      summary.days.length ? dailyChart(summary.days) : null));
    parts.push(sourcesTable(summary));
  }
  if (summary.ptr_groups.length) {
    parts.push(el('section', { class: 'panel reports-ptr' }, el('h2', {}, 'Senders by name'),
      el('ul', {}, ...summary.ptr_groups.map((group) =>
        el('li', {}, `${group.organisation ?? '(no PTR name)'}: ${group.sources.length} IPs, ${group.messages} messages`)))));
  }
  if (report.failure.length) {
    parts.push(el('section', { class: 'panel reports-failures' }, el('h2', {}, 'Failure reports'),
      el('ul', {}, ...report.failure.map((failure) => el('li', {},
        revealed(`${failure.arrival_date ?? ''} ${failure.source_ip ?? '?'} → ${failure.reported_domain ?? '?'}: ${failure.auth_failure ?? failure.feedback_type ?? 'no feedback fields'}; From ${failure.original_from ?? '?'}, Subject ${failure.original_subject ?? '?'}`))))));
  }
  if (report.tls.length) {
    parts.push(el('section', { class: 'panel reports-tls' }, el('h2', {}, 'TLS (SMTP TLS reports)'),
      el('p', {}, `${summary.tls_successful_sessions} sessions succeeded, ${summary.tls_failed_sessions} failed.`),
      el('ul', {}, ...summary.tls_failures.map((failure) =>
        el('li', {}, revealed(`${failure.organisation ?? '?'} → ${failure.policy_domain ?? '?'}: ${failure.result_type ?? '?'}, ${failure.sessions} sessions`))))));
  }
  output.replaceChildren(...parts);
}

const COLUMNS = [
  { key: 'source_ip', label: 'Source IP', value: (source) => source.source_ip },
  { key: 'ptr', label: 'Name (PTR)', value: (source) => source.ptr_names[0] ?? '' },
  { key: 'messages', label: 'Messages', value: (source) => source.messages, numeric: true },
  { key: 'pass', label: 'DMARC pass', value: (source) => (source.messages ? source.dmarc_pass / source.messages : 0), numeric: true, show: (source) => percent(source.dmarc_pass, source.messages) },
  { key: 'class', label: 'Class', value: (source) => source.class },
  { key: 'from', label: 'Header From', value: (source) => source.header_from.join(', ') },
  { key: 'reporters', label: 'Reported by', value: (source) => source.reporters.join(', ') },
  { key: 'action', label: 'What to do', value: (source) => source.action },
];

function sourcesTable(summary) {
  let sortKey = 'messages';
  let descending = true;
  let showAll = false;
  const body = el('tbody');
  const heads = COLUMNS.map((column) => {
    const button = el('button', { type: 'button', 'data-sort': column.key }, column.label);
    button.addEventListener('click', () => {
      descending = sortKey === column.key ? !descending : Boolean(column.numeric);
      sortKey = column.key;
      fill();
    });
    return el('th', { scope: 'col', 'aria-sort': 'none' }, button);
  });
  const more = el('button', { type: 'button', class: 'reports-more' });
  more.addEventListener('click', () => { showAll = true; fill(); });
  function fill() {
    const column = COLUMNS.find((entry) => entry.key === sortKey);
    const sorted = [...summary.sources].sort((a, b) => {
      const [x, y] = [column.value(a), column.value(b)];
      const order = typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
      return descending ? -order : order;
    });
    heads.forEach((head, index) => head.setAttribute('aria-sort', COLUMNS[index].key === sortKey ? (descending ? 'descending' : 'ascending') : 'none'));
    const shown = showAll ? sorted : sorted.slice(0, FIRST_ROWS);
    body.replaceChildren(...shown.map((source) => el('tr', { 'data-class': source.class },
      ...COLUMNS.map((entry) => el('td', {}, revealed(String(entry.show ? entry.show(source) : entry.value(source))))))));
    more.hidden = showAll || sorted.length <= FIRST_ROWS;
    more.textContent = `Show all ${sorted.length} sources`;
  }
  fill();
  return el('section', { class: 'panel reports-sources' }, el('h2', {}, 'Source IPs'),
    el('div', { class: 'table-scroll' }, el('table', { class: 'reports-table' }, el('thead', {}, el('tr', {}, ...heads)), body)), more);
}
