import { monitoringReview } from "./plan-review-monitoring";
import { networkReview } from "./plan-review-network";
import { wrapLine } from "./review-width";
import { isSensitive, marksAt, redacted, redactedChange, SENSITIVE, type SensitiveMarks } from "./sensitive-values";
import type { ResourceChange, TerraformPlanJson } from "./plan-json";

/**
 * A one-screen review of a Terraform plan of an Inventory stack: first what
 * it replaces or destroys (as warnings) and changes in place, then what will
 * be created, the values a reviewer checks per tier, and warnings for
 * anything public. Printed short (`text`: the alarms and the charges
 * counted, not listed, lines wrapped at REVIEW_WIDTH) or whole (`fullText`).
 * Built from
 * `terraform show -json`, with references resolved through the plan's
 * configuration so rules name their groups even before ids exist. Every
 * value Terraform marks sensitive, before and after, prints as `(sensitive)`
 * (src/terraform/sensitive-values.ts); a change of one still shows.
 */

export interface PlanReview {
  /** Resource counts to add by type. */
  readonly additionsByType: Record<string, number>;
  readonly warnings: string[];
  readonly heading: string;
  /** Terraform's own `Plan: N to add, ...` line. */
  readonly summaryLine: string;
  /** The review's content, which the text and the Markdown review both render. */
  readonly sections: ReviewSection[];
  /** The short review, as printed by default: each section's `brief` where it has one. */
  readonly text: string;
  /** The review with every detail: every type added, every alarm, every charge. */
  readonly fullText: string;
}

/** What a section of the review is, for a renderer to order and present it. */
export type SectionRole = "replaced" | "changed" | "added" | "details" | "cost" | "warnings";

/** One section of the review: a title, then lines (or a table), each as the text review prints it. */
export interface ReviewSection {
  readonly role: SectionRole;
  readonly title: string;
  readonly lines: string[];
  /** Rows a renderer may show as a table; the text review prints `lines`. @default none */
  readonly table?: { readonly header: string[]; readonly rows: string[][] };
  /** Lines after the table or lines, such as what an estimate leaves out. @default none */
  readonly notes?: string[];
  /** What the short review prints below the title instead of the lines, table and notes. @default the whole section */
  readonly brief?: Pick<ReviewSection, "lines" | "table" | "notes">;
}

export interface ReviewOptions {
  /** Sections to add before the warnings (the cost estimate). @default none */
  readonly extraSections?: readonly ReviewSection[];
}

type Values = Record<string, any>;

interface ConfigurationResource {
  address: string;
  expressions?: Record<string, any>;
}

