import { DomainError } from './errors.js';

/** SCOPES are the permissions a token can carry; none implies another. */
export const SCOPES = ['accounts:read', 'accounts:write', 'accounts:delete', 'plans:write'] as const;

/** Scope is one of SCOPES. */
export type Scope = (typeof SCOPES)[number];

/** isScope tells whether a string names a scope. */
export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** parseScopes turns a list of names into a sorted, de-duplicated scope list; an empty list allows only `ping`. */
export function parseScopes(names: readonly string[]): Scope[] {
  const out = new Set<Scope>();
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') continue;
    if (!isScope(name)) {
      throw new DomainError('invalid_parameter', `unknown scope "${name}"; known scopes: ${SCOPES.join(', ')}`, {
        param: 'scopes',
      });
    }
    out.add(name);
  }
  return SCOPES.filter((s) => out.has(s));
}
