import { DomainError } from './errors.js';

/**
 * wellFormed replaces each lone surrogate with U+FFFD, which is what writing the text as UTF-8
 * (to SQLite, a log, a terminal) would do anyway: done first, the text kept in memory is the text
 * stored, so a hash of one is a hash of the other.
 */
export function wellFormed(value: string): string {
  return value.toWellFormed();
}

/** clipText keeps at most `max` code points of a string (never half a surrogate pair) and marks a cut with `…`. */
export function clipText(value: string, max: number): string {
  const text = wellFormed(value);
  // A string of at most `max` UTF-16 units has at most `max` code points: no need to split it.
  if (text.length <= max) return text;
  const points = [...text];
  return points.length > max ? `${points.slice(0, max).join('')}…` : text;
}

/** checkWellFormed refuses text with a lone surrogate (no character at all) as `invalid_parameter` naming `param`. */
export function checkWellFormed(value: string, param: string): string {
  if (!value.isWellFormed()) {
    throw new DomainError('invalid_parameter', `${param} is not valid Unicode text (it has a lone surrogate)`, {
      param,
    });
  }
  return value;
}
