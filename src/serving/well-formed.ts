/**
 * Finds strings that are not well-formed Unicode (lone surrogates such as "\ud800") anywhere in
 * a parsed JSON value, keys included. JSON.parse accepts them, but they cannot be written as
 * UTF-8: logged, they would make the inference log unreadable to the monitor.
 */

/** With the `u` flag, a surrogate matches only when it is not half of a pair. */
const loneSurrogate = /[\uD800-\uDFFF]/u;

const wellFormed = (text: string): boolean => !loneSurrogate.test(text);

/** Where the first ill-formed string is (`instances[0].city`, `a key of inputs`), or undefined. */
export function illFormedString(value: unknown, where = 'the top level'): string | undefined {
  if (typeof value === 'string') return wellFormed(value) ? undefined : where;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = illFormedString(value[i], where === 'the top level' ? `[${i}]` : `${where}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (!wellFormed(key)) return `a key of ${where}`;
    const found = illFormedString(item, where === 'the top level' ? key : `${where}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
