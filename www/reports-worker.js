// Reads DMARC and TLS reports off the main thread: the reports wasm module (pkg-reports/,
// crates/mailspect-reports) in a Web Worker, one read per message. The page sends the files'
// bytes (transferred, not copied) and gets the report back with how long the read took and how
// large the module's memory grew, for the benchmark and the status line.
import init, { addReportFile, readReports, summarizeReports } from './pkg-reports/mailspect_reports.js';

let ready = null;

self.onmessage = async (event) => {
  const { id, files, kept, options } = event.data;
  try {
    ready ??= init({ module_or_path: new URL('./pkg-reports/mailspect_reports_bg.wasm', import.meta.url) });
    const wasm = await ready;
    const started = performance.now();
    let report;
    if (kept) {
      report = summarizeReports(kept);
    } else {
      for (const file of files) addReportFile(file.name, new Uint8Array(file.bytes));
      report = await readReports(options ?? {});
    }
    const ms = performance.now() - started;
    self.postMessage({ id, report, ms, wasmMemoryBytes: wasm.memory.buffer.byteLength });
  } catch (error) {
    self.postMessage({ id, error: String(error?.message ?? error) });
  }
};
