import { setMaxListeners } from 'node:events';
import type { QueryResultChunk__Input } from '@tributary/core';
import { quoteIdentifier, type TributaryError, toTributaryError } from '@tributary/core';
import type { IpcChunk, QueryEngine } from '@tributary/engine';
import { tableFromIPC } from 'apache-arrow';
import type { RequestContext } from '../../context.js';
import type { SqlCodec } from '../../policy/rewrite/sql-codec.js';
import { edgesServing } from '../plan/route.js';
import {
  aggregatesAtEdge,
  countingQuery,
  type FederatedPlan,
  type Fragment,
  type FragmentLink,
  hasSubqueryConditions,
  limitedQuery,
  withKeyFilters,
} from '../plan/split.js';
import { readsWholeTable } from '../plan/whole-table.js';
import type { FragmentSizes, SizedFragment } from './fragment-sizes.js';
import { checkResultLimits, type EdgeQuery, type ExecuteDeps, startOnEdge } from './run-on-edge.js';

export interface FederationDeps extends ExecuteDeps {
  /** The coordinator's own DuckDB, where fragments are loaded and the rest of the query runs. */
  engine: QueryEngine;
  codec: SqlCodec;
  /** Sizes measured by earlier queries; without it every plan measures its fragments. */
  sizes?: FragmentSizes;
}

/**
 * Key filters: a fragment joined (inner, by equality) to a smaller one ships
 * only the rows whose key that one holds, when it holds at most this many
 * distinct keys. They travel as one bound JSON parameter.
 */
const MAX_KEYS = 500_000;

const INTEGER_TYPES: ReadonlySet<string> = new Set([
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
]);

/** How many rows a fragment would ship: `count(*)` on an edge serving its source. */
async function countRows(
  fragment: Fragment,
  query: EdgeQuery,
  ctx: RequestContext,
  deps: FederationDeps,
): Promise<number> {
  const counting = await countingQuery(deps.codec, fragment);
  const started = await startOnEdge(
    edgesServing(fragment.table.source, deps.registry),
    {
      ...query,
      queryId: `${query.queryId}.count.${fragment.localTable}`,
      sql: counting.sql,
      params: counting.params,
      whole: true,
      maxRows: 0,
      limits: { ...query.limits, maxRows: 0, maxBytes: 0 },
    },
    ctx,
    deps,
  );
  const table = await tableFromIPC(ipcOf(started.chunks));
  return Number(table.getChildAt(0)?.get(0) ?? Number.NaN);
}

function sized(fragment: Fragment, deps: FederationDeps): SizedFragment {
  const { source } = fragment.table;
  return { source, version: deps.registry.sourceVersion(source), sql: fragment.sql, params: fragment.params };
}

/** The size a fragment was measured at by an earlier query, while it is trusted. */
function learnt(fragment: Fragment, deps: FederationDeps): number | undefined {
  return deps.sizes?.get(sized(fragment, deps));
}

/** Remembers a loaded fragment's bytes per row, under the fragment as planned (before key filters). */
function learnWidth(fragment: Fragment, loaded: { rows: number; bytes: number }, deps: FederationDeps): void {
  deps.sizes?.setWidth(sized(fragment, deps), loaded.rows, loaded.bytes);
}

/** A fragment's size as learnt, or else counted (and learnt for the next plan). */
async function measure(
  fragment: Fragment,
  query: EdgeQuery,
  ctx: RequestContext,
  deps: FederationDeps,
): Promise<number> {
  const known = learnt(fragment, deps);
  if (known !== undefined) return known;
  const rows = await countRows(fragment, query, ctx, deps);
  deps.sizes?.set(sized(fragment, deps), rows);
  return rows;
}

/**
 * How many rows each linked fragment (or link target) would ship, counted
 * all at once, so key filters flow from small fragments to large ones.
 * Each count is its own promise: a fragment starts as soon as its own and
 * its partners' counts are in. Fragments without links, or counted
 * elsewhere (`skip`), are not counted here.
 */
