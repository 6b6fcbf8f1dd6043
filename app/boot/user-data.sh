#!/bin/bash
# Inventory app server boot (EC2 user data, Amazon Linux 2023), rendered by
# src/constructs/boot-script.ts. It holds the secret's ARN, never the secret.
# Terraform reads it as a template: no dollar or percent sign before a brace.
set -euo pipefail
# The log is root's alone (umask 077 when tee creates it).
umask 077
exec > >(tee -a /var/log/inventory-boot.log | logger -t inventory-boot -s 2>/dev/console) 2>&1
umask 022

DB_HOST='@@DB_HOST@@'
DB_PORT='@@DB_PORT@@'
DB_NAME='@@DB_NAME@@'
DB_SECRET_ARN='@@DB_SECRET_ARN@@'
REGION='@@AWS_REGION@@'
# SHA-256 of the app's source with its comments, which the archive below drops:
# any edit to the app changes the user data, and so rolls the servers.
APP_SOURCE_SHA256='@@APP_SOURCE_SHA256@@'
APP_DIR=/var/www/inventory
CA_BUNDLE=/etc/inventory/rds-global-bundle.pem
# RDS's CA bundle for the region's partition.
case $REGION in
  cn-*) CA_URL=https://rds-truststore.s3.cn-north-1.amazonaws.com.cn/global/global-bundle.pem ;;
  us-gov-*) CA_URL=https://truststore.pki.us-gov-west-1.rds.amazonaws.com/global/global-bundle.pem ;;
  *) CA_URL=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem ;;
esac

# retry ATTEMPTS COMMAND...: mirrors, IMDS and the NAT path can lag at boot.
# It names only the command: the arguments can hold the IMDS token.
retry() {
  local attempts=$1 n=1
  shift
  until "$@"; do
    [ "$n" -lt "$attempts" ] || { echo "gave up on $1 after $attempts attempts" >&2; return 1; }
    sleep $((n++ * 3))
  done
}

# IMDSv2 (tokens required; hop limit 1 suffices on the host).
TOKEN=$(retry 5 curl -fsS --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)
imds() { retry 5 curl -fsS --max-time 5 -H "X-aws-ec2-metadata-token: $TOKEN" "http://169.254.169.254/latest/meta-data/$1"; }
INSTANCE_ID=$(imds instance-id)
AVAILABILITY_ZONE=$(imds placement/availability-zone)

retry 3 dnf install -y httpd php php-fpm php-mysqlnd php-json

rm -rf "$APP_DIR"
mkdir -p "$APP_DIR"
base64 -d <<'APP_ARCHIVE' | tar -xzf - -C "$APP_DIR" --no-same-owner
@@APP_ARCHIVE@@
APP_ARCHIVE
cp "$APP_DIR/httpd/inventory.conf" /etc/httpd/conf.d/inventory.conf

# The parameter group sets require_secure_transport: the app verifies the server against this CA bundle.
install -d -m 0750 -g apache /etc/inventory
retry 5 curl -fsS --max-time 60 -o "$CA_BUNDLE" "$CA_URL"
grep -q 'BEGIN CERTIFICATE' "$CA_BUNDLE"

# Readable by root and apache (php-fpm's user) only.
install -m 0640 -g apache /dev/null /etc/inventory/app.ini
cat > /etc/inventory/app.ini <<SETTINGS
db_host = "$DB_HOST"
db_port = "$DB_PORT"
db_name = "$DB_NAME"
db_secret_arn = "$DB_SECRET_ARN"
aws_region = "$REGION"
db_tls_ca = "$CA_BUNDLE"
cache_dir = "/run/inventory"
instance_id = "$INSTANCE_ID"
availability_zone = "$AVAILABILITY_ZONE"
SETTINGS

# The secret cache: on a tmpfs, never on disk; tmpfiles.d makes it again after a reboot.
echo 'd /run/inventory 0700 apache apache -' > /etc/tmpfiles.d/inventory.conf
systemd-tmpfiles --create /etc/tmpfiles.d/inventory.conf

systemctl enable --now php-fpm httpd
# Fail the boot loudly if the app cannot answer its own health check.
retry 10 curl -fsS --max-time 5 -o /dev/null http://127.0.0.1/health
# The database may still be on its way: log its state, do not fail on it.
curl -sS --max-time 10 http://127.0.0.1/health/deep || true
echo "Inventory app $APP_SOURCE_SHA256 is up on $INSTANCE_ID in $AVAILABILITY_ZONE"
