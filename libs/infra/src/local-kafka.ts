import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, stateDir } from './paths.js';
import { findProgram, run, spawnDetached, waitFor } from './process-util.js';
import { ensurePrograms } from './system-packages.js';

export interface LocalKafka {
  pid: number;
  brokers: string;
}

/** Resolves the broker's jars from Maven Central (deploy/kafka/pom.xml) unless they are there already. */
function ensureJars(): string {
  const lib = stateDir('kafka', 'lib');
  const pom = join(repoRoot(), 'deploy', 'kafka', 'pom.xml');
  const stamp = join(lib, '.pom-mtime');
  const pomTime = String(statSync(pom).mtimeMs);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === pomTime && readdirSync(lib).some((f) => f.startsWith('kafka_2.13'))) {
    return lib;
  }
  const mvn = findProgram('mvn')!;
  run(mvn, ['-B', '-q', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`]);
  writeFileSync(stamp, pomTime);
  return lib;
}

/** Apache Kafka in KRaft mode (one node, broker and controller) from its Maven Central jars. */
export async function startLocalKafka(opts: { port: number; controllerPort: number }, log: (line: string) => void): Promise<LocalKafka> {
  ensurePrograms(
    [
      { program: 'java', debianPackage: 'openjdk-17-jre-headless', why: 'Kafka runs on Java 17' },
      { program: 'mvn', debianPackage: 'maven', why: "fetches Kafka's jars from Maven Central" },
    ],
    log,
  );
  const java = findProgram('java')!;
  const lib = ensureJars();
  const dir = stateDir('kafka');
  const dataDir = join(dir, 'data');
  const config = join(dir, 'server.properties');
  const logFile = stateDir('logs', 'kafka.log');
  writeFileSync(
    config,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${opts.controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${opts.port},CONTROLLER://127.0.0.1:${opts.controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${opts.port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${dataDir}`,
      'num.partitions=3',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=3',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
      'log.retention.hours=24',
      '',
    ].join('\n'),
  );
  const classpath = `${lib}/*`;
  const jvm = ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(repoRoot(), 'deploy', 'kafka', 'log4j2.properties')}`];
  if (!existsSync(join(dataDir, 'meta.properties'))) {
    mkdirSync(dataDir, { recursive: true });
    const clusterId = randomBytes(16).toString('base64url');
    // As one argument: a base64url id may start with '-', which the tool would read as an option.
    run(java, [...jvm, '-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', config]);
  }
  const pid = spawnDetached(java, [...jvm, '-cp', classpath, 'kafka.Kafka', config], { logFile });
  const startedAt = existsSync(logFile) ? readFileSync(logFile, 'utf8').length : 0;
  await waitFor(
    'Kafka',
    () => readFileSync(logFile, 'utf8').slice(startedAt).includes('Kafka Server started'),
    { timeoutMs: 90_000, logFile, pid },
  );
  return { pid, brokers: `127.0.0.1:${opts.port}` };
}
