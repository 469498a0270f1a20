/**
 * Which integration/e2e test files may run side by side. A file is in one of two lanes, each a vitest project
 * (vitest.config.ts):
 *
 * - `parallel` (project `integration-parallel`, two workers): it may share the run with any other parallel file. Listed here only after reading it: all
 *   its names (namespaces, topics, streams, groups, cluster-scoped objects) are unique to the run, its
 *   servers and sinks are private (port 0 / free ports), and any controller it starts in-process is scoped
 *   to its own namespaces (test/support/scoped-reconcilers.ts).
 * - `alone` (project `integration-alone`, one file at a time, before the parallel ones): it runs with no other file of the run. For files that restart a shared server (the apiserver,
 *   Kafka, Redis, NATS), start an unscoped controller (controller/main.ts as leader, hack/demo.sh), register
 *   a cluster-wide admission webhook, or use fixed names another file uses.
 *
 * A file matching no rule is `alone`: a new test file is safe until someone checks it and lists it.
 * docs/testing.md has the rules for new files.
 */

/** Repo-relative paths (or globs) of files checked to be safe side by side. */
export const parallelFiles: readonly string[] = [
  // e2e: each file's own namespaces, node runner (own node, own loopback /16s) and scoped controller.
  'test/e2e/samples/*.test.ts',
  'test/e2e/kn/kn.test.ts',
  // Reconcilers through the harness: scoped controller, own namespaces and stand-in kubelet node.
  'test/integration/controller/reconciler/bus-trigger.test.ts',
  'test/integration/controller/reconciler/custom-kinds.test.ts',
  'test/integration/controller/reconciler/kafka-conditions.test.ts',
  'test/integration/controller/reconciler/prober.test.ts',
  'test/integration/controller/reconciler/sinkbinding.test.ts',
  'test/integration/controller/reconciler/sources.test.ts',
  // Controller runtime pieces with a reconciler of their own namespace and Lease. Not here: informer and
  // manager (they restart the apiserver), main (an unscoped controller process), rbac (applies config/rbac).
  'test/integration/controller/runtime/lazy.test.ts',
  'test/integration/controller/runtime/leader.test.ts',
  'test/integration/controller/runtime/writer.test.ts',
  // Adapters: private sinks, unique topics/streams/groups, child processes on free ports.
  // The auth files: each starts its own auth-enabled Redis/NATS/Kafka on free ports (test/support/auth).
  'test/integration/adapter/auth/kafka-auth.test.ts',
  'test/integration/adapter/auth/kafka-bus-auth.test.ts',
  'test/integration/adapter/auth/nats-auth.test.ts',
  'test/integration/adapter/auth/redis-auth.test.ts',
  'test/integration/adapter/auth/redis-bus-tls.test.ts',
  'test/integration/adapter/bus/bus.test.ts',
  'test/integration/adapter/bus/bus-path.test.ts',
  'test/integration/adapter/cron/bus.test.ts',
  'test/integration/adapter/cron/cluster.test.ts',
  'test/integration/adapter/cron/standalone.test.ts',
  'test/integration/adapter/kafka/batch-consumer.test.ts',
  'test/integration/adapter/kafka/initial-offsets.test.ts',
  'test/integration/adapter/kafka/kafka.test.ts',
  'test/integration/adapter/noloss/noloss.test.ts',
  'test/integration/adapter/redisstream/redisstream.test.ts',
  'test/integration/adapter/runtime/lifecycle.test.ts',
  'test/integration/adapter/runtime/sink-delivery.test.ts',
  'test/integration/adapter/trigger/trigger.test.ts',
  'test/integration/functions/serve-function.test.ts',
  // The node runner on its own node name, namespaces and loopback range (127.150-249).
  'test/integration/runner/image-layout.test.ts',
  'test/integration/runner/runner.test.ts',
  'test/integration/smoke/kafka.test.ts',
  'test/integration/smoke/kube.test.ts',
  'test/integration/smoke/nats.test.ts',
  'test/integration/smoke/redis.test.ts',
];
