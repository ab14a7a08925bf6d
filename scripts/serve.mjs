// The demo's static file server (plain Node, no dependencies): used by `npm start`, the screenshot script and
// tests. It serves exactly two trees of the repository, read-only:
//   /            -> demo/        (index.html, style.css: the page)
//   /dist/...    -> dist/        (the built plugin, the demo's bundle)
// and nothing else of the repository (no sources, no node_modules). Every response says `no-store`, so a
// rebuild shows up on the next reload. A path that escapes its tree (e.g. an encoded `..`) gets 403, anything
// missing 404, any method but GET / HEAD 405.
import { createServer } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** Content types by extension: browsers insist on the right one for module scripts and WebAssembly. */
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wav': 'audio/wav',
};

/**
 * Maps a URL path to [tree root, path inside it]. `/dist` and `/dist/...` belong to dist/, the rest to demo/.
 * Returns null when the path cannot be decoded.
 */
function route(root, pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  if (decoded === '/dist' || decoded.startsWith('/dist/')) return [path.join(root, 'dist'), decoded.slice('/dist'.length)];
  return [path.join(root, 'demo'), decoded];
}

/** True when `file` is `base` or inside it. */
const inside = (base, file) => file === base || file.startsWith(base + path.sep);

/**
 * Starts the server. `root` is the repository root (the folder holding demo/ and dist/); `port` 0 picks a
 * free port. Resolves once listening with `url` (with a trailing slash, e.g. "http://127.0.0.1:8177/") and
 * `close()`, which also drops idle keep-alive connections so it never waits for a browser to hang up.
 * Rejects with the listen error (e.g. code EADDRINUSE).
 */
export async function serve({ root, host = '127.0.0.1', port = 0 }) {
  const base = path.resolve(root);
  const server = createServer(async (req, res) => {
    const send = (status, body = '', headers = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    // The path as sent, before URL parsing resolves dot segments: any `..` segment (also encoded, or behind an
    // encoded slash) is an attempt to leave the served trees.
    const raw = (req.url ?? '/').split(/[?#]/)[0];
    let rawDecoded;
    try {
      rawDecoded = decodeURIComponent(raw);
    } catch {
      send(400, 'bad request\n');
      return;
    }
    if (rawDecoded.split(/[\\/]/).includes('..')) {
      send(403, 'forbidden\n');
      return;
    }
    let pathname;
    try {
      pathname = new URL(raw, 'http://localhost').pathname;
    } catch {
      send(400, 'bad request\n');
      return;
    }
    const routed = route(base, pathname);
    if (routed === null) {
      send(400, 'bad request\n');
      return;
    }
    const [tree, rel] = routed;
    let file = path.resolve(tree, `.${rel}`);
    if (!inside(tree, file)) {
      send(403, 'forbidden\n');
      return;
    }
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = path.join(file, 'index.html');
        info = await stat(file);
      }
      // A symbolic link must not lead out of its tree either.
      const real = await realpath(file);
      if (!inside(await realpath(tree), real)) {
        send(403, 'forbidden\n');
        return;
      }
      if (!info.isFile()) throw new Error('not a file');
      const body = await readFile(real);
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      send(404, 'not found\n');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no port');
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${address.port}/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        server.closeAllConnections();
      }),
  };
}
