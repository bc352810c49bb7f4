// Types of test-admission.mjs, for the test that checks its rule.
export declare function utilisation(times: { cpu?: unknown; wall?: unknown } | undefined): number;
export declare function mayStart(state: {
  active: number;
  busy: number;
  cores: number;
  share: number;
  extraSlots?: number;
}): boolean;
