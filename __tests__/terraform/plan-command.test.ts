import * as fs from "node:fs";
import { ProjectCopy } from "../support/project-copy";

// `npm run plan` as a user runs it on a fresh clone: no AWS credentials, no
// network, in a throwaway copy of the project.
describe("npm run plan", () => {
  let project: ProjectCopy;
  const offline = { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_SESSION_TOKEN: "", AWS_PROFILE: "", AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent" };

  beforeAll(() => {
    project = new ProjectCopy();
  });

  afterAll(() => project.remove());

  it("prints the review and Terraform's plan line, with one addition per synthesized resource", () => {
    const result = project.run("node", ["scripts/run.mjs", "scripts/plan.ts", "--env", "lab-start"], offline);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);

    const document = JSON.parse(project.read("cdktf.out/stacks/inventory-lab-start/cdk.tf.json"));
    const resources = Object.values<object>(document.resource).reduce((sum, byName) => sum + Object.keys(byName).length, 0);
    expect(result.stdout).toContain(`Plan: ${resources} to add, 0 to change, 0 to destroy.`);
    for (const section of ["Resources to add", "Network", "Security group rules", "Load balancer", "App tier", "Database", "Warnings"]) {
      expect(result.stdout).toMatch(new RegExp(`^${section}`, "m"));
    }
    expect(result.stdout).toMatch(/NAT gateways: 1 \(in lab-start-Public Subnet 1\)/);
    expect(result.stdout).toMatch(/lab-start-inventory-db: mysql 8\.4, db\.t3\.micro, 20 GiB gp3, Multi-AZ no/);
    expect(result.stdout).toMatch(/lab-start-Inventory-DB +in +tcp 3306 +from 10\.0\.0\.0\/20/);
    expect(result.stdout).toMatch(/! PUBLIC: lab-start-Inventory-LB +in +tcp 80 +from 0\.0\.0\.0\/0/);

    // The plan, its JSON and the review are kept; cdktf.out holds no Terraform working data.
    for (const file of ["plan.tfplan", "plan.json", "plan.txt", "review.txt"]) expect(project.exists(`plan-review/lab-start/${file}`)).toBe(true);
    expect(JSON.parse(project.read("plan-review/lab-start/plan.json")).resource_changes.length).toBeGreaterThan(resources);
    expect(fs.readdirSync(project.path("cdktf.out/stacks/inventory-lab-start"))).toEqual(["cdk.tf.json"]);
  });

  it("refuses an unknown environment in one line", () => {
    const result = project.run("node", ["scripts/run.mjs", "scripts/plan.ts", "--env", "prod"], offline);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('Invalid settings: INVENTORY_ENV: unknown environment "prod"; known: default, lab-start');
  });
});
