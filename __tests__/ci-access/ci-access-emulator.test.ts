import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { GetOpenIDConnectProviderCommand, GetPolicyCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import { KMSClient, ListAliasesCommand } from "@aws-sdk/client-kms";
import { synthesize } from "../../src/synthesize";
import { CI_ACCESS_STACK } from "../../src/ci-access/ci-access-stack";
import { AwsEmulator, EMULATOR_ACCOUNT } from "../support/aws-emulator";
import { PROJECT_ROOT } from "../support/stacks";
import { EmulatedStack } from "../lifecycle/emulated-stack";

// The inventory-ci-access stack applied for real into moto (the AWS emulator)
// on 127.0.0.1, as `cdktf deploy inventory-ci-access` would: AWS accepts its
// providers, roles and policies as written, its outputs are the values a
// user copies into Terraform Cloud and GitHub, and a destroy leaves nothing.
// moto does not check a web identity token against a trust policy (the trust
// policy tests do, with the project's evaluator): it proves the roles can be
// assumed by ARN once created.

let emulator: AwsEmulator;
let stack: EmulatedStack;
let root: string;
let iam: IAMClient;

beforeAll(async () => {
  emulator = await AwsEmulator.start();
  iam = new IAMClient(emulator.clientConfig());
  root = fs.mkdtempSync(path.join(os.tmpdir(), "ci-access-emulated-"));
  fs.mkdirSync(path.join(root, "environments"));
  fs.symlinkSync(path.join(PROJECT_ROOT, "app"), path.join(root, "app"));
  const write = (name: string, settings: unknown) => fs.writeFileSync(path.join(root, "environments", `${name}.json`), JSON.stringify(settings));
  write("default", { state: { bucket: "acme-state" }, ci: { accountId: EMULATOR_ACCOUNT, githubActions: { repository: "acme/inventory-ha" } } });
  write("cloud", {
    namePrefix: "cloud-",
    state: { backend: "cloud", organization: "acme" },
    ci: { accountId: EMULATOR_ACCOUNT, terraformCloud: { project: "Inventory" } },
  });
  synthesize({ projectRoot: root, outdir: path.join(root, "out") });
  stack = EmulatedStack.create("ci-access", emulator, "local");
  stack.load(path.join(root, "out", "stacks", CI_ACCESS_STACK));
  await stack.init();
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
  stack?.remove();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

let outputs: Record<string, { value: any }>;

it("applies: the providers, roles and policies exist as synthesized", async () => {
  await stack.apply();
  outputs = JSON.parse((await stack.run(["output", "-json"])).stdout);
  const github = await iam.send(
    new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: `arn:aws:iam::${EMULATOR_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` }),
  );
  expect(github.ClientIDList).toEqual(["sts.amazonaws.com"]);
  const role = await iam.send(new GetRoleCommand({ RoleName: "Inventory-GHA-Deploy" }));
  expect(JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)).Statement[0].Condition.StringEquals).toEqual({
    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
    "token.actions.githubusercontent.com:sub": "repo:acme/inventory-ha:ref:refs/heads/main",
  });
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "Inventory-GHA-Deploy" }));
  expect(attached.AttachedPolicies!.map((policy) => policy.PolicyName).sort()).toEqual([
    "Inventory-GHA-Deploy-compute",
    "Inventory-GHA-Deploy-data",
    "Inventory-GHA-Deploy-fence",
    "Inventory-GHA-Deploy-monitoring",
    "Inventory-GHA-Deploy-network",
    "Inventory-GHA-Deploy-protection",
    "Inventory-GHA-Deploy-read",
    "Inventory-GHA-Deploy-state",
  ]);
  // The environments' permissions boundaries and alarm topic keys, which only this stack (an administrator) manages.
  const boundary = await iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${EMULATOR_ACCOUNT}:policy/Inventory-Workload-Boundary` }));
  expect(boundary.Policy!.PolicyName).toBe("Inventory-Workload-Boundary");
  const aliases = await new KMSClient(emulator.clientConfig()).send(new ListAliasesCommand({}));
  expect(
    aliases
      .Aliases!.map((alias) => alias.AliasName)
      .filter((name) => name!.endsWith("inventory-alarms"))
      .sort(),
  ).toEqual(["alias/cloud-inventory-alarms", "alias/inventory-alarms"]);
}, 300_000);

it("outputs the workspace and repository variables with the roles' ARNs", () => {
  expect(outputs.terraform_cloud_cloud.value).toEqual({
    hostname: "app.terraform.io",
    organization: "acme",
    project: "Inventory",
    workspace: "inventory-ha-cloud",
    environment_variables: {
      TFC_AWS_PROVIDER_AUTH: "true",
      TFC_AWS_PLAN_ROLE_ARN: `arn:aws:iam::${EMULATOR_ACCOUNT}:role/cloud-Inventory-TFC-Plan`,
      TFC_AWS_APPLY_ROLE_ARN: `arn:aws:iam::${EMULATOR_ACCOUNT}:role/cloud-Inventory-TFC-Apply`,
    },
  });
  expect(outputs.github_actions_default.value).toEqual({
    repository: "acme/inventory-ha",
    repository_variables: {
      INVENTORY_ENV: "default",
      AWS_REGION: "us-west-2",
      AWS_PLAN_ROLE_ARN: `arn:aws:iam::${EMULATOR_ACCOUNT}:role/Inventory-GHA-Plan`,
      AWS_DEPLOY_ROLE_ARN: `arn:aws:iam::${EMULATOR_ACCOUNT}:role/Inventory-GHA-Deploy`,
    },
  });
});

it("a run can assume the role its output names", async () => {
  const sts = new STSClient(emulator.clientConfig());
  const session = await sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: outputs.terraform_cloud_cloud.value.environment_variables.TFC_AWS_APPLY_ROLE_ARN,
      RoleSessionName: "terraform-run",
      WebIdentityToken: "header.payload.signature",
    }),
  );
  expect(session.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${EMULATOR_ACCOUNT}:assumed-role/cloud-Inventory-TFC-Apply/terraform-run`);
});

it("re-plans with no change, and destroys to nothing", async () => {
  const { text } = await stack.plan("replan");
  expect(text).toContain("No changes.");
  await stack.destroy();
  expect(await stack.stateAddresses()).toStrictEqual([]);
}, 300_000);
