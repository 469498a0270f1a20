/**
 * Shapes of the Redis Streams replies we use (RESP2, read as Buffers so entry values keep their exact bytes),
 * checked at runtime: a reply we do not understand is an error, never a silently skipped entry.
 */
import { HeadwaterError } from '../../lib/errors.js';

export interface StreamEntry {
  id: string;
  /** Field/value pairs in entry order, as raw bytes; duplicate field names are possible in Redis. */
  fields: [name: Buffer, value: Buffer][];
}

export class RedisReplyError extends HeadwaterError {
  constructor(command: string, problem: string) {
    super('RedisReplyError', `unexpected ${command} reply: ${problem}`, { command });
  }
}

function asString(v: unknown, command: string): string {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'string') return v;
  throw new RedisReplyError(command, `expected a bulk string, got ${typeof v}`);
}

function asBuffer(v: unknown, command: string): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  throw new RedisReplyError(command, `expected a bulk string, got ${typeof v}`);
}

/** One `[id, [f, v, f, v…] | nil]` item. `fields: null` = the entry was deleted (XDEL/XTRIM) while pending. */
export function parseEntry(item: unknown, command: string): { id: string; fields: StreamEntry['fields'] | null } {
  if (!Array.isArray(item) || item.length !== 2) throw new RedisReplyError(command, 'entry is not [id, fields]');
  const id = asString(item[0], command);
  const raw = item[1];
  if (raw === null) return { id, fields: null };
  if (!Array.isArray(raw) || raw.length % 2 !== 0) throw new RedisReplyError(command, `entry ${id} fields are not pairs`);
  const fields: StreamEntry['fields'] = [];
  for (let i = 0; i < raw.length; i += 2) fields.push([asBuffer(raw[i], command), asBuffer(raw[i + 1], command)]);
  return { id, fields };
}

/** XREADGROUP … STREAMS one-stream id → its entries (nil reply = none). */
export function parseReadGroupReply(reply: unknown): { id: string; fields: StreamEntry['fields'] | null }[] {
  if (reply === null) return [];
  if (!Array.isArray(reply)) throw new RedisReplyError('XREADGROUP', 'not an array');
  const out: { id: string; fields: StreamEntry['fields'] | null }[] = [];
  for (const streamReply of reply) {
    if (!Array.isArray(streamReply) || streamReply.length !== 2 || !Array.isArray(streamReply[1])) {
      throw new RedisReplyError('XREADGROUP', 'stream item is not [name, entries]');
    }
    for (const item of streamReply[1]) out.push(parseEntry(item, 'XREADGROUP'));
  }
  return out;
}

/** XAUTOCLAIM (Redis ≥ 7): `[next-cursor, entries, deleted-ids]`. */
export function parseAutoClaimReply(reply: unknown): { cursor: string; entries: { id: string; fields: StreamEntry['fields'] | null }[]; deleted: string[] } {
  if (!Array.isArray(reply) || reply.length < 2 || !Array.isArray(reply[1])) {
    throw new RedisReplyError('XAUTOCLAIM', 'not [cursor, entries, deleted]');
  }
  const cursor = asString(reply[0], 'XAUTOCLAIM');
  const entries = reply[1].map((item: unknown) => parseEntry(item, 'XAUTOCLAIM'));
  const deleted = Array.isArray(reply[2]) ? reply[2].map((d: unknown) => asString(d, 'XAUTOCLAIM')) : [];
  return { cursor, entries, deleted };
}
