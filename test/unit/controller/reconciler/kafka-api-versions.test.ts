/** The prober's ApiVersions exchange, byte by byte: what counts as a Kafka broker's answer and what does not. */
import { describe, expect, it } from 'vitest';
import { apiVersionsRequest, readApiVersionsResponse } from '../../../../controller/reconciler/eventbus/kafka-api-versions.js';

function response(correlationId: number, errorCode: number, apis: number): Buffer {
  const body = Buffer.alloc(4 + 2 + 4 + apis * 6);
  body.writeInt32BE(correlationId, 0);
  body.writeInt16BE(errorCode, 4);
  body.writeInt32BE(apis, 6);
  for (let i = 0; i < apis; i++) body.writeInt16BE(i, 10 + i * 6);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

describe('ApiVersions v0', () => {
  it('encodes the request: size, key 18, version 0, correlation id, client id', () => {
    const req = apiVersionsRequest(7, 'probe');
    expect(req.readInt32BE(0)).toBe(req.length - 4);
    expect([req.readInt16BE(4), req.readInt16BE(6), req.readInt32BE(8), req.readInt16BE(12)]).toEqual([18, 0, 7, 5]);
    expect(req.subarray(14).toString('utf8')).toBe('probe');
  });

  it.each([
    ['a full answer', response(7, 0, 3), { state: 'kafka', apis: 3 }],
    ['UNSUPPORTED_VERSION with the broker ranges (still Kafka)', response(7, 35, 2), { state: 'kafka', apis: 2 }],
    ['half an answer', response(7, 0, 3).subarray(0, 12), { state: 'incomplete' }],
    ['another correlation id', response(8, 0, 3), { state: 'not-kafka', reason: 'answered correlation id 8, not 7' }],
    ['another error code', response(7, 58, 1), { state: 'not-kafka', reason: 'answered ApiVersions with error code 58' }],
    ['a NATS INFO line', Buffer.from('INFO {"server_id":"x"}\r\n'), { state: 'not-kafka', reason: expect.stringMatching(/^answered a frame of \d+ bytes/) }],
    ['a TLS alert', Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]), { state: 'not-kafka', reason: 'answered in TLS: the listener wants TLS (set spec.kafka.net.tls.enable)' }],
  ])('%s', (_label, buf, reading) => {
    expect(readApiVersionsResponse(buf, 7)).toEqual(reading);
  });
});
