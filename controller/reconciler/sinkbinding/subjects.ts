/** Which workloads a SinkBinding binds, and which it bound before but no longer should. Pure over the Lister. */
import type { SinkBindingSubject } from '../../../api/index.js';
import { boundBy } from '../../binding/apply.js';
import { getPodTemplate } from '../../binding/podspecable.js';
import { matchesSelector } from '../../binding/selector.js';
import { gvkOfReference, splitApiVersion } from '../../sink/kinds.js';
import type { GroupVersionKind, KubeObject, Lister } from '../../runtime/types.js';
import { BINDABLE_WORKLOADS } from '../shared/kinds.js';

export function subjectGvk(subject: SinkBindingSubject): GroupVersionKind {
  const { group, version } = splitApiVersion(subject.apiVersion);
  const known = BINDABLE_WORKLOADS.find((g) => g.group === group && g.kind === subject.kind);
  return known === undefined ? gvkOfReference(subject.apiVersion, subject.kind) : { ...known, version };
}

export function bindingOwnerName(binding: KubeObject): string {
  return `SinkBinding ${binding.metadata.namespace}/${binding.metadata.name}`;
}

/** Does `subject` (with the binding's namespace as default) select `obj`? */
export function subjectSelects(subject: SinkBindingSubject, bindingNamespace: string, obj: KubeObject): boolean {
  if (obj.kind !== subject.kind || splitApiVersion(obj.apiVersion).group !== splitApiVersion(subject.apiVersion).group) return false;
  if ((subject.namespace ?? bindingNamespace) !== obj.metadata.namespace) return false;
  if (subject.name !== undefined) return obj.metadata.name === subject.name;
  return subject.selector !== undefined && matchesSelector(obj.metadata.labels, subject.selector);
}

export function selectedSubjects(lister: Lister, subject: SinkBindingSubject, bindingNamespace: string): KubeObject[] {
  const gvk = subjectGvk(subject);
  const ns = subject.namespace ?? bindingNamespace;
  if (subject.name !== undefined) {
    const one = lister.get(gvk, { namespace: ns, name: subject.name });
    return one === undefined || one.metadata.deletionTimestamp !== undefined ? [] : [one];
  }
  return lister.list(gvk, ns).filter((o) => o.metadata.deletionTimestamp === undefined && subjectSelects(subject, bindingNamespace, o));
}

/**
 * Objects in the binding's namespace that carry its marker: of the subject's kind and of every built-in
 * workload kind, so a binding whose subject moved to another kind still releases what it bound before.
 */
export function boundSubjects(lister: Lister, subject: SinkBindingSubject, bindingNamespace: string, owner: string): KubeObject[] {
  const current = subjectGvk(subject);
  const kinds = [current, ...BINDABLE_WORKLOADS.filter((g) => g.group !== current.group || g.kind !== current.kind)];
  return kinds.flatMap((gvk) => lister.list(gvk, bindingNamespace)).filter((o) => boundBy(getPodTemplate(o)) === owner);
}
