// Types of test-tiers.mjs, for the tests that check its rule.
export declare const IMPURE: readonly string[];
export declare const STATISTICAL: string;
export declare const TIERS: readonly ['fast', 'statistical', 'unit', 'browser', 'all'];
export type Tier = (typeof TIERS)[number];
export declare function reach(
  file: string,
  cache?: Map<string, string[]>,
): { files: Set<string>; impure: [string, string][] };
export declare function testFiles(root: string, dir: string): string[];
export declare function tierFiles(root: string, tier: Tier): string[];
