import { TributaryError } from '@tributary/core';
import type { EdgeRegistry, RegisteredEdge } from '../../catalog/index.js';

export interface Route {
  /**
   * Edges able to run the whole query (replicas), best first; later ones are
   * fallbacks. Empty when no edge serves every source: the query is split
   * (`federated`).
   */
  candidates: RegisteredEdge[];
  sources: string[];
  /** True when the sources are served by different edges and the query must be split. */
  federated: boolean;
}

/**
 * Replicas in the order they should be tried: edges that are up before
 * edges marked down, then the least busy (this coordinator's queries on it,
 * then what its heartbeat reported), then the least recently chosen, which
 * spreads equal load round-robin.
 */
export function byPreference(a: RegisteredEdge, b: RegisteredEdge): number {
  return (
    Number(a.down !== undefined) - Number(b.down !== undefined) ||
    a.inFlight - b.inFlight ||
    a.activeQueries - b.activeQueries ||
    a.lastChosen - b.lastChosen
  );
}

/** The edges serving one source, best first; UNAVAILABLE when none does. */
export function edgesServing(source: string, registry: EdgeRegistry): RegisteredEdge[] {
  const edges = registry.edgesFor(source.toLowerCase());
  if (edges.length === 0) {
    throw TributaryError.unavailable(`no edge currently serves source ${source}`, { source });
  }
  return [...edges].sort(byPreference);
}

/**
 * Chooses where a query runs. A query whose sources are all served by one
 * edge is pushed to it whole. A query spanning edges is marked `federated`:
 * the coordinator splits it (plan/split.ts) and joins what the edges send.
 */
export function routeQuery(sources: readonly string[], registry: EdgeRegistry): Route {
  const distinct = [...new Set(sources.map((s) => s.toLowerCase()))];
  if (distinct.length === 0) {
    const any = registry.list().sort(byPreference);
    if (any.length === 0) throw TributaryError.unavailable('no edge is registered');
    return { candidates: any, sources: [], federated: false };
  }
  const servingAll = new Map<string, RegisteredEdge>();
  distinct.forEach((source, index) => {
    const edges = registry.edgesFor(source);
    if (edges.length === 0) {
      throw TributaryError.unavailable(`no edge currently serves source ${source}`, { source });
    }
    if (index === 0) for (const edge of edges) servingAll.set(edge.id, edge);
    else {
      const ids = new Set(edges.map((e) => e.id));
      for (const id of [...servingAll.keys()]) if (!ids.has(id)) servingAll.delete(id);
    }
  });
  if (servingAll.size === 0) return { candidates: [], sources: distinct, federated: true };
  const candidates = [...servingAll.values()].sort(byPreference);
  return { candidates, sources: distinct, federated: false };
}
