import { describe, expect, it } from "vitest";
import { Limiter } from "../../src/keys/limiter.js";

/** A task that runs until the test ends it; `log` records its start. */
function gate(log: string[], name: string) {
  let end!: () => void;
  const done = new Promise<void>((resolve) => (end = resolve));
  return { task: () => (log.push(name), done), end };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("Limiter", () => {
  it("runs at most `limit` tasks at once and queues the rest", async () => {
    const limiter = new Limiter(3);
    const log: string[] = [];
    const gates = Array.from({ length: 6 }, (_, i) => gate(log, `t${i}`));
    const runs = gates.map((g, i) => limiter.run(`owner${i}`, g.task));
    await turn();
    expect(log).toEqual(["t0", "t1", "t2"]);
    gates[1]!.end();
    await turn();
    expect(log).toEqual(["t0", "t1", "t2", "t3"]);
    gates.forEach((g) => g.end());
    await Promise.all(runs);
    expect(log).toHaveLength(6);
  });

  it("one owner holds at most half the slots (rounded up), so another owner's task starts while it hangs", async () => {
    const limiter = new Limiter(8);
    const log: string[] = [];
    const hung = Array.from({ length: 8 }, (_, i) => gate(log, `a${i}`));
    const hanging = hung.map((g) => limiter.run("tenant a", g.task));
    await turn();
    expect(log).toEqual(["a0", "a1", "a2", "a3"]);
    const other = gate(log, "b0");
    const running = limiter.run("tenant b", other.task);
    await turn();
    expect(log.at(-1)).toBe("b0");
    other.end();
    await running;
    hung.forEach((g) => g.end());
    await Promise.all(hanging);
    expect(log.filter((name) => name.startsWith("a"))).toHaveLength(8);
  });

  it("a limit of 1 still serves everyone: half of one slot rounds up to one", async () => {
    const limiter = new Limiter(1);
    expect(await limiter.run("a", () => Promise.resolve("done"))).toBe("done");
  });

  it("waiting owners take turns: an owner with many queued tasks does not go ahead of the others", async () => {
    const limiter = new Limiter(1);
    const log: string[] = [];
    const gates = ["a1", "a2", "a3", "b1", "c1"].map((name) => ({ name, ...gate(log, name) }));
    const runs = gates.map((g) => limiter.run(g.name[0]!, g.task));
    for (let i = 0; i < gates.length; i++) {
      await turn();
      // Whatever started last is the only task running: end it, and the next one starts.
      gates.find((x) => x.name === log.at(-1))!.end();
    }
    await Promise.all(runs);
    expect(log).toEqual(["a1", "a2", "b1", "c1", "a3"]);
  });

  it("a task that throws frees its slot", async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run("a", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await limiter.run("a", () => Promise.resolve(1))).toBe(1);
  });
});
