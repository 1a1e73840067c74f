// Factories by kind and type. Built from an explicit list (see
// src/components.ts); importing a module registers nothing. Duplicate type
// names (including aliases) are an error at start-up.
import type { Factory, Kind } from './types.js';

export class Registry {
  private readonly byKey = new Map<string, Factory>();
  private readonly list: Factory[] = [];

  constructor(factories: readonly Factory[]) {
    for (const f of factories) {
      for (const type of [f.type, ...(f.aliases ?? [])]) {
        const key = `${f.kind}:${type}`;
        if (this.byKey.has(key)) throw new Error(`Duplicate ${f.kind} type "${type}" in the component registry.`);
        this.byKey.set(key, f);
      }
      this.list.push(f);
    }
  }

  get(kind: Kind, type: string): Factory | undefined {
    return this.byKey.get(`${kind}:${type}`);
  }

  typesOf(kind: Kind): string[] {
    return this.list
      .filter((f) => f.kind === kind)
      .map((f) => f.type)
      .sort();
  }

  all(): readonly Factory[] {
    return this.list;
  }
}
