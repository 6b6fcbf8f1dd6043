import { Testing } from "cdktf";
import { controlName, type Target } from "../../src/policy/control";
import { controlsFor } from "../../src/policy/controls";
import { evaluateAll, failureOf, STATE_BOOTSTRAP, unusedExceptions } from "../../src/policy/evaluate";
import { loadExceptions } from "../../src/policy/exceptions";
import { resources } from "../../src/terraform/document";
import { StateBootstrapStack } from "../../src/stacks/state-bootstrap-stack";
import { PROJECT_ROOT } from "../support/stacks";

// The state controls against the bootstrap stack: the S3 bucket and DynamoDB
// lock table every environment's S3 backend uses. Synthesized once; every
// control must be met (or waived for state-bootstrap in policy/exceptions.json),
// and a missing bucket or table fails its controls instead of skipping them.
const props = { bucketName: "inventory-ha-terraform-state", region: "us-west-2", lockTable: "inventory-ha-terraform-locks" };
const stack = new StateBootstrapStack(Testing.app(), "inventory-state", props);
const target: Target = { name: STATE_BOOTSTRAP, scope: "state", region: props.region, document: JSON.parse(Testing.synth(stack)) };
const exceptions = loadExceptions(PROJECT_ROOT);
const controls = controlsFor("state");
const evaluations = evaluateAll(controls, [target], exceptions);

describe.each(controls.map((control) => [controlName(control), control] as const))("%s", (_name, control) => {
  const evaluation = evaluations.find((candidate) => candidate.control === control)!;
  it(`in ${STATE_BOOTSTRAP}${evaluation.outcome.status === "waived" ? " (waived in policy/exceptions.json)" : ""}`, () => {
    const failure = failureOf(evaluation);
    if (failure) throw new Error(failure);
  });
});

describe(`${STATE_BOOTSTRAP} stack under check`, () => {
  it("is the state bucket and lock table the backend is configured with", () => {
    expect(resources(target.document, "aws_s3_bucket").map((bucket) => bucket.config.bucket)).toContain(props.bucketName);
    expect(resources(target.document, "aws_dynamodb_table").map((table) => table.config.name)).toContain(props.lockTable);
  });

  it("has no exception in policy/exceptions.json that waives nothing any more", () => {
    expect(unusedExceptions(exceptions, evaluations, [STATE_BOOTSTRAP])).toStrictEqual([]);
  });
});
