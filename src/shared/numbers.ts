/** How numbers are written in statuses, the Web UI's details, reports and the CLI. No imports: code outside workflows uses it too. */

/** A number to 4 significant digits, without trailing zeros (`0.1235`, `1235`, `NaN`). */
export function fourDigits(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
