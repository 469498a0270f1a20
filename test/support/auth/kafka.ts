/**
 * A private single-node Kafka (KRaft, the jars hack/env.sh fetched) whose client listeners require
 * authentication:
 *  - SASL_PLAINTEXT with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for one user (SCRAM credentials written into the
 *    metadata when the storage is formatted, `--add-scram`);
 *  - SSL with a server certificate the test PKI signed (PEM key and trust stores), no client certificate asked;
 *  - SSL that requires a client certificate the same CA signed (mutual TLS);
 *  - and a PLAINTEXT listener for the test's own producer and admin (also the inter-broker listener).
 * Heap kept small; config, data and logs live in a temp dir removed by stop().
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../lib/net/free-port.js';
import { testEnv } from '../env.js';
import type { TestPki } from './pki.js';
import { makeServerDir, spawnServer } from './server-process.js';

const execFileAsync = promisify(execFile);

export interface KafkaUser {
  name: string;
  password: string;
}

export interface AuthKafka {
  /** SASL_PLAINTEXT: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512. */
  readonly saslBroker: string;
  /** SSL, server authentication only. */
  readonly tlsBroker: string;
  /** SSL with a required client certificate. */
  readonly mtlsBroker: string;
  /** PLAINTEXT, for the test's own producer and admin only. */
  readonly plainBroker: string;
  stop(): Promise<void>;
}

function kafkaHome(): string {
  const versions = readFileSync(join(testEnv.repoRoot, 'hack/lib/versions.sh'), 'utf8');
  const version = /KAFKA_VERSION="\$\{KAFKA_VERSION:-([^}]+)\}"/.exec(versions)?.[1];
  if (!version) throw new Error('KAFKA_VERSION not found in hack/lib/versions.sh');
  const home = join(process.env.HEADWATER_CACHE || join(homedir(), '.cache/headwater'), `kafka-${version}`);
  if (!existsSync(join(home, '.complete'))) throw new Error(`Kafka ${version} jars are not in ${home}: run \`bash hack/env.sh up\` once`);
  return home;
}

/** Kafka's cluster ids are 16 random bytes in base64url; one starting with '-' would read as a CLI flag. */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function javaArgs(home: string, dir: string): string[] {
  return [
    '-Xms128m',
    '-Xmx512m',
    '-XX:+UseG1GC',
    // C1 only: the broker lives for seconds, and it shares two cores with everything else.
    '-XX:TieredStopAtLevel=1',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(testEnv.repoRoot, 'hack/kafka/log4j2.xml')}`,
    `-Dkafka.logs.dir=${dir}`,
    '-cp',
    join(home, 'libs/*'),
  ];
}

export async function startAuthKafka(user: KafkaUser, pki: TestPki): Promise<AuthKafka> {
  const home = kafkaHome();
  const dir = makeServerDir('kafka-auth');
  const [plain, sasl, tls, mtls, controller] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  // PEM key store: the private key and its certificate chain in one file; PEM trust store: the CA certificates.
  writeFileSync(join(dir, 'keystore.pem'), `${pki.server.key}${pki.server.cert}`);
  writeFileSync(join(dir, 'truststore.pem'), pki.caCert);
  // JAAS values are quoted Java strings: the test's user and password are [A-Za-z0-9-] only.
  if (!/^[\w-]+$/.test(user.name) || !/^[\w-]+$/.test(user.password)) throw new Error('use [A-Za-z0-9_-] for the test Kafka user');
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  const props = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${plain},SASL_PLAINTEXT://127.0.0.1:${sasl},SSL://127.0.0.1:${tls},MTLS://127.0.0.1:${mtls},CONTROLLER://127.0.0.1:${controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${plain},SASL_PLAINTEXT://127.0.0.1:${sasl},SSL://127.0.0.1:${tls},MTLS://127.0.0.1:${mtls}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,MTLS:SSL,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${user.name}="${user.password}";`,
    `listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=${scram}`,
    `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${scram}`,
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${join(dir, 'keystore.pem')}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${join(dir, 'truststore.pem')}`,
    'ssl.client.auth=none',
    'listener.name.mtls.ssl.client.auth=required',
    `log.dirs=${join(dir, 'data')}`,
    // One broker: every internal topic has one replica.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'num.partitions=1',
    'auto.create.topics.enable=true',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=2',
    'num.recovery.threads.per.data.dir=1',
  ];
  const propsFile = join(dir, 'server.properties');
  writeFileSync(propsFile, `${props.join('\n')}\n`);
  const java = javaArgs(home, dir);
  const credential = `[name=${user.name},password=${user.password}]`;
  try {
    await execFileAsync('java', [
      ...java,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId(),
      '-c',
      propsFile,
      '--add-scram',
      `SCRAM-SHA-256=${credential}`,
      '--add-scram',
      `SCRAM-SHA-512=${credential}`,
    ], { cwd: dir, timeout: 60_000 });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`formatting the private Kafka's storage failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const server = spawnServer('kafka', dir, 'java', [...java, 'kafka.Kafka', propsFile]);
  try {
    await server.waitForOutput(/Kafka Server started/, 90_000);
  } catch (err) {
    await server.stop(0);
    throw err;
  }
  return {
    saslBroker: `127.0.0.1:${sasl}`,
    tlsBroker: `127.0.0.1:${tls}`,
    mtlsBroker: `127.0.0.1:${mtls}`,
    plainBroker: `127.0.0.1:${plain}`,
    // The data is thrown away: no controlled shutdown needed.
    stop: () => server.stop(2_000),
  };
}

