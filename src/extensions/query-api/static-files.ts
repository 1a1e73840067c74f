// The web console's static files (./ui: hand-written HTML, CSS and ES modules,
// no build step). They are read once at start into memory and served by exact
// name only, so no request path ever reaches the file system: `/` is
// index.html, `/ui/<name>` one of the files, anything else a 404.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const UI_PREFIX = '/ui/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const SAFE_NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** No inline script or style, nothing from another origin, no framing. */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every console file. */
export function securityHeaders(tls: boolean): Record<string, string> {
  const h: Record<string, string> = {
    'content-security-policy': UI_CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
  if (tls) h['strict-transport-security'] = 'max-age=31536000';
  return h;
}

interface StaticFile {
  body: Buffer;
  type: string;
}

/** The ui folder beside this module (running from src/) or in the package's src/ (running from dist/). */
export function uiDirectory(): string {
  const here = fileURLToPath(new URL('./ui/', import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL('../../../../src/extensions/query-api/ui/', import.meta.url));
}

export class StaticFiles {
  private readonly files = new Map<string, StaticFile>();

  constructor(
    dir: string,
    private readonly tls: boolean,
  ) {
    for (const name of readdirSync(dir)) {
      const type = TYPES[extname(name)];
      if (!type || !SAFE_NAME.test(name) || !statSync(join(dir, name)).isFile()) continue;
      this.files.set(name, { body: readFileSync(join(dir, name)), type });
    }
    if (!this.files.has('index.html')) throw new Error(`The console's files are missing (no index.html in ${dir}).`);
  }

  /** Whether a GET of this path is the console's to answer (`/` or under `/ui/`). */
  static owns(path: string): boolean {
    return path === '/' || path.startsWith(UI_PREFIX);
  }

  /** Writes the file for `/` or `/ui/<name>`; false when there is no such file. */
  serve(path: string, res: ServerResponse, head: boolean): boolean {
    const name = path === '/' ? 'index.html' : path.slice(UI_PREFIX.length);
    const f = this.files.get(name);
    if (!f) return false;
    res.writeHead(200, {
      ...securityHeaders(this.tls),
      'content-type': f.type,
      'content-length': f.body.length,
      'cache-control': 'no-cache',
    });
    res.end(head ? undefined : f.body);
    return true;
  }
}
