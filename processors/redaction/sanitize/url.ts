// The redaction processor's `url_sanitizer`: URL-shaped values lose what makes
// them unique (ids, UUIDs, dates, tokens in path segments; query strings,
// fragments and credentials), so `/api/users/123/orders/9f86d081` reads
// `/api/users/*/orders/*`. A single linear pass; no regex backtracking.

const SCHEME_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/** Replaces dynamic path segments with `*` and drops the query, fragment and user info. */
export function sanitizeUrl(url: string): string {
  if (url === '') return url;
  let prefix = '';
  let rest = url;
  const m = SCHEME_AUTHORITY.exec(url);
  if (m) {
    prefix = m[0];
    rest = url.slice(prefix.length);
    const at = prefix.lastIndexOf('@');
    if (at >= 0) prefix = `${prefix.slice(0, prefix.indexOf('//') + 2)}*@${prefix.slice(at + 1)}`;
  }
  const end = firstOf(rest, '?', '#');
  const path = end < 0 ? rest : rest.slice(0, end);
  return (
    prefix +
    path
      .split('/')
      .map((s) => (isDynamic(s) ? '*' : s))
      .join('/')
  );
}

function firstOf(s: string, a: string, b: string): number {
  const i = s.indexOf(a);
  const j = s.indexOf(b);
  return i < 0 ? j : j < 0 ? i : Math.min(i, j);
}

/** Words with a short number suffix that name things, not instances: v2, oauth2, sha256, base64. */
const NAMED = /^(?:v\d{1,3}(?:\.\d{1,3})*|[a-z]{2,}\d{1,3})$/i;
/** Long opaque tokens: base64url, hex, JWT-ish runs. */
const TOKEN = /^[A-Za-z0-9_\-.~=+]{16,}$/;

/**
 * A segment is dynamic when it is a number, holds two or more digits (ids, UUIDs,
 * dates, hashes) unless it reads as a versioned name, holds an `@`, or is a
 * long opaque token with digits or mixed case.
 */
export function isDynamic(seg: string): boolean {
  if (seg === '' || seg === '*') return false;
  if (seg.includes('@')) return true;
  let digits = 0;
  let upper = false;
  let lower = false;
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 65 && c <= 90) upper = true;
    else if (c >= 97 && c <= 122) lower = true;
  }
  if (digits === seg.length) return true;
  if (digits >= 1 && NAMED.test(seg)) return false;
  if (digits >= 2) return true;
  return seg.length >= 16 && TOKEN.test(seg) && (digits > 0 || (upper && lower));
}
