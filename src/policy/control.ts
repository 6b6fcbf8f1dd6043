import type { EnvironmentSettings } from "../config/schema";
import type { Block, TerraformDocument } from "../terraform/document";

/**
 * The security and resilience controls platform teams scan for (checkov,
 * trivy, AWS Security Hub FSBP), each named by its public ids, as checks over
 * a synthesized Terraform document. A check returns what violates the
 * control; an empty list means the control is met. Controls without a public
 * id carry the project's own `INV-...` id.
 */

/** What a control is checked against: the inventory stack of an environment, the state bootstrap stack, or the CI access stack. */
export type ControlScope = "inventory" | "state" | "ci-access";

/** One synthesized stack under check. */
export interface Target {
  /** Environment name (`default`, `lab-start`, ...), `hardened`, `domain`, or `state-bootstrap`. */
  readonly name: string;
  readonly scope: ControlScope;
  readonly region: string;
  readonly document: TerraformDocument;
  /** The settings the stack was built from (inventory targets only). */
  readonly settings?: EnvironmentSettings;
}

/** One violation: the Terraform address it is about, and what is wrong. */
export interface Finding {
  /** `aws_lb.load_balancer_alb`, or `(configuration)` for something missing altogether. */
  readonly address: string;
  readonly problem: string;
}

export interface Control {
  /** The id exceptions name: checkov's where it has one, else Security Hub's, else the project's. */
  readonly id: string;
  /** The same control's ids in other catalogues (Security Hub FSBP). */
  readonly aliases: readonly string[];
  /** What the control requires, as the test names it. */
  readonly title: string;
  readonly scopes: readonly ControlScope[];
  /** How an environment turns the control on when it is optional (for docs/security.md). */
  readonly turnOn?: string;
  /** Why the project does not offer the control at all (it is waived in every environment). */
  readonly unavailable?: string;
  check(target: Target): Finding[];
}

/** The test name of a control: every id, then the title (`CKV_AWS_131 / ELB.4 ALB drops invalid header fields`). */
export function controlName(control: Control): string {
  return `${[control.id, ...control.aliases].join(" / ")} ${control.title}`;
}

export function formatFinding(finding: Finding): string {
  return `${finding.address}: ${finding.problem}`;
}

export const CONFIGURATION = "(configuration)";

/** Findings for every block failing `problem`, or one finding when there is no block at all and one is required. */
export function everyBlock(blocks: Block[], what: string, required: boolean, problem: (block: Block) => string | string[] | undefined): Finding[] {
  if (blocks.length === 0) return required ? [{ address: CONFIGURATION, problem: `has no ${what}` }] : [];
  return blocks.flatMap((block) => {
    const result = problem(block);
    const problems = result === undefined ? [] : Array.isArray(result) ? result : [result];
    return problems.map((text) => ({ address: block.address, problem: text }));
  });
}
