import { parseDncListKind, type DncListKind, type DncLoadMode } from '@leadflow/stores';
import { MAX_FILES } from '@leadflow/pipeline';
import { API_KEY_PREFIX, MAX_SUPPLIER_NAME, ROLES, TENANT_NAME, type Role } from '@leadflow/gateway';

/** A usage problem: printed as one line with the usage, exit code 2. */
export class UsageError extends Error {}

export const USAGE = `usage:
  leadflow run FILE [FILE ...] [--supplier NAME] [--sheet NAME|N|*] [--dnc FILE] [--webhook URL] [--out DIR]
  leadflow map FILE [--supplier NAME] [--sheet NAME|N|*] [--set HEADER=FIELD ...] [--confirm]
  leadflow serve
  leadflow dnc import FILE... --list KIND [--snapshot DATE] [--replace | --changes]
  leadflow keys create --tenant NAME --role admin|uploader|viewer [--name TEXT] [--expires DATE]
  leadflow keys list [--tenant NAME]
  leadflow keys revoke PREFIX
  leadflow keys rotate PREFIX [--expires DATE]
  leadflow --help | --version`;

export interface RunArgs {
  command: 'run';
  /** The first file. */
  file: string;
  /** Every file, in order: several make one job (docs/several-files.md). */
  files: string[];
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

/** `leadflow keys ...`: the API keys of the database `run` and `serve` use. */
export type KeysArgs = { command: 'keys' } & (
  | { action: 'create'; tenant: string; role: Role; name: string; expiresAt?: Date }
  | { action: 'list'; tenant?: string }
  | { action: 'revoke'; prefix: string }
  | { action: 'rotate'; prefix: string; expiresAt?: Date }
);

/** `leadflow dnc import`: files into a Do-Not-Call list (docs/dnc-lists.md, "Import"). */
export interface DncImportArgs {
  command: 'dnc';
  action: 'import';
  files: string[];
  /** national, national-ca, state:XX, litigator, wireless, internal or suppression:email|domain|phone (LEADFLOW_TENANT's). */
  list: DncListKind;
  snapshot?: string;
  mode: DncLoadMode;
}

export type Args = RunArgs | MapArgs | KeysArgs | DncImportArgs | { command: 'serve' } | { command: 'help' } | { command: 'version' };

const OPTIONS = { run: new Set(['--supplier', '--sheet', '--dnc', '--webhook', '--out']), map: new Set(['--supplier', '--sheet']) };

const KEYS_OPTIONS: Record<KeysArgs['action'], ReadonlySet<string>> = {
  create: new Set(['--tenant', '--role', '--name', '--expires']),
  list: new Set(['--tenant']),
  revoke: new Set(),
  rotate: new Set(['--expires']),
};

/** `--expires`: an ISO 8601 date (00:00 UTC that day) or date and time with its zone, in the future. */
function expiry(value: string | undefined, now: number): Date | undefined {
  if (value === undefined) return undefined;
  const [, year, month, day] = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.exec(value) ?? [];
  const at = year ? new Date(value) : undefined;
  // Date takes 2027-02-30 for March 2: the day must be one of its month.
  const realDay = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day))).getUTCDate() === Number(day);
  if (!at || Number.isNaN(at.getTime()) || !realDay) throw new UsageError(`--expires "${value.slice(0, 40)}" is not a date: write 2027-01-31 or 2027-01-31T18:00:00Z`);
  if (at.getTime() <= now) throw new UsageError(`--expires ${value} is past: give a date to come`);
  return at;
}

