// The SQLite exporter's endpoints on the query API:
//   GET /api/logs/audit             newest first, filtered, keyset-paginated
//   GET /api/logs/jobs/:job_id      one job's entries, oldest first
import { HttpError, JsonText, type QueryApi } from '../../src/extensions/query-api/routes.js';
import { parseAuditFilter, parseJobFilter } from './params.js';
import type { SqliteQueries } from './queries.js';

export const AUDIT_ROUTE = '/api/logs/audit';
export const JOB_ROUTE = '/api/logs/jobs/:job_id';

export function registerSqliteRoutes(api: QueryApi, queries: () => SqliteQueries): void {
  api.route('GET', AUDIT_ROUTE, ({ query }) => new JsonText(queries().auditJson(parseAuditFilter(query))));
  api.route('GET', JOB_ROUTE, ({ params, query }) => {
    const jobId = params.job_id!;
    const f = parseJobFilter(query);
    const page = queries().jobJson(jobId, f);
    if (page.count === 0 && f.afterId === undefined) throw new HttpError(404, `job "${jobId}" has no log entries`);
    return new JsonText(page.text);
  });
}
