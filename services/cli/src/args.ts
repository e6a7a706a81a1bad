/** A usage problem: printed as one line with the usage, exit code 2. */
export class UsageError extends Error {}

export const USAGE = `usage:
  leadflow run FILE [--supplier NAME] [--sheet NAME|N|*] [--dnc FILE] [--webhook URL] [--out DIR]
  leadflow map FILE [--supplier NAME] [--sheet NAME|N|*] [--set HEADER=FIELD ...] [--confirm]
  leadflow serve
  leadflow --help | --version`;

export interface RunArgs {
  command: 'run';
  file: string;
  supplier: string;
  dnc?: string;
  webhook?: string;
  out: string;
  sheet: string;
}

export interface MapArgs {
  command: 'map';
  file: string;
  supplier: string;
  sheet: string;
  /** Fields a person chose for some headers, over the proposal. */
  overrides: Record<string, string>;
  /** Store the mapping as confirmed for the supplier, so later files use it. */
  confirm: boolean;
}

export type Args = RunArgs | MapArgs | { command: 'serve' } | { command: 'help' } | { command: 'version' };

const OPTIONS = { run: new Set(['--supplier', '--sheet', '--dnc', '--webhook', '--out']), map: new Set(['--supplier', '--sheet']) };

export function parseArgs(argv: readonly string[]): Args {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  if (command === '--version' || command === '-v') return { command: 'version' };
  // "leadflow run --help" is a question, not a mistake.
  if (rest.some((a) => a === '--help' || a === '-h')) return { command: 'help' };
  if (command === 'serve') {
    if (rest.length > 0) throw new UsageError(`leadflow serve takes no arguments (got "${rest[0]}"); configure it with environment variables`);
    return { command: 'serve' };
  }
  if (command !== 'run' && command !== 'map') throw new UsageError(`unknown command "${command}"`);
  const options: Record<string, string> = {};
  const overrides: Record<string, string> = {};
  let confirm = false;
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (command === 'map' && arg === '--confirm') {
      confirm = true;
      continue;
    }
    if (command === 'map' && (arg === '--set' || arg.startsWith('--set='))) {
      const value = arg === '--set' ? rest[++i] : arg.slice(6);
      const eq = value?.lastIndexOf('=') ?? -1;
      if (!value || eq <= 0) throw new UsageError('--set needs HEADER=FIELD, for example --set "Cell #=phone"');
      overrides[value.slice(0, eq)] = value.slice(eq + 1);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (OPTIONS[command].has(name)) {
      const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : rest[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      options[name] = value;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option "${arg}"`);
    } else {
      files.push(arg);
    }
  }
  if (files.length !== 1) throw new UsageError(files.length === 0 ? 'name the file to process' : 'give one file at a time');
  if (command === 'map') {
    if (confirm && !options['--supplier']) throw new UsageError('--confirm stores the mapping for a supplier: name it with --supplier');
    return { command, file: files[0]!, supplier: options['--supplier'] ?? '', sheet: options['--sheet'] ?? '', overrides, confirm };
  }
  const webhook = options['--webhook'];
  if (webhook !== undefined && !/^https?:\/\/\S+$/i.test(webhook)) throw new UsageError(`--webhook "${webhook}" is not an http or https URL`);
  return {
    command: 'run',
    file: files[0]!,
    supplier: options['--supplier'] ?? '',
    dnc: options['--dnc'],
    webhook,
    out: options['--out'] ?? 'leadflow-out',
    sheet: options['--sheet'] ?? '',
  };
}