function startCounts(
  plan: FederatedPlan,
  query: EdgeQuery,
  ctx: RequestContext,
  deps: FederationDeps,
  skip: ReadonlySet<string>,
): Map<string, Promise<number | undefined>> {
  const targets = new Set(plan.fragments.flatMap((fragment) => fragment.links.map((link) => link.other)));
  const linked = plan.fragments.filter(
    (fragment) => fragment.links.length > 0 || targets.has(fragment.localTable),
  );
  const sizes = new Map<string, Promise<number | undefined>>();
  if (linked.length < 2) return sizes;
  for (const fragment of linked) {
    if (skip.has(fragment.localTable)) continue;
    const counted = measure(fragment, query, ctx, deps).then((n) => (Number.isFinite(n) ? n : undefined));
    // Awaited by the fragment's own load; a failure after another has
    // stopped the query must not go unhandled.
    counted.catch(() => undefined);
    sizes.set(fragment.localTable, counted);
  }
  return sizes;
}

/**
 * A fragment waits for a smaller partner's keys only when it is at least
 * this many times larger, or when the partner is itself cut by keys (a
 * chain such as region → nation → supplier): between sizes a few times
 * apart, loading both at once costs less than loading one after the other.
 */
const WAIT_FACTOR = 4;

/** Rows a counted fragment is read up to before its count is in (see startFederated). */
const EARLY_ROWS = 20_000;

/**
 * Reads a fragment whole when it has at most EARLY_ROWS rows; otherwise
 * drops what was read and resolves undefined, and the fragment is loaded
 * later with its key filters.
 */
async function readWhole(
  fragment: Fragment,
  index: number,
  query: EdgeQuery,
  ctx: RequestContext,
  deps: FederationDeps,
  created: string[],
): Promise<{ edge: string; rows: number; bytes: number } | undefined> {
  const limited = await limitedQuery(deps.codec, fragment, EARLY_ROWS + 1);
  const read = await loadFragment(
    { ...fragment, ...limited },
    fragment.localTable,
    index,
    query,
    ctx,
    deps,
    created,
    0,
  );
  learnWidth(fragment, read, deps);
  if (read.rows <= EARLY_ROWS) {
    deps.sizes?.set(sized(fragment, deps), read.rows);
    return read;
  }
  await discard(fragment.localTable, deps.engine, created);
  return undefined;
}

/** Drops a loaded fragment's table that will be loaded again, and stops tracking it. */
async function discard(name: string, engine: QueryEngine, created: string[]): Promise<void> {
  await engine.dropTable(name);
  created.splice(created.indexOf(name), 1);
}

/**
 * A plan that joins tables at their edge, each such join kept only when it
 * holds no more rows than its largest table: a join on a column that is a
 * key of neither side multiplies rows, and shipping its result would cost
 * more than shipping the tables, which then travel one by one (the other
 * joins stay at their edges). Returns the plan and the fragment sizes learnt.
 */
async function checkGroups(
  plan: FederatedPlan,
  query: EdgeQuery,
  ctx: RequestContext,
  deps: FederationDeps,
): Promise<{ plan: FederatedPlan; sizes: Map<string, number> }> {
  const sizes = new Map<string, number>();
  if (!plan.ungrouped) return { plan, sizes };
  const grouped = plan.fragments.filter((fragment) => fragment.members);
  const counted = await Promise.all(
    grouped.map(async (fragment) => {
      const [whole, ...parts] = await Promise.all(
        [fragment, ...(fragment.members ?? [])].map((f) => measure(f, query, ctx, deps)),
      );
      return { fragment, whole: whole as number, largest: Math.max(...parts) };
    }),
  );
  const multiplying = counted.filter(({ whole, largest }) => !(whole <= largest)).map((c) => c.fragment);
  if (multiplying.length > 0) {
    ctx.logger.debug(
      { groups: multiplying.map((fragment) => fragment.group) },
      'a join at an edge multiplies rows: its tables travel one by one',
    );
    return { plan: await plan.ungrouped(multiplying), sizes };
  }
  for (const { fragment, whole } of counted) sizes.set(fragment.localTable, whole);
  return { plan, sizes };
}

