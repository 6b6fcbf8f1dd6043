/** Tag keys the project sets itself; an environment's `tags` may not redefine them. */
export const RESERVED_TAG_KEYS = ["Project", "Environment", "ManagedBy"] as const;

/**
 * The one tag policy: what every resource carries. The stack gives it to the
 * provider's `default_tags`, and the Auto Scaling group (which default_tags
 * does not reach) propagates it to the instances it launches.
 */
export function commonTags(settings: { readonly environment: string; readonly tags: Readonly<Record<string, string>> }): Record<string, string> {
  return { ...settings.tags, Project: "inventory-ha", Environment: settings.environment, ManagedBy: "cdktf" };
}
