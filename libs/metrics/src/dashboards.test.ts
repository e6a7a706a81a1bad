import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from './index.js';

const deploy = (path: string) => fileURLToPath(new URL(`../../../deploy/${path}`, import.meta.url));

/** Metric names in a PromQL expression (bucket, sum and count series of histograms included). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(leadflow_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''));
}

describe('dashboards and alerts', async () => {
  const metrics = createMetrics();
  const known = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));

  it('the Grafana dashboard charts only metrics the services export', () => {
    const dashboard = JSON.parse(readFileSync(deploy('grafana/leadflow-overview.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const unknown = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr).filter((n) => !known.has(n)).map((n) => `${p.title}: ${n}`)));
    expect(unknown).toEqual([]);
    expect(dashboard.panels.length).toBeGreaterThan(5);
  });

  it('every alert rule names only exported metrics and says what to do', () => {
    const rules = (parse(readFileSync(deploy('prometheus/alerts.yaml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string; annotations: { summary?: string; runbook?: string } }[] }[];
    }).groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(3);
    for (const rule of rules) {
      expect(metricNames(rule.expr).filter((n) => !known.has(n)), rule.alert).toEqual([]);
      expect(rule.annotations.summary && rule.annotations.runbook, rule.alert).toBeTruthy();
    }
  });
});
