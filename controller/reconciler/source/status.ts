/** A source's next status from what the reconcile found. Pure: same inputs, same status. */
import type { CloudEventAttributes, Condition, SourceStatus } from '../../../api/index.js';
import { ConditionTypes, sourceConditionSet } from '../../../api/index.js';
import type { Availability } from '../shared/deployment.js';
import { compact } from '../shared/status.js';
import type { SourceOutput } from './output.js';

export interface SourceObservation {
  generation: number;
  output: SourceOutput;
  availability: Availability;
  ceAttributes: CloudEventAttributes[];
  /** A failure to create/update the Deployment, which then overrides `availability`. */
  deployError?: { reason: string; message: string };
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
