import { credentials } from '@grpc/grpc-js';
import {
  type EdgeRegistryServiceClient,
  fromGrpcError,
  GRPC_CHANNEL_OPTIONS,
  type Logger,
  type RegisterEdgeResponse,
  type Source__Input,
  TRIBUTARY_VERSION,
  tributaryV1,
} from '@tributary/core';
import type { CoordinatorTrust } from '../trust/coordinator-trust.js';

export interface RegistrarOptions {
  coordinatorAddress: string;
  joinToken: string;
  edgeName: string;
  advertisedAddress: string;
  sources: () => Source__Input[];
  activeQueries: () => number;
  trust: CoordinatorTrust;
  logger: Logger;
}

function unary<T>(invoke: (callback: (error: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    invoke((error, value) => (error ? reject(fromGrpcError(error)) : resolve(value as T)));
  });
}

/**
 * Keeps this edge registered: registers (retrying with capped backoff while
 * the coordinator is away), heartbeats, and registers again whenever the
 * coordinator no longer knows it — after a coordinator restart, say.
 */
export class Registrar {
  private readonly client: EdgeRegistryServiceClient;
  private edgeId: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private attempt = 0;

  constructor(private readonly options: RegistrarOptions) {
    const v1 = tributaryV1();
    this.client = new v1.EdgeRegistryService(options.coordinatorAddress, credentials.createInsecure(), {
      ...GRPC_CHANNEL_OPTIONS,
      // grpc-js backs off reconnecting for up to two minutes by default: a
      // restarted coordinator would not hear from this edge for that long.
      // Capped at a second, the next heartbeat after the restart gets through.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1_000,
    }) as unknown as EdgeRegistryServiceClient;
  }

  start(): void {
    void this.register();
  }

  /**
   * Registers again with the current sources (they changed), replacing this
   * edge's registration on every coordinator.
   */
  announce(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void this.register();
  }

  get registered(): boolean {
    return this.edgeId !== undefined;
  }

  private schedule(delayMs: number, next: () => Promise<void>): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void next(), delayMs);
    this.timer.unref();
  }

  private async register(): Promise<void> {
    const { logger } = this.options;
    try {
      const response = await unary<RegisterEdgeResponse>((cb) =>
        this.client.Register(
          {
            join_token: this.options.joinToken,
            edge_name: this.options.edgeName,
            address: this.options.advertisedAddress,
            sources: this.options.sources(),
            version: TRIBUTARY_VERSION,
          },
          { deadline: Date.now() + 10_000 },
          cb,
        ),
      );
      this.options.trust.trust(
        response.coordinator_jwks,
        response.coordinator_issuer,
        response.token_audience,
      );
      this.edgeId = response.edge_id;
      this.attempt = 0;
      logger.info({ edgeId: this.edgeId, coordinator: this.options.coordinatorAddress }, 'registered');
      this.schedule(Number(response.heartbeat_interval_ms), () =>
        this.heartbeat(Number(response.heartbeat_interval_ms)),
      );
    } catch (error) {
      this.attempt++;
      const delay = Math.min(500 * 2 ** Math.min(this.attempt, 5), 10_000);
      logger.warn({ err: (error as Error).message, retryInMs: delay }, 'registration failed');
      this.schedule(delay, () => this.register());
    }
  }

  private async heartbeat(intervalMs: number): Promise<void> {
    const id = this.edgeId;
    // A registration made meanwhile (announce) runs its own heartbeats.
    const superseded = () => this.edgeId !== id;
    try {
      const response = await unary<{ known: boolean }>((cb) =>
        this.client.Heartbeat(
          {
            join_token: this.options.joinToken,
            edge_id: this.edgeId ?? '',
            active_queries: this.options.activeQueries(),
          },
          { deadline: Date.now() + Math.max(intervalMs, 2_000) },
          cb,
        ),
      );
      if (superseded()) return;
      if (!response.known) {
        this.options.logger.info('coordinator no longer knows this edge; registering again');
        this.edgeId = undefined;
        return this.register();
      }
    } catch (error) {
      this.options.logger.warn({ err: (error as Error).message }, 'heartbeat failed');
    }
    if (superseded()) return;
    this.schedule(intervalMs, () => this.heartbeat(intervalMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const edgeId = this.edgeId;
    if (edgeId) {
      await unary((cb) =>
        this.client.Deregister(
          { join_token: this.options.joinToken, edge_id: edgeId },
          { deadline: Date.now() + 2_000 },
          cb,
        ),
      ).catch(() => undefined);
    }
    this.client.close();
  }
}
