import * as http from "node:http";

/** One request of the load and how it ended. */
export interface RequestRecord {
  readonly kind: "read" | "write";
  /** Milliseconds from the load's start to the request's start and to its end (the whole answer read). */
  readonly startMs: number;
  readonly endMs: number;
  /** The HTTP status; 0 when no answer came (a refused connection, a reset, the client's timeout). */
  readonly status: number;
  /** Whether the answer carried a Retry-After header. */
  readonly retryAfter: boolean;
  /** Whether the body holds text of a PHP error or a database driver (a stack trace, a file name, a SQLSTATE). */
  readonly errorText: boolean;
  /** The name a write gave its item: acknowledged when the status is 303. */
  readonly itemName?: string;
}

/** What a write needs: a session cookie and the form token issued for it. */
export interface FormSession {
  readonly cookie: string;
  readonly token: string;
}

export interface LoadOptions {
  readonly url: string;
  readonly ratePerSecond: number;
  readonly durationSeconds: number;
  /** Requests in flight at most; an arrival while that many are open is not sent, and counted. */
  readonly concurrency: number;
  /** The share of requests that add an item (POST /items), from 0 to 1; the rest read the list. */
  readonly writeShare: number;
  readonly sessions: readonly FormSession[];
  /** Prefix of the names of the items the writes add; each write adds a name of its own. */
  readonly itemPrefix: string;
  /** Milliseconds a request may take before the client gives up (status 0). */
  readonly timeoutMs: number;
}

export interface LoadOutcome {
  readonly records: RequestRecord[];
  /** Arrivals not sent because `concurrency` requests were open. */
  readonly notSent: number;
}

/** Words a page shows only when PHP or the driver speaks instead of the app. */
const ERROR_TEXT = /Fatal error|Warning:|Notice:|Stack trace|Uncaught|SQLSTATE|PDOException|\.php\b/;

/**
 * An open-loop load: arrivals at a fixed rate for a fixed time, whatever
 * the answers, so a slow or failing app does not slow the load down; at
 * most `concurrency` requests open at once. Bounded in count and time, and
 * only to `url` (loopback). Reads are GET /; writes add an item with a name
 * of their own, so the database can be asked afterwards which acknowledged
 * writes it holds.
 */
export async function runLoad(options: LoadOptions): Promise<LoadOutcome> {
  const records: RequestRecord[] = [];
  const total = Math.round(options.ratePerSecond * options.durationSeconds);
  const started = performance.now();
  const open = new Set<Promise<void>>();
  let notSent = 0;
  for (let sent = 0; sent < total; sent++) {
    const due = (sent * 1000) / options.ratePerSecond;
    const wait = due - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (open.size >= options.concurrency) {
      notSent++;
      continue;
    }
    // A spread of the two kinds that does not depend on chance: every run sends the same sequence.
    const write = Math.floor((sent + 1) * options.writeShare) > Math.floor(sent * options.writeShare);
    const request = send(options, started, sent, write).then((record) => {
      records.push(record);
      open.delete(request);
    });
    open.add(request);
  }
  await Promise.all(open);
  return { records: records.sort((a, b) => a.startMs - b.startMs), notSent };
}

function send(options: LoadOptions, started: number, sequence: number, write: boolean): Promise<RequestRecord> {
  const startMs = performance.now() - started;
  const session = options.sessions[sequence % options.sessions.length];
  const itemName = write ? `${options.itemPrefix}${sequence}` : undefined;
  const body = itemName
    ? new URLSearchParams({ name: itemName, quantity: String(sequence % 1000), store: "Failover", csrf_token: session.token }).toString()
    : undefined;
  return new Promise((resolve) => {
    const finish = (status: number, headers: http.IncomingHttpHeaders = {}, text = "") =>
      resolve({
        kind: write ? "write" : "read",
        startMs,
        endMs: performance.now() - started,
        status,
        retryAfter: headers["retry-after"] !== undefined,
        errorText: ERROR_TEXT.test(text),
        itemName,
      });
    const request = http.request(
      `${options.url}${write ? "/items" : "/"}`,
      {
        method: write ? "POST" : "GET",
        agent: false,
        timeout: options.timeoutMs,
        headers: write ? { "content-type": "application/x-www-form-urlencoded", cookie: session.cookie } : {},
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => finish(response.statusCode ?? 0, response.headers, Buffer.concat(chunks).toString("utf8")));
        response.on("error", () => finish(0));
      },
    );
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", () => finish(0));
    request.end(body);
  });
}

/** A session and its form token, as a person gets them by opening the list. */
export async function openSession(url: string): Promise<FormSession> {
  const response = await fetch(`${url}/`);
  const html = await response.text();
  const token = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  if (response.status !== 200 || !token || !cookie) throw new Error(`GET ${url}/ gave no session and form token (HTTP ${response.status})`);
  return { cookie, token };
}
