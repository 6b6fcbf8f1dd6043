import * as fs from "node:fs";
import * as path from "node:path";
import { controlName } from "../../src/policy/control";
import { controlsFor } from "../../src/policy/controls";
import { evaluateAll, failureOf, inventoryTargets, unusedExceptions } from "../../src/policy/evaluate";
import { loadExceptions } from "../../src/policy/exceptions";
import { SECURITY_DOC, securityDocOf } from "../../src/policy/report";
import { PROJECT_ROOT } from "../support/stacks";

// The policy suite: every control of the inventory stack, one named test each,
// against every environment in environments/ and the hardened variant (every
// optional protection on). Each stack is synthesized once, here.
const targets = inventoryTargets(PROJECT_ROOT);
const targetNames = targets.map((target) => target.name);
const exceptions = loadExceptions(PROJECT_ROOT);
const controls = controlsFor("inventory");
const evaluations = evaluateAll(controls, targets, exceptions);

describe.each(controls.map((control) => [controlName(control), control] as const))("%s", (_name, control) => {
  const cases = evaluations
    .filter((evaluation) => evaluation.control === control)
    .map(
      (evaluation) =>
        [evaluation.outcome.status === "waived" ? `${evaluation.target} (waived in policy/exceptions.json)` : evaluation.target, evaluation] as const,
    );

  it.each(cases)("in %s", (_target, evaluation) => {
    const failure = failureOf(evaluation);
    if (failure) throw new Error(failure);
  });
});

describe("policy/exceptions.json in the inventory environments", () => {
  it("checks the environments the suite knows: every environment file and the hardened and domain variants", () => {
    const files = fs
      .readdirSync(path.join(PROJECT_ROOT, "environments"))
      .filter((file) => file.endsWith(".json"))
      .map((file) => file.replace(/\.json$/, ""));
    expect(targetNames).toEqual([...files.sort(), "hardened", "domain"]);
  });

  it("proves in the domain variant that a name of one's own meets the HTTPS controls, with no waiver and no certificate made elsewhere", () => {
    const domain = targets.find((target) => target.name === "domain")!;
    expect({ certificateArn: domain.settings!.loadBalancer.certificateArn, domain: domain.settings!.loadBalancer.domain }).toEqual({
      certificateArn: undefined,
      domain: { name: "inventory.example.com", hostedZoneId: expect.any(String) },
    });
    const https = evaluations.filter(
      (evaluation) => evaluation.target === "domain" && ["CKV_AWS_2", "CKV2_AWS_20", "CKV_AWS_103"].includes(evaluation.control.id),
    );
    expect(https.map((evaluation) => `${evaluation.control.id} ${evaluation.outcome.status}`).sort()).toEqual([
      "CKV2_AWS_20 met",
      "CKV_AWS_103 met",
      "CKV_AWS_2 met",
    ]);
    // The default environment, the same but for the domain, still needs the waivers.
    const defaults = evaluations.filter(
      (evaluation) => evaluation.target === "default" && ["CKV_AWS_2", "CKV2_AWS_20", "CKV_AWS_103"].includes(evaluation.control.id),
    );
    expect(defaults.map((evaluation) => evaluation.outcome.status)).toEqual(["waived", "waived", "waived"]);
  });

  it("has no exception that waives nothing any more", () => {
    expect(unusedExceptions(exceptions, evaluations, targetNames)).toStrictEqual([]);
  });

  it("lets the default environment waive only what needs an outside input or AWS cannot do", () => {
    const waived = evaluations
      .filter((evaluation) => evaluation.target === "default" && evaluation.outcome.status === "waived")
      .map((evaluation) => evaluation.control.id);
    expect(waived.sort()).toEqual(
      ["CKV2_AWS_20", "CKV2_AWS_62", "CKV_AWS_103", "CKV_AWS_144", "CKV_AWS_145", "CKV_AWS_18", "CKV_AWS_2", "INV-BAK-3", "RDS.9"].sort(),
    );
  });

  it("proves in the hardened variant that every control with a setting passes when it is on", () => {
    const waivable = evaluations.filter(
      (evaluation) => evaluation.target === "hardened" && evaluation.outcome.status !== "met" && evaluation.control.turnOn !== undefined,
    );
    expect(waivable.map((evaluation) => evaluation.control.id)).toStrictEqual([]);
  });
});

describe(SECURITY_DOC, () => {
  it("lists every control with its status in each environment, every action of every role, and every exception (run npm run docs after a change)", () => {
    const file = path.join(PROJECT_ROOT, SECURITY_DOC);
    // As npm run docs writes it, from this suite's own synthesis and evaluation of the environments.
    expect([...securityDocOf(PROJECT_ROOT, targets, exceptions, evaluations)]).toEqual([[file, fs.readFileSync(file, "utf8")]]);
  });
});
