/** Parses the spec's duration strings (`30s`, `15m`, `1h`, `7d`, `500ms`) into milliseconds. */
const units = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function durationMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a duration: use a number and a unit (ms, s, m, h, d), e.g. 30s or 1h`);
  return Number(match[1]) * units[match[2] as keyof typeof units];
}
