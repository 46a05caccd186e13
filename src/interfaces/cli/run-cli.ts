import { parseCli, synopsisText, usageText, UsageError, CliFailure, type CliSpec, type OptionSpec, type ParsedArgs } from './cli-args.js';
import { describeFailure, isExpectedFailure } from './describe-failure.js';

/** After the tool is done, anything still holding the event loop (a client's socket) gets this long by default. */
const LINGER_MS = 2000;

/** Writing into a closed pipe (`| head -1`) ends the tool quietly: the reader has what it wanted. */
const endQuietlyOnClosedPipe = (): void => {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
};

const exitCodeOf = (e: unknown): number => (e instanceof UsageError ? 2 : e instanceof CliFailure ? e.exitCode : 1);

/** What the user reads on a failure: one line for an expected one, the stack for a bug. */
export const reportFailure = (name: string, spec: CliSpec<Readonly<Record<string, OptionSpec>>> | undefined, e: unknown): number => {
  process.stderr.write(`${describeFailure(name, e)}\n`);
  if (e instanceof UsageError && spec !== undefined) process.stderr.write(`${synopsisText(spec)}\n(see --help)\n`);
  if (!isExpectedFailure(e) && e instanceof Error && e.stack !== undefined) process.stderr.write(`${e.stack}\n`);
  return exitCodeOf(e);
};

/**
 * Runs a tool: parses its arguments (`--help`, usage errors), runs `main`, reports a failure and
 * sets the exit code. It never calls `process.exit` while output may be pending: the process ends
 * when its work is done (stores closed); only something left holding the loop is cut short, after
 * LINGER_MS, with the exit code already set.
 */
export const runCli = <O extends Readonly<Record<string, OptionSpec>>>(
  spec: CliSpec<O>,
  main: (args: ParsedArgs<O>) => Promise<number | void>,
  options: { readonly lingerMs?: number } = {},
): void => {
  endQuietlyOnClosedPipe();
  const run = async (): Promise<number> => {
    const args = parseCli(spec, process.argv.slice(2));
    if (args === 'help') {
      process.stdout.write(`${usageText(spec)}\n`);
      return 0;
    }
    return (await main(args)) ?? 0;
  };
  run()
    .then(
      (code) => code,
      (e: unknown) => reportFailure(spec.name, spec, e),
    )
    .then((code) => {
      process.exitCode = code;
      setTimeout(() => process.exit(code), options.lingerMs ?? LINGER_MS).unref();
    });
};
