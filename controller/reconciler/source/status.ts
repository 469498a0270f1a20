/** A source's next status from what the reconcile found. Pure: same inputs, same status. */
import type { CloudEventAttributes, Condition, SourceStatus } from '../../../api/index.js';
import { ConditionTypes, sourceConditionSet } from '../../../api/index.js';
import type { Availability } from '../shared/deployment.js';
import { compact } from '../shared/status.js';
import type { SourceOutput } from './output.js';

/**
 * An informational condition that holds exactly when the adapter's readiness probe passes, because the adapter
 * reports ready only once the fact is true (e.g. KafkaSource: connected, initial offsets committed). The
 * controller observes it through the Deployment's availability: it does not talk to the backend itself.
 */
export interface AdapterReadinessCondition {
  type: string;
  /** What a ready adapter guarantees, in words (the True message). */
  fact: string;
}

export interface SourceObservation {
  generation: number;
  output: SourceOutput;
  availability: Availability;
  ceAttributes: CloudEventAttributes[];
  /** A failure to create/update the Deployment, which then overrides `availability`. */
  deployError?: { reason: string; message: string };
  /** Kind-specific informational conditions observed through adapter readiness; they never gate `Ready`. */
  readinessConditions?: readonly AdapterReadinessCondition[];
}

export function nextSourceStatus(prev: SourceStatus | undefined, obs: SourceObservation, clock: () => Date): SourceStatus {
  const path = obs.output.path;
  const set = sourceConditionSet(path, clock);
  // the condition of the path not taken would otherwise linger and confuse `kubectl describe`
  const other = path === 'sink' ? ConditionTypes.EventBusReady : ConditionTypes.SinkProvided;
  let conditions: Condition[] = set.initialize((prev?.conditions ?? []).filter((c) => c.type !== other));

  const out = obs.output;
  let sinkUri: string | undefined;
  let sinkCACerts: string | undefined;
  let sinkAudience: string | undefined;
  if (!out.ok) {
    conditions =
      out.status === 'False'
        ? set.markFalse(conditions, out.condition, out.reason, out.message)
        : set.markUnknown(conditions, out.condition, out.reason, out.message);
  } else if (out.path === 'sink') {
    conditions = set.markTrue(conditions, ConditionTypes.SinkProvided);
    sinkUri = out.sink.uri;
    sinkCACerts = out.sink.caCerts;
    sinkAudience = out.sink.audience;
  } else {
    conditions = set.markTrue(conditions, ConditionTypes.EventBusReady);
  }

  if (obs.deployError !== undefined) {
    conditions = set.markFalse(conditions, ConditionTypes.Deployed, obs.deployError.reason, obs.deployError.message);
  } else {
    const a = obs.availability;
    if (a.status === 'True') conditions = set.markTrue(conditions, ConditionTypes.Deployed);
    else if (a.status === 'False') conditions = set.markFalse(conditions, ConditionTypes.Deployed, a.reason ?? 'DeploymentUnavailable', a.message ?? '');
    else conditions = set.markUnknown(conditions, ConditionTypes.Deployed, a.reason ?? 'DeploymentUnavailable', a.message ?? '');
  }

  // Not dependents of the set, so they carry severity Info and Ready aggregates exactly as before. They change
  // only with Deployed, so they ride in the same status write and a steady resync still writes nothing.
  const adapterReady = set.get(conditions, ConditionTypes.Deployed)?.status === 'True';
  for (const rc of obs.readinessConditions ?? []) {
    conditions = adapterReady
      ? set.markTrue(conditions, rc.type, 'AdapterReady', `${rc.fact} (observed through the adapter Deployment's availability: its readiness probe passes only then)`)
      : set.markUnknown(conditions, rc.type, 'AdapterNotReady', `not observed yet: the adapter Deployment is not available; an adapter replica turns ready only once ${rc.fact}`);
  }

  return compact({
    ...(prev ?? {}),
    observedGeneration: obs.generation,
    conditions,
    sinkUri,
    sinkCACerts,
    sinkAudience,
    ceAttributes: obs.ceAttributes,
  });
}
