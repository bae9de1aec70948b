/**
 * Text from a range of bytes, as UTF-8 or base64. Node's Buffer decodes
 * small ranges several times faster than TextDecoder, so it is used where it
 * exists; browsers get TextDecoder and btoa.
 */
export type ByteText = (start: number, end: number) => string;

interface NodeBufferLike {
  toString(encoding: 'utf8' | 'base64', start: number, end: number): string;
}
type NodeBufferClass = { from(buffer: ArrayBufferLike, offset: number, length: number): NodeBufferLike };

const NodeBuffer = (globalThis as { Buffer?: NodeBufferClass }).Buffer;

function base64(bytes: Uint8Array): string {
  let binary = '';
  // Chunked: String.fromCharCode takes its bytes as arguments, and argument counts are limited.
  for (let at = 0; at < bytes.length; at += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  }
  return btoa(binary);
}

export function byteText(bytes: Uint8Array | undefined, encoding: 'utf8' | 'base64'): ByteText {
  const data = bytes ?? new Uint8Array(0);
  if (NodeBuffer) {
    const buffer = NodeBuffer.from(data.buffer, data.byteOffset, data.byteLength);
    return (start, end) => buffer.toString(encoding, start, end);
  }
  if (encoding === 'base64') return (start, end) => base64(data.subarray(start, end));
  const decoder = new TextDecoder();
  return (start, end) => decoder.decode(data.subarray(start, end));
}
