export { GRPC_CHANNEL_OPTIONS, GRPC_SERVER_OPTIONS, MAX_MESSAGE_BYTES } from './channel-options.js';
export { readClientStream } from './client-stream.js';
export { bindServer, shutdownServer, splitHostPort } from './listen.js';
export { keepingWireBytes, relayingService, wireBytesOf } from './passthrough.js';
export { callSignal, pipeToServerStream, type StreamOutcome } from './server-stream.js';
