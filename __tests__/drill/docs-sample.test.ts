import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { RDSClient } from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import * as fs from "node:fs";
import * as path from "node:path";
import { startHarness } from "./support/drill-harness";
import type { FakeAnswer } from "./support/fake-app";
import { FAILOVER_OUTAGE, REPLACEMENT_OUTAGE, answerFailover, answerFailoverAlarms, answerReplacement, answerReplacementAlarms } from "./support/scenarios";

/**
 * The sample output in docs/drill.md is what the drill prints against the
 * scenarios the suites use (AWS mocks, a local server as the app). This test
 * fails when the code's output and the doc part ways; run it with
 * UPDATE_DRILL_DOCS=1 to write the current output into the doc.
 */
const DOC = path.resolve(__dirname, "..", "..", "docs", "drill.md");

const autoScaling = mockClient(AutoScalingClient);
const loadBalancing = mockClient(ElasticLoadBalancingV2Client);
const rds = mockClient(RDSClient);
const cloudWatch = mockClient(CloudWatchClient);

interface Sample {
  readonly name: string;
  readonly action: "instance" | "database";
  readonly flags: string[];
  readonly outage: Readonly<Record<number, FakeAnswer>>;
}

const SAMPLES: Sample[] = [
  { name: "instance-dry-run", action: "instance", flags: [], outage: REPLACEMENT_OUTAGE },
  { name: "instance", action: "instance", flags: ["--yes"], outage: REPLACEMENT_OUTAGE },
  { name: "database", action: "database", flags: ["--yes"], outage: FAILOVER_OUTAGE },
];

async function render(sample: Sample): Promise<string> {
  autoScaling.reset();
  loadBalancing.reset();
  rds.reset();
  cloudWatch.reset();
  answerReplacement(autoScaling, loadBalancing);
  answerFailover(rds);
  if (sample.action === "instance") answerReplacementAlarms(cloudWatch);
  else answerFailoverAlarms(cloudWatch);
  const harness = await startHarness((n) => sample.outage[n] ?? 200);
  try {
    const run = await harness.run([sample.action, ...sample.flags]);
    expect(run.stderr).toBe("");
    const command = ["npm run drill --", sample.action, "--env default", ...sample.flags].join(" ");
    return `\`\`\`text\n$ ${command}\n${run.stdout}\`\`\`\n`;
  } finally {
    await harness.close();
  }
}

function markers(name: string): [string, string] {
  return [`<!-- sample:${name} (written by __tests__/drill/docs-sample.test.ts) -->\n`, `<!-- /sample:${name} -->`];
}

test.each(SAMPLES.map((sample) => [sample.name, sample] as const))("the docs show the drill's real output: %s", async (_name, sample) => {
  const expected = await render(sample);
  const doc = fs.readFileSync(DOC, "utf8");
  const [open, close] = markers(sample.name);
  const start = doc.indexOf(open);
  const end = doc.indexOf(close, start);
  expect({ start: start >= 0, end: end >= 0 }).toEqual({ start: true, end: true });
  const current = doc.slice(start + open.length, end);
  if (process.env.UPDATE_DRILL_DOCS === "1" && current !== expected) {
    fs.writeFileSync(DOC, doc.slice(0, start + open.length) + expected + doc.slice(end));
    return;
  }
  expect(current).toBe(expected);
});
