import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Control, Target } from "../../src/policy/control";
import { CONTROLS } from "../../src/policy/controls";
import { DOMAIN, evaluate, failureOf, HARDENED, STATE_TARGETS, unusedExceptions } from "../../src/policy/evaluate";
import {
  conditionHolds,
  EXCEPTIONS_SCHEMA,
  exceptionProblems,
  exceptionsJsonSchema,
  loadExceptions,
  type PolicyException,
  settingValue,
} from "../../src/policy/exceptions";
import { PROJECT_ROOT, settingsFor } from "../support/stacks";

const environments = [
  ...fs
    .readdirSync(path.join(PROJECT_ROOT, "environments"))
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.replace(/\.json$/, "")),
  HARDENED,
  DOMAIN,
];

describe("policy/exceptions.json", () => {
  it("is well formed: known controls by their first id, known environments and settings, one entry per control and environment", () => {
    expect(exceptionProblems(loadExceptions(PROJECT_ROOT), CONTROLS, environments, STATE_TARGETS)).toStrictEqual([]);
  });

  describe("catches", () => {
    const entry = (overrides: Partial<PolicyException>): PolicyException => ({
      control: "CKV_AWS_2",
      environments: ["default"],
      reason: "A reason long enough to explain the waiver properly.",
      ...overrides,
    });
    const problems = (...entries: PolicyException[]) => exceptionProblems(entries, CONTROLS, environments, STATE_TARGETS);

    it.each<[string, PolicyException[], RegExp]>([
      ["an unknown control", [entry({ control: "CKV_AWS_999" })], /no control has this id/],
      ["a control named by its alias", [entry({ control: "ELB.4" })], /name the control by its first id, CKV_AWS_131/],
      ["an unknown environment", [entry({ environments: ["staging"] })], /unknown environment "staging"/],
      ["a control not checked in the state stack", [entry({ environments: ["state-bootstrap"] })], /not checked in state-bootstrap/],
      [
        "a setting that does not exist",
        [entry({ when: { setting: "loadBalancer.certificate", equals: null } })],
        /names loadBalancer\.certificate, which is not a setting/,
      ],
      ["two entries for one control in one environment", [entry({}), entry({})], /a second exception for default/],
      ["a state control waived in an inventory environment", [entry({ control: "DynamoDB.6" })], /not checked in default/],
      [
        "a condition on the state bootstrap stack, which has no settings",
        [entry({ control: "DynamoDB.6", environments: ["state-bootstrap"], when: { setting: "database.multiAz", equals: false } })],
        /state-bootstrap has no settings for "when" to read/,
      ],
    ])("%s", (_kind, entries, message) => {
      expect(problems(...entries).join("\n")).toMatch(message);
    });

    it("names the entry, its control and every known target in one problem", () => {
      expect(problems(entry({}), entry({ control: "CKV2_AWS_20", environments: ["staging"] }))).toEqual([
        `policy/exceptions.json: exceptions.1 (CKV2_AWS_20): unknown environment "staging"; known: ${[...environments, "state-bootstrap"].join(", ")}`,
      ]);
    });

    it("accepts one entry per control in an environment, a state control in the state stack, and a nested setting", () => {
      expect(
        problems(
          entry({}),
          entry({ control: "CKV2_AWS_20" }),
          entry({ control: "DynamoDB.6", environments: ["state-bootstrap"] }),
          entry({ control: "CKV_AWS_157", when: { setting: "database.backups.copyRegion", equals: null } }),
        ),
      ).toStrictEqual([]);
    });
  });

  describe("rejects a malformed file, naming the field", () => {
    const roots: string[] = [];
    afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));
    const withFile = (exceptions: unknown[]) => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), "exceptions-"));
      roots.push(root);
      fs.mkdirSync(path.join(root, "policy"));
      fs.writeFileSync(path.join(root, "policy", "exceptions.json"), JSON.stringify({ exceptions }));
      return root;
    };
    const valid = { control: "CKV_AWS_2", environments: ["default"], reason: "A reason long enough to explain the waiver properly." };

    it.each<[string, Record<string, unknown>, string]>([
      ["a short reason", { reason: "because" }, "exceptions.1.reason: explain why, in a sentence or more"],
      ["no environment", { environments: [] }, "exceptions.1.environments: "],
      ["a resource that is not a Terraform address", { resources: ["aws_lb"] }, "exceptions.1.resources.0: must be a Terraform address"],
      ["a resource with text around the address", { resources: ["module.x.aws_lb.alb"] }, "exceptions.1.resources.0: must be a Terraform address"],
      ["an empty list of resources", { resources: [] }, "exceptions.1.resources: "],
      ["an empty list of conditions", { when: [] }, "exceptions.1.when: "],
    ])("%s", (_what, override, message) => {
      expect(() => loadExceptions(withFile([valid, { ...valid, control: "CKV2_AWS_20", ...override }]))).toThrow(`policy/exceptions.json: ${message}`);
    });

    it("reads a well-formed file", () => {
      const waiver = { ...valid, resources: ["aws_lb.load_balancer_alb"], when: { setting: "database.multiAz", equals: false } };
      expect(loadExceptions(withFile([waiver]))).toEqual([waiver]);
    });
  });

  it("reads a waiver's condition from the settings, unset as null", () => {
    const settings = settingsFor("default");
    expect(settingValue(settings, "loadBalancer.certificateArn")).toBeNull();
    expect(settingValue(settings, "database.multiAz")).toBe(true);
    const waiver: PolicyException = {
      control: "CKV_AWS_157",
      environments: ["default"],
      when: { setting: "database.multiAz", equals: false },
      reason: "x".repeat(40),
    };
    expect(conditionHolds(waiver, settings)).toBe(false);
    expect(conditionHolds(waiver, settingsFor("default", { database: { multiAz: false } }))).toBe(true);
  });

  it("reads a path through a value that is not an object as unset", () => {
    const settings = settingsFor("default");
    expect(settingValue(settings, "database.multiAz.enabled")).toBeNull();
    expect(settingValue(settings, "loadBalancer.certificateArn.arn")).toBeNull();
    expect(settingValue(settings, "database")).toBe(settings.database);
    expect(settingValue({ ...settings, loadBalancer: null } as never, "loadBalancer.domain")).toBeNull();
  });

  it("holds a conditional waiver only for a target with settings (the state bootstrap stack has none), an unconditional one always", () => {
    const waiver: PolicyException = { control: "CKV_AWS_28", environments: ["state-bootstrap"], reason: "x".repeat(40) };
    expect(conditionHolds({ ...waiver, when: { setting: "database.multiAz", equals: null } }, undefined)).toBe(false);
    expect(conditionHolds(waiver, undefined)).toBe(true);
  });
});

