import { describe, expect, it } from "vitest";
import { progressView } from "../../src/cli/progress.js";
import type { MigrationProgress } from "../../src/migrate/report.js";

/** A stderr stand-in that keeps what is written; `isTTY` decides between bars and lines. */
function terminal(isTTY: boolean) {
  const out = {
    text: "",
    isTTY,
    columns: 120,
    write(chunk: string | Uint8Array, callback?: unknown) {
      out.text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
      if (typeof callback === "function") (callback as () => void)();
      return true;
    },
  };
  return { out, stream: out as unknown as NodeJS.WriteStream };
}

// eslint-disable-next-line no-control-regex -- the bar's cursor and erase sequences
const plain = (text: string) => text.replace(/\x1B\[[0-9;?]*[A-Za-z]|\x1B[78]/g, "");

function progress(model: string, scanned: number, updated: number, total = 10): MigrationProgress {
  return { mode: "index", model, total, scanned, updated, skipped: 0, conflicts: 0, failed: 0 };
}

/** The bar's text once `scanned` of `total` rows took one second. */
function barAfterOneSecond(total: number, scanned: number): string {
  const { out, stream } = terminal(true);
  const time = clock();
  const view = progressView(stream, { now: time.now });
  view.update(progress("Account", 0, 0, total));
  time.advance(1000);
  view.update(progress("Account", scanned, scanned, total));
  view.done();
  return plain(out.text);
}

/** A clock the test moves by hand, in ms. */
function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("progressView, when stderr is not a terminal", () => {
  it("writes a line at most every interval while a model runs, with rows done of total and rows/s", () => {
    const { out, stream } = terminal(false);
    const time = clock();
    const view = progressView(stream, { now: time.now, intervalMs: 2000 });
    view.update(progress("Account", 0, 0, 5000));
    time.advance(1000);
    view.update(progress("Account", 500, 500, 5000));
    expect(out.text).toBe("");
    time.advance(1000);
    view.update(progress("Account", 1000, 900, 5000));
    expect(out.text).toBe("Account: 1000/5000 rows scanned, 900 updated, 500 rows/s\n");
    time.advance(1999);
    view.update(progress("Account", 1500, 1400, 5000));
    expect(out.text.split("\n")).toHaveLength(2);
    time.advance(1);
    view.update({ ...progress("Account", 2000, 1800, 5000), conflicts: 2, failed: 1 });
    expect(out.text.split("\n")[1]).toBe(
      "Account: 2000/5000 rows scanned, 1800 updated, 2 conflicts, 1 value failed, 500 rows/s",
    );
    time.advance(500);
    view.done();
    expect(out.text.split("\n")[2]).toBe(
      "Account: 2000 rows scanned, 1800 updated, 2 conflicts, 1 value failed in 4.5 s",
    );
  });

  it("a periodic line shows the scanned count when it outgrows the first total", () => {
    const { out, stream } = terminal(false);
    const time = clock();
    const view = progressView(stream, { now: time.now });
    view.update(progress("Account", 0, 0, 10));
    time.advance(2000);
    view.update(progress("Account", 12, 12, 10));
    expect(out.text).toBe("Account: 12/12 rows scanned, 12 updated, 6 rows/s\n");
  });

  it("writes nothing while a model runs, then one line when it is done", () => {
    const { out, stream } = terminal(false);
    const view = progressView(stream);
    view.update(progress("Account", 0, 0));
    view.update(progress("Account", 4, 3));
    expect(out.text).toBe("");
    view.done();
    expect(out.text).toMatch(/^Account: 4 rows scanned, 3 updated in \d+\.\d s\n$/);
  });

  it("the next model's first progress ends the previous model's line", () => {
    const { out, stream } = terminal(false);
    const view = progressView(stream);
    view.update(progress("Account", 2, 2));
    view.update(progress("User", 0, 0));
    expect(out.text).toMatch(/^Account: 2 rows scanned, 2 updated in \d+\.\d s\n$/);
    view.update(progress("User", 5, 1));
    view.done();
    expect(out.text.split("\n")[1]).toMatch(/^User: 5 rows scanned, 1 updated in /);
  });

  it("done() before any progress, or twice, writes nothing more", () => {
    const { out, stream } = terminal(false);
    const view = progressView(stream);
    view.done();
    expect(out.text).toBe("");
    view.update(progress("Account", 1, 1));
    view.done();
    view.done();
    expect(out.text.match(/\n/g)).toHaveLength(1);
  });

  it("update and done are plain functions: they work detached, as onProgress is called", () => {
    const { out, stream } = terminal(false);
    const { update, done } = progressView(stream);
    update(progress("Account", 1, 0));
    done();
    expect(out.text).toMatch(/^Account: 1 rows scanned, 0 updated/);
  });
});

describe("progressView, on a terminal", () => {
  it("draws a bar with the model, rows done of the total, and no summary line", () => {
    const { out, stream } = terminal(true);
    const view = progressView(stream);
    view.update(progress("Account", 0, 0, 10));
    expect(plain(out.text)).toMatch(/Account \[[^\]]*\] 0\/10 rows/);
    view.update(progress("Account", 6, 6, 10));
    view.done();
    expect(plain(out.text)).toMatch(/Account \[[^\]]*\] 6\/10 rows/);
    expect(out.text).not.toContain("rows scanned");
  });

  it("the ETA reads – until there is a rate to estimate from, then the time left at it; never cli-progress's LLs", () => {
    const { out, stream } = terminal(true);
    const time = clock();
    const view = progressView(stream, { now: time.now });
    view.update(progress("Account", 0, 0, 1000));
    expect(plain(out.text)).toMatch(/Account \[[^\]]*\] 0\/1000 rows \| 0 rows\/s \| ETA –/);
    time.advance(2000);
    view.update(progress("Account", 100, 100, 1000)); // 50 rows/s, 900 rows left
    view.done();
    expect(plain(out.text)).toMatch(/100\/1000 rows \| 50 rows\/s \| ETA 18s/);
    expect(out.text).not.toMatch(/LL|NULL|INF|NF/);
  });

  it("the ETA counts minutes and hours past a minute, and reads 0s when every row is done", () => {
    expect(barAfterOneSecond(400_000, 100)).toContain("ETA 1h 06m"); // 100 rows/s
    expect(barAfterOneSecond(10_000, 100)).toContain("ETA 1m 39s");
    expect(barAfterOneSecond(10, 10)).toContain("10/10 rows | 10 rows/s | ETA 0s");
  });

  it("rows written during the run raise the total instead of overflowing the bar", () => {
    const { out, stream } = terminal(true);
    const view = progressView(stream);
    view.update(progress("Account", 0, 0, 10));
    view.update(progress("Account", 12, 12, 10));
    view.done();
    expect(plain(out.text)).toMatch(/12\/12 rows/);
  });

  it("a new model ends the previous bar and starts its own", () => {
    const { out, stream } = terminal(true);
    const view = progressView(stream);
    view.update(progress("Account", 3, 3, 3));
    view.update(progress("User", 0, 0, 7));
    view.done();
    const text = plain(out.text);
    expect(text.indexOf("3/3 rows")).toBeLessThan(text.lastIndexOf("User ["));
    expect(text).toMatch(/User \[[^\]]*\] 0\/7 rows/);
  });
});
