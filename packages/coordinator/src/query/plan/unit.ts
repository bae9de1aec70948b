import type { Json, JsonObject } from '../analyze/json.js';
import type { TableRef } from '../analyze/types.js';
import type { Group } from './groups.js';
import type { Partials } from './partial.js';

/** A governed projection in the parse tree: its table and the columns it exposes. */
export interface Unit {
  ref: JsonObject;
  table: TableRef;
  alias: string;
  columns: string[];
  /** WHERE conjuncts pushed into it. */
  filters: Json[];
  /**
   * Key links to other tables: [own column, other, other's column]. Only
   * rows whose key the other table holds can reach the result.
   */
  links: [string, Unit, string][];
  /** The same-source join group it travels in, if any. */
  group?: Group;
  /** Expressions over its columns computed at its edge, by output name (see computed.ts). */
  computed?: Map<string, Json>;
  /**
   * Aggregated at its edge (see partial.ts): one row per distinct value of
   * `keys`, the columns read outside aggregates, with the partials.
   */
  partials?: { keys: string[]; aggregates: Partials };
}
