// Configuration of the `msgpack_audit` exporter: where the append-only audit
// file lives (optionally templated by an attribute) and how it is written.
import { modeFields } from '../../src/config/file-mode.js';
import { fileIntegritySpec } from '../../src/integrity/config.js';
import {
  bool,
  def,
  formatIssue,
  int,
  obj,
  opt,
  req,
  str,
  type ConfigIssue,
  type SpecOutput,
} from '../../src/config/schema.js';

export const msgpackAuditFields = {
  /** The audit log directory (`LogDirectory`, docs/audit-format.md); may contain `{attr}` placeholders. Created if missing. */
  directory: req(str({ nonEmpty: true })),
  /** File inside the directory. */
  file_name: def(
    str({ nonEmpty: true, pattern: /^(?!\.\.?$)[^/\\\0]+$/, patternHint: 'a plain file name (no slashes)' }),
    'audit.log',
  ),
  /** Open file handles kept for a templated directory; the least recently used is closed beyond this. */
  max_open_files: def(int({ min: 1, max: 65_536 }), 64),
  /** Distinct templated directories written (those already there at start count); records for more go to `_overflow`. */
  max_directories: def(int({ min: 1, max: 1_000_000 }), 1000),
  /** fdatasync after each batch (survives power loss, costs one disk flush per batch). */
  fsync: def(bool(), false),
  /** Permissions of the audit files (and state file) and of the directories created: owner only unless set. */
  ...modeFields(),
  /** A signed hash chain of the bytes written, in `<file_name>.digest` beside each file (`auditline verify`). */
  integrity: opt(fileIntegritySpec),
};

/** Cross-field checks, shared by the YAML factory and programmatic options. */
export function checkMsgpackAudit(c: { directory: string }, add: (key: string | null, msg: string) => void): void {
  if (/[{}]/.test(c.directory.replace(/\{[A-Za-z0-9_.-]+\}/g, ''))) {
    add('directory', 'placeholders must look like {attribute.name} (letters, digits, _ . -)');
  }
}

export const msgpackAuditConfigSpec = obj(msgpackAuditFields, checkMsgpackAudit);

export type MsgpackAuditConfig = SpecOutput<typeof msgpackAuditConfigSpec>;
/** The options a program passes: `directory` plus any of the defaulted keys. */
export type MsgpackAuditOptions = Pick<MsgpackAuditConfig, 'directory'> & Partial<MsgpackAuditConfig>;

/** Validates programmatic options with the YAML rules; throws with every problem listed. */
export function parseMsgpackAuditOptions(options: MsgpackAuditOptions): MsgpackAuditConfig {
  const issues: ConfigIssue[] = [];
  const own: Record<string, unknown> = {};
  for (const k of Object.keys(msgpackAuditFields)) {
    const v = (options as Record<string, unknown>)[k];
    if (v !== undefined) own[k] = v;
  }
  const cfg = msgpackAuditConfigSpec.parse(own, ['msgpack_audit'], issues);
  if (!cfg) throw new Error(`Invalid msgpack_audit options: ${issues.map(formatIssue).join('; ')}`);
  return cfg;
}
