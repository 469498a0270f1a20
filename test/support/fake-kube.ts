/**
 * In-memory Lister + recording Writer + Recorder for table tests of reconcilers: objects in, the recorded
 * writes and events out. Writes also land in the store (with uid, resourceVersion and generation the way
 * the apiserver sets them), so a second reconcile of the same key sees its own effects — which is how a
 * test proves that a steady state makes zero writes.
 */
import { createLogger } from '../../lib/log.js';
import type {
  ControllerConfig,
  EventType,
  GroupVersionKind,
  KubeObject,
  Lister,
  ObjectKey,
  Recorder,
  ReconcileContext,
  Writer,
} from '../../controller/runtime/types.js';
import { AlreadyExistsError, ConflictError, type KubeApiError, NotFoundError } from '../../controller/runtime/errors.js';

export type Verb = 'create' | 'update' | 'updateStatus' | 'patch' | 'delete';

export interface Action {
  verb: Verb;
  kind: string;
  namespace?: string;
  name: string;
  /** The object written (create/update/updateStatus), the merge patch (patch), undefined for delete. */
  object?: KubeObject;
  patch?: Record<string, unknown>;
}

export interface RecordedEvent {
  kind: string;
  name: string;
  type: EventType;
  reason: string;
  message: string;
}

/** The same typed errors the real Writer throws, so reconcilers' `instanceof` checks behave alike. */
function apiError(code: 'NotFound' | 'AlreadyExists' | 'Conflict', message: string): KubeApiError {
  const context = { method: 'FAKE', path: message, status: code === 'NotFound' ? 404 : 409, reason: code };
  if (code === 'NotFound') return new NotFoundError(code, message, context);
  if (code === 'AlreadyExists') return new AlreadyExistsError(code, message, context);
  return new ConflictError(code, message, context);
}

