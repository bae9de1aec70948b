import { once } from 'node:events';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { toGrpcError } from '../errors/grpc-status.js';
import type { TributaryError } from '../errors/tributary-error.js';

/**
 * An AbortSignal that fires when the client cancels the call or its deadline
 * passes, so cancellation reaches whatever produces the stream.
 */
export function callSignal(call: {
  on(event: 'cancelled', listener: () => void): unknown;
  cancelled: boolean;
}) {
  const controller = new AbortController();
  if (call.cancelled) controller.abort();
  else call.on('cancelled', () => controller.abort());
  return controller;
}

/**
 * Writes every message of `source` to a server stream, waiting for 'drain'
 * whenever grpc-js buffers, so a slow client slows the producer instead of
 * growing memory. Ends the call with OK, or with the error `source` throws.
 */
export async function pipeToServerStream<TRequest, TMessage>(
  call: ServerWritableStream<TRequest, TMessage>,
  source: AsyncIterable<TMessage>,
  fail: (error: unknown) => { error: TributaryError; requestId: string },
): Promise<void> {
  try {
    for await (const message of source) {
      if (call.cancelled) return;
      if (!call.write(message)) {
        await Promise.race([once(call, 'drain'), once(call, 'cancelled'), once(call, 'close')]);
      }
    }
    if (!call.cancelled) call.end();
  } catch (error) {
    if (call.cancelled) return;
    const { error: failure, requestId } = fail(error);
    call.emit('error', toGrpcError(failure, requestId));
  }
}
