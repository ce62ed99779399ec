/** Types for bundle-parity.mjs. */
export function bundleParityCli(outFile: string): Promise<string>;
