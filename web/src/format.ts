// Numbers and dates for people.

const numbers = new Intl.NumberFormat("en");
const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const absolute = new Intl.DateTimeFormat("en", {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

export function count(value: number | null | undefined, one: string, many: string): string {
  if (value === null || value === undefined) return `– ${many}`;
  return `${numbers.format(value)} ${value === 1 ? one : many}`;
}

export function number(value: number): string {
  return numbers.format(value);
}

/** "3 days ago", "in 2 hours" (a date in the future: clocks differ). */
export function ago(iso: string, now = Date.now()): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  if (Math.abs(seconds) < 60) return "just now";
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["year", 365 * 86400],
    ["month", 30 * 86400],
    ["week", 7 * 86400],
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.round(seconds / 60), "minute");
}

/** "Nov 30, 2026, 14:03" in the reader's time zone. */
export function when(iso: string): string {
  return absolute.format(new Date(iso));
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

export function firstLine(message: string): string {
  const end = message.indexOf("\n");
  return (end < 0 ? message : message.slice(0, end)).trim() || "(no message)";
}

/** A yyyy-mm-dd of the date inputs as the instant its day starts (local time), or ends. */
export function dayStart(day: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d).toISOString();
}

export function dayEnd(day: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(new Date(y, m - 1, d + 1).getTime() - 1).toISOString();
}