describe(`${EXCEPTIONS_SCHEMA}, the exceptions file's schema for editors`, () => {
  const schema = exceptionsJsonSchema() as any;

  it("describes each field of a waiver as loadExceptions reads it", () => {
    const waiver = schema.properties.exceptions.items;
    const descriptions = (properties: Record<string, { description?: string }>) =>
      Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, value.description]));
    expect([schema.title, schema.additionalProperties, waiver.additionalProperties, waiver.required]).toStrictEqual([
      "Inventory HA policy exceptions",
      false,
      false,
      ["control", "environments", "reason"],
    ]);
    expect(descriptions(waiver.properties)).toStrictEqual({
      control: "The control's id, as the test name starts (CKV_AWS_2, RDS.9, INV-TG-1).",
      environments: "Environments (file names in environments/), hardened, domain, or state-bootstrap.",
      resources: "Terraform addresses the waiver covers; unset covers every finding of the control.",
      when: "The setting (or settings) that make the control fail; the waiver holds only while each has its value.",
      reason: "Why the control cannot be met there, and how to meet it.",
    });
    expect(descriptions(waiver.properties.when.anyOf[0].properties)).toStrictEqual({
      setting: "Dotted setting path, as in the settings table of docs/settings.md.",
      equals: "The value the waiver needs; null means unset.",
    });
  });

  it("is the committed file, which policy/exceptions.json names (npm run docs writes it)", () => {
    expect(fs.readFileSync(path.join(PROJECT_ROOT, EXCEPTIONS_SCHEMA), "utf8")).toBe(`${JSON.stringify(schema, null, 2)}\n`);
    expect(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "policy", "exceptions.json"), "utf8")).$schema).toBe("../schema/exceptions.schema.json");
  });
});

