import { describe, expect, it } from 'vitest';
import { InternTable } from '../../../../adapter/cron/intern.js';

describe('InternTable', () => {
  it('gives every caller with the same text the first value made for it', () => {
    const table = new InternTable<{ text: string }>(8);
    let made = 0;
    const make = (text: string) => {
      made++;
      return { text };
    };
    const a = table.get('{"sink":"http://a"}', make);
    const b = table.get(JSON.stringify({ sink: 'http://a' }), make);
    expect(b).toBe(a);
    expect(table.get('{"sink":"http://b"}', make)).not.toBe(a);
    expect(made).toBe(2);
  });

  it('forgets the oldest entry past its bound (a later caller then gets a fresh, equal value)', () => {
    const table = new InternTable<string[]>(2);
    const first = table.get('a', (t) => [t]);
    table.get('b', (t) => [t]);
    table.get('c', (t) => [t]);
    const again = table.get('a', (t) => [t]);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
