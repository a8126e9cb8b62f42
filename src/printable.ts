/**
 * Text as it may reach a terminal or a one-line message: control characters (a newline in a CSV
 * header, ANSI escape sequences in a tag) shown as `\u001b`, never obeyed. Newline and tab are
 * kept when `keepLayout` is set (multi-line CLI output).
 */
export function printable(text: string, keepLayout = false): string {
  const control = keepLayout ? /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g : /[\u0000-\u001f\u007f-\u009f]/g;
  return text.replace(control, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
