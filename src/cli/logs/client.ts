// A small client for the query API: JSON GETs and the SSE stream, with the
// address and token from flags or the environment and one clear sentence for
// each way a request can fail.
import { CliError, EXIT, type Io } from './command.js';

export const DEFAULT_URL = 'http://localhost:8080';

export class QueryClient {
  readonly base: string;

  constructor(
    url: string,
    private readonly token: string | undefined,
  ) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new CliError(`"${url}" is not a URL; pass --url like http://localhost:8080.`, EXIT.usage);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new CliError(`"${url}" must start with http:// or https://.`, EXIT.usage);
    this.base = u.href.replace(/\/+$/, '');
  }

  /** `--url`/`--token` flags, else AUDITLINE_URL/AUDITLINE_TOKEN, else the default address and no token. */
  static from(values: { url?: string; token?: string }, io: Io): QueryClient {
    const token = values.token ?? io.env.AUDITLINE_TOKEN;
    return new QueryClient(values.url ?? io.env.AUDITLINE_URL ?? DEFAULT_URL, token === '' ? undefined : token);
  }

  async getJson<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
    const res = await this.request(path, params, 'application/json');
    try {
      return (await res.json()) as T;
    } catch {
      throw new CliError(`The query API at ${this.base} sent a response that is not JSON.`);
    }
  }

  /** DELETE with a JSON answer (e.g. `DELETE /logs`). */
  async deleteJson<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
    const res = await this.request(path, params, 'application/json', undefined, 'DELETE');
    try {
      return (await res.json()) as T;
    } catch {
      throw new CliError(`The query API at ${this.base} sent a response that is not JSON.`);
    }
  }

  /** Opens a stream; the caller reads `res.body`. */
  stream(path: string, params: Record<string, string | number | undefined>, signal: AbortSignal): Promise<Response> {
    return this.request(path, params, 'text/event-stream', signal);
  }

  private async request(
    path: string,
    params: Record<string, string | number | undefined>,
    accept: string,
    signal?: AbortSignal,
    method = 'GET',
  ): Promise<Response> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) qs.set(k, String(v));
    const url = `${this.base}${path}${qs.size ? `?${qs}` : ''}`;
    const headers: Record<string, string> = { accept };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, signal });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new CliError(networkMessage(this.base, err));
    }
    if (res.ok) return res;
    const detail = await errorDetail(res);
    if (res.status === 401) {
      throw new CliError(
        this.token
          ? `The query API at ${this.base} did not accept the token (401). Check --token or AUDITLINE_TOKEN.`
          : `The query API at ${this.base} needs a token (401). Pass --token or set AUDITLINE_TOKEN.`,
      );
    }
    if (res.status === 404 && detail === undefined) {
      throw new CliError(
        `The query API at ${this.base} does not serve ${path} (404). Is the exporter that provides it configured?`,
      );
    }
    throw new CliError(
      `The query API answered ${res.status}: ${detail ?? res.statusText}.`,
      res.status === 400 ? EXIT.usage : EXIT.failed,
    );
  }
}

async function errorDetail(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.json()) as { error?: unknown };
    if (typeof body.error === 'string' && !body.error.startsWith('no route for')) return body.error;
  } catch {
    /* not JSON */
  }
  return undefined;
}

function networkMessage(base: string, err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  if (code === 'ECONNREFUSED') {
    return `Cannot connect to the query API at ${base} (connection refused). Is the collector running with the query_api extension? Set --url or AUDITLINE_URL.`;
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `Cannot resolve the host of ${base} (${code}).`;
  return `Cannot reach the query API at ${base}: ${code ?? cause?.message ?? (err as Error).message}.`;
}
