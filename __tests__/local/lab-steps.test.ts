import * as fs from "node:fs";
import * as path from "node:path";
import { parseSettings } from "../../src/config/load";
import { LAB_STEPS, labSettings, statefulReplacements } from "../../src/emulator/lab-walk";
import type { TerraformPlanJson } from "../../src/terraform/plan-json";
import { PROJECT_ROOT } from "../support/stacks";

const ENVIRONMENTS = path.join(PROJECT_ROOT, "environments");

describe("the lab's steps", () => {
  it("are the lab's three challenges, in its order, then the database's backups and the zones' resilience", () => {
    expect(LAB_STEPS.map((step) => step.name)).toEqual(["database-ha", "nat-per-az", "database-from-app", "database-backups", "zone-resilience"]);
  });

  it("end at the lab's final settings (environments/default.json) under lab-start's names", () => {
    const walked = parseSettings("lab-start", labSettings(ENVIRONMENTS, "zone-resilience"));
    const final = parseSettings("lab-start", { ...JSON.parse(fs.readFileSync(path.join(ENVIRONMENTS, "default.json"), "utf8")), namePrefix: "lab-start-" });
    expect(walked).toEqual(final);
    // And the start is not the end: each step changes something.
    expect(parseSettings("lab-start", labSettings(ENVIRONMENTS))).not.toEqual(final);
  });

  it("apply cumulatively: a step includes the ones before it and none after", () => {
    const settings = labSettings(ENVIRONMENTS, "nat-per-az") as { database: Record<string, unknown>; network: Record<string, unknown> };
    expect(settings.database).toEqual({
      multiAz: true,
      instanceClass: "db.t3.small",
      allocatedStorageGiB: 40,
      ingressFrom: "vpc-cidr",
      backups: { enabled: false },
    });
    expect(settings.network).toEqual({ natStrategy: "per-az" });
  });

  it("refuse an unknown step, naming the known ones", () => {
    expect(() => labSettings(ENVIRONMENTS, "nat")).toThrow(
      "--step nat: no such step; the lab's steps: database-ha, nat-per-az, database-from-app, database-backups, zone-resilience",
    );
  });
});

describe("statefulReplacements", () => {
  const change = (address: string, actions: string[]) => ({
    address,
    type: address.split(".")[0],
    mode: "managed",
    name: address.split(".")[1],
    change: { actions, before: {}, after: {} },
  });

  it("names the database, load balancer, group or VPC a plan replaces or destroys, and nothing else", () => {
    const plan = {
      format_version: "1.2",
      resource_changes: [
        change("aws_db_instance.database_instance", ["delete", "create"]),
        change("aws_vpc_security_group_ingress_rule.security_groups_database_from_app", ["create", "delete"]),
        change("aws_vpc.network_vpc", ["delete"]),
        change("aws_lb.load_balancer_alb", ["update"]),
        change("aws_autoscaling_group.app_tier_auto_scaling_group", ["create", "delete"]),
        change("aws_nat_gateway.network_nat_gateway_2", ["create"]),
      ],
    } as unknown as TerraformPlanJson;
    expect(statefulReplacements(plan)).toEqual([
      "aws_db_instance.database_instance (delete, then create)",
      "aws_autoscaling_group.app_tier_auto_scaling_group (create, then delete)",
      "aws_vpc.network_vpc (delete)",
    ]);
  });
});
