import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { failureOf, npmRun, processesOf } from "./local-commands";

// `npm run local -- --walk`: the lab's sequence in the emulator, lab-start and
// then each challenge as its own step, each step's review printed before it is
// applied and its outputs after; no step replaces or destroys the database,
// the load balancer, the Auto Scaling group or the VPC.

const WALK_TIMEOUT_MS = 30 * 60_000;
const STEPS = [
  ["database-ha", "Make the database highly available (Multi-AZ) and scale it (double the class and the storage)"],
  ["nat-per-az", "A second NAT gateway, so each private subnet leaves through the NAT gateway of its own zone"],
  ["database-from-app", "Update the database's security group: MySQL from the app servers' group only, not the whole VPC"],
  ["database-backups", "Back the database up with AWS Backup, into a vault of its own key, and restore the latest backup every week to prove it"],
  [
    "zone-resilience",
    "Beyond the lab: traffic leaves a sick zone (zonal shift, cross-zone, slow start, launch before terminate), and losing one is rehearsed (AWS FIS)",
  ],
];

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "lab-walk-"));
const session = path.join(scratch, "session");
afterAll(async () => {
  if (fs.existsSync(session)) await npmRun("local:down", session);
  fs.rmSync(scratch, { recursive: true, force: true });
}, WALK_TIMEOUT_MS);

it(
  "applies lab-start, then each step after its review, replacing none of the stateful resources, and tears down",
  async () => {
    const walk = await npmRun("local", session, ["--walk", "--no-app"]);
    expect(failureOf(walk, session)).toBe("");
    const parts = walk.stdout.split(/^== Step \d+: /m).slice(1);
    expect(parts.map((part) => part.split("\n")[0])).toEqual([
      "the lab's start (environments/lab-start.json) ==",
      ...STEPS.map(([name, title]) => `${title} (npm run local -- --env lab-start --step ${name}) ==`),
    ]);
    const [start, ...steps] = parts;
    expect(start).toMatch(/^ {2}inventory-lab-start +Apply complete! Resources: \d+ added, 0 changed, 0 destroyed\.$/m);
    expect(steps).toHaveLength(5);
    for (const [index, step] of steps.entries()) {
      const name = STEPS[index][0];
      const review = step.indexOf(`Review of "${STEPS[index][1]}"`);
      const applied = step.search(/^ {2}inventory-lab-start +Apply complete!/m);
      const outputs = step.indexOf("Outputs of inventory-lab-start");
      // The review, then the apply, then the outputs.
      expect({ name, reviewBeforeApply: review >= 0 && review < applied, outputsAfter: outputs > applied }).toEqual({
        name,
        reviewBeforeApply: true,
        outputsAfter: true,
      });
      expect({ name, stateful: step.match(/(REPLACED|DESTROYED): aws_(db_instance|lb|autoscaling_group|vpc)\.\S+/g) ?? [] }).toEqual({ name, stateful: [] });
      expect(step).not.toContain("would replace or destroy stateful resources");
    }
    // What each step changes, as its review shows it.
    expect(steps[0]).toMatch(/^ {2}~ aws_db_instance\.database_instance: .*multi_az false -> true/m);
    expect(steps[1]).toMatch(/^ +1 aws_nat_gateway\b/m);
    // The review wraps a line over 120 columns after a comma, the rest indented: read as one line.
    expect(steps[1].replace(/\n +/g, " ")).toContain("NAT gateways: 2 (in lab-start-Public Subnet 1, lab-start-Public Subnet 2)");
    expect(steps[1]).toMatch(/^ {2}lab-start-Private Subnet 2 +10\.0\.4\.0\/23 us-west-2b -> lab-start-Private Route Table 2 -> lab-start-NAT Gateway 2$/m);
    expect(steps[1]).not.toContain("CROSS-ZONE");
    expect(steps[2]).toMatch(/REPLACED: aws_vpc_security_group_ingress_rule\.security_groups_database_from_app/);

    const down = await npmRun("local:down", session);
    expect(down.status).toBe(0);
    expect(processesOf(session)).toStrictEqual([]);
  },
  WALK_TIMEOUT_MS,
);
