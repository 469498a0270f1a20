/**
 * The smallest Kafka exchange that proves a broker is there: ApiVersions (key 18, v0). Brokers answer it before
 * any SASL authentication (clients use it to pick the handshake version), so it works on SASL listeners without
 * the credentials, which the controller never reads. Pure encoding and decoding; the socket is in prober.ts.
 */

const API_VERSIONS = 18;
/** The broker answers an ApiVersions version it does not support with this code and its own ranges: still Kafka. */
const UNSUPPORTED_VERSION = 35;
/** A real answer lists a few dozen APIs; anything claiming more than this is not a Kafka broker talking. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export function apiVersionsRequest(correlationId: number, clientId: string): Buffer {
  const client = Buffer.from(clientId, 'utf8');
  // header v1: api_key INT16, api_version INT16, correlation_id INT32, client_id STRING; the v0 body is empty
  const body = Buffer.alloc(2 + 2 + 4 + 2 + client.length);
  body.writeInt16BE(API_VERSIONS, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(correlationId, 4);
  body.writeInt16BE(client.length, 8);
  client.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

export type ApiVersionsReading =
  | { state: 'incomplete' }
  | { state: 'kafka'; apis: number }
  | { state: 'not-kafka'; reason: string };

/** Reads what the server sent so far as an ApiVersions v0 response to `correlationId`. */
export function readApiVersionsResponse(buf: Buffer, correlationId: number): ApiVersionsReading {
  if (buf.length < 4) return { state: 'incomplete' };
  // A TLS record header (alert 0x15 or handshake 0x16, then version 3.x): a TLS listener answering plaintext.
  if ((buf[0] === 0x15 || buf[0] === 0x16) && buf[1] === 0x03) {
    return { state: 'not-kafka', reason: 'answered in TLS: the listener wants TLS (set spec.kafka.net.tls.enable)' };
  }
  const size = buf.readInt32BE(0);
  // correlation_id INT32, error_code INT16, api_keys ARRAY(INT32 count, then 6 bytes each)
  if (size < 10 || size > MAX_RESPONSE_BYTES) return { state: 'not-kafka', reason: `answered a frame of ${size} bytes, not a Kafka response` };
  if (buf.length < 4 + size) return { state: 'incomplete' };
  const correlation = buf.readInt32BE(4);
  if (correlation !== correlationId) return { state: 'not-kafka', reason: `answered correlation id ${correlation}, not ${correlationId}` };
  const errorCode = buf.readInt16BE(8);
  if (errorCode !== 0 && errorCode !== UNSUPPORTED_VERSION) return { state: 'not-kafka', reason: `answered ApiVersions with error code ${errorCode}` };
  const apis = buf.readInt32BE(10);
  if (apis < 1 || 14 + apis * 6 > 4 + size) return { state: 'not-kafka', reason: `answered ${apis} API ranges in ${size} bytes` };
  return { state: 'kafka', apis };
}
