import { sharedPageBuild, startIsolatedServer } from './production-build';

/**
 * The engine test page (tests/e2e/pages/engine.html: the engine's and the release path's main-thread API on
 * window, with the test entries of both workers) as a production build, which the files of a test run
 * share (production-build.ts), served cross-origin isolated on a free port.
 */
export async function startEnginePageServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const { dir, remove } = await sharedPageBuild(['tests/e2e/pages/engine.html']);
  const server = await startIsolatedServer(dir);
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await remove();
    },
  };
}