describe("settling a control with the exceptions", () => {
  const twoFindings: Control = {
    id: "CKV_AWS_2",
    aliases: [],
    title: "probe",
    scopes: ["inventory"],
    check: () => [
      { address: "aws_lb.a", problem: "is HTTP" },
      { address: "aws_lb.b", problem: "is HTTP" },
    ],
  };
  const met: Control = { ...twoFindings, check: () => [] };
  const target: Target = { name: "default", scope: "inventory", region: "us-west-2", document: {}, settings: settingsFor("default") };
  const waiver = (overrides: Partial<PolicyException> = {}): PolicyException => ({
    control: "CKV_AWS_2",
    environments: ["default"],
    reason: "x".repeat(40),
    ...overrides,
  });

  it("fails a control without an exception, naming each finding", () => {
    expect(failureOf(evaluate(twoFindings, target, []))).toBe("aws_lb.a: is HTTP\naws_lb.b: is HTTP");
  });

  it("waives it where an exception names the control and the environment, and only there", () => {
    expect(evaluate(twoFindings, target, [waiver()]).outcome.status).toBe("waived");
    expect(evaluate(twoFindings, { ...target, name: "lab-start" }, [waiver()]).outcome.status).toBe("failed");
  });

  it("calls an exception for a control that is met stale, and counts it unused", () => {
    // The same exception the evaluation settled with: a stale outcome names it, and that is no use of it.
    const exception = waiver();
    const evaluation = evaluate(met, target, [exception]);
    expect(evaluation.outcome).toStrictEqual({ status: "stale", exception });
    expect(failureOf(evaluation)).toMatch(/CKV_AWS_2 is met in default, but policy\/exceptions.json still waives it there/);
    expect(unusedExceptions([exception], [evaluation], ["default"])).toStrictEqual(["CKV_AWS_2 in default"]);
  });

  it("does not waive once the setting the exception depends on has changed", () => {
    const withCertificate = {
      ...target,
      settings: settingsFor("default", {
        loadBalancer: { certificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/8f3e9b1c-1d2e-4f50-9a6b-7c8d9e0f1a2b" },
      }),
    };
    const evaluation = evaluate(twoFindings, withCertificate, [waiver({ when: { setting: "loadBalancer.certificateArn", equals: null } })]);
    expect(failureOf(evaluation)).toMatch(/waives CKV_AWS_2 in default only while loadBalancer.certificateArn unset/);
  });

  it("waives only while every setting it depends on has its value", () => {
    const noHttps = [
      { setting: "loadBalancer.certificateArn", equals: null },
      { setting: "loadBalancer.domain", equals: null },
    ];
    const withDomain = {
      ...target,
      settings: settingsFor("default", { loadBalancer: { domain: { name: "inventory.example.com", hostedZoneId: "Z0123456789EXAMPLE0AB" } } }),
    };
    expect(conditionHolds(waiver({ when: noHttps }), target.settings)).toBe(true);
    expect(conditionHolds(waiver({ when: noHttps }), withDomain.settings)).toBe(false);
    const evaluation = evaluate(twoFindings, withDomain, [waiver({ when: noHttps })]);
    expect(failureOf(evaluation)).toMatch(/waives CKV_AWS_2 in default only while loadBalancer.certificateArn unset and loadBalancer.domain unset/);
    expect(evaluate(twoFindings, target, [waiver({ when: noHttps })]).outcome.status).toBe("waived");
  });

  it("waives only the resources it names", () => {
    const evaluation = evaluate(twoFindings, target, [waiver({ resources: ["aws_lb.a"] })]);
    expect(failureOf(evaluation)).toMatch(/^aws_lb.b: is HTTP\n.*for aws_lb.a only$/);
  });

  it("names every resource an exception waives when a finding falls outside them", () => {
    const evaluation = evaluate(twoFindings, target, [waiver({ resources: ["aws_lb.a", "aws_lb.c"] })]);
    expect(failureOf(evaluation)).toBe("aws_lb.b: is HTTP\npolicy/exceptions.json waives CKV_AWS_2 in default for aws_lb.a, aws_lb.c only");
  });

  it("calls a conditional exception stale when the control is met, whether or not its condition holds, quoting its reason's start", () => {
    const reason = "The lab's load balancer listens on HTTP until the course reaches its HTTPS step, two weeks in.";
    const elsewhere = {
      ...target,
      settings: settingsFor("default", { loadBalancer: { domain: { name: "inventory.example.com", hostedZoneId: "Z0123456789EXAMPLE0AB" } } }),
    };
    const conditional = waiver({ reason, when: { setting: "loadBalancer.domain", equals: null } });
    for (const where of [target, elsewhere]) {
      const evaluation = evaluate(met, where, [conditional]);
      expect(evaluation.outcome).toStrictEqual({ status: "stale", exception: conditional });
      expect(failureOf(evaluation)).toBe(
        'CKV_AWS_2 is met in default, but policy/exceptions.json still waives it there ("The lab\'s load balancer listens on HTTP until the course rea...")' +
          ": remove default from that exception",
      );
    }
  });

  it("counts an exception unused in each environment where no evaluation was waived by it, among the targets checked", () => {
    const used = waiver({ environments: ["default", "lab-start", "elsewhere"] });
    const twin = waiver({ environments: ["default", "lab-start", "elsewhere"] });
    const waived = evaluate(twoFindings, target, [used]);
    const failedThere = evaluate(twoFindings, { ...target, name: "lab-start" }, []);
    expect(waived.outcome.status).toBe("waived");
    // Waived in default by `used` only; lab-start failed; "elsewhere" is not among the targets checked.
    expect(unusedExceptions([used, twin], [waived, failedThere], ["default", "lab-start"])).toStrictEqual([
      "CKV_AWS_2 in lab-start",
      "CKV_AWS_2 in default",
      "CKV_AWS_2 in lab-start",
    ]);
    // A waiver of another target is no use here.
    expect(unusedExceptions([used], [{ ...waived, target: "lab-start" }], ["default"])).toStrictEqual(["CKV_AWS_2 in default"]);
  });
});
