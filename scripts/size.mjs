// What a visitor downloads, per view: raw, gzip -9 and brotli (quality 11) sizes of every file
// the page loads, found by reading the page rather than from a list (a list rots as files come
// and go). From index.html: its module scripts and stylesheets; from each module, its static
// imports and the files it names with `new URL('…', import.meta.url)` (the wasm, the worker,
// the widget's stylesheet). A dynamic `import('…')` is where a view's own download starts.
// The budget is held against the first paint and the first report together: the renderer loads
// beside the first analysis, so that the form paints sooner, but every paste needs it.
//
// usage: node scripts/size.mjs [--enforce] [--root target/site] [--sources www]
// Prints the table and the first visit's gzip total against the budget (issue 13: 300 KB). With
// --enforce it exits 1 over budget; without, it only says by how much. It measures the files
// under --root (what is served: target/site/, scripts/build-site.mjs's minified build) and finds
// what loads what in --sources (the same files as written, one statement a line), which is
// target/site's own folder when no --sources is given.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const args = process.argv.slice(2);
const enforce = args.includes('--enforce');
const rootIndex = args.indexOf('--root');
const root = resolve(rootIndex >= 0 ? args[rootIndex + 1] : 'target/site');
const sourcesIndex = args.indexOf('--sources');
const sources = sourcesIndex >= 0 ? resolve(args[sourcesIndex + 1]) : root;

/** The first visit's budget, gzip -9, all files together: 300 KB (issue 13). */
const BUDGET = 300 * 1000;

/**
 * The views past the first visit: each starts at the module the page calls when that view is
 * used. A message's first report loads its renderer and the export bar (`www/render.js`,
 * `www/export.js`), whose "Copy as Markdown" loads `www/markdown.js`; `www/audit.js` is what the Domain and Record views call (`loadAudit()`),
 * beside their renderer `www/domain-view.js`. A view's dynamic import of another view's entry
 * (a redacted export loading audit.js) is counted with that other view.
 */
const LATER_VIEWS = [
  { name: 'A message\'s first report (render.js, export.js)', entries: ['render.js', 'export.js'], firstPaste: true },
  { name: 'Copy as Markdown (markdown.js)', entries: ['markdown.js'] },
  { name: 'Domain and Record views (loadAudit, domain-view.js)', entries: ['audit.js', 'domain-view.js'] },
  { name: 'A signed or encrypted message (e2e-view.js, pkg-e2e)', entries: ['e2e-view.js'] },
  { name: 'Reports view (reports-view.js, its worker and pkg-reports)', entries: ['reports-view.js'] },
];

function read(path, folder = root) {
  try {
    return readFileSync(join(folder, path));
  } catch {
    console.error(`size.mjs: ${join(folder, path)} is missing (the page loads it): build first, scripts/size.sh without --no-build`);
    process.exit(2);
  }
}

