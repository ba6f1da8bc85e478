/**
 * putOwn sets `record[key]` as an own, enumerable property, whatever the key: a plain assignment
 * of `__proto__` would change the prototype instead, and the input named so would be lost.
 */
export function putOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
