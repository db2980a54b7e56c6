// Builds the page as it is served: www/ copied into target/site/ with every JavaScript module and
// stylesheet minified by esbuild, one file for one file. Each module keeps its own URL and its
// imports, so the Web Worker and the page still share the glue, crypto.js and intake.js from the
// HTTP cache, and the views that load on use still load on use; bundling would copy the shared
// modules into both the page's bundle and the worker's. HTML, the wasm modules and everything
// else are copied as they are. Each minified file has a source map beside it (`x.js.map`, sources
// included) that a browser fetches only when its developer tools are open.
//
// www/ stays the source the page is written in; target/site/ is what visitors download, what
// scripts/serve.sh serves, what scripts/size.mjs measures and what the page tests load (they
// build their own copy with `buildSite`, so that they always test the current sources).
//
// usage: node scripts/build-site.mjs [--from www] [--to target/site]
import { copyFile, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The esbuild loader for the files it minifies; any other file is copied. */
const LOADERS = { '.js': 'js', '.mjs': 'js', '.css': 'css' };

async function files(folder) {
  const found = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await files(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

/**
 * Minifies `source` (the text of `name`) as esbuild's loader for its extension does. A module
 * stays a module: its import and export statements, `import()` and `new URL(…, import.meta.url)`
 * keep their specifiers, which is how each file still finds the others.
 */
export async function minify(name, source) {
  const loader = LOADERS[extname(name)];
  const result = await transform(source, {
    loader,
    minify: true,
    // The page needs module workers and top-level await already; nothing is lowered.
    target: 'esnext',
    ...(loader === 'js' ? { format: 'esm' } : {}),
    legalComments: 'none',
    sourcemap: 'external',
    sourcefile: name,
    sourcesContent: true,
  });
  for (const warning of result.warnings) console.warn(`build-site: ${name}: ${warning.text}`);
  const map = `${basename(name)}.map`;
  const comment = loader === 'css' ? `/*# sourceMappingURL=${map} */` : `//# sourceMappingURL=${map}`;
  return { code: `${result.code.trimEnd()}\n${comment}\n`, map: result.map };
}

/**
 * Builds `to` from `from`: clears it, minifies the modules and stylesheets, and copies the rest
 * (with `link`, symbolic links stand in for the copies: the page tests' throwaway builds).
 * Resolves to the number of files minified and copied.
 */
export async function buildSite(from = join(ROOT, 'www'), to = join(ROOT, 'target/site'), { link = false } = {}) {
  const source = resolve(from);
  const target = resolve(to);
  if (target === source || target.startsWith(`${source}/`)) {
    throw new Error(`build-site: the output ${target} must lie outside the sources ${source}`);
  }
  await rm(target, { recursive: true, force: true });
  let minified = 0;
  let copied = 0;
  await Promise.all((await files(source)).map(async (path) => {
    const name = relative(source, path);
    const out = join(target, name);
    await mkdir(dirname(out), { recursive: true });
    if (LOADERS[extname(name)]) {
      let result;
      try {
        result = await minify(name, await readFile(path, 'utf8'));
      } catch (error) {
        // esbuild's message names the file, line and column of what it could not read.
        throw new Error(`build-site: cannot minify ${path}: ${error.message}`);
      }
      await writeFile(out, result.code);
      await writeFile(`${out}.map`, result.map);
      minified += 1;
    } else if (link) {
      await symlink(path, out);
      copied += 1;
    } else {
      await copyFile(path, out);
      copied += 1;
    }
  }));
  return { minified, copied };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const index = args.indexOf(name);
    return index >= 0 && args[index + 1] !== undefined ? args[index + 1] : fallback;
  };
  const from = option('--from', join(ROOT, 'www'));
  const to = option('--to', join(ROOT, 'target/site'));
  try {
    const { minified, copied } = await buildSite(from, to);
    console.log(`build-site: ${to}: ${minified} files minified, ${copied} copied`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
