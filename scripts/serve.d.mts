/** Types of scripts/serve.mjs: the demo's static file server (demo/ at `/`, dist/ at `/dist/`, read-only). */

export interface ServeOptions {
  /** The repository root: the folder holding demo/ and dist/. */
  root: string;
  /** Interface to listen on; default '127.0.0.1'. */
  host?: string;
  /** TCP port; default 0 (a free port). */
  port?: number;
}

export interface DemoServer {
  /** The page's address, with a trailing slash, e.g. "http://127.0.0.1:8177/". */
  url: string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Starts the server; rejects with the listen error (e.g. code 'EADDRINUSE'). */
export function serve(options: ServeOptions): Promise<DemoServer>;
