/**
 * The Grafana dashboard and the Prometheus rules: well-formed, every PromQL
 * expression accepted by promtool (when installed), and every metric they
 * use defined by the code — so a renamed metric fails here rather than
 * leaving an empty panel.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { COMPOSE_DIR, DASHBOARD_FILE, type Json, ROOT, readText, readYaml } from './support/deploy-files.js';

const METRICS_MODULES = ['packages/coordinator/src/metrics', 'packages/edge/src/metrics'];
/** Grafana's reference to the dashboard's data source variable. */
const DATASOURCE_VARIABLE = '$' + '{datasource}';
/** Series Prometheus itself makes, not the code. */
const PROMETHEUS_SERIES = new Set(['up']);

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { uid?: string };
  targets?: { expr: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}

const dashboard = JSON.parse(readText(DASHBOARD_FILE)) as Json & {
  panels: Panel[];
  templating: { list: Json[] };
};
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const dashboardExprs = panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
);

const prometheus = readYaml(join(COMPOSE_DIR, 'prometheus/prometheus.yml'));
const ruleFiles = (prometheus.rule_files as string[]).map((file) =>
  join(COMPOSE_DIR, 'prometheus', file.split('/').at(-1) ?? ''),
);
const ruleExprs = ruleFiles.flatMap((file) =>
  (readYaml(file).groups as { rules: { alert?: string; record?: string; expr: string }[] }[]).flatMap((g) =>
    g.rules.map((r) => ({ panel: `${file.split('/').at(-1)}: ${r.alert ?? r.record}`, expr: r.expr })),
  ),
);

const scratch = mkdtempSync(join(tmpdir(), 'tributary-observability-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Metric names in a PromQL expression: identifiers before a selector, range or operator, not labels or functions. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  const withoutLabels = withoutStrings
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '');
  const names = new Set<string>();
  for (const match of withoutLabels.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)) {
    const name = match[1] as string;
    if (/^(tributary|process|nodejs)_/.test(name) || PROMETHEUS_SERIES.has(name)) names.add(name);
  }
  return [...names];
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return entry.endsWith('.ts') && !entry.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every metric the code defines: `name: 'tributary_…'` in the sources, plus prom-client's process metrics. */
async function definedMetrics(): Promise<Set<string>> {
  const names = new Set(PROMETHEUS_SERIES);
  for (const pkg of readdirSync(join(ROOT, 'packages'))) {
    for (const file of sourceFiles(join(ROOT, 'packages', pkg, 'src'))) {
      for (const match of readText(file).matchAll(/name:\s*'(tributary_[a-z0-9_]+)'/g))
        names.add(match[1] as string);
    }
  }
  // Node's process and runtime metrics come from prom-client's collectDefaultMetrics, as the code registers them.
  const require = createRequire(join(ROOT, 'packages/coordinator/package.json'));
  const promClient = (await import(require.resolve('prom-client'))) as {
    Registry: new () => { getMetricsAsJSON(): Promise<{ name: string }[]> };
    collectDefaultMetrics(options: { register: unknown }): void;
  };
  const registry = new promClient.Registry();
  promClient.collectDefaultMetrics({ register: registry });
  for (const metric of await registry.getMetricsAsJSON()) names.add(metric.name);
  return names;
}

function isDefined(name: string, defined: Set<string>): boolean {
  if (defined.has(name)) return true;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && defined.has(base);
}

describe('Grafana dashboard', () => {
  test('is a provisionable dashboard with a uid, a data source variable and panels on the grid', () => {
    assert.equal(dashboard.uid, 'tributary');
    assert.ok(dashboard.templating.list.some((v) => v.type === 'datasource' && v.name === 'datasource'));
    const ids = new Set(panels.map((p) => p.id));
    assert.equal(ids.size, panels.length, 'panel ids are unique');
    for (const panel of panels) {
      assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, `${panel.title} fits the 24-column grid`);
      if (panel.type === 'row') continue;
      assert.equal(
        panel.datasource?.uid,
        DATASOURCE_VARIABLE,
        `${panel.title} uses the data source variable`,
      );
      assert.ok((panel.targets ?? []).length > 0, `${panel.title} has a query`);
    }
    const cells = new Set<string>();
    for (const panel of panels) {
      for (let x = panel.gridPos.x; x < panel.gridPos.x + panel.gridPos.w; x++) {
        for (let y = panel.gridPos.y; y < panel.gridPos.y + panel.gridPos.h; y++) {
          assert.ok(!cells.has(`${x},${y}`), `${panel.title} overlaps another panel`);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  test('every query and rule is valid PromQL (promtool)', (t) => {
    const version = spawnSync('promtool', ['--version']);
    if (version.error) {
      t.skip('promtool is not installed (.ci/run installs it)');
      return;
    }
    // Grafana's interval variable is substituted the way Grafana would.
    const rules = [...dashboardExprs, ...ruleExprs].map(({ expr }, i) => ({
      record: `tributary:check_${i}`,
      expr: expr.replaceAll('$__rate_interval', '1m'),
    }));
    const file = join(scratch, 'rules.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const checked = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(checked.status, 0, `${checked.stdout}${checked.stderr}`);
    for (const ruleFile of ruleFiles) {
      const result = spawnSync('promtool', ['check', 'rules', ruleFile], { encoding: 'utf8' });
      assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    }
  });

  test('every metric the dashboard and the Prometheus rules use is defined in the code', async () => {
    for (const dir of METRICS_MODULES) assert.ok(existsSync(join(ROOT, dir)), `${dir} defines metrics`);
    const defined = await definedMetrics();
    const used = [...dashboardExprs, ...ruleExprs].flatMap(({ panel, expr }) =>
      metricNames(expr).map((name) => ({ panel, name })),
    );
    assert.ok(used.some((u) => u.name.startsWith('tributary_')));
    const undefinedMetrics = used.filter((u) => !isDefined(u.name, defined));
    assert.deepEqual(
      undefinedMetrics.map((u) => `${u.panel}: ${u.name}`),
      [],
      'metrics used but not defined in packages/*/src',
    );
  });
});
