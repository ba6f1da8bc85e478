/**
 * numberText writes a number as `n.toLocaleString('en-US', { maximumFractionDigits })` does (digits
 * grouped by three with commas, at most that many decimals, halves rounded away from zero, no trailing
 * zeros), without the locale machinery: the first call of toLocaleString maps ICU's number-formatting
 * data and code into the process, about 7 MiB resident for as long as it runs, to show a few figures.
 */
export function numberText(n: number, maximumFractionDigits: number): string {
  if (Number.isNaN(n)) return 'NaN';
  const sign = n < 0 || Object.is(n, -0) ? '-' : '';
  if (!Number.isFinite(n)) return `${sign}∞`;
  // The shortest digits that read back as n, as the locale formatter starts from: 1.005 is "1005" at
  // exponent 0 and rounds up to 1.01, where toFixed(2) rounds the binary value below it down to 1.00.
  const [mantissa = '0', exponent = '0'] = Math.abs(n).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const point = Number(exponent) + 1;
  const whole = point > 0 ? digits.slice(0, point).padEnd(point, '0') : '0';
  const fraction = point >= 0 ? digits.slice(point) : '0'.repeat(-point) + digits;
  const kept = roundHalfUp(
    whole + fraction.slice(0, maximumFractionDigits).padEnd(maximumFractionDigits, '0'),
    fraction.charAt(maximumFractionDigits),
  );
  const intPart = kept.slice(0, kept.length - maximumFractionDigits).replace(/^0+(?=\d)/, '') || '0';
  const decimals = kept.slice(kept.length - maximumFractionDigits).replace(/0+$/, '');
  return `${sign}${intPart.replace(/\B(?=(\d{3})+$)/g, ',')}${decimals ? `.${decimals}` : ''}`;
}

/** roundHalfUp adds one unit in the last place of a digit string when the first digit dropped is 5 or more. */
function roundHalfUp(kept: string, firstDropped: string): string {
  if (firstDropped === '' || firstDropped < '5') return kept;
  const out = kept.split('');
  let i = out.length - 1;
  for (; i >= 0 && out[i] === '9'; i--) out[i] = '0';
  if (i < 0) return `1${out.join('')}`;
  out[i] = String(Number(out[i]) + 1);
  return out.join('');
}
