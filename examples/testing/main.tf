# A small module to test: one Loki log source per team, named TEAM-loki, which it refuses to
# create when the project already has a Loki source of that name (made in the dashboard or
# by another team). Its tests: team_loki.tftest.hcl, run against the fake SigSentry API.

terraform {
  required_providers {
    sigsentry = { source = "sigsentry/sigsentry" }
  }
}

variable "team" {
  type        = string
  description = "The team; its log source is called TEAM-loki."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.team))
    error_message = "The team must be 2 to 31 lowercase letters, digits and dashes."
  }
}

variable "loki_url" {
  type        = string
  description = "The team's Loki endpoint."
}

variable "streams" {
  type        = list(string)
  description = "LogQL stream selectors to read."
}

data "sigsentry_log_sources" "loki" {
  type = "loki"
}

locals {
  name  = "${var.team}-loki"
  taken = [for s in data.sigsentry_log_sources.loki.log_sources : s.name]
}

resource "sigsentry_log_source" "team" {
  type        = "loki"
  name        = local.name
  credentials = { host = var.loki_url }
  sources     = var.streams

  lifecycle {
    precondition {
      condition     = !contains(local.taken, local.name)
      error_message = "The project already has a Loki log source named ${local.name}."
    }
  }
}

output "id" {
  value = sigsentry_log_source.team.id
}

output "name" {
  value = sigsentry_log_source.team.name
}

output "is_active" {
  value = sigsentry_log_source.team.is_active
}
