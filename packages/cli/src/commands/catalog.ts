import { parseArgs } from 'node:util';
import { TributaryError } from '@tributary/core';
import { formatTextTable } from '../output/text-table.js';
import { CONNECTION_OPTIONS, connect } from './connection.js';
import { printResult } from './query.js';

export async function catalogCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, limit: { type: 'string' } },
  });
  const [action = 'tables', target] = positionals;
  const client = connect(values);
  try {
    switch (action) {
      case 'sources': {
        const sources = await client.listSources();
        const rows = sources.map((s) => ({
          source: s.name,
          kind: s.kind,
          tables: s.table_count,
          edges: s.edges.join(', '),
        }));
        process.stdout.write(`${formatTextTable(['source', 'kind', 'tables', 'edges'], rows)}\n`);
        return 0;
      }
      case 'tables': {
        const rows: Record<string, string | number>[] = [];
        let pageToken = '';
        do {
          const page = await client.listTables({ filter: target ?? '', pageToken, pageSize: 500 });
          for (const t of page.tables) {
            rows.push({
              table: `${t.ref?.source}.${t.ref?.schema}.${t.ref?.table}`,
              kind: t.kind,
              columns: t.columns.length,
              rows: Number(t.row_count_estimate),
            });
          }
          pageToken = page.next_page_token;
        } while (pageToken);
        process.stdout.write(`${formatTextTable(['table', 'kind', 'columns', 'rows'], rows)}\n`);
        return 0;
      }
      case 'describe': {
        if (!target) throw TributaryError.invalid('usage: tributary catalog describe <source.schema.table>');
        const table = await client.getTable(target);
        const rows = table.columns.map((c) => ({
          column: c.name,
          type: c.sql_type,
          arrow: c.arrow_type,
          nullable: c.nullable,
        }));
        process.stdout.write(`${formatTextTable(['column', 'type', 'arrow', 'nullable'], rows)}\n`);
        return 0;
      }
      case 'preview': {
        if (!target) throw TributaryError.invalid('usage: tributary catalog preview <source.schema.table>');
        await printResult(
          client.getRecords(target, { limit: values.limit ? Number(values.limit) : 20 }),
          'table',
          process.stdout,
        );
        return 0;
      }
      default:
        throw TributaryError.invalid(
          `unknown catalog action ${action}: use sources, tables, describe or preview`,
        );
    }
  } finally {
    client.close();
  }
}
