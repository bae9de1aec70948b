import { after, before } from 'node:test';
import type { TributaryClient } from '@tributary/client';
import { Cluster } from './cluster.js';
import { createFixtures, type Fixtures, Reference } from './fixtures.js';

export interface FixtureCluster {
  fixtures: Fixtures;
  /** The same data in an in-process DuckDB, attached as the edge attaches it. */
  reference: Reference;
  cluster: Cluster;
  client: TributaryClient;
}

/**
 * Registers before/after hooks that start one edge over the test fixtures and
 * a reference DuckDB over the same data, and returns a holder filled in once
 * the `before` hook has run.
 */
export function useFixtureCluster(): FixtureCluster {
  const holder = {} as FixtureCluster;
  before(async () => {
    holder.fixtures = await createFixtures();
    holder.reference = await Reference.open(holder.fixtures);
    holder.cluster = await Cluster.start({ edges: [{ name: 'edge-1', sources: holder.fixtures.sources }] });
    holder.client = holder.cluster.client();
  });
  after(async () => {
    await holder.cluster?.stop();
    holder.reference?.close();
    holder.fixtures?.cleanup();
  });
  return holder;
}
