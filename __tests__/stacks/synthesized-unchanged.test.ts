import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import type { TerraformStack } from "cdktf";
import { loadEnvironments } from "../../src/config/load";
import { inventoryStackName } from "../../src/config/names";
import type { EnvironmentSettings } from "../../src/config/schema";
import { domainSettings, hardenedSettings } from "../../src/policy/evaluate";
import { CI_ACCESS_STACK, CiAccessStack, ciAccessProps } from "../../src/ci-access/ci-access-stack";
import { InventoryStack } from "../../src/stacks/inventory-stack";
import { synthesize } from "../../src/synthesize";
import { StateBootstrapStack } from "../../src/stacks/state-bootstrap-stack";
import { AppTierBehindALoadBalancerExample } from "../../examples/app-tier-behind-a-load-balancer/stack";
import { DatabaseInAVpcExample } from "../../examples/database-in-a-vpc/stack";
import { MonitoringOnItsOwnExample } from "../../examples/monitoring-on-its-own/stack";
import { NetworkAndLoadBalancerExample } from "../../examples/network-and-load-balancer/stack";
import { APP_DIRECTORY, PROJECT_ROOT, settingsFor } from "../support/stacks";
import { ACCOUNT, CERTIFICATE, eastRegion, everything, terraformCloudRun, terraformCloudSplit } from "../support/variants";

// Every environment file and every variant of the settings, synthesized and
// compared byte for byte with the documents kept in synthesized/. A change to
// a construct that changes none of them is a refactor; one that changes any
// shows the change in the kept document's diff, to be reviewed like a plan.
// After a deliberate change: UPDATE_SYNTHESIZED=1 npx jest __tests__/stacks/synthesized-unchanged.test.ts
const KEPT = path.join(__dirname, "synthesized");
const UPDATE = process.env.UPDATE_SYNTHESIZED === "1";

