/**
 * The one table that says which images the runner can run and which file of the checkout each runs.
 * The Dockerfile's entrypoints run the same files (test/unit/runner/dockerfile.test.ts holds the two
 * together), so a Pod behaves the same under the runner as in a real cluster.
 */
import type { V1Container } from '@kubernetes/client-node';

/** What a role (first argument of a role-dispatching image) runs. */
export interface RoleEntry {
  /** Entry file relative to the checkout root (the image's WORKDIR). */
  file: string;
  /** Whether the role itself is handed on as the first argument (the adapter's `main.js <role>`). */
  passRole: boolean;
}

/** An image whose entrypoint dispatches on its first argument (`headwater controller`, `headwater cron …`). */
export interface RoleImage {
  kind: 'roles';
  /** Pattern with `*` wildcards, matched against the whole image reference. */
  image: string;
  /** The image's default CMD, used when the container has no args. */
  defaultArgs: string[];
  /** The executable that dispatches on roles inside the image (its ENTRYPOINT). */
  dispatcher: string;
  roles: Record<string, RoleEntry>;
}

/** An image that runs one program with the container's args (`node file …args`). */
export interface ProgramImage {
  kind: 'program';
  image: string;
  file: string;
}

export type ImageEntry = RoleImage | ProgramImage;

export const adapterRoles = ['cron', 'kafka', 'redisstream', 'trigger'] as const;

/** The images of the product. Tests may add entries of their own (see `RunnerConfig.images`). */
export function defaultImageTable(headwaterImage = process.env.HEADWATER_IMAGE ?? 'headwater/headwater:*'): ImageEntry[] {
  const roles: Record<string, RoleEntry> = { controller: { file: 'dist/controller/main.js', passRole: false } };
  for (const role of adapterRoles) roles[role] = { file: 'dist/adapter/main.js', passRole: true };
  return [
    { kind: 'roles', image: headwaterImage, defaultArgs: ['controller'], dispatcher: 'headwater', roles },
    { kind: 'program', image: 'headwater/event-display:*', file: 'dist/samples/functions/event-display.js' },
  ];
}

/** A process to start: a file of the checkout and its arguments. */
export interface Launch {
  file: string;
  args: string[];
}

export type LaunchDecision = { ok: true; launch: Launch } | { ok: false; reason: 'ImageNotRunnable' | 'CommandNotRunnable'; message: string };

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

export function findImage(table: readonly ImageEntry[], image: string): ImageEntry | undefined {
  return table.find((e) => globToRegExp(e.image).test(image));
}

const nodeExecutables = new Set(['node', '/usr/local/bin/node', '/usr/bin/node']);

function filesOf(entry: ImageEntry): Set<string> {
  return entry.kind === 'program' ? new Set([entry.file]) : new Set(Object.values(entry.roles).map((r) => r.file));
}

function fromRoleArgs(entry: RoleImage, argv: string[]): LaunchDecision {
  const [role, ...rest] = argv;
  const found = role === undefined ? undefined : entry.roles[role];
  if (role !== undefined && found) return { ok: true, launch: { file: found.file, args: found.passRole ? [role, ...rest] : rest } };
  // The dispatcher hands anything else to node, so `args: [dist/x.js, …]` works as well.
  if (role !== undefined && filesOf(entry).has(role)) return { ok: true, launch: { file: role, args: rest } };
  return {
    ok: false,
    reason: 'CommandNotRunnable',
    message: `first argument ${JSON.stringify(role ?? '')} is no role of ${entry.image} (roles: ${Object.keys(entry.roles).join(', ')})`,
  };
}

/**
 * Container semantics as a real runtime applies them: `command` replaces the image's ENTRYPOINT, `args`
 * replaces its CMD. Pure.
 */
export function decideLaunch(table: readonly ImageEntry[], container: Pick<V1Container, 'image' | 'command' | 'args'>): LaunchDecision {
  const image = container.image ?? '';
  const entry = findImage(table, image);
  if (!entry) {
    return {
      ok: false,
      reason: 'ImageNotRunnable',
      message: `image ${JSON.stringify(image)} cannot run here: the local node runner has no container runtime and runs only Headwater's own images (${table.map((e) => e.image).join(', ')}) as Node.js processes`,
    };
  }
  const command = container.command;
  const args = container.args;
  if (command && command.length > 0) {
    const [exe, ...restCommand] = command;
    const argv = [...restCommand, ...(args ?? [])];
    if (exe !== undefined && nodeExecutables.has(exe)) {
      const [file, ...rest] = argv;
      if (file !== undefined && filesOf(entry).has(file)) return { ok: true, launch: { file, args: rest } };
    }
    if (entry.kind === 'roles' && (exe === entry.dispatcher || exe === `/usr/local/bin/${entry.dispatcher}`)) return fromRoleArgs(entry, argv);
    return {
      ok: false,
      reason: 'CommandNotRunnable',
      message: `command ${JSON.stringify(command)} of image ${image} is not one the runner knows: use the image's entrypoint or \`node <entry file>\` (${[...filesOf(entry)].join(', ')})`,
    };
  }
  if (entry.kind === 'program') return { ok: true, launch: { file: entry.file, args: args ?? [] } };
  return fromRoleArgs(entry, args && args.length > 0 ? args : entry.defaultArgs);
}
