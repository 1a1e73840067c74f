// Messages about a config never show what an environment reference expanded
// to: a token in `${env:AUDITLINE_TOKEN}` stays `${env:AUDITLINE_TOKEN}` in a
// validation error, and in the collector's own log lines (a token given by
// mistake as a file path is echoed by the error that file cannot be opened).
//
// Two passes: an issue at a path where a string was expanded gets that
// string's result replaced by the string as written (and each value put into
// it by its reference); then every environment value that was put in anywhere,
// and looks like it could be a secret, is replaced by its reference wherever
// it appears, in one pass over the text.
import type { Expansion } from './expand.js';
import type { ConfigIssue } from './schema.js';

/** Values this short are never replaced: they cannot hide a secret, and replacing them would garble messages. */
const MIN_REPLACED = 3;
/** Replaced everywhere (not only at their own path): values that could be secrets, not ports, flags or small numbers. */
const isSecretLike = (v: string) => v.length >= 4 && !/^(?:\d{1,5}|true|false|yes|no|on|off)$/i.test(v);

export class ConfigSecrets {
  private readonly byPath = new Map<string, Expansion[]>();
  private readonly refOf = new Map<string, string>();
  private readonly everywhere: RegExp | undefined;

  constructor(expansions: readonly Expansion[]) {
    for (const e of expansions) {
      const k = pathKey(e.path);
      const list = this.byPath.get(k);
      if (list) list.push(e);
      else this.byPath.set(k, [e]);
      for (const r of e.refs) {
        if (!isSecretLike(r.value)) continue;
        for (const form of forms(r.value)) if (!this.refOf.has(form)) this.refOf.set(form, r.ref);
      }
    }
    if (this.refOf.size > 0) {
      // Longest first, so a value that contains another is replaced whole.
      const alts = [...this.refOf.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.everywhere = new RegExp(alts.join('|'), 'g');
    }
  }

  /** `text` with every secret-like environment value replaced by its reference. */
  redact(text: string): string {
    if (!this.everywhere) return text;
    return text.replace(this.everywhere, (m) => this.refOf.get(m)!);
  }

  /** Rewrites the issue's message so it shows references, not the values they expanded to. */
  redactIssue(issue: ConfigIssue): void {
    let msg = issue.message;
    const here = this.byPath.get(pathKey(issue.path));
    if (here) {
      for (const e of here) {
        if (e.value.length >= MIN_REPLACED) for (const form of forms(e.value)) msg = msg.split(form).join(e.source);
        for (const r of e.refs) {
          if (r.value.length >= MIN_REPLACED) for (const form of forms(r.value)) msg = msg.split(form).join(r.ref);
        }
      }
    }
    issue.message = this.redact(msg);
  }
}

/** The value as it may appear in a message: as is, and as inside a JSON string. */
function forms(v: string): string[] {
  const json = JSON.stringify(v).slice(1, -1);
  return json === v ? [v] : [v, json];
}

function pathKey(path: readonly (string | number)[]): string {
  return path.map(String).join('\u0000');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