export function reviewPlan(plan: TerraformPlanJson, heading: string, summaryLine: string, options: ReviewOptions = {}): PlanReview {
  const changes = (plan.resource_changes ?? []).filter((change) => change.mode === "managed");
  // Every section but the changes to what exists reads values redacted; those compare the values themselves, and redact as they print.
  const after = new Map<string, Values>(changes.map((change) => [change.address, redactedChange(change).change.after ?? {}]));
  const references = referenceIndex(plan);
  const ofType = (type: string) => changes.filter((change) => change.type === type);
  const valuesOf = (type: string) => ofType(type).map((change) => ({ address: change.address, values: after.get(change.address)! }));
  /** The resource an attribute of `address` refers to, e.g. a rule's group. */
  const referenced = (address: string, attribute: string): string | undefined => references.get(address)?.[attribute];
  const nameOf = (address: string | undefined) => {
    if (!address) return "?";
    const values = after.get(address) ?? {};
    return values.name ?? values.tags?.Name ?? address;
  };

  const sections: ReviewSection[] = changesToExisting(changes);
  let lines: string[] = [];
  const section = (role: SectionRole, title: string) => {
    lines = [];
    sections.push({ role, title, lines });
  };
  /** What the short review prints of the last section instead of its lines. */
  const briefly = (brief: string[]) => (sections[sections.length - 1] = { ...sections[sections.length - 1], brief: { lines: brief } });
  const additionsByType: Record<string, number> = {};
  for (const change of changes) if (change.change.actions.includes("create")) additionsByType[change.type] = (additionsByType[change.type] ?? 0) + 1;
  const totalAdd = Object.values(additionsByType).reduce((sum, count) => sum + count, 0);
  section("added", `Resources to add: ${totalAdd}`);
  // A plan that only creates (an offline review) is described tier by tier below; what a change adds is listed by type.
  const onlyCreates = sections.length === 1;
  const types = Object.entries(additionsByType).sort(([a], [b]) => a.localeCompare(b));
  for (let index = 0; index < types.length; index += 2) {
    lines.push(
      `  ${types
        .slice(index, index + 2)
        .map(([type, count]) => `${String(count).padStart(2)} ${type}`.padEnd(44))
        .join("")}`.trimEnd(),
    );
  }

  if (onlyCreates) briefly([]);

  section("details", "Network");
  const network = networkReview({ valuesOf, referenced, nameOf });
  lines.push(...network.lines);

  section("details", "Security group rules");
  const rules = [
    ...valuesOf("aws_vpc_security_group_ingress_rule").map((rule) => ({ ...rule, direction: "in " })),
    ...valuesOf("aws_vpc_security_group_egress_rule").map((rule) => ({ ...rule, direction: "out" })),
  ];
  const groupWidth = Math.max(0, ...valuesOf("aws_security_group").map(({ address }) => nameOf(address).length));
  const ruleParts = rules.map(({ address, values, direction }) => {
    const peerGroup = referenced(address, "referenced_security_group_id");
    const ports = values.ip_protocol === "-1" ? [] : [values.from_port === values.to_port ? `${values.from_port}` : `${values.from_port}-${values.to_port}`];
    return {
      group: nameOf(referenced(address, "security_group_id")),
      direction,
      protocol: values.ip_protocol === "-1" ? "all" : String(values.ip_protocol),
      ports,
      peer: peerGroup ? `group ${nameOf(peerGroup)}` : (values.cidr_ipv4 ?? values.cidr_ipv6 ?? values.prefix_list_id ?? "?"),
      open: direction === "in " && (values.cidr_ipv4 === "0.0.0.0/0" || values.cidr_ipv6 === "::/0"),
    };
  });
  type Rule = (typeof ruleParts)[number];
  const portsOf = (rule: Rule) => [rule.protocol, rule.ports.join(", ")].join(" ").trimEnd();
  const ruleLine = (rule: Rule, portWidth: number) =>
    `  ${rule.group.padEnd(groupWidth)} ${rule.direction} ${portsOf(rule).padEnd(portWidth)} ${rule.direction === "in " ? "from" : "to  "} ${rule.peer}`;
  const ruleLines = (list: Rule[]) => list.map((rule) => ruleLine(rule, Math.max(9, ...list.map((each) => portsOf(each).length)))).sort();
  const closed = valuesOf("aws_security_group")
    .filter(({ address }) => !rules.some((rule) => referenced(rule.address, "security_group_id") === address && rule.direction === "out"))
    .map(({ address }) => `  ${nameOf(address).padEnd(groupWidth)} out (none)`);
  lines.push(...ruleLines(ruleParts), ...closed);
  // One line for the ports a group opens in one direction to one peer (`tcp 80, 443 from 0.0.0.0/0`): the short review's, and the warnings'.
  const merged = new Map<string, Rule>();
  for (const rule of ruleParts) {
    const key = [rule.group, rule.direction, rule.protocol, rule.peer].join("\n");
    const ports = [...(merged.get(key)?.ports ?? []), ...rule.ports].sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    merged.set(key, { ...rule, ports });
  }
  briefly([...ruleLines([...merged.values()]), ...closed]);
  const openToAll = [...merged.values()].filter((rule) => rule.open).map((rule) => `${rule.group} in ${portsOf(rule)} from ${rule.peer}`);

  section("details", "Load balancer");
  for (const { values } of valuesOf("aws_lb")) {
    lines.push(
      `  ${values.name}: ${values.internal ? "internal" : "internet-facing"} ${values.load_balancer_type}, ` +
        `deletion protection ${onOff(values.enable_deletion_protection)}, invalid headers ${values.drop_invalid_header_fields ? "dropped" : "kept"}`,
    );
  }
  for (const { address, values } of valuesOf("aws_lb_listener")) {
    const action = values.default_action?.[0] ?? {};
    const target =
      action.type === "forward"
        ? `forward to ${nameOf(referenced(address, "default_action.target_group_arn"))}`
        : action.type === "redirect"
          ? `redirect to ${action.redirect?.[0]?.protocol}:${action.redirect?.[0]?.port}`
          : action.type;
    lines.push(`  listener ${values.protocol}:${values.port} -> ${target}${values.ssl_policy ? ` (${values.ssl_policy})` : ""}`);
  }
  for (const { values } of valuesOf("aws_lb_target_group")) {
    const check = values.health_check?.[0] ?? {};
    lines.push(
      `  target group ${values.name}: ${values.target_type} ${values.protocol}:${values.port}, health ${check.path} every ${check.interval}s, ` +
        `healthy after ${check.healthy_threshold}, drain ${values.deregistration_delay}s`,
    );
  }

  section("details", "App tier");
  for (const { values } of valuesOf("aws_autoscaling_group")) {
    lines.push(
      `  ${values.name}: min ${values.min_size} / desired ${values.desired_capacity} / max ${values.max_size}, ` +
        `health ${values.health_check_type} (grace ${values.health_check_grace_period}s)`,
    );
  }
  const templates = valuesOf("aws_launch_template").map(({ values }) => {
    const metadata = values.metadata_options?.[0] ?? {};
    const template = (image: string) =>
      `  launch template ${values.name_prefix}*: ${values.instance_type}, IMDSv2 ${metadata.http_tokens === "required" ? "required" : "optional"}, ` +
      `image ${image}`;
    // The short review names an SSM parameter by its last part (ssm:.../al2023-ami-kernel-default-x86_64).
    return { full: template(values.image_id), brief: template(String(values.image_id).replace(/^resolve:ssm:\/.*\//, "ssm:.../")) };
  });
  const groupLines = [...lines];
  lines.push(...templates.map(({ full }) => full));
  briefly([...groupLines, ...templates.map(({ brief }) => brief)]);

  section("details", "Database");
  for (const { values } of valuesOf("aws_db_instance")) {
    lines.push(
      `  ${values.identifier}: ${values.engine} ${values.engine_version}, ${values.instance_class}, ${values.allocated_storage} GiB ${values.storage_type}, ` +
        `${values.multi_az ? "Multi-AZ" : "Single-AZ"}, ${values.storage_encrypted ? "encrypted" : "NOT ENCRYPTED"}, ` +
        `${values.publicly_accessible ? "PUBLIC" : "private"}, backups ${values.backup_retention_period} days, ` +
        `deletion protection ${onOff(values.deletion_protection)}`,
    );
  }

  const monitoring = monitoringReview({ valuesOf, referenced, nameOf });
  if (monitoring.lines.length > 0) {
    section("details", "Monitoring");
    lines.push(...monitoring.lines);
    briefly(monitoring.brief);
  }

  const warnings = [...network.warnings, ...collectWarnings(changes, after), ...openToAll.map((rule) => `PUBLIC: ${rule}`), ...monitoring.warnings];
  sections.push(...(options.extraSections ?? []));
  section("warnings", warnings.length ? `Warnings (${warnings.length})` : "Warnings: none");
  lines.push(...warnings.map((warning) => `  ! ${warning}`));
  const review = { additionsByType, warnings, heading, summaryLine, sections };
  return { ...review, text: reviewText(review), fullText: reviewText(review, { full: true }) };
}

/**
 * The review as the terminal shows it: the heading, each section after a blank line, then Terraform's summary. Short
 * (each section's brief) unless `full`; lines wider than REVIEW_WIDTH wrapped, but the changes to what exists, which
 * print whole, and the rows of a table.
 */
export function reviewText(review: Pick<PlanReview, "heading" | "summaryLine" | "sections">, options: { full?: boolean } = {}): string {
  const blocks = review.sections.map((part) => {
    const shown = (!options.full && part.brief) || part;
    const whole = part.role === "replaced" || part.role === "changed";
    const fitted = (lines: readonly string[]) => (whole ? lines : lines.flatMap((line) => wrapLine(line)));
    return [part.title, ...(shown.table ? tableLines(shown.table) : fitted(shown.lines)), ...fitted(shown.notes ?? [])].join("\n");
  });
  return [review.heading, ...blocks, review.summaryLine].join("\n\n");
}

/** A table as aligned text lines; a column of amounts ($, +$, -$) is right-aligned. */
function tableLines(table: NonNullable<ReviewSection["table"]>): string[] {
  const rows = [table.header, ...table.rows];
  const widths = table.header.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  const amounts = table.header.map((_, column) => table.rows.some((row) => /^[-+]?\$/.test(row[column] ?? "")));
  return rows.map((row) =>
    `  ${row.map((cell, column) => (amounts[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join("  ")}`.trimEnd(),
  );
}

/**
 * What the plan does to resources that exist: replacements and destructions
 * first, as warnings (a replaced database or load balancer is the outcome to
 * fear), then every update in place with the attributes it changes, and each
 * function Terraform invokes again (the app's release). Empty
 * for a plan that only creates (an offline review of a new environment).
 */
function changesToExisting(changes: ResourceChange[]): ReviewSection[] {
  const warnings: string[] = [];
  const updates: string[] = [];
  for (const change of changes) {
    const { actions } = change.change;
    const reason = change.action_reason ? `, ${change.action_reason.replace(/_/g, " ")}` : "";
    if (actions.includes("delete") && actions.includes("create") && change.type === "aws_lambda_invocation") {
      // A new input runs the function again (the app's release of a new launch template version); its old invocation is
      // only forgotten, nothing in AWS is destroyed.
      updates.push(`  ~ ${change.address}: invoked again, ${changedAttributes(change, true).join(", ") || "forced"}`);
    } else if (actions.includes("delete") && actions.includes("create")) {
      const order = actions[0] === "create" ? "the new one is created before the old one is destroyed" : "the old one is DESTROYED BEFORE the new one exists";
      warnings.push(`  ! REPLACED: ${change.address} (${changedAttributes(change, true).join(", ") || "forced"}${reason}): ${order}`);
    } else if (actions.includes("delete")) warnings.push(`  ! DESTROYED: ${change.address}${reason}`);
    else if (actions.includes("update")) updates.push(`  ~ ${change.address}: ${changedAttributes(change, false).join(", ")}`);
  }
  const sections: ReviewSection[] = [];
  if (warnings.length > 0) sections.push({ role: "replaced", title: `Replaced or destroyed (${warnings.length})`, lines: warnings });
  if (updates.length > 0) sections.push({ role: "changed", title: `Changed in place (${updates.length})`, lines: updates });
  return sections;
}

/** Most attribute changes listed per resource; the rest are counted. */
const MAX_LISTED = 6;

/**
 * What a change alters, leaf by leaf (`launch_template.version "1" -> (known
 * after apply)`), or for a replacement only the attributes that force it.
 */
function changedAttributes(change: ResourceChange, forcingOnly: boolean): string[] {
  const forcing = (change.change.replace_paths ?? []).map((path) => String(path[0]));
  const found: string[] = [];
  /** Each side's marks go down with it: a sensitive value is compared whole, and printed as `(sensitive)`. */
  const visit = (before: unknown, after: unknown, unknown: unknown, marks: { before: SensitiveMarks; after: SensitiveMarks }, path: string) => {
    if (unknown === true) {
      if (before !== undefined && before !== null) found.push(`${path} ${shown(before, marks.before)} -> (known after apply)`);
      return;
    }
    const within = (step: string | number) => ({ before: marksAt(marks.before, step), after: marksAt(marks.after, step) });
    const open = !isSensitive(marks.before) && !isSensitive(marks.after);
    const bothLists = Array.isArray(before) && Array.isArray(after) && before.length === after.length;
    if (open && bothLists) {
      // A nested block Terraform keeps as a one-item list reads as the block itself.
      (after as unknown[]).forEach((item, index) =>
        visit((before as unknown[])[index], item, (unknown as unknown[] | undefined)?.[index], within(index), after.length === 1 ? path : `${path}[${index}]`),
      );
      return;
    }
    if (open && isObject(before) && isObject(after)) {
      for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
        visit(before[key], after[key], isObject(unknown) ? unknown[key] : undefined, within(key), path ? `${path}.${key}` : key);
      }
      return;
    }
    if (!sameValue(before, after)) found.push(`${path} ${shown(before, marks.before)} -> ${shown(after, marks.after)}`);
  };
  const before = (change.change.before ?? {}) as Values;
  const after = (change.change.after ?? {}) as Values;
  const unknown = (change.change.after_unknown ?? {}) as Values;
  // A side that is null (nothing before a creation) has nothing to hide.
  const marks = {
    before: change.change.before === null ? false : change.change.before_sensitive,
    after: change.change.after === null ? false : change.change.after_sensitive,
  };
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (forcingOnly && !forcing.includes(key)) continue;
    visit(before[key], after[key], unknown[key], { before: marksAt(marks.before, key), after: marksAt(marks.after, key) }, key);
  }
  return found.length > MAX_LISTED ? [...found.slice(0, MAX_LISTED), `and ${found.length - MAX_LISTED} more`] : found;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Whether two attribute values mean the same: the provider writes an unset optional value as null, "", [] or {} depending on the attribute. */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalised(a)) === JSON.stringify(normalised(b));
}

