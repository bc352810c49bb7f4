/** tfjs backends Obscura can run on, fastest-first on typical hardware. */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendRequest = BackendName | 'auto';

/** What probing a backend found, before any model runs on it. */
export interface BackendProbe {
  readonly name: BackendName;
  readonly available: boolean;
  /** Emulated in software (SwiftShader, a fallback adapter): works, but far slower than WASM. */
  readonly software: boolean;
  /** Why it is unavailable, or what it runs on. */
  readonly detail: string;
}

/** Measured ms/image of the model on a backend, from a calibration run. */
export type Timings = Partial<Record<BackendName, number>>;

/** Which backend to use and why each other one was not chosen. */
export interface BackendDecision {
  readonly chosen: BackendName;
  readonly reasons: Readonly<Record<BackendName, string>>;
}

/**
 * Orders the candidates for `auto`: hardware GPU backends first (as they are fastest
 * where they exist), then WASM, then CPU. GPU backends emulated in software are
 * kept only when calibration asks for every backend: measured here, SwiftShader
 * WebGL is ~10x and fallback WebGPU ~80x slower than WASM.
 */
export function autoCandidates(probes: readonly BackendProbe[], includeSoftware: boolean): BackendName[] {
  return BACKENDS.filter((name) => {
    const p = probes.find((x) => x.name === name);
    return p?.available && (includeSoftware || !p.software || name === 'wasm' || name === 'cpu');
  });
}

/**
 * True when a GPU backend competes with WASM: a weak integrated GPU can lose to
 * WASM with SIMD, so only timing tells. WASM always beats the plain-JS CPU backend.
 */
export function needsTiming(candidates: readonly BackendName[]): boolean {
  return candidates.some((c) => c === 'webgpu' || c === 'webgl');
}

/**
 * The fastest measured candidate, or without timings the first one. `reasons`
 * says for every backend why it runs or was passed over.
 */
export function decideBackend(
  probes: readonly BackendProbe[],
  candidates: readonly BackendName[],
  timings: Timings,
): BackendDecision {
  const timed = candidates.filter((c) => timings[c] !== undefined);
  const chosen = timed.length > 0 ? timed.reduce((a, b) => (timings[b]! < timings[a]! ? b : a)) : candidates[0];
  if (!chosen) throw new Error('no backend is available');
  const reasons = {} as Record<BackendName, string>;
  for (const name of BACKENDS) {
    const p = probes.find((x) => x.name === name);
    const ms = timings[name];
    const measured = ms !== undefined ? ` (${ms.toFixed(0)} ms/image measured)` : '';
    if (name === chosen) {
      const why = timed.length > 1 ? 'fastest of the measured backends' : 'first working backend in order';
      reasons[name] = `chosen: ${why}${measured}; ${p?.detail ?? ''}`.trim();
    } else if (!p?.available) reasons[name] = `unavailable: ${p?.detail ?? 'not probed'}`;
    else if (!candidates.includes(name))
      reasons[name] = `skipped: runs in software (${p.detail}), far slower than WASM`;
    else if (ms !== undefined) reasons[name] = `slower${measured}`;
    else reasons[name] = 'not needed: an earlier backend works';
  }
  return { chosen, reasons };
}

/** The order in which to fall back from a failing backend. */
export function fallbackOrder(failed: BackendName, probes: readonly BackendProbe[]): BackendName[] {
  const after = BACKENDS.slice(BACKENDS.indexOf(failed) + 1);
  return after.filter((n) => probes.find((p) => p.name === n)?.available);
}
