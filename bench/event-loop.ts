/**
 * What a migration does to the process it runs in (issue 22): the event loop's delay while it runs,
 * from `perf_hooks.monitorEventLoopDelay` sampling every millisecond, and the round trips of HTTP
 * requests a client sends to a server in the same process (keep-alive, the next 20 ms after an answer:
 * light traffic, which takes little from the migration), as an application's own server beside the
 * migration would see them. A turn the migration holds the thread delays both.
 */
import { Agent, createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { percentile } from "./measure.js";

/** Milliseconds. */
export interface LoopFigures {
  readonly loopP50: number;
  readonly loopP99: number;
  readonly loopMax: number;
  /** HTTP requests answered while the work ran, and their round trips' 99th percentile. */
  readonly requests: number;
  readonly requestP99: number;
}

/** Milliseconds between an answer and the client's next request. */
const PAUSE_MS = 20;

/** Runs `work` beside an HTTP server in this process that a client keeps asking; returns both. */
export async function besideHttpServer<T>(
  work: () => Promise<T>,
): Promise<{ result: T; figures: LoopFigures }> {
  const server = createServer((_request, response) => response.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const trips: number[] = [];
  let running = true;
  const client = (async () => {
    while (running) {
      const started = performance.now();
      await ask(port, agent);
      if (running) trips.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  })();
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  try {
    const result = await work();
    histogram.disable();
    const ms = (ns: number) => ns / 1e6;
    const figures: LoopFigures = {
      loopP50: ms(histogram.percentile(50)),
      loopP99: ms(histogram.percentile(99)),
      loopMax: ms(histogram.max),
      requests: trips.length,
      requestP99: trips.length > 0 ? percentile(trips, 99) : Number.NaN,
    };
    return { result, figures };
  } finally {
    histogram.disable();
    running = false;
    await client;
    agent.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

function ask(port: number, agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path: "/", agent }, (response) => {
      response.resume();
      response.on("end", resolve);
    }).on("error", reject);
  });
}
