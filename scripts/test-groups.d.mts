// Types of test-groups.mjs, for the test that checks its packing.
export declare function packGroups(
  files: readonly string[],
  weight: (file: string) => number,
  count: number,
): { files: string[]; weight: number }[];
export declare function groupEntry(root: string, files: readonly string[]): string;
