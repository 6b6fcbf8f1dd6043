import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { AwsEmulator } from "../support/aws-emulator";
import { ProjectCopy } from "../support/project-copy";
import { OIDC_SIGN_IN } from "../support/stacks";
import { EmulatedStack } from "../lifecycle/emulated-stack";

// The sign-in's client secret changes, and no review tells it: an
// environment with OIDC sign-in is synthesized, its HTTPS listener (and what
// it needs) is applied into the AWS emulator with the old secret, so the
// environment's state holds it, then `npm run plan` reviews the change to a
// new secret, offline and --live, as text and as Markdown. Neither secret is
// in anything the review printed or kept, but Terraform's own plan file
// (and the plan Terraform keeps in its working folder).

const OLD = "old-oidc-secret-4b1f9e";
const NEW = "new-oidc-secret-c83d27";
const ENVIRONMENT = "signin";
const LISTENER = "aws_lb_listener.load_balancer_https_listener";

/** An environment that signs people in with an OIDC provider on its HTTPS listener, whose certificate is `certificateArn`. */
const settings = (certificateArn: string) => ({
  namePrefix: "signin-",
  state: { backend: "local" },
  loadBalancer: {
    certificateArn,
    authentication: OIDC_SIGN_IN,
  },
});

/** A certificate in the emulator's ACM, for the listener to use (the provider retries a listener whose certificate is missing for 5 minutes). */
function requestCertificate(emulator: AwsEmulator): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      emulator.endpoint,
      {
        method: "POST",
        ca: fs.readFileSync(emulator.caFile),
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": "CertificateManager.RequestCertificate",
          // moto routes by the credential scope's service; it checks no signature.
          Authorization: "AWS4-HMAC-SHA256 Credential=emulator/20260101/us-west-2/acm/aws4_request, SignedHeaders=host, Signature=00",
        },
      },
      (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () =>
          response.statusCode === 200 ? resolve((JSON.parse(body) as { CertificateArn: string }).CertificateArn) : reject(new Error(body)),
        );
      },
    );
    request.on("error", reject);
    request.end(JSON.stringify({ DomainName: "inventory.example.com", ValidationMethod: "DNS" }));
  });
}

/** Every file under `directory`, but Terraform's plan files and its installed providers (binaries of the provider's own). */
function keptFiles(directory: string): string[] {
  if (!fs.existsSync(directory)) return [];
  return fs
    .readdirSync(directory, { recursive: true, encoding: "utf8" })
    .map((entry) => path.join(directory, entry))
    .filter((file) => fs.statSync(file).isFile() && !file.endsWith(".tfplan") && !file.includes(`${path.sep}providers${path.sep}`));
}

const leaks = (text: string) => [OLD, NEW].filter((secret) => text.includes(secret));

let project: ProjectCopy;
let emulator: AwsEmulator;
let stack: EmulatedStack;
const runs: Record<string, { status: number | null; stdout: string; stderr: string }> = {};

beforeAll(async () => {
  project = new ProjectCopy();
  emulator = await AwsEmulator.start();
  project.write(`environments/${ENVIRONMENT}.json`, `${JSON.stringify(settings(await requestCertificate(emulator)), null, 2)}\n`);
  const review = (args: string[], variables: NodeJS.ProcessEnv, base?: NodeJS.ProcessEnv) =>
    project.runAsync("node", ["scripts/run.mjs", "scripts/plan.ts", "--env", ENVIRONMENT, ...args], { TF_VAR_oidc_client_secret: NEW, ...variables }, base);
  // Offline: against an empty state, as always; its synthesis is the one deployed below.
  const offline = { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_PROFILE: "", AWS_CONFIG_FILE: "/nonexistent" };
  runs.offlineText = await review([], offline);
  runs.offlineMarkdown = await review(["--format", "markdown"], offline);

  // The listener with the old secret, and what it needs, deployed: the state a live review plans against.
  stack = EmulatedStack.create("sensitive-review", emulator, "local");
  stack.load(project.path("cdktf.out", "stacks", `inventory-${ENVIRONMENT}`));
  await stack.init();
  await stack.run(["apply", "-input=false", "-no-color", "-auto-approve", `-target=${LISTENER}`, `-var=oidc_client_secret=${OLD}`]);
  fs.copyFileSync(path.join(stack.directory, "terraform.tfstate"), project.path(`terraform.inventory-${ENVIRONMENT}.tfstate`));
  expect(project.read(`terraform.inventory-${ENVIRONMENT}.tfstate`)).toContain(OLD);

  runs.liveText = await review(["--live"], {}, emulator.awsVariables());
  runs.liveMarkdown = await review(["--live", "--format", "markdown"], {}, emulator.awsVariables());
}, 600_000);

afterAll(async () => {
  if (stack) fs.rmSync(stack.directory, { recursive: true, force: true });
  await emulator?.stop();
  project?.remove();
});

describe("a review of a change of the sign-in's client secret", () => {
  it("the live review sees the change against the state that holds the old secret, and shows it as (sensitive) -> (sensitive)", () => {
    for (const run of [runs.liveText, runs.liveMarkdown]) expect(run.status).toBe(0);
    expect(runs.liveText.stdout).toMatch(
      new RegExp(`~ ${LISTENER.replace(/\./g, "\\.")}: .*default_action\\[0\\]\\.authenticate_oidc\\.client_secret \\(sensitive\\) -> \\(sensitive\\)`),
    );
    expect(runs.liveMarkdown.stdout).toContain("client_secret (sensitive) -> (sensitive)");
  });

  it("prints neither secret in the text, Markdown or live review, nor on stderr", () => {
    for (const [name, run] of Object.entries(runs)) {
      expect([name, run.status]).toEqual([name, 0]);
      expect([name, leaks(run.stdout), leaks(run.stderr)]).toEqual([name, [], []]);
    }
  });

  it("keeps neither secret in any file the review keeps but Terraform's plan file", () => {
    const kept = [...keptFiles(project.path("plan-review")), ...keptFiles(project.path(".cache", "terraform"))];
    expect(kept.map((file) => path.relative(project.root, file))).toEqual(
      expect.arrayContaining([
        `plan-review/${ENVIRONMENT}/live/review.txt`,
        `plan-review/${ENVIRONMENT}/live/review.md`,
        `plan-review/${ENVIRONMENT}/live/plan.txt`,
      ]),
    );
    expect(kept.filter((file) => leaks(fs.readFileSync(file, "latin1")).length > 0).map((file) => path.relative(project.root, file))).toStrictEqual([]);
  });
});
