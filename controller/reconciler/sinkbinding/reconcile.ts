/**
 * SinkBinding: inject K_SINK/K_CE_OVERRIDES/K_CA_CERTS into every subject's pod template, keep them in sync
 * with the sink, and take out exactly what was put in when a subject stops matching or the binding goes
 * (a finalizer holds the binding until its env is removed everywhere).
 */
import type { SinkBindingSpec, SourceStatus } from '../../../api/index.js';
import { ConditionTypes, SinkBindingKind, sinkBindingConditionSet } from '../../../api/index.js';
import { HeadwaterError } from '../../../lib/errors.js';
import { applyBinding, boundBy, undoBinding } from '../../binding/apply.js';
import { BindingConflictError } from '../../binding/errors.js';
import { getPodTemplate, withPodTemplate } from '../../binding/podspecable.js';
import { InvalidError, NotFoundError } from '../../runtime/errors.js';
import { SinkResolutionError } from '../../sink/errors.js';
import type { ResolvedSink } from '../../sink/resolve.js';
import { listerSinkLookup, resolveDestination } from '../../sink/resolve.js';
import type { KubeObject, ObjectKey, ReconcileContext, Reconciler } from '../../runtime/types.js';
import { BINDABLE_WORKLOADS, ServiceGVK } from '../shared/kinds.js';
import { stableJson } from '../shared/json.js';
import { jsonEqual } from '../shared/semantic.js';
import { compact, writeStatusIfChanged } from '../shared/status.js';
import { primariesReferring } from '../source/watches.js';
import { bindingOwnerName, boundSubjects, selectedSubjects, subjectGvk, subjectSelects } from './subjects.js';

export const SINKBINDING_FINALIZER = 'sinkbindings.sources.headwater.dev';
const gvk = SinkBindingKind.gvk;

function specOf(b: KubeObject): SinkBindingSpec {
  return b.spec as SinkBindingSpec;
}

function describe(obj: KubeObject): string {
  return `${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}`;
}

/** Write `next` over `obj` when its pod template changed. */
async function writeTemplate(ctx: ReconcileContext, obj: KubeObject, next: KubeObject): Promise<void> {
  if (jsonEqual(getPodTemplate(obj), getPodTemplate(next))) return;
  await ctx.writer.update(subjectGvkOf(obj), next);
}

function subjectGvkOf(obj: KubeObject) {
  return subjectGvk({ apiVersion: obj.apiVersion, kind: obj.kind });
}

interface Failure {
  reason: string;
  message: string;
  retry: boolean;
}

function failureOf(obj: KubeObject, err: unknown): Failure {
  if (err instanceof BindingConflictError) return { reason: 'SubjectAlreadyBound', message: `${describe(obj)}: ${err.message}`, retry: false };
  if (err instanceof InvalidError && obj.kind === 'Job') {
    return {
      reason: 'SubjectImmutable',
      message: `${describe(obj)}: the apiserver refuses changes to an existing Job's pod template; bind a CronJob (its next Jobs get the env) or set K_SINK in the Job from status.sinkUri`,
      retry: false,
    };
  }
  if (err instanceof InvalidError) return { reason: 'SubjectUpdateFailed', message: `${describe(obj)}: ${err.message}`, retry: false };
  // Conflicts and transport errors: the informer will bring a fresher copy; try again.
  return { reason: 'SubjectUpdateFailed', message: `${describe(obj)}: ${err instanceof Error ? err.message : String(err)}`, retry: true };
}

/** Remove this binding's env from every subject that still carries it. */
async function unbindAll(ctx: ReconcileContext, binding: KubeObject, keep: Set<string>): Promise<Failure[]> {
  const failures: Failure[] = [];
  const owner = bindingOwnerName(binding);
  for (const obj of boundSubjects(ctx.lister, specOf(binding).subject, binding.metadata.namespace as string, owner)) {
    if (keep.has(`${obj.kind}/${obj.metadata.namespace}/${obj.metadata.name}`)) continue;
    try {
      await writeTemplate(ctx, obj, withPodTemplate(obj, undoBinding(getPodTemplate(obj) ?? {})));
      ctx.recorder.event(binding, 'Normal', 'Unbound', `removed the sink env from ${describe(obj)}`);
    } catch (err) {
      if (err instanceof NotFoundError) continue; // the subject went meanwhile: nothing left to remove
      failures.push(failureOf(obj, err));
    }
  }
  return failures;
}

async function finalize(ctx: ReconcileContext, binding: KubeObject): Promise<void> {
  const failures = await unbindAll(ctx, binding, new Set());
  if (failures.length > 0) {
    throw new HeadwaterError('UnbindFailed', `cannot remove the sink env yet: ${failures.map((f) => f.message).join('; ')}`, {
      binding: describe(binding),
    });
  }
  const finalizers = binding.metadata.finalizers ?? [];
  if (!finalizers.includes(SINKBINDING_FINALIZER)) return;
  await ctx.writer.update(gvk, {
    ...binding,
    metadata: { ...binding.metadata, finalizers: finalizers.filter((f) => f !== SINKBINDING_FINALIZER) },
  });
}

function keyOf(obj: KubeObject): ObjectKey {
  return { namespace: obj.metadata.namespace as string, name: obj.metadata.name as string };
}

