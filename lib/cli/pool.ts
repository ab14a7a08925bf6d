/**
 * A pool of worker threads (one per core by default) for the file commands. Jobs are handed out in order
 * as workers come free; results come back by job id, so the caller can report in argument order. An error
 * in one job is that job's result; the others go on.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Analysis } from '../file-tools/analyse.ts';
import type { ProcessOptions } from '../file-tools/normalize.ts';

export interface Job {
  id: number;
  op: 'normalize' | 'analyse' | 'render' | 'match';
  input: string;
  output?: string;
  reference?: string;
  analysis?: Analysis;
  plan?: unknown;
  target?: number;
  /** Plain data only (no functions, no streams): it crosses to the worker by structured clone. */
  options: Omit<ProcessOptions, 'onProgress' | 'stdin'> & Record<string, unknown>;
}

export type JobOutcome<T> = { ok: true; result: T } | { ok: false; error: string; shortfall: boolean };

/** The worker's script: the TypeScript source when running from source (tests, tsx), else the bundle. */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('./worker.ts', import.meta.url) : new URL('./cli-worker.js', import.meta.url);
}

export class Pool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { job: Job; resolve: (o: JobOutcome<unknown>) => void; onProgress?: (f: number) => void }[] = [];
  private readonly running = new Map<number, { resolve: (o: JobOutcome<unknown>) => void; onProgress?: (f: number) => void; worker: Worker }>();

  constructor(private readonly size = availableParallelism()) {}

  run<T>(job: Job, onProgress?: (f: number) => void): Promise<JobOutcome<T>> {
    return new Promise((resolve) => {
      this.queue.push({ job, resolve: resolve as (o: JobOutcome<unknown>) => void, onProgress });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let w = this.idle.pop();
      if (!w && this.workers.length < this.size) w = this.spawn();
      if (!w) return;
      const { job, resolve, onProgress } = this.queue.shift()!;
      this.running.set(job.id, { resolve, onProgress, worker: w });
      w.postMessage(job);
    }
  }

  private spawn(): Worker {
    const w = new Worker(workerUrl());
    w.on('message', (m: { id: number; progress?: number; result?: unknown; error?: string; shortfall?: boolean }) => {
      const r = this.running.get(m.id);
      if (!r) return;
      if (m.progress !== undefined) {
        r.onProgress?.(m.progress);
        return;
      }
      this.running.delete(m.id);
      r.resolve(m.error !== undefined ? { ok: false, error: m.error, shortfall: m.shortfall ?? false } : { ok: true, result: m.result });
      this.idle.push(w);
      this.pump();
    });
    w.on('error', (e) => {
      for (const [id, r] of this.running) {
        if (r.worker !== w) continue;
        this.running.delete(id);
        r.resolve({ ok: false, error: `internal error: ${e.message}`, shortfall: false });
      }
      const i = this.workers.indexOf(w);
      if (i >= 0) this.workers.splice(i, 1);
      this.pump();
    });
    this.workers.push(w);
    return w;
  }

  /** Stops every worker (at once: used on Ctrl-C / SIGTERM before the temporaries are removed). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
    this.idle.length = 0;
  }
}