function normalised(value: unknown): unknown {
  if (value === "" || value === undefined) return null;
  if (Array.isArray(value)) return value.length === 0 ? null : value.map(normalised);
  if (isObject(value)) {
    const entries = Object.entries(value)
      .map(([key, item]) => [key, normalised(item)] as const)
      .filter(([, item]) => item !== null);
    return entries.length === 0 ? null : Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
  }
  return value;
}

/** A value as a change line shows it: `(sensitive)` where it is marked so, however deep. */
function shown(value: unknown, marks: SensitiveMarks): string {
  const visible = redacted(value, marks);
  return visible === SENSITIVE ? SENSITIVE : brief(visible);
}

function brief(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function collectWarnings(changes: ResourceChange[], after: Map<string, Values>): string[] {
  const warnings: string[] = [];
  for (const change of changes) {
    const values = after.get(change.address) ?? {};
    if (change.type === "aws_lb" && values.internal === false) warnings.push(`PUBLIC: ${change.address} is internet-facing`);
    if (change.type === "aws_db_instance" && values.publicly_accessible) warnings.push(`PUBLIC: ${change.address} is publicly accessible`);
    if (change.type === "aws_subnet" && values.map_public_ip_on_launch) warnings.push(`PUBLIC: ${change.address} gives instances public IPs`);
    if (change.type === "aws_eip") warnings.push(`PUBLIC: ${change.address} is an internet address (${values.tags?.Name ?? "Elastic IP"})`);
  }
  return warnings;
}

/** address -> attribute path -> the resource address its expression refers to. */
function referenceIndex(plan: TerraformPlanJson): Map<string, Record<string, string>> {
  const index = new Map<string, Record<string, string>>();
  const resources = ((plan.configuration as any)?.root_module?.resources ?? []) as ConfigurationResource[];
  for (const resource of resources) {
    const found: Record<string, string> = {};
    const visit = (expression: any, path: string) => {
      if (Array.isArray(expression)) {
        expression.forEach((item) => visit(item, path));
        return;
      }
      if (!expression || typeof expression !== "object") return;
      if (Array.isArray(expression.references)) {
        // The most specific reference is listed first (aws_x.name.attribute); the resource is its first two parts.
        const target = expression.references.find((reference: string) => /^[a-z0-9_]+\.[A-Za-z0-9_-]+/.test(reference) && !reference.startsWith("data."));
        if (target) found[path] = target.split(".").slice(0, 2).join(".");
        return;
      }
      for (const [key, child] of Object.entries(expression)) visit(child, path ? `${path}.${key}` : key);
    };
    visit(resource.expressions ?? {}, "");
    index.set(resource.address, found);
  }
  return index;
}

function onOff(value: unknown): string {
  return value ? "on" : "off";
}
