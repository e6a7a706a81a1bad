/**
 * A consent column's date as YYYY-MM-DD (docs/dnc-lists.md, "Exemptions"), or undefined when it
 * is no real day: `2026-03-01`, an ISO time (`2026-03-01T14:02:00Z`, its UTC day), the US
 * `3/1/2026` (month first, as US lead forms write it) or the European `1.3.2026`.
 */
export function consentDay(value: string): string | undefined {
  const t = value.trim();
  let y: number, m: number, d: number;
  let match: RegExpExecArray | null;
  if ((match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t))) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(t)) {
    const at = Date.parse(t.replace(' ', 'T'));
    return Number.isNaN(at) ? undefined : new Date(at).toISOString().slice(0, 10);
  } else if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t))) [m, d, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(t))) [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else return undefined;
  const at = new Date(Date.UTC(y, m - 1, d));
  if (at.getUTCFullYear() !== y || at.getUTCMonth() !== m - 1 || at.getUTCDate() !== d) return undefined;
  return at.toISOString().slice(0, 10);
}
