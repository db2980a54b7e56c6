// Serves www/ on 127.0.0.1 for local use and the page tests: static files only, with the MIME
// types browsers insist on for modules and wasm, and the page's Content-Security-Policy.
//
// usage: node scripts/serve-www.mjs [--port 8080] [--root www]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1] : fallback;
};
const port = Number(option('--port', '8080'));
const root = resolve(option('--root', 'www'));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.eml': 'message/rfc822',
};

// The same policy the page declares in its <meta> tag, sent as a header too: the header is what
// binds the core's Web Worker (worker.js), which a <meta> policy does not reach. connect-src lets
// the page reach the three built-in DoH resolvers and DoH servers on this machine (`mailspect
// serve-dns`), nothing else: nothing on the page can send what is pasted anywhere.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' https://cloudflare-dns.com https://dns.google https://dns.quad9.net http://127.0.0.1:* http://localhost:* https://127.0.0.1:* https://localhost:*; worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const server = createServer(async (request, response) => {
  const send = (status, body, type = 'text/plain; charset=utf-8') => {
    response.writeHead(status, {
      'content-type': type,
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    response.end(body);
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(405, 'method not allowed\n');
    return;
  }
  let path;
  try {
    path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
  } catch {
    send(400, 'bad request\n');
    return;
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(root, path));
  if (file !== root && !file.startsWith(root + sep)) {
    send(403, 'forbidden\n');
    return;
  }
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
    const body = await readFile(file);
    send(200, request.method === 'HEAD' ? undefined : body, TYPES[extname(file)] ?? 'application/octet-stream');
  } catch {
    send(404, 'not found\n');
  }
});

server.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address();
  console.log(`mailspect is up at http://127.0.0.1:${bound}/ (serving ${root}; Ctrl-C stops it)`);
});
