import type { LightMyRequestResponse } from 'fastify';

/** CookieJar keeps the cookies a browser would, from inject() answers, and sends them back. */
export interface CookieJar {
  cookies: Map<string, string>;
  /** remember stores the cookies an answer sets (an empty or expired one is forgotten) and returns the answer. */
  remember(res: LightMyRequestResponse): LightMyRequestResponse;
  /** header is the Cookie header to send, or none when the jar is empty. */
  header(): { cookie?: string };
}

/** cookieJar makes an empty jar. */
export function cookieJar(): CookieJar {
  const cookies = new Map<string, string>();
  return {
    cookies,
    remember(res) {
      for (const c of res.cookies) {
        if (c.value === '' || (c.expires instanceof Date && c.expires.getTime() < Date.now())) cookies.delete(c.name);
        else cookies.set(c.name, c.value);
      }
      return res;
    },
    header: () => (cookies.size > 0 ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
  };
}
