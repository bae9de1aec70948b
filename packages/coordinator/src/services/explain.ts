import type { PlanFragment__Input } from '@tributary/core';
import type { EdgeRegistry } from '../catalog/index.js';
import { edgesServing, type Route } from '../query/plan/route.js';
import type { FederatedPlan } from '../query/plan/split.js';

export interface ExplainedPlan {
  mode: 'edge' | 'federated';
  fragments: (PlanFragment__Input & { edges: string[] })[];
  coordinator_sql: string;
}

/** The plan as ValidateQuery reports it. */
export function explainPlan(
  route: Route,
  split: FederatedPlan | undefined,
  registry: EdgeRegistry,
): ExplainedPlan {
  if (!route.federated || split === undefined) return { mode: 'edge', fragments: [], coordinator_sql: '' };
  return {
    mode: 'federated',
    fragments: split.fragments.map((fragment) => ({
      table: `${fragment.table.source}.${fragment.table.schema}.${fragment.table.table}`,
      edges: edgesServing(fragment.table.source, registry).map((edge) => edge.name),
      sql: fragment.sql,
      columns: fragment.columns,
      pushed_filters: fragment.pushedFilters,
      coordinator_table: fragment.localTable,
    })),
    coordinator_sql: split.localSql,
  };
}
