// Headless Chromium for the browser tests: Debian's `chromium`, driven by
// playwright-core over CDP, with a fresh profile per launch.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.TRIBUTARY_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or undefined when they can. Under
 * CI a missing browser is a failure (`.ci/run` installs it), never a skip.
 */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium, or set TRIBUTARY_CHROMIUM)`;
  if (process.env.CI) throw new Error(`browser tests cannot run: ${reason}`);
  return reason;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors and Content-Security-Policy violations the pages reported. */
  problems: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tributary-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  });
  const problems: string[] = [];
  context.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`));
  // Page-side code is passed as text: this file is compiled without the DOM's types.
  await context.addInitScript(`document.addEventListener('securitypolicyviolation', (event) => {
    console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI + ' ' + event.sample + ' at ' + event.sourceFile + ':' + event.lineNumber + ':' + event.columnNumber);
  });`);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The text of each cell of each row an element list (e.g. `tbody tr`) matches. */
export function cellTexts(rows: Locator): Promise<string[][]> {
  type Row = { children: ArrayLike<{ textContent: string | null }> };
  return rows.evaluateAll((elements: unknown[]) =>
    (elements as Row[]).map((row) => Array.from(row.children, (cell) => cell.textContent ?? '')),
  );
}

/** A static page server on an ephemeral loopback port: its origin differs from gRPC-Web's, so CORS is real. */
export async function servePages(
  files: Record<string, { body: string | Uint8Array; type: string }>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const file = files[(request.url ?? '/').split('?')[0] ?? '/'];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
