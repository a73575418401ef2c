# One tenant-scoped API key, many projects: one provider block, a project_id per resource.
provider "sigsentry" {} # SIGSENTRY_API_KEY: a tenant-scoped key

variable "projects" {
  description = "Each team's SigSentry project."
  type        = map(string)
  default = {
    payments = "prj_payments"
    search   = "prj_search"
    checkout = "prj_checkout"
  }
}

variable "splunk_token" {
  type      = string
  sensitive = true
}

resource "sigsentry_log_source" "team" {
  for_each = var.projects

  project_id  = each.value
  type        = "splunk"
  name        = "${each.key}-splunk"
  credentials = { host = "https://splunk.example.com", token = var.splunk_token }
  sources     = ["index=${each.key}"]
}
