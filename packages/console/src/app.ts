import { GrpcWebClient, TributaryError } from '@tributary/client/web';
import { CatalogPanel } from './catalog/catalog-panel.js';
import { h, mount } from './dom.js';
import { SqlEditor } from './editor.js';
import { errorView } from './errors.js';
import { type QueryOutcome, QueryRunner } from './query/query-runner.js';
import { chartPanel } from './results/chart.js';
import { resultTable } from './results/result-table.js';
import { credentialsFrom, forgetSecret, storedSecret, storeSecret } from './session.js';

const FIRST_QUERY = 'SELECT 42 AS answer';

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** The console: sign-in, then catalog, editor and results over one gRPC-Web client. */
export class ConsoleApp {
  constructor(
    private readonly root: HTMLElement,
    private readonly grpcWebUrl: string,
  ) {}

  start(): void {
    const secret = storedSecret();
    if (secret) void this.signIn(secret);
    else this.showSignIn();
  }

  private showSignIn(problem?: unknown): void {
    const input = h('textarea', {
      name: 'credential',
      rows: 3,
      required: true,
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: 'trb_live_… or eyJ…',
      'data-testid': 'credential',
    });
    const form = h(
      'form',
      { class: 'sign-in', 'data-testid': 'sign-in' },
      h('h1', {}, 'Tributary console'),
      h('label', {}, 'API key or JWT', input),
      h('p', { class: 'muted' }, 'Kept in this tab’s session storage only.'),
      h('button', { type: 'submit', 'data-testid': 'sign-in-button' }, 'Sign in'),
      problem !== undefined && errorView(problem),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.signIn(input.value);
    });
    mount(this.root, form);
    input.focus();
  }

  private async signIn(secret: string): Promise<void> {
    const client = new GrpcWebClient({ url: this.grpcWebUrl, ...credentialsFrom(secret) });
    try {
      // Any authenticated call proves the credential; this one is also the first thing shown.
      await client.listSources();
    } catch (error) {
      forgetSecret();
      this.showSignIn(error);
      return;
    }
    storeSecret(secret);
    this.showWorkspace(client);
  }

  private showWorkspace(client: GrpcWebClient): void {
    const runner = new QueryRunner(client);
    const editorHost = h('div', { class: 'editor' });
    const status = h('div', { class: 'status', 'data-testid': 'status', 'aria-live': 'polite' });
    const output = h('div', { class: 'output', 'data-testid': 'output' });
    const runButton = h('button', { type: 'button', 'data-testid': 'run' }, 'Run');
    const cancelButton = h('button', { type: 'button', 'data-testid': 'cancel', disabled: true }, 'Cancel');
    const editor = new SqlEditor(editorHost, FIRST_QUERY, () => void run());
    const catalog = new CatalogPanel(client, (sql) => {
      editor.text = sql;
    });

    const counter = h('span', { 'data-testid': 'row-count' }, '0');
    const run = async () => {
      if (runner.running) return;
      runButton.disabled = true;
      cancelButton.disabled = false;
      counter.textContent = '0';
      mount(status, h('span', { class: 'spinner' }), ' Running… ', counter, ' rows');
      mount(output);
      try {
        const outcome = await runner.run(editor.text, {
          onColumns: () => undefined,
          onProgress: (rows) => {
            counter.textContent = rows.toLocaleString('en-US');
          },
        });
        this.showOutcome(status, output, outcome);
      } catch (error) {
        const cancelled = error instanceof TributaryError && error.code === 'CANCELLED';
        mount(
          status,
          h(
            'span',
            { 'data-testid': cancelled ? 'cancelled' : 'failed' },
            cancelled ? 'Cancelled after ' : 'Failed after ',
            counter.textContent ?? '0',
            ' rows.',
          ),
        );
        mount(output, errorView(error));
      } finally {
        runButton.disabled = false;
        cancelButton.disabled = true;
      }
    };
    runButton.addEventListener('click', () => void run());
    cancelButton.addEventListener('click', () => runner.cancel());

    const signOut = h('button', { type: 'button', class: 'small', 'data-testid': 'sign-out' }, 'Sign out');
    signOut.addEventListener('click', () => {
      runner.cancel();
      forgetSecret();
      this.showSignIn();
    });
    mount(
      this.root,
      h(
        'div',
        { class: 'workspace' },
        h(
          'header',
          {},
          h('strong', {}, 'Tributary'),
          h('span', { class: 'muted' }, this.grpcWebUrl),
          signOut,
        ),
        catalog.element,
        h(
          'main',
          {},
          editorHost,
          h(
            'div',
            { class: 'toolbar' },
            runButton,
            cancelButton,
            h('span', { class: 'muted' }, 'Ctrl-Enter runs'),
          ),
          status,
          output,
        ),
      ),
    );
    void catalog.load();
  }

  private showOutcome(status: HTMLElement, output: HTMLElement, outcome: QueryOutcome): void {
    const meta = outcome.metadata;
    const field = (name: string, value: string, testid: string) =>
      h('span', { class: 'meta' }, `${name} `, h('code', { 'data-testid': testid }, value));
    mount(
      status,
      h(
        'span',
        { 'data-testid': 'done' },
        h('span', { 'data-testid': 'row-count' }, outcome.rowCount.toLocaleString('en-US')),
        ' rows',
      ),
      field('query', meta?.query_id ?? '', 'query-id'),
      field('bytes', formatBytes(Number(meta?.bytes ?? 0)), 'bytes'),
      field(
        'time',
        `${meta?.execution_time_ms ?? '?'} ms (${Math.round(outcome.elapsedMs)} ms here)`,
        'duration',
      ),
      field('request', outcome.requestId ?? '', 'request-id'),
      meta?.truncated && h('span', { class: 'badge' }, 'truncated at the row limit'),
    );
    const tableTab = h(
      'button',
      { type: 'button', role: 'tab', 'aria-selected': 'true', 'data-testid': 'tab-table' },
      'Table',
    );
    const chartTab = h(
      'button',
      { type: 'button', role: 'tab', 'aria-selected': 'false', 'data-testid': 'tab-chart' },
      'Chart',
    );
    const body = h(
      'div',
      { class: 'tab-body' },
      resultTable(outcome.columns, outcome.rows, outcome.rowCount),
    );
    tableTab.addEventListener('click', () => {
      tableTab.setAttribute('aria-selected', 'true');
      chartTab.setAttribute('aria-selected', 'false');
      mount(body, resultTable(outcome.columns, outcome.rows, outcome.rowCount));
    });
    chartTab.addEventListener('click', () => {
      tableTab.setAttribute('aria-selected', 'false');
      chartTab.setAttribute('aria-selected', 'true');
      mount(body, chartPanel(outcome.columns, outcome.rows));
    });
    mount(output, h('div', { class: 'tabs', role: 'tablist' }, tableTab, chartTab), body);
  }
}
