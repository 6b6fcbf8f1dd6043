import * as fs from "node:fs";

/** The app's settings file, in the format app/boot/user-data.sh writes (key = "value"). */
export interface AppSettings {
  readonly db_host: string;
  readonly db_port: string;
  readonly db_name: string;
  readonly db_secret_arn: string;
  readonly aws_region: string;
  readonly db_tls_ca?: string;
  readonly secrets_endpoint?: string;
  readonly cache_dir: string;
  readonly instance_id: string;
  readonly availability_zone: string;
  /** Hours a form's token holds (1 to 168; the app's default 8). */
  readonly form_token_hours?: string;
  /** `true` adds the X-Inventory-Instance-Id and -Availability-Zone headers (default `false`). */
  readonly instance_headers?: string;
  /** The VPC's CIDR: /health/deep gives its details to requests from inside it that the load balancer did not forward. */
  readonly vpc_cidr?: string;
}

export function writeAppSettings(file: string, settings: AppSettings): void {
  const lines = Object.entries(settings)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      if (/["\n]/.test(value)) throw new Error(`settings value for ${key} cannot hold a double quote or a line break`);
      return `${key} = "${value}"`;
    });
  fs.writeFileSync(file, `${lines.join("\n")}\n`, { mode: 0o600 });
}
