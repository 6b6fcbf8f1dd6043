/** The parts of Terraform's JSON plan format the project reads. */
export interface TerraformPlanJson {
  readonly format_version: string;
  readonly planned_values?: { root_module?: PlannedModule; outputs?: Record<string, { value?: unknown; sensitive: boolean }> };
  readonly resource_changes?: ResourceChange[];
  readonly output_changes?: Record<string, { actions: string[]; after?: unknown; after_unknown?: unknown }>;
  readonly configuration?: unknown;
}

export interface PlannedModule {
  readonly resources?: { address: string; mode: string; type: string; name: string; values: Record<string, unknown> }[];
}

export interface ResourceChange {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  /** For a resource in a module: the module's address. */
  readonly module_address?: string;
  /** For a resource with count or for_each: its index or key. */
  readonly index?: number | string;
  readonly provider_name?: string;
  /** For a deposed object (left by a create-before-destroy replacement): its key. */
  readonly deposed?: string;
  /** For a resource moved since the last apply: its address then. */
  readonly previous_address?: string;
  readonly change: {
    actions: string[];
    before: unknown;
    after: Record<string, unknown> | null;
    after_unknown?: Record<string, unknown>;
    /** Which values before are sensitive: `true` where one is, objects and lists around it (see sensitive-values.ts). Missing: all of them. */
    before_sensitive?: unknown;
    /** Which values after are sensitive, as `before_sensitive`. */
    after_sensitive?: unknown;
    /** For a replacement: the attribute paths that force it. */
    replace_paths?: (string | number)[][];
  };
  readonly action_reason?: string;
}
