// Where the wasm core runs. The module is compiled once, here; analyses run in a Web Worker
// (worker.js) on that compiled module, so that a hostile paste that takes the core a while
// (10,000 fields, 1 MB lines) never freezes the page, and so that cancelling an analysis really
// stops it: the worker is terminated, not merely ignored. The main thread instantiates the same
// module too, for the quick synchronous calls (the version, redaction).
//
// A page that cannot start a worker from this module's origin (the widget loaded from another
// site, or a Content-Security-Policy without worker-src for it) still works: the analysis then
// runs on the main thread, as it did before workers.
import { withPageCrypto } from './crypto.js';
import { analyzeInput } from './intake.js';
import init, * as wasm from './pkg/mailspect.js';

const WASM_URL = new URL('./pkg/mailspect_bg.wasm', import.meta.url);
const WORKER_URL = new URL('./worker.js', import.meta.url);

/** The compiled module, shared by the main thread and every worker (no second download). */
const compiled = (async () => {
  const response = fetch(WASM_URL);
  try {
    return await WebAssembly.compileStreaming(response);
  } catch {
    // A server that sends the wasm without `application/wasm`: compile from the bytes.
    return WebAssembly.compile(await (await fetch(WASM_URL)).arrayBuffer());
  }
})();

/** Resolves to the wasm module's exports, instantiated on the main thread. */
export const ready = compiled.then((module) => init({ module_or_path: module })).then(() => wasm);

const abortError = (message) => new DOMException(message, 'AbortError');

/** One spare worker, started ahead of need so that an analysis does not wait for its start. */
let spare = null;

function startWorker(module) {
  const worker = new Worker(WORKER_URL, { type: 'module', name: 'mailspect-core' });
  worker.postMessage({ type: 'init', module });
  return worker;
}

async function takeWorker() {
  const module = await compiled;
  const worker = spare ?? startWorker(module);
  spare = null;
  return worker;
}

function keepSpare() {
  if (spare) return;
  compiled.then((module) => {
    try {
      spare ??= startWorker(module);
    } catch {
      // No workers here: the next analysis runs on the main thread.
    }
  });
}

/**
 * Analyses `input` (a string or bytes) with `options` (as `analyzeMessage` takes them) and
 * resolves to the report. `onProgress({ asked, answered })` hears of each DNS lookup the core
 * sends and each answer; `onBlocked({ url, directive })` of a connection the page's
 * Content-Security-Policy refused. `signal` aborts: the worker is terminated and the promise rejects
 * with an AbortError.
 */
export async function analyzeMessage(input, options, { onProgress, onBlocked, signal } = {}) {
  if (signal?.aborted) throw abortError('the analysis was cancelled');
  let worker;
  try {
    worker = await takeWorker();
  } catch {
    return analyzeHere(input, options, signal, onBlocked);
  }
  if (signal?.aborted) {
    worker.terminate();
    throw abortError('the analysis was cancelled');
  }
  return new Promise((resolve, reject) => {
    const finish = () => {
      worker.terminate();
      signal?.removeEventListener('abort', abort);
      keepSpare();
    };
    const abort = () => {
      finish();
      reject(abortError('the analysis was cancelled'));
    };
    signal?.addEventListener('abort', abort, { once: true });
    worker.addEventListener('message', ({ data }) => {
      if (data.type === 'progress') onProgress?.(data);
      else if (data.type === 'blocked') onBlocked?.(data);
      else if (data.type === 'report') {
        finish();
        resolve(data.report);
      } else if (data.type === 'error') {
        finish();
        reject(new Error(data.message));
      }
    });
    worker.addEventListener('error', (event) => {
      // The worker script itself failed (it could not load the core): run here instead.
      event.preventDefault();
      finish();
      analyzeHere(input, options, signal, onBlocked).then(resolve, reject);
    });
    worker.postMessage({ type: 'analyze', input, options });
  });
}

async function analyzeHere(input, options, signal, onBlocked) {
  const core = await ready;
  const blocked = (event) => onBlocked?.({ url: event.blockedURI, directive: event.effectiveDirective });
  document.addEventListener('securitypolicyviolation', blocked);
  try {
    const report = await analyzeInput(core, input, withPageCrypto(options));
    if (signal?.aborted) throw abortError('the analysis was cancelled');
    return report;
  } finally {
    document.removeEventListener('securitypolicyviolation', blocked);
  }
}

keepSpare();
