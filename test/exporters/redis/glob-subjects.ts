// The calls test/exporters/redis/glob.test.ts times in a worker thread.
import { compileGlob } from '../../../exporters/redis/queries.js';

/** Matches the input (a route) against a fixed glob. */
export function routeAgainst(glob: string): (route: string) => boolean {
  const g = compileGlob(glob);
  return (route) => g.test(route);
}

/** Compiles the input as a glob and matches it against a fixed route. */
export function globAgainst(route: string): (glob: string) => boolean {
  return (glob) => compileGlob(glob).test(route);
}
