# Quickstart: two log sources and a lookup. Point the provider at an API with
#   SIGSENTRY_API_URL and SIGSENTRY_API_KEY (the demo sets both for the bundled fake API).
terraform {
  required_providers {
    sigsentry = {
      source = "sigsentry/sigsentry"
    }
  }
}

provider "sigsentry" {}

variable "aws_access_key_id" {
  type      = string
  sensitive = true
  default   = "AKIAIOSFODNN7EXAMPLE"
}

variable "aws_secret_access_key" {
  type      = string
  sensitive = true
  default   = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
}

resource "sigsentry_log_source" "checkout" {
  type = "cloudwatch"
  name = "prod-cloudwatch"
  credentials = {
    accessKeyId     = var.aws_access_key_id
    secretAccessKey = var.aws_secret_access_key
  }
  sources = ["/aws/lambda/checkout-api", "/aws/lambda/billing-worker"]
}

resource "sigsentry_log_source" "loki" {
  type = "loki"
  name = "loki-staging"
  credentials = {
    host = "https://loki.example.com"
  }
  sources = ["{app=\"checkout\"}"]
}

data "sigsentry_log_sources" "all" {
  depends_on = [sigsentry_log_source.checkout, sigsentry_log_source.loki]
}

output "log_source_ids" {
  value = data.sigsentry_log_sources.all.ids
}
