/** The three ways the bench moves one file into PostgreSQL. */
export const MODES = ['copy', 'standalone', 'kafka'] as const;
export type Mode = (typeof MODES)[number];

export const MODE_TITLES: Record<Mode, string> = {
  copy: 'PostgreSQL `\\copy` (floor)',
  standalone: '`leadflow run` (embedded)',
  kafka: '8 services over Kafka',
};

export interface Counts {
  rows: number;
  accepted: number;
  invalid: number;
  duplicate: number;
  suppressed: number;
}

/** What one mode measured. A failed mode still says how long it ran and how much memory it took. */
export interface ModeResult {
  mode: Mode;
  /** Wall time from start to end (or to the failure), seconds. */
  seconds?: number;
  /** Rows the mode reports done (loaded, or filed by the pipeline). */
  rows?: number;
  counts?: Counts;
  /** Peak memory of each part, in bytes: the first is the part measured, the rest run beside it. */
  memory?: [label: string, bytes: number | undefined][];
  /** One line: why it did not finish. */
  failure?: string;
  notes?: string[];
}

/** The counts out of a `summary.json` or a job's `counts`, whatever else they hold. */
export function countsOf(from: Partial<Record<keyof Counts, unknown>>): Counts {
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  return { rows: n(from.rows), accepted: n(from.accepted), invalid: n(from.invalid), duplicate: n(from.duplicate), suppressed: n(from.suppressed) };
}
