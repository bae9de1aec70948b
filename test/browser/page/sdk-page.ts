// A minimal page that uses only the browser SDK (`@tributary/client/web`):
// it runs the query named in the URL fragment over gRPC-Web, renders the rows
// as they stream, and shows the error code when the query is refused.
import { GrpcWebClient, JsonRowEncoder, TributaryError } from '@tributary/client/web';

const params = new URLSearchParams(location.hash.slice(1));
const status = document.getElementById('status') as HTMLElement;
const table = document.getElementById('rows') as HTMLTableElement;

async function run(): Promise<void> {
  const client = new GrpcWebClient({
    url: params.get('url') ?? '',
    apiKey: params.get('key') ?? undefined,
  });
  const result = client.query(params.get('sql') ?? '');
  try {
    const { schema, batches } = await result.batches();
    const encoder = new JsonRowEncoder(schema);
    const head = table.createTHead().insertRow();
    for (const field of schema.fields) head.insertCell().textContent = field.name;
    const body = table.createTBody();
    let rows = 0;
    for await (const batch of batches) {
      for (const row of encoder.rows(batch)) {
        const tr = body.insertRow();
        for (const field of schema.fields) tr.insertCell().textContent = JSON.stringify(row[field.name]);
      }
      rows += batch.numRows;
      status.textContent = `streaming ${rows}`;
    }
    status.dataset.rows = String(rows);
    status.dataset.queryId = result.metadata?.query_id ?? '';
    status.textContent = 'done';
  } catch (error) {
    status.dataset.code = error instanceof TributaryError ? error.code : 'NOT_A_TRIBUTARY_ERROR';
    status.dataset.requestId = error instanceof TributaryError ? String(error.details?.request_id ?? '') : '';
    status.dataset.message = String((error as Error).message);
    status.textContent = 'failed';
  }
}

void run();
