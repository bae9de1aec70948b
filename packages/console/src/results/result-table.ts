import type { RowObject } from '@tributary/client/web';
import { h } from '../dom.js';
import type { ResultColumn } from '../query/query-runner.js';

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * The result rows as an HTML table. Rendering is capped (the runner keeps at
 * most ROW_CAP rows), so a huge result never builds a huge DOM.
 */
export function resultTable(columns: ResultColumn[], rows: RowObject[], total: number): HTMLElement {
  return h(
    'div',
    { class: 'result-table' },
    total > rows.length &&
      h(
        'p',
        { class: 'muted', 'data-testid': 'capped' },
        `Showing the first ${rows.length} of ${total} rows.`,
      ),
    h(
      'table',
      { 'data-testid': 'result-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...columns.map((column) =>
            h('th', { title: column.type }, column.name, h('small', {}, column.type)),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            {},
            ...columns.map((column) => {
              const value = row[column.name];
              return h('td', { class: value === null ? 'null' : undefined }, cellText(value));
            }),
          ),
        ),
      ),
    ),
  );
}
