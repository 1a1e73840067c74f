// Configuration of the `console` exporter: which stream, and when to colour.
import { def, obj, oneOf, type SpecOutput } from '../../src/config/schema.js';

export const consoleFields = {
  /** Stream the lines go to. */
  output: def(oneOf(['stdout', 'stderr'] as const), 'stdout'),
  /** `auto` colours only on a TTY; `always` forces colour; `NO_COLOR` wins over both, `FORCE_COLOR` over all but `never`. */
  color: def(oneOf(['auto', 'always', 'never'] as const), 'auto'),
};

export const consoleConfigSpec = obj(consoleFields);

export type ConsoleConfig = SpecOutput<typeof consoleConfigSpec>;
