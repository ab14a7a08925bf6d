// `npm start` (after `scripts/build.mjs --if-needed`): serves the demo page on 127.0.0.1 and prints its address.
// Port: $PORT, else 8177; when that port is taken, any free one. Ctrl-C (SIGINT) or SIGTERM stop the server and
// exit with 0.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './serve.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOST = '127.0.0.1';
const DEFAULT_PORT = 8177;

for (const f of ['dist/demo/main.js', 'dist/plugin/index.js']) {
  if (!existsSync(path.join(root, f))) {
    console.error(`${f} is missing: run \`npm run build\` first.`);
    process.exit(1);
  }
}

const wanted = process.env.PORT === undefined || process.env.PORT === '' ? DEFAULT_PORT : Number(process.env.PORT);
if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) {
  console.error(`PORT must be a port number (0-65535), got "${process.env.PORT}".`);
  process.exit(2);
}

// Signals first, so a Ctrl-C that comes while the server is still starting also ends cleanly.
let server = null;
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  if (server !== null) await server.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

try {
  server = await serve({ root, host: HOST, port: wanted });
} catch (e) {
  if (e?.code !== 'EADDRINUSE' && e?.code !== 'EACCES') throw e;
  server = await serve({ root, host: HOST, port: 0 });
  console.log(`(port ${wanted} is not available; using another one)`);
}
if (stopping) {
  await server.close();
  process.exit(0);
}
console.log(`LevelMatch demo: ${server.url}  (Ctrl-C stops)`);
