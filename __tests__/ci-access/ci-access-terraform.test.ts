import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesize } from "../../src/synthesize";
import { CI_ACCESS_STACK } from "../../src/ci-access/ci-access-stack";
import { validateStacks } from "../../src/terraform/validate-stacks";
import { PROJECT_ROOT } from "../support/stacks";
import { planned, planStack, readable, synthesizedResourceCount, TERRAFORM_CACHE } from "../support/terraform";

// The inventory-ci-access stack against the real terraform and AWS provider:
// synthesized by the app from environment files that ask for CI access (as
// a user's would), it passes terraform validate and an offline plan that
// creates every role, policy and provider, and nothing else.

let root: string;
let directory: string;

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "ci-access-"));
  fs.mkdirSync(path.join(root, "environments"));
  fs.symlinkSync(path.join(PROJECT_ROOT, "app"), path.join(root, "app"));
  const write = (name: string, settings: unknown) => fs.writeFileSync(path.join(root, "environments", `${name}.json`), JSON.stringify(settings));
  write("default", {
    state: { bucket: "acme-state", lockTable: "acme-locks" },
    ci: { accountId: "123456789012", githubActions: { repository: "acme/inventory-ha" } },
  });
  write("cloud", {
    namePrefix: "cloud-",
    state: { backend: "cloud", organization: "acme" },
    ci: { accountId: "123456789012", terraformCloud: { project: "Inventory", separatePlanAndApplyRoles: true } },
  });
  // Selecting one environment still writes every environment's roles.
  synthesize({ projectRoot: root, outdir: path.join(root, "out"), variables: { INVENTORY_ENV: "default" } });
  directory = path.join(root, "out", "stacks", CI_ACCESS_STACK);
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it("passes terraform validate without errors or warnings", async () => {
  const diagnostics = await validateStacks([{ name: "ci-access", directory }], { cacheDirectory: TERRAFORM_CACHE });
  expect(readable(diagnostics.get("ci-access"))).toStrictEqual([]);
});

it("an offline plan creates the providers, roles and policies of both environments, and changes nothing else", async () => {
  const plan = planned(await planStack(directory));
  const count = synthesizedResourceCount(directory);
  expect(plan.text).toContain(`Plan: ${count} to add, 0 to change, 0 to destroy.`);
  const roles = [...plan.text.matchAll(/# aws_iam_role\.(\S+) will be created[\s\S]*?\n\s+\+ name\s+= "([^"]+)"/g)].map((match) => match[2]);
  expect(roles.sort()).toEqual(["Inventory-GHA-Deploy", "Inventory-GHA-Plan", "cloud-Inventory-TFC-Apply", "cloud-Inventory-TFC-Plan"]);
  expect(plan.text).toMatch(/\+ url +=\s+"https:\/\/app\.terraform\.io"/);
  expect(plan.text).toMatch(/\+ url +=\s+"https:\/\/token\.actions\.githubusercontent\.com"/);
}, 120_000);
