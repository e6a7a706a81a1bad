/** Local hours in which a lead may be called, "HH:MM" 24-hour, start inclusive, end exclusive. */
export interface CallingWindow {
  /** @default '08:00' */
  start: string;
  /** @default '21:00' (the TCPA's window: not before 8 a.m. nor after 9 p.m. at the called party's location) */
  end: string;
}

export const DEFAULT_CALLING_WINDOW: CallingWindow = Object.freeze({ start: '08:00', end: '21:00' });

const minutes = (hhmm: string): number => {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59) throw new TypeError(`calling window time must be HH:MM, got "${hhmm}"`);
  return Number(m[1]) * 60 + Number(m[2]);
};

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' });
    } catch {
      f = null; // a zone this runtime's ICU does not know
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Minutes since local midnight in the zone at the instant; undefined for an unknown zone. */
export function localMinutes(timeZone: string, now: Date): number | undefined {
  const f = formatter(timeZone);
  if (!f) return undefined;
  let hour = 0;
  let minute = 0;
  for (const part of f.formatToParts(now)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}

/** Checks a window and returns it as minutes; throws on a malformed time. */
export function windowMinutes(window: CallingWindow): [number, number] {
  return [minutes(window.start), minutes(window.end)];
}

/**
 * Whether the window is open at `now` in the zone: 'true', 'false', or '' without a (known) zone.
 * A window whose end is before its start runs past midnight (22:00–06:00).
 */
export function callableNow(timeZone: string, now: Date, window: readonly [number, number]): 'true' | 'false' | '' {
  if (!timeZone) return '';
  const local = localMinutes(timeZone, now);
  if (local === undefined) return '';
  const [start, end] = window;
  const open = start <= end ? local >= start && local < end : local >= start || local < end;
  return open ? 'true' : 'false';
}
