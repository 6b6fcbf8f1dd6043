// Placeholder until the boot script lands: the interface the app tier renders through.
export interface BootScriptProps {
  readonly appDirectory: string;
  readonly databaseHost: string;
  readonly databasePort: string;
  readonly databaseName: string;
  readonly databaseSecretArn: string;
  readonly region: string;
}

export function renderBootScript(props: BootScriptProps): string {
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    "dnf install -y httpd php php-fpm php-mysqlnd",
    "mkdir -p /etc/inventory",
    `printf 'db_host = %s\\ndb_port = %s\\ndb_name = %s\\ndb_secret_arn = %s\\naws_region = %s\\n' '${props.databaseHost}' '${props.databasePort}' '${props.databaseName}' '${props.databaseSecretArn}' '${props.region}' > /etc/inventory/app.ini`,
    "systemctl enable --now php-fpm httpd",
    "",
  ].join("\n");
}
