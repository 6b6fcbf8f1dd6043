import * as fs from "node:fs";
import * as path from "node:path";
import { copyStackFolder, StackWorkspace, type StackWorkspaceOptions } from "./stack-workspace";
import { type Diagnostic, formatDiagnostic, TerraformError } from "./terraform-cli";

/** A synthesized stack folder to validate, under a name its diagnostics are reported by. */
export interface StackToValidate {
  /** Lower-case letters, digits and dashes, unique in one run; also the folder name in Terraform's file names (`default-json/cdk.tf.json line 12`). */
  readonly name: string;
  /** The stack folder as synthesized (cdk.tf.json or cdk.tf). It is copied, never changed. */
  readonly directory: string;
  /** Values of the stack's variables, as `terraform apply -var` would give them. @default none: a stack without variables */
  readonly variables?: Readonly<Record<string, unknown>>;
}

/** Where the mirror CLI config goes, and the environment Terraform starts from, as for a StackWorkspace. */
export type ValidateStacksOptions = Pick<StackWorkspaceOptions, "cacheDirectory" | "variables">;

/**
 * Terraform says this of every stack it validates as a child module: the
 * stack's backend block only applies at the root. It comes from how the
 * stacks are validated, not from the stacks.
 */
const CHILD_MODULE_BACKEND_WARNING = "Backend configuration ignored";

const STACK_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * `terraform init` + `terraform validate` of several synthesized stacks in
 * one run, with each stack's errors and warnings reported against it.
 *
 * Every terraform command loads the AWS provider's schema, seconds of CPU
 * each; validated one by one, five stacks cost five loads. Here each stack is
 * a child module of a throwaway root (Terraform supports calling a root
 * module as a child for testing), so the schema loads once and every stack's
 * resources, providers, outputs and expressions are still checked. Terraform
 * keeps validating the other stacks when one has errors, so one run reports
 * all of them.
 *
 * Resolves with a map from each stack's name to its diagnostics (empty when
 * the stack is valid); rejects when Terraform cannot run or reports a
 * problem that belongs to no stack.
 */
export async function validateStacks(stacks: readonly StackToValidate[], options: ValidateStacksOptions): Promise<Map<string, Diagnostic[]>> {
  const names = new Set<string>();
  for (const { name } of stacks) {
    if (!STACK_NAME.test(name)) throw new Error(`validateStacks: stack name "${name}" must be lower-case letters, digits and dashes, starting with a letter`);
    if (names.has(name)) throw new Error(`validateStacks: stack name "${name}" is given twice`);
    names.add(name);
  }

  const workspace = StackWorkspace.empty("validate", options);
  try {
    const modules: Record<string, Record<string, unknown>> = {};
    for (const stack of stacks) {
      copyStackFolder(stack.directory, path.join(workspace.directory, stack.name));
      modules[stack.name.replace(/-/g, "_")] = { source: `./${stack.name}`, ...stack.variables };
    }
    fs.writeFileSync(path.join(workspace.directory, "stacks.tf.json"), `${JSON.stringify({ module: modules }, null, 2)}\n`);

    await workspace.init();
    // With errors terraform exits 1, and its JSON report on stdout is still what to read.
    const stdout = await workspace.run(["validate", "-json", "-no-color"]).then(
      (result) => result.stdout,
      (error: unknown) => {
        if (error instanceof TerraformError && error.stdout.trimStart().startsWith("{")) return error.stdout;
        throw error;
      },
    );
    const report = JSON.parse(stdout) as { diagnostics: Diagnostic[] };

    const byStack = new Map<string, Diagnostic[]>(stacks.map((stack) => [stack.name, []]));
    const unplaced: Diagnostic[] = [];
    for (const diagnostic of report.diagnostics) {
      if (diagnostic.severity === "warning" && diagnostic.summary === CHILD_MODULE_BACKEND_WARNING) continue;
      const folder = diagnostic.range?.filename.split("/")[0];
      const own = folder === undefined ? undefined : byStack.get(folder);
      if (own) own.push(diagnostic);
      else unplaced.push(diagnostic);
    }
    if (unplaced.length > 0) {
      throw new TerraformError(
        "terraform validate",
        `terraform validate reported problems that belong to none of the stacks:\n${unplaced.map(formatDiagnostic).join("\n")}`,
        stdout,
        "",
      );
    }
    return byStack;
  } finally {
    workspace.remove();
  }
}
