import { ConsoleApp } from './app.js';
import { loadConfig } from './config.js';
import { h, mount } from './dom.js';

async function main(): Promise<void> {
  const root = document.getElementById('app') as HTMLElement;
  try {
    const config = await loadConfig();
    if (!config.grpcWebUrl) {
      mount(
        root,
        h(
          'div',
          { class: 'error', role: 'alert', 'data-testid': 'error' },
          'This coordinator has no gRPC-Web endpoint: add a grpc_web section to its configuration.',
        ),
      );
      return;
    }
    new ConsoleApp(root, config.grpcWebUrl).start();
  } catch (error) {
    mount(root, h('div', { class: 'error', role: 'alert' }, String((error as Error).message ?? error)));
  }
}

void main();
