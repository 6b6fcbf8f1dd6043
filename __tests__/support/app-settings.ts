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
