#!/usr/bin/env node
/**
 * `headwater-adapter <role> [flags]`: one binary, role chosen by the first argument, configured through the
 * environment contract (docs/architecture.md). Wiring only; the lifecycle lives in runtime/lifecycle.ts.
 */
import { ConfigError } from '../lib/errors.js';
import { isRole, runAdapter, UnknownRoleError } from './runtime/lifecycle.js';

async function main(): Promise<number> {
  const [role, ...argv] = process.argv.slice(2);
  if (!isRole(role)) throw new UnknownRoleError(role);
  const adapter = await runAdapter(role, argv, process.env);
  return adapter.finished;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Start-up errors (bad env, unknown role) print one JSON line naming the variable, then exit non-zero.
    const fields =
      err instanceof ConfigError || err instanceof UnknownRoleError
        ? { code: err.code, ...err.context }
        : { error: err instanceof Error ? err.stack : String(err) };
    process.stderr.write(`${JSON.stringify({ ts: new Date().toISOString(), level: 'error', msg: err instanceof Error ? err.message : String(err), component: 'adapter', ...fields })}\n`);
    process.exit(1);
  },
);
