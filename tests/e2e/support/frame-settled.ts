import type { Frame } from 'playwright-core';

/** Resolves once every message already posted to the frame has been handled (one task source, in order). */
export const settled = (f: Frame) =>
  f.evaluate(`new Promise((done) => {
    addEventListener('message', function seen(e) {
      if (e.data === 'settled') { removeEventListener('message', seen); done(true); }
    });
    postMessage('settled', '*');
  })`);
