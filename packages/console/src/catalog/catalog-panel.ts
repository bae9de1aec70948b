import type { GrpcWebClient } from '@tributary/client/web';
import { h, mount } from '../dom.js';
import { errorView } from '../errors.js';

type Table = Awaited<ReturnType<GrpcWebClient['listTables']>>['tables'][number];

function tableName(table: Table): string {
  return `${table.ref?.source}.${table.ref?.schema}.${table.ref?.table}`;
}

/**
 * The catalog the signed-in principal may see: sources, their tables, and
 * per table (on demand) the columns with their types and what governance
 * does to them: masked or denied columns, row filters.
 */
export class CatalogPanel {
  readonly element = h('nav', { class: 'catalog', 'data-testid': 'catalog', 'aria-label': 'Catalog' });

  constructor(
    private readonly client: GrpcWebClient,
    private readonly onPick: (sql: string) => void,
  ) {}

  async load(): Promise<void> {
    mount(this.element, h('p', { class: 'muted' }, 'Loading catalog…'));
    try {
      const [sources, tables] = await Promise.all([this.client.listSources(), this.allTables()]);
      const groups = sources.map((source) =>
        h(
          'section',
          { class: 'source', 'data-testid': `source-${source.name}` },
          h(
            'h3',
            {},
            source.name,
            ' ',
            h('span', { class: 'muted' }, source.kind),
            !source.healthy && h('span', { class: 'badge bad' }, 'unavailable'),
          ),
          h(
            'ul',
            {},
            ...tables.filter((t) => t.ref?.source === source.name).map((table) => this.tableItem(table)),
          ),
        ),
      );
      mount(this.element, h('h2', {}, 'Catalog'), ...groups);
      if (sources.length === 0) this.element.append(h('p', { class: 'muted' }, 'No sources visible to you.'));
    } catch (error) {
      mount(this.element, h('h2', {}, 'Catalog'), errorView(error));
    }
  }

  private async allTables(): Promise<Table[]> {
    const tables: Table[] = [];
    let pageToken = '';
    do {
      const page = await this.client.listTables({ pageToken, pageSize: 500 });
      tables.push(...page.tables);
      pageToken = page.next_page_token;
    } while (pageToken);
    return tables;
  }

  private tableItem(table: Table): HTMLElement {
    const name = tableName(table);
    const details = h('div', { class: 'columns' });
    const item = h(
      'li',
      { 'data-testid': `table-${name}` },
      h(
        'button',
        {
          class: 'link',
          type: 'button',
          'aria-expanded': 'false',
          onclick: (event: Event) => this.toggle(table, details, event.currentTarget as HTMLElement),
        },
        `${table.ref?.schema}.${table.ref?.table}`,
      ),
      ' ',
      h(
        'button',
        {
          class: 'small',
          type: 'button',
          title: 'Query this table',
          onclick: () => this.onPick(`SELECT *\nFROM ${name}\nLIMIT 100`),
        },
        'query',
      ),
      details,
    );
    return item;
  }

  private async toggle(table: Table, details: HTMLElement, button: HTMLElement): Promise<void> {
    if (button.getAttribute('aria-expanded') === 'true') {
      button.setAttribute('aria-expanded', 'false');
      details.replaceChildren();
      return;
    }
    button.setAttribute('aria-expanded', 'true');
    mount(details, h('span', { class: 'muted' }, 'Loading…'));
    try {
      const explained = await this.client.explainAccess(tableName(table));
      const access = new Map((explained.access?.columns ?? []).map((c) => [c.name, c.access]));
      mount(
        details,
        explained.access?.row_filtered &&
          h('span', { class: 'badge filtered', 'data-testid': 'row-filtered' }, 'rows filtered'),
        h(
          'table',
          { class: 'column-list' },
          h(
            'tbody',
            {},
            ...table.columns.map((column) => {
              const state = access.get(column.name) ?? 'read';
              return h(
                'tr',
                { 'data-testid': `column-${column.name}`, 'data-access': state },
                h('td', {}, column.name),
                h('td', { class: 'muted' }, column.sql_type),
                h(
                  'td',
                  {},
                  state !== 'read' && h('span', { class: `badge ${state}`, 'data-testid': 'access' }, state),
                  ...column.tags.map((tag) => h('span', { class: 'badge tag' }, tag)),
                ),
              );
            }),
          ),
        ),
      );
    } catch (error) {
      mount(details, errorView(error));
    }
  }
}
