// `file_mode` / `dir_mode`: the permissions of the files and directories a
// component creates. Audit data is personal data, so the defaults are 0600
// and 0700 (owner only). Written as quoted octal strings ("0640"): YAML reads
// an unquoted 0640 as the decimal number 640, so numbers are refused. Modes
// apply when a file or directory is created (the process umask can still
// remove bits); existing ones keep theirs.
import { def, type ConfigIssue, type Spec } from './schema.js';

export const DEFAULT_FILE_MODE = '0600';
export const DEFAULT_DIR_MODE = '0700';

/** A permission mode as a quoted octal string, normalised to four digits ("640" → "0640"). */
export function fileModeSpec(): Spec<string> {
  return {
    shape: 'octal mode string (e.g. "0640")',
    parse(v: unknown, p: (string | number)[], is: ConfigIssue[]) {
      if (typeof v === 'number') {
        is.push({
          path: p,
          message:
            'must be a quoted octal string such as "0640" (YAML reads an unquoted 0640 as the decimal number 640)',
        });
        return undefined;
      }
      if (typeof v !== 'string' || !/^0?[0-7]{3}$/.test(v.trim())) {
        is.push({
          path: p,
          message:
            'must be an octal mode such as "0600" or "0640" (owner, group, others; no setuid, setgid or sticky bits)',
        });
        return undefined;
      }
      return v.trim().padStart(4, '0');
    },
  };
}

/** The two option fields, with the owner-only defaults. */
export function modeFields() {
  return {
    /** Permissions of the files created. */
    file_mode: def(fileModeSpec(), DEFAULT_FILE_MODE),
    /** Permissions of the directories created. */
    dir_mode: def(fileModeSpec(), DEFAULT_DIR_MODE),
  };
}

/** The numeric mode of a parsed option ("0640" → 0o640). */
export function modeBits(mode: string): number {
  return parseInt(mode, 8);
}

/** Numeric modes handed to the code that creates files. */
export interface FileModes {
  file: number;
  dir: number;
}

/** Owner only: 0600 files, 0700 directories. */
export const OWNER_ONLY: FileModes = { file: 0o600, dir: 0o700 };

/** The numeric modes of a config holding `file_mode` and `dir_mode`. */
export function modesOf(cfg: { file_mode: string; dir_mode: string }): FileModes {
  return { file: modeBits(cfg.file_mode), dir: modeBits(cfg.dir_mode) };
}
