// Measures the Reports view in Chromium: the time the worker takes to read a folder of reports
// (the read inside the worker, and drop to table on the page) and the memory the reports wasm
// module grew to. Not a test (speed figures are never asserted): BENCHMARKS.md, "Reports".
//
// usage: cargo run --release --example report_corpus -- /tmp/corpus 100 100
//        node wasm-tests/page/reports-bench.mjs /tmp/corpus
import { readdir, readFile } from 'node:fs/promises';
import { openContext, startPageServers } from './support.mjs';
import { dropFiles } from './reports-files.mjs';

const folder = process.argv[2];
if (!folder) {
  console.error('usage: node wasm-tests/page/reports-bench.mjs FOLDER');
  process.exit(2);
}
const names = (await readdir(folder)).sort();
const files = await Promise.all(names.map(async (name) => ({ name, bytes: await readFile(`${folder}/${name}`) })));
const servers = await startPageServers();
try {
  for (let run = 1; run <= 3; run += 1) {
    const { page, close } = await openContext(servers.browser, `${servers.baseUrl}#reports`);
    await page.locator('.reports-drop').waitFor();
    const started = Date.now();
    await dropFiles(page, '.reports-drop', files);
    await page.locator('.reports-table tbody tr').first().waitFor({ timeout: 120000 });
    const pageMs = Date.now() - started;
    const figures = await page.locator('#reports').evaluate((root) => ({
      readMs: Number(root.dataset.readMs),
      wasmMemoryBytes: Number(root.dataset.wasmMemoryBytes),
      jsHeapBytes: performance.memory?.usedJSHeapSize ?? null,
      messages: document.querySelector('.reports-overview p')?.textContent,
    }));
    console.log(JSON.stringify({ run, files: files.length, pageMs, ...figures }));
    await close();
  }
} finally {
  await servers.stop();
}
