// The Reports view's archive: reports kept in this browser's IndexedDB, only when the reader
// turns it on, so that next time the view shows them again without the files. One object per
// report, keyed by its kind, organisation and report id, so that a report dropped twice is kept
// once. Nothing here leaves the device; "Delete the archive" removes the database.
const DB_NAME = 'mailspect-reports';
const STORE = 'reports';
const OPT_IN_KEY = 'mailspect.reports.archive';

const request = (req) => new Promise((resolve, reject) => {
  req.onsuccess = () => resolve(req.result);
  req.onerror = () => reject(req.error);
});

function open() {
  const req = indexedDB.open(DB_NAME, 1);
  req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
  return request(req);
}

export const archiveEnabled = () => {
  try { return localStorage.getItem(OPT_IN_KEY) === 'on'; } catch { return false; }
};

export function setArchiveEnabled(on) {
  try {
    if (on) localStorage.setItem(OPT_IN_KEY, 'on');
    else localStorage.removeItem(OPT_IN_KEY);
  } catch { /* storage disabled: the archive stays off */ }
}

/** The key a report is kept under: kind, organisation, report id (the file when either lacks). */
export function reportKey(kind, report) {
  const org = report.org_name ?? report.organization_name ?? report.reporting_mta ?? '';
  const id = report.report_id ?? report.original_message_id ?? report.file;
  return `${kind}\u0000${org}\u0000${id}`;
}

/** Adds the report set's reports; resolves to how many were new. */
export async function archiveReports(set) {
  const db = await open();
  const entries = [
    ...set.aggregate.map((report) => ['aggregate', report]),
    ...set.failure.map((report) => ['failure', report]),
    ...set.tls.map((report) => ['tls', report]),
  ];
  const tx = db.transaction(STORE, 'readwrite');
  const store = tx.objectStore(STORE);
  let added = 0;
  for (const [kind, report] of entries) {
    const key = reportKey(kind, report);
    if (await request(store.getKey(key)) === undefined) {
      store.put({ key, kind, report });
      added += 1;
    }
  }
  await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
  db.close();
  return added;
}

/** Every archived report, as `[{kind, report}]`. */
export async function archivedReports() {
  const db = await open();
  const all = await request(db.transaction(STORE).objectStore(STORE).getAll());
  db.close();
  return all;
}

export async function deleteArchive() {
  await request(indexedDB.deleteDatabase(DB_NAME));
}