/** Paths (relative to www/) that `path` loads, split into static and dynamic. */
function references(path) {
  const text = read(path, sources).toString('utf8');
  const found = { now: [], later: [] };
  const add = (list, target) => {
    if (/^(data:|[a-z]+:\/\/)/i.test(target)) return;
    list.push(relative(root, resolve(root, dirname(path), target.split(/[?#]/)[0])));
  };
  if (path.endsWith('.html')) {
    for (const [, src] of text.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g)) add(found.now, src);
    for (const [, href] of text.matchAll(/<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/g)) add(found.now, href);
  } else if (path.endsWith('.js')) {
    // Import declarations start a line; a word "import" inside a comment or a string does not.
    const declaration = /^\s*(?:import\s+(?:[\w$*{}\s,]+\s+from\s+)?|export\s+[\w$*{}\s,]+\s+from\s+)['"]([^'"]+)['"]/gm;
    for (const [, from] of text.matchAll(declaration)) add(found.now, from);
    for (const [, url] of text.matchAll(/new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g)) add(found.now, url);
    for (const [, from] of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) add(found.later, from);
  }
  return found;
}

const everything = (folder) => readdirSync(join(root, folder)).flatMap((name) => {
  const path = join(folder, name);
  // Source maps load only in a browser's developer tools.
  if (name.startsWith('.') || name.endsWith('.map')) return [];
  return statSync(join(root, path)).isDirectory() ? everything(path) : [path];
});

/**
 * The folders of the modules some file imports dynamically (`pkg-msg/`): a wasm-bindgen package
 * is a folder, its .wasm beside its glue, and a loader names both (`import('./pkg-msg/…js')`,
 * `new URL('./pkg-msg/…wasm', import.meta.url)`). What lies there loads with the module.
 */
const lazyFolders = new Set(everything('').filter((path) => path.endsWith('.js'))
  .flatMap((path) => references(path).later).map(dirname).filter((folder) => folder !== '.'));

/** Every file reached from `entries` through static references; dynamic imports apart. */
function reach(entries, { lazy = true } = {}) {
  const files = new Set();
  const later = new Set();
  const queue = [...entries];
  while (queue.length) {
    const path = queue.shift();
    if (files.has(path)) continue;
    files.add(path);
    const { now, later: dynamic } = references(path);
    for (const target of now) {
      if (lazy && lazyFolders.has(dirname(target)) && !lazyFolders.has(dirname(path))) later.add(target);
      else queue.push(target);
    }
    dynamic.forEach((target) => later.add(target));
  }
  return { files, later };
}

function measure(path) {
  const bytes = read(path);
  return {
    path,
    raw: bytes.length,
    // GNU gzip, as BENCHMARKS.md has always measured (zlib's level 9 comes out ~1% larger).
    gzip: execFileSync('gzip', ['-9', '-n', '-c', join(root, path)], { maxBuffer: 1 << 28 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

const number = (value) => value.toLocaleString('en-US');
const row = (name, raw, gzip, brotli) =>
  console.log(`${name.padEnd(42)} ${raw.padStart(11)} ${gzip.padStart(10)} ${brotli.padStart(10)}`);

function printView(name, paths) {
  const sizes = [...paths].sort().map(measure);
  console.log(`\n${name}`);
  row('file', 'raw', 'gzip -9', 'brotli');
  for (const size of sizes) row(`  ${size.path}`, number(size.raw), number(size.gzip), number(size.brotli));
  const total = (key) => sizes.reduce((sum, size) => sum + size[key], 0);
  row('  total', number(total('raw')), number(total('gzip')), number(total('brotli')));
  return { raw: total('raw'), gzip: total('gzip'), brotli: total('brotli') };
}

const first = reach(['index.html']);
const firstTotal = printView('Message view, first visit (index.html and what it loads)', first.files);

const seen = new Set(first.files);
const views = LATER_VIEWS.filter((view) => view.entries.every((entry) => statSync(join(root, entry), { throwIfNoEntry: false })));
const named = new Set(views.flatMap((view) => view.entries));
// Each folder loaded on use is one download (its glue and its .wasm), named by its folder.
const onUse = new Map();
for (const target of first.later) {
  if (named.has(target)) continue;
  const folder = dirname(target);
  onUse.set(folder, [...(onUse.get(folder) ?? []), target]);
}
for (const [folder, entries] of onUse) views.push({ name: `loaded on use: ${folder}/`, entries });
let pasteTotal = { ...firstTotal };
for (const view of views) {
  const { files, later } = reach(view.entries);
  // A module a view imports dynamically is that view's download too.
  const all = new Set(files);
  for (const target of later) {
    if (!named.has(target)) reach([target], { lazy: false }).files.forEach((path) => all.add(path));
  }
  const added = [...all].filter((path) => !seen.has(path));
  const sizes = printView(`${view.name}: what it adds`, added);
  if (view.firstPaste) for (const key of ['raw', 'gzip', 'brotli']) pasteTotal[key] += sizes[key];
  added.forEach((path) => seen.add(path));
}

// What no view loads (the embedding example, say): listed so that a file the scan missed shows.
const unloaded = everything('').filter((path) => !seen.has(path));
if (unloaded.length) console.log(`\nnot loaded by any view: ${unloaded.sort().join(', ')}`);

const gap = pasteTotal.gzip - BUDGET;
console.log(`\nfirst paint: ${number(firstTotal.gzip)} bytes gzip -9, ${number(firstTotal.brotli)} brotli`);
console.log(`first visit (first paint and a message's first report): ${number(pasteTotal.gzip)} bytes gzip -9, ` +
  `${number(pasteTotal.brotli)} brotli; budget ${number(BUDGET)} gzip: ${gap > 0 ? `OVER by ${number(gap)}` : `${number(-gap)} to spare`}`);
if (enforce && gap > 0) process.exit(1);
