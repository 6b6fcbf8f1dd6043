#!/bin/bash
# Inventory app server boot (EC2 user data, Amazon Linux 2023): it holds the
# secret's ARN, never the secret, and downloads the app.
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
VPC_CIDR='@@VPC_CIDR@@'
# The app: this S3 object version, with this SHA-256.
APP_BUCKET='@@APP_BUCKET@@'
APP_KEY='@@APP_KEY@@'
APP_VERSION_ID='@@APP_VERSION_ID@@'
APP_SHA256='@@APP_SHA256@@'
APP_DIR=/var/www/inventory
CA_BUNDLE=/etc/inventory/rds-global-bundle.pem
# RDS's CA bundle for the region's partition.
case $REGION in
  cn-*) CA_URL=https://rds-truststore.s3.cn-north-1.amazonaws.com.cn/global/global-bundle.pem ;;
  us-gov-*) CA_URL=https://truststore.pki.us-gov-west-1.rds.amazonaws.com/global/global-bundle.pem ;;
  *) CA_URL=https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem ;;
esac

# retry ATTEMPTS COMMAND...: names the command, never its arguments (the IMDS token).
retry() {
  local attempts=$1 n=1
  shift
  until "$@"; do
    [ "$n" -lt "$attempts" ] || { echo "gave up on $1 after $attempts attempts" >&2; return 1; }
    sleep $((n++ * 3))
  done
}

# fetch_app DIR: that version of the app, unpacked only if its SHA-256 matches.
fetch_app() {
  local archive sha256
  archive=$(mktemp)
  retry 5 aws s3api get-object --region "$REGION" --bucket "$APP_BUCKET" --key "$APP_KEY" --version-id "$APP_VERSION_ID" "$archive" >/dev/null
  sha256=$(sha256sum <"$archive" | cut -c 1-64)
  if [ "$sha256" != "$APP_SHA256" ]; then
    echo "refusing app version $APP_VERSION_ID: SHA-256 $sha256, not $APP_SHA256" >&2
    return 1
  fi
  mkdir -p "$1"
  tar -xf "$archive" -C "$1" --no-same-owner
}

# IMDSv2 (tokens required; hop limit 1 suffices on the host).
TOKEN=$(retry 5 curl -fsS --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)
imds() { retry 5 curl -fsS --max-time 5 -H "X-aws-ec2-metadata-token: $TOKEN" "http://169.254.169.254/latest/meta-data/$1"; }
INSTANCE_ID=$(imds instance-id)
AVAILABILITY_ZONE=$(imds placement/availability-zone)

fetch_app "$APP_DIR"
retry 3 dnf install -y httpd php php-fpm php-mysqlnd php-json
cp "$APP_DIR/httpd/inventory.conf" /etc/httpd/conf.d/inventory.conf

# MySQL requires TLS: the app verifies the server against RDS's CA bundle.
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
vpc_cidr = "$VPC_CIDR"@@APP_SETTINGS@@
SETTINGS

# The secret cache: on a tmpfs, never on disk, made again at each boot.
echo 'd /run/inventory 0700 apache apache -' > /etc/tmpfiles.d/inventory.conf
systemd-tmpfiles --create /etc/tmpfiles.d/inventory.conf

systemctl enable --now php-fpm httpd
# Fail the boot if the app cannot answer its own health check.
retry 10 curl -fsS --max-time 5 -o /dev/null http://127.0.0.1/health
# The database may still be on its way: log its state only.
curl -sS --max-time 10 http://127.0.0.1/health/deep || true
echo "Inventory app $APP_SHA256 is up on $INSTANCE_ID in $AVAILABILITY_ZONE"
