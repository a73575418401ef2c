# CloudWatch, with credentials stored in state (marked sensitive).
resource "sigsentry_log_source" "cloudwatch" {
  type = "cloudwatch"
  name = "prod-cloudwatch"
  credentials = {
    accessKeyId     = var.aws_access_key_id
    secretAccessKey = var.aws_secret_access_key
  }
  sources = ["/aws/lambda/checkout-api", "/aws/lambda/billing-worker"]
}

# Datadog, with write-only credentials (Terraform 1.11+): never stored in plan or state.
# Bump credentials_wo_version to send new credentials.
resource "sigsentry_log_source" "datadog" {
  type = "datadog"
  name = "datadog-prod"
  credentials_wo = {
    apiKey = var.datadog_api_key
    appKey = var.datadog_app_key
  }
  credentials_wo_version = "1"
  sources                = ["service:checkout-api", "service:billing-worker"]
}

# Loki: host is required; apiKey and orgId are optional.
resource "sigsentry_log_source" "loki" {
  type = "loki"
  name = "loki-staging"
  credentials = {
    host  = "https://loki.example.com"
    orgId = "platform"
  }
  sources = ["{app=\"checkout\"}"]
}

# Splunk
resource "sigsentry_log_source" "splunk" {
  type = "splunk"
  name = "splunk-prod"
  credentials = {
    host  = "https://splunk.example.com:8089"
    token = var.splunk_token
  }
  sources   = ["main", "security"]
  is_active = false
}

# Elastic: host plus either username+password or apiKey. verify tests the connection on apply.
resource "sigsentry_log_source" "elastic" {
  type = "elastic"
  name = "elastic-prod"
  credentials = {
    host   = "https://elastic.example.com:9200"
    apiKey = var.elastic_api_key
  }
  sources = ["logs-checkout-*"]
  verify  = true
}

# GCP Logging: the service account key file as JSON.
resource "sigsentry_log_source" "gcp" {
  type = "gcp_logging"
  name = "gcp-prod"
  credentials = {
    serviceAccountJson = var.gcp_service_account_json
  }
  sources = ["projects/acme-prod/logs/run.googleapis.com%2Fstdout"]
}

variable "aws_access_key_id" {
  type      = string
  sensitive = true
}

variable "aws_secret_access_key" {
  type      = string
  sensitive = true
}

variable "datadog_api_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "datadog_app_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "splunk_token" {
  type      = string
  sensitive = true
}

variable "elastic_api_key" {
  type      = string
  sensitive = true
}

variable "gcp_service_account_json" {
  type      = string
  sensitive = true
}
