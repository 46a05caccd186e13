import { parseArgs } from 'node:util';

/**
 * One usage convention for every command-line tool: `--help`/`-h` prints the usage on stdout
 * (exit 0); an unknown option, a bad value or a wrong number of arguments is a UsageError
 * (its line and the synopsis on stderr, exit 2).
 */

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** What the value stands for in the usage (`FILE`, `SECONDS`). */
  readonly value?: string;
  readonly help: string;
}

export interface CliSpec<O extends Readonly<Record<string, OptionSpec>>> {
  /** The tool's name, first word of each error line. */
  readonly name: string;
  /** How to call it, without `usage:` (`npm run import -- FILE`). */
  readonly synopsis: readonly string[];
  readonly description: string;
  readonly options: O;
  /** How many positional arguments it takes. */
  readonly positionals?: { readonly min: number; readonly max: number; readonly names?: string };
  /** Extra lines after the options (examples, exit codes of its own). */
  readonly notes?: readonly string[];
}

export type OptionValues<O extends Readonly<Record<string, OptionSpec>>> = {
  readonly [K in keyof O]: (O[K]['type'] extends 'boolean' ? boolean : string) | undefined;
};

export interface ParsedArgs<O extends Readonly<Record<string, OptionSpec>>> {
  readonly values: OptionValues<O>;
  readonly positionals: readonly string[];
}

/** A mistake in how the tool was called: reported with the synopsis, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An expected failure of the tool's work, with the exit code it calls for (1 unless said). */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
  }
}

export const EXIT_CODES_NOTE = 'exit codes: 0 done, 1 failed (or found nothing / a difference), 2 wrong usage';

export const synopsisText = (spec: CliSpec<Readonly<Record<string, OptionSpec>>>): string =>
  spec.synopsis.map((s, i) => `${i === 0 ? 'usage: ' : '       '}${s}`).join('\n');

export const usageText = (spec: CliSpec<Readonly<Record<string, OptionSpec>>>): string => {
  const rows = [
    ...Object.entries(spec.options).map(([name, o]) => [`--${name}${o.value === undefined ? '' : ` ${o.value}`}`, o.help] as const),
    ['-h, --help', 'print this help and exit'] as const,
  ];
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    synopsisText(spec),
    '',
    spec.description,
    '',
    'options:',
    ...rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`),
    ...(spec.notes === undefined ? [] : ['', ...spec.notes]),
    '',
    EXIT_CODES_NOTE,
  ].join('\n');
};

/** parseArgs' own messages are long and suggest `--` escapes; ours name the culprit. */
const usageMessage = (e: Error & { code?: unknown }): string => {
  const quoted = /'([^']+)'/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? e.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(e.message) ? `option ${quoted?.split(' ')[0] ?? ''} needs a value` : `option ${quoted ?? ''} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted ?? e.message}`;
    default:
      return e.message;
  }
};

/** `help` when asked for it; otherwise the values and positionals, or a UsageError. */
export const parseCli = <O extends Readonly<Record<string, OptionSpec>>>(spec: CliSpec<O>, argv: readonly string[]): 'help' | ParsedArgs<O> => {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(spec.options)) options[name] = { type: o.type };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    if (e instanceof Error) throw new UsageError(usageMessage(e));
    throw e;
  }
  if (parsed.values['help'] === true) return 'help';
  const { min, max, names } = spec.positionals ?? { min: 0, max: 0 };
  const positionals = parsed.positionals;
  if (positionals.length > max) throw new UsageError(`unexpected argument ${positionals[max] ?? ''}`);
  if (positionals.length < min) throw new UsageError(`missing ${names ?? 'argument'}`);
  const values: Record<string, string | boolean | undefined> = {};
  for (const name of Object.keys(spec.options)) {
    const v = parsed.values[name];
    values[name] = Array.isArray(v) ? v[v.length - 1] : v;
  }
  return { values: values as OptionValues<O>, positionals };
};

/** A non-negative integer option, or a UsageError naming it. */
export const integerOption = (name: string, value: string | undefined, fallback: number, { min = 0 } = {}): number => {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${value}`);
  return Number(value);
};

/** Keeps the options' exact shape, so `values` is typed per option. */
export const defineCli = <const O extends Readonly<Record<string, OptionSpec>>>(spec: CliSpec<O>): CliSpec<O> => spec;
