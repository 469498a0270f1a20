/** What the controller's informers watch, given WATCH_NAMESPACES (parsed in lib/kube/watch-namespaces.ts). Pure. */

/**
 * The namespaces the informers of namespaced kinds list and watch: undefined = all (one cluster-wide watch per
 * kind), else the configured ones plus the system namespace, which holds an object the controller itself manages
 * and must see in its cache (the shared cron adapter Deployment of every CronSource).
 */
export function informerNamespaces(watchNamespaces: readonly string[] | undefined, systemNamespace: string): string[] | undefined {
  if (watchNamespaces === undefined || watchNamespaces.length === 0) return undefined;
  return [...new Set([...watchNamespaces, systemNamespace])].sort();
}
