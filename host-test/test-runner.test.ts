// `npm test`'s runner (scripts/test.mjs) writes plain text into a pipe or a file: no ANSI colour codes
// (uvu colours by default). On a terminal it keeps them; that half is not testable without a pseudo-terminal.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from './browser-session.ts';

test('the test runner writes no ANSI escape codes into a pipe', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '1' };
  delete env.NO_COLOR;
  const r = spawnSync(process.execPath, ['scripts/test.mjs', 'gui/format\\.test\\.ts$'], { cwd: REPO_ROOT, env, encoding: 'utf8' });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /tests: \d+ passed, 0 failed/);
  assert.match(r.stdout, /Passed:\s+\d+/);
  assert.not.ok(/\x1b\[/.test(r.stdout), `escape codes in: ${JSON.stringify(r.stdout.slice(0, 200))}`);
});

test.run();
