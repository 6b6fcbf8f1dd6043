/**
 * The memory of the RDS for MySQL instance classes, and the connection limit
 * RDS derives from it. RDS's default MySQL parameter group sets
 * `max_connections` to `{DBInstanceClassMemory/12582880}`; the alarms put
 * their connection and memory thresholds in proportion to it, so a bigger
 * class moves them without anyone editing a number.
 */

/** Burstable classes: memory in GiB by size. */
const BURSTABLE_GIB: Readonly<Record<string, number>> = { micro: 1, small: 2, medium: 4, large: 8, xlarge: 16, "2xlarge": 32 };

/** vCPUs by size of the fixed-performance classes. */
const VCPUS: Readonly<Record<string, number>> = {
  large: 2,
  xlarge: 4,
  "2xlarge": 8,
  "4xlarge": 16,
  "8xlarge": 32,
  "12xlarge": 48,
  "16xlarge": 64,
  "24xlarge": 96,
};
const UP_TO_16XLARGE = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"];
const UP_TO_24XLARGE = [...UP_TO_16XLARGE, "24xlarge"];

/** The families RDS for MySQL 8.4 runs on: memory per vCPU (general purpose 4 GiB, memory optimized 8 GiB) and their sizes. */
const FIXED_FAMILIES: Readonly<Record<string, { gibPerVcpu: number; sizes: readonly string[] }>> = {
  m5: { gibPerVcpu: 4, sizes: UP_TO_24XLARGE },
  m6i: { gibPerVcpu: 4, sizes: UP_TO_24XLARGE },
  m6g: { gibPerVcpu: 4, sizes: UP_TO_16XLARGE },
  m7g: { gibPerVcpu: 4, sizes: UP_TO_16XLARGE },
  r5: { gibPerVcpu: 8, sizes: UP_TO_24XLARGE },
  r6i: { gibPerVcpu: 8, sizes: UP_TO_24XLARGE },
  r6g: { gibPerVcpu: 8, sizes: UP_TO_16XLARGE },
  r7g: { gibPerVcpu: 8, sizes: UP_TO_16XLARGE },
};

/** Memory in GiB of every instance class the project knows, `db.t3.small` -> 2. */
export const DB_INSTANCE_CLASS_MEMORY_GIB: Readonly<Record<string, number>> = Object.fromEntries([
  ...["t3", "t4g"].flatMap((family) => Object.entries(BURSTABLE_GIB).map(([size, gib]) => [`db.${family}.${size}`, gib] as const)),
  ...Object.entries(FIXED_FAMILIES).flatMap(([family, { gibPerVcpu, sizes }]) =>
    sizes.map((size) => [`db.${family}.${size}`, VCPUS[size] * gibPerVcpu] as const),
  ),
]);

/** The divisor of RDS's default `max_connections` formula for MySQL. */
const BYTES_PER_CONNECTION = 12582880;

/**
 * `max_connections` as RDS's default formula gives it for the class's
 * memory: `db.t3.micro` 85, `db.t3.small` 170. RDS divides
 * DBInstanceClassMemory, the class's memory less what the operating system
 * and RDS's own processes keep (which AWS does not publish per class), so the
 * server's value is somewhat lower: this is an upper bound.
 */
export function defaultMaxConnections(instanceClass: string): number {
  return Math.floor((instanceClassMemoryGiB(instanceClass) * 2 ** 30) / BYTES_PER_CONNECTION);
}

/** The class's memory in GiB; throws for a class the project does not know. */
export function instanceClassMemoryGiB(instanceClass: string): number {
  const gib = DB_INSTANCE_CLASS_MEMORY_GIB[instanceClass];
  if (gib === undefined) throw new Error(`unknown RDS instance class ${instanceClass}`);
  return gib;
}

/** Why an instance class cannot be used, or undefined: the alarms need its memory. */
export function instanceClassProblem(instanceClass: string): string | undefined {
  if (DB_INSTANCE_CLASS_MEMORY_GIB[instanceClass] !== undefined) return undefined;
  const families = [...new Set(Object.keys(DB_INSTANCE_CLASS_MEMORY_GIB).map((name) => name.split(".")[1]))];
  return (
    `${instanceClass} is not a class whose memory the project knows (the database alarms derive their thresholds from it); ` +
    `use db.<family>.<size> of ${families.join(", ")}`
  );
}
