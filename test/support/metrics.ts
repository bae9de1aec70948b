import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

type Labels = Record<string, string>;

/**
 * One scrape of a `/metrics` endpoint, parsed from the Prometheus text
 * format. `value` reads a counter or gauge series, `count` a histogram's
 * observation count; a series never recorded reads as 0, so deltas between
 * two scrapes need no special case.
 */
export class MetricsScrape {
  private readonly families: ReturnType<typeof parsePrometheusTextFormat>;

  constructor(readonly text: string) {
    // The parser drops the labels and the _count/_sum of labelled histograms;
    // without their TYPE line their series parse as plain `<name>_count`,
    // `<name>_sum` and `<name>_bucket` families, labels intact.
    this.families = parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram$/gm, ''));
  }

  has(name: string): boolean {
    return this.families.some((f) => f.name === name);
  }

  private samples(name: string, labels: Labels) {
    // Untyped series of one name may come as several families (one per label set).
    const samples = this.families.filter((f) => f.name === name).flatMap((f) => f.metrics);
    return samples.filter((sample) =>
      Object.entries(labels).every(([key, want]) => sample.labels?.[key] === want),
    );
  }

  /** The sum of every series of `name` whose labels include `labels`. */
  value(name: string, labels: Labels = {}): number {
    return this.samples(name, labels).reduce((sum, s) => sum + Number(s.value ?? 0), 0);
  }

  /** Observations of histogram `name` over the matching series. */
  count(name: string, labels: Labels = {}): number {
    return this.value(`${name}_count`, labels);
  }
}

/** GETs `/metrics` and parses it; fails the test on anything but 200 in the text format. */
export async function scrape(baseUrl: string, headers: Record<string, string> = {}): Promise<MetricsScrape> {
  const response = await fetch(`${baseUrl}/metrics`, { headers });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  assert.match(String(response.headers.get('content-type')), /^text\/plain; version=0\.0\.4/);
  return new MetricsScrape(text);
}
