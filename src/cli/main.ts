/** The `edgegate` command line. Returns the process exit code: 0 ok, 1 gate failed, 2 usage/input error. */
export async function main(argv: readonly string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help') {
    process.stdout.write('usage: edgegate check MODEL... [--device ID]... [--dim NAME=VALUE]... [--format text|json|markdown]\n');
    return argv.length === 0 ? 2 : 0;
  }
  process.stderr.write(`edgegate: unknown command '${argv[0]}'\n`);
  return 2;
}
