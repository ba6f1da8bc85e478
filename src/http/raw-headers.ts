/**
 * headerValues lists every value a header was sent with, from the raw header list: Node keeps only
 * the first `Authorization` in `req.headers` (and joins repeated unknown headers with commas), so
 * a credential sent twice can only be seen here.
 */
export function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === wanted) values.push(rawHeaders[i + 1] ?? '');
  }
  return values;
}
