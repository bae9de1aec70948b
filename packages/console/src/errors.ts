import { TributaryError } from '@tributary/client/web';
import { h } from './dom.js';

/** An error as the console shows it: code, message and the request id to quote to an operator. */
export function errorView(error: unknown): HTMLElement {
  const known = error instanceof TributaryError;
  const code = known ? error.code : 'INTERNAL';
  const message = known ? error.message : String((error as Error)?.message ?? error);
  const requestId = known ? String(error.details?.request_id ?? '') : '';
  return h(
    'div',
    { class: 'error', role: 'alert', 'data-testid': 'error' },
    h('strong', { 'data-testid': 'error-code' }, code),
    ' ',
    h('span', { 'data-testid': 'error-message' }, message),
    requestId &&
      h(
        'div',
        { class: 'muted' },
        'request id ',
        h('code', { 'data-testid': 'error-request-id' }, requestId),
      ),
  );
}
