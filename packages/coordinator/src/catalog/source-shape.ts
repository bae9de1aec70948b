import type { Source } from '@tributary/core';

/**
 * What must be identical for two edges to serve the same source as
 * replicas: its kind, and every table with its columns' names and SQL types,
 * in order. Row-count estimates and nullability may differ between copies of
 * the same data and are left out.
 */
export function sourceShape(source: Source): string[] {
  const lines = [`kind ${source.kind}`];
  const tables = source.schemas.flatMap((schema) =>
    schema.tables.map((table) => ({
      name: `${schema.name}.${table.ref?.table ?? ''}`.toLowerCase(),
      columns: table.columns.map((c) => `${c.name} ${c.sql_type}`),
    })),
  );
  tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const table of tables) lines.push(`table ${table.name} (${table.columns.join(', ')})`);
  return lines;
}

/** The first difference between two sources' shapes, described for an operator; undefined when they agree. */
export function shapeDifference(ours: Source, theirs: Source): string | undefined {
  const a = sourceShape(ours);
  const b = sourceShape(theirs);
  const tableOf = (line: string) => line.split(' (')[0];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const mine = a[i];
    const other = b[i];
    if (mine === other) continue;
    if (mine === undefined) return `it lacks ${tableOf(other as string)}`;
    if (other === undefined) return `it has ${tableOf(mine)}, which the others lack`;
    return `it has ${mine} where the others have ${other}`;
  }
  return undefined;
}

export interface TableChanges {
  /** `schema.table` names, lower-cased, sorted. */
  added: string[];
  dropped: string[];
  /** Tables whose columns (names, SQL types, order) changed. */
  changed: string[];
}

/** Which tables a rediscovery added, dropped or changed, comparing shapes as replicas are compared. */
export function tableChanges(before: Source | undefined, after: Source): TableChanges {
  const tablesOf = (source: Source | undefined) =>
    new Map(
      (source ? sourceShape(source) : [])
        .filter((line) => line.startsWith('table '))
        .map((line) => {
          const [name = '', ...columns] = line.slice('table '.length).split(' (');
          return [name, columns.join(' (')] as const;
        }),
    );
  const was = tablesOf(before);
  const now = tablesOf(after);
  return {
    added: [...now.keys()].filter((name) => !was.has(name)),
    dropped: [...was.keys()].filter((name) => !now.has(name)),
    changed: [...now].filter(([name, columns]) => was.has(name) && was.get(name) !== columns).map(([n]) => n),
  };
}
