import { credentials, Metadata } from '@grpc/grpc-js';
import {
  type EdgeQueryRequest__Input,
  type EdgeServiceClient,
  ERROR_CODE_KEY,
  fromGrpcError,
  GRPC_CHANNEL_OPTIONS,
  keepingWireBytes,
  type PingResponse,
  type QueryResultChunk,
  readClientStream,
  type Source,
  TRACEPARENT_KEY,
  TributaryError,
  tributaryV1,
} from '@tributary/core';
import type { EdgeTokenSigner } from './edge-tokens.js';

export interface EdgeCallOptions {
  requestId: string;
  signal?: AbortSignal;
  /** Absolute deadline (epoch ms). */
  deadline: number;
  /** W3C traceparent of the caller's trace, so the edge logs under the same trace id. */
  traceparent?: string;
}

const QUERY_METHOD = tributaryV1().EdgeService.service.Query;
/** Results keep their wire bytes, so the gRPC transport can forward them as they came. */
const RELAYED_QUERY_DESERIALIZE = keepingWireBytes(
  QUERY_METHOD.responseDeserialize as (b: Buffer) => QueryResultChunk,
);

/** One edge as the coordinator calls it: every call signed, every failure a TributaryError. */
export class EdgeClient {
  private readonly client: EdgeServiceClient;
  private readonly inFlight = new Set<{ cancel(): void }>();
  /** Set when the registry dropped this edge: calls still running then fail as UNAVAILABLE. */
  private gone: string | undefined;
  /** Retired: running calls finish, then the channel closes. */
  private retiring = false;

  constructor(
    readonly name: string,
    readonly address: string,
    private readonly signer: EdgeTokenSigner,
    /** How long the edge may take to accept a query (answer with headers). */
    private readonly acceptTimeoutMs = 3_000,
  ) {
    this.client = new (tributaryV1().EdgeService)(
      address,
      credentials.createInsecure(),
      GRPC_CHANNEL_OPTIONS,
    ) as unknown as EdgeServiceClient;
  }

  /** False once the registry dropped this edge. */
  get reachable(): boolean {
    return this.gone === undefined;
  }

  private async metadata(options: EdgeCallOptions): Promise<Metadata> {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${await this.signer.tokenFor(this.name)}`);
    metadata.set('x-request-id', options.requestId);
    if (options.traceparent) metadata.set(TRACEPARENT_KEY, options.traceparent);
    return metadata;
  }

  /** Streams a query's result chunks. Aborting the signal cancels the call, which interrupts DuckDB at the edge. */
  async *query(request: EdgeQueryRequest__Input, options: EdgeCallOptions): AsyncGenerator<QueryResultChunk> {
    // A cancel that came before the call exists would never fire the listener below.
    if (options.signal?.aborted) throw new TributaryError('CANCELLED', 'the query was cancelled');
    if (this.gone) throw this.describe(new TributaryError('UNAVAILABLE', this.gone));
    const metadata = await this.metadata(options);
    // The signal may have fired while the token was being signed.
    if (options.signal?.aborted) throw new TributaryError('CANCELLED', 'the query was cancelled');
    const call = this.client.makeServerStreamRequest(
      QUERY_METHOD.path,
      QUERY_METHOD.requestSerialize,
      RELAYED_QUERY_DESERIALIZE,
      request,
      metadata,
      { deadline: options.deadline },
    );
    const cancel = () => call.cancel();
    options.signal?.addEventListener('abort', cancel, { once: true });
    this.inFlight.add(call);
    // An edge that is up answers with headers at once, before it runs
    // anything; one that does not (hung, overloaded, unreachable) is
    // given up on after acceptTimeoutMs instead of holding the query.
    let accepted = false;
    let timedOut = false;
    call.once('metadata', () => {
      accepted = true;
    });
    const timer = setTimeout(() => {
      if (!accepted) {
        timedOut = true;
        call.cancel();
      }
    }, this.acceptTimeoutMs);
    try {
      yield* readClientStream(call);
    } catch (error) {
      if (timedOut) {
        throw new TributaryError(
          'UNAVAILABLE',
          `edge ${this.name} did not accept the query within ${this.acceptTimeoutMs} ms`,
          { edge: this.name, reason: 'accept timeout' },
        );
      }
      throw this.describe(error);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(call);
      options.signal?.removeEventListener('abort', cancel);
      if (this.retiring && this.inFlight.size === 0) this.client.close();
    }
  }

  /**
   * The edge's sources; with `refresh` the edge rediscovers them first (only
   * `table`, `schema.table` or `table`, of the one source named, when given).
   */
  async getSchema(
    sources: string[],
    refresh: boolean,
    options: EdgeCallOptions & { table?: string },
  ): Promise<Source[]> {
    const metadata = await this.metadata(options);
    return new Promise((resolve, reject) => {
      this.client.GetSchema(
        { sources, refresh, table: options.table ?? '' },
        metadata,
        { deadline: options.deadline },
        (error, response) =>
          error
            ? reject(this.describe(fromGrpcError(error)))
            : resolve((response?.sources ?? []) as Source[]),
      );
    });
  }

  async ping(options: EdgeCallOptions): Promise<PingResponse> {
    const metadata = await this.metadata(options);
    return new Promise((resolve, reject) => {
      this.client.Ping({}, metadata, { deadline: options.deadline }, (error, response) =>
        error ? reject(this.describe(fromGrpcError(error))) : resolve(response as PingResponse),
      );
    });
  }

  /** Failures to reach the edge say which edge; errors the edge reports pass through unchanged. */
  private describe(error: unknown): TributaryError {
    const failure = fromGrpcError(error);
    // A retired edge's running calls fail for their own reasons, not because it left.
    if (this.gone && !this.retiring) {
      return new TributaryError('UNAVAILABLE', `edge ${this.name} went away: ${this.gone}`, {
        edge: this.name,
      });
    }
    if (failure.code === 'UNAVAILABLE') {
      return new TributaryError('UNAVAILABLE', `edge ${this.name} is unreachable: ${failure.message}`, {
        edge: this.name,
      });
    }
    if (failure.code === 'DEADLINE_EXCEEDED') {
      return new TributaryError('DEADLINE_EXCEEDED', `edge ${this.name} did not answer in time`, {
        edge: this.name,
      });
    }
    // What the edge itself reports carries its code; anything else (a reset
    // stream, a dropped connection) means the edge failed, not the query.
    if (failure.code !== 'CANCELLED' && !declaredByEdge(error)) {
      return new TributaryError('UNAVAILABLE', `edge ${this.name} failed: ${failure.message}`, {
        edge: this.name,
      });
    }
    return failure;
  }

  /** Closes the channel; calls still running fail as UNAVAILABLE with the reason. */
  close(reason = 'the edge was removed'): void {
    this.gone = reason;
    for (const call of this.inFlight) call.cancel();
    this.client.close();
  }

  /**
   * Refuses new calls but lets running ones finish (an edge shutting down
   * gracefully drains them); the channel closes after the last one.
   */
  retire(reason: string): void {
    this.gone = reason;
    this.retiring = true;
    if (this.inFlight.size === 0) this.client.close();
  }
}

/** Whether a call's failure came with the edge's own error code (a refusal), rather than from the transport. */
function declaredByEdge(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 3; depth++) {
    const metadata = (current as { metadata?: Metadata }).metadata;
    if (metadata instanceof Metadata && metadata.get(ERROR_CODE_KEY).length > 0) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
