import { spawnSync } from 'node:child_process';

/** True when a Docker engine answers (not merely a docker client installed). */
export function dockerAnswers(): boolean {
  const res = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 5_000 });
  return res.status === 0 && res.stdout.trim() !== '';
}

export interface DockerComponent {
  containerId: string;
  address: string;
}

/**
 * Kafka, PostgreSQL and Redis as containers through testcontainers, on fixed loopback ports so
 * the addresses in .leadflow/infra.env stay valid after this process exits. Ryuk (which removes
 * containers when their creator exits) is off for the same reason; `infra down` removes them.
 */
export async function startDockerComponent(
  which: 'kafka' | 'postgres' | 'redis',
  port: number,
): Promise<DockerComponent> {
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  const { GenericContainer, Wait } = await import('testcontainers');
  if (which === 'postgres') {
    const c = await new GenericContainer('postgres:16-alpine')
      .withEnvironment({ POSTGRES_USER: 'leadflow', POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_DB: 'leadflow' })
      .withExposedPorts({ container: 5432, host: port })
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    return { containerId: c.getId(), address: `postgres://leadflow@127.0.0.1:${port}/leadflow` };
  }
  if (which === 'redis') {
    const c = await new GenericContainer('redis:7-alpine')
      .withExposedPorts({ container: 6379, host: port })
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .start();
    return { containerId: c.getId(), address: `redis://127.0.0.1:${port}` };
  }
  const c = await new GenericContainer('apache/kafka:4.1.1')
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withExposedPorts({ container: 9092, host: port })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  return { containerId: c.getId(), address: `127.0.0.1:${port}` };
}

export function removeContainer(id: string): void {
  spawnSync('docker', ['rm', '-f', id], { encoding: 'utf8', timeout: 30_000 });
}
