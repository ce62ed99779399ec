/** Types for env.mjs (plain JS so it runs under any node, including the emulated one). */
export type Arm64Runner =
  | { available: true; root: string; qemu: string; node: string; cpu: string }
  | { available: false; reason: string };
export function arm64RootCandidates(): string[];
export function findArm64Runner(): Arm64Runner;
export function runArm64(
  runner: Extract<Arm64Runner, { available: true }>,
  args: readonly string[],
  options?: { env?: Record<string, string>; cwd?: string },
): Promise<{ code: number | null; stdout: string; stderr: string }>;
