import type { PlanReview, ReviewSection } from "./plan-review";
import { wrapLine } from "./review-width";

/**
 * The plan review as Markdown for a pull request comment: the same sections
 * the text review prints (one model, two renderings), ordered for a reviewer
 * who reads the top: the summary first (Terraform's plan line, the cost and
 * its change), then the warnings (replacements, destructions, anything
 * public), then every other section collapsed in a `<details>` block, whole
 * (every type, alarm and charge; a comparison's changed charges), its
 * lines wrapped as the text review wraps them (the changes in place print
 * whole). Kept
 * under GitHub's comment limit; a review that would pass it is truncated,
 * the longest sections first, and says so at the top and where it cut.
 */

/** GitHub refuses a comment body longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
  /** Longest result. @default GITHUB_COMMENT_LIMIT */
  readonly limit?: number;
  /** Where the untruncated review is, for the truncation note. @default "the full review in the job's plan-review folder" */
  readonly fullReview?: string;
}

const escape = (text: string) => text.replace(/([\\`*[\]<|#])/g, "\\$1");

/** The Markdown review, at most `limit` characters. */
export function reviewMarkdown(review: PlanReview, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const fullReview = options.fullReview ?? "the full review in the job's plan-review folder";
  // Line budgets per section; undefined shows every line.
  const shown = new Map<ReviewSection, number>();
  let markdown = render(review, shown, undefined);
  while (markdown.length > limit) {
    const longest = [...review.sections]
      .filter((part) => part.role !== "warnings" || part.lines.length > 1)
      .map((part) => ({ part, count: shown.get(part) ?? bodyLines(part).length }))
      .filter(({ count }) => count > 0)
      .sort((a, b) => b.count - a.count)[0];
    if (!longest) {
      // Nothing left to shorten: the headings alone are too long (a limit far below GitHub's).
      const note = `\n\n> **Truncated** at ${limit} characters; see ${fullReview}.\n`;
      return `${markdown.slice(0, Math.max(0, limit - note.length))}${note}`;
    }
    shown.set(longest.part, Math.floor(longest.count / 2));
    markdown = render(review, shown, fullReview);
  }
  return markdown;
}

/** The lines of a section as the review shows them (a table's rows count as lines). */
function bodyLines(part: ReviewSection): string[] {
  return part.table ? part.table.rows.map((row) => row.join(" ")) : part.lines;
}

function render(review: PlanReview, shown: Map<ReviewSection, number>, truncatedNote: string | undefined): string {
  const out: string[] = [`### ${escape(review.heading)}`, ""];
  if (shown.size > 0) {
    out.push(
      `> **Note:** this review was truncated to fit GitHub's ${GITHUB_COMMENT_LIMIT.toLocaleString("en-US")}-character comment limit; see ${truncatedNote}.`,
      "",
    );
  }
  const cost = review.sections.find((part) => part.role === "cost");
  const change = cost?.notes?.find((note) => note.trim().startsWith("Monthly change from"));
  out.push(`**${escape(review.summaryLine)}**`);
  if (cost) out.push(`**${escape(cost.title)}**${change ? ` · ${escape(change.trim())}` : ""}`);
  out.push("");

  const warnings = review.sections.filter((part) => part.role === "replaced" || part.role === "warnings");
  for (const part of warnings) {
    out.push(`#### ${part.role === "replaced" ? "⚠️ " : ""}${escape(part.title)}`, "");
    out.push(...limited(part, shown).map((line) => `- ${escape(line.trim().replace(/^[!~]\s*/, ""))}`));
    out.push(...omitted(part, shown, "- "), "");
  }

  const details = [
    ...review.sections.filter((part) => part.role === "changed"),
    ...review.sections.filter((part) => part.role === "cost"),
    ...review.sections.filter((part) => part.role === "added" || part.role === "details"),
  ];
  for (const part of details) {
    out.push(`<details><summary>${escape(part.title)}</summary>`, "");
    if (part.table) {
      const rows = limited(part, shown);
      out.push(
        `| ${part.table.header.map(escape).join(" | ")} |`,
        `| ${part.table.header.map((_, column) => (amountColumn(part, column) ? "---:" : "---")).join(" | ")} |`,
      );
      out.push(...part.table.rows.slice(0, rows.length).map((row) => `| ${row.map((cell) => escape(cell)).join(" | ")} |`));
      out.push(...omitted(part, shown, ""));
    } else {
      const lines = limited(part, shown);
      out.push("```text", ...(part.role === "changed" ? lines : lines.flatMap((line) => wrapLine(line))), ...omitted(part, shown, ""), "```");
    }
    for (const note of part.notes ?? []) out.push("", escape(note.trim()));
    out.push("", "</details>", "");
  }
  return `${out.join("\n").trimEnd()}\n`;
}

function amountColumn(part: ReviewSection, column: number): boolean {
  return (part.table?.rows ?? []).some((row) => /^[-+]?\$/.test(row[column] ?? ""));
}

function limited(part: ReviewSection, shown: Map<ReviewSection, number>): string[] {
  const lines = bodyLines(part);
  const budget = shown.get(part);
  return budget === undefined ? lines : lines.slice(0, budget);
}

function omitted(part: ReviewSection, shown: Map<ReviewSection, number>, prefix: string): string[] {
  const budget = shown.get(part);
  const hidden = budget === undefined ? 0 : bodyLines(part).length - budget;
  return hidden > 0 ? [`${prefix}… ${hidden} more line${hidden === 1 ? "" : "s"} not shown (truncated for GitHub's comment limit)`] : [];
}