/** The keys of each reducing fragment, read from its loaded table (integer keys only). */
async function keyFilters(
  links: readonly FragmentLink[],
  engine: QueryEngine,
): Promise<{ qualifier: string; column: string; keysJson: string }[]> {
  const filters: { qualifier: string; column: string; keysJson: string }[] = [];
  for (const link of links) {
    const column = quoteIdentifier(link.otherColumn);
    // typeof is the column's type even over no row (it is bound, not computed).
    const [keys] = await engine.runTrusted<{ keys: string | null; n: bigint | number; type: string }>(
      `SELECT CAST(to_json(list(DISTINCT ${column})) AS VARCHAR) AS keys, count(DISTINCT ${column}) AS n,
              typeof(any_value(${column})) AS type
         FROM ${quoteIdentifier(link.other)}`,
    );
    if (!keys || !INTEGER_TYPES.has(keys.type) || Number(keys.n) > MAX_KEYS) continue;
    filters.push({ qualifier: link.qualifier, column: link.column, keysJson: keys.keys ?? '[]' });
  }
  return filters;
}

export interface StartedFederation {
  /** Edges that ran a fragment, in fragment order (distinct). */
  edges: string[];
  chunks: AsyncIterable<QueryResultChunk__Input>;
}

/**
 * Runs a split query: every fragment on an edge serving its source (with
 * the usual replica choice and retries before the first rows), each result
 * loaded as it streams into a table of the coordinator's DuckDB, then the
 * coordinator's query over those tables, streamed out as Arrow IPC like an
 * edge's result. Resolves once that result has begun (its schema and first
 * batch, or its end), so failures keep their status. The fragments' tables
 * are dropped however the result ends.
 */
