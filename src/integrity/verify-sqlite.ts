// Verifies a SQLite database written by the sqlite exporter against its integrity table.
import type { Verifier } from './keys.js';
import type { FileVerifyResult } from './verify-file.js';

export function verifyDatabase(db: string, _key: Verifier): FileVerifyResult {
  return { ok: false, lines: [`"${db}" is a SQLite database; its integrity table is not supported yet.`] };
}
