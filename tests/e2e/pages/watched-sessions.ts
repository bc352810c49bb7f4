/**
 * Starts the engine's backend sessions as production does and watches them from outside: how many
 * images ran through the network, and which session is live now (at most one once init settles).
 */
import { BackendSession, type StartSession } from '../../../src/engine/worker/backend-session';

export interface WatchedSessions {
  /** Give this to `new EngineService({ startSession })`. */
  readonly startSession: StartSession;
  /** Images run through the network (calibration runs included) since the worker started. */
  forwardPasses(): number;
  /** The session the engine runs on now; throws before init. */
  live(): BackendSession;
}

export function watchSessions(): WatchedSessions {
  let passes = 0;
  const live = new Set<BackendSession>();
  const startSession: StartSession = async (...args) => {
    const session = await BackendSession.start(...args);
    const extract = session.extract.bind(session);
    const dispose = session.dispose.bind(session);
    session.extract = (pixels) => {
      passes += pixels.length;
      return extract(pixels);
    };
    session.dispose = () => {
      live.delete(session);
      dispose();
    };
    live.add(session);
    return session;
  };
  return {
    startSession,
    forwardPasses: () => passes,
    live() {
      const [session] = live;
      if (!session) throw new Error('the engine has no live session; call init first');
      return session;
    },
  };
}
