// The SQL of structured-logging.md ("Database Logging" and "Querying Logs /
// From Database"), byte for byte including trailing spaces and comments, run
// with the sqlite3 command-line tool against a database the exporter wrote
// (while the exporter still has it open in WAL mode).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteExporter } from '../../../exporters/sqlite/exporter.js';
import { record, SEV, tempDir } from './fixtures.js';

const SESSION_SQL = "SELECT * FROM audit_logs \nWHERE session_id = 'abc123' \nORDER BY timestamp DESC;";
const RECENT_ERRORS_SQL =
  "-- Recent errors\nSELECT * FROM audit_logs \nWHERE level = 'ERROR' \nORDER BY timestamp DESC \nLIMIT 10;";
const SESSION_ACTIVITY_SQL =
  "-- Session activity\nSELECT * FROM audit_logs \nWHERE session_id = 'abc123' \nORDER BY timestamp;";
const COMPONENT_ERRORS_SQL =
  "-- Component errors\nSELECT component, COUNT(*) as error_count\nFROM audit_logs \nWHERE level = 'ERROR' \nGROUP BY component;";

/** Column positions in `SELECT *` output (sqlite3's default list mode, `|`-separated). */
const COL = { timestamp: 1, level: 2, component: 3, message: 5, session_id: 6 };

describe('sqlite exporter – the seed SQL through the sqlite3 CLI', () => {
  const t = tempDir();
  const path = join(t.dir, 'audit.db');
  const e = new SqliteExporter({ path });
  const base = Date.now() - 3_600_000;
  const errorsByComponent: Record<string, number> = { session_manager: 7, ai_provider: 4, whiteboard: 2 };
  const errorMessages: { at: number; message: string }[] = [];
  const sessionMessages: { at: number; message: string }[] = [];

  /**
   * Runs a seed query both ways a reader would: as the argument (`sqlite3 audit.db "SELECT …"`, from the
   * SELECT on, because sqlite3 reads an argument starting with `--` as an option) and the whole block,
   * comment included, on standard input (`sqlite3 audit.db < query.sql`). Both must print the same rows.
   */
  const sqlite3 = (sql: string) => {
    const stmt = sql.slice(sql.indexOf('SELECT'));
    const viaArg = execFileSync('sqlite3', [path, stmt], { encoding: 'utf8' });
    const viaStdin = execFileSync('sqlite3', [path], { input: sql, encoding: 'utf8' });
    expect(viaStdin).toBe(viaArg);
    return viaArg
      .trimEnd()
      .split('\n')
      .map((l) => l.split('|'));
  };

  beforeAll(async () => {
    const records = [];
    let n = 0;
    for (const [component, count] of Object.entries(errorsByComponent)) {
      for (let i = 0; i < count; i++) {
        // Times interleave across components and are not in insertion order.
        const at = base + ((n * 7919) % 1000) * 1000 + n;
        const message = `${component} failure ${i}`;
        errorMessages.push({ at, message });
        records.push(record({ time: at, severity: SEV.ERROR, body: message, attrs: { component, operation: 'op' } }));
        n++;
      }
    }
    for (let i = 0; i < 6; i++) {
      const at = base + ((i * 104729) % 997) * 1000 + 500;
      const message = `Session step ${i}`;
      sessionMessages.push({ at, message });
      records.push(
        record({
          time: at,
          body: message,
          attrs: {
            component: 'session_manager',
            operation: 'step',
            'session.id': 'abc123',
            metadata: { enabled_modes: ['text', 'whiteboard'] },
          },
        }),
      );
    }
    records.push(
      record({ time: base, body: 'Other session', attrs: { 'session.id': 'zzz999', component: 'session_manager' } }),
    );
    records.push(
      record({ time: base, severity: SEV.WARNING, body: 'Not an error', attrs: { component: 'whiteboard' } }),
    );
    // Two exports, as a pipeline would send them.
    await new Promise<void>((r) => e.export(records.slice(0, 9), () => r()));
    await new Promise<void>((r) => e.export(records.slice(9), () => r()));
  });
  afterAll(async () => {
    await e.shutdown();
    t.cleanup();
  });

  it('"Database Logging": one session newest first', () => {
    const out = sqlite3(SESSION_SQL);
    expect(out.map((c) => c[COL.message])).toEqual(
      [...sessionMessages].sort((a, b) => b.at - a.at).map((m) => m.message),
    );
    expect(out.every((c) => c[COL.session_id] === 'abc123')).toBe(true);
  });

  it('"Recent errors": the ten newest ERROR rows, newest first', () => {
    const out = sqlite3(RECENT_ERRORS_SQL);
    expect(out).toHaveLength(10);
    expect(out.every((c) => c[COL.level] === 'ERROR')).toBe(true);
    expect(out.map((c) => c[COL.message])).toEqual(
      [...errorMessages]
        .sort((a, b) => b.at - a.at)
        .slice(0, 10)
        .map((m) => m.message),
    );
    expect(out[0]![COL.timestamp]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('"Session activity": one session oldest first', () => {
    const out = sqlite3(SESSION_ACTIVITY_SQL);
    expect(out.map((c) => c[COL.message])).toEqual(
      [...sessionMessages].sort((a, b) => a.at - b.at).map((m) => m.message),
    );
  });

  it('"Component errors": error counts per component', () => {
    const out = sqlite3(COMPONENT_ERRORS_SQL);
    expect(Object.fromEntries(out.map(([c, n]) => [c, Number(n)]))).toEqual(errorsByComponent);
  });
});