export async function startFederated(
  proposed: FederatedPlan,
  query: EdgeQuery,
  ctx: RequestContext,
  deps: FederationDeps,
): Promise<StartedFederation> {
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  // Every count, early read and load of every fragment listens to it at
  // once, more than Node's default of 10 before it warns of a leak.
  // (A group that falls back travels as its members, hence those too.)
  const tables = proposed.fragments.reduce((n, fragment) => n + 1 + (fragment.members?.length ?? 0), 0);
  setMaxListeners(4 * tables + 10, signal);
  const fragmentCtx = { ...ctx, signal };
  const created: string[] = [];
  const dropAll = async () => {
    await Promise.all(created.map((name) => deps.engine.dropTable(name).catch(() => undefined)));
  };
  const edges: string[] = [];
  let plan = proposed;
  try {
    // Groups and the other linked fragments are counted at once; only if a
    // group falls back is the plan without groups counted afterwards.
    const grouped = new Set(
      proposed.ungrouped ? proposed.fragments.filter((f) => f.members).map((f) => f.localTable) : [],
    );
    const early = new Map<string, Promise<{ edge: string; rows: number; bytes: number } | undefined>>();
    // A counted fragment is also read at once, up to EARLY_ROWS rows: when
    // that is all of it, its count is exact and it is loaded already, so a
    // small table costs one round trip, not a count and then a load.
    const readEarly = (counted: FederatedPlan, counts: ReadonlyMap<string, unknown>) => {
      for (const [index, fragment] of counted.fragments.entries()) {
        // Not groups, nor fragments with subquery conditions or aggregated at
        // their edge: those can cost far more than the count that stands in
        // for them (an aggregate is computed whole before its first row).
        if (
          fragment.members ||
          hasSubqueryConditions(fragment) ||
          aggregatesAtEdge(fragment) ||
          !counts.has(fragment.localTable)
        )
          continue;
        // A size learnt before says already whether it is small; it is then loaded once, in turn.
        if (learnt(fragment, deps) !== undefined) continue;
        const read = readWhole(fragment, index, query, fragmentCtx, deps, created);
        read.catch(() => undefined);
        early.set(fragment.localTable, read);
      }
    };
    const others = startCounts(proposed, query, fragmentCtx, deps, grouped);
    if (!proposed.ungrouped) readEarly(proposed, others);
    const checked = await checkGroups(proposed, query, fragmentCtx, deps);
    plan = checked.plan;
    let counts: Map<string, Promise<number | undefined>>;
    if (plan === proposed) {
      counts = new Map([
        ...others,
        ...[...checked.sizes].map(([name, n]) => [name, Promise.resolve(n)] as const),
      ]);
      if (proposed.ungrouped) readEarly(proposed, others);
    } else {
      counts = startCounts(plan, query, fragmentCtx, deps, new Set());
      readEarly(plan, counts);
    }
    const sizeOf = async (name: string): Promise<number | undefined> => {
      const whole = await early.get(name);
      return whole ? whole.rows : counts.get(name);
    };
    const loading = new Map<string, Promise<void>>();
    const smaller = (x: number | undefined, a: string, y: number | undefined, b: string) =>
      x !== undefined && y !== undefined && (x < y || (x === y && a < b));
    const named = new Map(plan.fragments.map((fragment) => [fragment.localTable, fragment]));
    const chosen = new Map<string, Promise<FragmentLink[]>>();
    // The links whose keys a fragment waits for: to smaller partners that
    // can cut it (see WAIT_FACTOR and readsWholeTable). Only smaller
    // partners are asked about theirs, so the waits are acyclic.
    const reducersOf = (fragment: Fragment): Promise<FragmentLink[]> => {
      let picked = chosen.get(fragment.localTable);
      if (picked) return picked;
      picked = (async () => {
        const own = await sizeOf(fragment.localTable);
        const kept: FragmentLink[] = [];
        for (const link of fragment.links) {
          const size = await sizeOf(link.other);
          const partner = named.get(link.other);
          if (!partner || !smaller(size, link.other, own, fragment.localTable)) continue;
          const chained = (await reducersOf(partner)).length > 0;
          // Bytes where both widths are known (a wide table ships slowly), else rows.
          const [ownWidth, partnerWidth] = [fragment, partner].map((f) => deps.sizes?.width(sized(f, deps)));
          const scale = ownWidth && partnerWidth ? ownWidth / partnerWidth : 1;
          const larger = (own as number) * scale >= WAIT_FACTOR * (size as number);
          if (chained || (!readsWholeTable(partner) && larger)) {
            kept.push(link);
          }
        }
        return kept;
      })();
      chosen.set(fragment.localTable, picked);
      return picked;
    };
    const load = (fragment: Fragment, index: number): Promise<void> => {
      let started = loading.get(fragment.localTable);
      if (started) return started;
      started = (async () => {
        try {
          const whole = await early.get(fragment.localTable);
          // Links to smaller fragments become key filters, once those are loaded.
          // (Whether a smaller side's keys are few enough is known once it is loaded.)
          const reducers = await reducersOf(fragment);
          if (whole) {
            // Read whole already: final unless a smaller partner could cut it
            // (a chain region → nation → supplier must stay a chain).
            if (reducers.length === 0) {
              if (!edges.includes(whole.edge)) edges.push(whole.edge);
              return;
            }
            await discard(fragment.localTable, deps.engine, created);
          }
          await Promise.all(
            reducers.map((link) => {
              const at = plan.fragments.findIndex((f) => f.localTable === link.other);
              return load(plan.fragments[at] as Fragment, at);
            }),
          );
          const filters = await keyFilters(reducers, deps.engine);
          const { sql, params } = await withKeyFilters(deps.codec, fragment, filters);
          const loaded = await loadFragment(
            { ...fragment, sql, params },
            fragment.localTable,
            index,
            query,
            fragmentCtx,
            deps,
            created,
            filters.length,
          );
          learnWidth(fragment, loaded, deps);
          if (!edges.includes(loaded.edge)) edges.push(loaded.edge);
        } catch (error) {
          stop.abort(error);
          throw error;
        }
      })();
      loading.set(fragment.localTable, started);
      return started;
    };
    await Promise.all(plan.fragments.map((fragment, index) => load(fragment, index)));
  } catch (error) {
    await dropAll();
    throw ctx.signal.aborted ? toTributaryError(error) : firstCause(error, stop.signal);
  }

  const loadedAt = performance.now();
  const { maxRows } = query.limits;
  const engineMaxRows =
    maxRows > 0 && (query.maxRows === 0 || query.maxRows > maxRows) ? maxRows + 1 : query.maxRows;
  const stream = deps.engine.stream(plan.localSql, plan.localParams, {
    signal: ctx.signal,
    timeoutMs: Math.max(1, query.deadline - Date.now()),
    maxRows: engineMaxRows,
  });
  const iterator = stream[Symbol.asyncIterator]();
  const held: IpcChunk[] = [];
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      held.push(next.value);
      if (next.value.rowCount > 0) break;
    }
  } catch (error) {
    await iterator.return(undefined);
    await dropAll();
    throw error;
  }
  ctx.logger.debug({ ms: Math.round(performance.now() - loadedAt) }, 'coordinator query began');
  async function* relay(): AsyncGenerator<QueryResultChunk__Input> {
    const counts = { rows: 0, bytes: 0, batches: 0 };
    const emit = (chunk: IpcChunk): QueryResultChunk__Input => {
      counts.rows += chunk.rowCount;
      counts.bytes += chunk.ipc.byteLength;
      if (chunk.rowCount > 0) counts.batches++;
      checkResultLimits(counts, query);
      return { arrow: { ipc: chunk.ipc, row_count: chunk.rowCount } };
    };
    try {
      for (const chunk of held) yield emit(chunk);
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        yield emit(next.value);
      }
      yield {
        metadata: {
          query_id: query.queryId,
          row_count: counts.rows,
          execution_time_ms: Math.round(performance.now() - query.startedAt),
          from_cache: false,
          bytes: counts.bytes,
          batch_count: counts.batches,
          truncated: stream.summary.truncated,
          edges,
        },
      };
    } finally {
      await iterator.return(undefined);
      await dropAll();
    }
  }
  return { edges, chunks: relay() };
}

