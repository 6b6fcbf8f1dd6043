import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { FisClient } from "@aws-sdk/client-fis";
import { RDSClient } from "@aws-sdk/client-rds";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { httpProber } from "../../../src/drill/app-probe";
import { runDrillCommand } from "../../../src/drill/command";
import { ALARM_NAMES, APP_URL, DB_IDENTIFIER, DRILL_DATE, GROUP_NAME, REGION, REHEARSAL_TEMPLATES, TARGET_GROUP_ARN } from "./aws-answers";
import { type FakeAnswer, type FakeApp, startFakeApp } from "./fake-app";
import { MemoryStream } from "./memory-stream";
import { VirtualClock } from "./virtual-clock";

/** Port 9 (discard) on loopback: nothing listens there in tests, so an unmocked AWS call fails at once. */
const UNMOCKED_ENDPOINT = "http://127.0.0.1:9";

export interface DrillRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Harness {
  /** The local server standing in for the load balancer behind `app_url`. */
  readonly app: FakeApp;
  /** `app_url` as the drill handed it to the prober factory (must be the stack output). */
  readonly probedUrls: string[];
  /**
   * Runs `drill <args> --env default --outputs-file <outputs>` on a fresh virtual
   * clock, with AWS clients the test's `mockClient` stubs answer.
   */
  run(args: readonly string[], options?: { readonly signal?: AbortSignal; readonly tty?: boolean }): Promise<DrillRun>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /**
   * How long a probe of the fake app waits for an answer. This is real time:
   * generous, so a loaded machine never turns a slow local answer into a
   * failure; a `hang` answer costs this long.
   * @default 2000
   */
  readonly probeTimeoutMs?: number;
  /** Stack output `alarm_names`; undefined leaves the output out, as a stack deployed before the alarms had it. @default ALARM_NAMES */
  readonly alarmNames?: readonly string[] | null;
  /** Stack output `rehearsal_templates`; null leaves it out, as a stack without the rehearsal. @default REHEARSAL_TEMPLATES */
  readonly rehearsalTemplates?: Readonly<Record<string, string>> | null;
}

/** Starts the fake app (answering request n with `answer(n)`) and writes an outputs file for environment `dev`. */
export async function startHarness(answer: (requestNumber: number) => FakeAnswer = () => 200, options: HarnessOptions = {}): Promise<Harness> {
  const probeTimeoutMs = options.probeTimeoutMs ?? 2000;
  const app = await startFakeApp(answer);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "drill-"));
  const outputsFile = path.join(folder, "outputs.json");
  fs.writeFileSync(
    outputsFile,
    JSON.stringify({
      "inventory-default": {
        app_url: APP_URL,
        autoscaling_group_name: GROUP_NAME,
        target_group_arn: TARGET_GROUP_ARN,
        db_instance_identifier: DB_IDENTIFIER,
        region: REGION,
        ...(options.alarmNames === null ? {} : { alarm_names: options.alarmNames ?? ALARM_NAMES }),
        ...(options.rehearsalTemplates === null ? {} : { rehearsal_templates: options.rehearsalTemplates ?? REHEARSAL_TEMPLATES }),
      },
    }),
  );
  const probedUrls: string[] = [];
  return {
    app,
    probedUrls,
    async run(args, options = {}) {
      const clock = new VirtualClock();
      const stdout = new MemoryStream(options.tty ?? false, options.tty ? 200 : undefined);
      const stderr = new MemoryStream();
      const code = await runDrillCommand([...args, "--env", "default", "--outputs-file", outputsFile], {
        stdout,
        stderr,
        signal: options.signal ?? new AbortController().signal,
        cwd: folder,
        projectRoot: folder,
        clock,
        // SDK retries stay at one try: the mocks answer instantly and the drill's own throttling retry is what is under test.
        // A client a test forgot to mock fails against a closed local port instead of reaching AWS.
        createClients: (region) => {
          const config = { region, maxAttempts: 1, endpoint: UNMOCKED_ENDPOINT, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
          return {
            autoScaling: new AutoScalingClient(config),
            loadBalancing: new ElasticLoadBalancingV2Client(config),
            rds: new RDSClient(config),
            cloudWatch: new CloudWatchClient(config),
            fis: new FisClient(config),
          };
        },
        currentDate: () => new Date(DRILL_DATE.getTime() + clock.now()),
        createProber: (url) => {
          probedUrls.push(url);
          const prober = httpProber(app.url, { timeoutMs: probeTimeoutMs });
          return { probe: (signal) => clock.track(prober.probe(signal)) };
        },
      });
      return { code, stdout: stdout.text, stderr: stderr.text };
    },
    async close() {
      await app.close();
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}
