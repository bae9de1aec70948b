// Browsers as clients, in a real headless Chromium: the browser SDK bundle on
// a page of another origin (CORS, fetch streaming), and the web console
// served by the coordinator (sign-in, catalog with governance markers,
// streaming query, cancel).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  type Browser,
  browserUnavailable,
  cellTexts,
  launchBrowser,
  servePages,
} from '../support/browser.js';
import { Cluster } from '../support/cluster.js';
import { createFixtures, type Fixtures } from '../support/fixtures.js';
import { signToken } from '../support/jwt.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const skip = browserUnavailable();
if (skip) console.log(`# browser tests skipped: ${skip}`);

/** Analysts read `lake` with customer names masked; `warehouse` is refused. */
const POLICIES = {
  grants: [{ id: 'analysts-read-lake', effect: 'allow', to: { role: 'analyst' }, on: { source: 'lake' } }],
  masks: [
    {
      id: 'customer-names',
      table: 'lake.main.customers',
      column: 'name',
      mask: { kind: 'redact' },
      unless: { roles: ['admin'] },
    },
  ],
};

describe('browsers', { skip }, () => {
  let fixtures: Fixtures;
  let cluster: Cluster;
  let browser: Browser;

  before(async () => {
    fixtures = await createFixtures();
    cluster = await Cluster.start({
      edges: [{ name: 'edge-1', sources: fixtures.sources }],
      policies: POLICIES,
      coordinator: { audit: { flush_interval_ms: 50 } },
    });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await cluster?.stop();
    fixtures?.cleanup();
  });

  describe('the browser SDK bundle', () => {
    let pages: Awaited<ReturnType<typeof servePages>>;

    before(async () => {
      const check = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(here, 'page/tsconfig.json')], {
        encoding: 'utf8',
      });
      assert.equal(check.status, 0, `the test page type-checks:\n${check.stdout}${check.stderr}`);
      const bundle = await build({
        entryPoints: [join(here, 'page/sdk-page.ts')],
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        logLevel: 'silent',
        outfile: 'page.js',
      });
      pages = await servePages({
        '/': {
          type: 'text/html; charset=utf-8',
          body: '<!doctype html><meta charset="utf-8"><p id="status">loading</p><table id="rows"></table><script type="module" src="/page.js"></script>',
        },
        '/page.js': { type: 'text/javascript', body: bundle.outputFiles[0]?.contents ?? '' },
      });
    });

    after(() => pages?.close());

    let loads = 0;
    async function open(sql: string) {
      const fragment = new URLSearchParams({ url: cluster.grpcWebUrl, key: cluster.apiKey, sql });
      // A new query string each time: a change of fragment alone would not load the page again.
      await browser.page.goto(`${pages.url}/?load=${++loads}#${fragment}`);
      await browser.page.waitForFunction(
        `['done', 'failed'].includes(document.getElementById('status')?.textContent)`,
      );
      return browser.page.locator('#status');
    }

    test('streams a query over gRPC-Web and renders the rows it was sent', async () => {
      const sql = 'SELECT id, name, country, signup FROM lake.main.customers ORDER BY id';
      const status = await open(sql);
      assert.equal(await status.textContent(), 'done', String(await status.getAttribute('data-message')));
      const expected = await cluster.client().query(sql).toArray();
      assert.ok(expected.length > 0);
      const header = await browser.page.locator('#rows thead td').allTextContents();
      assert.deepEqual(header, ['id', 'name', 'country', 'signup']);
      const rendered = await cellTexts(browser.page.locator('#rows tbody tr'));
      const want = expected.map((row) => header.map((column) => JSON.stringify(row[column])));
      assert.deepEqual(rendered, want);
      assert.equal(await status.getAttribute('data-rows'), String(expected.length));
      assert.match((await status.getAttribute('data-query-id')) ?? '', /\S/);
      // Governed in the browser as everywhere: the mask applies.
      assert.ok(rendered.every((row) => row[1] !== JSON.stringify('Ada Lovelace')));
    });

    test('a refused query shows QUERY_UNAUTHORIZED with its request id', async () => {
      const status = await open('SELECT * FROM warehouse.main.products');
      assert.equal(await status.textContent(), 'failed');
      assert.equal(await status.getAttribute('data-code'), 'QUERY_UNAUTHORIZED');
      assert.match((await status.getAttribute('data-request-id')) ?? '', /\S/);
    });
  });

  describe('the web console', () => {
    test('is served with its content types, caching headers and a strict CSP', async () => {
      const redirect = await fetch(`${cluster.httpUrl}/console`, { redirect: 'manual' });
      assert.equal(redirect.status, 308);
      assert.equal(redirect.headers.get('location'), '/console/');
      const index = await fetch(`${cluster.httpUrl}/console/`);
      assert.equal(index.status, 200);
      assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.equal(index.headers.get('cache-control'), 'no-cache');
      const csp = index.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
      assert.match(csp, /style-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /'unsafe-inline'|'unsafe-eval'/);
      assert.ok(csp.includes(`connect-src 'self' ${cluster.grpcWebUrl}`), csp);
      const script = (await index.text()).match(/src="(assets\/[^"]+\.js)"/)?.[1];
      assert.ok(script);
      const asset = await fetch(`${cluster.httpUrl}/console/${script}`);
      assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
      const config = await fetch(`${cluster.httpUrl}/console/config.json`);
      assert.deepEqual(await config.json(), { grpcWebUrl: cluster.grpcWebUrl });
      assert.equal(config.headers.get('cache-control'), 'no-store');
      const missing = await fetch(`${cluster.httpUrl}/console/assets/nope.js`);
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    });

    test('sign in, browse the governed catalog, run a query, cancel a long one', async () => {
      const page = browser.page;
      const problemsBefore = browser.problems.length;
      await page.goto(`${cluster.httpUrl}/console/`);

      // A wrong credential is refused with its code; the right one (a JWT) signs in.
      await page.getByTestId('credential').fill('trb_live_not-a-real-key-000000000000');
      await page.getByTestId('sign-in-button').click();
      await page.getByTestId('error-code').waitFor();
      assert.equal(
        await page.getByTestId('error-code').textContent(),
        'UNAUTHENTICATED',
        String(await page.getByTestId('error-message').textContent()),
      );
      await page
        .getByTestId('credential')
        .fill(await signToken(cluster, { sub: 'alice', roles: ['analyst'] }));
      await page.getByTestId('sign-in-button').click();
      await page.getByTestId('table-lake.main.customers').waitFor();
      assert.equal(await page.evaluate('localStorage.length'), 0, 'nothing in localStorage');
      assert.deepEqual(
        await page.evaluate('Object.keys(sessionStorage)'),
        ['tributary.console.credential'],
        'the credential is in sessionStorage',
      );

      // Only what the principal may see; the masked column is marked.
      assert.equal(await page.getByTestId('source-warehouse').count(), 0);
      const customers = page.getByTestId('table-lake.main.customers');
      await customers.getByRole('button', { name: 'main.customers' }).click();
      const name = customers.getByTestId('column-name');
      await name.waitFor();
      assert.equal(await name.getAttribute('data-access'), 'masked');
      assert.equal(await name.getByTestId('access').textContent(), 'masked');
      assert.equal(await customers.getByTestId('column-country').getAttribute('data-access'), 'read');

      // A query: row count, rows, metadata.
      const sql =
        'SELECT country, count(*) AS customers FROM lake.main.customers GROUP BY country ORDER BY country';
      const expected = await cluster.client().query(sql).toArray();
      await customers.getByRole('button', { name: 'query' }).click();
      await page.getByTestId('sql-editor').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(sql);
      await page.getByTestId('run').click();
      await page.getByTestId('done').waitFor();
      assert.equal(await page.getByTestId('row-count').textContent(), String(expected.length));
      const rows = await cellTexts(page.getByTestId('result-table').locator('tbody tr'));
      assert.deepEqual(
        rows,
        expected.map((row) => [row.country === null ? 'NULL' : String(row.country), String(row.customers)]),
      );
      assert.match((await page.getByTestId('query-id').textContent()) ?? '', /\S/);
      assert.match((await page.getByTestId('request-id').textContent()) ?? '', /^[0-9a-f]{32}$/);
      await page.getByTestId('tab-chart').click();
      assert.equal(await page.getByTestId('chart').locator('rect.bar').count(), expected.length);

      const screenshots = mkdtempSync(join(tmpdir(), 'tributary-console-'));
      const shot = join(screenshots, 'console.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`# console screenshot: ${shot}`);

      // A long query streams (the counter grows) until Cancel stops it, at the edge too.
      await page.getByTestId('sql-editor').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText('SELECT i, i * 2 AS doubled FROM range(2000000000) t(i)');
      await page.getByTestId('run').click();
      // The counter grows while batches stream.
      await page
        .getByTestId('row-count')
        .filter({ hasText: /^[1-9]/ })
        .waitFor();
      await page.getByTestId('cancel').click();
      await page.getByTestId('cancelled').waitFor();
      assert.equal(await page.getByTestId('error-code').textContent(), 'CANCELLED');
      const requestId = (await page.getByTestId('error-request-id').textContent()) ?? '';
      assert.match(requestId, /^[0-9a-f]{32}$/);
      assert.equal(await page.getByTestId('run').isEnabled(), true);
      const audited = await auditedQuery(cluster, requestId);
      assert.equal(audited.error_code, 'CANCELLED');
      assert.ok(Number(audited.rows ?? 0) < 2_000_000_000);

      // Nothing the strict Content-Security-Policy had to block, no script errors. Chrome's own
      // content-editable typing tries a style attribute (no script involved, so no source
      // location) that the policy blocks and CodeMirror redraws anyway; only that is let pass.
      const blockedByEditing = (problem: string) =>
        /Applying inline style violates/.test(problem) || /style-src-attr inline {2}at :0:0/.test(problem);
      assert.deepEqual(
        browser.problems.slice(problemsBefore).filter((p) => !blockedByEditing(p)),
        [],
      );
    });
  });
});

/** The audit record of a query by request id, as an admin reads it (the audit log is written in batches). */
async function auditedQuery(cluster: Cluster, requestId: string) {
  const token = await signToken(cluster, { sub: 'auditor', roles: ['admin'] });
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await cluster.http('/v1/audit?page_size=50', {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as {
      records: { request_id: string; query?: { error_code: string; rows: string } }[];
    };
    const record = body.records.find((r) => r.request_id === requestId && r.query);
    if (record?.query) return record.query;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no audit record for request ${requestId}`);
}
