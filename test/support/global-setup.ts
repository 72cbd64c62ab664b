/**
 * Vitest global setup: finds a PostgreSQL and a MariaDB server for the suite before any test file
 * runs. Order (ENVIRONMENT.md): an explicit URL in the environment, else the local server when it
 * answers, else a container started with testcontainers when a Docker engine is reachable. Whatever
 * is found is passed to the test workers in PRISMA_VAULT_TEST_*_URL; with nothing found, those
 * databases' tests skip with a message (or fail under PRISMA_VAULT_REQUIRE_DATABASES=1).
 */
import { connect } from "node:net";

/** Where each server is looked for, and the variable that passes its URL to the tests. */
export const SERVERS = {
  postgres: {
    env: "PRISMA_VAULT_TEST_POSTGRES_URL",
    port: 5432,
    url: "postgresql://postgres@127.0.0.1:5432/test",
  },
  mariadb: { env: "PRISMA_VAULT_TEST_MARIADB_URL", port: 3306, url: "mariadb://root@127.0.0.1:3306/test" },
} as const;

export default async function setup(): Promise<() => Promise<void>> {
  const stops: (() => Promise<unknown>)[] = [];
  for (const [target, server] of Object.entries(SERVERS)) {
    if (process.env[server.env]) continue;
    if (await answers("127.0.0.1", server.port)) {
      process.env[server.env] = server.url;
      continue;
    }
    const started = await startContainer(target as keyof typeof SERVERS);
    if (!started) continue;
    process.env[server.env] = started.url;
    stops.push(started.stop);
  }
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}

async function startContainer(
  target: keyof typeof SERVERS,
): Promise<{ url: string; stop: () => Promise<unknown> } | undefined> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import("testcontainers");
  try {
    await getContainerRuntimeClient();
  } catch {
    console.warn(`no ${target} server on 127.0.0.1 and no Docker engine for testcontainers`);
    return undefined;
  }
  console.warn(`starting ${target} with testcontainers`);
  if (target === "postgres") {
    const container = await new GenericContainer("postgres:15-alpine")
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: "trust", POSTGRES_DB: "test" })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    return {
      url: `postgresql://postgres@${container.getHost()}:${container.getMappedPort(5432)}/test`,
      stop: () => container.stop(),
    };
  }
  const container = await new GenericContainer("mariadb:10.11")
    .withEnvironment({
      MARIADB_ALLOW_EMPTY_ROOT_PASSWORD: "1",
      MARIADB_DATABASE: "test",
      MARIADB_ROOT_HOST: "%",
    })
    .withExposedPorts(3306)
    .withWaitStrategy(Wait.forLogMessage(/ready for connections/, 2))
    .start();
  return {
    url: `mariadb://root@${container.getHost()}:${container.getMappedPort(3306)}/test`,
    stop: () => container.stop(),
  };
}
