import { digestOf } from '@tributary/core';
import { LRUCache } from 'lru-cache';
import type { SqlCodec } from '../../policy/rewrite/sql-codec.js';
import { mapTableRefs } from '../../policy/rewrite/table-refs.js';
import type { JsonObject } from '../analyze/json.js';
import { type FederatedPlan, type Fragment, type SplitInput, splitQuery } from './split.js';

/** Local table names of a kept plan, replaced in every run; nothing else is called so. */
const KEPT_NAME = 'tributary_kept_f';

/**
 * Split plans of recent federated queries. Splitting parses the governed
 * query and prints every fragment with DuckDB, a round trip to the codec's
 * thread each: on a query DuckDB answers in 20 ms, that is a large part of
 * the cost. A plan is a function of its input alone (the governed SQL, its
 * values, the columns the query reads), so a kept plan is the plan a split
 * would make again. Each run still names its local tables anew, since
 * concurrent runs share the coordinator's DuckDB: one print.
 */
export class PlanCache {
  private readonly plans: LRUCache<string, Promise<FederatedPlan>>;
  /** A kept plan without some of its groups (by their keys), split the first time a run needs it. */
  private readonly ungrouped = new WeakMap<FederatedPlan, Map<string, Promise<FederatedPlan>>>();

  constructor(
    private readonly codec: SqlCodec,
    maxEntries = 256,
  ) {
    this.plans = new LRUCache({ max: maxEntries });
  }

  /** The plan of `input`, its n-th local table named `tableName(n)`. */
  async split(
    input: Omit<SplitInput, 'tableName'>,
    tableName: (n: number) => string,
  ): Promise<FederatedPlan> {
    const kept = await this.keep(input);
    return this.name(kept, tableName);
  }

  private keep(input: Omit<SplitInput, 'tableName'>): Promise<FederatedPlan> {
    const key = digestOf([input.sql, input.params, input.callerParams, input.columns, input.groups ?? true]);
    const known = this.plans.get(key);
    if (known) return known;
    const planned = splitQuery(this.codec, { ...input, tableName: (n) => `${KEPT_NAME}${n}` });
    this.plans.set(key, planned);
    // A query that cannot be split is not kept: the next try fails afresh.
    planned.catch(() => {
      if (this.plans.get(key) === planned) this.plans.delete(key);
    });
    return planned;
  }

  private async name(kept: FederatedPlan, tableName: (n: number) => string): Promise<FederatedPlan> {
    const names = new Map(kept.fragments.map((fragment, i) => [fragment.localTable, tableName(i + 1)]));
    const rename = (name: string) => names.get(name) ?? name;
    const renamed = (fragment: Fragment): Fragment => ({
      ...fragment,
      localTable: rename(fragment.localTable),
      links: fragment.links.map((link) => ({ ...link, other: rename(link.other) })),
      members: fragment.members?.map(renamed),
    });
    const localTree = mapTableRefs(kept.localTree, (ref) => {
      const name = typeof ref.table_name === 'string' ? names.get(ref.table_name) : undefined;
      return name === undefined || ref.type !== 'BASE_TABLE' ? undefined : { ...ref, table_name: name };
    }) as JsonObject;
    const localSql = await this.codec.print({
      error: false,
      statements: [{ node: localTree, named_param_map: [] }],
    });
    const plan: FederatedPlan = {
      fragments: kept.fragments.map(renamed),
      localSql,
      localTree,
      localParams: kept.localParams,
    };
    const { ungrouped } = kept;
    if (ungrouped) {
      plan.ungrouped = async (dropped) => {
        const forms = this.ungrouped.get(kept) ?? new Map<string, Promise<FederatedPlan>>();
        this.ungrouped.set(kept, forms);
        const key = JSON.stringify(dropped.map((fragment) => fragment.group).sort());
        let split = forms.get(key);
        if (!split) {
          split = ungrouped(dropped);
          forms.set(key, split);
          split.catch(() => forms.delete(key));
        }
        return this.name(await split, tableName);
      };
    }
    return plan;
  }
}
