/**
 * The worker thread of `normalize` and `match`: runs one job of lib/file-tools at a time for ./pool.ts and
 * posts its progress and its result (or its error as one line). Bundled to dist/cli-worker.js.
 */
import { parentPort } from 'node:worker_threads';
import { analyseFile, matchFile, normalizeFile, renderPlanned, ShortfallError } from '../file-tools/normalize.ts';
import type { Job } from './pool.ts';
import { describeError } from './describe-error.ts';

const port = parentPort!;

port.on('message', async (job: Job) => {
  const onProgress = (fraction: number) => port.postMessage({ id: job.id, progress: fraction });
  try {
    let result: unknown;
    const o = { ...job.options, onProgress };
    switch (job.op) {
      case 'normalize': result = await normalizeFile(job.input, job.output!, o as never); break;
      case 'analyse': result = await analyseFile(job.input, o); break;
      case 'render': result = await renderPlanned(job.input, job.output!, job.analysis!, job.plan as never, job.target!, o); break;
      case 'match': result = await matchFile(job.input, job.reference!, job.output!, o); break;
    }
    port.postMessage({ id: job.id, result });
  } catch (e) {
    port.postMessage({ id: job.id, error: describeError(e), shortfall: e instanceof ShortfallError });
  }
});