export function sinkBindingReconciler(): Reconciler {
  const workloadWatches = BINDABLE_WORKLOADS.map((w) => ({
    gvk: w,
    mapToPrimaries: (obj: KubeObject, lister: Parameters<NonNullable<Reconciler['watches']>[number]['mapToPrimaries']>[1]) =>
      lister
        .list(gvk)
        .filter(
          (b) =>
            subjectSelects(specOf(b).subject, b.metadata.namespace as string, obj) ||
            boundBy(getPodTemplate(obj)) === bindingOwnerName(b),
        )
        .map(keyOf),
  }));
  const refused = new Map<string, { signature: string; failure: Failure }>();
  return {
    gvk,
    watches: [
      ...workloadWatches,
      { gvk: ServiceGVK, mapToPrimaries: primariesReferring(gvk, (b) => [specOf(b).sink]) },
    ],
    async reconcile(key, ctx) {
      let binding = ctx.lister.get(gvk, key);
      if (binding === undefined) return undefined;
      if (binding.metadata.deletionTimestamp !== undefined) {
        await finalize(ctx, binding);
        return undefined;
      }
      if (!(binding.metadata.finalizers ?? []).includes(SINKBINDING_FINALIZER)) {
        binding = await ctx.writer.update(gvk, {
          ...binding,
          metadata: { ...binding.metadata, finalizers: [...(binding.metadata.finalizers ?? []), SINKBINDING_FINALIZER] },
        });
      }

      const ns = binding.metadata.namespace as string;
      const spec = specOf(binding);
      const set = sinkBindingConditionSet(ctx.now);
      const prev = (binding.status ?? {}) as SourceStatus;
      let conditions = set.initialize(prev.conditions);
      let sink: ResolvedSink | undefined;
      try {
        sink = resolveDestination(spec.sink, { namespace: ns, field: 'spec.sink' }, listerSinkLookup(ctx.lister));
        conditions = set.markTrue(conditions, ConditionTypes.SinkProvided);
      } catch (err) {
        if (!(err instanceof SinkResolutionError)) throw err;
        conditions = set.markFalse(conditions, ConditionTypes.SinkProvided, err.reason, err.message);
      }

      const failures: Failure[] = [];
      // The webhook rejects this too; the reconciler must not be the way into another namespace's workloads
      // when the webhook is absent.
      const foreignNamespace = spec.subject.namespace !== undefined && spec.subject.namespace !== ns;
      if (foreignNamespace) {
        conditions = set.markFalse(
          conditions,
          ConditionTypes.BindingAvailable,
          'SubjectNamespaceInvalid',
          `spec.subject.namespace: "${spec.subject.namespace}" differs from the binding's namespace "${ns}"; a SinkBinding binds workloads in its own namespace only — remove the field or create the binding in ${spec.subject.namespace}`,
        );
      }
      if (sink !== undefined && !foreignNamespace) {
        const owner = bindingOwnerName(binding);
        const subjects = selectedSubjects(ctx.lister, spec.subject, ns);
        for (const obj of subjects) {
          const template = getPodTemplate(obj);
          if (template === undefined) {
            failures.push({ reason: 'SubjectNotPodSpecable', message: `${describe(obj)} has no pod template at spec.template; bind a PodSpecable kind`, retry: false });
            continue;
          }
          try {
            const bound = applyBinding(
              template,
              {
                sinkUri: sink.uri,
                ...(spec.ceOverrides === undefined ? {} : { ceOverrides: spec.ceOverrides }),
                ...(sink.caCerts === undefined ? {} : { caCerts: sink.caCerts }),
              },
              owner,
            );
            if (!jsonEqual(template, bound)) {
              // A change the apiserver refused (an existing Job's template) is not sent again until the
              // subject or the wanted template changes: a steady resync must not keep writing.
              const signature = `${obj.metadata.resourceVersion}|${stableJson(bound)}`;
              const known = refused.get(obj.metadata.uid as string);
              if (known !== undefined && known.signature === signature) {
                failures.push(known.failure);
                continue;
              }
              try {
                await writeTemplate(ctx, obj, withPodTemplate(obj, bound));
              } catch (err) {
                if (err instanceof InvalidError) refused.set(obj.metadata.uid as string, { signature, failure: failureOf(obj, err) });
                throw err;
              }
              refused.delete(obj.metadata.uid as string);
              ctx.recorder.event(binding, 'Normal', 'Bound', `bound ${describe(obj)} to ${sink.uri}`);
            }
          } catch (err) {
            failures.push(failureOf(obj, err));
          }
        }
        failures.push(...(await unbindAll(ctx, binding, new Set(subjects.map((s) => `${s.kind}/${s.metadata.namespace}/${s.metadata.name}`)))));
        if (failures.length > 0) {
          const first = failures[0] as Failure;
          conditions = set.markFalse(conditions, ConditionTypes.BindingAvailable, first.reason, failures.map((f) => f.message).join('; '));
        } else if (spec.subject.name !== undefined && subjects.length === 0) {
          conditions = set.markFalse(
            conditions,
            ConditionTypes.BindingAvailable,
            'SubjectMissing',
            `${spec.subject.kind} ${spec.subject.namespace ?? ns}/${spec.subject.name} does not exist; create it or fix spec.subject`,
          );
        } else {
          conditions = set.markTrue(conditions, ConditionTypes.BindingAvailable);
        }
      }

      const status = compact({
        ...prev,
        observedGeneration: binding.metadata.generation ?? 0,
        conditions,
        sinkUri: sink?.uri,
        sinkCACerts: sink?.caCerts,
        sinkAudience: sink?.audience,
      });
      const before = prev.conditions?.find((c) => c.type === 'Ready');
      const after = conditions.find((c) => c.type === 'Ready');
      if ((await writeStatusIfChanged(ctx, gvk, binding, status)) && after?.status === 'False' && after.reason !== before?.reason) {
        ctx.recorder.event(binding, 'Warning', after.reason ?? 'NotReady', after.message ?? '');
      }
      const retry = failures.find((f) => f.retry);
      if (retry !== undefined) throw new HeadwaterError('BindFailed', retry.message, { binding: describe(binding) });
      return undefined;
    },
  };
}