const environments = loadEnvironments({ directory: path.join(PROJECT_ROOT, "environments"), variables: {} });
const github = everything();
const cloud = terraformCloudRun();
const split = terraformCloudSplit();
const east = eastRegion();
const ownKey = settingsFor("own-key", {
  namePrefix: "own-",
  state: { backend: "cloud", organization: "acme" },
  monitoring: { notifications: { kmsKeyArn: `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` } },
  ci: { accountId: ACCOUNT, terraformCloud: { project: "Inventory" } },
});
const variants: readonly EnvironmentSettings[] = [
  ...environments,
  hardenedSettings(PROJECT_ROOT),
  domainSettings(PROJECT_ROOT),
  github,
  cloud,
  split,
  east,
  ownKey,
  settingsFor("cognito", {
    loadBalancer: {
      certificateArn: CERTIFICATE,
      authentication: { provider: "cognito", cognito: { domainPrefix: "inventory-example", callbackHosts: ["inventory.example.com"] } },
    },
  }),
  settingsFor("three", {
    availabilityZones: ["us-west-2a", "us-west-2b", "us-west-2c"],
    appTier: { minSize: 1, desiredCapacity: 3, maxSize: 6 },
    loadBalancer: { certificateArn: CERTIFICATE, ingressCidrs: ["203.0.113.0/24"] },
  }),
  settingsFor("options", {
    appTier: { maxSize: 4, scaling: { policy: "request-count-per-target" }, instanceRefresh: { alarms: ["unhealthyHosts", "natPacketsDropped"] } },
    // Backups copied to a second region into a locked vault, without restore tests.
    database: { multiAz: false, backups: { copyRegion: "us-east-1", copyRetentionDays: 14, vaultLock: true, restoreTesting: { enabled: false } } },
    monitoring: {
      notifications: {
        kmsKeyArn: `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        emailAddresses: ["ops@example.com"],
        httpsEndpoints: ["https://hooks.example.com/alarms"],
      },
    },
  }),
  settingsFor("big", { appTier: { instanceType: "m7i.large" } }),
];

/** The stacks `cdktf synth` writes for environments/. */
const APP_STACKS = ["inventory-default", "inventory-lab-start", "inventory-state"] as const;

/** Each kept document's file name and the stack it is synthesized from. */
const stacks: readonly (readonly [string, () => TerraformStack])[] = [
  ...variants.map((settings) => {
    const name = inventoryStackName(settings.environment);
    return [name, () => new InventoryStack(Testing.app(), name, { settings, appDirectory: APP_DIRECTORY })] as const;
  }),
  ["ci-access-environments", () => new CiAccessStack(Testing.app(), CI_ACCESS_STACK, ciAccessProps([github, cloud, split, east])!)],
  ["ci-access-own-key", () => new CiAccessStack(Testing.app(), CI_ACCESS_STACK, ciAccessProps([ownKey])!)],
  [
    "state-bootstrap",
    () => new StateBootstrapStack(Testing.app(), "inventory-state", { bucketName: "acme-state", region: "us-west-2", lockTable: "acme-locks" }),
  ],
  ["example-database-in-a-vpc", () => new DatabaseInAVpcExample(Testing.app(), "database-in-a-vpc")],
  ["example-network-and-load-balancer", () => new NetworkAndLoadBalancerExample(Testing.app(), "network-and-load-balancer")],
  ["example-app-tier-behind-a-load-balancer", () => new AppTierBehindALoadBalancerExample(Testing.app(), "app-tier-behind-a-load-balancer")],
  ["example-monitoring-on-its-own", () => new MonitoringOnItsOwnExample(Testing.app(), "monitoring-on-its-own")],
];

describe("the synthesized documents", () => {
  it("are the 20 kept, and nothing else is kept", () => {
    expect(stacks.map(([name]) => name)).toStrictEqual([
      "inventory-default",
      "inventory-lab-start",
      "inventory-hardened",
      "inventory-domain",
      "inventory-everything",
      "inventory-cloud",
      "inventory-split",
      "inventory-east",
      "inventory-own-key",
      "inventory-cognito",
      "inventory-three",
      "inventory-options",
      "inventory-big",
      "ci-access-environments",
      "ci-access-own-key",
      "state-bootstrap",
      "example-database-in-a-vpc",
      "example-network-and-load-balancer",
      "example-app-tier-behind-a-load-balancer",
      "example-monitoring-on-its-own",
    ]);
    if (UPDATE) for (const file of fs.readdirSync(KEPT)) fs.rmSync(path.join(KEPT, file));
    else expect(fs.readdirSync(KEPT).sort()).toStrictEqual([...stacks.map(([name]) => `${name}.json`), ...APP_STACKS.map((name) => `app-${name}.json`)].sort());
  });

  it("of the environment files, as `cdktf synth` writes them, are the kept ones", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "inventory-synthesized-"));
    synthesize({ projectRoot: PROJECT_ROOT, outdir, variables: {} });
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toStrictEqual([...APP_STACKS]);
    const changed = APP_STACKS.filter((name) => {
      const json = fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8");
      const file = path.join(KEPT, `app-${name}.json`);
      if (UPDATE) fs.writeFileSync(file, json);
      return !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== json;
    });
    const kept = (name: string) => path.relative(PROJECT_ROOT, path.join(KEPT, `app-${name}.json`));
    expect(changed.map((name) => `changed: git diff --no-index ${kept(name)} ${path.join(outdir, "stacks", name, "cdk.tf.json")}`)).toStrictEqual([]);
    // Kept when a document changed, for the diff the failure names.
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  it.each(stacks)("%s is byte for byte the kept document", (name, stack) => {
    const json = Testing.synth(stack());
    const file = path.join(KEPT, `${name}.json`);
    if (UPDATE) fs.writeFileSync(file, `${json}\n`);
    const kept = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    let outcome = "unchanged";
    if (`${json}\n` !== kept) {
      const now = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "inventory-synthesized-")), `${name}.json`);
      fs.writeFileSync(now, `${json}\n`);
      outcome = `changed: git diff --no-index ${path.relative(PROJECT_ROOT, file)} ${now}`;
    }
    expect(outcome).toBe("unchanged");
  });
});