function storeKey(gvk: Pick<GroupVersionKind, 'group' | 'kind'>, namespace: string | undefined, name: string): string {
  return `${gvk.group}/${gvk.kind}/${namespace ?? ''}/${name}`;
}

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeKube {
  private readonly objects = new Map<string, KubeObject>();
  readonly actions: Action[] = [];
  readonly events: RecordedEvent[] = [];
  private nextUid = 1;
  private nextVersion = 1;
  private readonly failures: { verb: Verb; kind: string; error: Error }[] = [];

  constructor(objects: KubeObject[] = []) {
    for (const o of objects) this.add(o);
  }

  /** Seed an object without recording an action (it was "already there"). Fills uid and resourceVersion if absent. */
  add(obj: KubeObject): KubeObject {
    const copy = structuredClone(obj);
    copy.metadata.uid ??= `uid-${this.nextUid++}`;
    copy.metadata.resourceVersion ??= String(this.nextVersion++);
    copy.metadata.generation ??= 1;
    this.objects.set(storeKey({ group: groupOf(copy.apiVersion), kind: copy.kind }, copy.metadata.namespace, copy.metadata.name as string), copy);
    return copy;
  }

  /** Remove an object without recording an action (it went away by someone else's hand). */
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    this.objects.delete(storeKey({ group: groupOf(apiVersion), kind }, namespace, name));
  }

  find(apiVersion: string, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(storeKey({ group: groupOf(apiVersion), kind }, namespace, name));
    return o === undefined ? undefined : structuredClone(o);
  }

  /** Make the next write of `verb` on `kind` fail with `error` (once). */
  failNext(verb: Verb, kind: string, error: Error): void {
    this.failures.push({ verb, kind, error });
  }

  clearRecords(): void {
    this.actions.length = 0;
    this.events.length = 0;
  }

  /** Actions as compact strings, e.g. `create Deployment ns/name`, for readable expectations. */
  summary(): string[] {
    return this.actions.map((a) => `${a.verb} ${a.kind} ${a.namespace === undefined ? '' : `${a.namespace}/`}${a.name}`);
  }

  readonly lister: Lister = {
    get: (gvk, key) => {
      const o = this.objects.get(storeKey(gvk, gvk.namespaced ? key.namespace : undefined, key.name));
      return o === undefined ? undefined : structuredClone(o);
    },
    list: (gvk, namespace, labelSelector) => {
      const out: KubeObject[] = [];
      for (const o of this.objects.values()) {
        if (o.kind !== gvk.kind || groupOf(o.apiVersion) !== gvk.group) continue;
        if (namespace !== undefined && o.metadata.namespace !== namespace) continue;
        const labels = o.metadata.labels ?? {};
        if (labelSelector !== undefined && !Object.entries(labelSelector).every(([k, v]) => labels[k] === v)) continue;
        out.push(structuredClone(o));
      }
      return out.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
    },
  };

  private failure(verb: Verb, kind: string): Error | undefined {
    const at = this.failures.findIndex((f) => f.verb === verb && f.kind === kind);
    if (at < 0) return undefined;
    const [f] = this.failures.splice(at, 1);
    return f?.error;
  }

  private record(action: Action): void {
    this.actions.push(action.object === undefined ? action : { ...action, object: structuredClone(action.object) });
  }

  readonly writer: Writer = {
    create: async (gvk, obj) => {
      const ns = gvk.namespaced ? obj.metadata.namespace : undefined;
      const name = obj.metadata.name as string;
      this.record({ verb: 'create', kind: gvk.kind, namespace: ns, name, object: obj });
      const failed = this.failure('create', gvk.kind);
      if (failed) throw failed;
      if (this.objects.has(storeKey(gvk, ns, name))) throw apiError('AlreadyExists', `${gvk.kind} ${name} already exists`);
      const stored = structuredClone(obj);
      stored.metadata.uid = `uid-${this.nextUid++}`;
      stored.metadata.resourceVersion = String(this.nextVersion++);
      stored.metadata.generation = 1;
      this.objects.set(storeKey(gvk, ns, name), stored);
      return structuredClone(stored);
    },
    update: async (gvk, obj) => {
      const ns = gvk.namespaced ? obj.metadata.namespace : undefined;
      const name = obj.metadata.name as string;
      this.record({ verb: 'update', kind: gvk.kind, namespace: ns, name, object: obj });
      const failed = this.failure('update', gvk.kind);
      if (failed) throw failed;
      const current = this.objects.get(storeKey(gvk, ns, name));
      if (current === undefined) throw apiError('NotFound', `${gvk.kind} ${name} not found`);
      if (obj.metadata.resourceVersion !== undefined && obj.metadata.resourceVersion !== current.metadata.resourceVersion) {
        throw apiError('Conflict', `${gvk.kind} ${name}: resourceVersion is stale`);
      }
      const stored = structuredClone(obj);
      stored.status = structuredClone(current.status); // update ignores status when the kind has the subresource
      stored.metadata.uid = current.metadata.uid;
      stored.metadata.resourceVersion = String(this.nextVersion++);
      const specChanged = JSON.stringify(current.spec) !== JSON.stringify(obj.spec);
      stored.metadata.generation = (current.metadata.generation ?? 1) + (specChanged ? 1 : 0);
      const finalizers = stored.metadata.finalizers ?? [];
      if (stored.metadata.deletionTimestamp !== undefined && finalizers.length === 0) {
        this.objects.delete(storeKey(gvk, ns, name));
      } else this.objects.set(storeKey(gvk, ns, name), stored);
      return structuredClone(stored);
    },
    updateStatus: async (gvk, obj) => {
      const ns = gvk.namespaced ? obj.metadata.namespace : undefined;
      const name = obj.metadata.name as string;
      this.record({ verb: 'updateStatus', kind: gvk.kind, namespace: ns, name, object: obj });
      const failed = this.failure('updateStatus', gvk.kind);
      if (failed) throw failed;
      const current = this.objects.get(storeKey(gvk, ns, name));
      if (current === undefined) throw apiError('NotFound', `${gvk.kind} ${name} not found`);
      const stored = structuredClone(current);
      stored.status = structuredClone(obj.status);
      stored.metadata.resourceVersion = String(this.nextVersion++);
      this.objects.set(storeKey(gvk, ns, name), stored);
      return structuredClone(stored);
    },
    patch: async (gvk, key, patch) => {
      const ns = gvk.namespaced ? key.namespace : undefined;
      this.record({ verb: 'patch', kind: gvk.kind, namespace: ns, name: key.name, patch });
      const failed = this.failure('patch', gvk.kind);
      if (failed) throw failed;
      const current = this.objects.get(storeKey(gvk, ns, key.name));
      if (current === undefined) throw apiError('NotFound', `${gvk.kind} ${key.name} not found`);
      const stored = mergePatch(current, patch) as KubeObject;
      stored.metadata.resourceVersion = String(this.nextVersion++);
      this.objects.set(storeKey(gvk, ns, key.name), stored);
      return structuredClone(stored);
    },
    delete: async (gvk, key: ObjectKey) => {
      const ns = gvk.namespaced ? key.namespace : undefined;
      this.record({ verb: 'delete', kind: gvk.kind, namespace: ns, name: key.name });
      const failed = this.failure('delete', gvk.kind);
      if (failed) throw failed;
      const k = storeKey(gvk, ns, key.name);
      const current = this.objects.get(k);
      if (current === undefined) throw apiError('NotFound', `${gvk.kind} ${key.name} not found`);
      // As the apiserver does: an object with finalizers only gets a deletionTimestamp.
      if ((current.metadata.finalizers ?? []).length > 0) {
        current.metadata.deletionTimestamp ??= new Date('2026-01-01T00:00:00Z');
        current.metadata.resourceVersion = String(this.nextVersion++);
      } else this.objects.delete(k);
    },
  };

  readonly recorder: Recorder = {
    event: (obj, type, reason, message) => {
      this.events.push({ kind: obj.kind, name: obj.metadata.name as string, type, reason, message });
    },
  };

  /** Write count: what a steady-state resync must keep at zero (events are writes too). */
  writes(): number {
    return this.actions.length + this.events.length;
  }

  context(config: Partial<ControllerConfig> = {}, now: Date = new Date('2026-01-01T00:00:00Z')): ReconcileContext {
    return {
      lister: this.lister,
      writer: this.writer,
      recorder: this.recorder,
      log: createLogger({ test: true }, { level: 'error', write: () => {} }),
      config: { adapterImage: 'headwater:test', systemNamespace: 'headwater-system', ...config },
      now: () => now,
    };
  }
}
