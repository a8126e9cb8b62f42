/**
 * Progress lines of a `type: command` trainer: a stdout line `mlops:progress {"epoch":3,"loss":0.12}`
 * reports progress. The JSON object becomes the train activity's heartbeat detail (Web UI,
 * `mlops status`), so it is kept small and flat: numbers, short strings and booleans only.
 */

/** The prefix that marks a progress line on the command's stdout. */
export const PROGRESS_PREFIX = 'mlops:progress';

/** Fields one progress line may carry (more are dropped), and the longest string value kept. */
const MAX_FIELDS = 32;
const MAX_STRING = 200;

/** What a command reported; `epoch` and `loss` are conventional, any other scalar is kept too. */
export type CommandProgress = Readonly<Record<string, number | string | boolean>>;

/** The outcome of reading one stdout line. */
export type ProgressLine =
  | { readonly kind: 'progress'; readonly progress: CommandProgress }
  /** The line starts with the prefix but its JSON is unusable: say why, so the user can fix the script. */
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'other' };

/**
 * Reads one line of the command's stdout. Leading whitespace and a trailing `\r` are ignored;
 * the JSON must be an object. Non-finite numbers, nested values and nulls are dropped.
 */
export function parseProgressLine(line: string): ProgressLine {
  const text = line.trim();
  if (!text.startsWith(PROGRESS_PREFIX)) return { kind: 'other' };
  const json = text.slice(PROGRESS_PREFIX.length).trim();
  if (json === '') return { kind: 'invalid', reason: `${PROGRESS_PREFIX} needs a JSON object after it, e.g. ${PROGRESS_PREFIX} {"epoch":3,"loss":0.12}` };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { kind: 'invalid', reason: `the ${PROGRESS_PREFIX} line is not JSON: ${json.slice(0, 80)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', reason: `${PROGRESS_PREFIX} takes a JSON object, e.g. {"epoch":3,"loss":0.12}` };
  }
  const progress: Record<string, number | string | boolean> = {};
  for (const [key, v] of Object.entries(value).slice(0, MAX_FIELDS)) {
    if (typeof v === 'number' && Number.isFinite(v)) progress[key] = v;
    else if (typeof v === 'boolean') progress[key] = v;
    else if (typeof v === 'string') progress[key] = v.slice(0, MAX_STRING);
  }
  return { kind: 'progress', progress };
}

/** `epoch` of a progress report, when it is a non-negative integer. */
export function epochOf(progress: CommandProgress | undefined): number | undefined {
  const epoch = progress?.['epoch'];
  return typeof epoch === 'number' && Number.isInteger(epoch) && epoch >= 0 ? epoch : undefined;
}
