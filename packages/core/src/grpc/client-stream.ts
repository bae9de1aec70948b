import type { ClientReadableStream } from '@grpc/grpc-js';
import { fromGrpcError } from '../errors/grpc-status.js';

/**
 * Iterates a grpc-js client stream, turning its errors into TributaryErrors.
 * Node's readable backpressure applies: grpc-js stops reading from the
 * connection while the consumer is behind. Leaving the loop early cancels
 * the call, so the server stops producing.
 */
export async function* readClientStream<T>(call: ClientReadableStream<T>): AsyncGenerator<T> {
  let finished = false;
  try {
    for await (const message of call) yield message as T;
    finished = true;
  } catch (error) {
    finished = true;
    throw fromGrpcError(error);
  } finally {
    if (!finished) call.cancel();
  }
}
