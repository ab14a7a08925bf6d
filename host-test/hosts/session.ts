/**
 * The browser session every host reproduction uses: headless Chromium on a page served from the repository
 * (host-test/browser-session.ts), and `scenario(page, name, arg)` to run an exported function of a page-side
 * script in host-test/hosts/pages/.
 *
 * LEVELMATCH_HOSTS_DIST=<dir> serves <dir> as /dist/ instead of the repository's build: that is how these tests
 * were run against an older build (e.g. `git worktree add /tmp/main main && (cd /tmp/main && npm run build)`),
 * to see each of them fail there.
 */
import path from 'node:path';
import { browserSession, REPO_ROOT } from '../browser-session.ts';
import { serveStatic, type StaticServer } from '../static-server.ts';

function serveWithDist(): Promise<StaticServer> {
  const dist = process.env.LEVELMATCH_HOSTS_DIST;
  if (!dist) return serveStatic(REPO_ROOT);
  return serveStatic(REPO_ROOT, (pathname) => (pathname.startsWith('/dist/') ? path.join(path.resolve(dist), pathname.slice(6)) : null));
}

export function hostSession() {
  const { t, session } = browserSession({ serve: serveWithDist });
  /** Runs `name` exported by host-test/hosts/pages/<page>.js on the page, with `arg`. */
  const scenario = <T>(page: string, name: string, arg?: unknown): Promise<T> =>
    session.page.evaluate(
      ([p, n, a]) => import(`/host-test/hosts/pages/${p}.js`).then((m) => m[n as string](a)),
      [page, name, arg] as const,
    ) as Promise<T>;
  return { t, session, scenario };
}
