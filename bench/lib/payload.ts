/** The 1 KiB CloudEvent every delivery benchmark sends, so all figures move the same bytes. */
export const payloadBytes = 1024;

/** A JSON object whose UTF-8 encoding is exactly `size` bytes: {"pad":"xxx…"}. */
export function jsonPayload(size = payloadBytes): Buffer {
  const overhead = Buffer.byteLength('{"pad":""}');
  return Buffer.from(JSON.stringify({ pad: 'x'.repeat(Math.max(0, size - overhead)) }), 'utf8');
}
