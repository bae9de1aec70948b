import { once } from 'node:events';
import type { ServerWritableStream } from '@grpc/grpc-js';
import { toGrpcError } from '../errors/grpc-status.js';
import { TributaryError } from '../errors/tributary-error.js';

interface CancellableCall {
  on(event: 'cancelled', listener: () => void): unknown;
  cancelled: boolean;
  writableEnded?: boolean;
}

/**
 * An AbortSignal that fires when the client cancels the call or its deadline
 * passes, so cancellation reaches whatever produces the stream. grpc-js also
 * emits 'cancelled' when a finished stream closes; that one is ignored.
 */
export function callSignal(call: CancellableCall): AbortController {
  const controller = new AbortController();
  const cancel = () => controller.abort(new TributaryError('CANCELLED', 'the caller cancelled the call'));
  if (call.cancelled) cancel();
  else
    call.on('cancelled', () => {
      if (!call.writableEnded) cancel();
    });
  return controller;
}

export type StreamOutcome = 'completed' | 'cancelled' | 'failed';

/**
 * Writes every message of `source` to a server stream, waiting for 'drain'
 * whenever grpc-js buffers, so a slow client slows the producer instead of
 * growing memory. Ends the call with OK, or with the error `source` throws.
 */
export async function pipeToServerStream<TRequest, TMessage>(
  call: ServerWritableStream<TRequest, TMessage>,
  source: AsyncIterable<TMessage>,
  fail: (error: unknown) => { error: TributaryError; requestId: string },
): Promise<StreamOutcome> {
  try {
    for await (const message of source) {
      if (call.cancelled) return 'cancelled';
      if (!call.write(message)) {
        await Promise.race([once(call, 'drain'), once(call, 'cancelled'), once(call, 'close')]);
      }
    }
    if (call.cancelled) return 'cancelled';
    call.end();
    return 'completed';
  } catch (error) {
    if (call.cancelled) return 'cancelled';
    const { error: failure, requestId } = fail(error);
    call.emit('error', toGrpcError(failure, requestId));
    return 'failed';
  }
}