/** Runs one fragment on its source's edges and loads its result; resolves with the edge that ran it. */
async function loadFragment(
  fragment: Fragment,
  name: string,
  index: number,
  query: EdgeQuery,
  ctx: RequestContext,
  deps: FederationDeps,
  created: string[],
  keyFilters: number,
): Promise<{ edge: string; rows: number; bytes: number }> {
  const began = performance.now();
  const started = await startOnEdge(
    edgesServing(fragment.table.source, deps.registry),
    {
      ...query,
      queryId: `${query.queryId}.${index + 1}`,
      sql: fragment.sql,
      params: fragment.params,
      whole: true,
      // The caller's and the tenant's row and byte limits apply to the final result, not to fragments.
      maxRows: 0,
      limits: { ...query.limits, maxRows: 0, maxBytes: 0 },
    },
    ctx,
    deps,
  );
  created.push(name);
  const loaded = await deps.engine.load(name, ipcOf(started.chunks), {
    signal: ctx.signal,
    timeoutMs: Math.max(1, query.deadline - Date.now()),
  });
  ctx.logger.debug(
    {
      fragment: index + 1,
      table: `${fragment.table.source}.${fragment.table.schema}.${fragment.table.table}`,
      edge: started.edge.name,
      rows: loaded.rowCount,
      bytes: loaded.bytes,
      keyFilters,
      ms: Math.round(performance.now() - began),
    },
    'fragment loaded',
  );
  return { edge: started.edge.name, rows: loaded.rowCount, bytes: loaded.bytes };
}

async function* ipcOf(chunks: AsyncIterable<QueryResultChunk__Input>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    const ipc = chunk.arrow?.ipc;
    if (ipc && typeof ipc !== 'string') yield ipc as Uint8Array;
  }
}

/** The failure that stopped the other fragments, rather than the cancellations it caused. */
function firstCause(error: unknown, stopped: AbortSignal): TributaryError {
  return toTributaryError(stopped.aborted && stopped.reason !== undefined ? stopped.reason : error);
}
