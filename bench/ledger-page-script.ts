/**
 * Scripts the ledger bench puts into its pages, as plain JavaScript text: they run as they are, without the
 * helpers the bench's own TypeScript transform would add. Each defines `window.ledgerBench`.
 */

/**
 * Fills the ledger through the real release path: `n` clean vectors posted on a fresh acceptVectors port,
 * exactly as an engine worker posts them, then released (not sent) 50 at a time into the scope `fill`. Gaussian
 * releases at ε 0.01: their ρ composes, so 10 000 of them leave room in the device's budget (at most ε 100).
 * The vectors are let go of afterwards, as a page does when their images are no longer shown.
 */
export const FILL_SCRIPT = `
window.ledgerBench = window.ledgerBench || {};
window.ledgerBench.fill = async function (releases, n, prefix) {
  const channel = new MessageChannel();
  await releases.acceptVectors(channel.port2);
  const model = { id: 'bench-model', layer: 'features', dims: 16 };
  const hashes = [];
  for (let i = 0; i < n; i++) {
    const contentHash = (prefix + i.toString(16)).padStart(64, '0');
    hashes.push(contentHash);
    channel.port1.postMessage({ contentHash, vector: new Float32Array(16).map((_, k) => ((k + i) % 7) + 1), model });
  }
  const options = {
    scope: 'fill',
    mechanism: { name: 'gaussian', epsilon: 0.01, delta: 1e-6 },
    destination: 'http://127.0.0.1:9/reports',
    send: false,
  };
  for (let i = 0; i < n; i += 50)
    await Promise.all(hashes.slice(i, i + 50).map((h) => releases.release(h, options)));
  await releases.discardVectors(hashes);
  return hashes.length;
};
`;

/**
 * In the built app: records long tasks from the page's start, and clicks one release button at a time,
 * timing (with a MutationObserver on the ledger view, so no frame rounding) the new ledger row's
 * appearance and its state turning 'delivered', then the long tasks from the click until the page is idle.
 */
export const APP_SCRIPT = `
window.ledgerBench = window.ledgerBench || {};
window.ledgerBench.longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.ledgerBench.longTasks.push({ start: e.startTime, duration: e.duration });
}).observe({ type: 'longtask', buffered: true });
window.ledgerBench.deep = function (root, selector) {
  const found = [...root.querySelectorAll(selector)];
  for (const el of root.querySelectorAll('*'))
    if (el.shadowRoot) found.push(...window.ledgerBench.deep(el.shadowRoot, selector));
  return found;
};
window.ledgerBench.frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
window.ledgerBench.count = function () {
  const el = window.ledgerBench.deep(document, '[data-testid="ledger-count"]')[0];
  return el ? Number(el.dataset.count) : -1;
};
window.ledgerBench.readyButtons = function () {
  return window.ledgerBench
    .deep(document, 'button[data-testid="release"]')
    .filter((b) => !b.disabled && b.textContent.trim().startsWith('Release ('));
};
window.ledgerBench.waitFor = async function (check, timeoutMs) {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (performance.now() > until) throw new Error('ledger bench: timed out waiting');
    await window.ledgerBench.frame();
  }
};
window.ledgerBench.click = async function () {
  const b = window.ledgerBench;
  const button = await b.waitFor(() => b.readyButtons()[0], 30000);
  const view = b.deep(document, 'ledger-view')[0];
  const root = view.shadowRoot || view;
  const before = new Set(b.deep(root, '[data-testid="ledger-row"]').map((r) => r.dataset.id));
  let rowAt;
  let deliveredAt;
  let id;
  const done = new Promise((resolve, reject) => {
    const look = () => {
      const now = performance.now();
      const row = id
        ? b.deep(root, '[data-testid="ledger-row"][data-id="' + id + '"]')[0]
        : b.deep(root, '[data-testid="ledger-row"]').find((r) => !before.has(r.dataset.id));
      if (!row) return;
      if (!id) [id, rowAt] = [row.dataset.id, now];
      if (row.dataset.state === 'delivered') {
        deliveredAt = now;
        observer.disconnect();
        resolve();
      } else if (row.dataset.state === 'rejected') {
        observer.disconnect();
        reject(new Error('ledger bench: the release was rejected'));
      }
    };
    const observer = new MutationObserver(look);
    observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    setTimeout(() => {
      observer.disconnect();
      reject(new Error('ledger bench: no delivered row after 60 s'));
    }, 60000);
  });
  const t0 = performance.now();
  button.click();
  await done;
  // Long tasks the release caused may end after the row says delivered: wait for the page to go idle.
  await b.frame();
  await new Promise((resolve) => requestIdleCallback(() => resolve(), { timeout: 2000 }));
  const tasks = b.longTasks.filter((t) => t.start + t.duration >= t0);
  return {
    rowMs: rowAt - t0,
    deliveredMs: deliveredAt - t0,
    longTasks: tasks.length,
    longTaskMs: tasks.reduce((s, t) => s + t.duration, 0),
    longestTaskMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
  };
};
`;