function parseKeysArgs(rest: readonly string[], now: number): KeysArgs {
  const [action, ...words] = rest;
  if (action !== 'create' && action !== 'list' && action !== 'revoke' && action !== 'rotate') {
    throw new UsageError(action ? `unknown keys command "${action}": use create, list, revoke or rotate` : 'say what to do with keys: create, list, revoke or rotate');
  }
  const options: Record<string, string> = {};
  const operands: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const arg = words[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (KEYS_OPTIONS[action].has(name)) {
      const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : words[++i];
      if (value === undefined || (value === '' && name !== '--name')) throw new UsageError(`${name} needs a value`);
      options[name] = value;
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option "${arg.slice(0, 40)}" for keys ${action}`);
    } else {
      // Never echoed: it may be a whole key, pasted by mistake.
      operands.push(arg);
    }
  }
  const tenant = options['--tenant'];
  if (tenant !== undefined && !TENANT_NAME.test(tenant)) {
    throw new UsageError('--tenant: a tenant name is 1 to 63 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  if (action === 'create' || action === 'list') {
    if (operands.length > 0) throw new UsageError(`keys ${action} takes options only`);
    if (action === 'list') return { command: 'keys', action, tenant };
    const role = options['--role'];
    if (!tenant) throw new UsageError('keys create needs --tenant NAME');
    if (!(ROLES as readonly (string | undefined)[]).includes(role)) throw new UsageError(`keys create needs --role ${ROLES.join('|')}`);
    return { command: 'keys', action, tenant, role: role as Role, name: options['--name'] ?? '', expiresAt: expiry(options['--expires'], now) };
  }
  if (operands.length !== 1) throw new UsageError(`keys ${action} takes one PREFIX`);
  if (!API_KEY_PREFIX.test(operands[0]!)) {
    throw new UsageError('PREFIX is lfk_ and the 8 letters or digits after it, as leadflow keys list shows them (never the whole key)');
  }
  const prefix = operands[0]!;
  return action === 'revoke' ? { command: 'keys', action, prefix } : { command: 'keys', action, prefix, expiresAt: expiry(options['--expires'], now) };
}

/** `--snapshot`: the date a list is as of, YYYY-MM-DD, a real day, not to come. */
export function snapshotDate(value: string, now: number): string {
  const [, year, month, day] = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) ?? [];
  const at = year ? Date.UTC(Number(year), Number(month) - 1, Number(day)) : NaN;
  if (Number.isNaN(at) || new Date(at).getUTCDate() !== Number(day)) throw new UsageError(`--snapshot "${value.slice(0, 40)}" is not a date: write 2026-11-30`);
  if (at > now) throw new UsageError(`--snapshot ${value} is to come: a list's snapshot is the day it was downloaded`);
  return value;
}

function parseDncArgs(rest: readonly string[], now: number): DncImportArgs {
  const [action, ...words] = rest;
  if (action !== 'import') throw new UsageError(action ? `unknown dnc command "${action}": use import` : 'say what to do: leadflow dnc import FILE... --list KIND');
  const files: string[] = [];
  const options: Record<string, string> = {};
  let mode: DncLoadMode = 'add';
  for (let i = 0; i < words.length; i++) {
    const arg = words[i]!;
    if (arg === '--replace' || arg === '--changes') {
      const m = arg === '--replace' ? 'replace' : 'changes';
      if (mode !== 'add' && mode !== m) throw new UsageError('--replace and --changes exclude each other: a file is the whole list or its changes');
      mode = m;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (name === '--list' || name === '--snapshot') {
      const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : words[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      options[name] = value;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option "${arg.slice(0, 40)}" for dnc import`);
    else files.push(arg);
  }
  if (files.length === 0) throw new UsageError('name the files to import');
  const named = options['--list'];
  if (!named) throw new UsageError('dnc import needs --list national|national-ca|state:XX|litigator|wireless|internal|suppression:email|suppression:domain|suppression:phone');
  const list = parseDncListKind(named);
  if (!list) throw new UsageError(`--list "${named.slice(0, 40)}" is no list: national, national-ca, state:XX (two letters), litigator, wireless, internal, suppression:email, suppression:domain or suppression:phone`);
  const snapshot = options['--snapshot'] === undefined ? undefined : snapshotDate(options['--snapshot'], now);
  return { command: 'dnc', action: 'import', files, list, snapshot, mode };
}

export function parseArgs(argv: readonly string[], now = Date.now()): Args {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  if (command === '--version' || command === '-v') return { command: 'version' };
  // "leadflow run --help" is a question, not a mistake.
  if (rest.some((a) => a === '--help' || a === '-h')) return { command: 'help' };
  if (command === 'serve') {
    if (rest.length > 0) throw new UsageError(`leadflow serve takes no arguments (got "${rest[0]}"); configure it with environment variables`);
    return { command: 'serve' };
  }
  if (command === 'keys') return parseKeysArgs(rest, now);
  if (command === 'dnc') return parseDncArgs(rest, now);
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
  if (files.length === 0) throw new UsageError('name the file to process');
  if (command === 'map' && files.length > 1) throw new UsageError('give one file at a time');
  if (files.length > MAX_FILES) throw new UsageError(`give at most ${MAX_FILES} files: they make one job`);
  if (command === 'map') {
    if (confirm && !options['--supplier']) throw new UsageError('--confirm stores the mapping for a supplier: name it with --supplier');
    return { command, file: files[0]!, supplier: options['--supplier'] ?? '', sheet: options['--sheet'] ?? '', overrides, confirm };
  }
  const supplier = options['--supplier'] ?? '';
  if (supplier.trim().length > MAX_SUPPLIER_NAME) throw new UsageError(`--supplier is a supplier's name of at most ${MAX_SUPPLIER_NAME} characters`);
  const webhook = options['--webhook'];
  if (webhook !== undefined && !/^https?:\/\/\S+$/i.test(webhook)) throw new UsageError(`--webhook "${webhook}" is not an http or https URL`);
  return {
    command: 'run',
    file: files[0]!,
    files,
    supplier,
    dnc: options['--dnc'],
    webhook,
    out: options['--out'] ?? 'leadflow-out',
    sheet: options['--sheet'] ?? '',
  };
}
