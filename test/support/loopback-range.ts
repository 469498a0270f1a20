/**
 * The first octet of a pair of loopback /16s (127.X.0.0 for pods, 127.X+1.0.0 for Services) for an e2e
 * test's node runner. The demo takes 127.60-61 and test/integration/runner 127.150-249; e2e files take
 * 127.64-143. Files of one vitest run may run side by side in two workers (test/support/lanes.ts): each
 * worker (VITEST_POOL_ID 1 or 2) draws from its own half of the range, so they never collide; the random
 * part keeps a run clear of processes an earlier, killed run may have orphaned.
 */
export function loopbackOctet(random: () => number = Math.random): number {
  const pool = Number(process.env.VITEST_POOL_ID ?? '1');
  const lane = Number.isInteger(pool) && pool > 0 ? (pool - 1) % 2 : 0;
  // 20 pairs of pairs: 64 + 4k (worker 1) or 66 + 4k (worker 2), k in 0..19 → 64..142.
  return 64 + 4 * Math.floor(random() * 20) + 2 * lane;
}
