import { bool, bytes, def, duration, list, obj, oneOf, opt, req, str } from '../../config/schema.js';
import { goRegExp } from '../../matching/go-regexp.js';
import { transform } from '../../matching/transform.js';
import { compileGlob } from './glob.js';

/** A glob (`*`, `?`, `**`, `[abc]`, `{a,b}`), checked at config time. */
const globSpec = transform(
  str({ nonEmpty: true }),
  (g, add) => {
    try {
      compileGlob(g);
    } catch (err) {
      add([], (err as Error).message);
      return undefined;
    }
    return g;
  },
  'glob (e.g. /var/log/app/*.log)',
);

const multilineSpec = obj(
  {
    /** A line matching this (RE2, unanchored) starts a new entry; the lines up to the next such line belong to it. */
    line_start_pattern: opt(goRegExp()),
  },
  (c, add) => {
    if (!c.line_start_pattern) add('line_start_pattern', 'is required when multiline is set');
  },
);

const severitySpec = obj({
  /** `attributes.<key>` holding the level text (INFO, warn, ERROR, ...) or number. */
  parse_from: def(str({ pattern: /^attributes\.[^.]+$/, patternHint: 'attributes.<key>' }), 'attributes.level'),
});

/** The two parser operators Auditline implements (a subset of the Collector's stanza operators). */
export const operatorSpec = obj(
  {
    type: req(oneOf(['json_parser', 'regex_parser'] as const)),
    id: opt(str({ nonEmpty: true })),
    /** regex_parser: an RE2 pattern with named groups; each group becomes an attribute. */
    regex: opt(goRegExp()),
    /** What happens to a line the parser cannot parse: `send` it unparsed (default) or `drop` it. */
    on_error: def(oneOf(['send', 'drop'] as const), 'send'),
    /** Sets the record's severity from a parsed attribute. */
    severity: opt(severitySpec),
  },
  (c, add) => {
    if (c.type === 'regex_parser') {
      if (!c.regex) add('regex', 'is required for regex_parser');
      else if (c.regex.groupNames.length === 0)
        add('regex', 'must have at least one named group such as (?P<level>\\w+)');
    } else if (c.regex) add('regex', 'applies to regex_parser only');
  },
);

export const filelogReceiverConfigSpec = obj({
  /** Globs of the files to read. Empty: the receiver reads nothing. */
  include: def(list(globSpec), []),
  /** Globs of files to leave out even though `include` matches them. */
  exclude: def(list(globSpec), []),
  /** Where to start in files found at the first poll: `end` (only new lines) or `beginning`. Files that appear later are read from the beginning. */
  start_at: def(oneOf(['beginning', 'end'] as const), 'end'),
  /** Keep whitespace at the start of an entry (the Collector trims it by default). */
  preserve_leading_whitespaces: def(bool(), false),
  /** Keep whitespace at the end of an entry (the Collector trims it by default). */
  preserve_trailing_whitespaces: def(bool(), false),
  /** Adds attribute `log.file.name` (the file's base name). */
  include_file_name: def(bool(), true),
  /** Adds attribute `log.file.path` (the path the file was found at). */
  include_file_path: def(bool(), false),
  /** How often the globs are re-evaluated and files read. */
  poll_interval: def(duration({ min: 1 }), 200),
  /** Bytes at the start of a file that identify it across renames and restarts. */
  fingerprint_size: def(bytes({ min: 16 }), 1000),
  /** Longest entry; a longer line is split at this size. */
  max_log_size: def(bytes({ min: 64 }), 1024 * 1024),
  /** With multiline: how long a complete-looking last entry waits for its continuation lines before it is sent (0: until the next entry starts). */
  force_flush_period: def(duration(), 500),
  multiline: opt(multilineSpec),
  operators: def(list(operatorSpec), []),
  /** Id of a `file_storage` extension: offsets are kept there, so a restart resumes where it stopped. */
  storage: opt(
    str({
      pattern: /^file_storage(\/.+)?$/,
      patternHint: 'the id of a file_storage extension (file_storage or file_storage/NAME)',
    }),
  ),
});

export type FilelogReceiverConfig = NonNullable<ReturnType<typeof filelogReceiverConfigSpec.parse>>;
export type OperatorConfig = NonNullable<ReturnType<typeof operatorSpec.parse>>;
